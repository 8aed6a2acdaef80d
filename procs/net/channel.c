#include "procs/net/channel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <sodium.h>

#include "common/log.h"
#include "procs/net/handshake.h"
#include "procs/net/limiter.h"

#define DEFAULT_MAX_CHANNELS 64
#define DEFAULT_MAX_PENDING 32
#define DEFAULT_MAX_PENDING_PER_ADDRESS 8
#define DEFAULT_MAX_DIALING 32
#define DEFAULT_MAX_RESERVED_PER_ADDRESS 2
#define DEFAULT_ACCEPT_BATCH 8
#define DEFAULT_QUEUE_BYTES (1u << 20)
#define DEFAULT_HS_TIMEOUT_MS 5000
#define ACCEPT_PAUSE_MS 100 /* after EMFILE/ENFILE */

struct net_channel {
    net_channels *set;
    struct bufferevent *bev;
    struct event *timer; /* handshake deadline */
    net_endpoint ep;
    bool inbound, connecting, ready, closing;
    bool heard;    /* a valid handshake message arrived (not an idle connection) */
    bool priority; /* dialled with priority: passes the ready limits */
    bool reserved; /* inbound in a representative slot (reserved_reps) */
    int busy;      /* > 0 while one of our callbacks runs: defer the free */
    net_close_reason reason;
    net_hs hs;
    uint64_t dropped;
    void *user;
    net_channel *prev, *next;
};

struct net_channels {
    struct event_base *base;
    const smn_network *net;
    smn_keypair key;
    size_t max_channels, queue_bytes;
    size_t reserved_outbound, max_per_address, max_pending, max_pending_per_address;
    size_t reserved_reps, max_reserved_per_address;
    size_t max_dialing, accept_batch;
    uint32_t hs_timeout_ms;
    net_channel_callbacks cb;
    struct evconnlistener *listener;
    struct event *resume; /* re-enables accepting after a batch or a pause */
    size_t batch;         /* accepted since the resume event was armed */
    bool paused;          /* EMFILE pause in progress */
    uint64_t evicted, limited, accept_pauses;
    uint64_t bytes_in, bytes_out; /* whole frames read and queued, all channels */
    net_limiter limiter;
    net_channel *head, *tail;
    size_t count;
};

const char *net_close_reason_name(net_close_reason r)
{
    switch (r) {
    case NET_CLOSE_LOCAL:
        return "closed locally";
    case NET_CLOSE_EOF:
        return "peer hung up";
    case NET_CLOSE_IO:
        return "socket error";
    case NET_CLOSE_CONNECT:
        return "connect failed";
    case NET_CLOSE_WRONG_NETWORK:
        return "wrong network magic";
    case NET_CLOSE_MALFORMED:
        return "malformed message";
    case NET_CLOSE_HANDSHAKE:
        return "handshake protocol violation";
    case NET_CLOSE_BAD_SIGNATURE:
        return "bad handshake signature";
    case NET_CLOSE_SELF:
        return "connected to self";
    case NET_CLOSE_DUPLICATE:
        return "duplicate channel to the same node";
    case NET_CLOSE_TIMEOUT:
        return "handshake timeout";
    case NET_CLOSE_EVICTED:
        return "evicted for a newer unauthenticated connection";
    case NET_CLOSE_LIMIT:
        return "no free peer slot";
    }
    return "unknown";
}

static uint64_t now_ms(const net_channels *s)
{
    struct timeval tv;
    event_base_gettimeofday_cached(s->base, &tv);
    return (uint64_t)tv.tv_sec * 1000u + (uint64_t)tv.tv_usec / 1000u;
}

static bool is_gossip(net_msg_type t)
{
    return t == NET_MSG_KEEPALIVE || t == NET_MSG_PUBLISH || t == NET_MSG_CONFIRM_REQ ||
           t == NET_MSG_CONFIRM_ACK;
}

/* ---- lifetime ---- */

static void unlink_channel(net_channel *ch)
{
    net_channels *s = ch->set;
    if (ch->prev)
        ch->prev->next = ch->next;
    else
        s->head = ch->next;
    if (ch->next)
        ch->next->prev = ch->prev;
    else
        s->tail = ch->prev;
    s->count--;
}

