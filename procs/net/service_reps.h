/* The principal representatives, as the elections process last listed
 * them (net.sock `reps`, ipc/schema_net.h): the vote filter of
 * service_votes.c drops a peer's vote from any other account before
 * paying for its signature check, once the table is non-empty. An empty
 * table (elections not connected yet, or no ledger) filters nothing.
 * Pure: no sockets, no clock (unit-tested by tests/net/test_service_reps.c). */
#ifndef NET_SERVICE_REPS_H
#define NET_SERVICE_REPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/msg.h"
#include "ipc/schema_net.h"

typedef struct {
    uint8_t keys[IPC_NET_MAX_REPS][32]; /* sorted bytewise, no duplicates */
    size_t n;
} net_reps;

/* An empty table. */
void net_reps_init(net_reps *r);
/* Replace the table with these n accounts (duplicates kept once, beyond
 * IPC_NET_MAX_REPS ignored). Returns how many it holds. */
size_t net_reps_set(net_reps *r, const uint8_t (*accounts)[32], size_t n);
/* Replace the table from a decoded `reps` body ({reps: [{account}]}); a
 * body without the array leaves it unchanged. Returns how many it holds. */
size_t net_reps_load(net_reps *r, const ipc_obj *body);
/* True when account is listed (O(log n)). */
bool net_reps_contains(const net_reps *r, const uint8_t account[32]);
size_t net_reps_count(const net_reps *r);
/* A peer's vote from account passes the filter: the table is empty or lists it. */
bool net_reps_admits(const net_reps *r, const uint8_t account[32]);

#endif
