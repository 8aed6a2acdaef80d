/* The HTTP layer through a real loopback socket: the server runs its own
 * event loop in a thread, the test talks raw HTTP/1.1 to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/block_json.h"
#include "common/hex.h"
#include "common/keys.h"
#include "common/network.h"
#include "procs/rpc/http_server.h"
#include "procs/rpc/rpc.h"

typedef struct {
    struct event_base *base;
    rpc_ctx *ctx;
    rpc_http *http;
    int stop_pipe[2];
    struct event *stop_ev;
    pthread_t thread;
    uint16_t port;
} server;

/* The ledger link answers 20 ms later from the server's loop, as the IPC
 * link does: the HTTP layer must send the answer after its handler
 * returned. */
static void finish_submission(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rpc_submission_done(arg, RPC_PROCESS_PROGRESS);
}

static void deferred_submit(void *user, const smn_block *b, rpc_submission *sub)
{
    (void)b;
    struct timeval tv = {.tv_usec = 20000};
    event_base_once(user, -1, EV_TIMEOUT, finish_submission, sub, &tv);
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

static void *server_main(void *arg)
{
    server *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

static int server_start(void **state)
{
    server *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->base = event_base_new();
    assert_non_null(s->base);
    rpc_config cfg = {.net = smn_network_get(SMN_NET_DEV), .enable_control = false};
    s->ctx = rpc_ctx_new(&cfg);
    assert_non_null(s->ctx);
    rpc_ctx_set_submit(s->ctx, deferred_submit, s->base);
    s->http = rpc_http_new(s->base, s->ctx, "127.0.0.1", 0, -1);
    assert_non_null(s->http);
    s->port = rpc_http_port(s->http);
    assert_true(s->port > 0);
    assert_int_equal(pipe(s->stop_pipe), 0);
    s->stop_ev = event_new(s->base, s->stop_pipe[0], EV_READ, on_stop, s->base);
    event_add(s->stop_ev, NULL);
    assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
    *state = s;
    return 0;
}

static int server_stop(void **state)
{
    server *s = *state;
    assert_int_equal(write(s->stop_pipe[1], "x", 1), 1);
    pthread_join(s->thread, NULL);
    event_free(s->stop_ev);
    close(s->stop_pipe[0]);
    close(s->stop_pipe[1]);
    rpc_http_free(s->http);
    rpc_ctx_free(s->ctx);
    event_base_free(s->base);
    free(s);
    return 0;
}

static int connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the server may close early (413): reading tells */
        p += w;
        n -= (size_t)w;
    }
}

typedef struct {
    int status;
    char headers[2048];
    char body[8192];
} response;

/* Reads one response (Content-Length framed) from fd. */
static void read_response(int fd, response *r)
{
    static char buf[65536];
    size_t have = 0;
    char *hdr_end = NULL;
    memset(r, 0, sizeof *r);
    for (;;) {
        ssize_t n = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        assert_true(n > 0);
        have += (size_t)n;
        buf[have] = '\0';
        hdr_end = strstr(buf, "\r\n\r\n");
        if (!hdr_end)
            continue;
        size_t hlen = (size_t)(hdr_end - buf);
        const char *cl = strcasestr(buf, "Content-Length:");
        assert_non_null(cl);
        size_t blen = strtoul(cl + 15, NULL, 10);
        if (have >= hlen + 4 + blen) {
            assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &r->status), 1);
            snprintf(r->headers, sizeof r->headers, "%.*s", (int)hlen, buf);
            snprintf(r->body, sizeof r->body, "%.*s", (int)blen, hdr_end + 4);
            return;
        }
    }
}

static void request_path(uint16_t port, const char *method, const char *path, const char *body,
                         response *r)
{
    int fd = connect_to(port);
    char head[512];
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     method, path, blen);
    send_all(fd, head, (size_t)n);
    if (blen)
        send_all(fd, body, blen);
    read_response(fd, r);
    close(fd);
}

static void request(uint16_t port, const char *method, const char *body, response *r)
{
    request_path(port, method, "/", body, r);
}

static void test_parse_error(void **state)
{
    server *s = *state;
    response r;
    request(s->port, "POST", "{\"action\": ", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"error\":\"Unable to parse JSON\"}");
    assert_non_null(strcasestr(r.headers, "Content-Type: application/json"));

    request(s->port, "POST", "[1,2,3]", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"error\":\"Unable to parse JSON\"}");

    request(s->port, "POST", "", &r);
    assert_int_equal(r.status, 400);
}

static void test_unknown_action(void **state)
{
    server *s = *state;
    response r;
    request(s->port, "POST", "{\"action\":\"launch_rockets\"}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"error\":\"Unknown command\"}");
}

static void test_method_not_allowed(void **state)
{
    server *s = *state;
    response r;
    request(s->port, "PUT", "{\"action\":\"version\"}", &r);
    assert_int_equal(r.status, 405);
    assert_non_null(strcasestr(r.headers, "Allow: GET, HEAD, POST"));
    assert_non_null(strstr(r.body, "\"error\""));
    request(s->port, "DELETE", NULL, &r);
    assert_int_equal(r.status, 405);
    /* the explorer is off until set: GET finds nothing */
    request(s->port, "GET", NULL, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "explorer is off"));
}