static void finalize(net_channel *ch)
{
    net_channels *s = ch->set;
    bufferevent_free(ch->bev);
    event_free(ch->timer);
    unlink_channel(ch);
    if (s->cb.on_close)
        s->cb.on_close(ch, ch->reason, s->cb.ud);
    sodium_memzero(&ch->hs, sizeof ch->hs);
    free(ch);
}

static void channel_close(net_channel *ch, net_close_reason why, const char *detail)
{
    if (ch->closing)
        return;
    ch->closing = true;
    ch->reason = why;
    char ep[NET_ENDPOINT_STR_BYTES];
    net_endpoint_format(&ch->ep, ep);
    /* Closes a flood causes by the thousand are not worth a line each. */
    bool quiet = why == NET_CLOSE_LOCAL || why == NET_CLOSE_EOF || why == NET_CLOSE_EVICTED ||
                 ((why == NET_CLOSE_TIMEOUT || why == NET_CLOSE_LIMIT) && ch->inbound);
    smn_log(quiet ? SMN_LOG_DEBUG : SMN_LOG_INFO, "closing %s channel %s: %s%s%s",
            ch->inbound ? "inbound" : "outbound", ep, net_close_reason_name(why),
            detail ? ": " : "", detail ? detail : "");
    /* Stop reading now so nothing more is delivered while a callback unwinds. */
    bufferevent_disable(ch->bev, EV_READ | EV_WRITE);
    if (ch->busy == 0)
        finalize(ch);
}

void net_channel_close(net_channel *ch)
{
    channel_close(ch, NET_CLOSE_LOCAL, NULL);
}

static void leave(net_channel *ch)
{
    if (--ch->busy == 0 && ch->closing)
        finalize(ch);
}

/* ---- writing ---- */

static int write_frame(net_channel *ch, const uint8_t *buf, size_t len)
{
    struct evbuffer *out = bufferevent_get_output(ch->bev);
    if (evbuffer_get_length(out) + len > ch->set->queue_bytes) {
        ch->dropped++;
        return -ENOBUFS;
    }
    if (bufferevent_write(ch->bev, buf, len) != 0)
        return -ENOMEM;
    ch->set->bytes_out += len;
    return 0;
}

static int send_handshake(net_channel *ch, const net_handshake *hs)
{
    net_message m = {.type = NET_MSG_HANDSHAKE};
    m.u.handshake = *hs;
    uint8_t buf[NET_HEADER_BYTES + 128];
    size_t n = net_msg_encode(ch->set->net, &m, buf, sizeof buf);
    return n ? write_frame(ch, buf, n) : -EINVAL;
}

static int send_encoded(net_channel *ch, net_msg_type type, const uint8_t *buf, size_t n)
{
    net_channels *s = ch->set;
    if (!ch->ready || ch->closing)
        return -ENOTCONN;
    if (is_gossip(type) && !net_limiter_take(&s->limiter, n, now_ms(s))) {
        ch->dropped++;
        return -ENOBUFS;
    }
    return write_frame(ch, buf, n);
}

int net_channel_send(net_channel *ch, const net_message *m)
{
    if (m->type == NET_MSG_HANDSHAKE)
        return -EINVAL;
    if (!ch->ready || ch->closing)
        return -ENOTCONN;
    uint8_t *buf = malloc(NET_MAX_MESSAGE);
    if (!buf)
        return -ENOMEM;
    size_t n = net_msg_encode(ch->set->net, m, buf, NET_MAX_MESSAGE);
    int r = n ? send_encoded(ch, m->type, buf, n) : -EINVAL;
    free(buf);
    return r;
}

size_t net_channels_broadcast(net_channels *s, const net_message *m, const net_channel *except)
{
    if (m->type == NET_MSG_HANDSHAKE)
        return 0;
    uint8_t *buf = malloc(NET_MAX_MESSAGE);
    if (!buf)
        return 0;
    size_t n = net_msg_encode(s->net, m, buf, NET_MAX_MESSAGE);
    size_t sent = 0;
    for (net_channel *ch = s->head; n && ch; ch = ch->next)
        if (ch != except && ch->ready && !ch->closing && send_encoded(ch, m->type, buf, n) == 0)
            sent++;
    free(buf);
    return sent;
}

