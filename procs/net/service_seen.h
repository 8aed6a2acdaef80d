/* A bounded set of recently seen 32-byte hashes (blocks, votes), so the net
 * process relays each item once and never loops it between peers. When full,
 * the oldest insertion is forgotten first (FIFO). Pure: no clock, no
 * randomness; lookups are O(1) on average (open addressing, linear probing,
 * backward-shift deletion, at most half full). */
#ifndef NET_SERVICE_SEEN_H
#define NET_SERVICE_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct net_seen net_seen;

/* capacity: how many hashes are remembered (>= 1). NULL on 0 or OOM. */
net_seen *net_seen_new(size_t capacity);
void net_seen_free(net_seen *s);

/* True when h was not in the set (it is now); false when it already was
 * (its age is not refreshed: a flood of one item cannot keep it forever). */
bool net_seen_add(net_seen *s, const uint8_t h[32]);
bool net_seen_contains(const net_seen *s, const uint8_t h[32]);
/* Forget h (e.g. the ledger was busy, so a later copy must get through);
 * false when it was not there. */
bool net_seen_remove(net_seen *s, const uint8_t h[32]);
size_t net_seen_count(const net_seen *s);

#endif
