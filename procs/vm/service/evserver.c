/* The event socket server; see evserver.h. */
#include "procs/vm/service/evserver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "common/log.h"
#include "ipc/builder.h"
#include "ipc/frame.h"
#include "ipc/msg.h"
#include "ipc/schema_vmevents.h"
#include "ipc/unix_socket.h"
#include "procs/vm/service/subscriber.h"

#define IN_FRAME_MAX 4096 /* a client sends only subscribe and ping */
#define PAGE 128          /* rows read per DB query */
#define PUMP_BUDGET 4096  /* rows scanned per backlog step before yielding */
#define CLOSE_TIMEOUT_S 5 /* a closing client that reads nothing this long is dropped */
#define PUBLISH_STEP 256  /* new rows fanned out per step before yielding */
#define ACCEPT_PAUSE_MS 100

typedef struct client {
    vm_evserver *srv;
    struct bufferevent *bev;
    struct event *pump_ev;
    struct event *timer; /* subscribe deadline, then the incomplete-frame timeout */
    vm_sub sub;
    bool subscribed;
    bool closing;
    struct client *prev, *next;
} client;

struct vm_evserver {
    struct event_base *base;
    struct evconnlistener *lis;
    struct event *accept_pause; /* re-enables the listener after EMFILE and friends */
    struct event *publish_ev;   /* the next step of fanning out new rows */
    uint32_t subscribe_ms, partial_ms;
    uint64_t accept_errors, timeouts;
    sqlite3 *db;
    sqlite3_stmt *head_st; /* vm_evrow_head_cached's */
    char path[300];
    client *clients;
    size_t nclients;
    uint64_t head;
    vm_evrow page[PAGE];
};

static size_t queued(const client *c)
{
    return evbuffer_get_length(bufferevent_get_output(c->bev));
}

static void client_free(client *c)
{
    vm_evserver *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nclients--;
    if (c->pump_ev)
        event_free(c->pump_ev);
    if (c->timer)
        event_free(c->timer);
    bufferevent_free(c->bev);
    free(c);
}

/* Finish b as a notification (re = 0) or reply and append it whatever the
 * bound: replies and the final message are small and must go out. */
static bool put_frame(client *c, ipc_builder *b, uint64_t re)
{
    ipc_error err = {.detail = "out of memory"};
    bool ok = ipc_build_finish(b, &ipc_family_vmevents, 0, re, &err) == IPC_OK &&
              evbuffer_add(bufferevent_get_output(c->bev), b->buf, b->len) == 0;
    if (!ok)
        smn_error("vm events: cannot send '%s': %s", b->kind ? b->kind : "?", err.detail);
    ipc_build_free(b);
    return ok;
}

static void reply_error(client *c, uint64_t re, const char *message)
{
    ipc_builder b;
    ipc_build_begin(&b, "error");
    ipc_put_str(&b, "message", message);
    put_frame(c, &b, re);
}

/* Send the final message and close once it is written (or after
 * CLOSE_TIMEOUT_S without progress). */
static void close_with(client *c, ipc_vmev_reason why)
{
    if (c->closing)
        return;
    c->closing = true;
    c->sub.phase = VM_SUB_CLOSED;
    if (c->pump_ev)
        event_del(c->pump_ev);
    if (c->timer)
        event_del(c->timer);
    ipc_builder b;
    const char *reason = ipc_vmev_reason_name(why);
    ipc_build_begin(&b, "disconnect");
    ipc_put_str(&b, "reason", reason);
    ipc_put_uint(&b, "cursor", c->sub.cursor);
    put_frame(c, &b, 0);
    bufferevent_disable(c->bev, EV_READ);
    bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
    struct timeval tv = {CLOSE_TIMEOUT_S, 0};
    bufferevent_set_timeouts(c->bev, NULL, &tv);
    smn_info("vm events: closing a subscriber at cursor %llu: %s",
             (unsigned long long)c->sub.cursor, reason);
}