/* ---- admission ---- */

static bool is_loopback(const net_endpoint *ep)
{
    static const uint8_t v6[16] = {[15] = 1};
    static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
    return memcmp(ep->addr, v6, 16) == 0 ||
           (memcmp(ep->addr, mapped, 12) == 0 && ep->addr[12] == 127);
}

static bool same_addr(const net_channel *ch, const net_endpoint *ep)
{
    return memcmp(ch->ep.addr, ep->addr, 16) == 0;
}

static bool is_pending_in(const net_channel *ch)
{
    return ch->inbound && !ch->ready && !ch->closing;
}

void net_channels_get_stats(const net_channels *s, net_channels_stats *st)
{
    *st = (net_channels_stats){.evicted = s->evicted,
                               .limited = s->limited,
                               .accept_pauses = s->accept_pauses,
                               .bytes_in = s->bytes_in,
                               .bytes_out = s->bytes_out};
    for (const net_channel *ch = s->head; ch; ch = ch->next) {
        if (ch->closing)
            continue;
        if (!ch->ready)
            ch->inbound ? st->pending_in++ : st->dialing++;
        else
            ch->inbound ? st->ready_in++ : st->ready_out++;
        st->ready_reserved += ch->ready && ch->reserved;
    }
}

/* The unauthenticated inbound channel to give up for a newer one: of those
 * from ep's address (ep) or all (NULL), the oldest that has sent nothing
 * valid yet, else the oldest. Channels are listed oldest first. */
static net_channel *eviction_victim(net_channels *s, const net_endpoint *ep)
{
    net_channel *oldest = NULL;
    for (net_channel *ch = s->head; ch; ch = ch->next) {
        if (!is_pending_in(ch) || (ep && !same_addr(ch, ep)))
            continue;
        if (!ch->heard)
            return ch;
        if (!oldest)
            oldest = ch;
    }
    return oldest;
}

/* Make room for one more unauthenticated inbound channel from ep. */
static void make_pending_room(net_channels *s, const net_endpoint *ep)
{
    size_t all = 0, from = 0;
    for (const net_channel *ch = s->head; ch; ch = ch->next)
        if (is_pending_in(ch)) {
            all++;
            from += same_addr(ch, ep);
        }
    net_channel *victim = NULL;
    if (from >= s->max_pending_per_address)
        victim = eviction_victim(s, ep);
    else if (all >= s->max_pending)
        victim = eviction_victim(s, NULL);
    if (victim) {
        s->evicted++;
        channel_close(victim, NET_CLOSE_EVICTED, NULL);
    }
}

typedef enum { SLOT_NONE, SLOT_ORDINARY, SLOT_RESERVED } slot_kind;

/* The handshake of ch just completed: which ready slot may it take?
 * reserved_reps slots are kept for inbound representatives (the service
 * proves them, net_channel_is_reserved): no other channel takes one, and
 * an inbound channel gets one only when no ordinary inbound slot is open to
 * it (all taken, or its address at max_per_address), if allow_reserved
 * agrees, at most max_reserved_per_address per address (loopback included:
 * the whole 16-byte address counts, so 127.0.0.2 is not 127.0.0.1). */
