/* Token bucket for outbound gossip bandwidth: `rate` bytes per second
 * refill a bucket of at most `burst` bytes; a message goes only if the
 * bucket holds its size, otherwise it is dropped (gossip is redundant, so
 * dropping beats queueing). Pure: the caller passes the time in ms. */
#ifndef NET_LIMITER_H
#define NET_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t rate;  /* bytes per second; 0 = unlimited */
    uint64_t burst; /* bucket size in bytes */
    uint64_t milli; /* tokens, in thousandths of a byte */
    uint64_t last_ms;
} net_limiter;

/* The bucket starts full. A burst below 1 is raised to 1. */
void net_limiter_init(net_limiter *l, uint64_t rate, uint64_t burst, uint64_t now_ms);
/* True (and the bytes are spent) when the bucket holds `bytes` at now_ms.
 * Time going backwards refills nothing. Messages larger than the burst
 * never pass (unless the rate is 0). */
bool net_limiter_take(net_limiter *l, uint64_t bytes, uint64_t now_ms);

#endif
