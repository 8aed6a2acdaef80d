/* The pruning pass: candidates from the store, one watermark per account. */
#include "procs/ledger/prune.h"

#include <stdlib.h>
#include <string.h>

ledger_status ledger_prune(ledger_store *s, uint64_t keep, size_t max_accounts,
                           ledger_prune_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->wrapped = true;
    if (keep == 0 || max_accounts == 0)
        return LEDGER_STATUS_OK;
    stats->wrapped = false;
    ledger_store_end_held(s);
    if (ledger_store_in_transaction(s))
        return LEDGER_STATUS_INVALID;
    ledger_prune_candidate *c = malloc(max_accounts * sizeof *c);
    if (!c)
        return LEDGER_STATUS_NOMEM;
    size_t n = 0;
    bool wrapped = false;
    ledger_status r = ledger_store_begin(s);
    if (r == LEDGER_STATUS_OK)
        r = ledger_store_prune_candidates(s, keep, LEDGER_PRUNE_SCAN_PER_PASS, c, max_accounts, &n,
                                          &wrapped);
    /* An account's first pruning can cover millions of blocks: one pass
     * removes at most LEDGER_PRUNE_BLOCKS_PER_PASS, and whatever it leaves
     * keeps its account a candidate for the next pass. */
    uint64_t budget = LEDGER_PRUNE_BLOCKS_PER_PASS;
    size_t i = 0;
    for (; i < n && budget > 0 && r == LEDGER_STATUS_OK; i++) {
        uint64_t removed, up_to = c[i].conf_height - keep;
        bool partial = up_to - c[i].pruned_height > budget;
        if (partial)
            up_to = c[i].pruned_height + budget;
        r = ledger_store_prune_account(s, c[i].account, up_to, &removed);
        budget -= up_to - c[i].pruned_height;
        if (r == LEDGER_STATUS_OK && removed) {
            stats->accounts++;
            stats->blocks += removed;
        }
        if (partial)
            break; /* c[i] is not finished */
    }
    /* The budget stopped the pass at c[i]: the next one starts there (the
     * store's cursor already stands past the last candidate). */
    if (r == LEDGER_STATUS_OK && i < n) {
        ledger_store_prune_resume(s, c[i].account);
        wrapped = false;
    }
    stats->wrapped = wrapped;
    if (r == LEDGER_STATUS_OK)
        r = ledger_store_commit(s);
    else if (ledger_store_in_transaction(s))
        ledger_store_rollback(s);
    if (r != LEDGER_STATUS_OK)
        memset(stats, 0, sizeof *stats);
    free(c);
    return r;
}
