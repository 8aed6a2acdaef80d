/* A per-peer gate for one kind of inbound message: `rate` per second
 * (burst `burst`) pass; beyond that messages are dropped, and their cost
 * drains a second bucket (`excess_rate`, `excess_burst`); a peer that
 * empties that one too floods far beyond the limit for long, which no
 * honest node does (NET_GATE_FLOOD: treat it as misbehaviour). Pure: the
 * caller passes the time. Costs are in the gate's unit (messages, pairs). */
#ifndef NET_SERVICE_FLOOD_H
#define NET_SERVICE_FLOOD_H

#include <stdint.h>

#include "procs/net/limiter.h"

typedef struct {
    net_limiter pass;
    net_limiter excess;
} net_flood_gate;

typedef enum {
    NET_GATE_PASS = 0, /* within the limit: handle it */
    NET_GATE_THROTTLE, /* over it: drop it */
    NET_GATE_FLOOD,    /* far over it for long: drop it, and the peer misbehaves */
} net_gate_verdict;

typedef struct {
    uint32_t rate, burst, excess_rate, excess_burst;
} net_gate_limits;

/* Per peer and second (ready channels; docs/protocol.md "Limits"). An
 * honest node stays far below each: it publishes and relays each block and
 * vote once, asks frontiers and pulls one at a time, telemetry once a
 * minute, keepalive every 2 s (dev) or 15 s. */
#define NET_GATE_PUBLISH ((net_gate_limits){20000, 40000, 20000, 200000})
#define NET_GATE_CONFIRM_ACK ((net_gate_limits){20000, 40000, 20000, 200000})
#define NET_GATE_FRONTIER_REQ ((net_gate_limits){10, 20, 10, 100})
#define NET_GATE_BULK_PULL ((net_gate_limits){8000, 16000, 8000, 80000})
#define NET_GATE_TELEMETRY_REQ ((net_gate_limits){5, 10, 5, 50})
#define NET_GATE_KEEPALIVE ((net_gate_limits){10, 20, 10, 100})

void net_flood_gate_init(net_flood_gate *g, net_gate_limits l, uint64_t now_ms);
/* Empty the pass bucket (the excess allowance stays): from now on only the
 * steady rate passes, no burst. For the channels of an address that flooded
 * before and could not be banned (loopback): reconnecting then buys it no
 * fresh burst. */
void net_flood_gate_no_burst(net_flood_gate *g);
net_gate_verdict net_flood_gate_check(net_flood_gate *g, uint64_t cost, uint64_t now_ms);

#endif
