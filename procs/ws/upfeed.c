/* Feed events from elections, net, bootstrap and rpc; see upfeed.h. */
#include "procs/ws/upfeed.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "ipc/builder.h"
#include "ipc/endpoint.h"
#include "ipc/schema_feed.h"

#define SUBSCRIBE_TIMEOUT_MS 10000

struct ws_upfeed {
    ipc_endpoint *ep;
    ws_upfeed_fn fn;
    void *user;
    char peer[32];
};

static void on_subscribed(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)reply;
    ws_upfeed *f = ud;
    if (st == IPC_OK) {
        smn_debug("subscribed to %s's feed", f->peer);
        return;
    }
    smn_warn("feed subscription on %s.sock failed: %s", f->peer, ipc_strerror(st));
    if (c)
        ipc_conn_close(c); /* reconnects, and subscribes again */
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    ws_upfeed *f = ud;
    if (!up)
        return;
    ipc_builder b;
    ipc_build_begin(&b, ipc_feed_kind_name(IPC_FEED_K_SUBSCRIBE));
    ipc_status st = ipc_request(c, &b, SUBSCRIBE_TIMEOUT_MS, on_subscribed, f);
    if (st != IPC_OK) {
        smn_warn("cannot subscribe to %s's feed: %s", f->peer, ipc_strerror(st));
        ipc_conn_close(c);
    }
}

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    ws_upfeed *f = ud;
    if (m->id) {
        ipc_reply_error(c, m, "ws serves no requests on a feed");
        return;
    }
    ipc_feed_kind k = ipc_feed_kind_of(m);
    if (k == IPC_FEED_K_OTHER || k == IPC_FEED_K_SUBSCRIBE)
        return;
    f->fn(f->user, m);
}

ws_upfeed *ws_upfeed_new(ipc_child *ch, const char *peer, ws_upfeed_fn fn, void *user)
{
    ws_upfeed *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->fn = fn;
    f->user = user;
    snprintf(f->peer, sizeof f->peer, "%s", peer);
    ipc_endpoint_opts eo = {.family = &ipc_family_feed,
                            .on_message = on_message,
                            .on_state = on_state,
                            .ud = f,
                            .name = f->peer,
                            .reconnect_max_ms = 1000};
    f->ep = ipc_child_connect(ch, peer, &eo);
    if (!f->ep) {
        free(f);
        return NULL;
    }
    return f;
}

void ws_upfeed_free(ws_upfeed *f)
{
    if (!f)
        return;
    ipc_endpoint_free(f->ep);
    free(f);
}
