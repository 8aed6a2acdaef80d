/* See control_link.h. */
#include "procs/rpc/control_link.h"

#include <stdlib.h>

#include "common/log.h"
#include "ipc/ipc.h"

struct rpc_control_link {
    ipc_child *ch;           /* `stop` goes to the supervisor over our own channel */
    ipc_endpoint *bootstrap; /* run/bootstrap.sock */
    ipc_endpoint *elections; /* run/elections.sock */
};

rpc_control_link *rpc_control_link_new(ipc_child *ch)
{
    rpc_control_link *l = calloc(1, sizeof *l);
    if (!l) {
        smn_error("out of memory");
        return NULL;
    }
    l->ch = ch;
    ipc_endpoint_opts bo = {
        .family = &ipc_family_bootstrap, .name = "bootstrap", .reconnect_max_ms = 1000};
    l->bootstrap = ipc_child_connect(ch, "bootstrap", &bo);
    ipc_endpoint_opts eo = {
        .family = &ipc_family_elections, .name = "elections", .reconnect_max_ms = 1000};
    l->elections = ipc_child_connect(ch, "elections", &eo);
    if (!l->bootstrap || !l->elections) {
        smn_error("rpc: cannot connect to bootstrap.sock / elections.sock");
        rpc_control_link_free(l);
        return NULL;
    }
    return l;
}

void rpc_control_link_free(rpc_control_link *l)
{
    if (!l)
        return;
    ipc_endpoint_free(l->bootstrap);
    ipc_endpoint_free(l->elections);
    free(l);
}

static void unavailable(rpc_call *c, const char *who)
{
    char msg[96];
    snprintf(msg, sizeof msg, "%s unavailable", who);
    rpc_reply_status(c, 503, json_pack("{s:s}", "error", msg));
}

static void on_stopped(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    (void)reply;
    (void)ud;
    if (st != IPC_OK)
        smn_warn("rpc: stop: the supervisor did not confirm (%s)", ipc_strerror(st));
}

static void on_started(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    bool started;
    if (st != IPC_OK || !ipc_get_bool(reply->body, "started", &started)) {
        unavailable(c, "Bootstrap process");
        return;
    }
    rpc_reply(c, json_pack("{s:s,s:s}", "success", "", "started", started ? "1" : "0"));
}

static void on_elect(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    const char *s;
    size_t n;
    ipc_elect_status es;
    if (st != IPC_OK || !ipc_get_str(reply->body, "status", &s, &n) ||
        !ipc_elect_status_parse(s, n, &es)) {
        unavailable(c, "Elections process");
        return;
    }
    rpc_reply(c, json_pack("{s:s,s:s}", "started", "1", "status", ipc_elect_status_name(es)));
}

void rpc_control_link_op(void *user, rpc_node_op op, rpc_call *c, const smn_block *block)
{
    rpc_control_link *l = user;
    ipc_builder b;
    ipc_conn *conn;
    ipc_on_reply cb;
    const char *who;
    if (op == RPC_NODE_OP_STOP) {
        /* Not control.sock: children may not stop the node there. The
         * supervisor takes `stop_node` from rpc's own channel, and only
         * while [rpc] enable_control is on (docs/architecture.md). */
        ipc_build_begin(&b, "stop_node");
        if (ipc_child_request_supervisor(l->ch, &b, RPC_CONTROL_TIMEOUT_MS, on_stopped, NULL) !=
            IPC_OK)
            unavailable(c, "Supervisor");
        else
            rpc_reply(c, json_pack("{s:s}", "success", "")); /* Nano's answer */
        return;
    }
    if (op == RPC_NODE_OP_CONFIRM) {
        conn = ipc_endpoint_conn(l->elections);
        uint8_t wire[SMN_BLOCK_WIRE_BYTES];
        smn_block_serialize(block, wire);
        ipc_build_begin(&b, "elect");
        ipc_put_bin(&b, "block", wire, sizeof wire);
        cb = on_elect;
        who = "Elections process";
    } else {
        conn = ipc_endpoint_conn(l->bootstrap);
        ipc_build_begin(&b, "start");
        cb = on_started;
        who = "Bootstrap process";
    }
    if (!conn) {
        ipc_build_free(&b);
        unavailable(c, who);
        return;
    }
    rpc_call_go_pending(c);
    if (ipc_request(conn, &b, RPC_CONTROL_TIMEOUT_MS, cb, c) != IPC_OK)
        unavailable(c, who);
}
