/* The WebSocket server on libwebsockets; see server.h. The only code that
 * calls libwebsockets: frames, fragments, writes and closes live here;
 * lws does the HTTP upgrade, framing, masking and UTF-8 checks. */
#include "procs/ws/server.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"

_Static_assert(LWS_PRE <= WS_BUF_PRE, "outq.h WS_BUF_PRE must cover LWS_PRE");

#define WRITES_PER_CALLBACK 64  /* messages written per writeable callback */
#define SNDBUF_MAX (256 * 1024) /* SO_SNDBUF per client (the kernel doubles it) */

struct ws_server {
    struct lws_context *ctx;
    ws_uvpump *pump;
    ws_server_cbs cbs;
    size_t client_buffer;
    uint32_t max_clients;
    size_t nclients;
    uint64_t next_id, refused;
    ws_client *clients;
    struct lws_protocols protocols[2];
    lws_retry_bo_t idle; /* keepalive: lws pings an idle client, then hangs up */
};

typedef struct {
    ws_client *c;
} pss;

static void lws_log(int level, const char *line)
{
    /* lws lines start with a timestamp and end with a newline. */
    const char *p = strstr(line, "] ");
    p = p ? p + 2 : line;
    size_t n = strlen(p);
    while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
        n--;
    smn_log(level == LLL_ERR ? SMN_LOG_ERROR : SMN_LOG_WARN, "lws: %.*s", (int)n, p);
}

static void unlink_client(ws_server *s, ws_client *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        s->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nclients--;
}

static int close_now(struct lws *wsi, int code, const char *reason)
{
    lws_close_reason(wsi, (enum lws_close_status)code, (unsigned char *)reason, strlen(reason));
    return -1;
}

static int on_writeable(ws_server *s, ws_client *c)
{
    if (c->closing)
        return 0; /* the close goes out from the timer callback */
    int wrote = 0;
    ws_item it;
    while (wrote < WRITES_PER_CALLBACK && ws_outq_pop(&c->q, &it)) {
        int n = lws_write(c->wsi, ws_buf_text(it.buf), it.buf->len, LWS_WRITE_TEXT);
        if (it.stream == WS_STREAM_CONF)
            c->conf_sent = it.cursor;
        else if (it.stream == WS_STREAM_VM)
            c->vm_sent = it.cursor;
        ws_buf_unref(it.buf);
        if (n < 0)
            return -1;
        wrote++;
        if (lws_send_pipe_choked(c->wsi))
            break;
    }
    if (c->q.n)
        lws_callback_on_writable(c->wsi);
    if (wrote && s->cbs.on_sent)
        s->cbs.on_sent(s->cbs.user, c);
    return 0;
}

