/* The peer table: endpoints we know of, bounded, one entry per endpoint,
 * each with the logical time it was last seen, plus a bounded ban list of
 * addresses with an expiry. Time is whatever monotonic counter the caller
 * passes in (seconds, ticks): nothing here reads a clock or draws random
 * numbers, so every result is a function of the calls made. */
#ifndef NET_PEERS_H
#define NET_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/net/endpoint.h"

typedef struct net_peers net_peers;

typedef enum {
    NET_PEERS_ADDED = 0,
    NET_PEERS_UPDATED,  /* already known: last-seen moved forward */
    NET_PEERS_FULL,     /* table at capacity: not added (expire stale peers first) */
    NET_PEERS_BANNED,   /* the address is banned at this time */
    NET_PEERS_UNUSABLE, /* net_endpoint_is_usable() says no */
} net_peers_result;

/* NULL when a capacity is 0 or on allocation failure. */
net_peers *net_peers_new(size_t capacity, size_t ban_capacity);
void net_peers_free(net_peers *p);

/* Add ep or refresh its last-seen to max(old, now). */
net_peers_result net_peers_touch(net_peers *p, const net_endpoint *ep, uint64_t now);
bool net_peers_remove(net_peers *p, const net_endpoint *ep);
/* Last-seen of ep; false when unknown. */
bool net_peers_last_seen(const net_peers *p, const net_endpoint *ep, uint64_t *out);
/* Drop every peer last seen before cutoff; returns how many. */
size_t net_peers_expire(net_peers *p, uint64_t cutoff);
size_t net_peers_count(const net_peers *p);
size_t net_peers_capacity(const net_peers *p);
/* Up to max peers in endpoint order; returns how many were written. */
size_t net_peers_list(const net_peers *p, net_endpoint *out, size_t max);

/* Up to max peers for a keepalive fan-out or a push: those with the smallest
 * Blake2b-64(salt u64 BE || endpoint wire form), ties by endpoint order.
 * The same table and salt give the same answer; a new salt (e.g. the round
 * number) rotates the choice through the table. */
size_t net_peers_select(const net_peers *p, uint64_t salt, net_endpoint *out, size_t max);

/* Ban an address (every port) until logical time `until` (exclusive), and
 * drop its peers. Re-banning extends to the later expiry. When the ban list
 * is full, expired bans are forgotten first, then the ban ending soonest
 * gives way if it ends before `until`. */
void net_peers_ban(net_peers *p, const uint8_t addr[16], uint64_t until, uint64_t now);
bool net_peers_is_banned(const net_peers *p, const uint8_t addr[16], uint64_t now);
/* Bans still in force at now. */
size_t net_peers_ban_count(const net_peers *p, uint64_t now);

#endif
