#include "procs/elections/net_link.h"

#include <stdint.h>
#include <string.h>

#include "common/log.h"
#include "ipc/schema_common.h"
#include "ipc/schema_net.h"

static struct {
    ipc_endpoint *ep;
    elections_service *svc;
    uint64_t in, out, dropped, requests_in, requests_out;
    /* the principal representatives net was last told (reps_sent: it has
     * them on this connection) */
    uint8_t reps[ELECTIONS_PRINCIPALS_MAX][32];
    size_t nreps;
    bool reps_sent;
} net_link_state;

static void on_vote(const ipc_msg *m)
{
    const uint8_t *wire;
    size_t len;
    smn_vote v;
    if (!net_link_state.svc || !ipc_get_bin(m->body, "vote", &wire, &len))
        return;
    smn_vote_status st = smn_vote_decode(wire, len, &v);
    if (st != SMN_VOTE_OK) {
        /* net verified it; a mismatch means the two builds disagree */
        smn_warn("net sent a vote that does not decode: %s", smn_vote_strerror(st));
        return;
    }
    net_link_state.in++;
    elections_vote_outcome o = elections_service_vote(net_link_state.svc, &v);
    smn_debug("vote from the network: %s", elections_vote_outcome_name(o));
}

/* A peer asked for votes: the schema bounds the pairs (1..12, bin 32). */
static void on_vote_request(const ipc_msg *m)
{
    const uint8_t *peer;
    size_t len;
    const ipc_obj *arr = ipc_get_array(m->body, "pairs");
    if (!net_link_state.svc || !arr || !ipc_get_bin(m->body, "peer", &peer, &len) || len != 32)
        return;
    elections_pair pairs[IPC_NET_MAX_VOTE_REQ];
    size_t n = 0;
    for (size_t i = 0; i < ipc_array_len(arr) && n < IPC_NET_MAX_VOTE_REQ; i++) {
        const ipc_obj *e = ipc_array_at(arr, i);
        const uint8_t *h, *r;
        size_t hl, rl;
        if (!ipc_get_bin(e, "hash", &h, &hl) || !ipc_get_bin(e, "root", &r, &rl) || hl != 32 ||
            rl != 32)
            continue;
        memcpy(pairs[n].hash, h, 32);
        memcpy(pairs[n].root, r, 32);
        n++;
    }
    net_link_state.requests_in++;
    if (n)
        elections_service_vote_request(net_link_state.svc, pairs, n, peer);
}

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    (void)ud;
    if (m->id) {
        ipc_reply_error(c, m, "elections serves no net requests");
        return;
    }
    switch (ipc_net_kind_of(m)) {
    case IPC_NET_K_VOTE:
        on_vote(m);
        break;
    case IPC_NET_K_VOTE_REQUEST:
        on_vote_request(m);
        break;
    default:
        break; /* nothing else is sent to a vote subscriber */
    }
}

static void on_subscribed(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)ud;
    if (st != IPC_OK || ipc_common_kind_of(reply) != IPC_COMMON_K_OK) {
        smn_warn("vote subscription failed: %s", ipc_strerror(st));
        if (c)
            ipc_conn_close(c); /* reconnects, and subscribes again */
        return;
    }
    smn_debug("subscribed to votes from the network");
    net_link_state.reps_sent = false; /* a new connection: tell net again */
    elections_net_link_reps();
    /* Votes that reached net while we were not subscribed are gone: ask. */
    if (net_link_state.svc)
        elections_service_votes_lost(net_link_state.svc);
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    if (!up)
        return;
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_SUBSCRIBE_VOTES));
    ipc_status st = ipc_request(c, &b, 10000, on_subscribed, ud);
    if (st != IPC_OK)
        smn_warn("cannot subscribe to votes: %s", ipc_strerror(st));
}

