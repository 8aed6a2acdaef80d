/* Message endpoints on libevent bufferevents: framing, decoding, request
 * ids and timeouts, reconnection, and the bounds on what a peer can make us
 * hold (outgoing queue, pending requests, one buffered frame, incomplete
 * frames timed out, connections per listening socket). Not the schemas
 * (ipc/schema_*.c) and not the wire codec (ipc/msg.c, ipc/builder.c). */
#include "ipc/endpoint.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "ipc/frame.h"
#include "ipc/schema_common.h"

#define DEFAULT_MAX_OUT (4u << 20)
#define DEFAULT_MAX_PENDING 1024u
#define DEFAULT_RECONNECT_MIN 50u
#define DEFAULT_RECONNECT_MAX 5000u
#define DEFAULT_PARTIAL_TIMEOUT 10000u
#define DEFAULT_MAX_CONNS 128u
#define ACCEPT_PAUSE_MS 100u
#define BIG_FRAME (64u << 10) /* frames this large are assembled in their own mapping */

enum ep_kind { EP_LISTEN, EP_CONNECT, EP_ATTACH };

typedef struct pending {
    uint64_t id;
    ipc_on_reply cb;
    void *ud;
    struct event *timer;
    ipc_conn *c;
    struct pending *next, *prev;
} pending;

struct ipc_conn {
    ipc_endpoint *ep;
    struct bufferevent *bev;
    msgpack_zone *zone;          /* decoding incoming frames */
    msgpack_zone *vzone;         /* checking outgoing frames (a reply is built while
                                    the request still lives in zone) */
    struct event *partial_timer; /* armed while part of a frame waits in the input */
    uint8_t *big;                /* a large frame being assembled (big_begin), or NULL */
    uint32_t big_len, big_have;
    pending *pend;
    size_t npend;
    uint64_t next_id;
    void *user;
    bool dead;
    unsigned refs; /* callbacks in progress; the struct outlives them */
    ipc_conn *next, *prev;
};

struct ipc_endpoint {
    struct event_base *base;
    ipc_endpoint_opts o;
    enum ep_kind kind;
    struct evconnlistener *lev;
    char *path;
    struct event *retry;
    struct event *accept_pause; /* re-enables the listener after EMFILE and friends */
    uint64_t refused, partial_timeouts;
    uint32_t backoff_ms;
    ipc_conn *conns;
    size_t nconns;
    unsigned refs;
    bool doomed;
};

static void zone_free(msgpack_zone *z)
{
    if (z)
        msgpack_zone_free(z);
}

static void ep_destroy(ipc_endpoint *ep)
{
    if (ep->retry)
        event_free(ep->retry);
    if (ep->accept_pause)
        event_free(ep->accept_pause);
    free(ep->path);
    free(ep);
}

static void ep_hold(ipc_endpoint *ep)
{
    ep->refs++;
}

static void ep_release(ipc_endpoint *ep)
{
    if (--ep->refs == 0 && ep->doomed)
        ep_destroy(ep);
}

static void conn_hold(ipc_conn *c)
{
    c->refs++;
    ep_hold(c->ep);
}

static void conn_release(ipc_conn *c)
{
    ipc_endpoint *ep = c->ep;
    if (--c->refs == 0 && c->dead) {
        zone_free(c->zone);
        zone_free(c->vzone);
        free(c);
    }
    ep_release(ep);
}

static void schedule_reconnect(ipc_endpoint *ep);

static void pending_unlink(ipc_conn *c, pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        c->pend = p->next;
    if (p->next)
        p->next->prev = p->prev;
    c->npend--;
    if (p->timer)
        event_free(p->timer);
}

static void big_unmap(uint8_t *buf, size_t len);

/* The one place a connection ends. Safe to call from any callback. */
static void conn_close(ipc_conn *c, bool notify_state)
{
    if (c->dead)
        return;
    c->dead = true;
    conn_hold(c);
    ipc_endpoint *ep = c->ep;
    bufferevent_free(c->bev);
    c->bev = NULL;
    if (c->partial_timer)
        event_free(c->partial_timer);
    c->partial_timer = NULL;
    big_unmap(c->big, c->big_len);
    c->big = NULL;
    if (c->prev)
        c->prev->next = c->next;
    else
        ep->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    ep->nconns--;
    while (c->pend) {
        pending *p = c->pend;
        pending_unlink(c, p);
        p->cb(NULL, IPC_E_CLOSED, NULL, p->ud);
        free(p);
    }
    if (notify_state && !ep->doomed && ep->o.on_state)
        ep->o.on_state(c, false, ep->o.ud);
    if (ep->kind == EP_CONNECT && !ep->doomed)
        schedule_reconnect(ep);
    conn_release(c);
}

