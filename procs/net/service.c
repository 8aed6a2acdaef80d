#include "procs/net/service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "common/hex.h"
#include "common/log.h"
#include "ipc/tcp_socket.h"
#include "procs/net/service_internal.h"
#include "procs/net/service_nodekey.h"

uint64_t net_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t net_now_s(void)
{
    return net_now_ms() / 1000u;
}

/* ---- self ---- */

bool net_service_is_self(const net_service *s, const net_endpoint *ep)
{
    for (size_t i = 0; i < s->nself; i++)
        if (net_endpoint_equal(&s->self[i], ep))
            return true;
    return false;
}

void net_service_add_self(net_service *s, const net_endpoint *ep)
{
    if (net_service_is_self(s, ep))
        return;
    if (s->nself < NET_MAX_SELF)
        s->self[s->nself++] = *ep;
    net_peers_remove(s->peers, ep);
}

/* Our own listening endpoints as others would write them. */
static void note_own_endpoints(net_service *s)
{
    if (!s->port)
        return;
    net_endpoint ep;
    if (net_endpoint_parse("127.0.0.1", s->port, &ep))
        net_service_add_self(s, &ep);
    if (net_endpoint_parse("::1", s->port, &ep))
        net_service_add_self(s, &ep);
    if (net_endpoint_parse(s->listen_addr, s->port, &ep) && net_endpoint_is_usable(&ep))
        net_service_add_self(s, &ep);
}

/* ---- bans ---- */

static bool is_loopback(const uint8_t a[16])
{
    static const uint8_t v6[16] = {[15] = 1};
    static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
    return memcmp(a, v6, 16) == 0 || (memcmp(a, mapped, 12) == 0 && a[12] == 127);
}

/* Loopback is never banned (a one-host devnet shares it), unless a test
 * turned that off ([net] ban_loopback). */
static bool ban_exempt(const net_service *s, const uint8_t a[16])
{
    return !s->ban_loopback && is_loopback(a);
}

/* An exempt address is not refused, but for ban_s its new channels start
 * with empty budgets: disconnecting and reconnecting buys no fresh burst. */
static void penalize(net_service *s, const net_endpoint *ep)
{
    uint64_t now = net_now_s();
    net_peers_ban(s->offenders, ep->addr, now + s->ban_s, now);
}

static void ban(net_service *s, const net_endpoint *ep, const char *why)
{
    uint64_t now = net_now_s();
    char name[NET_ENDPOINT_STR_BYTES];
    net_endpoint_format(ep, name);
    net_peers_ban(s->peers, ep->addr, now + s->ban_s, now);
    smn_warn("banning %s for %u s: %s", name, s->ban_s, why);
}

void net_service_misbehaved(net_service *s, net_channel *ch, const char *why)
{
    const net_endpoint *ep = net_channel_endpoint(ch);
    char name[NET_ENDPOINT_STR_BYTES];
    net_endpoint_format(ep, name);
    if (ban_exempt(s, ep->addr)) {
        penalize(s, ep);
        smn_warn("disconnecting %s: %s (loopback is not banned: no burst for %u s)", name, why,
                 s->ban_s);
    } else {
        ban(s, ep, why);
    }
    net_channel_close(ch);
}

/* Protocol violations the channel layer detected. A timeout, EOF or a
 * failed connect is not misbehaviour. */
static bool is_violation(net_close_reason why)
{
    return why == NET_CLOSE_WRONG_NETWORK || why == NET_CLOSE_MALFORMED ||
           why == NET_CLOSE_HANDSHAKE || why == NET_CLOSE_BAD_SIGNATURE;
}

void net_service_probe_failed(net_service *s, const net_channel *ch)
{
    const net_endpoint *ep = net_channel_endpoint(ch);
    if (ban_exempt(s, ep->addr))
        return;
    uint64_t now = net_now_s();
    net_peers_ban(s->probe_failed, ep->addr, now + NET_PROBE_LOCKOUT_S, now);
}

static bool allow_reserved(const net_endpoint *from, void *ud)
{
    net_service *s = ud;
    return !net_peers_is_banned(s->probe_failed, from->addr, net_now_s());
}

net_channel *net_service_channel_by_id(net_service *s, const uint8_t node_id[32])
{
    return net_channels_find(s->chans, node_id);
}

/* ---- channel callbacks ---- */

