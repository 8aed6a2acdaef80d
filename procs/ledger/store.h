/* The ledger database's single writer. SQLite in WAL mode with
 * synchronous=NORMAL: a committed transaction is in the WAL file before
 * COMMIT returns, so a SIGKILL of the process (not of the machine) never
 * loses an acknowledged batch; a power loss may lose the last transactions
 * since the last WAL sync but never corrupts the database, and the node then
 * re-learns those blocks from its peers. Other processes read through ro.h.
 *
 * A store is used from one thread. Every function returns a ledger_status;
 * on LEDGER_STATUS_IO ledger_store_errmsg() says what failed. */
#ifndef LEDGER_STORE_H
#define LEDGER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/block.h"
#include "common/network.h"
#include "ipc/ledgerdb/types.h"
#include "procs/ledger/validate.h"

typedef struct ledger_store ledger_store;

typedef struct {
    size_t unchecked_max; /* blocks held while waiting for a dependency (default 65536) */
    int cache_mib;        /* SQLite page cache in MiB (default 64) */
    /* WAL checkpoints inside the commit that crosses the threshold
     * (SQLite's way) instead of on the store's checkpoint thread
     * (checkpoint.h, the default) */
    bool inline_checkpoints;
    unsigned checkpoint_pages; /* WAL pages that start a checkpoint (0: 16384, 64 MiB) */
} ledger_store_config;

/* Process-wide SQLite settings of the writer process, to call once before
 * any other SQLite use (main): no memory statistics, which otherwise take
 * a global mutex on every allocation (about 5% of cementing's work). An
 * error (SQLite already initialised) leaves the defaults: only slower. */
ledger_status ledger_store_global_config(void);

/* Opens (creating if absent, with the network's genesis inserted and
 * cemented) the ledger database at path. Refuses another network's, another
 * genesis's or a newer schema's database with a one-line reason in err.
 * cfg may be NULL for the defaults. */
ledger_status ledger_store_open(const char *path, const smn_network *net,
                                const ledger_store_config *cfg, ledger_store **out, char *err,
                                size_t errlen);
void ledger_store_close(ledger_store *s);
const smn_network *ledger_store_network(const ledger_store *s);
/* The last failure's message ("" if none); owned by the store. */
const char *ledger_store_errmsg(const ledger_store *s);

/* One write transaction at a time; commit makes everything since begin
 * durable against a process kill, rollback forgets it (in-memory state
 * included). */
ledger_status ledger_store_begin(ledger_store *s);
ledger_status ledger_store_commit(ledger_store *s);
/* fn (NULL: none) is called by ledger_store_begin (and _end_held) when a transaction is
 * still open, to close it first: the processor's group (processor.h),
 * which other writers then never see as "transaction already open". */
void ledger_store_set_begin_hook(ledger_store *s, void (*fn)(void *), void *user);
/* Closes a held transaction (the hook's) if one is open: every writer
 * that refuses to start inside an open transaction calls it first. */
void ledger_store_end_held(ledger_store *s);

/* WAL checkpoints the store's checkpoint thread has run (0 with
 * inline_checkpoints). */
uint64_t ledger_store_checkpoints(ledger_store *s);
void ledger_store_rollback(ledger_store *s);
bool ledger_store_in_transaction(const ledger_store *s);

/* The read interface validation uses, reading this store (including the
 * uncommitted changes of the current transaction). */
void ledger_store_view(ledger_store *s, ledger_view *out);

/* Reads. NOT_FOUND when absent. */
ledger_status ledger_store_account(ledger_store *s, const uint8_t account[32],
                                   ledger_account_info *out);
ledger_status ledger_store_block(ledger_store *s, const uint8_t hash[32], ledger_block_record *out);
/* The block of account at height; out may be NULL to learn only the hash. */
ledger_status ledger_store_block_at(ledger_store *s, const uint8_t account[32], uint64_t height,
                                    uint8_t hash[32], ledger_block_record *out);
/* Cementing (confirm.c). Cursors over account's blocks with height in
 * (after, up_to], ascending, one row each (hash, successor and confirmed
 * are not filled in: the hash is not stored, and the walk takes most
 * blocks' hash from the next row's previous instead of hashing); *row is
 * the block's row id for ledger_store_cement_block. after_balance, when
 * the caller knows it, is the balance of the block at after: the first
 * row's derived amount comes from it (NULL: the cursor reads that block
 * too). next is NOT_FOUND past the last; current decodes again the row the
 * last next returned (INVALID when there is none). LEDGER_CHAIN_CURSORS
 * slots, each open independently (the walk keeps one per stack frame);
 * other store calls may run while they are open; close them before the
 * transaction ends (a rollback resets them). */
#define LEDGER_CHAIN_CURSORS 17
ledger_status ledger_store_chain_open(ledger_store *s, unsigned slot, const uint8_t account[32],
                                      uint64_t after, uint64_t up_to,
                                      const smn_amount_t *after_balance);
ledger_status ledger_store_chain_next(ledger_store *s, unsigned slot, ledger_block_record *out,
                                      int64_t *row);
ledger_status ledger_store_chain_current(ledger_store *s, unsigned slot, ledger_block_record *out,
                                         int64_t *row);
void ledger_store_chain_close(ledger_store *s, unsigned slot);
/* The account and height of a stored block, and its account's
 * confirmation height as its row holds it, in one read. */
ledger_status ledger_store_source(ledger_store *s, const uint8_t hash[32], uint8_t account[32],
                                  uint64_t *height, uint64_t *conf_height);