static void fail_conn(ipc_conn *c, const char *why)
{
    smn_warn("ipc %s: closing connection: %s", c->ep->o.name, why);
    conn_close(c, true);
}

static ipc_status send_frame(ipc_conn *c, ipc_builder *b, uint64_t id, uint64_t re)
{
    ipc_status st;
    if (!c || c->dead) {
        st = IPC_E_CLOSED;
        goto out;
    }
    ipc_error err;
    st = ipc_build_finish_in(b, c->vzone, c->ep->o.family, id, re, &err);
    if (st != IPC_OK) {
        smn_warn("ipc %s: refusing to send: %s", c->ep->o.name, err.detail);
        goto out;
    }
    struct evbuffer *outbuf = bufferevent_get_output(c->bev);
    if (evbuffer_get_length(outbuf) + b->len > c->ep->o.max_out_bytes) {
        st = IPC_E_QUEUE_FULL;
        goto out;
    }
    if (evbuffer_add(outbuf, b->buf, b->len) != 0)
        st = IPC_E_NOMEM;
out:
    ipc_build_free(b);
    return st;
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pending *p = arg;
    ipc_conn *c = p->c;
    conn_hold(c);
    pending_unlink(c, p);
    p->cb(c, IPC_E_TIMEOUT, NULL, p->ud);
    free(p);
    conn_release(c);
}

ipc_status ipc_request(ipc_conn *c, ipc_builder *b, uint32_t timeout_ms, ipc_on_reply cb, void *ud)
{
    if (!c || c->dead) {
        ipc_build_free(b);
        return IPC_E_CLOSED;
    }
    if (!cb) {
        ipc_build_free(b);
        return IPC_E_INVALID;
    }
    if (c->npend >= c->ep->o.max_pending) {
        ipc_build_free(b);
        return IPC_E_QUEUE_FULL;
    }
    pending *p = calloc(1, sizeof *p);
    if (!p) {
        ipc_build_free(b);
        return IPC_E_NOMEM;
    }
    if (timeout_ms) {
        p->timer = evtimer_new(c->ep->base, on_timeout, p);
        if (!p->timer) {
            free(p);
            ipc_build_free(b);
            return IPC_E_NOMEM;
        }
    }
    p->id = ++c->next_id;
    p->cb = cb;
    p->ud = ud;
    p->c = c;
    ipc_status st = send_frame(c, b, p->id, 0);
    if (st != IPC_OK) {
        if (p->timer)
            event_free(p->timer);
        free(p);
        return st;
    }
    if (p->timer) {
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        evtimer_add(p->timer, &tv);
    }
    p->next = c->pend;
    if (c->pend)
        c->pend->prev = p;
    c->pend = p;
    c->npend++;
    return IPC_OK;
}

ipc_status ipc_notify(ipc_conn *c, ipc_builder *b)
{
    return send_frame(c, b, 0, 0);
}

void ipc_notify_all(ipc_conn *const *conns, size_t n, ipc_builder *b, ipc_status *st)
{
    ipc_conn *first = NULL;
    for (size_t i = 0; i < n && !first; i++)
        if (conns[i] && !conns[i]->dead)
            first = conns[i];
    ipc_status fin = IPC_E_CLOSED;
    if (first) {
        ipc_error err;
        fin = ipc_build_finish_in(b, first->vzone, first->ep->o.family, 0, 0, &err);
        if (fin != IPC_OK)
            smn_warn("ipc %s: refusing to send: %s", first->ep->o.name, err.detail);
    }
    for (size_t i = 0; i < n; i++) {
        ipc_conn *c = conns[i];
        if (!c || c->dead) {
            st[i] = IPC_E_CLOSED;
        } else if (fin != IPC_OK) {
            st[i] = fin;
        } else {
            struct evbuffer *outbuf = bufferevent_get_output(c->bev);
            if (evbuffer_get_length(outbuf) + b->len > c->ep->o.max_out_bytes)
                st[i] = IPC_E_QUEUE_FULL;
            else
                st[i] = evbuffer_add(outbuf, b->buf, b->len) == 0 ? IPC_OK : IPC_E_NOMEM;
        }
    }
    ipc_build_free(b);
}

