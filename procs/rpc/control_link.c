/* See control_link.h. */
#include "procs/rpc/control_link.h"

#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/log.h"
#include "ipc/ipc.h"

struct rpc_control_link {
    ipc_child *ch;           /* `stop` goes to the supervisor over our own channel */
    ipc_endpoint *bootstrap; /* run/bootstrap.sock */
    ipc_endpoint *elections; /* run/elections.sock */
    ipc_endpoint *ledger;    /* run/ledger.sock (unchecked_clear) */
    ipc_endpoint *net;       /* run/net.sock (keepalive, republish) */
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
    ipc_endpoint_opts lo = {
        .family = &ipc_family_ledger, .name = "ledger", .reconnect_max_ms = 1000};
    l->ledger = ipc_child_connect(ch, "ledger", &lo);
    ipc_endpoint_opts no = {.family = &ipc_family_net, .name = "net", .reconnect_max_ms = 1000};
    l->net = ipc_child_connect(ch, "net", &no);
    if (!l->bootstrap || !l->elections || !l->ledger || !l->net) {
        smn_error("rpc: cannot connect to bootstrap.sock / elections.sock / ledger.sock");
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
    ipc_endpoint_free(l->ledger);
    ipc_endpoint_free(l->net);
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

/* confirmation_active's answer from active_r. */
static void on_active(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    const ipc_obj *roots = st == IPC_OK ? ipc_get_array(reply->body, "roots") : NULL;
    bool more = false;
    uint64_t total = 0;
    if (!roots || !ipc_get_bool(reply->body, "more", &more) ||
        !ipc_get_uint(reply->body, "total", &total)) {
        unavailable(c, "Elections process");
        return;
    }
    json_t *list = json_array();
    const uint8_t *last = NULL;
    for (size_t i = 0; i < ipc_array_len(roots); i++) {
        const uint8_t *p;
        size_t n;
        if (ipc_obj_bin(ipc_array_at(roots, i), &p, &n) && n == 32) {
            json_array_append_new(list, rpc_json_hash(p));
            last = p;
        }
    }
    /* smn's elections leave as soon as they confirm: none waits confirmed */
    json_t *o = json_pack("{s:o,s:o,s:s}", "confirmations", list, "unconfirmed",
                          rpc_json_u64(total), "confirmed", "0");
    if (more && last)
        json_object_set_new(o, "next", rpc_json_hash(last));
    rpc_reply(c, o);
}

static bool amount_of(const ipc_obj *m, const char *name, smn_amount_t *out)
{
    const uint8_t *p;
    size_t n;
    if (!ipc_get_bin(m, name, &p, &n) || n != 16)
        return false;
    *out = smn_amount_from_be(p);
    return true;
}

/* confirmation_info's answer from election_r (Nano's shape; smn counts no
 * announcements, and adds the election's state and age). */
static void on_election(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    bool found = false;
    if (st == IPC_OK && ipc_get_bool(reply->body, "found", &found) && !found) {
        rpc_reply_error(c, "Active confirmation not found");
        return;
    }
    const rpc_election_query *q = rpc_call_election_query(c);
    const ipc_obj *cands = st == IPC_OK ? ipc_get_array(reply->body, "candidates") : NULL;
    uint64_t voters = 0, leader = 0, age = 0;
    char state[17];
    if (!cands || !ipc_get_uint(reply->body, "voters", &voters) ||
        !ipc_get_uint(reply->body, "leader", &leader) ||
        !ipc_get_uint(reply->body, "age_ms", &age) ||
        !ipc_get_strz(reply->body, "state", state, sizeof state)) {
        unavailable(c, "Elections process");
        return;
    }
    json_t *blocks = json_object();
    smn_amount_t total = smn_amount_zero(), final_total = smn_amount_zero();
    uint8_t leader_hash[32] = {0};
    for (size_t i = 0; i < ipc_array_len(cands); i++) {
        const ipc_obj *e = ipc_array_at(cands, i);
        const uint8_t *wire;
        size_t n;
        smn_block b;
        smn_amount_t tally, final;
        if (!ipc_get_bin(e, "block", &wire, &n) ||
            smn_block_deserialize(wire, n, &b) != SMN_BLOCK_OK || !amount_of(e, "tally", &tally) ||
            !amount_of(e, "final_tally", &final))
            continue; /* the schema checked the shape: not reached */
        uint8_t h[32];
        smn_block_hash(&b, h);
        if (i == leader)
            memcpy(leader_hash, h, 32);
        (void)smn_amount_add(total, tally, &total);
        (void)smn_amount_add(final_total, final, &final_total);
        json_t *one = json_pack("{s:o,s:o}", "tally", rpc_json_amount(tally), "final_tally",
                                rpc_json_amount(final));
        if (q->contents) {
            json_t *jb = rpc_json_block(&b);
            if (!q->json_block) {
                char *text = json_dumps(jb, JSON_COMPACT);
                json_decref(jb);
                jb = text ? json_string(text) : json_null();
                free(text);
            }
            json_object_set_new(one, "contents", jb);
        }
        char hex[65];
        smn_hex_encode(h, 32, hex);
        json_object_set_new(blocks, hex, one);
    }
    json_t *o = json_object();
    json_object_set_new(o, "voters", rpc_json_u64(voters));
    json_object_set_new(o, "last_winner", rpc_json_hash(leader_hash));
    json_object_set_new(o, "total_tally", rpc_json_amount(total));
    json_object_set_new(o, "final_tally", rpc_json_amount(final_total));
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "duration", rpc_json_u64(age));
    json_object_set_new(o, "blocks", blocks);
    rpc_reply(c, o);
}

/* confirmation_history's answer from history_r (Nano's shape; smn keeps
 * no voter or request counts per confirmation). */
static void on_history(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    const ipc_obj *entries = st == IPC_OK ? ipc_get_array(reply->body, "entries") : NULL;
    if (!entries) {
        unavailable(c, "Elections process");
        return;
    }
    const rpc_election_query *q = rpc_call_election_query(c);
    uint64_t now_ms = rpc_wall_ms(), total_ms = 0, n = 0;
    json_t *list = json_array();
    for (size_t i = 0; i < ipc_array_len(entries); i++) {
        const ipc_obj *e = ipc_array_at(entries, i);
        const uint8_t *hash;
        size_t hl;
        uint64_t dur, age, cands;
        smn_amount_t tally, final;
        if (!ipc_get_bin(e, "hash", &hash, &hl) || hl != 32 ||
            !ipc_get_uint(e, "duration_ms", &dur) || !ipc_get_uint(e, "age_ms", &age) ||
            !ipc_get_uint(e, "candidates", &cands) || !amount_of(e, "tally", &tally) ||
            !amount_of(e, "final_tally", &final))
            continue; /* the schema checked the shape: not reached */
        if (q->has_root && memcmp(hash, q->root, 32) != 0)
            continue;
        json_array_append_new(list,
                              json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "hash", rpc_json_hash(hash),
                                        "duration", rpc_json_u64(dur), "time",
                                        rpc_json_u64(now_ms > age ? now_ms - age : 0), "tally",
                                        rpc_json_amount(tally), "final_tally",
                                        rpc_json_amount(final), "blocks", rpc_json_u64(cands)));
        total_ms += dur;
        n++;
    }
    json_t *stats = json_pack("{s:o}", "count", rpc_json_u64(n));
    if (n)
        json_object_set_new(stats, "average", rpc_json_u64(total_ms / n));
    rpc_reply(c, json_pack("{s:o,s:o}", "confirmation_stats", stats, "confirmations", list));
}

