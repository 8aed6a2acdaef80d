/* Who we talk to: the configured peers (dialled for as long as we run, with
 * exponential backoff), peers learned from keepalives (dialled while we have
 * fewer than NET_TARGET_CHANNELS outbound channels, forgotten after repeated
 * failures), keepalives with peer exchange, and closing silent channels. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "common/log.h"
#include "procs/net/service_internal.h"

/* ---- the dial table ---- */

static net_dial *find_dial(net_service *s, const net_endpoint *ep)
{
    for (size_t i = 0; i < NET_DIAL_TABLE; i++)
        if (s->dials[i].used && net_endpoint_equal(&s->dials[i].ep, ep))
            return &s->dials[i];
    return NULL;
}

/* A free entry, or the idle learned entry due longest ago. */
static net_dial *new_dial(net_service *s, const net_endpoint *ep, bool configured)
{
    net_dial *victim = NULL;
    for (size_t i = 0; i < NET_DIAL_TABLE; i++) {
        net_dial *d = &s->dials[i];
        if (!d->used) {
            victim = d;
            break;
        }
        if (!d->configured && !d->ch && (!victim || d->next_ms < victim->next_ms))
            victim = d;
    }
    if (!victim)
        return NULL;
    *victim = (net_dial){
        .used = true, .configured = configured, .ep = *ep, .backoff_ms = NET_DIAL_MIN_MS};
    return victim;
}

static bool add_configured(net_service *s, const net_endpoint *ep)
{
    net_dial *d = find_dial(s, ep);
    if (d) {
        d->configured = true;
        return true;
    }
    return new_dial(s, ep, true) != NULL;
}

/* A channel (ready or still handshaking) already reaches ep: we dialled it,
 * or the peer dialled us and announced ep as its peering endpoint. */
bool net_dial_connected(net_service *s, const net_endpoint *ep)
{
    net_dial *d = find_dial(s, ep);
    if (d && d->ch)
        return true;
    net_channel *list[256];
    size_t n = net_channels_list(s->chans, list, 256);
    for (size_t i = 0; i < n; i++) {
        net_peer_info *info = net_channel_user(list[i]);
        if (net_endpoint_equal(net_channel_endpoint(list[i]), ep) ||
            (info && info->has_listen && net_endpoint_equal(&info->listen, ep)))
            return true;
    }
    return false;
}

static void schedule_retry(net_dial *d, uint64_t now)
{
    d->next_ms = now + d->backoff_ms;
    d->backoff_ms = d->backoff_ms >= NET_DIAL_MAX_MS / 2 ? NET_DIAL_MAX_MS : d->backoff_ms * 2;
}

static void dial(net_service *s, net_dial *d, uint64_t now)
{
    if (net_dial_connected(s, &d->ep)) {
        d->next_ms = now + NET_DIAL_MAX_MS; /* look again later, in case it drops */
        return;
    }
    net_peer_info *info = calloc(1, sizeof *info);
    if (!info)
        return;
    net_channel *ch = NULL;
    /* Configured peers pass the ready-channel limits ([net] max_peers). */
    int r = net_channels_dial(s->chans, &d->ep, d->configured, &ch);
    char name[NET_ENDPOINT_STR_BYTES];
    net_endpoint_format(&d->ep, name);
    if (r != 0) {
        free(info);
        d->failures++;
        schedule_retry(d, now);
        smn_debug("cannot dial %s: %s", name, strerror(-r));
        return;
    }
    info->dial = d;
    info->last_rx_ms = now;
    net_channel_set_user(ch, info);
    d->ch = ch;
    smn_debug("dialling %s", name);
}

int net_dial_now(net_service *s, const net_endpoint *ep)
{
    net_dial *d = find_dial(s, ep);
    if (!d)
        d = new_dial(s, ep, false);
    if (!d)
        return -ENOSPC;
    if (!d->ch)
        dial(s, d, net_now_ms());
    return 0;
}

void net_dial_ready(net_service *s, net_channel *ch, net_peer_info *info)
{
    (void)s;
    if (info->dial) {
        info->dial->backoff_ms = NET_DIAL_MIN_MS;
        info->dial->failures = 0;
        net_peers_touch(s->peers, &info->dial->ep, net_now_s());
    }
    (void)ch;
}

void net_dial_closed(net_service *s, net_channel *ch, net_peer_info *info, net_close_reason why)
{
    (void)ch;
    net_dial *d = info->dial;
    if (!d || d->ch != ch)
        return;
    d->ch = NULL;
    uint64_t now = net_now_ms();
    if (why == NET_CLOSE_DUPLICATE) {
        /* The peer's own channel to us won: nothing failed. */
        d->next_ms = now + NET_DIAL_MAX_MS;
        return;
    }
    if (why == NET_CLOSE_CONNECT || why == NET_CLOSE_TIMEOUT || why == NET_CLOSE_SELF ||
        why == NET_CLOSE_EOF || why == NET_CLOSE_IO)
        d->failures++;
    schedule_retry(d, now);
    if (!d->configured && d->failures >= NET_LEARNED_FAILURES) {
        net_peers_remove(s->peers, &d->ep);
        d->used = false;
    }
}

