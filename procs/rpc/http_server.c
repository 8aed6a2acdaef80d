/* Thin evhttp layer: method and size checks, then the body goes to the RPC
 * core and its answer comes back, possibly later (process, wallet sends). */
#include "procs/rpc/http_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/log.h"

/* One request the core has not answered yet. */
typedef struct http_pending {
    rpc_http *server; /* NULL once the server is gone: drop the answer */
    struct evhttp_request *req;
    struct http_pending *prev, *next;
} http_pending;

struct rpc_http {
    rpc_ctx *ctx;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    uint16_t port;
    uint64_t answered;
    http_pending *pending; /* doubly linked, for rpc_http_free */
};

static const char *reason_of(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
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

static void send_json(struct evhttp_request *req, int status, char *text)
{
    struct evkeyvalq *hdr = evhttp_request_get_output_headers(req);
    evhttp_add_header(hdr, "Content-Type", "application/json");
    struct evbuffer *out = evbuffer_new();
    if (!out || evbuffer_add_reference(out, text, strlen(text), free_text, NULL) != 0) {
        free(text);
        if (out)
            evbuffer_free(out);
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evhttp_send_reply(req, status, reason_of(status), out);
    evbuffer_free(out);
}

static void on_answer(void *arg, int status, char *text)
{
    http_pending *p = arg;
    rpc_http *h = p->server;
    if (!h) {
        free(text); /* the server went away meanwhile */
        free(p);
        return;
    }
    if (p->prev)
        p->prev->next = p->next;
    else
        h->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
    h->answered++;
    /* libevent keeps a request whose client hung up alive until we answer
     * it, and then just frees it: replying is always safe here. */
    send_json(p->req, status, text);
    free(p);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    rpc_http *h = arg;
    if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "POST");
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
    http_pending *p = calloc(1, sizeof *p);
    if (!p) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    p->server = h;
    p->req = req;
    p->next = h->pending;
    if (h->pending)
        h->pending->prev = p;
    h->pending = p;
    if (rpc_handle_async(h->ctx, body ? body : "", len, on_answer, p) != 0) {
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
    h->http = evhttp_new(base);
    if (!h->http) {
        free(h);
        return NULL;
    }
    evhttp_set_max_body_size(h->http, RPC_MAX_BODY_BYTES);
    evhttp_set_max_headers_size(h->http, 16 * 1024);
    evhttp_set_timeout(h->http, 30);
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
        free(h);
        return NULL;
    }
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

uint16_t rpc_http_port(const rpc_http *h)
{
    return h->port;
}

uint64_t rpc_http_requests(const rpc_http *h)
{
    return h->answered;
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
        p = next;
    }
    evhttp_free(h->http);
    free(h);
}
