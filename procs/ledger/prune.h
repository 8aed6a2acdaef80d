/* Pruning: keep the last N cemented blocks of each account. */
#ifndef LEDGER_PRUNE_H
#define LEDGER_PRUNE_H

#include <stddef.h>
#include <stdint.h>

#include "procs/ledger/store.h"

typedef struct {
    size_t accounts; /* accounts pruned */
    uint64_t blocks; /* blocks removed */
} ledger_prune_stats;

/* Heights one call prunes at most, over all its accounts (one call is one
 * transaction on the ledger's loop: it must stay short). */
#define LEDGER_PRUNE_BLOCKS_PER_PASS 16384u

/* With max_blocks_per_account = keep (>= 1), removes the blocks of up to
 * max_accounts accounts that lie below the last `keep` cemented ones, in one
 * transaction. Unconfirmed blocks, frontiers, balances and receivables are
 * never touched; hashes of removed blocks and each account's watermark are
 * recorded so later validation answers OLD / PRUNED for them. Call again
 * until stats->accounts is 0 to sweep everything (at most
 * LEDGER_PRUNE_BLOCKS_PER_PASS heights per call). keep == 0 means pruning is
 * off: OK, nothing done. */
ledger_status ledger_prune(ledger_store *s, uint64_t keep, size_t max_accounts,
                           ledger_prune_stats *stats);

#endif
