/* Read-only access to the ledger database for the other processes (rpc,
 * elections, bootstrap, vm). Opens the file with SQLITE_OPEN_READONLY as a
 * WAL reader: it never blocks the writer and sees every committed batch.
 * One ledger_ro per thread. Every function returns a ledger_status;
 * NOT_FOUND for an unknown block/account, IO with ledger_ro_errmsg(). */
#ifndef LEDGER_RO_H
#define LEDGER_RO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/network.h"
#include "ipc/ledgerdb/types.h"

typedef struct ledger_ro ledger_ro;

typedef struct {
    uint8_t account[32];
    smn_amount_t weight;
} ledger_rep_weight;

/* Opens the ledger database at path read-only. With net not NULL, refuses
 * another network's or a newer schema's data (reason in err). */
ledger_status ledger_ro_open(const char *path, const smn_network *net, ledger_ro **out, char *err,
                             size_t errlen);
void ledger_ro_close(ledger_ro *r);
const char *ledger_ro_errmsg(const ledger_ro *r);
/* SQLite VM steps the connection's prepared statements have taken since it
 * opened: a measure of rows read that counts the rows a query scanned
 * without returning them (rpc's ledger_read_steps_total metric; the bounded
 * receivable queries are checked against it). */
uint64_t ledger_ro_steps(const ledger_ro *r);

ledger_status ledger_ro_account_info(ledger_ro *r, const uint8_t account[32],
                                     ledger_account_info *out);
/* Balance (0 for an unopened account) and the sum of its receivables (one
 * row of receivable_totals, however many receivables it has). */
ledger_status ledger_ro_balance(ledger_ro *r, const uint8_t account[32], smn_amount_t *balance,
                                smn_amount_t *receivable);
ledger_status ledger_ro_block(ledger_ro *r, const uint8_t hash[32], ledger_block_record *out);
/* Account history, newest first: the blocks below before_height (0 = from
 * the frontier), at most max; *n = how many. Pruned blocks are absent. */
ledger_status ledger_ro_history(ledger_ro *r, const uint8_t account[32], uint64_t before_height,
                                ledger_block_record *out, size_t max, size_t *n);
/* Receivables of account, largest first (amount descending, then send
 * hash): an index range scan of at most max rows. */
ledger_status ledger_ro_receivables(ledger_ro *r, const uint8_t account[32], ledger_receivable *out,
                                    size_t max, size_t *n);
/* The same counting only what is cemented, as Nano's include_only_confirmed:
 * the balance at the confirmation height (0 before it), and the receivables
 * whose send is cemented. */
ledger_status ledger_ro_balance_confirmed(ledger_ro *r, const uint8_t account[32],
                                          smn_amount_t *balance, smn_amount_t *receivable);
ledger_status ledger_ro_receivables_confirmed(ledger_ro *r, const uint8_t account[32],
                                              ledger_receivable *out, size_t max, size_t *n);
/* Largest first as above, only those of at least threshold (the scan stops
 * at the first one below it); confirmed: only those whose send is cemented
 * (the scan then also steps over the unconfirmed ones). */
ledger_status ledger_ro_receivables_above(ledger_ro *r, const uint8_t account[32],
                                          smn_amount_t threshold, bool confirmed,
                                          ledger_receivable *out, size_t max, size_t *n);
/* hash and its predecessors (previous, previous of previous...), at most max. */
ledger_status ledger_ro_chain(ledger_ro *r, const uint8_t hash[32], uint8_t (*out)[32], size_t max,
                              size_t *n);
/* The account's blocks above after_height, oldest first, at most max,
 * consecutive (a pruned hole ends the run); *first_height is out[0]'s
 * height (0 when *n is 0). Serves ascending bootstrap pulls. */
ledger_status ledger_ro_chain_up(ledger_ro *r, const uint8_t account[32], uint64_t after_height,
                                 smn_block *out, size_t max, size_t *n, uint64_t *first_height);
/* Whether hash waits in the unchecked table. */
ledger_status ledger_ro_unchecked_has(ledger_ro *r, const uint8_t hash[32], bool *out);
/* Accounts >= start (NULL = the first) in key order, with their frontiers. */
ledger_status ledger_ro_frontiers(ledger_ro *r, const uint8_t *start, uint8_t (*accounts)[32],
                                  uint8_t (*frontiers)[32], size_t max, size_t *n);
/* The same, filtered as a frontier_req asks: confirmed_only lists each
 * account's confirmed frontier (the block at its confirmation height;
 * accounts with none are left out); since (seconds since the epoch, 0: any)
 * keeps the accounts whose head block this node stored at or after it. */
