/* Feed events -> WebSocket topics; see topics.h. */
#include "procs/ws/topics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/amount.h"
#include "common/log.h"
#include "ipc/schema_feed.h"
#include "procs/ws/elcache.h"
#include "procs/ws/upfeed.h"

struct ws_topics {
    const smn_network *net;
    ws_topics_wanted_fn wanted;
    ws_topics_push_fn push;
    void *user;
    ws_upfeed *elections, *net_feed, *bootstrap, *rpc;
    ws_elcache cache;
};

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool get_hash(const ipc_msg *m, const char *name, uint8_t out[32])
{
    const uint8_t *p;
    size_t n;
    if (!ipc_get_bin(m->body, name, &p, &n) || n != 32)
        return false;
    memcpy(out, p, 32);
    return true;
}

static smn_amount_t get_amount(const ipc_msg *m, const char *name)
{
    const uint8_t *p;
    size_t n;
    if (!ipc_get_bin(m->body, name, &p, &n) || n != 16)
        return smn_amount_zero();
    return smn_amount_from_be(p);
}

static uint64_t get_u64(const ipc_msg *m, const char *name)
{
    uint64_t v = 0;
    (void)ipc_get_uint(m->body, name, &v);
    return v;
}

static void on_started(ws_topics *t, const ipc_msg *m)
{
    uint8_t hash[32];
    if (!t->wanted(t->user, WS_TOPIC_STARTED_ELECTION) || !get_hash(m, "hash", hash))
        return;
    size_t len = 0;
    char *text = ws_msg_started_election(hash, wall_ms(), &len);
    t->push(t->user, WS_TOPIC_STARTED_ELECTION, text, len);
}

static void on_stopped(ws_topics *t, const ipc_msg *m)
{
    ws_election e;
    memset(&e, 0, sizeof e);
    const char *rs;
    size_t rl;
    ipc_feed_stop_reason reason;
    if (!get_hash(m, "hash", e.hash) || !ipc_get_str(m->body, "reason", &rs, &rl) ||
        !ipc_feed_stop_reason_parse(rs, rl, &reason)) {
        smn_debug("election_stopped without a hash or a known reason: ignored");
        return;
    }
    e.reason = ipc_feed_stop_reason_name(reason);
    e.time_ms = get_u64(m, "time");
    e.has_info =
        reason == IPC_FEED_STOP_CONFIRMED && ipc_get_uint(m->body, "duration", &e.duration_ms);
    if (e.has_info) {
        e.tally = get_amount(m, "tally");
        e.final_tally = get_amount(m, "final_tally");
        e.blocks = get_u64(m, "blocks");
        e.voters = get_u64(m, "voters");
        e.request_count = get_u64(m, "request_count");
        ws_elcache_put(&t->cache, &e);
    }
    if (!t->wanted(t->user, WS_TOPIC_STOPPED_ELECTION))
        return;
    size_t len = 0;
    char *text = ws_msg_stopped_election(&e, wall_ms(), &len);
    t->push(t->user, WS_TOPIC_STOPPED_ELECTION, text, len);
}

/* "1.2.3.4:17075" or "[::1]:17075" -> address and port. */
static bool split_endpoint(const char *s, size_t n, char *addr, size_t cap, uint16_t *port)
{
    size_t colon = n;
    while (colon > 0 && s[colon - 1] != ':')
        colon--;
    if (colon == 0)
        return false;
    size_t a0 = 0, a1 = colon - 1;
    if (a1 >= 2 && s[0] == '[' && s[a1 - 1] == ']') {
        a0 = 1;
        a1--;
    }
    if (a1 <= a0 || a1 - a0 >= cap)
        return false;
    unsigned long p = 0;
    for (size_t i = colon; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || (p = p * 10 + (unsigned long)(s[i] - '0')) > 65535)
            return false;
    }
    memcpy(addr, s + a0, a1 - a0);
    addr[a1 - a0] = '\0';
    *port = (uint16_t)p;
    return true;
}

static void on_telemetry(ws_topics *t, const ipc_msg *m)
{
    if (!t->wanted(t->user, WS_TOPIC_TELEMETRY))
        return;
    ws_telemetry tl;
    memset(&tl, 0, sizeof tl);
    const uint8_t *sig;
    size_t sn;
    const char *ep;
    size_t el;
    if (!get_hash(m, "node_id", tl.node_id) || !get_hash(m, "genesis", tl.genesis) ||
        !ipc_get_bin(m->body, "signature", &sig, &sn) || sn != 64 ||
        !ipc_get_str(m->body, "endpoint", &ep, &el) ||
        !split_endpoint(ep, el, tl.address, sizeof tl.address, &tl.port)) {
        smn_debug("telemetry without its ids or a usable endpoint: ignored");
        return;
    }
    memcpy(tl.signature, sig, 64);
    tl.block_count = get_u64(m, "block_count");
    tl.cemented_count = get_u64(m, "cemented_count");
    tl.account_count = get_u64(m, "account_count");
    tl.peer_count = get_u64(m, "peer_count");
    tl.protocol_version = get_u64(m, "protocol_version");
    tl.uptime = get_u64(m, "uptime");
    tl.timestamp = get_u64(m, "timestamp");
    size_t len = 0;
    char *text = ws_msg_telemetry(&tl, wall_ms(), &len);
    t->push(t->user, WS_TOPIC_TELEMETRY, text, len);
}

