#include "supervisor/restart_policy.h"

#include <errno.h>
#include <stdlib.h>

int sup_history_init(sup_history *h, const sup_policy *p)
{
    h->cap = (size_t)p->max_restarts + 1;
    h->n = h->head = 0;
    h->times = calloc(h->cap, sizeof *h->times);
    return h->times ? 0 : -ENOMEM;
}

void sup_history_free(sup_history *h)
{
    free(h->times);
    h->times = NULL;
    h->cap = h->n = h->head = 0;
}

/* i-th most recent (0 = newest). */
static uint64_t nth_recent(const sup_history *h, size_t i)
{
    return h->times[(h->head + h->cap - 1 - i) % h->cap];
}

uint32_t sup_history_recent(const sup_history *h, const sup_policy *p, uint64_t now_ms)
{
    uint32_t k = 0;
    while (k < h->n && now_ms - nth_recent(h, k) < p->window_ms)
        k++;
    return k;
}

bool sup_history_record(sup_history *h, const sup_policy *p, uint64_t now_ms, uint32_t *recent,
                        uint64_t *span_ms)
{
    h->times[h->head] = now_ms;
    h->head = (h->head + 1) % h->cap;
    if (h->n < h->cap)
        h->n++;
    uint32_t k = sup_history_recent(h, p, now_ms);
    if (recent)
        *recent = k;
    if (span_ms)
        *span_ms = k ? now_ms - nth_recent(h, k - 1) : 0;
    return k > p->max_restarts;
}

uint32_t sup_backoff_ms(const sup_history *h, const sup_policy *p, uint64_t now_ms)
{
    uint32_t k = sup_history_recent(h, p, now_ms);
    if (p->base_ms == 0)
        return 0;
    uint64_t d = p->base_ms;
    for (uint32_t i = 1; i < k && d < p->max_ms; i++)
        d *= 2;
    return d > p->max_ms ? p->max_ms : (uint32_t)d;
}