static bool build_event(ipc_builder *b, const vm_evrow *e)
{
    ipc_build_begin(b, "event");
    ipc_put_uint(b, "cursor", e->cursor);
    ipc_put_bin(b, "block_hash", e->block_hash, 32);
    ipc_put_uint(b, "height", e->height);
    ipc_put_bin(b, "account", e->account, 32);
    ipc_put_uint(b, "index", e->index);
    ipc_put_bin(b, "program", e->program, 32);
    ipc_put_uint(b, "session", e->session);
    ipc_put_str(b, "type", e->type);
    ipc_put_uint(b, "topic", e->topic);
    ipc_put_bin(b, "data", e->data, e->data_len);
    ipc_error err;
    if (ipc_build_finish(b, &ipc_family_vmevents, 0, 0, &err) != IPC_OK) {
        smn_error("vm events: cannot encode event %llu: %s", (unsigned long long)e->cursor,
                  err.detail);
        ipc_build_free(b);
        return false;
    }
    return true;
}

/* A zero-delay timer, not event_active(): the loop polls its sockets
 * before the next step (an event_active chain would not). */
static void soon(struct event *ev)
{
    static const struct timeval zero = {0, 0};
    event_add(ev, &zero);
}

static void arm_ms(struct event *ev, uint32_t ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(ev, &tv);
}

static void schedule_pump(client *c)
{
    if (c->subscribed && !c->closing && c->sub.phase == VM_SUB_BACKLOG)
        soon(c->pump_ev);
}

/* Move backlog rows into the client's output while it has room; yields
 * after PUMP_BUDGET rows so other clients and the indexer get their turn. */
static void pump(client *c)
{
    vm_evserver *s = c->srv;
    size_t scanned = 0;
    if (!c->subscribed)
        return;
    while (!c->closing && vm_sub_wants_backlog(&c->sub, queued(c))) {
        if (scanned >= PUMP_BUDGET) {
            schedule_pump(c);
            return;
        }
        size_t n = 0;
        int rc = vm_evrow_read(s->db, c->sub.cursor, s->head, s->page, PAGE, &n);
        if (rc != SQLITE_OK) {
            smn_error("vm events: reading events after %llu: %s", (unsigned long long)c->sub.cursor,
                      sqlite3_errstr(rc));
            close_with(c, IPC_VMEV_SERVER_ERROR);
            return;
        }
        scanned += n;
        bool waiting = false;
        for (size_t i = 0; i < n && !waiting && !c->closing; i++) {
            if (!vm_sub_wants(&c->sub, &s->page[i]))
                continue;
            ipc_builder b;
            if (!build_event(&b, &s->page[i])) {
                close_with(c, IPC_VMEV_SERVER_ERROR);
                break;
            }
            vm_sub_verdict v = vm_sub_admit(&c->sub, &s->page[i], queued(c), b.len);
            if (v == VM_SUB_SEND)
                evbuffer_add(bufferevent_get_output(c->bev), b.buf, b.len);
            else
                waiting = true; /* the write callback resumes here */
            ipc_build_free(&b);
        }
        vm_evrows_clear(s->page, n);
        if (waiting || c->closing)
            return;
        if (n < PAGE) {
            if (vm_sub_backlog_done(&c->sub, s->head)) {
                ipc_builder b;
                ipc_build_begin(&b, "caught_up");
                ipc_put_uint(&b, "cursor", c->sub.cursor);
                put_frame(c, &b, 0);
            }
            return;
        }
    }
}

static void on_pump(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pump(arg);
}

static void on_subscribe(client *c, const ipc_msg *m)
{
    if (c->subscribed) {
        reply_error(c, m->id, "already subscribed on this connection");
        return;
    }
    vm_evfilter f;
    uint64_t from;
    size_t buffer;
    vm_sub_parse(m, &f, &from, &buffer);
    char why[96];
    if (!vm_sub_check(&f, from, c->srv->head, why, sizeof why)) {
        reply_error(c, m->id, why);
        return;
    }
    vm_sub_init(&c->sub, &f, from, buffer);
    c->subscribed = true;
    evtimer_del(c->timer); /* no deadline any more; on_read re-arms for a partial frame */
    /* The kernel's socket buffer comes on top of ours: keep it to the
     * same order, so the bound means what the client asked for. */
    int sndbuf = (int)(buffer / 2 < 4096 ? 4096 : buffer / 2);
    (void)setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    bufferevent_setwatermark(c->bev, EV_WRITE, buffer / 2, 0);
    ipc_builder b;
    ipc_build_begin(&b, "subscribed");
    ipc_put_uint(&b, "head", c->srv->head);
    put_frame(c, &b, m->id);
    schedule_pump(c);
}

