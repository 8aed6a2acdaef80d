#include "procs/net/service_flood.h"

void net_flood_gate_init(net_flood_gate *g, net_gate_limits l, uint64_t now_ms)
{
    net_limiter_init(&g->pass, l.rate, l.burst, now_ms);
    net_limiter_init(&g->excess, l.excess_rate, l.excess_burst, now_ms);
}

void net_flood_gate_no_burst(net_flood_gate *g)
{
    g->pass.milli = 0;
}

net_gate_verdict net_flood_gate_check(net_flood_gate *g, uint64_t cost, uint64_t now_ms)
{
    if (cost == 0)
        cost = 1;
    if (net_limiter_take(&g->pass, cost, now_ms))
        return NET_GATE_PASS;
    if (net_limiter_take(&g->excess, cost, now_ms))
        return NET_GATE_THROTTLE;
    return NET_GATE_FLOOD;
}
