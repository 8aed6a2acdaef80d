/* Polls net, elections and bootstrap for their figures; see status_link.h. */
#include "procs/rpc/status_link.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ipc/ipc.h"

enum { PEER_NET, PEER_ELECTIONS, PEER_BOOTSTRAP, PEER_COUNT };

typedef struct {
    rpc_status_link *link;
    ipc_endpoint *ep;
    bool waiting; /* a request is outstanding */
} status_peer;

struct rpc_status_link {
    rpc_ctx *ctx;
    struct event *timer;
    status_peer peers[PEER_COUNT];
};

static const struct {
    const char *name; /* the socket */
    const ipc_family *family;
    const char *request;
} peer_def[PEER_COUNT] = {
    [PEER_NET] = {"net", &ipc_family_net, "peers"},
    [PEER_ELECTIONS] = {"elections", &ipc_family_elections, "status"},
    [PEER_BOOTSTRAP] = {"bootstrap", &ipc_family_bootstrap, "status"},
};

static bool get_amount(const ipc_obj *map, const char *name, smn_amount_t *out)
{
    const uint8_t *p;
    size_t n;
    if (!ipc_get_bin(map, name, &p, &n) || n != 16)
        return false;
    *out = smn_amount_from_be(p);
    return true;
}

static bool get32(const ipc_obj *map, const char *name, uint8_t out[32])
{
    const uint8_t *p;
    size_t n;
    if (!ipc_get_bin(map, name, &p, &n) || n != 32)
        return false;
    memcpy(out, p, 32);
    return true;
}

bool rpc_status_read_peers(const ipc_msg *m, rpc_node_stats *s)
{
    const ipc_obj *b = m->body, *arr = ipc_get_array(b, "peers");
    rpc_node_stats t;
    if (!arr || !ipc_get_uint(b, "known", &t.known_peers) ||
        !ipc_get_uint(b, "banned", &t.banned) || !ipc_get_uint(b, "port", &t.port) ||
        !get32(b, "node_id", t.node_id) || !ipc_get_uint(b, "blocks_in", &t.blocks_in) ||
        !ipc_get_uint(b, "blocks_out", &t.blocks_out) ||
        !ipc_get_uint(b, "votes_in", &t.votes_in) || !ipc_get_uint(b, "votes_out", &t.votes_out))
        return false;
    size_t n = ipc_array_len(arr);
    if (n > RPC_STATS_MAX_PEERS)
        return false;
    for (size_t i = 0; i < n; i++) {
        const ipc_obj *e = ipc_array_at(arr, i);
        rpc_peer *p = &s->peers[i];
        memset(p, 0, sizeof *p);
        if (!e || !ipc_get_strz(e, "endpoint", p->endpoint, sizeof p->endpoint) ||
            !get32(e, "node_id", p->node_id) || !ipc_get_bool(e, "inbound", &p->inbound))
            return false;
        p->has_block_count = ipc_get_uint(e, "block_count", &p->block_count);
    }
    s->npeers = n;
    s->known_peers = t.known_peers;
    s->banned = t.banned;
    s->port = t.port;
    memcpy(s->node_id, t.node_id, 32);
    s->blocks_in = t.blocks_in;
    s->blocks_out = t.blocks_out;
    s->votes_in = t.votes_in;
    s->votes_out = t.votes_out;
    /* optional in net's answer: an older net leaves them out */
    if (!ipc_get_uint(b, "reserved", &s->reserved))
        s->reserved = 0;
    if (!ipc_get_uint(b, "reps_proven", &s->reps_proven))
        s->reps_proven = 0;
    if (!ipc_get_uint(b, "reps_unproven", &s->reps_unproven))
        s->reps_unproven = 0;
    s->net_at_ns = rpc_monotonic_ns();
    return true;
}

bool rpc_status_read_elections(const ipc_msg *m, rpc_node_stats *s)
{
    const ipc_obj *b = m->body, *arr = ipc_get_array(b, "online");
    rpc_node_stats *t = calloc(1, sizeof *t);
    uint64_t pct = 0;
    bool ok =
        t && arr && ipc_get_uint(b, "reps", &t->our_reps) &&
        ipc_get_uint(b, "online_reps", &t->online_reps) &&
        get_amount(b, "online_weight", &t->online_weight) &&
        get_amount(b, "trended_weight", &t->trended_weight) &&
        get_amount(b, "online_minimum", &t->online_minimum) &&
        get_amount(b, "quorum_delta", &t->quorum_delta) &&
        ipc_get_uint(b, "quorum_percent", &pct) && pct <= 100 &&
        ipc_get_uint(b, "active", &t->active) && ipc_get_uint(b, "max_active", &t->max_active) &&
        ipc_get_uint(b, "backlog", &t->backlog) && ipc_get_uint(b, "confirmed", &t->confirmed) &&
        ipc_array_len(arr) <= RPC_STATS_MAX_ONLINE;
    size_t n = ok ? ipc_array_len(arr) : 0;
    for (size_t i = 0; ok && i < n; i++) {
        const ipc_obj *e = ipc_array_at(arr, i);
        ok =
            e && get32(e, "rep", t->online[i].rep) && get_amount(e, "weight", &t->online[i].weight);
    }
    if (ok) {
        s->our_reps = t->our_reps;
        s->online_reps = t->online_reps;
        s->online_weight = t->online_weight;
        s->trended_weight = t->trended_weight;
        s->online_minimum = t->online_minimum;
        s->quorum_delta = t->quorum_delta;
        s->quorum_percent = (unsigned)pct;
        s->active = t->active;
        s->max_active = t->max_active;
        s->backlog = t->backlog;
        s->confirmed = t->confirmed;
        memcpy(s->online, t->online, n * sizeof t->online[0]);
        s->nonline = n;
        s->elections_at_ns = rpc_monotonic_ns();
    }
    free(t);
    return ok;
}