int elections_net_link_start(ipc_child *ch, elections_service *svc)
{
    if (net_link_state.ep)
        return 0;
    ipc_endpoint_opts eo = {
        .family = &ipc_family_net,
        .on_message = on_message,
        .on_state = on_state,
        .name = "net",
        .reconnect_max_ms = 1000,
    };
    net_link_state.svc = svc;
    net_link_state.ep = ipc_child_connect(ch, "net", &eo);
    if (!net_link_state.ep) {
        smn_error("cannot create the net endpoint");
        net_link_state.svc = NULL;
        return -1;
    }
    return 0;
}

void elections_net_link_stop(void)
{
    net_link_state.svc = NULL;
    ipc_endpoint_free(net_link_state.ep);
    net_link_state.ep = NULL;
}

/* broadcast_vote (peer NULL) or send_vote to one peer. */
static void send_vote_msg(const smn_vote *v, const uint8_t *peer)
{
    uint8_t wire[SMN_VOTE_MAX_BYTES];
    size_t len = smn_vote_encode(v, wire, sizeof wire);
    ipc_conn *c = net_link_state.ep ? ipc_endpoint_conn(net_link_state.ep) : NULL;
    if (!len || !c) {
        net_link_state.dropped++;
        return;
    }
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(peer ? IPC_NET_K_SEND_VOTE : IPC_NET_K_BROADCAST_VOTE));
    ipc_put_bin(&b, "vote", wire, len);
    if (peer)
        ipc_put_bin(&b, "peer", peer, 32);
    if (ipc_notify(c, &b) == IPC_OK)
        net_link_state.out++;
    else
        net_link_state.dropped++;
}

void elections_net_link_vote(void *ctx, const smn_vote *v)
{
    (void)ctx;
    send_vote_msg(v, NULL);
}

void elections_net_link_reply(void *ctx, const smn_vote *v, const uint8_t peer[32])
{
    (void)ctx;
    send_vote_msg(v, peer);
}

void elections_net_link_request(void *ctx, const elections_pair *pairs, size_t n)
{
    (void)ctx;
    ipc_conn *c = net_link_state.ep ? ipc_endpoint_conn(net_link_state.ep) : NULL;
    if (!c)
        return; /* the next request round asks again */
    for (size_t i = 0; i < n; i += IPC_NET_MAX_VOTE_REQ) {
        size_t k = n - i < IPC_NET_MAX_VOTE_REQ ? n - i : IPC_NET_MAX_VOTE_REQ;
        ipc_builder b;
        ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_REQUEST_VOTES));
        ipc_put_array_begin(&b, "pairs");
        for (size_t j = 0; j < k; j++) {
            ipc_put_map_begin(&b, NULL);
            ipc_put_bin(&b, "hash", pairs[i + j].hash, 32);
            ipc_put_bin(&b, "root", pairs[i + j].root, 32);
            ipc_put_map_end(&b);
        }
        ipc_put_array_end(&b);
        if (ipc_notify(c, &b) != IPC_OK)
            return;
        net_link_state.requests_out++;
    }
}

void elections_net_link_reps(void)
{
    ipc_conn *c = net_link_state.ep ? ipc_endpoint_conn(net_link_state.ep) : NULL;
    if (!net_link_state.svc || !c)
        return;
    uint8_t now[ELECTIONS_PRINCIPALS_MAX][32];
    size_t n = elections_service_principals(net_link_state.svc, now, ELECTIONS_PRINCIPALS_MAX);
    if (net_link_state.reps_sent && n == net_link_state.nreps &&
        memcmp(now, net_link_state.reps, n * 32) == 0)
        return;
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_REPS));
    ipc_put_array_begin(&b, "reps");
    for (size_t i = 0; i < n; i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_bin(&b, "account", now[i], 32);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    if (ipc_notify(c, &b) != IPC_OK)
        return; /* tried again on the next call */
    memcpy(net_link_state.reps, now, n * 32);
    net_link_state.nreps = n;
    net_link_state.reps_sent = true;
    smn_debug("told net of %zu principal representatives", n);
}