static slot_kind ready_slot_free(const net_channels *s, const net_channel *ch)
{
    if (ch->priority)
        return SLOT_ORDINARY;
    size_t ready = 0, ordinary_in = 0, reserved = 0, from = 0, reserved_from = 0;
    for (const net_channel *c = s->head; c; c = c->next) {
        if (c == ch || !c->ready || c->closing)
            continue;
        bool same = same_addr(c, &ch->ep);
        ready++;
        ordinary_in += c->inbound && !c->reserved;
        reserved += c->reserved;
        from += same;
        reserved_from += same && c->reserved;
    }
    size_t nonrep_cap = s->max_channels - s->reserved_reps; /* new() keeps it >= 0 */
    size_t nonrep = ready - reserved;
    bool ordinary = nonrep < nonrep_cap;
    if (ch->inbound) {
        ordinary = ordinary && ordinary_in + s->reserved_outbound < nonrep_cap;
        if (s->max_per_address && !is_loopback(&ch->ep) && from >= s->max_per_address)
            ordinary = false;
    }
    if (ordinary)
        return SLOT_ORDINARY;
    if (ch->inbound && reserved < s->reserved_reps && reserved_from < s->max_reserved_per_address &&
        (!s->cb.allow_reserved || s->cb.allow_reserved(&ch->ep, s->cb.ud)))
        return SLOT_RESERVED;
    return SLOT_NONE;
}

/* ---- handshake ---- */

/* Of two channels to one node keep the one the lower node id dialled, so
 * both ends of a simultaneous connect keep the same TCP connection. */
static bool preferred(const net_channel *ch)
{
    bool self_lower = memcmp(ch->set->key.pub, ch->hs.peer_id, SMN_KEY_BYTES) < 0;
    return ch->inbound != self_lower;
}

/* True when ch survives the duplicate check. */
static bool resolve_duplicate(net_channel *ch)
{
    net_channel *old = net_channels_find(ch->set, ch->hs.peer_id);
    if (!old)
        return true;
    if (preferred(ch) && !preferred(old)) {
        channel_close(old, NET_CLOSE_DUPLICATE, NULL);
        return true;
    }
    channel_close(ch, NET_CLOSE_DUPLICATE, NULL);
    return false;
}

static void on_handshake(net_channel *ch, const net_handshake *in)
{
    net_handshake reply;
    bool send_reply;
    net_hs_result r = net_hs_receive(&ch->hs, in, &reply, &send_reply);
    switch (r) {
    case NET_HS_CONTINUE:
    case NET_HS_DONE:
        ch->heard = true;
        break;
    case NET_HS_UNEXPECTED:
        channel_close(ch, NET_CLOSE_HANDSHAKE, NULL);
        return;
    case NET_HS_BAD_SIGNATURE:
        channel_close(ch, NET_CLOSE_BAD_SIGNATURE, NULL);
        return;
    case NET_HS_SELF:
        channel_close(ch, NET_CLOSE_SELF, NULL);
        return;
    }
    /* A channel that loses to an existing one closes before answering, so
     * the peer never takes it for usable. */
    if (r == NET_HS_DONE && !resolve_duplicate(ch))
        return;
    /* Checked before we answer a query too, so a peer we have no room for
     * never takes the channel for usable. */
    slot_kind slot = SLOT_ORDINARY;
    if (r == NET_HS_DONE || (ch->inbound && send_reply))
        slot = ready_slot_free(ch->set, ch);
    if (slot == SLOT_NONE) {
        ch->set->limited++;
        channel_close(ch, NET_CLOSE_LIMIT, NULL);
        return;
    }
    if (send_reply && send_handshake(ch, &reply) != 0) {
        channel_close(ch, NET_CLOSE_IO, "cannot queue the handshake");
        return;
    }
    if (r != NET_HS_DONE)
        return;
    ch->reserved = slot == SLOT_RESERVED;
    ch->ready = true;
    event_del(ch->timer);
    if (ch->set->cb.on_ready)
        ch->set->cb.on_ready(ch, ch->set->cb.ud);
}

static void dispatch(net_channel *ch, const net_message *m)
{
    if (m->type == NET_MSG_HANDSHAKE) {
        if (ch->ready)
            channel_close(ch, NET_CLOSE_HANDSHAKE, "second handshake");
        else
            on_handshake(ch, &m->u.handshake);
        return;
    }
    if (!ch->ready) {
        channel_close(ch, NET_CLOSE_HANDSHAKE, net_msg_type_name(m->type));
        return;
    }
    if (ch->set->cb.on_message)
        ch->set->cb.on_message(ch, m, ch->set->cb.ud);
}

/* ---- libevent callbacks ---- */

