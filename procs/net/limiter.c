#include "procs/net/limiter.h"

void net_limiter_init(net_limiter *l, uint64_t rate, uint64_t burst, uint64_t now_ms)
{
    if (burst == 0)
        burst = 1;
    /* Keep burst * 1000 representable. */
    if (burst > UINT64_MAX / 1000)
        burst = UINT64_MAX / 1000;
    l->rate = rate;
    l->burst = burst;
    l->milli = burst * 1000;
    l->last_ms = now_ms;
}

bool net_limiter_take(net_limiter *l, uint64_t bytes, uint64_t now_ms)
{
    if (l->rate == 0)
        return true;
    if (now_ms > l->last_ms) {
        uint64_t cap = l->burst * 1000;
        uint64_t dt = now_ms - l->last_ms;
        /* Past a full refill the exact elapsed time does not matter; the
         * clamp also keeps dt * rate from overflowing. */
        uint64_t full = (cap - l->milli) / l->rate + 1;
        uint64_t add = dt >= full ? cap : dt * l->rate;
        l->milli = cap - l->milli <= add ? cap : l->milli + add;
        l->last_ms = now_ms;
    }
    if (bytes > l->burst || bytes * 1000 > l->milli)
        return false;
    l->milli -= bytes * 1000;
    return true;
}