static void on_ready(net_channel *ch, void *ud)
{
    net_service *s = ud;
    net_peer_info *info = net_channel_user(ch);
    uint64_t now = net_now_ms();
    info->last_rx_ms = now;
    info->ready = true;
    net_vreq_init(&info->vreq, now);
    net_flood_gate_init(&info->gate_publish, NET_GATE_PUBLISH, now);
    net_flood_gate_init(&info->gate_ack, NET_GATE_CONFIRM_ACK, now);
    net_limiter_init(&info->verify, NET_VERIFY_RATE, NET_VERIFY_RATE, now);
    net_flood_gate_init(&info->gate_frontier, NET_GATE_FRONTIER_REQ, now);
    net_flood_gate_init(&info->gate_pull, NET_GATE_BULK_PULL, now);
    net_flood_gate_init(&info->gate_tele, NET_GATE_TELEMETRY_REQ, now);
    net_flood_gate_init(&info->gate_keepalive, NET_GATE_KEEPALIVE, now);
    if (net_peers_is_banned(s->offenders, net_channel_endpoint(ch)->addr, now / 1000u)) {
        net_flood_gate *gates[] = {&info->gate_publish, &info->gate_ack,  &info->gate_frontier,
                                   &info->gate_pull,    &info->gate_tele, &info->gate_keepalive,
                                   &info->vreq.in};
        for (size_t i = 0; i < sizeof gates / sizeof gates[0]; i++)
            net_flood_gate_no_burst(gates[i]);
    }
    char name[NET_ENDPOINT_STR_BYTES], id[17];
    net_endpoint_format(net_channel_endpoint(ch), name);
    smn_hex_encode(net_channel_node_id(ch), 8, id);
    smn_info("peer %s ready (%s, node %s...), %zu channels", name,
             net_channel_is_inbound(ch) ? "inbound" : "outbound", id,
             net_channels_ready_count(s->chans));
    net_dial_ready(s, ch, info);
    net_keepalive_send(s, ch);
    net_telemetry_request(s, ch, now);
    if (net_channel_is_reserved(ch)) {
        net_probe_start(&info->probe, now);
        net_votes_probe_tick(s, ch, info, now);
    }
}

/* The flood gate of a message type, NULL for types not gated here
 * (confirm_req has its own, answers are bounded by what we asked). */
static net_flood_gate *gate_of(net_peer_info *info, net_msg_type t)
{
    switch (t) {
    case NET_MSG_PUBLISH:
        return &info->gate_publish;
    case NET_MSG_CONFIRM_ACK:
        return &info->gate_ack;
    case NET_MSG_FRONTIER_REQ:
        return &info->gate_frontier;
    case NET_MSG_BULK_PULL:
        return &info->gate_pull;
    case NET_MSG_TELEMETRY_REQ:
        return &info->gate_tele;
    case NET_MSG_KEEPALIVE:
        return &info->gate_keepalive;
    default:
        return NULL;
    }
}

static void on_message(net_channel *ch, const net_message *m, void *ud)
{
    net_service *s = ud;
    net_peer_info *info = net_channel_user(ch);
    info->last_rx_ms = net_now_ms();
    net_flood_gate *g = gate_of(info, m->type);
    if (g) {
        net_gate_verdict v = net_flood_gate_check(g, 1, info->last_rx_ms);
        if (v != NET_GATE_PASS) {
            s->throttled++;
            if (v == NET_GATE_FLOOD) {
                char why[64];
                snprintf(why, sizeof why, "floods %s far beyond its rate limit",
                         net_msg_type_name(m->type));
                net_service_misbehaved(s, ch, why);
            }
            return;
        }
    }
    switch (m->type) {
    case NET_MSG_KEEPALIVE:
        net_keepalive_received(s, ch, &m->u.keepalive);
        break;
    case NET_MSG_PUBLISH:
        net_blocks_publish(s, ch, &m->u.publish);
        break;
    case NET_MSG_CONFIRM_ACK:
        net_votes_confirm_ack(s, ch, &m->u.confirm_ack);
        break;
    case NET_MSG_TELEMETRY_REQ:
        net_telemetry_answer(s, ch);
        break;
    case NET_MSG_TELEMETRY_ACK:
        net_telemetry_received(s, ch, &m->u.telemetry_ack);
        break;
    case NET_MSG_BULK_PULL:
        net_pull_serve(s, ch, &m->u.bulk_pull);
        break;
    case NET_MSG_BULK_PULL_RESP:
        net_pull_received(s, ch, &m->u.bulk_pull_resp);
        break;
    case NET_MSG_FRONTIER_REQ:
        net_frontier_serve(s, ch, &m->u.frontier_req);
        break;
    case NET_MSG_FRONTIER_RESP:
        net_frontier_received(s, ch, &m->u.frontier_resp);
        break;
    case NET_MSG_CONFIRM_REQ:
        net_votes_confirm_req(s, ch, &m->u.confirm_req);
        break;
    case NET_MSG_HANDSHAKE:
        break; /* the channel layer handles it and never delivers it */
    }
}

