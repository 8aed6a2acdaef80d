/* Node-wide actions: version, uptime, counts, telemetry, representatives,
 * quorum. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/address.h"
#include "common/block.h"
#include "ipc/ledgerdb/schema.h"
#include "procs/rpc/rpc.h"

#ifndef SMN_NODE_VERSION
#error "SMN_NODE_VERSION must come from the build (meson project version)"
#endif

/* "0.1.0" → 0, 1, 0 */
static void version_parts(unsigned v[3])
{
    const char *p = SMN_NODE_VERSION;
    for (int i = 0; i < 3; i++) {
        v[i] = (unsigned)strtoul(p, (char **)&p, 10);
        if (*p == '.')
            p++;
    }
}

void rpc_action_version(rpc_call *c, const json_t *req)
{
    (void)req;
    const smn_network *net = rpc_ctx_net(rpc_call_ctx(c));
    uint8_t genesis[32];
    smn_block_hash(&net->genesis, genesis);
    json_t *o = json_object();
    json_object_set_new(o, "rpc_version", json_string("1"));
    json_object_set_new(o, "store_version", rpc_json_u64(LEDGER_SCHEMA_VERSION));
    json_object_set_new(o, "node_vendor", json_string("smallnano " SMN_NODE_VERSION));
    json_object_set_new(o, "store_vendor", json_pack("s++", "SQLite ", sqlite3_libversion(), ""));
    json_object_set_new(o, "network", json_string(net->name));
    json_object_set_new(o, "network_identifier", rpc_json_hash(genesis));
    rpc_reply(c, o);
}

void rpc_action_uptime(rpc_call *c, const json_t *req)
{
    (void)req;
    rpc_reply(c, json_pack("{s:o}", "seconds", rpc_json_u64(rpc_node_uptime_s(rpc_call_ctx(c)))));
}

void rpc_action_block_count(rpc_call *c, const json_t *req)
{
    (void)req;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_counts n;
    ledger_status st = ledger_ro_counts(l, &n);
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:o,s:o,s:o,s:o}", "count", rpc_json_u64(n.blocks), "unchecked",
                           rpc_json_u64(n.unchecked), "cemented", rpc_json_u64(n.cemented),
                           "pruned", rpc_json_u64(n.pruned)));
}

/* This node's telemetry; NULL after answering. */
static json_t *local_telemetry(rpc_call *c)
{
    rpc_ctx *ctx = rpc_call_ctx(c);
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return NULL;
    ledger_counts n;
    ledger_status st = ledger_ro_counts(l, &n);
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return NULL;
    }
    uint64_t accounts = 0;
    if ((st = ledger_ro_account_count(l, &accounts)) != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return NULL;
    }
    const rpc_node_stats *stats = rpc_ctx_stats(ctx);
    unsigned v[3];
    version_parts(v);
    const smn_network *net = ctx->cfg.net;
    uint8_t genesis[32];
    smn_block_hash(&net->genesis, genesis);
    json_t *o = json_object();
    json_object_set_new(o, "block_count", rpc_json_u64(n.blocks));
    json_object_set_new(o, "cemented_count", rpc_json_u64(n.cemented));
    json_object_set_new(o, "unchecked_count", rpc_json_u64(n.unchecked));
    json_object_set_new(o, "pruned_count", rpc_json_u64(n.pruned));
    json_object_set_new(o, "account_count", rpc_json_u64(accounts));
    if (rpc_stats_fresh(stats->net_at_ns)) {
        /* from net: its ready channels and node id */
        json_object_set_new(o, "peer_count", rpc_json_u64(stats->npeers));
        json_object_set_new(o, "node_id", rpc_json_node_id(stats->node_id));
    }
    json_object_set_new(o, "uptime", rpc_json_u64(rpc_node_uptime_s(ctx)));
    json_object_set_new(o, "genesis_block", rpc_json_hash(genesis));
    json_object_set_new(o, "network", json_string(net->name));
    json_object_set_new(o, "major_version", rpc_json_u64(v[0]));
    json_object_set_new(o, "minor_version", rpc_json_u64(v[1]));
    json_object_set_new(o, "patch_version", rpc_json_u64(v[2]));
    json_object_set_new(o, "pre_release_version", json_string("0"));
    json_object_set_new(o, "maker", json_string("smallnano"));
    json_object_set_new(o, "timestamp", rpc_json_u64(rpc_wall_ms()));
    json_object_set_new(o, "active_difficulty", rpc_json_work(net->work_send));
    return o;
}

static bool is_loopback(const char *address)
{
    return strcmp(address, "127.0.0.1") == 0 || strcmp(address, "::1") == 0 ||
           strcmp(address, "::ffff:127.0.0.1") == 0;
}

/* Nano's telemetry: without options this node's figures; with `raw`
 * every peer's last signed telemetry (net keeps it); with `address` and
 * `port` that peer's, or this node's for a loopback address and our own
 * peering port. */
