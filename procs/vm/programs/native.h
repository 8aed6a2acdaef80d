/* The native programs (Nana's NIPs) and the routing of calls, as the
 * dispatcher (dispatch.c) drives them. Internal to procs/vm/programs/.
 *
 * Rule 1 (token, vsmn): effects on the sender's chain at the send that
 * completes the message, and on the recipient's chain at the receive that
 * completes it. Rule 2 (swap, bytecode): effects only on the host account's
 * chain. docs/vm.md "Native programs" lists every method. */
#ifndef VM_PROGRAMS_NATIVE_H
#define VM_PROGRAMS_NATIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "procs/vm/codec/envelope.h"
#include "procs/vm/programs/apply.h"
#include "procs/vm/programs/store.h"

/* Outcome codes: the first byte of every native event's data. */
typedef enum {
    VM_N_OK = 0,
    VM_N_BAD_ARGS = 1,     /* missing/out-of-range argument, bad name */
    VM_N_UNUSED_2 = 2,     /* reserved: an unknown token reads as INSUFFICIENT / NOT_ETCHER */
    VM_N_INSUFFICIENT = 3, /* debit above the balance */
    VM_N_NOT_ETCHER = 4,   /* mint by another account than the etcher */
    VM_N_CAP = 5,          /* mint above the supply cap */
    VM_N_DUPLICATE = 6,    /* id/reference/prefix/version already taken */
    VM_N_NO_METHOD = 7,    /* unknown method id */
    VM_N_NO_PROGRAM = 8,   /* no program with this prefix at that host */
    VM_N_OVERFLOW = 9,     /* a credit or reserve would exceed u128 */
    VM_N_SLIPPAGE = 10,    /* result below the caller's minimum */
    VM_N_NO_INPUT = 11,    /* a method that needs attached tokens got none (or the wrong one) */
    VM_N_FAULT = 12,       /* bytecode fault (the event carries the vm_status) */
    VM_N_BAD_CODE = 13,    /* deploy: code rejected by the verifier / unknown native */
    VM_N_EMPTY_POOL = 14,  /* swap/remove on a pool without liquidity */
} vm_native_code;

/* Method ids shared by the two rule-1 asset programs. token adds etch and
 * mint; vsmn takes the same arguments as token minus the leading token ref. */
enum {
    VM_TOKEN_ETCH = 0,          /* name, symbol, decimals, cap */
    VM_TOKEN_MINT = 1,          /* ref, amount */
    VM_ASSET_TRANSFER = 2,      /* [ref,] amount */
    VM_ASSET_TRANSFER_CALL = 3, /* [ref,] amount, program prefix (u64), method (u8), arg */
    VM_ASSET_WITHDRAW = 4,      /* [ref,] amount, program prefix (u64) */
};

/* Swap methods (rule 2, at the host's receive). */
enum {
    VM_SWAP_DEPOSIT = 0,  /* attached tokens -> caller's balance in the pool program */
    VM_SWAP_ADD = 1,      /* amount_a, amount_b, min_shares (from the caller's balances) */
    VM_SWAP_REMOVE = 2,   /* shares, min_a, min_b */
    VM_SWAP_SWAP = 3,     /* min_out; sells the attached tokens */
    VM_SWAP_SWAP_OWN = 4, /* b_to_a (0/1), amount_in, min_out; sells from the caller's balance */
};

/* What the send side of a rule-1 message leaves for its receive side. */
typedef struct {
    bool ok;           /* the send side succeeded (debit made) */
    uint8_t asset[32]; /* asset debited (token id or 32 zeros for vSMN) */
    smn_amount_t amount;
} vm_pending;

/* Tokens attached to a call (Nana's unallocated input). */
typedef struct {
    bool present;
    uint8_t asset[32];
    smn_amount_t amount; /* what is left of it */
} vm_input;

