/* Read-only queries on a node's vm.db for the RPC and the CLI: the program
 * list and one program's info, storage (paged), boxes, balances (of an
 * account, a program or a box), published states, and view calls on the
 * live state. The handle never writes and never waits for a lock (busy
 * timeout 0): every query runs inside one read snapshot (vm_query_begin),
 * which can fail only while SQLite recovers or restarts the WAL; callers
 * retry. The vm process stays the only writer. */
#ifndef VM_PROGRAMS_QUERY_H
#define VM_PROGRAMS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "procs/vm/programs/evlayout.h"
#include "procs/vm/programs/transcript.h"

typedef struct vm_query vm_query;

/* VM_IDX_ERR_NOT_FOUND when path does not exist or cannot be opened,
 * VM_IDX_ERR_SCHEMA for another schema version. */
vm_idx_status vm_query_open(const char *path, vm_query **out);
void vm_query_close(vm_query *q);
/* One read snapshot for the queries that follow, up to vm_query_end. A
 * failure (the DB is busy, e.g. a checkpoint restarts the WAL) is
 * VM_IDX_ERR_DB with nothing held; try again. */
vm_idx_status vm_query_begin(vm_query *q);
void vm_query_end(vm_query *q);
struct sqlite3 *vm_query_db(vm_query *q);
/* The cementing seq the snapshot has applied (meta ledger_seq). */
vm_idx_status vm_query_seq(vm_query *q, uint64_t *seq);

/* Program kinds as vm_prog_kind (store.h): 1 token, 2 vsmn, 3 swap, 4 bytecode. */
const char *vm_query_kind_name(int kind);

typedef struct {
    uint8_t id[32];
    int kind;
    bool has_host; /* false for the global natives */
    uint8_t host[32];
    bool has_deploy;
    uint8_t deploy_block[32];
    uint64_t deploy_height;
    size_t code_len;
    uint8_t code_hash[32];          /* Blake2b-256 of the code (zeros without code) */
    uint8_t version;                /* bytecode format version; 0 for natives */
    uint8_t swap_a[32], swap_b[32]; /* swap: the pool's assets */
    uint8_t root[32];               /* current Merkle state root */
    uint32_t boxes;
    /* The last commit naming this program (by the host's chain order). */
    bool has_commit;
    uint8_t commit_block[32];
    uint64_t commit_height;           /* height of the commit's send on the host chain */
    uint64_t commit_published_height; /* the height the host claimed */
    uint8_t commit_published[32];
    bool commit_has_computed;
    uint8_t commit_computed[32];
    char commit_result[16]; /* match, mismatch, unsequenced, no_program */
    uint64_t commits, commits_mismatch;
    /* The first commit whose published root differed (fraud marker). */
    bool has_first_mismatch;
    uint8_t first_mismatch_block[32];
    uint64_t first_mismatch_height;
} vm_query_proginfo;

/* Programs with an id above `after` (NULL: from the start), in id order, at
 * most max; *n = how many. */
vm_idx_status vm_query_programs(vm_query *q, const uint8_t *after, uint8_t (*ids)[32], size_t max,
                                size_t *n);
/* The cheap part of a program's info (no root, no commit scan): kind and
 * host. VM_IDX_ERR_NOT_FOUND for an unknown id. */
vm_idx_status vm_query_program_brief(vm_query *q, const uint8_t id[32], int *kind, bool *has_host,
                                     uint8_t host[32]);
/* Whether any commit of the program published another root. */
vm_idx_status vm_query_program_fraud(vm_query *q, const uint8_t id[32], bool *fraud);
/* VM_IDX_ERR_NOT_FOUND for an unknown id. Computes the state root: O(the
 * program's state). */
vm_idx_status vm_query_program(vm_query *q, const uint8_t id[32], vm_query_proginfo *out);
/* A program by an 8-byte prefix (hosted programs: the host names it). */
vm_idx_status vm_query_program_by_prefix(vm_query *q, const uint8_t prefix[8], uint8_t id[32],
                                         bool *found);

/* The first commit (in this node's event order) whose published root
 * differed from the computed one: a host publishing a false state root.
 * *found false when there is none. */
vm_idx_status vm_query_first_fraud(vm_query *q, uint8_t program[32], uint8_t block[32],
                                   uint64_t *height, bool *found);

/* Key/value rows in key order from the key after `after` (NULL: first). */
typedef bool (*vm_query_kv_fn)(void *user, const uint8_t *key, size_t klen, const uint8_t *val,
                               size_t vlen);
vm_idx_status vm_query_storage(vm_query *q, const uint8_t prog[32], const uint8_t *after,
                               size_t after_len, size_t max, vm_query_kv_fn fn, void *user);

/* One balance row: asset, holder (kind as vm_holder_kind, id), amount. For
 * boxes: kind 1, box = its number. */
typedef struct {
    uint8_t program[32];
    uint8_t asset[32];
    uint8_t holder_kind;
    uint32_t box;
    uint8_t holder[32];
    smn_amount_t amount;
} vm_query_balance;
typedef bool (*vm_query_bal_fn)(void *user, const vm_query_balance *b);
/* Every balance an account holds in the rule-1 ledgers (tokens, vSMN). */
vm_idx_status vm_query_account_balances(vm_query *q, const uint8_t account[32], vm_query_bal_fn fn,
                                        void *user);
/* Every balance row inside a program's state (its own main balance, what it
 * owes accounts, other programs' balances in it), at most max rows. */
vm_idx_status vm_query_program_balances(vm_query *q, const uint8_t prog[32], size_t max,
                                        vm_query_bal_fn fn, void *user);
/* Boxes from box number `from`, at most max boxes: fn once per box (amount
 * 0, asset zeros, holder_kind 1 with `exists` semantics) and per asset. */
vm_idx_status vm_query_boxes(vm_query *q, const uint8_t prog[32], uint32_t from, uint32_t max,
                             vm_query_bal_fn fn, void *user);

/* Token metadata by id; VM_IDX_ERR_NOT_FOUND for an unknown token. */
vm_idx_status vm_query_token(vm_query *q, const uint8_t id[32], vm_token_meta *out);

/* A published state version (kind state); VM_IDX_ERR_NOT_FOUND if none.
 * seq 0 = the current one (highest valid). data is heap (caller frees). */
typedef struct {
    uint32_t session, seq;
    bool valid;
    uint8_t block[32];
    uint8_t *data;
    size_t len;
} vm_query_state;
vm_idx_status vm_query_pstate(vm_query *q, const uint8_t prog[32], uint32_t session, uint32_t seq,
                              vm_query_state *out);

/* A view call (bytecode programs only: VM_IDX_ERR_ARG for a native).
 * caller may be NULL (32 zeros). status is a vm_status. */
typedef struct {
    int status;
    smn_amount_t ret;
    uint64_t gas_used;
    uint32_t fault_offset;
} vm_query_view_result;
vm_idx_status vm_query_view(vm_query *q, const uint8_t prog[32], const uint8_t *caller,
                            uint8_t method, const smn_amount_t *args, uint8_t nargs, uint64_t gas,
                            vm_query_view_result *res);

#endif