ledger_status ledger_ro_frontiers_filtered(ledger_ro *r, const uint8_t *start, bool confirmed_only,
                                           uint64_t since, uint8_t (*accounts)[32],
                                           uint8_t (*frontiers)[32], size_t max, size_t *n);
/* Blocks accepted (ever, pruned included), cemented, pruned, unchecked. */
ledger_status ledger_ro_counts(ledger_ro *r, ledger_counts *out);
ledger_status ledger_ro_weight(ledger_ro *r, const uint8_t rep[32], smn_amount_t *out);
/* Representatives with weight, heaviest first. */
ledger_status ledger_ro_representatives(ledger_ro *r, ledger_rep_weight *out, size_t max,
                                        size_t *n);
/* One entry of the cementing log (store.h: ledger_store_cement_seq). */
typedef struct {
    uint64_t seq;
    uint8_t hash[32];
    bool pruned;             /* the block was pruned since: only seq and hash are set */
    ledger_block_record rec; /* block, hash, height, subtype, amount; successor not read */
} ledger_ro_cemented;

/* Cemented blocks with seq > after, in cementing order, at most max; *n =
 * how many. A subscriber that restarts resumes here after the last seq it
 * handled. */
ledger_status ledger_ro_cemented_after(ledger_ro *r, uint64_t after, ledger_ro_cemented *out,
                                       size_t max, size_t *n);
/* The account's blocks above after_height, oldest first, at most max,
 * consecutive (a pruned hole ends the run); *first_height is out[0]'s
 * height (0 when *n is 0). Serves ascending bootstrap pulls. */
ledger_status ledger_ro_chain_up(ledger_ro *r, const uint8_t account[32], uint64_t after_height,
                                 smn_block *out, size_t max, size_t *n, uint64_t *first_height);
/* Whether hash waits in the unchecked table. */
ledger_status ledger_ro_unchecked_has(ledger_ro *r, const uint8_t hash[32], bool *out);
/* The newest seq of the cementing log (0 when empty). */
ledger_status ledger_ro_cement_head(ledger_ro *r, uint64_t *seq);
/* Blocks waiting for a dependency (the previous block or the source they
 * need), oldest first: all of them, or those waiting for `dependency`
 * (NULL: any); at most max. */
typedef struct {
    uint8_t dependency[32];
    uint8_t hash[32];
    smn_block block;
} ledger_unchecked;
ledger_status ledger_ro_unchecked(ledger_ro *r, const uint8_t *dependency, ledger_unchecked *out,
                                  size_t max, size_t *n);
/* One unchecked block by hash; NOT_FOUND when it is not waiting. */
ledger_status ledger_ro_unchecked_get(ledger_ro *r, const uint8_t hash[32], ledger_unchecked *out);
/* Accounts with at least one block. */
ledger_status ledger_ro_account_count(ledger_ro *r, uint64_t *out);
/* Height up to which the account's blocks were pruned (0 = none). */
ledger_status ledger_ro_pruned_height(ledger_ro *r, const uint8_t account[32], uint64_t *out);

/* ---- lookups and bounded walks for the RPC (each prepares its statement
 * per call; none is on a hot path) ---- */

/* The receivable a send created, by the send's hash: NOT_FOUND once it
 * was received (or for a hash that is no send). *cemented: the send is
 * cemented (a pruned send was cemented). */
ledger_status ledger_ro_receivable(ledger_ro *r, const uint8_t send_hash[32],
                                   ledger_receivable *out, bool *cemented);

/* A walk over accounts or receivables in key order from `start`
 * (inclusive; NULL: the first) that looks at most `scan` rows. *more:
 * rows may remain, continue from `next` (> every key looked at). */
typedef struct {
    uint8_t account[32];
    smn_amount_t amount; /* delegators: the balance; unopened: the receivable sum */
} ledger_ro_account_amount;

/* Accounts whose representative is rep with a balance >= threshold, at
 * most max of them into out (*n). With out NULL they are only counted
 * (*n, up to the scan bound). */
ledger_status ledger_ro_delegators(ledger_ro *r, const uint8_t rep[32], const uint8_t *start,
                                   smn_amount_t threshold, size_t scan,
                                   ledger_ro_account_amount *out, size_t max, size_t *n,
                                   uint8_t next[32], bool *more);
/* Destinations of receivables that have no block yet, with the sum of what
 * they can receive (>= threshold), at most max. A row looked at is one
 * destination (its receivable_totals row), not one receivable. */
ledger_status ledger_ro_unopened(ledger_ro *r, const uint8_t *start, smn_amount_t threshold,
                                 size_t scan, ledger_ro_account_amount *out, size_t max, size_t *n,
                                 uint8_t next[32], bool *more);

#endif