static int server_start_explorer(void **state)
{
    int rc = server_start(state);
    server *s = *state;
    /* before any request: the server thread reads it only when one comes */
    rpc_http_set_explorer(s->http, true);
    return rc;
}

static void test_explorer_routes(void **state)
{
    server *s = *state;
    response r;
    request_path(s->port, "GET", "/", NULL, &r);
    assert_int_equal(r.status, 302);
    assert_non_null(strcasestr(r.headers, "Location: /explorer/"));
    request_path(s->port, "GET", "/explorer/account/smn_1abc?x=1", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strcasestr(r.headers, "Content-Type: text/html"));
    assert_non_null(strcasestr(r.headers, "Content-Security-Policy: default-src 'self'"));
    assert_non_null(strstr(r.body, "/explorer/assets/app.js"));
    request_path(s->port, "GET", "/explorer/assets/app.css", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strcasestr(r.headers, "Content-Type: text/css"));
    const char *missing[] = {"/explorer/assets/",
                             "/explorer/assets/nope.js",
                             "/explorer/assets/index.html",
                             "/explorer/x.y",
                             "/ledger.db",
                             "/explorer/%2e%2e/ledger.db"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        request_path(s->port, "GET", missing[i], NULL, &r);
        assert_int_equal(r.status, 404);
    }
    /* POST still reaches the RPC */
    request(s->port, "POST", "{\"action\":\"launch_rockets\"}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"error\":\"Unknown command\"}");
}

static void test_body_too_large(void **state)
{
    server *s = *state;
    size_t big = RPC_MAX_BODY_BYTES + 100;
    char *body = malloc(big + 1);
    assert_non_null(body);
    memset(body, ' ', big);
    body[big] = '\0';
    int fd = connect_to(s->port);
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: %zu\r\n\r\n", big);
    send_all(fd, head, (size_t)n);
    send_all(fd, body, big);
    char buf[512];
    ssize_t got = recv(fd, buf, sizeof buf - 1, 0);
    assert_true(got > 12);
    buf[got] = '\0';
    int status = 0;
    assert_int_equal(sscanf(buf, "HTTP/1.%*d %d", &status), 1);
    assert_int_equal(status, 413);
    close(fd);
    free(body);
    /* and the server still answers afterwards */
    response r;
    request(s->port, "POST", "{\"action\":\"key_create\"}", &r);
    assert_int_equal(r.status, 200);
}

static void test_keep_alive_and_answers(void **state)
{
    server *s = *state;
    int fd = connect_to(s->port);
    const char *body = "{\"action\":\"key_create\"}";
    for (int i = 0; i < 5; i++) {
        char head[256];
        int n = snprintf(head, sizeof head,
                         "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: %zu\r\n\r\n%s",
                         strlen(body), body);
        send_all(fd, head, (size_t)n);
        response r;
        read_response(fd, &r);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, "\"account\":\"smn_"));
        assert_non_null(strstr(r.body, "\"private\":\""));
    }
    close(fd);
    /* control actions refused: enable_control is off in this server */
    response r;
    request(s->port, "POST", "{\"action\":\"wallet_create\"}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"error\":\"RPC control is disabled\"}");
}

static char *genesis_process_body(void)
{
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    json_t *req =
        json_pack("{s:s,s:o}", "action", "process", "block", smn_block_to_json(&net->genesis));
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return body;
}

static void test_async_answer(void **state)
{
    server *s = *state;
    char *body = genesis_process_body();
    response r;
    request(s->port, "POST", body, &r);
    assert_int_equal(r.status, 200);
    uint8_t h[32];
    char hex[65], expect[100];
    smn_block_hash(&smn_network_get(SMN_NET_DEV)->genesis, h);
    smn_hex_encode(h, 32, hex);
    snprintf(expect, sizeof expect, "{\"hash\":\"%s\"}", hex);
    assert_string_equal(r.body, expect);

    /* the client hangs up before the answer: the server drops it cleanly */
    int fd = connect_to(s->port);
    char head[256];
    int n =
        snprintf(head, sizeof head,
                 "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: %zu\r\n\r\n", strlen(body));
    send_all(fd, head, (size_t)n);
    send_all(fd, body, strlen(body));
    close(fd);
    usleep(60000);
    request(s->port, "POST", body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, expect);
    free(body);
}

static void test_bind_conflict(void **state)
{
    server *s = *state;
    /* The port is taken by the running server: a second bind must fail
     * cleanly, not abort. */
    struct event_base *b = event_base_new();
    rpc_http *h = rpc_http_new(b, s->ctx, "127.0.0.1", s->port, -1);
    assert_null(h);
    event_base_free(b);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse_error, server_start, server_stop),
        cmocka_unit_test_setup_teardown(test_unknown_action, server_start, server_stop),
        cmocka_unit_test_setup_teardown(test_method_not_allowed, server_start, server_stop),
        cmocka_unit_test_setup_teardown(test_explorer_routes, server_start_explorer, server_stop),
        cmocka_unit_test_setup_teardown(test_body_too_large, server_start, server_stop),
        cmocka_unit_test_setup_teardown(test_keep_alive_and_answers, server_start, server_stop),
        cmocka_unit_test_setup_teardown(test_async_answer, server_start, server_stop),
        cmocka_unit_test_setup_teardown(test_bind_conflict, server_start, server_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
