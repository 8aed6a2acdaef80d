/* net.sock's routing rule (service_route.h). */
#include "procs/net/service_route.h"

#include "ipc/schema_net.h"

net_route net_service_route(const ipc_msg *m)
{
    ipc_net_kind k = ipc_net_kind_of(m);
    switch (k) {
    case IPC_NET_K_BROADCAST_VOTE:
        return NET_ROUTE_BROADCAST_VOTE;
    case IPC_NET_K_REQUEST_VOTES:
        return NET_ROUTE_REQUEST_VOTES;
    case IPC_NET_K_SEND_VOTE:
        return NET_ROUTE_SEND_VOTE;
    case IPC_NET_K_REPS:
        return NET_ROUTE_REPS;
    default:
        break;
    }
    if (!m || !m->id)
        return NET_ROUTE_IGNORE;
    switch (k) {
    case IPC_NET_K_SUBSCRIBE_VOTES:
        return NET_ROUTE_SUBSCRIBE_VOTES;
    case IPC_NET_K_PEERS:
        return NET_ROUTE_PEERS;
    case IPC_NET_K_FRONTIERS:
        return NET_ROUTE_FRONTIERS;
    case IPC_NET_K_PULL:
        return NET_ROUTE_PULL;
    case IPC_NET_K_CONNECT:
        return NET_ROUTE_CONNECT;
    case IPC_NET_K_PUBLISH:
        return NET_ROUTE_PUBLISH;
    case IPC_NET_K_PEER_TELEMETRY:
        return NET_ROUTE_PEER_TELEMETRY;
    case IPC_NET_K_PULL_CHAIN:
        return NET_ROUTE_PULL_CHAIN;
    default:
        return NET_ROUTE_REFUSE;
    }
}

const char *net_route_name(net_route r)
{
    static const char *const names[] = {
        [NET_ROUTE_BROADCAST_VOTE] = "broadcast_vote",
        [NET_ROUTE_REQUEST_VOTES] = "request_votes",
        [NET_ROUTE_SEND_VOTE] = "send_vote",
        [NET_ROUTE_REPS] = "reps",
        [NET_ROUTE_SUBSCRIBE_VOTES] = "subscribe_votes",
        [NET_ROUTE_PEERS] = "peers",
        [NET_ROUTE_FRONTIERS] = "frontiers",
        [NET_ROUTE_PULL] = "pull",
        [NET_ROUTE_CONNECT] = "connect",
        [NET_ROUTE_PUBLISH] = "publish",
        [NET_ROUTE_PEER_TELEMETRY] = "peer_telemetry",
        [NET_ROUTE_PULL_CHAIN] = "pull_chain",
        [NET_ROUTE_REFUSE] = "refuse",
        [NET_ROUTE_IGNORE] = "ignore",
    };
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}