ipc_status ipc_reply(ipc_conn *c, const ipc_msg *req, ipc_builder *b)
{
    if (!req || req->id == 0) {
        ipc_build_free(b);
        return IPC_E_INVALID;
    }
    return send_frame(c, b, 0, req->id);
}

static ipc_status reply_error_id(ipc_conn *c, uint64_t id, const char *message)
{
    ipc_builder b;
    ipc_build_begin(&b, "error");
    ipc_put_strn(&b, "message", message, strnlen(message, 1024));
    return send_frame(c, &b, 0, id);
}

ipc_status ipc_reply_error(ipc_conn *c, const ipc_msg *req, const char *message)
{
    if (!req || req->id == 0)
        return IPC_E_INVALID;
    return reply_error_id(c, req->id, message);
}

static pending *find_pending(ipc_conn *c, uint64_t id)
{
    for (pending *p = c->pend; p; p = p->next)
        if (p->id == id)
            return p;
    return NULL;
}

static void dispatch(ipc_conn *c, const ipc_msg *m)
{
    ipc_endpoint *ep = c->ep;
    if (m->re) {
        pending *p = find_pending(c, m->re);
        if (!p) {
            /* A reply that arrives after its timeout: nothing waits for it. */
            smn_debug("ipc %s: late or unknown reply %llu ('%s')", ep->o.name,
                      (unsigned long long)m->re, m->kind->name);
            return;
        }
        pending_unlink(c, p);
        p->cb(c, ipc_common_kind_of(m) == IPC_COMMON_K_ERROR ? IPC_E_REMOTE : IPC_OK, m, p->ud);
        free(p);
        return;
    }
    if (ep->o.on_message && !ep->doomed)
        ep->o.on_message(c, m, ep->o.ud);
    else if (m->id)
        reply_error_id(c, m->id, "no handler for requests on this socket");
}

/* Decode one frame's payload and hand it on. The bytes must stay valid
 * until this returns (the message may point into them). */
static void handle_frame(ipc_conn *c, const uint8_t *payload, uint32_t plen)
{
    ipc_msg m;
    ipc_error err;
    ipc_status st = ipc_decode_in(c->zone, c->ep->o.family, payload, plen, &m, &err);
    if (st == IPC_OK) {
        dispatch(c, &m);
    } else if (st == IPC_E_MALFORMED || st == IPC_E_TOO_DEEP || st == IPC_E_NOMEM ||
               st == IPC_E_TOO_BIG) {
        fail_conn(c, err.detail);
    } else {
        smn_warn("ipc %s: rejected message: %s", c->ep->o.name, err.detail);
        if (m.id) {
            reply_error_id(c, m.id, err.detail);
        } else if (m.re) {
            pending *pd = find_pending(c, m.re);
            if (pd) {
                pending_unlink(c, pd);
                pd->cb(c, st, NULL, pd->ud);
                free(pd);
            }
        }
    }
    msgpack_zone_clear(c->zone);
}

static void big_unmap(uint8_t *buf, size_t len)
{
    if (buf)
        munmap(buf, len);
}

/* A large frame is assembled in its own anonymous mapping of exactly its
 * declared size, not in libevent's chain of heap chunks: when the frame is
 * done, or the connection closes halfway, the pages go back to the kernel
 * at once. With heap chunks, 200 half-sent 1 MiB frames left the ledger's
 * RSS 100 MB up long after the connections were gone. */