static void on_bootstrap(ws_topics *t, const ipc_msg *m)
{
    if (!t->wanted(t->user, WS_TOPIC_BOOTSTRAP))
        return;
    char id[IPC_FEED_ID_MAX + 1], mode[17];
    const char *rs;
    size_t rl;
    ipc_feed_boot_reason reason;
    if (!ipc_get_str(m->body, "reason", &rs, &rl) || !ipc_feed_boot_reason_parse(rs, rl, &reason) ||
        !ipc_get_strz(m->body, "attempt", id, sizeof id) ||
        !ipc_get_strz(m->body, "mode", mode, sizeof mode))
        return;
    ws_bootstrap b = {.reason = ipc_feed_boot_reason_name(reason),
                      .id = id,
                      .mode = mode,
                      .exited = reason == IPC_FEED_BOOT_EXITED,
                      .total_blocks = get_u64(m, "total_blocks"),
                      .duration_s = get_u64(m, "duration")};
    size_t len = 0;
    char *text = ws_msg_bootstrap(&b, wall_ms(), &len);
    t->push(t->user, WS_TOPIC_BOOTSTRAP, text, len);
}

static void on_work(ws_topics *t, const ipc_msg *m)
{
    if (!t->wanted(t->user, WS_TOPIC_WORK))
        return;
    ws_work w;
    memset(&w, 0, sizeof w);
    const char *rs;
    size_t rl;
    ipc_feed_work_reason reason;
    if (!get_hash(m, "root", w.root) || !ipc_get_str(m->body, "reason", &rs, &rl) ||
        !ipc_feed_work_reason_parse(rs, rl, &reason))
        return;
    w.success = reason == IPC_FEED_WORK_SUCCESS;
    w.reason = ipc_feed_work_reason_name(reason);
    w.duration_ms = get_u64(m, "duration");
    w.difficulty = get_u64(m, "difficulty");
    w.work = get_u64(m, "work");
    w.result_difficulty = get_u64(m, "result_difficulty");
    w.base = t->net->work_send;
    size_t len = 0;
    char *text = ws_msg_work(&w, wall_ms(), &len);
    t->push(t->user, WS_TOPIC_WORK, text, len);
}

static void on_event(void *user, const ipc_msg *m)
{
    ws_topics *t = user;
    switch (ipc_feed_kind_of(m)) {
    case IPC_FEED_K_ELECTION_STARTED:
        on_started(t, m);
        break;
    case IPC_FEED_K_ELECTION_STOPPED:
        on_stopped(t, m);
        break;
    case IPC_FEED_K_TELEMETRY:
        on_telemetry(t, m);
        break;
    case IPC_FEED_K_BOOTSTRAP:
        on_bootstrap(t, m);
        break;
    case IPC_FEED_K_WORK:
        on_work(t, m);
        break;
    case IPC_FEED_K_SUBSCRIBE:
    case IPC_FEED_K_OTHER:
        break;
    }
}

ws_topics *ws_topics_new(ipc_child *ch, const smn_network *net, ws_topics_wanted_fn wanted,
                         ws_topics_push_fn push, void *user)
{
    ws_topics *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->net = net;
    t->wanted = wanted;
    t->push = push;
    t->user = user;
    if (!ws_elcache_init(&t->cache) ||
        !(t->elections = ws_upfeed_new(ch, "elections", on_event, t)) ||
        !(t->net_feed = ws_upfeed_new(ch, "net", on_event, t)) ||
        !(t->bootstrap = ws_upfeed_new(ch, "bootstrap", on_event, t)) ||
        !(t->rpc = ws_upfeed_new(ch, "rpc", on_event, t))) {
        ws_topics_free(t);
        return NULL;
    }
    return t;
}

void ws_topics_free(ws_topics *t)
{
    if (!t)
        return;
    ws_upfeed_free(t->elections);
    ws_upfeed_free(t->net_feed);
    ws_upfeed_free(t->bootstrap);
    ws_upfeed_free(t->rpc);
    ws_elcache_free(&t->cache);
    free(t);
}

void ws_topics_election_of(const ws_topics *t, ws_confirmation *c)
{
    c->has_election = t && ws_elcache_get(&t->cache, c->hash, &c->election);
}
