/* Actions whose figures other processes own (status_link.h fills them):
 * peers, representatives_online, election_statistics, stats,
 * bootstrap_status, node_id. A part that is unknown or stale answers 503
 * "<Process> process unavailable", never zeros that look like figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/address.h"
#include "procs/rpc/rpc.h"

typedef enum { PART_NET, PART_ELECTIONS, PART_BOOTSTRAP } stats_part;

/* The stats, or NULL after answering 503 when that part is not fresh. */
static const rpc_node_stats *need(rpc_call *c, stats_part part)
{
    const rpc_node_stats *s = rpc_ctx_stats(rpc_call_ctx(c));
    static const char *const msg[] = {
        [PART_NET] = "Net process unavailable",
        [PART_ELECTIONS] = "Elections process unavailable",
        [PART_BOOTSTRAP] = "Bootstrap process unavailable",
    };
    uint64_t at = part == PART_NET         ? s->net_at_ns
                  : part == PART_ELECTIONS ? s->elections_at_ns
                                           : s->bootstrap_at_ns;
    if (!rpc_stats_fresh(at)) {
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", msg[part]));
        return NULL;
    }
    return s;
}

/* {endpoint: node_id} (smn's peers carry no per-peer protocol version: the
 * handshake admits one), or with peer_details {endpoint: {node_id, type,
 * inbound, block_count?}}. */
void rpc_action_peers(rpc_call *c, const json_t *req)
{
    bool details;
    if (!rpc_arg_bool(c, req, "peer_details", false, &details))
        return;
    const rpc_node_stats *s = need(c, PART_NET);
    if (!s)
        return;
    json_t *map = json_object();
    for (size_t i = 0; i < s->npeers; i++) {
        const rpc_peer *p = &s->peers[i];
        if (!details) {
            json_object_set_new(map, p->endpoint, rpc_json_node_id(p->node_id));
            continue;
        }
        json_t *e = json_pack("{s:o,s:s,s:s}", "node_id", rpc_json_node_id(p->node_id), "type",
                              "tcp", "inbound", p->inbound ? "true" : "false");
        if (p->has_block_count)
            json_object_set_new(e, "block_count", rpc_json_u64(p->block_count));
        json_object_set_new(map, p->endpoint, e);
    }
    rpc_reply(c, json_pack("{s:o}", "peers", map));
}

void rpc_action_representatives_online(rpc_call *c, const json_t *req)
{
    bool weight;
    uint8_t(*filter)[32] = NULL;
    size_t nfilter = 0;
    if (!rpc_arg_bool(c, req, "weight", false, &weight) ||
        !rpc_arg_account_list(c, req, "accounts", &filter, &nfilter))
        return;
    const rpc_node_stats *s = need(c, PART_ELECTIONS);
    if (!s) {
        free(filter);
        return;
    }
    json_t *out = weight ? json_object() : json_array();
    char addr[SMN_ADDRESS_STRLEN];
    for (size_t i = 0; i < s->nonline; i++) {
        bool keep = !filter;
        for (size_t k = 0; !keep && k < nfilter; k++)
            keep = memcmp(filter[k], s->online[i].rep, 32) == 0;
        if (!keep)
            continue;
        smn_address_encode(s->online[i].rep, addr);
        if (weight)
            json_object_set_new(out, addr,
                                json_pack("{s:o}", "weight", rpc_json_amount(s->online[i].weight)));
        else
            json_array_append_new(out, json_string(addr));
    }
    free(filter);
    rpc_reply(c, json_pack("{s:o}", "representatives", out));
}

/* Nano's election_statistics. smn has one kind of election (blocks from the
 * backlog scan and new blocks share the container), so "normal" is all of
 * them and the other buckets are empty. */
void rpc_action_election_statistics(rpc_call *c, const json_t *req)
{
    (void)req;
    const rpc_node_stats *s = need(c, PART_ELECTIONS);
    if (!s)
        return;
    char pct[32];
    uint64_t hundredths = s->max_active ? s->active * 10000u / s->max_active : 0;
    snprintf(pct, sizeof pct, "%llu.%02llu", (unsigned long long)(hundredths / 100),
             (unsigned long long)(hundredths % 100));
    json_t *o = json_object();
    json_object_set_new(o, "normal", rpc_json_u64(s->active));
    json_object_set_new(o, "priority", rpc_json_u64(0));
    json_object_set_new(o, "hinted", rpc_json_u64(0));
    json_object_set_new(o, "optimistic", rpc_json_u64(0));
    json_object_set_new(o, "total", rpc_json_u64(s->active));
    json_object_set_new(o, "aec_utilization_percentage", json_string(pct));
    json_object_set_new(o, "max_active", rpc_json_u64(s->max_active));
    json_object_set_new(o, "backlog", rpc_json_u64(s->backlog));
    json_object_set_new(o, "confirmed", rpc_json_u64(s->confirmed));
    rpc_reply(c, o);
}