static void dispatch(client *c, const ipc_msg *m)
{
    bool subscribe = ipc_vmev_kind_of(m) == IPC_VMEV_K_SUBSCRIBE;
    if (subscribe && m->id) {
        on_subscribe(c, m);
    } else if (ipc_common_kind_of(m) == IPC_COMMON_K_PING && m->id) {
        uint64_t seq = 0;
        const uint8_t *echo;
        size_t echo_len;
        ipc_get_uint(m->body, "seq", &seq);
        ipc_builder b;
        ipc_build_begin(&b, "pong");
        ipc_put_uint(&b, "seq", seq);
        if (ipc_get_bin(m->body, "echo", &echo, &echo_len))
            ipc_put_bin(&b, "echo", echo, echo_len);
        put_frame(c, &b, m->id);
    } else if (m->id) {
        reply_error(c, m->id, "the event socket serves subscribe and ping only");
    } else if (subscribe) {
        reply_error(c, 0, "subscribe is a request: give it an id");
    }
}

/* A subscriber that left part of a frame has partial_ms from its last
 * byte to finish it. Before it subscribes, the deadline set at accept
 * stands, whatever it sends. */
static void arm_partial(client *c)
{
    if (c->closing || !c->subscribed)
        return;
    if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
        arm_ms(c->timer, c->srv->partial_ms);
    else
        evtimer_del(c->timer);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    client *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    while (!c->closing) {
        uint8_t hdr[IPC_FRAME_HDR];
        size_t avail = evbuffer_get_length(in);
        if (avail < IPC_FRAME_HDR)
            break;
        evbuffer_copyout(in, hdr, sizeof hdr);
        uint32_t plen;
        if (ipc_frame_header(hdr, avail, IN_FRAME_MAX, &plen) != IPC_OK) {
            close_with(c, IPC_VMEV_PROTOCOL);
            return;
        }
        if (avail < IPC_FRAME_HDR + (size_t)plen)
            break;
        const uint8_t *p = evbuffer_pullup(in, (ssize_t)(IPC_FRAME_HDR + plen));
        if (!p) {
            close_with(c, IPC_VMEV_SERVER_ERROR);
            return;
        }
        ipc_msg m;
        ipc_error err;
        ipc_status st = ipc_decode(&ipc_family_vmevents, p + IPC_FRAME_HDR, plen, &m, &err);
        if (st == IPC_OK) {
            dispatch(c, &m);
            ipc_msg_free(&m);
        } else if (m.id && st != IPC_E_MALFORMED && st != IPC_E_TOO_DEEP) {
            reply_error(c, m.id, err.detail);
        } else {
            smn_warn("vm events: bad frame from a client: %s", err.detail);
            close_with(c, IPC_VMEV_PROTOCOL);
            return;
        }
        evbuffer_drain(in, IPC_FRAME_HDR + plen);
    }
    arm_partial(c);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    client *c = arg;
    vm_evserver *s = c->srv;
    s->timeouts++;
    if (c->subscribed) {
        smn_warn("vm events: closing a subscriber: %zu bytes of an incomplete frame, then "
                 "nothing for %u ms",
                 evbuffer_get_length(bufferevent_get_input(c->bev)), s->partial_ms);
        close_with(c, IPC_VMEV_TIMEOUT);
    } else {
        smn_warn("vm events: closing a client that did not subscribe within %u ms",
                 s->subscribe_ms);
        close_with(c, IPC_VMEV_SUBSCRIBE_TIMEOUT);
    }
}

