/* The NanoVM transcript interface: the vm process feeds confirmed blocks to
 * a vm_indexer, which decodes the messages they carry, runs the native and
 * bytecode programs and keeps their state in its own SQLite database (WAL,
 * versioned schema; the indexer is its only writer).
 *
 * CONTRACT. Blocks arrive in a topological order: each account's blocks in
 * height order (1, 2, ...), each receive after its source send, but in any
 * order across accounts. The state, the roots and the per-block events are
 * identical for every such order (docs/vm.md "Ordering rules"). Applying a
 * block whose hash was applied before is a no-op (VM_IDX_ALREADY), so a
 * restarted process can resume from the ledger without bookkeeping.
 *
 * Not thread-safe: one indexer, one thread. */
#ifndef VM_PROGRAMS_TRANSCRIPT_H
#define VM_PROGRAMS_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"

/* A confirmed block as the indexer needs it. The subtype follows from the
 * balances: send (balance down; amount = prev_balance - balance, link =
 * destination account), receive/open (balance up; link = the source send's
 * hash), change (equal). The genesis open (height 1, link = its own
 * account, no source send) is recognised and carries nothing. */
typedef struct {
    uint8_t account[32];
    uint8_t hash[32];
    uint64_t height;           /* 1 for the open block */
    smn_amount_t prev_balance; /* 0 for an open block */
    smn_amount_t balance;
    uint8_t link[32];
    /* Receive/open only: the source send's account and amount (checked
     * against what the indexer recorded for that send). */
    uint8_t source_account[32];
    smn_amount_t source_amount;
} vm_block;

typedef enum {
    VM_IDX_OK = 0,
    VM_IDX_ALREADY,    /* this hash was applied before: nothing done (success) */
    VM_IDX_ERR_ARG,    /* NULL argument */
    VM_IDX_ERR_ORDER,  /* height is not the account's next height */
    VM_IDX_ERR_SOURCE, /* receive of a send that is unknown, for another account,
                          already received, or of another amount/account */
    VM_IDX_ERR_BLOCK,  /* self-contradictory block (change with a link, send to self ...) */
    VM_IDX_ERR_DB,     /* SQLite failed; the block was not applied */
    VM_IDX_ERR_SCHEMA, /* the DB has another schema version */
    VM_IDX_ERR_NOMEM,
    VM_IDX_ERR_NOT_FOUND, /* no such program */
    VM_IDX_ERR_STATE,     /* batch begun twice / committed without begin */
    VM_IDX_ERR_CORRUPT,   /* the DB file failed its integrity check at open */
} vm_idx_status;

typedef struct vm_indexer vm_indexer;

/* Open or create the VM DB at path. */
vm_idx_status vm_indexer_open(const char *path, vm_indexer **out);
/* Commits an open batch and closes. NULL is fine. */
void vm_indexer_close(vm_indexer *ix);

/* Apply one confirmed block, atomically: on any error nothing of it
 * remains. Outside a batch each block is its own transaction. */
vm_idx_status vm_indexer_apply(vm_indexer *ix, const vm_block *b);

/* Group many blocks into one transaction (much faster; a crash loses the
 * whole uncommitted batch, which the ledger replays: apply is idempotent). */
vm_idx_status vm_indexer_begin_batch(vm_indexer *ix);
vm_idx_status vm_indexer_commit_batch(vm_indexer *ix);

/* Merkle state root of a program over its balances, boxes, storage and
 * published states (docs/vm.md "State and commitments"); 32 zero bytes for
 * a program without state. VM_IDX_ERR_NOT_FOUND for an unknown program. */
vm_idx_status vm_indexer_state_root(vm_indexer *ix, const uint8_t program_id[32], uint8_t root[32]);

/* Every program id (natives first, then deployed ones), sorted by id.
 * Writes at most cap ids, *n gets the total. */
vm_idx_status vm_indexer_programs(vm_indexer *ix, uint8_t (*ids)[32], size_t cap, size_t *n);

/* Blake2b-256 over all events in the canonical order (account, height,
 * index in block), which every node shares; the cursor order is this
 * node's confirmation order and differs between nodes. */
vm_idx_status vm_indexer_event_digest(vm_indexer *ix, uint8_t digest[32], uint64_t *count);

/* Balance of asset held by (holder kind, id) inside program's state; kinds
 * as vm_holder_kind in procs/vm/interp/host.h (0 program, 2 account).
 * For the token program asset is the token id; for vSMN it is 32 zeros. */
vm_idx_status vm_indexer_balance(vm_indexer *ix, const uint8_t program_id[32],
                                 const uint8_t asset[32], uint8_t holder_kind,
                                 const uint8_t holder_id[32], smn_amount_t *out);

/* A token by its 32-byte id (the hash of its etch block). */
typedef struct {
    uint8_t id[32];
    uint8_t etcher[32];
    char name[17];
    char symbol[17];
    uint8_t decimals;
    smn_amount_t cap;
    smn_amount_t minted;
} vm_token_info;
vm_idx_status vm_indexer_token(vm_indexer *ix, const uint8_t id[32], vm_token_info *out);

/* The underlying DB (read-only use by tests and the event socket). */
struct sqlite3 *vm_indexer_db(vm_indexer *ix);
/* One step of bringing an older vm.db up to the current schema (one index
 * built, in its own transaction; outside a batch only). *done once the
 * DB is current: call again until then, from separate loop iterations. */
vm_idx_status vm_indexer_migrate_step(vm_indexer *ix, bool *done);

const char *vm_idx_strerror(vm_idx_status st);

#endif