static void entry(json_t *list, const char *now, const char *type, const char *detail,
                  const char *dir, uint64_t v)
{
    json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:o}", "time", now, "type", type,
                                          "detail", detail, "dir", dir, "value", rpc_json_u64(v)));
}

/* A counter since stats_clear: a value below its baseline means its process
 * restarted (its counters began again at zero) since, so the baseline goes. */
static uint64_t since(uint64_t *base, uint64_t v)
{
    if (v < *base)
        *base = 0;
    return v - *base;
}

/* Nano's stats_clear: the counters of `stats` start again from zero, and so
 * does stat_duration_seconds. The processes keep their own counts (their
 * metrics are cumulative); rpc remembers where they stood. */
void rpc_action_stats_clear(rpc_call *c, const json_t *req)
{
    (void)req;
    rpc_ctx *ctx = rpc_call_ctx(c);
    const rpc_node_stats *s = ctx->stats;
    ctx->stats_base = (rpc_stats_base){
        .blocks_in = s->blocks_in,
        .blocks_out = s->blocks_out,
        .votes_in = s->votes_in,
        .votes_out = s->votes_out,
        .confirmed = s->confirmed,
        .rounds = s->rounds,
        .pulled = s->pulled,
        .accepted = s->accepted,
        .reps_proven = s->reps_proven,
        .reps_unproven = s->reps_unproven,
        .cleared_ns = rpc_monotonic_ns(),
    };
    rpc_reply(c, json_pack("{s:s}", "success", ""));
}

/* Nano's stats with type "counters": the counters of net, elections and
 * bootstrap that are fresh (a process that does not answer is left out and
 * named in "unavailable"), counted since stats_clear (gauges such as peers
 * or active elections are shown as they are). Other types are refused. */
void rpc_action_stats(rpc_call *c, const json_t *req)
{
    const char *type = rpc_arg_string(c, req, "type");
    if (!type)
        return;
    if (strcmp(type, "counters") != 0) {
        rpc_reply_error(c, "Unsupported stats type (smn keeps only \"counters\")");
        return;
    }
    rpc_ctx *ctx = rpc_call_ctx(c);
    const rpc_node_stats *s = rpc_ctx_stats(ctx);
    rpc_stats_base *b = &ctx->stats_base;
    uint64_t from_ns = b->cleared_ns ? b->cleared_ns : ctx->started_ns;
    uint64_t duration_s = (rpc_monotonic_ns() - from_ns) / 1000000000ull;
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%H:%M:%S", &tm);
    char created[32];
    strftime(created, sizeof created, "%Y.%m.%d %H:%M:%S", &tm);
    json_t *list = json_array(), *missing = json_array();
    if (rpc_stats_fresh(s->net_at_ns)) {
        entry(list, now, "message", "publish", "in", since(&b->blocks_in, s->blocks_in));
        entry(list, now, "message", "publish", "out", since(&b->blocks_out, s->blocks_out));
        entry(list, now, "message", "confirm_ack", "in", since(&b->votes_in, s->votes_in));
        entry(list, now, "message", "confirm_ack", "out", since(&b->votes_out, s->votes_out));
        entry(list, now, "peering", "peers", "in", s->npeers);
        entry(list, now, "peering", "known", "in", s->known_peers);
        entry(list, now, "peering", "banned", "in", s->banned);
        /* the slots [net] reserved_outbound and reserved_reps keep */
        uint64_t outbound = 0;
        for (size_t i = 0; i < s->npeers; i++)
            outbound += !s->peers[i].inbound;
        entry(list, now, "peering", "outbound", "out", outbound);
        entry(list, now, "peering", "reserved", "in", s->reserved);
        entry(list, now, "peering", "reps_proven", "in", since(&b->reps_proven, s->reps_proven));
        entry(list, now, "peering", "reps_unproven", "in",
              since(&b->reps_unproven, s->reps_unproven));
    } else {
        json_array_append_new(missing, json_string("net"));
    }
    if (rpc_stats_fresh(s->elections_at_ns)) {
        entry(list, now, "election", "confirmed", "in", since(&b->confirmed, s->confirmed));
        entry(list, now, "election", "active", "in", s->active);
        entry(list, now, "election", "backlog", "in", s->backlog);
        entry(list, now, "election", "online_reps", "in", s->online_reps);
    } else {
        json_array_append_new(missing, json_string("elections"));
    }
    if (rpc_stats_fresh(s->bootstrap_at_ns)) {
        entry(list, now, "bootstrap", "rounds", "in", since(&b->rounds, s->rounds));
        entry(list, now, "bootstrap", "pulled", "in", since(&b->pulled, s->pulled));
        entry(list, now, "bootstrap", "accepted", "in", since(&b->accepted, s->accepted));
    } else {
        json_array_append_new(missing, json_string("bootstrap"));
    }
    json_t *o = json_pack("{s:s,s:s,s:o,s:o}", "type", "counters", "created", created,
                          "stat_duration_seconds", rpc_json_u64(duration_s), "entries", list);
    if (json_array_size(missing))
        json_object_set_new(o, "unavailable", missing);
    else
        json_decref(missing);
    rpc_reply(c, o);
}

