/* Votes from net.sock for the vote topic; see votefeed.h. */
#include "procs/ws/votefeed.h"

#include <stdlib.h>

#include "common/log.h"
#include "ipc/builder.h"
#include "ipc/endpoint.h"
#include "ipc/msg.h"
#include "ipc/schema_net.h"

#define SUBSCRIBE_TIMEOUT_MS 10000

struct ws_votefeed {
    ipc_endpoint *ep;
    ws_vote_fn fn;
    void *user;
};

static void on_subscribed(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)reply;
    (void)ud;
    if (st == IPC_OK)
        return;
    smn_warn("vote subscription on net.sock failed: %s", ipc_strerror(st));
    if (c)
        ipc_conn_close(c); /* reconnects, and subscribes again */
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    if (!up)
        return;
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_SUBSCRIBE_VOTES));
    ipc_status st = ipc_request(c, &b, SUBSCRIBE_TIMEOUT_MS, on_subscribed, ud);
    if (st != IPC_OK) {
        smn_warn("cannot subscribe to votes: %s", ipc_strerror(st));
        ipc_conn_close(c);
    }
}

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    ws_votefeed *f = ud;
    if (m->id) {
        ipc_reply_error(c, m, "ws serves no net requests");
        return;
    }
    if (ipc_net_kind_of(m) != IPC_NET_K_VOTE)
        return; /* vote_request: elections' business */
    const uint8_t *p;
    size_t n;
    smn_vote v;
    if (!ipc_get_bin(m->body, "vote", &p, &n) || smn_vote_decode(p, n, &v) != SMN_VOTE_OK)
        return; /* net checked it; the schema bounds its length */
    f->fn(f->user, &v);
}

ws_votefeed *ws_votefeed_new(ipc_child *ch, ws_vote_fn fn, void *user)
{
    ws_votefeed *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->fn = fn;
    f->user = user;
    ipc_endpoint_opts eo = {.family = &ipc_family_net,
                            .on_message = on_message,
                            .on_state = on_state,
                            .ud = f,
                            .name = "net",
                            .reconnect_max_ms = 1000};
    f->ep = ipc_child_connect(ch, "net", &eo);
    if (!f->ep) {
        free(f);
        return NULL;
    }
    return f;
}

void ws_votefeed_free(ws_votefeed *f)
{
    if (!f)
        return;
    ipc_endpoint_free(f->ep);
    free(f);
}
