/* Thin evhttp layer: method and size checks, then the body goes to the RPC
 * core and its answer comes back, possibly later (process, wallet sends).
 *
 * Connection guard (libevent 2.1 has no evhttp_set_max_connections and its
 * timeouts restart on every byte): evhttp asks us for each accepted
 * connection's bufferevent (evhttp_set_bevcb), so we see every accept; once
 * evhttp has wrapped it (the next loop turn) we learn the connection from
 * the bufferevent's callback argument and set its close callback, so we
 * also see every close. With that: a deadline from accept (and from each
 * answer on a kept-alive connection) for the whole request, a cap on
 * connections (the oldest one waiting for its request is closed to make
 * room; with none to close the listener pauses until one closes), and
 * accept errors (EMFILE) pause the listener for a second instead of
 * spinning. */
#include "procs/rpc/http_server.h"

#include "procs/rpc/explorer.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/log.h"

typedef struct http_conn http_conn;

/* One request the core has not answered yet. */
typedef struct http_pending {
    rpc_http *server; /* NULL once the server is gone: drop the answer */
    struct evhttp_request *req;
    http_conn *conn; /* NULL once the connection closed */
    uint64_t t0_us;  /* arrival (CLOCK_MONOTONIC) */
    struct http_pending *prev, *next;
} http_pending;

/* One accepted connection. */
struct http_conn {
    rpc_http *h;
    struct bufferevent *bev;         /* ours (bevcb); evhttp's once adopted */
    struct evhttp_connection *evcon; /* NULL until adopted */
    struct event *deadline;          /* armed while waiting for a request */
    http_pending *pending;           /* the request with the core, if any */
    http_conn *prev, *next;          /* oldest activity first */
};

#define RPC_HTTP_FD_RESERVE 64u /* fds kept for the databases, IPC, pipes */
#define RPC_HTTP_PAUSE_MS 1000u
#define RPC_HTTP_REPORT_S 10u

struct rpc_http {
    rpc_ctx *ctx;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    uint16_t port;
    uint64_t answered;
    http_pending *pending; /* doubly linked, for rpc_http_free */
    unsigned max_conns;
    unsigned timeout_s;
    size_t nconns;
    http_conn *head, *tail;
    http_conn *fresh; /* accepted, not yet adopted (singly linked via next) */
    struct event *adopt_ev;
    struct event *resume_ev;
    bool paused;
    bool explorer;                  /* GET serves the built-in explorer */
    uint16_t feed_port;             /* the WebSocket feed's port for the explorer; 0: none */
    rpc_http_metrics_fn metrics_fn; /* GET /metrics; NULL: 404 */
    uint64_t rpc_count, rpc_sum_us, rpc_buckets[RPC_HTTP_LATENCY_NBOUNDS + 1];
    void *metrics_ud;
    uint64_t evicted, refused_errors, last_report_ns;
};

static void conn_link_tail(rpc_http *h, http_conn *c)
{
    c->prev = h->tail;
    c->next = NULL;
    if (h->tail)
        h->tail->next = c;
    else
        h->head = c;
    h->tail = c;
}

static void conn_unlink(rpc_http *h, http_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        h->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        h->tail = c->prev;
    c->prev = c->next = NULL;
}

static void report(rpc_http *h)
{
    uint64_t now = rpc_monotonic_ns();
    if (now - h->last_report_ns < (uint64_t)RPC_HTTP_REPORT_S * 1000000000u)
        return;
    if (h->evicted || h->refused_errors)
        smn_warn("rpc: connection cap %u reached: %llu waiting connections closed, %llu accept "
                 "errors in the last %us",
                 h->max_conns, (unsigned long long)h->evicted,
                 (unsigned long long)h->refused_errors, RPC_HTTP_REPORT_S);
    h->evicted = h->refused_errors = 0;
    h->last_report_ns = now;
}

static struct evconnlistener *listener(rpc_http *h)
{
    return h->bound ? evhttp_bound_socket_get_listener(h->bound) : NULL;
}

static void pause_accepting(rpc_http *h, unsigned ms)
{
    struct evconnlistener *l = listener(h);
    if (l && !h->paused) {
        evconnlistener_disable(l);
        h->paused = true;
    }
    if (ms) {
        struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
        evtimer_add(h->resume_ev, &tv);
    }
}

static void resume_accepting(rpc_http *h)
{
    struct evconnlistener *l = listener(h);
    if (l && h->paused && h->nconns <= h->max_conns) {
        evconnlistener_enable(l);
        h->paused = false;
    }
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rpc_http *h = arg;
    resume_accepting(h);
    if (h->paused) /* still at the cap: look again later */
        pause_accepting(h, RPC_HTTP_PAUSE_MS);
}