/* populate_backlog's answer: elections started its scan. */
static void on_resync(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    (void)reply;
    rpc_call *c = ud;
    if (st != IPC_OK) {
        unavailable(c, "Elections process");
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "success", ""));
}

/* unchecked_clear's answer (Nano's {"success":""}, plus how many went). */
static void on_unchecked_cleared(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    uint64_t removed;
    if (st != IPC_OK || !ipc_get_uint(reply->body, "removed", &removed)) {
        unavailable(c, "Ledger process");
        return;
    }
    rpc_reply(c, json_pack("{s:s,s:o}", "success", "", "removed", rpc_json_u64(removed)));
}

/* net's answer to `connect`: true when it is dialling; otherwise answers
 * c with net's refusal or "Net process unavailable". */
static bool net_dialling(rpc_call *c, ipc_status st, const ipc_msg *reply)
{
    if (st == IPC_E_REMOTE) {
        char why[128];
        if (!ipc_get_strz(reply->body, "message", why, sizeof why))
            why[0] = '\0';
        rpc_reply_error(c, why[0] ? why : "net refused the endpoint");
        return false;
    }
    if (st != IPC_OK) {
        unavailable(c, "Net process");
        return false;
    }
    return true;
}

/* keepalive's answer: net is dialling (Nano's {"started":"1"}). */
static void on_connect(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    if (!net_dialling(c, st, reply))
        return;
    rpc_reply(c, json_pack("{s:s}", "started", "1"));
}