static void on_close(net_channel *ch, net_close_reason why, void *ud)
{
    net_service *s = ud;
    net_peer_info *info = net_channel_user(ch);
    const net_endpoint *ep = net_channel_endpoint(ch);
    if (why == NET_CLOSE_SELF) {
        net_service_add_self(s, ep);
        if (info && info->dial)
            info->dial->failures = NET_LEARNED_FAILURES; /* never again */
    } else if (is_violation(why)) {
        if (ban_exempt(s, ep->addr))
            penalize(s, ep);
        else
            ban(s, ep, net_close_reason_name(why));
    }
    if (info && info->ready) {
        char name[NET_ENDPOINT_STR_BYTES];
        net_endpoint_format(ep, name);
        smn_info("peer %s gone: %s, %zu channels left", name, net_close_reason_name(why),
                 net_channels_ready_count(s->chans));
    }
    if (info) {
        net_dial_closed(s, ch, info, why);
        net_boot_fail(info, "the peer went away");
        net_pull_info_free(info);
        free(info);
        net_channel_set_user(ch, NULL);
    }
}

static bool allow_inbound(const net_endpoint *from, void *ud)
{
    net_service *s = ud;
    return !net_peers_is_banned(s->peers, from->addr, net_now_s());
}

/* Inbound channels get their info here: the library has no accept hook,
 * so the first callback that finds none attaches it. */
static net_peer_info *ensure_info(net_channel *ch)
{
    net_peer_info *info = net_channel_user(ch);
    if (!info) {
        info = calloc(1, sizeof *info);
        if (info) {
            info->last_rx_ms = net_now_ms();
            net_channel_set_user(ch, info);
        }
    }
    return info;
}

static void on_ready_cb(net_channel *ch, void *ud)
{
    if (!ensure_info(ch)) {
        net_channel_close(ch);
        return;
    }
    on_ready(ch, ud);
}

/* ---- listening ---- */

static uint16_t socket_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    net_endpoint ep;
    if (net_endpoint_from_sockaddr((struct sockaddr *)&ss, &ep) != 0)
        return 0;
    return ep.port;
}

static int inherited_peer_fd(void)
{
    const char *v = getenv("SMN_PEER_FD");
    if (!v || !*v)
        return -1;
    char *end;
    long fd = strtol(v, &end, 10);
    if (*end || fd < 0 || fd > 1024) {
        smn_error("SMN_PEER_FD is not a file descriptor number");
        return -2;
    }
    int acc = 0;
    socklen_t len = sizeof acc;
    if (getsockopt((int)fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) != 0 || !acc) {
        smn_error("fd %ld from SMN_PEER_FD is not a listening socket", fd);
        return -2;
    }
    return (int)fd;
}

/* Bind the port ourselves (no supervisor, or it could not). */
static void try_listen(net_service *s, uint16_t port, uint64_t now)
{
    s->next_listen_try_ms = now + NET_LISTEN_RETRY_MS;
    int fd = ipc_tcp_listen(s->listen_addr, port, 128);
    if (fd < 0) {
        /* Once as a warning, then quietly: the port may stay taken for long. */
        smn_log(s->listen_warned ? SMN_LOG_DEBUG : SMN_LOG_WARN,
                "cannot listen for peers on %s port %u: %s (retrying every %u s)", s->listen_addr,
                (unsigned)port, strerror(-fd), NET_LISTEN_RETRY_MS / 1000);
        s->listen_warned = true;
        return;
    }
    if (net_channels_listen(s->chans, fd) != 0) {
        close(fd);
        return;
    }
    s->listen_fd = fd;
    smn_info("listening for peers on %s port %u", s->listen_addr, (unsigned)port);
}

static void on_tick(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    net_service *s = ud;
    uint64_t now = net_now_ms();
    if (s->listen_fd < 0 && now >= s->next_listen_try_ms)
        try_listen(s, s->port, now);
    net_dial_tick(s, now);
    char detail[128];
    snprintf(detail, sizeof detail, "%zu peers, %zu known, blocks in/out %llu/%llu",
             net_channels_ready_count(s->chans), net_peers_count(s->peers),
             (unsigned long long)s->blocks_in, (unsigned long long)s->blocks_out);
    ipc_child_set_detail(s->child, detail);
}

/* ---- lifecycle ---- */