static void on_write(struct bufferevent *bev, void *arg)
{
    (void)bev;
    client *c = arg;
    if (c->closing) {
        if (queued(c) == 0)
            client_free(c);
        return;
    }
    pump(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    (void)what; /* EOF, error or the closing timeout: the client is gone */
    client_free(arg);
}

/* Too many clients: say why in one frame, then close. */
static void refuse(evutil_socket_t fd, ipc_vmev_reason why)
{
    ipc_builder b;
    ipc_build_begin(&b, "disconnect");
    ipc_put_str(&b, "reason", ipc_vmev_reason_name(why));
    ipc_put_uint(&b, "cursor", 0);
    if (ipc_build_finish(&b, &ipc_family_vmevents, 0, 0, NULL) == IPC_OK)
        (void)send(fd, b.buf, b.len, MSG_DONTWAIT | MSG_NOSIGNAL);
    ipc_build_free(&b);
    evutil_closesocket(fd);
}

static void on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    (void)lis;
    (void)sa;
    (void)salen;
    vm_evserver *s = arg;
    if (s->nclients >= VM_EVSERVER_MAX_CLIENTS) {
        smn_warn("vm events: refusing a subscriber: %d already connected", VM_EVSERVER_MAX_CLIENTS);
        refuse(fd, IPC_VMEV_TOO_MANY_CLIENTS);
        return;
    }
    client *c = calloc(1, sizeof *c);
    if (c)
        c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (c && c->bev) {
        c->pump_ev = evtimer_new(s->base, on_pump, c);
        c->timer = evtimer_new(s->base, on_timer, c);
    }
    if (!c || !c->bev || !c->pump_ev || !c->timer) {
        if (c && c->bev)
            bufferevent_free(c->bev);
        else
            evutil_closesocket(fd);
        if (c && c->pump_ev)
            event_free(c->pump_ev);
        if (c && c->timer)
            event_free(c->timer);
        free(c);
        smn_error("vm events: out of memory accepting a subscriber");
        return;
    }
    c->srv = s;
    c->next = s->clients;
    if (s->clients)
        s->clients->prev = c;
    s->clients = c;
    s->nclients++;
    vm_sub_init(&c->sub, NULL, 0, IPC_VMEV_BUFFER_DEFAULT);
    bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    /* A slot is held only by a subscriber: subscribe within subscribe_ms. */
    arm_ms(c->timer, s->subscribe_ms);
}

static void on_accept_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    vm_evserver *s = arg;
    evconnlistener_enable(s->lis);
}

/* Out of descriptors or memory: the pending connection stays readable, so
 * libevent would call accept() again on every loop iteration. Pause. */
static void on_accept_error(struct evconnlistener *lis, void *arg)
{
    vm_evserver *s = arg;
    int e = errno;
    s->accept_errors++;
    if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
        smn_warn("vm events: accept failed: %s; pausing %d ms", strerror(e), ACCEPT_PAUSE_MS);
        evconnlistener_disable(lis);
        arm_ms(s->accept_pause, ACCEPT_PAUSE_MS);
    } else {
        smn_warn("vm events: accept failed: %s", strerror(e));
    }
}

static void on_publish(evutil_socket_t fd, short what, void *arg);

vm_evserver *vm_evserver_new(struct event_base *base, const char *path, sqlite3 *db, char *err,
                             size_t errlen)
{
    vm_evserver *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->base = base;
    s->db = db;
    s->subscribe_ms = VM_EVSERVER_SUBSCRIBE_MS;
    s->partial_ms = VM_EVSERVER_PARTIAL_MS;
    if (snprintf(s->path, sizeof s->path, "%s", path) >= (int)sizeof s->path) {
        snprintf(err, errlen, "socket path too long: %s", path);
        free(s);
        return NULL;
    }
    if (vm_evrow_head(db, &s->head) != SQLITE_OK) {
        snprintf(err, errlen, "cannot read the events table: %s", sqlite3_errmsg(db));
        free(s);
        return NULL;
    }
    int fd = ipc_unix_listen(path, 64);
    if (fd < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(-fd));
        free(s);
        return NULL;
    }
    evutil_make_socket_nonblocking(fd);
    s->accept_pause = evtimer_new(base, on_accept_resume, s);
    s->publish_ev = evtimer_new(base, on_publish, s);
    s->lis = s->accept_pause && s->publish_ev
                 ? evconnlistener_new(base, on_accept, s,
                                      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd)
                 : NULL;
    if (!s->lis) {
        snprintf(err, errlen, "cannot serve %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        if (s->accept_pause)
            event_free(s->accept_pause);
        if (s->publish_ev)
            event_free(s->publish_ev);
        free(s);
        return NULL;
    }
    evconnlistener_set_error_cb(s->lis, on_accept_error);
    return s;
}

/* The loop is ending: write what is queued (ending with the disconnect)
 * now, blocking for at most FLUSH_MS per client. evbuffer_write() cannot
 * do it: a socket bufferevent keeps the front of its output frozen, so
 * that drain fails and the client saw a bare EOF. */