/* republish's answer: net sent the blocks; the action's answer goes out. */
static void on_published(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    uint64_t sent;
    rpc_net_request *q = rpc_call_net_request(c);
    if (st != IPC_OK || !ipc_get_uint(reply->body, "sent", &sent)) {
        unavailable(c, "Net process");
        return;
    }
    json_t *answer = q->answer;
    q->answer = NULL;
    rpc_reply(c, answer);
}

/* "1.2.3.4:7075" / "[::1]:7075" into Nano's address and port. */
static bool split_endpoint(const char *ep, char *addr, size_t cap, uint16_t *port)
{
    const char *colon = strrchr(ep, ':');
    if (!colon)
        return false;
    const char *start = ep, *end = colon;
    if (*start == '[' && end > start && end[-1] == ']') {
        start++;
        end--;
    }
    size_t n = (size_t)(end - start);
    if (n == 0 || n >= cap)
        return false;
    memcpy(addr, start, n);
    addr[n] = '\0';
    char *rest;
    unsigned long p = strtoul(colon + 1, &rest, 10);
    if (*rest || p == 0 || p > 65535)
        return false;
    *port = (uint16_t)p;
    return true;
}

/* One peer's telemetry in Nano's field names (what smn's telemetry
 * message carries; Nano's others are not sent by smn nodes). */
static json_t *peer_telemetry(const ipc_obj *e, const char *addr, uint16_t port)
{
    const uint8_t *id, *genesis, *sig;
    size_t nid, ng, ns;
    uint64_t blocks, cemented, accounts, peers, proto, uptime, ts;
    if (!ipc_get_bin(e, "node_id", &id, &nid) || nid != 32 ||
        !ipc_get_bin(e, "genesis", &genesis, &ng) || ng != 32 ||
        !ipc_get_bin(e, "signature", &sig, &ns) || ns != 64 ||
        !ipc_get_uint(e, "block_count", &blocks) || !ipc_get_uint(e, "cemented_count", &cemented) ||
        !ipc_get_uint(e, "account_count", &accounts) || !ipc_get_uint(e, "peer_count", &peers) ||
        !ipc_get_uint(e, "protocol_version", &proto) || !ipc_get_uint(e, "uptime", &uptime) ||
        !ipc_get_uint(e, "timestamp", &ts))
        return NULL; /* the schema checked the shape: not reached */
    char sighex[129];
    smn_hex_encode(sig, 64, sighex);
    json_t *o = json_object();
    json_object_set_new(o, "block_count", rpc_json_u64(blocks));
    json_object_set_new(o, "cemented_count", rpc_json_u64(cemented));
    json_object_set_new(o, "account_count", rpc_json_u64(accounts));
    json_object_set_new(o, "peer_count", rpc_json_u64(peers));
    json_object_set_new(o, "protocol_version", rpc_json_u64(proto));
    json_object_set_new(o, "uptime", rpc_json_u64(uptime));
    json_object_set_new(o, "genesis_block", rpc_json_hash(genesis));
    json_object_set_new(o, "timestamp", rpc_json_u64(ts));
    json_object_set_new(o, "node_id", rpc_json_node_id(id));
    json_object_set_new(o, "signature", json_string(sighex));
    json_object_set_new(o, "address", json_string(addr));
    json_object_set_new(o, "port", rpc_json_u64(port));
    return o;
}

/* telemetry's answer: {"metrics": [...]} (raw), or the one peer asked for. */
static void on_telemetry(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    const ipc_obj *peers = st == IPC_OK ? ipc_get_array(reply->body, "peers") : NULL;
    if (!peers) {
        unavailable(c, "Net process");
        return;
    }
    const rpc_net_request *q = rpc_call_net_request(c);
    json_t *metrics = json_array();
    for (size_t i = 0; i < ipc_array_len(peers); i++) {
        const ipc_obj *e = ipc_array_at(peers, i);
        char ep[65], addr[64];
        uint16_t port;
        if (!ipc_get_strz(e, "endpoint", ep, sizeof ep) ||
            !split_endpoint(ep, addr, sizeof addr, &port))
            continue;
        if (q->port && (port != q->port || strcmp(addr, q->address) != 0))
            continue;
        json_t *one = peer_telemetry(e, addr, port);
        if (!one)
            continue;
        if (q->port) {
            json_decref(metrics);
            rpc_reply(c, one);
            return;
        }
        json_array_append_new(metrics, one);
    }
    if (q->port) {
        json_decref(metrics);
        rpc_reply_error(c, "Peer not found");
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "metrics", metrics));
}

