/* net.sock: the dispatcher of the requests and notifications the node's
 * other processes send to net (family ipc/schema_net.h), the `peers`
 * report, and the child runtime's message hooks. Which handler a message
 * goes to is net_service_route (service_route.c, unit-tested by
 * tests/net/test_service_route.c); the handlers are in service_votes.c
 * (votes, vote subscribers) and service_frontier.c (bootstrap's frontiers
 * and pull). Not the peer protocol (channel.c, message.c). */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "ipc/schema_net.h"
#include "procs/net/feed.h"
#include "procs/net/service_internal.h"
#include "procs/net/service_route.h"

static void peers(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    net_channel *list[IPC_NET_MAX_PEERS];
    size_t n = net_channels_list(s->chans, list, IPC_NET_MAX_PEERS);
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_PEERS_R));
    ipc_put_array_begin(&b, "peers");
    for (size_t i = 0; i < n; i++) {
        net_peer_info *info = net_channel_user(list[i]);
        char ep[NET_ENDPOINT_STR_BYTES];
        net_endpoint_format(net_channel_endpoint(list[i]), ep);
        ipc_put_map_begin(&b, NULL);
        ipc_put_str(&b, "endpoint", ep);
        ipc_put_bin(&b, "node_id", net_channel_node_id(list[i]), 32);
        ipc_put_bool(&b, "inbound", net_channel_is_inbound(list[i]));
        if (info && info->has_listen) {
            net_endpoint_format(&info->listen, ep);
            ipc_put_str(&b, "listen", ep);
        } else if (!net_channel_is_inbound(list[i])) {
            ipc_put_str(&b, "listen", ep);
        }
        if (info && info->has_block_count)
            ipc_put_uint(&b, "block_count", info->block_count);
        if (net_channel_is_reserved(list[i]))
            ipc_put_bool(&b, "reserved", true);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_put_uint(&b, "known", net_peers_count(s->peers));
    ipc_put_uint(&b, "banned", net_peers_ban_count(s->peers, net_now_s()));
    ipc_put_uint(&b, "port", s->listen_fd >= 0 ? s->port : 0);
    ipc_put_bin(&b, "node_id", s->key.pub, 32);
    ipc_put_uint(&b, "blocks_in", s->blocks_in);
    ipc_put_uint(&b, "blocks_out", s->blocks_out);
    ipc_put_uint(&b, "votes_in", s->votes_in);
    ipc_put_uint(&b, "votes_out", s->votes_out);
    ipc_put_uint(&b, "vote_reqs_out", s->vote_reqs_out);
    ipc_put_uint(&b, "vote_reqs_dropped", s->vote_reqs_dropped);
    ipc_put_uint(&b, "vote_reqs_in", s->vote_reqs_in);
    ipc_put_uint(&b, "vote_reqs_throttled", s->vote_reqs_throttled);
    ipc_put_uint(&b, "vote_answers_out", s->vote_answers_out);
    ipc_put_uint(&b, "vote_answers_dropped", s->vote_answers_dropped);
    ipc_put_uint(&b, "votes_redelivered", s->votes_redelivered);
    net_channels_stats cs;
    net_channels_get_stats(s->chans, &cs);
    ipc_put_uint(&b, "pending", cs.pending_in);
    ipc_put_uint(&b, "evicted", cs.evicted);
    ipc_put_uint(&b, "throttled", s->throttled);
    ipc_put_uint(&b, "reps", net_reps_count(&s->reps));
    ipc_put_uint(&b, "votes_unlisted", s->votes_unlisted);
    ipc_put_uint(&b, "votes_unverified", s->votes_unverified);
    ipc_put_uint(&b, "reserved", cs.ready_reserved);
    ipc_put_uint(&b, "reps_proven", s->reps_proven);
    ipc_put_uint(&b, "reps_unproven", s->reps_unproven);
    ipc_reply(c, m, &b);
}

void net_service_on_message(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    switch (net_service_route(m)) {
    case NET_ROUTE_BROADCAST_VOTE:
        net_votes_broadcast(s, m);
        break;
    case NET_ROUTE_REQUEST_VOTES:
        net_votes_request(s, m);
        break;
    case NET_ROUTE_SEND_VOTE:
        net_votes_send(s, m);
        break;
    case NET_ROUTE_REPS:
        net_reps_load(&s->reps, m->body);
        break;
    case NET_ROUTE_SUBSCRIBE_VOTES:
        net_votes_subscribe(s, c, m);
        break;
    case NET_ROUTE_PEERS:
        peers(s, c, m);
        break;
    case NET_ROUTE_FRONTIERS:
        net_boot_frontiers(s, c, m);
        break;
    case NET_ROUTE_PULL:
        net_boot_pull(s, c, m);
        break;
    case NET_ROUTE_CONNECT:
        net_rpc_connect(s, c, m);
        break;
    case NET_ROUTE_PUBLISH:
        net_rpc_publish(s, c, m);
        break;
    case NET_ROUTE_PEER_TELEMETRY:
        net_rpc_telemetry(s, c, m);
        break;
    case NET_ROUTE_PULL_CHAIN:
        net_rpc_pull_chain(s, c, m);
        break;
    case NET_ROUTE_REFUSE:
        ipc_reply_error(c, m, "net does not serve that request");
        break;
    case NET_ROUTE_IGNORE:
        break;
    }
}

void net_service_on_state(net_service *s, ipc_conn *c, bool up)
{
    if (!up) {
        net_votes_conn_down(s, c);
        net_boot_conn_down(s, c);
    }
}

void net_service_child_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    net_service **s = ud;
    if (net_feed_message(c, m))
        return;
    if (*s)
        net_service_on_message(*s, c, m);
    else if (m->id)
        ipc_reply_error(c, m, "net is starting");
}

void net_service_child_state(ipc_conn *c, bool up, void *ud)
{
    net_service **s = ud;
    net_feed_state(c, up);
    if (*s)
        net_service_on_state(*s, c, up);
}