/* ---- configured peers given by name ---- */

static void lookup(net_named_peer *p);

static void on_resolved(int err, struct evutil_addrinfo *res, void *arg)
{
    net_named_peer *p = arg;
    net_service *s = p->svc;
    p->req = NULL;
    if (err == EVUTIL_EAI_CANCEL) {
        if (res)
            evutil_freeaddrinfo(res);
        return;
    }
    uint64_t now = net_now_ms();
    size_t added = 0;
    for (struct evutil_addrinfo *a = res; a && !err; a = a->ai_next) {
        net_endpoint ep;
        if (net_endpoint_from_sockaddr(a->ai_addr, &ep) != 0)
            continue;
        ep.port = p->addr.port;
        if (net_endpoint_is_usable(&ep) && !net_service_is_self(s, &ep) && add_configured(s, &ep))
            added++;
    }
    if (res)
        evutil_freeaddrinfo(res);
    if (added) {
        smn_info("peer %s resolved to %zu address%s", p->addr.host, added, added == 1 ? "" : "es");
        p->next_lookup_ms = UINT64_MAX;
        return;
    }
    smn_warn("cannot resolve peer %s: %s (retrying in %u s)", p->addr.host,
             err ? evutil_gai_strerror(err) : "no usable address", p->backoff_ms / 1000);
    p->next_lookup_ms = now + p->backoff_ms;
    p->backoff_ms = p->backoff_ms >= 300000u ? 600000u : p->backoff_ms * 2;
}

static void lookup(net_named_peer *p)
{
    struct evutil_addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    p->next_lookup_ms = UINT64_MAX; /* until the answer */
    p->req = evdns_getaddrinfo(p->svc->dns, p->addr.host, NULL, &hints, on_resolved, p);
}

/* ---- init ---- */

#define MAX_CONFIGURED 64