/* token / vsmn. prog is vm_pid_token or vm_pid_vsmn. */
vm_idx_status vm_asset_on_send(vm_apply_ctx *c, const vm_msg *m, const uint8_t prog[32],
                               const vm_call_body *call, vm_pending *p);
vm_idx_status vm_asset_on_receive(vm_apply_ctx *c, const vm_msg *m, const uint8_t prog[32],
                                  const vm_call_body *call, const vm_pending *p);
/* Credit/debit an account's balance of asset in a rule-1 program. */
vm_idx_status vm_asset_credit(vm_apply_ctx *c, const uint8_t prog[32], const uint8_t asset[32],
                              const uint8_t account[32], smn_amount_t amount, bool *ok);
vm_idx_status vm_asset_debit(vm_apply_ctx *c, const uint8_t prog[32], const uint8_t asset[32],
                             const uint8_t account[32], smn_amount_t amount, bool *ok);

/* token.c */
vm_idx_status vm_token_etch(vm_apply_ctx *c, const vm_msg *m, const vm_call_body *call);
vm_idx_status vm_token_mint(vm_apply_ctx *c, const vm_msg *m, const vm_call_body *call);
/* Resolve a token reference to its id; *found false if none. */
vm_idx_status vm_token_lookup(vm_store *s, smn_amount_t ref, uint8_t id[32], bool *found);

/* vsmn.c: a send of amount real smn to the burn account. */
vm_idx_status vm_vsmn_burn(vm_apply_ctx *c, smn_amount_t amount);

/* hosted.c: deploy by the sender (host) and calls at the host's receive.
 * vm_call_hosted routes to swap or bytecode, wraps the call in a savepoint,
 * and credits what is left of the input to the caller's balance inside the
 * program (all of it if the call failed). With no program at that prefix
 * the input goes to the host account itself (a plain rule-1 credit from
 * asset_prog). */
vm_idx_status vm_deploy(vm_apply_ctx *c, const vm_msg *m, const vm_deploy_body *d);
vm_idx_status vm_call_hosted(vm_apply_ctx *c, const uint8_t host[32], const uint8_t prefix[8],
                             const uint8_t caller[32], const vm_call_body *call,
                             const uint8_t asset_prog[32], vm_input *in);

/* swap.c */
bool vm_swap_init_valid(const uint8_t *init, size_t len);
vm_idx_status vm_swap_init(vm_apply_ctx *c, const uint8_t prog[32], const uint8_t *init,
                           size_t len);
/* Runs inside the caller's savepoint; *code != VM_N_OK means "roll back". */
vm_idx_status vm_swap_call(vm_apply_ctx *c, const uint8_t prog[32], const uint8_t caller[32],
                           const vm_call_body *call, vm_input *in, vm_native_code *code);

/* host_db.c: run a bytecode program's method against the DB. */
typedef struct {
    int status; /* vm_status */
    smn_amount_t ret;
    uint64_t gas_used;
    uint32_t fault_offset;
} vm_bytecode_result;
/* Gas cap of one call made by a message. */
#define VM_CALL_GAS_CAP 1000000u
vm_idx_status vm_bytecode_call(vm_apply_ctx *c, const vm_prog_info *prog, const uint8_t caller[32],
                               const vm_call_body *call, vm_input *in, vm_bytecode_result *res);

/* A view call on the current state (RPC vm_view): the method runs in view
 * mode (a state_changing method faults view_state, a mutation view_write)
 * with at most gas, against st as it is; nothing is written. */
vm_idx_status vm_bytecode_view(vm_store *st, const vm_prog_info *prog, const uint8_t caller[32],
                               uint8_t method, const smn_amount_t *args, uint8_t nargs,
                               uint64_t gas, vm_bytecode_result *res);

/* Balance keys of the rule-1 ledgers: asset | 2 (account) | account. */
void vm_account_key(const uint8_t asset[32], const uint8_t account[32], uint8_t out[65]);

#endif
