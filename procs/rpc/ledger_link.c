#include "procs/rpc/ledger_link.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ipc/schema_ledger.h"

struct rpc_ledger_link {
    ipc_endpoint *ep;
    rpc_ledger_link_opts o;
};

typedef struct {
    rpc_ledger_done_fn done;
    void *user;
} process_req;

ledger_result rpc_ledger_result_from_name(const char *name, size_t len)
{
    for (int r = 0; r < LEDGER_RESULT_COUNT; r++) {
        const char *s = ledger_result_str((ledger_result)r);
        if (strlen(s) == len && memcmp(s, name, len) == 0)
            return (ledger_result)r;
    }
    return LEDGER_RESULT_COUNT;
}

static void on_process_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    process_req *p = ud;
    rpc_process_status out = RPC_PROCESS_UNAVAILABLE;
    ledger_result r = LEDGER_RESULT_COUNT;
    const char *name = NULL;
    size_t len = 0;
    if (st == IPC_OK && ipc_msg_is(reply, "process_result") &&
        ipc_get_str(reply->body, "result", &name, &len)) {
        r = rpc_ledger_result_from_name(name, len);
        if (r == LEDGER_RESULT_COUNT) {
            smn_warn("ledger answered an unknown result '%.*s'", (int)len, name);
            out = RPC_PROCESS_OTHER;
        } else {
            out = rpc_process_from_ledger(r);
        }
    } else if (st == IPC_E_REMOTE) {
        char msg[160] = "";
        ipc_get_strz(reply->body, "message", msg, sizeof msg);
        smn_warn("ledger refused a block: %s", msg);
        out = RPC_PROCESS_OTHER;
    } else if (st != IPC_OK) {
        smn_warn("ledger unavailable for process: %s", ipc_status_str(st));
    } else {
        smn_warn("ledger answered process with '%s'", reply->kind->name);
        out = RPC_PROCESS_OTHER;
    }
    rpc_ledger_done_fn done = p->done;
    void *user = p->user;
    free(p);
    done(user, out, r);
}

void rpc_ledger_link_process(rpc_ledger_link *l, const smn_block *b, const char *origin,
                             rpc_ledger_done_fn done, void *user)
{
    process_req *p = malloc(sizeof *p);
    if (!p) {
        done(user, RPC_PROCESS_UNAVAILABLE, LEDGER_RESULT_COUNT);
        return;
    }
    p->done = done;
    p->user = user;
    uint8_t wire[SMN_BLOCK_WIRE_BYTES];
    smn_block_serialize(b, wire);
    ipc_builder bld;
    ipc_build_begin(&bld, "process");
    ipc_put_bin(&bld, "block", wire, sizeof wire);
    ipc_put_str(&bld, "origin", origin);
    ipc_status st =
        ipc_request(ipc_endpoint_conn(l->ep), &bld, RPC_LEDGER_TIMEOUT_MS, on_process_reply, p);
    if (st != IPC_OK) {
        /* the callback never runs for a request that was not sent */
        smn_warn("cannot reach the ledger: %s", ipc_status_str(st));
        free(p);
        done(user, RPC_PROCESS_UNAVAILABLE, LEDGER_RESULT_COUNT);
    }
}

static void submission_done(void *user, rpc_process_status st, ledger_result r)
{
    (void)r;
    rpc_submission_done(user, st);
}

void rpc_ledger_link_submit(void *link, const smn_block *b, rpc_submission *s)
{
    rpc_ledger_link_process(link, b, "rpc", submission_done, s);
}

static void on_subscribed(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    rpc_ledger_link *l = ud;
    if (st != IPC_OK || !ipc_msg_is(reply, "subscribed")) {
        /* The connection is up but the ledger is not serving it (yet): close
         * and let the endpoint reconnect, which subscribes again. */
        smn_warn("ledger subscription failed: %s", ipc_status_str(st));
        if (c)
            ipc_conn_close(c);
        return;
    }
    smn_debug("subscribed to the ledger");
    if (l->o.on_subscribed)
        l->o.on_subscribed(l->o.user);
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    rpc_ledger_link *l = ud;
    if (!up || !l->o.subscribe)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "subscribe");
    ipc_put_array_begin(&b, "topics");
    ipc_put_str(&b, NULL, "block_accepted");
    ipc_put_array_end(&b);
    ipc_status st = ipc_request(c, &b, RPC_LEDGER_TIMEOUT_MS, on_subscribed, l);
    if (st != IPC_OK)
        smn_warn("cannot subscribe to the ledger: %s", ipc_status_str(st));
}

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    rpc_ledger_link *l = ud;
    if (m->id) {
        ipc_reply_error(c, m, "rpc serves no ledger requests");
        return;
    }
    if (l->o.on_notify)
        l->o.on_notify(l->o.user, m);
}

rpc_ledger_link *rpc_ledger_link_new(ipc_child *ch, const rpc_ledger_link_opts *o)
{
    rpc_ledger_link *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->o = *o;
    ipc_endpoint_opts eo = {
        .family = &ipc_family_ledger,
        .on_message = on_message,
        .on_state = on_state,
        .ud = l,
        .name = "ledger",
        .reconnect_max_ms = 1000,
    };
    l->ep = ipc_child_connect(ch, "ledger", &eo);
    if (!l->ep) {
        smn_error("cannot create the ledger endpoint");
        free(l);
        return NULL;
    }
    return l;
}

void rpc_ledger_link_free(rpc_ledger_link *l)
{
    if (!l)
        return;
    ipc_endpoint_free(l->ep);
    free(l);
}