static int big_begin(ipc_conn *c, uint32_t plen)
{
    void *p = mmap(NULL, plen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    c->big = p;
    c->big_len = plen;
    c->big_have = 0;
    return 0;
}

static void on_read(struct bufferevent *bev, void *arg)
{
    ipc_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    conn_hold(c);
    while (!c->dead) {
        size_t avail = evbuffer_get_length(in);
        if (c->big) {
            size_t need = c->big_len - c->big_have;
            size_t take = avail < need ? avail : need;
            if (take && evbuffer_remove(in, c->big + c->big_have, take) != (int)take) {
                fail_conn(c, "cannot read the input buffer");
                break;
            }
            c->big_have += take;
            if (c->big_have < c->big_len)
                break;
            uint8_t *buf = c->big;
            uint32_t len = c->big_len;
            c->big = NULL;
            handle_frame(c, buf, len);
            big_unmap(buf, len);
            continue;
        }
        uint8_t hdr[IPC_FRAME_HDR];
        if (avail < IPC_FRAME_HDR)
            break;
        evbuffer_copyout(in, hdr, sizeof hdr);
        uint32_t plen;
        ipc_status st = ipc_frame_header(hdr, avail, c->ep->o.max_frame, &plen);
        if (st != IPC_OK) {
            fail_conn(c, st == IPC_E_TOO_BIG ? "frame too big" : "empty frame");
            break;
        }
        if (avail < IPC_FRAME_HDR + (size_t)plen) {
            if (plen < BIG_FRAME)
                break;
            if (big_begin(c, plen) != 0) {
                fail_conn(c, "out of memory");
                break;
            }
            evbuffer_drain(in, IPC_FRAME_HDR);
            continue;
        }
        const uint8_t *p = evbuffer_pullup(in, (ssize_t)(IPC_FRAME_HDR + plen));
        if (!p) {
            fail_conn(c, "out of memory");
            break;
        }
        handle_frame(c, p + IPC_FRAME_HDR, plen);
        if (!c->dead)
            evbuffer_drain(in, IPC_FRAME_HDR + plen);
    }
    /* Part of a frame left: the peer has partial_timeout_ms from now to send
     * more (every read restarts the clock). */
    if (!c->dead) {
        if (evbuffer_get_length(in) > 0 || c->big) {
            uint32_t ms = c->ep->o.partial_timeout_ms;
            struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
            evtimer_add(c->partial_timer, &tv);
        } else {
            evtimer_del(c->partial_timer);
        }
    }
    conn_release(c);
}

static void on_partial_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ipc_conn *c = arg;
    conn_hold(c);
    c->ep->partial_timeouts++;
    smn_warn("ipc %s: closing connection: %zu bytes of an incomplete frame, then nothing for "
             "%u ms",
             c->ep->o.name, evbuffer_get_length(bufferevent_get_input(c->bev)) + c->big_have,
             c->ep->o.partial_timeout_ms);
    conn_close(c, true);
    conn_release(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    ipc_conn *c = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        conn_hold(c);
        if (what & BEV_EVENT_ERROR)
            smn_debug("ipc %s: connection error: %s", c->ep->o.name, strerror(errno));
        conn_close(c, true);
        conn_release(c);
    }
}

/* Wrap a connected, non-blocking fd; closes fd on failure. */
static ipc_conn *conn_new(ipc_endpoint *ep, int fd)
{
    ipc_conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return NULL;
    }
    c->ep = ep;
    c->zone = msgpack_zone_new(4096);
    c->vzone = msgpack_zone_new(4096);
    c->bev = bufferevent_socket_new(ep->base, fd, BEV_OPT_CLOSE_ON_FREE);
    c->partial_timer = evtimer_new(ep->base, on_partial_timeout, c);
    if (!c->zone || !c->vzone || !c->bev || !c->partial_timer ||
        bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0) {
        if (c->bev)
            bufferevent_free(c->bev);
        else
            close(fd);
        if (c->partial_timer)
            event_free(c->partial_timer);
        zone_free(c->zone);
        zone_free(c->vzone);
        free(c);
        return NULL;
    }
    bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
    /* At most one frame in the input: reading pauses at the mark, and
     * on_read drains every complete frame, so it never stalls there. */
    bufferevent_setwatermark(c->bev, EV_READ, 0, (size_t)ep->o.max_frame + IPC_FRAME_HDR);
    c->next = ep->conns;
    if (ep->conns)
        ep->conns->prev = c;
    ep->conns = c;
    ep->nconns++;
    return c;
}

static void conn_up(ipc_endpoint *ep, ipc_conn *c)
{
    if (ep->o.on_state) {
        conn_hold(c);
        ep->o.on_state(c, true, ep->o.ud);
        conn_release(c);
    }
}

