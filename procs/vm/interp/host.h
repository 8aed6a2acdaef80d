/* The NanoVM host interface: everything a bytecode program can see or touch
 * outside its registers and memory goes through these callbacks.
 *
 * Contract for implementers (procs/vm/programs/ implements it over the VM
 * DB; procs/vm/interp/memhost.c implements it in memory):
 *
 *  - Deterministic: results depend only on the state and the arguments; no
 *    clocks, randomness, floating point or iteration over unordered
 *    containers.
 *  - The interpreter owns the journal. Before it runs a program it calls
 *    checkpoint(); on success it calls release() (the changes become part of
 *    the enclosing checkpoint, or permanent at the outermost one); on any
 *    fault it calls rollback(), after which storage, balances, boxes and
 *    events must be exactly as they were at checkpoint(). Checkpoints nest
 *    strictly (LIFO).
 *  - The interpreter enforces view mode: in a view method it never calls
 *    storage_put, storage_del, transfer, box_create or emit_event (the
 *    instruction faults with VM_FAULT_VIEW_WRITE instead), so a host used for
 *    views never sees a mutation.
 *  - Gas is charged by the interpreter (costs below), never by the host.
 *  - A host returns VM_HOST_ERROR only for a failure of the node itself (I/O,
 *    out of memory); the interpreter then stops with VM_FAULT_HOST, which the
 *    caller must treat as "could not evaluate", not as a program outcome.
 *
 * Holders: who owns a balance. A program may debit only itself, its own
 * boxes and the call's input (what the caller attached to the call, Nana's
 * "unallocated" balance); it may credit anyone. The host enforces this and
 * answers VM_HOST_DENIED otherwise. */
#ifndef SMN_VM_HOST_H
#define SMN_VM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"

typedef smn_amount_t vm_u128; /* registers share the amounts' representation (issue 19) */

#define VM_ID_LEN 32
#define VM_STORAGE_KEY_MAX 64     /* bytes; a longer key faults (VM_FAULT_HOST_ARG) */
#define VM_STORAGE_VALUE_MAX 1024 /* bytes; a longer value faults (VM_FAULT_HOST_ARG) */
#define VM_EVENT_DATA_MAX 1024    /* bytes per event */
#define VM_MAX_ARGS 5             /* call arguments land in r1..r5 */
#define VM_MAX_CALL_DEPTH 8       /* program-to-program call depth, top call is depth 0 */

/* Host answers. VM_HOST_OK, _NOT_FOUND and _INSUFFICIENT reach the program
 * as a status in r0; _DENIED and _ERROR stop it with a fault. */
typedef enum {
    VM_HOST_OK = 0,
    VM_HOST_NOT_FOUND = 1,    /* storage key absent; call target unknown */
    VM_HOST_INSUFFICIENT = 2, /* debit above the holder's balance, or a credit overflows u128 */
    VM_HOST_LIMIT = 3,        /* a host quota (box count, event count) reached */
    VM_HOST_DENIED = 4,       /* debit from a holder the program does not control */
    VM_HOST_ERROR = 5,        /* the node failed (I/O, memory): not a program outcome */
} vm_host_status;

/* How a call ends. Every non-OK value is a fault: state rolled back, the
 * offset of the faulting instruction reported. */
typedef enum {
    VM_OK = 0,
    VM_FAULT_OUT_OF_GAS,     /* the next instruction's cost exceeds the gas left */
    VM_FAULT_DIV_ZERO,       /* div/mod by zero */
    VM_FAULT_OVERFLOW,       /* checked add/sub/mul/shift out of range */
    VM_FAULT_MEM_BOUNDS,     /* memory access outside the frame's memory */
    VM_FAULT_STACK_OVERFLOW, /* intra-program call stack full */
    VM_FAULT_CALL_DEPTH,     /* program-to-program call beyond VM_MAX_CALL_DEPTH */
    VM_FAULT_VIEW_STATE,     /* a state_changing method called in view mode */
    VM_FAULT_VIEW_WRITE,     /* a mutating host call in view mode */
    VM_FAULT_NO_METHOD,      /* method id not in the method table */
    VM_FAULT_EXPLICIT,       /* the program executed `fail` */
    VM_FAULT_HOST_ARG,       /* a host call argument out of range (length, holder kind) */
    VM_FAULT_HOST_DENIED,    /* the host answered VM_HOST_DENIED */
    VM_FAULT_HOST,           /* the host answered VM_HOST_ERROR: node failure, not deterministic */
    VM_FAULT_NATIVE,         /* a native (C) callee rejected the call */
    VM_FAULT__COUNT
} vm_status;