/* bootstrap_lazy's answer (Nano's shape; smn has no lazy key set: both
 * say whether a peer was asked). */
static void on_pull_chain(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    bool started;
    if (st != IPC_OK || !ipc_get_bool(reply->body, "started", &started)) {
        unavailable(c, "Net process");
        return;
    }
    rpc_reply(c, json_pack("{s:s,s:s}", "started", started ? "1" : "0", "key_inserted",
                           started ? "1" : "0"));
}

/* bootstrap: net is dialling the peer; now the round. */
static void on_bootstrap_dialled(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    rpc_call *c = ud;
    rpc_control_link *l = rpc_call_net_request(c)->link;
    if (!net_dialling(c, st, reply))
        return;
    ipc_builder b;
    ipc_build_begin(&b, "start");
    if (ipc_request(ipc_endpoint_conn(l->bootstrap), &b, RPC_CONTROL_TIMEOUT_MS, on_started, c) !=
        IPC_OK)
        unavailable(c, "Bootstrap process");
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
    } else if (op == RPC_NODE_OP_BACKLOG) {
        conn = ipc_endpoint_conn(l->elections);
        ipc_build_begin(&b, "resync");
        cb = on_resync;
        who = "Elections process";
    } else if (op == RPC_NODE_OP_UNCHECKED_CLEAR) {
        conn = ipc_endpoint_conn(l->ledger);
        ipc_build_begin(&b, "unchecked_clear");
        cb = on_unchecked_cleared;
        who = "Ledger process";
    } else if (op == RPC_NODE_OP_PULL_CHAIN) {
        conn = ipc_endpoint_conn(l->net);
        ipc_build_begin(&b, "pull_chain");
        ipc_put_bin(&b, "hash", rpc_call_net_request(c)->hash, 32);
        cb = on_pull_chain;
        who = "Net process";
    } else if (op == RPC_NODE_OP_BOOTSTRAP_FROM) {
        rpc_call_net_request(c)->link = l;
        conn = ipc_endpoint_conn(l->net);
        ipc_build_begin(&b, "connect");
        ipc_put_str(&b, "address", rpc_call_net_request(c)->address);
        ipc_put_uint(&b, "port", rpc_call_net_request(c)->port);
        cb = on_bootstrap_dialled;
        who = "Net process";
    } else if (op == RPC_NODE_OP_TELEMETRY) {
        conn = ipc_endpoint_conn(l->net);
        ipc_build_begin(&b, "peer_telemetry");
        cb = on_telemetry;
        who = "Net process";
    } else if (op == RPC_NODE_OP_KEEPALIVE || op == RPC_NODE_OP_PUBLISH) {
        rpc_net_request *q = rpc_call_net_request(c);
        conn = ipc_endpoint_conn(l->net);
        if (op == RPC_NODE_OP_KEEPALIVE) {
            ipc_build_begin(&b, "connect");
            ipc_put_str(&b, "address", q->address);
            ipc_put_uint(&b, "port", q->port);
            cb = on_connect;
        } else {
            ipc_build_begin(&b, "publish");
            ipc_put_array_begin(&b, "blocks");
            for (size_t i = 0; i < q->nblocks; i++)
                ipc_put_bin(&b, NULL, q->blocks[i], SMN_BLOCK_WIRE_BYTES);
            ipc_put_array_end(&b);
            cb = on_published;
        }
        who = "Net process";
    } else if (op == RPC_NODE_OP_HISTORY) {
        conn = ipc_endpoint_conn(l->elections);
        ipc_build_begin(&b, "history");
        ipc_put_uint(&b, "count", rpc_call_election_query(c)->count);
        cb = on_history;
        who = "Elections process";
    } else if (op == RPC_NODE_OP_ACTIVE || op == RPC_NODE_OP_ELECTION) {
        const rpc_election_query *q = rpc_call_election_query(c);
        conn = ipc_endpoint_conn(l->elections);
        if (op == RPC_NODE_OP_ACTIVE) {
            ipc_build_begin(&b, "active");
            if (q->has_root)
                ipc_put_bin(&b, "after", q->root, 32);
            ipc_put_uint(&b, "count", q->count);
            cb = on_active;
        } else {
            ipc_build_begin(&b, "election");
            ipc_put_bin(&b, "root", q->root, 32);
            cb = on_election;
        }
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