/* evhttp closes (and frees) the connection: forget it. */
static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    http_conn *c = arg;
    rpc_http *h = c->h;
    conn_unlink(h, c);
    if (c->pending)
        c->pending->conn = NULL;
    event_free(c->deadline);
    free(c);
    h->nconns--;
    resume_accepting(h);
}

static void arm_deadline(http_conn *c)
{
    struct timeval tv = {c->h->timeout_s, 0};
    evtimer_add(c->deadline, &tv);
}

/* The request did not arrive in time (slow or idle client): close. */
static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    http_conn *c = arg;
    if (c->evcon && !c->pending) {
        smn_debug("rpc: closing a connection that sent no request in %us", c->h->timeout_s);
        evhttp_connection_free(c->evcon); /* on_conn_close frees c */
    }
}

/* Closes the connection idle longest (waiting for its request), if any. */
static bool evict_one(rpc_http *h)
{
    for (http_conn *c = h->head; c; c = c->next) {
        if (c->evcon && !c->pending) {
            h->evicted++;
            evhttp_connection_free(c->evcon);
            return true;
        }
    }
    return false;
}

/* At the cap the listener stays open: each connection accepted beyond it
 * closes the oldest one still waiting for its request, so slow clients
 * holding every slot cannot keep a new (honest) one waiting in the kernel's
 * backlog until their deadlines. Only when every connection has a request
 * in progress does accepting pause. */
static void enforce_cap(rpc_http *h)
{
    while (h->nconns > h->max_conns && evict_one(h)) {
    }
    if (h->nconns > h->max_conns)
        pause_accepting(h, RPC_HTTP_PAUSE_MS);
    report(h);
}

/* The loop turn after accepts: evhttp has wrapped each new bufferevent in
 * its connection, which is the callback argument it set. */
static void on_adopt(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rpc_http *h = arg;
    http_conn *list = h->fresh;
    h->fresh = NULL;
    while (list) {
        http_conn *c = list;
        list = c->next;
        c->next = NULL;
        bufferevent_event_cb ecb = NULL;
        void *cbarg = NULL;
        bufferevent_getcb(c->bev, NULL, NULL, &ecb, &cbarg);
        if (!ecb || !cbarg) {
            /* evhttp already dropped it: ours was the last reference */
            bufferevent_decref(c->bev);
            event_free(c->deadline);
            free(c);
            h->nconns--;
            continue;
        }
        c->evcon = cbarg;
        evhttp_connection_set_closecb(c->evcon, on_conn_close, c);
        conn_link_tail(h, c);
        bufferevent_decref(c->bev); /* evhttp holds its own */
    }
    enforce_cap(h);
    resume_accepting(h);
}

/* evhttp's hook for a newly accepted connection's bufferevent. */
static struct bufferevent *on_new_bev(struct event_base *base, void *arg)
{
    rpc_http *h = arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev)
        return NULL;
    http_conn *c = calloc(1, sizeof *c);
    if (!c)
        return bev; /* untracked, but served */
    c->h = h;
    c->bev = bev;
    c->deadline = evtimer_new(base, on_deadline, c);
    if (!c->deadline) {
        free(c);
        return bev;
    }
    /* Hold the bufferevent until on_adopt looked at it, in case evhttp
     * frees the connection before that. */
    bufferevent_incref(bev);
    arm_deadline(c);
    c->next = h->fresh;
    h->fresh = c;
    h->nconns++;
    event_active(h->adopt_ev, EV_TIMEOUT, 0);
    if (h->nconns > h->max_conns)
        pause_accepting(h, RPC_HTTP_PAUSE_MS); /* on_adopt makes room */
    return bev;
}

/* accept() failed (EMFILE, ENFILE, ENOBUFS...): pause instead of spinning. */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
    (void)l;
    rpc_http *h = arg;
    h->refused_errors++;
    pause_accepting(h, RPC_HTTP_PAUSE_MS);
    report(h);
}

static http_conn *conn_of(rpc_http *h, struct evhttp_request *req)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    if (!evcon)
        return NULL;
    for (http_conn *c = h->tail; c; c = c->prev)
        if (c->evcon == evcon)
            return c;
    return NULL;
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 302:
        return "Found";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    case 503:
        return "Service Unavailable";
    case 500:
        return "Internal Server Error";
    default:
        return "Error";
    }
}

static void free_text(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    free((void *)data);
}

/* Sends data by reference (never copied); cleanup (may be NULL for static
 * data) runs once libevent is done with it, or here on failure. */
