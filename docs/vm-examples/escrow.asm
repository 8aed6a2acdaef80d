; escrow: hold smn for a beneficiary until the depositor releases it or the
; beneficiary refunds it. Asset: smn (the 32 zero bytes at 128..160).
;   method 0 deposit (state), r1:r2 = beneficiary account (high, low 16
;       bytes): moves everything attached to the call (the INPUT holder)
;       into a new box and records depositor (the caller) and beneficiary
;       under the box number; emits topic 1 (id u32, amount u128); returns
;       the escrow id (the box number). Fails if nothing is attached.
;   method 1 release (state), r1 = id: only the depositor; pays the box to
;       the beneficiary's account; emits topic 2 (id); returns the amount.
;   method 2 refund (state), r1 = id: only the beneficiary; pays the box
;       back to the depositor; emits topic 3 (id); returns the amount.
;   method 3 held (view), r1 = id: the amount held, 0 if closed or unknown.
; Memory: 0..32 caller scratch, 32..69 holder A, 80..117 holder B,
; 128..160 asset id, 160..224 record (depositor, beneficiary), 224..228
; the storage key (id as u32). r15 stays 0 (absolute addresses).
.method 0 deposit state
.method 1 release state
.method 2 refund state
.method 3 held view

deposit:
    mov r10, r1               ; beneficiary, high half
    mov r11, r2               ; beneficiary, low half
    li r7, 3                  ; holder A = INPUT
    st r7, r15, 32, 1
    li r1, 128
    li r2, 32
    hcall balance
    mov r8, r1                ; r8 = attached amount
    jz r8, reject
    hcall box_create
    jnz r0, reject
    mov r9, r1                ; r9 = id = box number
    li r7, 1                  ; holder B = BOX r9
    st r7, r15, 80, 1
    st r9, r15, 81, 4
    li r1, 128
    li r2, 32
    li r3, 80
    mov r4, r8
    hcall transfer
    jnz r0, reject
    li r1, 160                ; record: depositor = caller
    hcall caller
    st r10, r15, 192, 16      ; beneficiary
    st r11, r15, 208, 16
    st r9, r15, 224, 4
    li r1, 224
    li r2, 4
    li r3, 160
    li r4, 64
    hcall storage_put
    st r8, r15, 228, 16       ; event: id, amount
    li r1, 1
    li r2, 224
    li r3, 20
    hcall emit
    halt r9

release:
    mov r9, r1
    call load_record
    li r12, 160               ; only the depositor
    call require_caller
    li r12, 192               ; pay the beneficiary
    call payout
    li r1, 2
    jmp closed

refund:
    mov r9, r1
    call load_record
    li r12, 192               ; only the beneficiary
    call require_caller
    li r12, 160               ; pay the depositor
    call payout
    li r1, 3
closed:                       ; r1 = topic; the id is still at 224
    li r2, 224
    li r3, 4
    hcall emit
    halt r8

held:
    mov r9, r1
    li r8, 0
    li r7, 0xffffffff
    jlt r7, r9, held_done
    st r9, r15, 224, 4
    li r1, 224
    li r2, 4
    li r3, 160
    li r4, 64
    hcall storage_get
    jnz r0, held_done
    li r7, 1
    st r7, r15, 32, 1
    st r9, r15, 33, 4
    li r1, 128
    li r2, 32
    hcall balance
    mov r8, r1
held_done:
    halt r8

; Load the record of escrow r9 into 160..224 or fail.
load_record:
    li r7, 0xffffffff
    jlt r7, r9, reject        ; ids are u32
    st r9, r15, 224, 4
    li r1, 224
    li r2, 4
    li r3, 160
    li r4, 64
    hcall storage_get
    jnz r0, reject            ; unknown or already closed
    ret

; Fail unless the caller is the 32-byte account at memory r12.
require_caller:
    li r1, 0
    hcall caller
    ld r5, r15, 0, 16
    ld r6, r12, 0, 16
    jne r5, r6, reject
    ld r5, r15, 16, 16
    ld r6, r12, 16, 16
    jne r5, r6, reject
    ret

; Move all of box r9 to the account at memory r12, delete the record;
; r8 <- the amount.
payout:
    li r7, 1                  ; holder A = BOX r9
    st r7, r15, 32, 1
    st r9, r15, 33, 4
    li r7, 2                  ; holder B = ACCOUNT
    st r7, r15, 80, 1
    li r1, 85
    li r3, 32
    mcopy r1, r12, r3
    li r1, 128
    li r2, 32
    hcall balance
    mov r8, r1
    li r1, 128
    li r2, 32
    li r3, 80
    mov r4, r8
    hcall transfer
    jnz r0, reject
    li r1, 224
    li r2, 4
    hcall storage_del
    ret

reject:
    fail
