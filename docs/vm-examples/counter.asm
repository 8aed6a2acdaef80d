; counter: a u128 in storage under the key "count".
;   method 0 increment (state): count += 1, emits topic 1 with the new
;                               count (16 bytes big-endian), returns it
;   method 1 get (view):        returns count (0 before the first increment)
; Memory: 0..5 the key, 16..32 the value. r15 stays 0 and serves as the
; base register for absolute addresses.
.method 0 increment state
.method 1 get view

increment:
    call load                 ; r6 = count
    addi r6, r6, 1            ; checked: faults rather than wrap
    st r6, r15, 16, 16
    li r1, 0                  ; key ptr
    li r2, 5                  ; key len
    li r3, 16                 ; value ptr
    li r4, 16                 ; value len
    hcall storage_put
    li r1, 1                  ; topic 1: incremented
    li r2, 16                 ; data ptr
    li r3, 16                 ; data len
    hcall emit
    halt r6

get:
    call load
    halt r6

; r6 <- the stored count, 0 if absent. Clobbers r0..r4, r7.
load:
    li r7, 0x636f756e74       ; "count"
    st r7, r15, 0, 5
    li r1, 0
    li r2, 5
    li r3, 16
    li r4, 16
    hcall storage_get
    li r6, 0
    jnz r0, load_done         ; r0 = 1: not found
    ld r6, r15, 16, 16
load_done:
    ret