static void read_cb(struct bufferevent *bev, void *arg)
{
    net_channel *ch = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    net_message *m = malloc(sizeof *m);
    if (!m) {
        channel_close(ch, NET_CLOSE_IO, "out of memory");
        return;
    }
    ch->busy++;
    while (!ch->closing) {
        size_t avail = evbuffer_get_length(in);
        if (avail < NET_HEADER_BYTES)
            break;
        net_header h;
        net_status st = net_header_decode(ch->set->net, evbuffer_pullup(in, NET_HEADER_BYTES),
                                          NET_HEADER_BYTES, &h);
        if (st != NET_OK) {
            if (st == NET_BAD_MAGIC)
                channel_close(ch, NET_CLOSE_WRONG_NETWORK, NULL);
            else
                channel_close(ch, NET_CLOSE_MALFORMED, net_strerror(st));
            break;
        }
        size_t frame = NET_HEADER_BYTES + (size_t)h.length;
        if (avail < frame)
            break; /* the header bounded the length: waiting is bounded too */
        size_t used;
        st = net_msg_decode(ch->set->net, evbuffer_pullup(in, (ev_ssize_t)frame), frame, m, &used);
        evbuffer_drain(in, frame);
        ch->set->bytes_in += frame;
        if (st != NET_OK) {
            channel_close(ch, NET_CLOSE_MALFORMED, net_strerror(st));
            break;
        }
        dispatch(ch, m);
    }
    free(m);
    leave(ch);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    net_channel *ch = arg;
    ch->busy++;
    if (what & BEV_EVENT_CONNECTED) {
        ch->connecting = false;
        net_handshake q;
        net_hs_start(&ch->hs, &q);
        if (send_handshake(ch, &q) != 0)
            channel_close(ch, NET_CLOSE_IO, "cannot queue the handshake");
    } else if (what & BEV_EVENT_EOF) {
        channel_close(ch, NET_CLOSE_EOF, NULL);
    } else if (what & (BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
        channel_close(ch, ch->connecting ? NET_CLOSE_CONNECT : NET_CLOSE_IO,
                      evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    }
    leave(ch);
}

static void timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    net_channel *ch = arg;
    if (!ch->ready)
        channel_close(ch, NET_CLOSE_TIMEOUT, NULL);
}

/* A channel around bev (already holding its socket, or -1 to connect). */
static net_channel *channel_new(net_channels *s, struct bufferevent *bev, const net_endpoint *ep,
                                bool inbound)
{
    net_channel *ch = calloc(1, sizeof *ch);
    if (!ch)
        return NULL;
    ch->timer = evtimer_new(s->base, timeout_cb, ch);
    if (!ch->timer) {
        free(ch);
        return NULL;
    }
    ch->set = s;
    ch->bev = bev;
    ch->ep = *ep;
    ch->inbound = inbound;
    uint8_t cookie[NET_COOKIE_BYTES];
    randombytes_buf(cookie, sizeof cookie);
    net_hs_init(&ch->hs, s->net, &s->key, inbound ? NET_HS_RESPONDER : NET_HS_INITIATOR, cookie);
    bufferevent_setcb(bev, read_cb, NULL, event_cb, ch);
    struct timeval tv = {.tv_sec = s->hs_timeout_ms / 1000,
                         .tv_usec = (s->hs_timeout_ms % 1000) * 1000};
    evtimer_add(ch->timer, &tv);
    ch->prev = s->tail;
    if (s->tail)
        s->tail->next = ch;
    else
        s->head = ch;
    s->tail = ch;
    s->count++;
    return ch;
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len,
                      void *arg)
{
    (void)len;
    net_channels *s = arg;
    net_endpoint ep;
    char name[NET_ENDPOINT_STR_BYTES] = "?";
    if (net_endpoint_from_sockaddr(sa, &ep) != 0) {
        evutil_closesocket(fd);
        return;
    }
    net_endpoint_format(&ep, name);
    /* At most accept_batch per loop iteration: the resume event (armed
     * at the batch's first accept) runs after this iteration's reads. */
    if (s->batch++ == 0) {
        struct timeval now = {0, 0};
        evtimer_add(s->resume, &now);
    }
    if (s->batch >= s->accept_batch)
        evconnlistener_disable(l);
    if (s->cb.allow_inbound && !s->cb.allow_inbound(&ep, s->cb.ud)) {
        smn_debug("refusing inbound %s: not allowed", name);
        evutil_closesocket(fd);
        return;
    }
    make_pending_room(s, &ep);
    struct bufferevent *bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        evutil_closesocket(fd);
        return;
    }
    net_channel *ch = channel_new(s, bev, &ep, true);
    if (!ch) {
        bufferevent_free(bev);
        return;
    }
    smn_debug("inbound channel from %s", name);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    net_channels *s = arg;
    s->batch = 0;
    s->paused = false;
    if (s->listener)
        evconnlistener_enable(s->listener);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    net_channels *s = arg;
    int err = EVUTIL_SOCKET_ERROR();
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        /* The pending connection stays in the backlog and the socket stays
         * readable: accepting again at once would spin. Pause instead. */
        evconnlistener_disable(l);
        if (!s->paused && s->accept_pauses++ % 100 == 0)
            smn_warn("accept failed: %s; pausing %d ms (%llu pauses)",
                     evutil_socket_error_to_string(err), ACCEPT_PAUSE_MS,
                     (unsigned long long)s->accept_pauses);
        s->paused = true;
        struct timeval tv = {0, ACCEPT_PAUSE_MS * 1000};
        evtimer_add(s->resume, &tv);
        return;
    }
    smn_warn("accept failed: %s", evutil_socket_error_to_string(err));
}

