/* The representative-slot probe (service_probe.h). */
#include "procs/net/service_probe.h"

#include <string.h>

void net_probe_start(net_probe *p, uint64_t now_ms)
{
    *p = (net_probe){
        .pending = true, .deadline_ms = now_ms + NET_PROBE_TIMEOUT_MS, .next_send_ms = now_ms};
}

net_probe_step net_probe_step_at(net_probe *p, uint64_t now_ms)
{
    if (!p->pending)
        return NET_PROBE_WAIT;
    if (now_ms >= p->deadline_ms) {
        p->pending = false;
        return NET_PROBE_EXPIRED;
    }
    if (now_ms < p->next_send_ms)
        return NET_PROBE_WAIT;
    p->next_send_ms = now_ms + NET_PROBE_RESEND_MS;
    return NET_PROBE_SEND;
}

bool net_probe_vote(net_probe *p, const net_reps *reps, const uint8_t genesis[32],
                    const smn_vote *v)
{
    if (!p->pending || !net_reps_contains(reps, v->account))
        return false;
    for (uint8_t i = 0; i < v->count && i < SMN_VOTE_MAX_HASHES; i++)
        if (memcmp(v->hashes[i], genesis, 32) == 0) {
            p->pending = false;
            p->proven = true;
            return true;
        }
    return false;
}