static int setup(net_service *s, ipc_child *child)
{
    const ipc_config *cfg = ipc_child_config(child);
    s->child = child;
    s->base = ipc_child_base(child);
    s->listen_fd = -1;
    s->started_ms = net_now_ms();
    s->net = smn_network_by_name(cfg->network);
    if (!s->net) {
        smn_error("unknown network '%s'", cfg->network);
        return -1;
    }
    if (smn_crypto_init() != 0) {
        smn_error("cannot initialise libsodium");
        return -1;
    }
    snprintf(s->data_dir, sizeof s->data_dir, "%s", cfg->data_dir);
    ledger_ro_handle_opts ro = {
        .data_dir = cfg->data_dir, .net = s->net, .retry_ms = NET_LEDGER_RO_RETRY_MS};
    if (ledger_ro_handle_init(&s->ro, &ro) != LEDGER_STATUS_OK) {
        smn_error("data dir path too long: %s", cfg->data_dir);
        return -1;
    }
    snprintf(s->listen_addr, sizeof s->listen_addr, "%s",
             ipc_peering_address(cfg->net_address, cfg->network));
    s->keepalive_ms = s->net->id == SMN_NET_DEV ? 2000u : 15000u;
    s->idle_ms = 4u * s->keepalive_ms;

    char err[600];
    bool created = false;
    if (net_node_key_load(s->data_dir, &s->key, &created, err, sizeof err) != 0) {
        smn_error("node key: %s", err);
        return -1;
    }
    char id[17];
    smn_hex_encode(s->key.pub, 8, id);
    smn_info("%s node id %s...", created ? "created" : "loaded", id);

    s->ban_s = cfg->net_ban_s ? cfg->net_ban_s : 900u;
    s->ban_loopback = cfg->net_ban_loopback;
    if (s->ban_loopback)
        smn_warn("[net] ban_loopback is on (for testing): loopback peers can be banned");
    smn_block_hash(&s->net->genesis, s->genesis_hash);
    s->peers = net_peers_new(NET_PEER_TABLE, NET_BAN_TABLE);
    s->offenders = net_peers_new(1, NET_BAN_TABLE);
    s->probe_failed = net_peers_new(1, NET_BAN_TABLE);
    s->seen_blocks = net_seen_new(NET_SEEN_ITEMS);
    s->seen_votes = net_seen_new(NET_SEEN_ITEMS);
    net_limiter_init(&s->unlisted_verify, NET_UNLISTED_VERIFY_RATE, NET_UNLISTED_VERIFY_RATE,
                     net_now_ms());
    if (!s->peers || !s->offenders || !s->probe_failed || !s->seen_blocks || !s->seen_votes) {
        smn_error("out of memory");
        return -1;
    }
    net_channels_config cc = {
        .net = s->net,
        .node_key = &s->key,
        .gossip_bytes_per_sec = NET_GOSSIP_BYTES_PER_S,
        .max_channels = cfg->net_max_peers,
        .reserved_outbound = cfg->net_reserved_outbound,
        .reserved_reps = cfg->net_reserved_reps,
        .max_per_address = cfg->net_max_peers_per_address,
        .max_pending = cfg->net_max_pending,
        .max_pending_per_address = cfg->net_max_pending_per_address,
        .max_dialing = NET_MAX_DIALING,
        .handshake_timeout_ms = cfg->net_handshake_timeout_ms,
    };
    net_channel_callbacks cb = {.on_ready = on_ready_cb,
                                .on_message = on_message,
                                .on_close = on_close,
                                .allow_inbound = allow_inbound,
                                .allow_reserved = allow_reserved,
                                .ud = s};
    s->chans = net_channels_new(s->base, &cc, &cb);
    if (!s->chans) {
        smn_error("cannot create the channel set");
        return -1;
    }

    uint16_t port = cfg->net_port ? (uint16_t)cfg->net_port : s->net->peering_port;
    int fd = inherited_peer_fd();
    if (fd == -2)
        return -1;
    if (fd >= 0) {
        if (net_channels_listen(s->chans, fd) != 0) {
            smn_error("cannot accept peers on the inherited socket");
            return -1;
        }
        s->listen_fd = fd;
        s->inherited_fd = true;
        uint16_t actual = socket_port(fd);
        if (actual)
            port = actual;
        smn_info("accepting peers on port %u (socket from the supervisor)", (unsigned)port);
    }
    s->port = port;
    note_own_endpoints(s);
    if (s->listen_fd < 0)
        try_listen(s, port, net_now_ms());

    if (net_dial_init(s, err, sizeof err) != 0) {
        smn_error("%s", err);
        return -1;
    }
    if (net_blocks_init(s) != 0)
        return -1;

    s->tick = event_new(s->base, -1, EV_PERSIST, on_tick, s);
    struct timeval tv = {0, NET_TICK_MS * 1000};
    if (!s->tick || event_add(s->tick, &tv) != 0) {
        smn_error("cannot start the net timer");
        return -1;
    }
    net_dial_tick(s, net_now_ms()); /* dial the configured peers now */
    return 0;
}

