/* Proving a peer in a reserved representative slot ([net] reserved_reps,
 * net_channel_is_reserved): net asks it for votes on the genesis block
 * (confirm_req), again every NET_PROBE_RESEND_MS (its elections process may
 * not have subscribed yet), and the peer keeps the slot only if, within
 * NET_PROBE_TIMEOUT_MS, it answers with a verified vote for genesis signed
 * by an account the reps table lists (service_reps.h); else net closes it.
 * Pure: no sockets, no clock (unit-tested by tests/net/test_service_probe.c). */
#ifndef NET_SERVICE_PROBE_H
#define NET_SERVICE_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/vote.h"
#include "procs/net/service_reps.h"

#define NET_PROBE_TIMEOUT_MS 5000u
#define NET_PROBE_RESEND_MS 1000u
/* an address whose peer failed the proof takes no reserved slot this long
 * (so one address holds reserved slots 5 s in 65, not all the time) */
#define NET_PROBE_LOCKOUT_S 60u

typedef struct {
    bool pending; /* asked, not proven yet */
    bool proven;
    uint64_t deadline_ms;
    uint64_t next_send_ms;
} net_probe;

typedef enum {
    NET_PROBE_WAIT = 0, /* nothing to do now (or not probing) */
    NET_PROBE_SEND,     /* send the confirm_req now */
    NET_PROBE_EXPIRED,  /* no proof in time: close the channel (reported once) */
} net_probe_step;

/* Start probing at now: the first net_probe_step() says SEND. */
void net_probe_start(net_probe *p, uint64_t now_ms);
/* What to do at now. */
net_probe_step net_probe_step_at(net_probe *p, uint64_t now_ms);
/* A verified vote v arrived on the probed channel: true (and proven from
 * now on) when it is for `genesis` and reps lists its account. An empty
 * table proves nobody. */
bool net_probe_vote(net_probe *p, const net_reps *reps, const uint8_t genesis[32],
                    const smn_vote *v);

#endif