/* Short stable name ("ok", "out_of_gas", "div_zero", ...). */
const char *vm_status_name(vm_status st);

typedef enum {
    VM_HOLDER_PROGRAM = 0, /* a program's main balance; id = program id */
    VM_HOLDER_BOX = 1,     /* a box of the running program; box = its number */
    VM_HOLDER_ACCOUNT = 2, /* an account; id = its public key */
    VM_HOLDER_INPUT = 3,   /* the running call's attached, unallocated input */
} vm_holder_kind;

/* In program memory a holder is 37 bytes: kind (1), box (u32 big-endian),
 * id (32). Fields a kind does not use are ignored. */
typedef struct {
    uint8_t kind; /* vm_holder_kind */
    uint32_t box;
    uint8_t id[VM_ID_LEN];
} vm_holder;
#define VM_HOLDER_WIRE_LEN 37

/* What the running call may know about where it runs. */
typedef struct {
    uint8_t program[VM_ID_LEN];    /* the running program */
    uint8_t caller[VM_ID_LEN];     /* account that sent the call, or the calling program */
    bool caller_is_program;        /* true inside a program-to-program call */
    uint8_t block_hash[VM_ID_LEN]; /* the block that carried the call */
    uint64_t height;               /* that block's height in its account chain */
    uint8_t account[VM_ID_LEN];    /* the account hosting the program */
    vm_u128 amount;                /* that block's amount (raw) */
} vm_env;

/* A call of one method: the top call (vm_run) or a nested one (host->call). */
typedef struct {
    uint8_t program[VM_ID_LEN]; /* callee (host->call only; vm_run ignores it) */
    uint8_t method;
    uint8_t nargs; /* 0..VM_MAX_ARGS; missing arguments read as 0 */
    vm_u128 args[VM_MAX_ARGS];
    uint64_t gas_limit;
    uint32_t depth; /* 0 for the top call, caller's depth + 1 for a nested one */
    bool view;      /* run as a view: state_changing methods and mutations fault */
} vm_call_request;

typedef struct {
    vm_status status;
    vm_u128 ret;           /* r0 at halt (0 on a fault) */
    uint64_t gas_used;     /* gas consumed, including nested calls; == gas_limit on out of gas */
    uint32_t fault_offset; /* bytecode offset of the faulting instruction (0 if ok) */
    uint32_t events;       /* events this call emitted, nested calls included (0 on a fault) */
} vm_call_outcome;

