/* Pruning: keep the last N cemented blocks of each account. */
#ifndef LEDGER_PRUNE_H
#define LEDGER_PRUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/ledger/store.h"

typedef struct {
    size_t accounts; /* accounts pruned */
    uint64_t blocks; /* blocks removed */
    bool wrapped;    /* the scan passed the last account: a round is complete */
} ledger_prune_stats;

/* Heights one call prunes at most, over all its accounts (one call is one
 * transaction on the ledger's loop: it must stay short). */
#define LEDGER_PRUNE_BLOCKS_PER_PASS 16384u
/* Accounts one call looks at, candidates or not (the scan keeps its place
 * between calls: ledger_store_prune_candidates). */
#define LEDGER_PRUNE_SCAN_PER_PASS 4096u

/* With max_blocks_per_account = keep (>= 1), removes the blocks of up to
 * max_accounts accounts that lie below the last `keep` cemented ones, in one
 * transaction. Unconfirmed blocks, frontiers, balances and receivables are
 * never touched; hashes of removed blocks and each account's watermark are
 * recorded so later validation answers OLD / PRUNED for them. Each call
 * goes on where the last one stopped (at most LEDGER_PRUNE_SCAN_PER_PASS
 * accounts looked at and LEDGER_PRUNE_BLOCKS_PER_PASS heights removed per
 * call); call again until a call with stats->wrapped set and
 * stats->accounts 0 to sweep everything. keep == 0 means pruning is off:
 * OK, nothing done (stats->wrapped set). */
ledger_status ledger_prune(ledger_store *s, uint64_t keep, size_t max_accounts,
                           ledger_prune_stats *stats);

#endif