/* ---- set ---- */

net_channels *net_channels_new(struct event_base *base, const net_channels_config *cfg,
                               const net_channel_callbacks *cb)
{
    if (!base || !cfg || !cfg->net || !cfg->node_key)
        return NULL;
    net_channels *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->base = base;
    s->net = cfg->net;
    s->key = *cfg->node_key;
    s->max_channels = cfg->max_channels ? cfg->max_channels : DEFAULT_MAX_CHANNELS;
    s->reserved_outbound =
        cfg->reserved_outbound < s->max_channels ? cfg->reserved_outbound : s->max_channels - 1;
    /* what both reservations leave must stay >= 0 (ready_slot_free) */
    size_t left = s->max_channels - s->reserved_outbound;
    s->reserved_reps = cfg->reserved_reps < left ? cfg->reserved_reps : left;
    s->max_reserved_per_address = cfg->max_reserved_per_address ? cfg->max_reserved_per_address
                                                                : DEFAULT_MAX_RESERVED_PER_ADDRESS;
    s->max_per_address = cfg->max_per_address;
    s->max_pending = cfg->max_pending ? cfg->max_pending : DEFAULT_MAX_PENDING;
    s->max_pending_per_address = cfg->max_pending_per_address ? cfg->max_pending_per_address
                                                              : DEFAULT_MAX_PENDING_PER_ADDRESS;
    s->max_dialing = cfg->max_dialing ? cfg->max_dialing : DEFAULT_MAX_DIALING;
    s->accept_batch = cfg->accept_batch ? cfg->accept_batch : DEFAULT_ACCEPT_BATCH;
    s->resume = evtimer_new(base, resume_cb, s);
    if (!s->resume) {
        free(s);
        return NULL;
    }
    s->queue_bytes = cfg->write_queue_bytes ? cfg->write_queue_bytes : DEFAULT_QUEUE_BYTES;
    s->hs_timeout_ms =
        cfg->handshake_timeout_ms ? cfg->handshake_timeout_ms : DEFAULT_HS_TIMEOUT_MS;
    if (cb)
        s->cb = *cb;
    uint64_t burst = cfg->gossip_burst_bytes ? cfg->gossip_burst_bytes : cfg->gossip_bytes_per_sec;
    net_limiter_init(&s->limiter, cfg->gossip_bytes_per_sec, burst, now_ms(s));
    return s;
}

