/* Per-child restart policy: streak of quick crashes, capped exponential
 * backoff, the "failing" verdict. No clock here: callers pass the times. */
#include "supervisor/restart_policy.h"

uint32_t sup_history_record(sup_history *h, const sup_policy *p, uint64_t now_ms,
                            uint64_t uptime_ms)
{
    if (h->streak == 0 || uptime_ms >= p->window_ms) {
        h->streak = 1;
        h->first_ms = now_ms;
    } else if (h->streak < UINT32_MAX) {
        h->streak++;
    }
    return h->streak;
}

bool sup_history_failing(const sup_history *h, const sup_policy *p)
{
    return h->streak > p->max_restarts;
}

void sup_history_reset(sup_history *h)
{
    h->streak = 0;
    h->first_ms = 0;
}

uint32_t sup_backoff_ms(const sup_history *h, const sup_policy *p)
{
    if (p->base_ms == 0)
        return 0;
    uint64_t d = p->base_ms;
    for (uint32_t i = 1; i < h->streak && d < p->max_ms; i++)
        d *= 2;
    return d > p->max_ms ? p->max_ms : (uint32_t)d;
}