static int on_receive(ws_server *s, ws_client *c, const char *in, size_t len)
{
    if (c->closing)
        return 0;
    if (lws_frame_is_binary(c->wsi))
        return close_now(c->wsi, WS_CLOSE_UNACCEPTABLE,
                         "binary frames are not accepted: send JSON text");
    if (c->rx_len + len > WS_RX_MAX) {
        char reason[64];
        snprintf(reason, sizeof reason, "message larger than %u bytes", WS_RX_MAX);
        smn_info("client %llu: %s, closed", (unsigned long long)c->id, reason);
        return close_now(c->wsi, WS_CLOSE_TOO_BIG, reason);
    }
    if (!c->rx) {
        c->rx = malloc(WS_RX_MAX + 1);
        if (!c->rx)
            return close_now(c->wsi, WS_CLOSE_SERVER_ERROR, "out of memory");
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (!lws_is_final_fragment(c->wsi) || lws_remaining_packet_payload(c->wsi))
        return 0;
    c->rx[c->rx_len] = '\0';
    size_t n = c->rx_len;
    c->rx_len = 0;
    if (s->cbs.on_message)
        s->cbs.on_message(s->cbs.user, c, c->rx, n);
    /* A message rarely spans more than one buffer; keep memory per idle
     * client small. */
    free(c->rx);
    c->rx = NULL;
    /* The service refused the message: close from this callback. */
    if (!c->closing)
        return 0;
    c->close_issued = true;
    return close_now(c->wsi, c->close_code, c->close_reason);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    ws_server *s = lws_context_user(lws_get_context(wsi));
    pss *p = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        if (s->nclients >= s->max_clients) {
            s->refused++;
            smn_warn("%zu clients (max_clients): connection refused", s->nclients);
            return 1;
        }
        return 0;
    case LWS_CALLBACK_ESTABLISHED: {
        ws_client *c = calloc(1, sizeof *c);
        if (!c)
            return -1;
        c->wsi = wsi;
        c->id = ++s->next_id;
        ws_outq_init(&c->q, s->client_buffer);
        c->next = s->clients;
        if (s->clients)
            s->clients->prev = c;
        s->clients = c;
        s->nclients++;
        p->c = c;
        /* The kernel's send buffer would otherwise grow to tcp_wmem's
         * maximum (4 MiB) for a client that stops reading: cap it, so
         * such a client holds about three client_buffers at most. */
        int fd = lws_get_socket_fd(wsi);
        int sndbuf = (int)(s->client_buffer < SNDBUF_MAX ? s->client_buffer : SNDBUF_MAX);
        if (fd >= 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
        if (s->cbs.on_open)
            s->cbs.on_open(s->cbs.user, c);
        return 0;
    }
    case LWS_CALLBACK_RECEIVE:
        return p && p->c ? on_receive(s, p->c, in, len) : -1;
    case LWS_CALLBACK_TIMER:
        if (p && p->c && p->c->closing && !p->c->close_issued) {
            p->c->close_issued = true;
            return close_now(wsi, p->c->close_code, p->c->close_reason);
        }
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return p && p->c ? on_writeable(s, p->c) : 0;
    case LWS_CALLBACK_CLOSED: {
        ws_client *c = p ? p->c : NULL;
        if (!c)
            return 0;
        p->c = NULL;
        if (s->cbs.on_close)
            s->cbs.on_close(s->cbs.user, c);
        unlink_client(s, c);
        ws_outq_free(&c->q);
        free(c->rx);
        free(c);
        return 0;
    }
    default:
        return 0;
    }
}

/* On a foreign libuv loop lws frees its context only once its handles have
 * closed, which takes loop rounds, and then only when lws_context_destroy()
 * is called again; it clears s->ctx (info.pcontext) when it is done. */
static void destroy_ctx(ws_server *s)
{
    lws_context_destroy(s->ctx);
    ws_uvpump_drain(s->pump);
    if (s->ctx)
        lws_context_destroy(s->ctx);
    ws_uvpump_drain(s->pump);
    if (s->ctx)
        smn_warn("lws context not freed at shutdown");
}

ws_server *ws_server_new(ws_uvpump *pump, const char *address, uint16_t port, uint32_t max_clients,
                         size_t client_buffer, uint32_t keepalive_s, const ws_server_cbs *cbs,
                         char *err, size_t errlen)
{
    ws_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->pump = pump;
    s->cbs = *cbs;
    s->max_clients = max_clients;
    s->client_buffer = client_buffer;
    s->protocols[0] = (struct lws_protocols){.name = "smn",
                                             .callback = callback,
                                             .per_session_data_size = sizeof(pss),
                                             .rx_buffer_size = 4096};
    /* lws's errors and warnings go to our log, one line each. */
    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
    void *loops[] = {ws_uvpump_loop(pump)};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = address;
    info.protocols = s->protocols;
    /* Explicit vhost: a port in use fails lws_create_vhost() instead of
     * leaving a context that serves nothing. Without IPv6, lws binds an
     * IPv4 address given as iface (with it, it would bind every address). */
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8 |
                   LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (!strchr(address, ':'))
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.foreign_loops = loops;
    info.user = s;
    info.pcontext = &s->ctx;
    info.gid = -1;
    info.uid = -1;
    /* every client, the listener and lws's own descriptors */
    info.fd_limit_per_thread = max_clients + 16;
    info.timeout_secs = 10; /* the HTTP upgrade must complete this soon */
    if (keepalive_s) {
        /* lws applies the idle part of a vhost's policy to its connections:
         * a ping after keepalive_s without anything valid from the client,
         * a hang-up after twice that. */
        s->idle.secs_since_valid_ping = (uint16_t)keepalive_s;
        s->idle.secs_since_valid_hangup = (uint16_t)(2 * keepalive_s);
        info.retry_and_idle_policy = &s->idle;
    }
    s->ctx = lws_create_context(&info);
    if (!s->ctx) {
        snprintf(err, errlen, "cannot create the WebSocket context");
        free(s);
        return NULL;
    }
    if (!lws_create_vhost(s->ctx, &info)) {
        snprintf(err, errlen, "cannot listen on %s port %u (in use, or not a local address)",
                 address, (unsigned)port);
        destroy_ctx(s);
        free(s);
        return NULL;
    }
    return s;
}

void ws_server_free(ws_server *s)
{
    if (!s)
        return;
    /* Every connection's CLOSED runs in here (and on_close with it). */
    destroy_ctx(s);
    free(s);
}

void ws_server_want_write(ws_server *s, ws_client *c)
{
    if (c->closing)
        return;
    lws_callback_on_writable(c->wsi);
    ws_uvpump_kick(s->pump);
}

void ws_server_close(ws_server *s, ws_client *c, int code, const char *reason)
{
    if (c->closing)
        return;
    ws_outq_clear(&c->q);
    c->closing = true;
    c->close_code = code;
    snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
    /* Returning -1 from a writeable callback makes lws drop the socket
     * without a close frame; from the timer callback it sends the frame
     * with our reason once the socket takes it, and drops a client that
     * does not read within 5 s (PENDING_TIMEOUT_CLOSE_SEND). */
    lws_set_timer_usecs(c->wsi, 1);
    ws_uvpump_kick(s->pump);
}

size_t ws_server_clients(const ws_server *s)
{
    return s ? s->nclients : 0;
}

uint64_t ws_server_refused(const ws_server *s)
{
    return s->refused;
}

ws_client *ws_server_first(ws_server *s)
{
    return s ? s->clients : NULL;
}
