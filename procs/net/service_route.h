/* Where net.sock's dispatcher (service_ipc.c) sends a message: a pure
 * function of its kind and whether it is a request, so the routing is
 * unit-tested without a running service (tests/net/test_service_route.c).
 * The handlers themselves are in service_votes.c and service_frontier.c. */
#ifndef NET_SERVICE_ROUTE_H
#define NET_SERVICE_ROUTE_H

#include "ipc/msg.h"

typedef enum {
    /* one-way notifications from elections, handled with or without an id */
    NET_ROUTE_BROADCAST_VOTE,
    NET_ROUTE_REQUEST_VOTES,
    NET_ROUTE_SEND_VOTE,
    NET_ROUTE_REPS,
    /* requests (an id): the handler replies */
    NET_ROUTE_SUBSCRIBE_VOTES, /* elections */
    NET_ROUTE_PEERS,           /* rpc, smallnano-cli */
    NET_ROUTE_FRONTIERS,       /* bootstrap */
    NET_ROUTE_PULL,            /* bootstrap */
    NET_ROUTE_CONNECT,         /* rpc (keepalive), service_rpc.c */
    NET_ROUTE_PUBLISH,         /* rpc (republish), service_rpc.c */
    NET_ROUTE_PEER_TELEMETRY,  /* rpc (telemetry of peers), service_rpc.c */
    NET_ROUTE_PULL_CHAIN,      /* rpc (bootstrap_lazy), service_rpc.c */
    /* neither */
    NET_ROUTE_REFUSE, /* a request net does not serve: an "error" reply */
    NET_ROUTE_IGNORE, /* a notification that means nothing here (a stray "vote") */
} net_route;

/* m decoded against ipc_family_net (an endpoint of that family). */
net_route net_service_route(const ipc_msg *m);
const char *net_route_name(net_route r);

#endif