bool rpc_status_read_bootstrap(const ipc_msg *m, rpc_node_stats *s)
{
    const ipc_obj *b = m->body;
    const char *ph;
    size_t len;
    ipc_bootstrap_phase phase;
    rpc_node_stats t;
    if (!ipc_get_str(b, "phase", &ph, &len) || !ipc_bootstrap_phase_parse(ph, len, &phase) ||
        !ipc_get_uint(b, "rounds", &t.rounds) || !ipc_get_uint(b, "pulled", &t.pulled) ||
        !ipc_get_uint(b, "accepted", &t.accepted) || !ipc_get_uint(b, "chains", &t.chains) ||
        !get32(b, "cursor", t.cursor) || !ipc_get_uint(b, "missing", &t.missing) ||
        !ipc_get_uint(b, "waiting", &t.waiting))
        return false;
    snprintf(s->phase, sizeof s->phase, "%s", ipc_bootstrap_phase_name(phase));
    s->rounds = t.rounds;
    s->pulled = t.pulled;
    s->accepted = t.accepted;
    s->chains = t.chains;
    s->missing = t.missing;
    s->waiting = t.waiting;
    memcpy(s->cursor, t.cursor, 32);
    s->bootstrap_at_ns = rpc_monotonic_ns();
    return true;
}

static void on_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    status_peer *p = ud;
    p->waiting = false;
    if (st != IPC_OK || !reply)
        return; /* the figures go stale; the next tick asks again */
    int which = (int)(p - p->link->peers);
    rpc_node_stats *s = rpc_ctx_stats(p->link->ctx);
    bool ok = which == PEER_NET         ? rpc_status_read_peers(reply, s)
              : which == PEER_ELECTIONS ? rpc_status_read_elections(reply, s)
                                        : rpc_status_read_bootstrap(reply, s);
    if (!ok)
        smn_warn("rpc: malformed %s answer from %s", peer_def[which].request, peer_def[which].name);
}

static void ask(rpc_status_link *l)
{
    for (int i = 0; i < PEER_COUNT; i++) {
        status_peer *p = &l->peers[i];
        ipc_conn *c = ipc_endpoint_conn(p->ep);
        if (p->waiting || !c)
            continue;
        ipc_builder b;
        ipc_build_begin(&b, peer_def[i].request);
        if (ipc_request(c, &b, RPC_STATUS_TIMEOUT_MS, on_reply, p) == IPC_OK)
            p->waiting = true;
    }
}

static void on_timer(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    ask(ud);
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    (void)c;
    status_peer *p = ud;
    if (!up)
        p->waiting = false; /* its request was failed with IPC_E_CLOSED */
    else
        ask(p->link); /* fresh figures as soon as a process is back */
}

rpc_status_link *rpc_status_link_new(ipc_child *ch, rpc_ctx *ctx)
{
    rpc_status_link *l = calloc(1, sizeof *l);
    if (!l) {
        smn_error("out of memory");
        return NULL;
    }
    l->ctx = ctx;
    for (int i = 0; i < PEER_COUNT; i++) {
        l->peers[i].link = l;
        ipc_endpoint_opts o = {.family = peer_def[i].family,
                               .name = peer_def[i].name,
                               .on_state = on_state,
                               .ud = &l->peers[i],
                               .reconnect_max_ms = 1000};
        l->peers[i].ep = ipc_child_connect(ch, peer_def[i].name, &o);
        if (!l->peers[i].ep) {
            smn_error("rpc: cannot connect to %s.sock", peer_def[i].name);
            rpc_status_link_free(l);
            return NULL;
        }
    }
    l->timer = event_new(ipc_child_base(ch), -1, EV_PERSIST, on_timer, l);
    struct timeval tv = {RPC_STATUS_INTERVAL_MS / 1000, (RPC_STATUS_INTERVAL_MS % 1000) * 1000};
    if (!l->timer || event_add(l->timer, &tv) != 0) {
        smn_error("rpc: cannot arm the status timer");
        rpc_status_link_free(l);
        return NULL;
    }
    return l;
}

void rpc_status_link_free(rpc_status_link *l)
{
    if (!l)
        return;
    if (l->timer)
        event_free(l->timer);
    for (int i = 0; i < PEER_COUNT; i++)
        ipc_endpoint_free(l->peers[i].ep); /* fails the outstanding request first */
    free(l);
}