void rpc_action_bootstrap_status(rpc_call *c, const json_t *req)
{
    (void)req;
    const rpc_node_stats *s = need(c, PART_BOOTSTRAP);
    if (!s)
        return;
    json_t *o = json_object();
    json_object_set_new(o, "phase", json_string(s->phase));
    json_object_set_new(o, "rounds", rpc_json_u64(s->rounds));
    json_object_set_new(o, "pulled", rpc_json_u64(s->pulled));
    json_object_set_new(o, "accepted", rpc_json_u64(s->accepted));
    json_object_set_new(o, "chains", rpc_json_u64(s->chains));
    json_object_set_new(o, "cursor", rpc_json_account(s->cursor));
    json_object_set_new(o, "missing", rpc_json_u64(s->missing));
    json_object_set_new(o, "waiting", rpc_json_u64(s->waiting));
    rpc_reply(c, o);
}

/* Nano's node_id without "private": the node key never leaves net. */
void rpc_action_node_id(rpc_call *c, const json_t *req)
{
    (void)req;
    const rpc_node_stats *s = need(c, PART_NET);
    if (!s)
        return;
    json_t *o = json_object();
    json_object_set_new(o, "public", rpc_json_hash(s->node_id));
    json_object_set_new(o, "as_account", rpc_json_account(s->node_id));
    json_object_set_new(o, "node_id", rpc_json_node_id(s->node_id));
    rpc_reply(c, o);
}

void rpc_call_node_op(rpc_call *c, rpc_node_op op, const smn_block *b)
{
    rpc_ctx *ctx = rpc_call_ctx(c);
    if (!ctx->node_op) {
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", "Node control unavailable"));
        return;
    }
    ctx->node_op(ctx->node_op_user, op, c, b);
}

/* Nano's stop: the whole node stops (the supervisor, as `smallnano-cli
 * node stop`); answered once the request is on its way to the supervisor
 * (which stops rpc first, so a later answer could not reach the client). */
void rpc_action_stop(rpc_call *c, const json_t *req)
{
    (void)req;
    rpc_call_node_op(c, RPC_NODE_OP_STOP, NULL);
}

/* Nano's bootstrap_any: a frontier scan round now ("started":"0" when one
 * is already running). */
void rpc_action_bootstrap_any(rpc_call *c, const json_t *req)
{
    (void)req;
    rpc_call_node_op(c, RPC_NODE_OP_BOOTSTRAP, NULL);
}

/* Nano's block_confirm: the block's election, started (or joined) now. A
 * cemented block needs none: {"started":"0","confirmed":"true"}. Otherwise
 * {"started":"1"} with elections' word in "status" (started, fork, active,
 * queued, ...). */
void rpc_action_block_confirm(rpc_call *c, const json_t *req)
{
    uint8_t h[32];
    if (!rpc_arg_hash(c, req, "hash", h))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_block_record r;
    if (!rpc_ledger_block(c, l, h, &r))
        return;
    if (r.confirmed) {
        rpc_reply(c, json_pack("{s:s,s:s}", "started", "0", "confirmed", "true"));
        return;
    }
    rpc_call_node_op(c, RPC_NODE_OP_CONFIRM, &r.block);
}

/* Nano's search_receivable {wallet} / search_receivable_all (and the
 * search_pending names): auto-receive queues every receivable of every
 * unlocked wallet now (it receives for all of them, so one wallet cannot be
 * singled out; the wallet, when given, must exist). */
void rpc_action_search_receivable(rpc_call *c, const json_t *req)
{
    if (json_object_get(req, "wallet")) {
        uint8_t id[WALLET_ID_BYTES];
        if (!rpc_open_wallet(c, req, id))
            return;
    }
    rpc_call_node_op(c, RPC_NODE_OP_SEARCH, NULL);
}

/* Nano's populate_backlog: elections scans the ledger for unconfirmed
 * blocks now instead of at its next pass. */
void rpc_action_populate_backlog(rpc_call *c, const json_t *req)
{
    (void)req;
    rpc_call_node_op(c, RPC_NODE_OP_BACKLOG, NULL);
}