/* net's metrics, brought up to date before each heartbeat answer. */
static void collect(ipc_metrics *r, void *ud)
{
    net_service *s = ud;
    net_channels_stats st;
    net_channels_get_stats(s->chans, &st);
    ipc_metric_set(ipc_metric_gauge(r, "peers", "direction=in", "Handshaken peer channels."),
                   (int64_t)st.ready_in);
    ipc_metric_set(ipc_metric_gauge(r, "peers", "direction=out", "Handshaken peer channels."),
                   (int64_t)st.ready_out);
    ipc_metric_set(ipc_metric_gauge(r, "reserved_peers", NULL,
                                    "Inbound peers in reserved representative slots."),
                   (int64_t)st.ready_reserved);
    ipc_metric_set(ipc_metric_counter(r, "reserved_slot_probes_total", "result=proven",
                                      "Peers probed in reserved slots, by outcome."),
                   (int64_t)s->reps_proven);
    ipc_metric_set(ipc_metric_counter(r, "reserved_slot_probes_total", "result=closed",
                                      "Peers probed in reserved slots, by outcome."),
                   (int64_t)s->reps_unproven);
    ipc_metric_set(ipc_metric_gauge(r, "pending_channels", NULL,
                                    "Channels still in the handshake, both directions."),
                   (int64_t)(st.pending_in + st.dialing));
    ipc_metric_set(ipc_metric_gauge(r, "known_peers", NULL, "Peer addresses known."),
                   (int64_t)net_peers_count(s->peers));
    ipc_metric_set(ipc_metric_counter(r, "bytes_total", "direction=in", "Peering bytes."),
                   (int64_t)st.bytes_in);
    ipc_metric_set(ipc_metric_counter(r, "bytes_total", "direction=out", "Peering bytes."),
                   (int64_t)st.bytes_out);
    ipc_metric_set(ipc_metric_counter(r, "blocks_total", "direction=in", "Blocks from/to peers."),
                   (int64_t)s->blocks_in);
    ipc_metric_set(ipc_metric_counter(r, "blocks_total", "direction=out", "Blocks from/to peers."),
                   (int64_t)s->blocks_out);
    ipc_metric_set(ipc_metric_counter(r, "votes_total", "direction=in", "Votes from/to peers."),
                   (int64_t)s->votes_in);
    ipc_metric_set(ipc_metric_counter(r, "votes_total", "direction=out", "Votes from/to peers."),
                   (int64_t)s->votes_out);
    ipc_metric_set(ipc_metric_counter(r, "dropped_total", NULL,
                                      "Messages dropped (duplicates, limits, full queues)."),
                   (int64_t)s->dropped);
    ipc_metric_set(ipc_metric_counter(r, "channels_limited_total", NULL,
                                      "Channels closed at the handshake for want of a slot."),
                   (int64_t)st.limited);
}

int net_service_start(ipc_child *ch, net_service **out)
{
    *out = NULL;
    net_service *s = calloc(1, sizeof *s);
    if (!s) {
        smn_error("out of memory");
        return -1;
    }
    if (setup(s, ch) != 0) {
        net_service_stop(s);
        return -1;
    }
    ipc_child_on_collect(ch, collect, s);
    *out = s;
    return 0;
}

void net_service_stop(net_service *s)
{
    if (!s)
        return;
    if (s->tick)
        event_free(s->tick);
    /* The ledger link first: failing its pending requests touches the seen set. */
    net_blocks_free(s);
    net_channels_free(s->chans); /* on_close frees every channel's info */
    net_dial_free(s);
    ledger_ro_handle_close(&s->ro);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    net_peers_free(s->peers);
    net_peers_free(s->offenders);
    net_peers_free(s->probe_failed);
    net_seen_free(s->seen_blocks);
    net_seen_free(s->seen_votes);
    smn_keypair_wipe(&s->key);
    free(s);
}

int net_service_child_init(ipc_child *ch, void *ud)
{
    return net_service_start(ch, (net_service **)ud);
}

void net_service_child_fini(ipc_child *ch, void *ud)
{
    (void)ch;
    net_service **s = ud;
    net_service_stop(*s);
    *s = NULL;
}