static void send_body(struct evhttp_request *req, int status, const char *mime, const void *data,
                      size_t len, evbuffer_ref_cleanup_cb cleanup)
{
    struct evkeyvalq *hdr = evhttp_request_get_output_headers(req);
    evhttp_add_header(hdr, "Content-Type", mime);
    struct evbuffer *out = evbuffer_new();
    if (!out || evbuffer_add_reference(out, data, len, cleanup, NULL) != 0) {
        if (cleanup)
            cleanup(data, len, NULL);
        if (out)
            evbuffer_free(out);
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evhttp_send_reply(req, status, reason_of(status), out); /* evhttp drops a HEAD's body */
    evbuffer_free(out);
}

static void send_json(struct evhttp_request *req, int status, char *text)
{
    send_body(req, status, "application/json", text, strlen(text), free_text);
}

/* A request on c was answered: kept alive, the connection's next request
 * has its own deadline from now (c may be NULL: it closed meanwhile). */
static void answered(rpc_http *h, http_conn *c)
{
    h->answered++;
    if (c && !c->pending) {
        conn_unlink(h, c);
        conn_link_tail(h, c);
        arm_deadline(c);
    }
}

/* An answer came for p: unlink it and give its connection a fresh
 * deadline. false (p freed) if the server went away meanwhile. */
static bool pending_done(http_pending *p)
{
    rpc_http *h = p->server;
    if (!h) {
        free(p);
        return false;
    }
    if (p->prev)
        p->prev->next = p->next;
    else
        h->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
    http_conn *c = p->conn;
    if (c)
        c->pending = NULL;
    answered(h, c);
    return true;
}

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const uint64_t latency_bounds[RPC_HTTP_LATENCY_NBOUNDS] = RPC_HTTP_LATENCY_BOUNDS;

static void on_answer(void *arg, int status, char *text)
{
    http_pending *p = arg;
    rpc_http *h = p->server;
    if (h) {
        uint64_t us = mono_us() - p->t0_us;
        size_t i = 0;
        while (i < RPC_HTTP_LATENCY_NBOUNDS && us > latency_bounds[i])
            i++;
        h->rpc_buckets[i]++;
        h->rpc_sum_us += us;
        h->rpc_count++;
    }
    if (!pending_done(p)) {
        free(text); /* the server went away meanwhile */
        return;
    }
    /* libevent keeps a request whose client hung up alive until we answer
     * it, and then just frees it: replying is always safe here. */
    send_json(p->req, status, text);
    free(p);
}

/* A request handed to someone who answers later (the RPC core, the
 * supervisor for /metrics): tracked so rpc_http_free and a closing
 * connection find it; its connection's deadline stops meanwhile. client
 * gets the peer's address. NULL: out of memory. */
static http_pending *pending_new(rpc_http *h, struct evhttp_request *req, char *client, size_t cap)
{
    http_pending *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->server = h;
    p->req = req;
    p->t0_us = mono_us();
    p->conn = conn_of(h, req);
    if (p->conn) {
        p->conn->pending = p;
        evtimer_del(p->conn->deadline);
        char *addr = NULL;
        uint16_t port = 0;
        evhttp_connection_get_peer(p->conn->evcon, &addr, &port);
        if (addr && cap)
            snprintf(client, cap, "%s", addr);
    }
    p->next = h->pending;
    if (h->pending)
        h->pending->prev = p;
    h->pending = p;
    return p;
}

/* A GET answered at once: the connection's next request gets its own
 * deadline, as after an RPC answer. */
static void answered_now(rpc_http *h, struct evhttp_request *req)
{
    answered(h, conn_of(h, req));
}

static void send_text(struct evhttp_request *req, int status, const char *text)
{
    send_body(req, status, "text/plain; charset=utf-8", text, strlen(text), NULL);
}

static void on_metrics_text(void *arg, int status, const char *text, size_t len)
{
    http_pending *p = arg;
    if (!pending_done(p))
        return;
    char *copy = malloc(len + 1); /* text is the caller's only during this call */
    if (!copy) {
        evhttp_send_error(p->req, 500, NULL);
    } else {
        memcpy(copy, text ? text : "", len);
        copy[len] = '\0';
        send_body(p->req, status,
                  status == 200 ? "text/plain; version=0.0.4; charset=utf-8"
                                : "text/plain; charset=utf-8",
                  copy, len, free_text);
    }
    free(p);
}

/* GET /metrics: the text comes from the supervisor (every process's
 * figures), later, through the hook rpc main.c installs. */
static void serve_metrics(rpc_http *h, struct evhttp_request *req)
{
    http_pending *p = pending_new(h, req, NULL, 0);
    if (!p) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    h->metrics_fn(h->metrics_ud, on_metrics_text, p);
}

/* GET /explorer/feed.json: where the explorer finds the live feed (the
 * WebSocket's port on this host; null when it is off), so its live parts
 * follow the feed and poll the RPC only without one. */
static void serve_feed(rpc_http *h, struct evhttp_request *req)
{
    char *t = h->feed_port ? NULL : strdup("{\"websocket\":null}");
    if (h->feed_port && asprintf(&t, "{\"websocket\":{\"port\":%u}}", (unsigned)h->feed_port) < 0)
        t = NULL;
    if (!t) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-cache");
    send_json(req, 200, t);
}

/* GET and HEAD: the explorer's pages and files (explorer.h). The files are
 * static and compiled in, so they are sent by reference, never copied. The
 * policy headers keep the page to its own origin: it talks to this RPC and
 * nothing else, and no script can be injected from an answer's data. */
static void serve_get(rpc_http *h, struct evhttp_request *req)
{
    struct evkeyvalq *hdr = evhttp_request_get_output_headers(req);
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    if (path && strcmp(path, "/metrics") == 0 && h->metrics_fn) {
        serve_metrics(h, req);
        return;
    }
    if (h->explorer && path && strcmp(path, "/explorer/feed.json") == 0) {
        serve_feed(h, req);
        answered_now(h, req);
        return;
    }
    const rpc_explorer_asset *a = NULL;
    rpc_explorer_route r = h->explorer ? rpc_explorer_resolve(path, &a) : RPC_EXPLORER_NOT_FOUND;
    evhttp_add_header(hdr, "X-Content-Type-Options", "nosniff");
    if (r == RPC_EXPLORER_REDIRECT) {
        evhttp_add_header(hdr, "Location", "/explorer/");
        send_text(req, 302, "/explorer/\n");
    } else if (r == RPC_EXPLORER_NOT_FOUND) {
        send_text(req, 404,
                  h->explorer
                      ? "Not found. The explorer is at /explorer/; the JSON RPC takes POST.\n"
                      : "Not found. The JSON RPC takes POST (the explorer is off: [rpc] "
                        "explorer).\n");
    } else {
        evhttp_add_header(hdr, "Cache-Control", "no-cache");
        evhttp_add_header(hdr, "Content-Security-Policy",
                          "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
        evhttp_add_header(hdr, "Referrer-Policy", "no-referrer");
        send_body(req, 200, a->mime, a->data, a->len, NULL);
    }
    answered_now(h, req);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    rpc_http *h = arg;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD) {
        serve_get(h, req);
        return;
    }
    if (cmd != EVHTTP_REQ_POST) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD, POST");
        char *t = strdup("{\"error\":\"Method not allowed, use POST\"}");
        if (!t) {
            evhttp_send_error(req, 500, NULL);
            return;
        }
        h->answered++;
        send_json(req, 405, t);
        return;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    /* evhttp enforces the limit too; this covers chunked bodies as well. */
    if (len > RPC_MAX_BODY_BYTES) {
        char *t = strdup("{\"error\":\"Request body too large\"}");
        if (!t) {
            evhttp_send_error(req, 500, NULL);
            return;
        }
        h->answered++;
        send_json(req, 413, t);
        return;
    }
    const char *body = len ? (const char *)evbuffer_pullup(in, -1) : "";
    char client[64] = "";
    http_pending *p = pending_new(h, req, client, sizeof client);
    if (!p) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    if (rpc_handle_async_from(h->ctx, client, body ? body : "", len, on_answer, p) != 0) {
        if (p->conn)
            p->conn->pending = NULL;
        h->pending = p->next;
        if (p->next)
            p->next->prev = NULL;
        free(p);
        evhttp_send_error(req, 500, NULL);
    }
}

rpc_http *rpc_http_new(struct event_base *base, rpc_ctx *ctx, const char *addr, uint16_t port,
                       int listen_fd)
{
    rpc_http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->ctx = ctx;
    h->base = base;
    h->http = evhttp_new(base);
    h->adopt_ev = event_new(base, -1, 0, on_adopt, h);
    h->resume_ev = evtimer_new(base, on_resume, h);
    if (!h->http || !h->adopt_ev || !h->resume_ev) {
        if (h->http)
            evhttp_free(h->http);
        if (h->adopt_ev)
            event_free(h->adopt_ev);
        if (h->resume_ev)
            event_free(h->resume_ev);
        free(h);
        return NULL;
    }
    rpc_http_set_limits(h, RPC_HTTP_DEFAULT_MAX_CONNECTIONS, RPC_HTTP_DEFAULT_TIMEOUT_S);
    evhttp_set_bevcb(h->http, on_new_bev, h);
    evhttp_set_max_body_size(h->http, RPC_MAX_BODY_BYTES);
    evhttp_set_max_headers_size(h->http, 16 * 1024);
    /* evhttp's own timeout restarts on every byte; the deadline above
     * bounds a request. This one only bounds a stalled answer's write. */
    evhttp_set_timeout(h->http, 300);
    /* Let every method reach on_request so the answer is 405, not 501. */
    evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    /* Read the rest of a refused body before closing, so the client sees
     * the 413 instead of a reset. */
    evhttp_set_flags(h->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_gencb(h->http, on_request, h);

    if (listen_fd >= 0) {
        int fl = fcntl(listen_fd, F_GETFL);
        if (fl >= 0)
            fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK);
        h->bound = evhttp_accept_socket_with_handle(h->http, listen_fd);
        if (!h->bound)
            smn_error("rpc: cannot listen on inherited fd %d", listen_fd);
    } else {
        h->bound = evhttp_bind_socket_with_handle(h->http, addr ? addr : "127.0.0.1", port);
        if (!h->bound)
            smn_error("rpc: cannot bind %s:%u: %s", addr ? addr : "127.0.0.1", (unsigned)port,
                      strerror(errno));
    }
    if (!h->bound) {
        evhttp_free(h->http);
        event_free(h->adopt_ev);
        event_free(h->resume_ev);
        free(h);
        return NULL;
    }
    evconnlistener_set_error_cb(listener(h), on_accept_error);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int fd = evhttp_bound_socket_get_fd(h->bound);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            h->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            h->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    return h;
}

void rpc_http_set_explorer_feed(rpc_http *h, uint16_t ws_port)
{
    h->feed_port = ws_port;
}

void rpc_http_set_explorer(rpc_http *h, bool on)
{
    h->explorer = on;
}

void rpc_http_get_stats(const rpc_http *h, rpc_http_stats *out)
{
    memset(out, 0, sizeof *out);
    out->answered = h->answered;
    out->rpc_count = h->rpc_count;
    out->rpc_sum_us = h->rpc_sum_us;
    memcpy(out->rpc_buckets, h->rpc_buckets, sizeof out->rpc_buckets);
    out->connections = h->nconns;
    out->evicted = h->evicted;
}

void rpc_http_set_metrics(rpc_http *h, rpc_http_metrics_fn fn, void *ud)
{
    h->metrics_fn = fn;
    h->metrics_ud = ud;
}

uint16_t rpc_http_port(const rpc_http *h)
{
    return h->port;
}

uint64_t rpc_http_requests(const rpc_http *h)
{
    return h->answered;
}

void rpc_http_set_limits(rpc_http *h, unsigned max_connections, unsigned request_timeout_s)
{
    unsigned cap = max_connections ? max_connections : RPC_HTTP_DEFAULT_MAX_CONNECTIONS;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        rlim_t room = rl.rlim_cur > 2 * RPC_HTTP_FD_RESERVE ? rl.rlim_cur - RPC_HTTP_FD_RESERVE
                                                            : rl.rlim_cur / 2;
        if (room < 1)
            room = 1;
        if ((rlim_t)cap > room)
            cap = (unsigned)room;
    }
    h->max_conns = cap;
    h->timeout_s = request_timeout_s ? request_timeout_s : RPC_HTTP_DEFAULT_TIMEOUT_S;
}

unsigned rpc_http_max_connections(const rpc_http *h)
{
    return h->max_conns;
}

size_t rpc_http_connections(const rpc_http *h)
{
    return h->nconns;
}

void rpc_http_free(rpc_http *h)
{
    if (!h)
        return;
    /* Pending answers will find server == NULL and free themselves; their
     * requests die with evhttp_free. */
    http_pending *p = h->pending;
    while (p) {
        http_pending *next = p->next;
        p->server = NULL;
        p->conn = NULL;
        p = next;
    }
    h->bound = NULL; /* evhttp_free closes the listener first */
    /* Connections close inside evhttp_free (on_conn_close frees each);
     * ones not adopted yet are evhttp's to free, ours to release. */
    while (h->fresh) {
        http_conn *c = h->fresh;
        h->fresh = c->next;
        bufferevent_decref(c->bev);
        event_free(c->deadline);
        free(c);
    }
    evhttp_free(h->http);
    event_free(h->adopt_ev);
    event_free(h->resume_ev);
    free(h);
}