static ipc_endpoint *ep_new(struct event_base *base, const ipc_endpoint_opts *o, enum ep_kind k)
{
    if (!base || !o || !o->family) {
        errno = EINVAL;
        return NULL;
    }
    ipc_endpoint *ep = calloc(1, sizeof *ep);
    if (!ep)
        return NULL;
    ep->base = base;
    ep->o = *o;
    ep->kind = k;
    if (!ep->o.name)
        ep->o.name = o->family->name;
    if (!ep->o.max_out_bytes)
        ep->o.max_out_bytes = DEFAULT_MAX_OUT;
    if (!ep->o.max_pending)
        ep->o.max_pending = DEFAULT_MAX_PENDING;
    if (!ep->o.reconnect_min_ms)
        ep->o.reconnect_min_ms = DEFAULT_RECONNECT_MIN;
    if (!ep->o.reconnect_max_ms)
        ep->o.reconnect_max_ms = DEFAULT_RECONNECT_MAX;
    if (!ep->o.max_frame)
        ep->o.max_frame = IPC_FRAME_MAX;
    if (!ep->o.partial_timeout_ms)
        ep->o.partial_timeout_ms = DEFAULT_PARTIAL_TIMEOUT;
    if (!ep->o.max_conns)
        ep->o.max_conns = DEFAULT_MAX_CONNS;
    if (ep->o.reconnect_max_ms < ep->o.reconnect_min_ms)
        ep->o.reconnect_max_ms = ep->o.reconnect_min_ms;
    ep->backoff_ms = ep->o.reconnect_min_ms;
    return ep;
}

static void on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *arg)
{
    (void)lev;
    (void)sa;
    (void)socklen;
    ipc_endpoint *ep = arg;
    if (!ep->doomed && ep->nconns >= ep->o.max_conns) {
        /* Full: accept-and-close, so the client learns at once (EOF) and
         * the backlog does not fill with connections nobody will serve. */
        ep->refused++;
        smn_warn("ipc %s: refusing a connection: %zu clients connected (the limit)", ep->o.name,
                 ep->nconns);
        close(fd);
        return;
    }
    ep_hold(ep);
    ipc_conn *c = ep->doomed ? NULL : conn_new(ep, fd);
    if (c)
        conn_up(ep, c);
    else if (ep->doomed)
        close(fd);
    else
        smn_warn("ipc %s: cannot set up an accepted connection", ep->o.name);
    ep_release(ep);
}

static void on_accept_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ipc_endpoint *ep = arg;
    if (!ep->doomed && ep->lev)
        evconnlistener_enable(ep->lev);
}

static void on_accept_error(struct evconnlistener *lev, void *arg)
{
    ipc_endpoint *ep = arg;
    int e = errno;
    smn_warn("ipc %s: accept failed: %s", ep->o.name, strerror(e));
    /* Out of descriptors or memory: the pending connection stays readable,
     * so libevent would call accept again at once, forever. Pause instead. */
    if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
        evconnlistener_disable(lev);
        struct timeval tv = {0, ACCEPT_PAUSE_MS * 1000};
        evtimer_add(ep->accept_pause, &tv);
    }
}

ipc_endpoint *ipc_listen_fd(struct event_base *base, int listen_fd, bool own_fd,
                            const ipc_endpoint_opts *o)
{
    if (listen_fd < 0) {
        errno = EBADF;
        return NULL;
    }
    /* libevent accepts until EAGAIN: a blocking listener would hang the loop. */
    int fl = fcntl(listen_fd, F_GETFL);
    if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) != 0)
        return NULL;
    ipc_endpoint *ep = ep_new(base, o, EP_LISTEN);
    if (!ep)
        return NULL;
    unsigned flags = LEV_OPT_CLOSE_ON_EXEC | (own_fd ? LEV_OPT_CLOSE_ON_FREE : 0);
    /* backlog 0: the socket is already listening (bound by the supervisor). */
    ep->accept_pause = evtimer_new(base, on_accept_resume, ep);
    ep->lev =
        ep->accept_pause ? evconnlistener_new(base, on_accept, ep, flags, 0, listen_fd) : NULL;
    if (!ep->lev) {
        ep_destroy(ep);
        return NULL;
    }
    evconnlistener_set_error_cb(ep->lev, on_accept_error);
    return ep;
}