void net_channels_free(net_channels *s)
{
    if (!s)
        return;
    if (s->listener)
        evconnlistener_free(s->listener);
    s->listener = NULL;
    event_free(s->resume);
    while (s->head)
        channel_close(s->head, NET_CLOSE_LOCAL, NULL);
    smn_keypair_wipe(&s->key);
    free(s);
}

int net_channels_listen(net_channels *s, int fd)
{
    if (s->listener)
        return -EALREADY;
    if (fd < 0 || evutil_make_socket_nonblocking(fd) != 0)
        return -EINVAL;
    /* backlog 0: the socket is already listening (the supervisor did it). */
    s->listener = evconnlistener_new(s->base, accept_cb, s, 0, 0, fd);
    if (!s->listener)
        return -ENOMEM;
    evconnlistener_set_error_cb(s->listener, accept_error_cb);
    return 0;
}

int net_channels_connect(net_channels *s, const net_endpoint *ep, net_channel **out)
{
    return net_channels_dial(s, ep, false, out);
}

int net_channels_dial(net_channels *s, const net_endpoint *ep, bool priority, net_channel **out)
{
    if (!net_endpoint_is_usable(ep))
        return -EINVAL;
    net_channels_stats st;
    net_channels_get_stats(s, &st);
    if (st.dialing >= s->max_dialing)
        return -EMFILE;
    /* the representative slots are never ours to dial into */
    if (!priority &&
        st.ready_in + st.ready_out - st.ready_reserved + s->reserved_reps >= s->max_channels)
        return -EMFILE;
    struct bufferevent *bev = bufferevent_socket_new(s->base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev)
        return -ENOMEM;
    net_channel *ch = channel_new(s, bev, ep, false);
    if (!ch) {
        bufferevent_free(bev);
        return -ENOMEM;
    }
    ch->connecting = true;
    ch->priority = priority;
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    struct sockaddr_storage ss;
    size_t len = net_endpoint_to_sockaddr(ep, &ss);
    /* An immediate failure (e.g. refused on loopback) is reported later
     * through event_cb by libevent; only a local error returns -1 here. */
    if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss, (int)len) != 0) {
        int err = EVUTIL_SOCKET_ERROR();
        ch->closing = true; /* no on_close: the caller learns from the return value */
        bufferevent_free(bev);
        event_free(ch->timer);
        unlink_channel(ch);
        free(ch);
        return err ? -err : -EIO;
    }
    if (out)
        *out = ch;
    return 0;
}

/* ---- queries ---- */

bool net_channel_is_ready(const net_channel *ch)
{
    return ch->ready && !ch->closing;
}

bool net_channel_is_reserved(const net_channel *ch)
{
    return ch->reserved;
}

bool net_channel_is_inbound(const net_channel *ch)
{
    return ch->inbound;
}

const net_endpoint *net_channel_endpoint(const net_channel *ch)
{
    return &ch->ep;
}

const uint8_t *net_channel_node_id(const net_channel *ch)
{
    return ch->ready ? ch->hs.peer_id : NULL;
}

uint64_t net_channel_dropped(const net_channel *ch)
{
    return ch->dropped;
}

void net_channel_set_user(net_channel *ch, void *user)
{
    ch->user = user;
}

void *net_channel_user(const net_channel *ch)
{
    return ch->user;
}

size_t net_channels_count(const net_channels *s)
{
    return s->count;
}

size_t net_channels_ready_count(const net_channels *s)
{
    size_t n = 0;
    for (const net_channel *ch = s->head; ch; ch = ch->next)
        n += net_channel_is_ready(ch);
    return n;
}

size_t net_channels_list(const net_channels *s, net_channel **out, size_t max)
{
    size_t n = 0;
    for (net_channel *ch = s->head; ch && n < max; ch = ch->next)
        if (net_channel_is_ready(ch))
            out[n++] = ch;
    return n;
}

net_channel *net_channels_find(const net_channels *s, const uint8_t node_id[SMN_KEY_BYTES])
{
    for (net_channel *ch = s->head; ch; ch = ch->next)
        if (net_channel_is_ready(ch) && memcmp(ch->hs.peer_id, node_id, SMN_KEY_BYTES) == 0)
            return ch;
    return NULL;
}