void rpc_action_telemetry(rpc_call *c, const json_t *req)
{
    bool raw;
    if (!rpc_arg_bool(c, req, "raw", false, &raw))
        return;
    const json_t *a = json_object_get(req, "address"), *p = json_object_get(req, "port");
    if ((a != NULL) != (p != NULL)) {
        rpc_reply_error(c, "Both port and address required");
        return;
    }
    rpc_net_request *q = rpc_call_net_request(c);
    if (a) {
        uint64_t port = 0;
        if (!rpc_arg_u64(c, req, "port", "Invalid port", &port))
            return;
        if (port == 0 || port > 65535) {
            rpc_reply_error(c, "Invalid port");
            return;
        }
        unsigned char buf[16];
        const char *text = json_is_string(a) ? json_string_value(a) : "";
        if (strlen(text) >= sizeof q->address ||
            (inet_pton(AF_INET, text, buf) != 1 && inet_pton(AF_INET6, text, buf) != 1)) {
            rpc_reply_error(c, "Invalid address (a numeric IPv4 or IPv6 address)");
            return;
        }
        const rpc_node_stats *stats = rpc_ctx_stats(rpc_call_ctx(c));
        if (is_loopback(text) && rpc_stats_fresh(stats->net_at_ns) && stats->port == port) {
            json_t *o = local_telemetry(c);
            if (o)
                rpc_reply(c, o);
            return;
        }
        strcpy(q->address, text);
        q->port = (uint16_t)port;
        rpc_call_node_op(c, RPC_NODE_OP_TELEMETRY, NULL);
        return;
    }
    if (raw) {
        rpc_call_node_op(c, RPC_NODE_OP_TELEMETRY, NULL);
        return;
    }
    json_t *o = local_telemetry(c);
    if (o)
        rpc_reply(c, o);
}

static int cmp_account(const void *a, const void *b)
{
    return memcmp(((const ledger_rep_weight *)a)->account, ((const ledger_rep_weight *)b)->account,
                  32);
}

void rpc_action_representatives(rpc_call *c, const json_t *req)
{
    uint64_t count;
    bool sorting;
    if (!rpc_arg_count(c, req, "count", RPC_MAX_COUNT, RPC_MAX_COUNT, &count) ||
        !rpc_arg_bool(c, req, "sorting", false, &sorting))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    /* Nano lists representatives in account order unless sorting asks for
     * weight order; the ledger hands them heaviest first, so fetch them all
     * (up to the list bound) and reorder. */
    ledger_rep_weight *reps = malloc(sizeof *reps * RPC_MAX_COUNT);
    if (!reps) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    size_t n = 0;
    ledger_status st = ledger_ro_representatives(l, reps, sorting ? count : RPC_MAX_COUNT, &n);
    if (st != LEDGER_STATUS_OK) {
        free(reps);
        rpc_reply_ledger_error(c, st);
        return;
    }
    if (!sorting) {
        qsort(reps, n, sizeof *reps, cmp_account);
        if (n > count)
            n = count;
    }
    json_t *map = json_object();
    char addr[SMN_ADDRESS_STRLEN];
    for (size_t i = 0; i < n; i++) {
        smn_address_encode(reps[i].account, addr);
        json_object_set_new(map, addr, rpc_json_amount(reps[i].weight));
    }
    free(reps);
    rpc_reply(c, json_pack("{s:o}", "representatives", map));
}

void rpc_action_confirmation_quorum(rpc_call *c, const json_t *req)
{
    bool details;
    if (!rpc_arg_bool(c, req, "peer_details", false, &details))
        return;
    rpc_ctx *ctx = rpc_call_ctx(c);
    const rpc_node_stats *s = rpc_ctx_stats(ctx);
    if (!rpc_stats_fresh(s->elections_at_ns)) {
        rpc_reply_status(
            c, 503,
            json_pack("{s:s}", "error", "Elections process unavailable (no online weight)"));
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "quorum_delta", rpc_json_amount(s->quorum_delta));
    json_object_set_new(o, "online_weight_quorum_percent", rpc_json_u64(s->quorum_percent));
    json_object_set_new(o, "online_weight_minimum", rpc_json_amount(s->online_minimum));
    json_object_set_new(o, "online_stake_total", rpc_json_amount(s->online_weight));
    json_object_set_new(o, "trended_stake_total", rpc_json_amount(s->trended_weight));
    /* every vote reaches us through a peer: the weight seen voting is the
     * weight among our peers */
    json_object_set_new(o, "peers_stake_total", rpc_json_amount(s->online_weight));
    json_object_set_new(o, "peers_stake_required", rpc_json_amount(s->quorum_delta));
    if (details) {
        json_t *list = json_array();
        for (size_t i = 0; i < s->nonline; i++)
            json_array_append_new(list, json_pack("{s:o,s:o}", "account",
                                                  rpc_json_account(s->online[i].rep), "weight",
                                                  rpc_json_amount(s->online[i].weight)));
        json_object_set_new(o, "peers", list);
    }
    rpc_reply(c, o);
}