static int try_connect(ipc_endpoint *ep)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(ep->path);
    if (n >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(sa.sun_path, ep->path, n + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    /* A Unix-socket connect completes at once: it succeeds as soon as the
     * listening socket has backlog room, even if nobody accepts yet. */
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ipc_endpoint *ep = arg;
    ep_hold(ep);
    if (!ep->doomed && ep->nconns == 0) {
        int cfd = try_connect(ep);
        ipc_conn *c = cfd >= 0 ? conn_new(ep, cfd) : NULL;
        if (c) {
            ep->backoff_ms = ep->o.reconnect_min_ms;
            conn_up(ep, c);
        } else {
            smn_debug("ipc %s: connect %s: %s (retry in %u ms)", ep->o.name, ep->path,
                      strerror(errno), ep->backoff_ms);
            schedule_reconnect(ep);
        }
    }
    ep_release(ep);
}

static void schedule_reconnect(ipc_endpoint *ep)
{
    struct timeval tv = {ep->backoff_ms / 1000, (ep->backoff_ms % 1000) * 1000};
    evtimer_add(ep->retry, &tv);
    uint32_t next = ep->backoff_ms * 2;
    ep->backoff_ms = next > ep->o.reconnect_max_ms ? ep->o.reconnect_max_ms : next;
}

ipc_endpoint *ipc_connect(struct event_base *base, const char *path, const ipc_endpoint_opts *o)
{
    if (!path) {
        errno = EINVAL;
        return NULL;
    }
    ipc_endpoint *ep = ep_new(base, o, EP_CONNECT);
    if (!ep)
        return NULL;
    ep->path = strdup(path);
    ep->retry = evtimer_new(base, on_retry, ep);
    if (!ep->path || !ep->retry) {
        ep_destroy(ep);
        return NULL;
    }
    /* First attempt from the loop, so on_state never runs inside this call. */
    struct timeval now = {0, 0};
    evtimer_add(ep->retry, &now);
    return ep;
}

ipc_endpoint *ipc_attach_fd(struct event_base *base, int fd, const ipc_endpoint_opts *o)
{
    ipc_endpoint *ep = ep_new(base, o, EP_ATTACH);
    if (!ep) {
        close(fd);
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        close(fd);
        free(ep);
        return NULL;
    }
    if (!conn_new(ep, fd)) {
        free(ep);
        return NULL;
    }
    return ep;
}

void ipc_endpoint_free(ipc_endpoint *ep)
{
    if (!ep || ep->doomed)
        return;
    ep_hold(ep);
    ep->doomed = true;
    if (ep->lev)
        evconnlistener_free(ep->lev);
    ep->lev = NULL;
    if (ep->retry)
        evtimer_del(ep->retry);
    if (ep->accept_pause)
        evtimer_del(ep->accept_pause);
    while (ep->conns)
        conn_close(ep->conns, false);
    ep_release(ep);
}

ipc_conn *ipc_endpoint_conn(const ipc_endpoint *ep)
{
    return ep && !ep->doomed ? ep->conns : NULL;
}

size_t ipc_endpoint_nconns(const ipc_endpoint *ep)
{
    return ep ? ep->nconns : 0;
}

uint64_t ipc_endpoint_refused(const ipc_endpoint *ep)
{
    return ep ? ep->refused : 0;
}

uint64_t ipc_endpoint_partial_timeouts(const ipc_endpoint *ep)
{
    return ep ? ep->partial_timeouts : 0;
}

void ipc_conn_close(ipc_conn *c)
{
    if (c)
        conn_close(c, true);
}

size_t ipc_conn_queued_bytes(const ipc_conn *c)
{
    return c && !c->dead ? evbuffer_get_length(bufferevent_get_output(c->bev)) : 0;
}

size_t ipc_conn_pending(const ipc_conn *c)
{
    return c ? c->npend : 0;
}

int ipc_conn_peer_cred(const ipc_conn *c, pid_t *pid, uid_t *uid)
{
    if (!c || !c->bev)
        return -EINVAL;
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
        return -errno;
    *pid = cr.pid;
    *uid = cr.uid;
    return 0;
}

ipc_endpoint *ipc_conn_endpoint(const ipc_conn *c)
{
    return c ? c->ep : NULL;
}

void ipc_conn_set_user(ipc_conn *c, void *user)
{
    if (c)
        c->user = user;
}

void *ipc_conn_user(const ipc_conn *c)
{
    return c ? c->user : NULL;
}