#define FLUSH_MS 50
static void flush_blocking(client *c)
{
    evutil_socket_t fd = bufferevent_getfd(c->bev);
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t len = evbuffer_get_length(out);
    const unsigned char *p = len ? evbuffer_pullup(out, -1) : NULL;
    if (!p || fd < 0)
        return;
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    struct timeval tv = {0, FLUSH_MS * 1000};
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    size_t done = 0;
    while (done < len) {
        ssize_t w = send(fd, p + done, len - done, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
}

void vm_evserver_free(vm_evserver *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->head_st);
    evconnlistener_free(s->lis);
    event_free(s->accept_pause);
    event_free(s->publish_ev);
    unlink(s->path);
    while (s->clients) {
        client *c = s->clients;
        if (!c->closing) {
            close_with(c, IPC_VMEV_SHUTDOWN);
            flush_blocking(c);
        }
        client_free(c);
    }
    free(s);
}

/* One step of the fan-out: at most PUBLISH_STEP rows after the published
 * head, up to the DB's head; the next step after the loop has polled. */
static void publish_step(vm_evserver *s)
{
    uint64_t head;
    if (vm_evrow_head_cached(s->db, &s->head_st, &head) != SQLITE_OK || head <= s->head)
        return;
    bool any_live = false;
    for (client *c = s->clients; c; c = c->next)
        any_live |= !c->closing && c->sub.phase == VM_SUB_LIVE;
    if (!any_live) {
        s->head = head; /* nobody to tell: a new subscriber reads it as backlog */
        return;
    }
    uint64_t at = s->head;
    size_t rows = 0;
    while (at < head && rows < PUBLISH_STEP) {
        size_t n = 0;
        int rc = vm_evrow_read(s->db, at, head, s->page, PAGE, &n);
        if (rc != SQLITE_OK) {
            smn_error("vm events: reading new events: %s", sqlite3_errstr(rc));
            for (client *c = s->clients; c; c = c->next)
                if (c->sub.phase == VM_SUB_LIVE)
                    close_with(c, IPC_VMEV_SERVER_ERROR);
            at = head;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            ipc_builder b;
            bool built = false, ok = true;
            for (client *c = s->clients; c && ok; c = c->next) {
                if (c->closing || c->sub.phase != VM_SUB_LIVE ||
                    !vm_sub_wants(&c->sub, &s->page[i]))
                    continue;
                if (!built && !(ok = built = build_event(&b, &s->page[i])))
                    break;
                if (vm_sub_admit(&c->sub, &s->page[i], queued(c), b.len) == VM_SUB_SEND)
                    evbuffer_add(bufferevent_get_output(c->bev), b.buf, b.len);
                else
                    close_with(c, IPC_VMEV_SLOW_CONSUMER);
            }
            if (built)
                ipc_build_free(&b);
        }
        rows += n;
        at = n ? s->page[n - 1].cursor : head;
        vm_evrows_clear(s->page, n);
        if (n < PAGE)
            at = head; /* nothing left up to head */
    }
    s->head = at;
    /* Live clients that saw nothing of this still scanned past it. */
    for (client *c = s->clients; c; c = c->next)
        if (c->sub.phase == VM_SUB_LIVE && c->sub.cursor < s->head)
            c->sub.cursor = s->head;
    if (s->head < head)
        soon(s->publish_ev);
}

static void on_publish(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    publish_step(arg);
}

void vm_evserver_publish(vm_evserver *s)
{
    if (!evtimer_pending(s->publish_ev, NULL))
        soon(s->publish_ev);
}

void vm_evserver_set_timeouts(vm_evserver *s, uint32_t subscribe_ms, uint32_t partial_ms)
{
    s->subscribe_ms = subscribe_ms ? subscribe_ms : VM_EVSERVER_SUBSCRIBE_MS;
    s->partial_ms = partial_ms ? partial_ms : VM_EVSERVER_PARTIAL_MS;
}

uint64_t vm_evserver_accept_errors(const vm_evserver *s)
{
    return s ? s->accept_errors : 0;
}

uint64_t vm_evserver_timeouts(const vm_evserver *s)
{
    return s ? s->timeouts : 0;
}

size_t vm_evserver_clients(const vm_evserver *s)
{
    return s ? s->nclients : 0;
}

uint64_t vm_evserver_head(const vm_evserver *s)
{
    return s ? s->head : 0;
}