typedef struct vm_host_ops {
    /* Copy the value of key into out (at most out_cap bytes), its full length
     * into *out_len. NOT_FOUND if absent. out_cap is VM_STORAGE_VALUE_MAX. */
    vm_host_status (*storage_get)(void *ctx, const uint8_t *key, size_t key_len, uint8_t *out,
                                  size_t out_cap, size_t *out_len);
    /* Set key to val (val_len may be 0: an empty value, not a deletion). */
    vm_host_status (*storage_put)(void *ctx, const uint8_t *key, size_t key_len, const uint8_t *val,
                                  size_t val_len);
    /* Remove key; NOT_FOUND if it was absent (not an error for the program). */
    vm_host_status (*storage_del)(void *ctx, const uint8_t *key, size_t key_len);

    /* Balance of asset held by holder (0 if never credited). The asset id of
     * smn itself is 32 zero bytes. */
    vm_host_status (*balance_get)(void *ctx, const uint8_t asset[VM_ID_LEN], const vm_holder *h,
                                  vm_u128 *out);
    /* Move amount of asset; INSUFFICIENT leaves both balances unchanged. */
    vm_host_status (*transfer)(void *ctx, const uint8_t asset[VM_ID_LEN], const vm_holder *from,
                               const vm_holder *to, vm_u128 amount);
    /* Create the running program's next box (numbers 0, 1, 2, ... in creation
     * order) and return its number. A box number never created answers
     * NOT_FOUND in balance_get and transfer. */
    vm_host_status (*box_create)(void *ctx, uint32_t *box);

    /* Append an event of the running program (journaled like storage). */
    vm_host_status (*emit_event)(void *ctx, uint64_t topic, const uint8_t *data, size_t len);

    /* Fill *out for the running call. */
    vm_host_status (*get_env)(void *ctx, vm_env *out);

    /* Run req->method of program req->program, hosted by the same account,
     * synchronously, with caller = the running program. The interpreter has
     * already checked req->depth <= VM_MAX_CALL_DEPTH and capped
     * req->gas_limit at the gas it has left. For a bytecode callee the host
     * loads its code and calls vm_run() with a host whose env names the
     * callee (vm_run journals and checks view mode itself); a native callee
     * must itself leave state untouched when it fails (VM_FAULT_NATIVE).
     * NOT_FOUND if no such program; otherwise OK with *out filled, whatever
     * the callee's status. out->gas_used must be <= req->gas_limit. */
    vm_host_status (*call)(void *ctx, const vm_call_request *req, vm_call_outcome *out);

    /* Journal (see the contract above). */
    vm_host_status (*checkpoint)(void *ctx, uint32_t *id);
    vm_host_status (*rollback)(void *ctx, uint32_t id);
    vm_host_status (*release)(void *ctx, uint32_t id);
} vm_host_ops;

typedef struct {
    const vm_host_ops *ops;
    void *ctx;
} vm_host;

/* Host call numbers (operand of the `hcall` instruction). Arguments come in
 * r1..r5, pointers are offsets into the frame's memory; the host status goes
 * to r0 and results to r1 (r2). Gas = base + per_byte * bytes moved between
 * memory and the host (key + value, event data). */
typedef enum {
    VM_HC_STORAGE_GET = 0, /* r1 key ptr, r2 key len, r3 out ptr, r4 out cap -> r0 st, r1 len */
    VM_HC_STORAGE_PUT = 1, /* r1 key ptr, r2 key len, r3 val ptr, r4 val len -> r0 st */
    VM_HC_STORAGE_DEL = 2, /* r1 key ptr, r2 key len -> r0 st */
    VM_HC_BALANCE = 3,     /* r1 asset ptr, r2 holder ptr -> r0 st, r1 balance */
    VM_HC_TRANSFER = 4,    /* r1 asset ptr, r2 from-holder ptr, r3 to-holder ptr, r4 amount -> r0 */
    VM_HC_BOX_CREATE = 5,  /* -> r0 st, r1 box number */
    VM_HC_EMIT = 6,        /* r1 topic (u64), r2 data ptr, r3 data len -> r0 st */
    VM_HC_CALLER = 7,      /* r1 out ptr (32 bytes) -> r0 st, r1 1 if the caller is a program */
    VM_HC_SELF = 8,        /* r1 out ptr (32 bytes): running program id -> r0 st */
    VM_HC_BLOCK = 9,       /* r1 out ptr (32 bytes block hash) -> r0 st, r1 height, r2 amount */
    VM_HC_ACCOUNT = 10,    /* r1 out ptr (32 bytes hosting account) -> r0 st */
    VM_HC_CALL = 11,       /* r1 program ptr, r2 method, r3 args ptr (5 x u128 BE), r4 nargs,
                              r5 gas limit (0 = all left) -> r0 vm_status (or 255 not found),
                              r1 return value, r2 gas used */
    VM_HC__COUNT
} vm_hcall;

/* Fixed gas of each host call, and the per-byte cost. */
#define VM_GAS_HC_STORAGE_GET 200
#define VM_GAS_HC_STORAGE_PUT 500
#define VM_GAS_HC_STORAGE_DEL 300
#define VM_GAS_HC_BALANCE 100
#define VM_GAS_HC_TRANSFER 400
#define VM_GAS_HC_BOX_CREATE 300
#define VM_GAS_HC_EMIT 200
#define VM_GAS_HC_ENV 20 /* caller, self, block, account */
#define VM_GAS_HC_CALL 700
#define VM_GAS_HC_PER_BYTE 2

#endif
