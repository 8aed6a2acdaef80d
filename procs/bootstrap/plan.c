/* The bootstrap process's decisions (what to pull), without sockets; see
 * plan.h. */
#include "procs/bootstrap/plan.h"

#include <string.h>

void bootstrap_cursor_after(const uint8_t account[32], uint8_t out[32], bool *wrapped)
{
    memcpy(out, account, 32);
    for (size_t i = 32; i-- > 0;)
        if (++out[i] != 0) {
            *wrapped = false;
            return;
        }
    *wrapped = true; /* the last possible account: the round is over */
}

ledger_status bootstrap_plan_frontiers(ledger_ro *ro, const bootstrap_frontier *entries, size_t n,
                                       bool full, bootstrap_job *jobs, size_t *njobs,
                                       uint8_t next_cursor[32], bool *round_end)
{
    *njobs = 0;
    for (size_t i = 0; i < n; i++) {
        ledger_block_record rec;
        ledger_status st = ledger_ro_block(ro, entries[i].hash, &rec);
        if (st == LEDGER_STATUS_OK)
            continue; /* we have the peer's frontier (or are ahead of it) */
        if (st != LEDGER_STATUS_NOT_FOUND)
            return st;
        bootstrap_job *j = &jobs[(*njobs)++];
        memset(j, 0, sizeof *j);
        memcpy(j->start, entries[i].account, 32);
        ledger_account_info ai;
        st = ledger_ro_account_info(ro, entries[i].account, &ai);
        if (st == LEDGER_STATUS_OK)
            memcpy(j->end, ai.frontier, 32);
        else if (st != LEDGER_STATUS_NOT_FOUND)
            return st;
    }
    bool wrapped = true;
    if (n > 0 && full)
        bootstrap_cursor_after(entries[n - 1].account, next_cursor, &wrapped);
    *round_end = wrapped;
    if (wrapped)
        memset(next_cursor, 0, 32);
    return LEDGER_STATUS_OK;
}

bool bootstrap_plan_older(ledger_ro *ro, const smn_block *oldest, const bootstrap_job *cur,
                          bootstrap_job *older)
{
    if (smn_block_is_open(oldest) || memcmp(oldest->previous, cur->end, 32) == 0 ||
        cur->depth >= BOOTSTRAP_MAX_DEPTH)
        return false;
    ledger_block_record rec;
    if (ledger_ro_block(ro, oldest->previous, &rec) == LEDGER_STATUS_OK)
        return false; /* the chain reaches ours */
    *older = *cur;
    memcpy(older->start, oldest->previous, 32);
    older->retries = 0;
    older->depth++;
    return true;
}