ledger_status ledger_store_receivable(ledger_store *s, const uint8_t send_hash[32],
                                      ledger_receivable *out);
/* Representative weight; zero for an unknown representative. */
ledger_status ledger_store_weight(ledger_store *s, const uint8_t rep[32], smn_amount_t *out);
ledger_status ledger_store_is_pruned(ledger_store *s, const uint8_t hash[32], bool *pruned);

/* Applies a block that ledger_validate accepted against this store's
 * current state, inside a transaction: block row, account, receivable,
 * representative weights. */
ledger_status ledger_store_apply(ledger_store *s, const smn_block *b, const uint8_t hash[32],
                                 const ledger_validation *v);

/* Rollback of one block, inside a transaction: rec must be its account's
 * frontier, above the confirmation height (else LEDGER_STATUS_CEMENTED), and
 * nothing may depend on it: a send must not have been received (its
 * receivable row is still there). Deletes the block row; restores the
 * account to prev (the block below it; NULL for an open, whose account row
 * goes); a send's receivable goes, a receive/open's source is receivable
 * again (from `source`, the sending account; zero when that send was
 * pruned); moves the weights back; drops the unchecked blocks waiting for
 * it; counts one block less. rollback.h walks the dependents. */
ledger_status ledger_store_unapply(ledger_store *s, const ledger_block_record *rec,
                                   const ledger_block_record *prev, const uint8_t source[32]);

/* Unchecked blocks: ones waiting for `dependency`. Bounded: when full the
 * oldest entry is dropped. A hash already held is not added twice.
 * Only blocks whose signature verified are put here. */
ledger_status ledger_store_unchecked_put(ledger_store *s, const smn_block *b,
                                         const uint8_t hash[32], const uint8_t dependency[32]);
/* Removes and returns up to max blocks waiting for dependency, oldest first. */
ledger_status ledger_store_unchecked_take(ledger_store *s, const uint8_t dependency[32],
                                          smn_block *out, size_t max, size_t *n);
size_t ledger_store_unchecked_count(const ledger_store *s);
/* Drops every unchecked block (inside a transaction); *removed: how many. */
ledger_status ledger_store_unchecked_clear(ledger_store *s, uint64_t *removed);
/* Unchecked blocks evicted (oldest first) at unchecked_max since the store
 * opened. */
uint64_t ledger_store_unchecked_evicted(const ledger_store *s);

/* Confirmation height of account (which must exist). Raising it appends
 * each newly cemented block, by height, to the cementing log. */
ledger_status ledger_store_set_conf_height(ledger_store *s, const uint8_t account[32],
                                           uint64_t height);
/* The cementing sequence number of the last block logged (including the
 * open transaction's); 0 when nothing was ever cemented. Sequence numbers
 * are global, start at 1 (genesis), increase by one per cemented block and
 * are never reused. Kept in memory (read once at open). */
ledger_status ledger_store_cement_seq(ledger_store *s, uint64_t *seq);

/* Cementing one block at a time (confirm.c), inside a transaction: the
 * caller appends each newly cemented block to the log in order
 * (ledger_store_cement_block with the row id from the chain cursor;
 * *seq is its number), then writes the
 * account's new confirmation height once (ledger_store_raise_conf_height)
 * before the transaction ends or another block of that account is read
 * through ledger_store_account. The caller guarantees the logged blocks are
 * exactly the heights between the old and the new confirmation height. */
ledger_status ledger_store_cement_block(ledger_store *s, int64_t row, uint64_t *seq);
/* The send send_hash was just cemented: if it is still receivable, its
 * amount joins its destination's confirmed receivable total
 * (receivable_totals.confirmed_sum). The cementing walk calls it for each
 * send it cements; ledger_store_set_conf_height does it itself. */
ledger_status ledger_store_cemented_send(ledger_store *s, const uint8_t send_hash[32]);
ledger_status ledger_store_raise_conf_height(ledger_store *s, const uint8_t account[32],
                                             uint64_t height);

/* Pruning: accounts with more than keep cemented blocks above their
 * watermark, found by a scan in key order that keeps its place. Each call
 * looks at no more than `scan` accounts from the store's cursor and stops
 * early at max candidates; the cursor then stands on the first account not
 * looked at, so the next call goes on from there. At the last account the
 * cursor wraps to the first (*wrapped = true): every account is looked at
 * once per round, however many passes a round takes. The cursor lives in
 * memory (a reopened store starts at the first account). */
typedef struct {
    uint8_t account[32];
    uint64_t conf_height;
    uint64_t pruned_height;
} ledger_prune_candidate;
ledger_status ledger_store_prune_candidates(ledger_store *s, uint64_t keep, size_t scan,
                                            ledger_prune_candidate *out, size_t max, size_t *n,
                                            bool *wrapped);
/* The next candidate scan starts at account (one the caller could not
 * finish: its block budget ran out). */
void ledger_store_prune_resume(ledger_store *s, const uint8_t account[32]);
/* Removes account's blocks with height in (current watermark, up_to],
 * remembers their hashes as pruned and raises the watermark to up_to. */
ledger_status ledger_store_prune_account(ledger_store *s, const uint8_t account[32], uint64_t up_to,
                                         uint64_t *removed);
/* 0 when nothing was pruned. */
ledger_status ledger_store_pruned_height(ledger_store *s, const uint8_t account[32],
                                         uint64_t *height);

/* ledger_counts: ipc/ledgerdb/types.h. */
void ledger_store_counts(const ledger_store *s, ledger_counts *out);

#endif
