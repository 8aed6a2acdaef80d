#include "procs/elections/net_link.h"

#include <stdint.h>

#include "common/log.h"
#include "ipc/schema_net.h"

static struct {
    ipc_endpoint *ep;
    elections_service *svc;
    uint64_t in, out, dropped;
} net_link_state;

static void on_vote(const ipc_msg *m)
{
    const uint8_t *wire;
    size_t len;
    elections_vote v;
    if (!net_link_state.svc || !ipc_get_bin(m->body, "vote", &wire, &len))
        return;
    elections_vote_status st = elections_vote_decode(wire, len, &v);
    if (st != ELECTIONS_VOTE_OK) {
        /* net verified it; a mismatch means the two builds disagree */
        smn_warn("net sent a vote that does not decode: %s", elections_vote_strerror(st));
        return;
    }
    net_link_state.in++;
    elections_vote_outcome o = elections_service_vote(net_link_state.svc, &v);
    smn_debug("vote from the network: %s", elections_vote_outcome_str(o));
}

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    (void)ud;
    if (m->id) {
        ipc_reply_error(c, m, "elections serves no net requests");
        return;
    }
    if (ipc_msg_is(m, "vote"))
        on_vote(m);
}

static void on_subscribed(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)ud;
    if (st != IPC_OK || !ipc_msg_is(reply, "ok")) {
        smn_warn("vote subscription failed: %s", ipc_status_str(st));
        if (c)
            ipc_conn_close(c); /* reconnects, and subscribes again */
        return;
    }
    smn_debug("subscribed to votes from the network");
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    if (!up)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "subscribe_votes");
    ipc_status st = ipc_request(c, &b, 10000, on_subscribed, ud);
    if (st != IPC_OK)
        smn_warn("cannot subscribe to votes: %s", ipc_status_str(st));
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

void elections_net_link_vote(void *ctx, const elections_vote *v)
{
    (void)ctx;
    uint8_t wire[ELECTIONS_VOTE_MAX_BYTES];
    size_t len = elections_vote_encode(v, wire, sizeof wire);
    ipc_conn *c = net_link_state.ep ? ipc_endpoint_conn(net_link_state.ep) : NULL;
    if (!len || !c) {
        net_link_state.dropped++;
        return;
    }
    ipc_builder b;
    ipc_build_begin(&b, "broadcast_vote");
    ipc_put_bin(&b, "vote", wire, len);
    if (ipc_notify(c, &b) == IPC_OK)
        net_link_state.out++;
    else
        net_link_state.dropped++;
}