int net_dial_init(net_service *s, char *err, size_t cap)
{
    const ipc_config *cfg = ipc_child_config(s->child);
    net_peer_addr addrs[MAX_CONFIGURED];
    size_t n = 0;
    if (net_parse_peers(cfg->net_peers, addrs, MAX_CONFIGURED, &n, err, cap) != 0)
        return -1;
    size_t names = 0;
    for (size_t i = 0; i < n; i++) {
        if (!addrs[i].numeric) {
            names++;
            continue;
        }
        net_endpoint ep;
        if (!net_endpoint_parse(addrs[i].host, addrs[i].port, &ep) ||
            !net_endpoint_is_usable(&ep)) {
            snprintf(err, cap, "[net] peers: %s:%u is not an address to dial", addrs[i].host,
                     (unsigned)addrs[i].port);
            return -1;
        }
        if (net_service_is_self(s, &ep)) {
            smn_warn("[net] peers lists this node itself (%s:%u): skipped", addrs[i].host,
                     (unsigned)addrs[i].port);
            continue;
        }
        if (!add_configured(s, &ep)) {
            snprintf(err, cap, "[net] peers: too many");
            return -1;
        }
    }
    if (names) {
        s->dns = evdns_base_new(s->base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
        s->named = calloc(names, sizeof *s->named);
        if (!s->dns || !s->named) {
            snprintf(err, cap, "cannot set up name resolution for [net] peers");
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            if (!addrs[i].numeric) {
                net_named_peer *p = &s->named[s->nnamed++];
                p->addr = addrs[i];
                p->svc = s;
                p->backoff_ms = 5000;
                p->next_lookup_ms = 0;
            }
    }
    smn_info("%zu configured peer%s", n, n == 1 ? "" : "s");
    return 0;
}

void net_dial_free(net_service *s)
{
    for (size_t i = 0; i < s->nnamed; i++)
        if (s->named[i].req)
            evdns_getaddrinfo_cancel(s->named[i].req); /* on_resolved runs with CANCEL */
    free(s->named);
    s->named = NULL;
    s->nnamed = 0;
    if (s->dns)
        evdns_base_free(s->dns, 0);
    s->dns = NULL;
}

/* ---- keepalive ---- */

static bool is_unspecified(const net_endpoint *ep)
{
    static const uint8_t zero[16];
    static const uint8_t mapped_zero[16] = {[10] = 0xff, [11] = 0xff};
    return memcmp(ep->addr, zero, 16) == 0 || memcmp(ep->addr, mapped_zero, 16) == 0;
}

void net_keepalive_send(net_service *s, net_channel *ch)
{
    net_message m = {.type = NET_MSG_KEEPALIVE};
    net_keepalive *k = &m.u.keepalive;
    net_peer_info *info = net_channel_user(ch);
    if (s->port && s->listen_fd >= 0) {
        /* "Me, at the address you see me on": the receiver pairs our port
         * with the connection's address (we may not know our public one). */
        memset(&k->peers[0], 0, sizeof k->peers[0]);
        k->peers[0].port = s->port;
        k->count = 1;
    }
    net_endpoint pick[NET_KEEPALIVE_MAX_PEERS + 2];
    size_t n = net_peers_select(s->peers, s->round, pick, NET_KEEPALIVE_MAX_PEERS + 2);
    const net_endpoint *them = info && info->has_listen ? &info->listen : NULL;
    for (size_t i = 0; i < n && k->count < NET_KEEPALIVE_MAX_PEERS; i++) {
        if (them && net_endpoint_equal(them, &pick[i]))
            continue;
        if (net_endpoint_equal(net_channel_endpoint(ch), &pick[i]))
            continue;
        k->peers[k->count++] = pick[i];
    }
    if (info)
        info->last_keepalive_ms = net_now_ms();
    int r = net_channel_send(ch, &m);
    if (r != 0 && r != -ENOTCONN)
        s->dropped++;
}

void net_keepalive_received(net_service *s, net_channel *ch, const net_keepalive *k)
{
    net_peer_info *info = net_channel_user(ch);
    uint64_t now = net_now_s();
    for (uint8_t i = 0; i < k->count; i++) {
        net_endpoint ep = k->peers[i];
        if (ep.port == 0)
            continue;
        if (is_unspecified(&ep)) {
            /* The sender's own peering endpoint. */
            memcpy(ep.addr, net_channel_endpoint(ch)->addr, 16);
            if (info) {
                info->listen = ep;
                info->has_listen = true;
            }
        } else if (!net_endpoint_is_usable(&ep) || net_service_is_self(s, &ep)) {
            continue;
        }
        if (!net_service_is_self(s, &ep))
            net_peers_touch(s->peers, &ep, now);
    }
}

/* ---- the tick ---- */

static void dial_learned(net_service *s, uint64_t now)
{
    /* Our own channels only: inbound ones, handshaken or not, must not
     * stop us from dialling, or one address that fills the inbound slots
     * with peers it made up would cut us off (the dials get the
     * reserved_outbound slots). */
    net_channels_stats st;
    net_channels_get_stats(s->chans, &st);
    if (st.ready_out + st.dialing >= NET_TARGET_CHANNELS)
        return;
    net_endpoint pick[16];
    size_t n = net_peers_select(s->peers, s->round * 7919u + now / 1000u, pick, 16);
    unsigned dialled = 0;
    for (size_t i = 0; i < n && dialled < NET_DIALS_PER_TICK; i++) {
        if (net_service_is_self(s, &pick[i]) || net_dial_connected(s, &pick[i]))
            continue;
        net_dial *d = find_dial(s, &pick[i]);
        if (d && (d->ch || now < d->next_ms))
            continue;
        if (!d && !(d = new_dial(s, &pick[i], false)))
            return;
        dial(s, d, now);
        dialled++;
    }
}

void net_dial_tick(net_service *s, uint64_t now)
{
    for (size_t i = 0; i < s->nnamed; i++)
        if (!s->named[i].req && now >= s->named[i].next_lookup_ms)
            lookup(&s->named[i]);
    for (size_t i = 0; i < NET_DIAL_TABLE; i++) {
        net_dial *d = &s->dials[i];
        if (d->used && d->configured && !d->ch && now >= d->next_ms)
            dial(s, d, now);
    }
    dial_learned(s, now);

    net_channel *list[256];
    size_t n = net_channels_list(s->chans, list, 256);
    bool round_due = now - s->last_keepalive_ms >= s->keepalive_ms;
    if (round_due) {
        s->last_keepalive_ms = now;
        s->round++;
        net_peers_expire(s->peers,
                         now / 1000u > NET_PEER_EXPIRE_S ? now / 1000u - NET_PEER_EXPIRE_S : 0);
    }
    for (size_t i = 0; i < n; i++) {
        net_peer_info *info = net_channel_user(list[i]);
        if (!info)
            continue;
        if (now - info->last_rx_ms > s->idle_ms) {
            char name[NET_ENDPOINT_STR_BYTES];
            net_endpoint_format(net_channel_endpoint(list[i]), name);
            smn_info("closing %s: silent for %llu ms", name,
                     (unsigned long long)(now - info->last_rx_ms));
            net_channel_close(list[i]);
            continue;
        }
        if (round_due) {
            net_keepalive_send(s, list[i]);
            if (info->has_listen)
                net_peers_touch(s->peers, &info->listen, now / 1000u);
            else if (!net_channel_is_inbound(list[i]))
                net_peers_touch(s->peers, net_channel_endpoint(list[i]), now / 1000u);
        }
        if (now - info->tele_asked_ms >= NET_TELEMETRY_EVERY_MS)
            net_telemetry_request(s, list[i], now);
        /* before the pull tick, which may close (and free) the channel */
        if (!net_votes_probe_tick(s, list[i], info, now))
            net_pull_tick(s, list[i], info, now);
    }
}
