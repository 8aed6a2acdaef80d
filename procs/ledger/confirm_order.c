/* The confirms' serving order; see confirm_order.h. */
#include "procs/ledger/confirm_order.h"

/* Appends the eligible confirms of one class and one stage. */
static size_t add_group(const ledger_confirm_rank *t, size_t n, bool backlog, bool started,
                        size_t *order, size_t k, size_t max)
{
    for (size_t i = 0; i < n && k < max; i++)
        if (t[i].eligible && t[i].backlog == backlog && t[i].started == started)
            order[k++] = i;
    return k;
}

size_t ledger_confirm_order(ledger_confirm_order_state *st, const ledger_confirm_rank *t, size_t n,
                            size_t *order, size_t max)
{
    bool fresh = false, backlog = false;
    for (size_t i = 0; i < n; i++) {
        if (!t[i].eligible)
            continue;
        if (t[i].backlog)
            backlog = true;
        else
            fresh = true;
    }
    bool backlog_first = false;
    if (fresh && backlog) {
        backlog_first = st->fresh_run >= LEDGER_CONFIRM_FRESH_RUN_MAX;
        st->fresh_run = backlog_first ? 0 : st->fresh_run + 1;
    } else {
        st->fresh_run = 0; /* nothing waits behind the other class */
    }
    size_t k = 0;
    for (int g = 0; g < 2; g++) {
        bool b = (g == 0) == backlog_first;
        k = add_group(t, n, b, false, order, k, max);
        k = add_group(t, n, b, true, order, k, max);
    }
    return k;
}
