#include "procs/rpc/ledger_link.h"

#include <stdlib.h>

#include "common/log.h"

struct rpc_ledger_link {
    ledger_client *lc;
};

typedef struct {
    rpc_ledger_done_fn done;
    void *user;
} process_req;

static void on_process_done(void *user, ipc_status st, ledger_result r)
{
    process_req *p = user;
    rpc_process_status out;
    if (st == IPC_OK)
        out = rpc_process_from_ledger(r);
    else if (st == IPC_E_REMOTE || st == IPC_E_MALFORMED)
        out = RPC_PROCESS_OTHER; /* logged by the client */
    else {
        smn_warn("ledger unavailable for process: %s", ipc_strerror(st));
        out = RPC_PROCESS_UNAVAILABLE;
    }
    rpc_ledger_done_fn done = p->done;
    void *u = p->user;
    free(p);
    done(u, out, st == IPC_OK ? r : LEDGER_RESULT_COUNT);
}

void rpc_ledger_link_process(rpc_ledger_link *l, const smn_block *b, ledger_origin origin,
                             rpc_ledger_done_fn done, void *user)
{
    process_req *p = malloc(sizeof *p);
    if (!p) {
        done(user, RPC_PROCESS_UNAVAILABLE, LEDGER_RESULT_COUNT);
        return;
    }
    p->done = done;
    p->user = user;
    ipc_status st = ledger_client_process(l->lc, b, origin, on_process_done, p);
    if (st != IPC_OK) {
        /* the callback never runs for a request that was not sent */
        smn_warn("cannot reach the ledger: %s", ipc_strerror(st));
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
    rpc_ledger_link_process(link, b, LEDGER_ORIGIN_RPC, submission_done, s);
}

rpc_ledger_link *rpc_ledger_link_new(ipc_child *ch, const rpc_ledger_link_opts *o)
{
    rpc_ledger_link *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    ledger_client_opts lo = {
        .on_block_accepted = o->on_block_accepted,
        .on_subscribed = o->on_block_accepted ? o->on_subscribed : NULL,
        .user = o->user,
        .timeout_ms = RPC_LEDGER_TIMEOUT_MS,
    };
    l->lc = ledger_client_new(ch, &lo);
    if (!l->lc) {
        free(l);
        return NULL;
    }
    return l;
}

void rpc_ledger_link_free(rpc_ledger_link *l)
{
    if (!l)
        return;
    ledger_client_free(l->lc);
    free(l);
}
