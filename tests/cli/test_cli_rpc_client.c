/* smallnano-cli's RPC client (procs/cli/rpc_client.h): address parsing, the
 * response head decoder, and cli_rpc_post against a real loopback socket
 * served by a thread that answers with canned bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "procs/cli/rpc_client.h"

/* ---- addresses ---- */

static void test_addr_parse(void **state)
{
    (void)state;
    cli_rpc_addr a;
    char buf[300];
    assert_true(cli_rpc_addr_parse("127.0.0.1:17076", &a));
    assert_string_equal(a.host, "127.0.0.1");
    assert_string_equal(a.port, "17076");
    assert_true(cli_rpc_addr_parse("[::1]:7076", &a));
    assert_string_equal(a.host, "::1");
    cli_rpc_addr_format(&a, buf, sizeof buf);
    assert_string_equal(buf, "[::1]:7076");
    assert_true(cli_rpc_addr_parse("localhost:00080", &a));
    assert_string_equal(a.port, "80");
    cli_rpc_addr_format(&a, buf, sizeof buf);
    assert_string_equal(buf, "localhost:80");
    static const char *bad[] = {"",          "127.0.0.1",   "127.0.0.1:", ":17076",
                                "host:0",    "host:65536",  "host:12a",   "host:-1",
                                "::1:17076", "[::1]17076",  "[::1:17076", "a b:1",
                                "[]:1",      "host:123456", "ho/st:1",    "host:+1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (cli_rpc_addr_parse(bad[i], &a))
            fail_msg("accepted '%s'", bad[i]);
    }
}

/* ---- the head decoder ---- */

static cli_http_head_result head(const char *s, cli_http_head *h, char *err)
{
    return cli_http_parse_head(s, strlen(s), h, err, 128);
}

static void test_head_good(void **state)
{
    (void)state;
    cli_http_head h;
    char err[128];
    const char *s = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "content-length:\t 12 \r\n\r\n{\"a\":\"bcd\"}";
    assert_int_equal(head(s, &h, err), CLI_HTTP_HEAD_DONE);
    assert_int_equal(h.status, 200);
    assert_true(h.has_length);
    assert_int_equal(h.content_length, 12);
    assert_int_equal(h.head_len, strstr(s, "{") - s);
    /* no reason phrase, no headers, HTTP/1.0 */
    assert_int_equal(head("HTTP/1.0 503\r\n\r\n", &h, err), CLI_HTTP_HEAD_DONE);
    assert_int_equal(h.status, 503);
    assert_false(h.has_length);
    /* the same length twice is fine */
    assert_int_equal(
        head("HTTP/1.1 400 Bad\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", &h, err),
        CLI_HTTP_HEAD_DONE);
    assert_int_equal(h.content_length, 3);
    assert_int_equal(head("HTTP/1.1 204 No Content\r\n\r\n", &h, err), CLI_HTTP_HEAD_DONE);
    assert_true(h.has_length);
    assert_int_equal(h.content_length, 0);
}

static void test_head_incomplete(void **state)
{
    (void)state;
    cli_http_head h;
    char err[128];
    const char *full = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
    /* every proper prefix is "read more", never a verdict */
    for (size_t n = 0; n < strlen(full); n++)
        assert_int_equal(cli_http_parse_head(full, n, &h, err, sizeof err),
                         CLI_HTTP_HEAD_INCOMPLETE);
    assert_int_equal(cli_http_parse_head(full, strlen(full), &h, err, sizeof err),
                     CLI_HTTP_HEAD_DONE);
}

static void expect_bad(const char *s, const char *why)
{
    cli_http_head h;
    char err[128] = "";
    if (head(s, &h, err) != CLI_HTTP_HEAD_BAD)
        fail_msg("accepted %s", s);
    if (!strstr(err, why))
        fail_msg("'%s': reason '%s' lacks '%s'", s, err, why);
}

static void test_head_bad(void **state)
{
    (void)state;
    expect_bad("SSH-2.0-OpenSSH\r\n", "not an HTTP/1.x response");
    expect_bad("<html>", "not an HTTP/1.x response");
    expect_bad("HTTP/2 200\r\n\r\n", "not an HTTP/1.x response");
    expect_bad("HTTP/1.1 20 OK\r\n\r\n", "malformed HTTP status line");
    expect_bad("HTTP/1.1 2000 OK\r\n\r\n", "malformed HTTP status line");
    expect_bad("HTTP/1.1 600 X\r\n\r\n", "malformed HTTP status line");
    expect_bad("HTTP/1.1 100 Continue\r\n\r\n", "interim");
    expect_bad("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "malformed HTTP header line");
    expect_bad("HTTP/1.1 200 OK\r\n: empty\r\n\r\n", "malformed HTTP header line");
    expect_bad("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "header name");
    expect_bad("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", "bare CR");
    expect_bad("HTTP/1.1 200 OK\r\nA: b\nc\r\n\r\n", "control character");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "malformed Content-Length");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "malformed Content-Length");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "malformed Content-Length");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
               "malformed Content-Length");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "conflicting");
    expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 67108865\r\n\r\n", "limit");
    expect_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "Transfer-Encoding");
    /* a head that never ends */
    size_t n = CLI_HTTP_MAX_HEAD + 10;
    char *big = malloc(n + 1);
    assert_non_null(big);
    static const char start[] = "HTTP/1.1 200 OK\r\nX: ";
    memcpy(big, start, sizeof start - 1);
    memset(big + sizeof start - 1, 'a', n - (sizeof start - 1));
    big[n] = '\0';
    expect_bad(big, "longer than");
    free(big);
}

/* ---- against a socket ---- */

typedef struct {
    int lfd;
    const char *answer; /* bytes to send, in pieces split at '|' when split */
    bool split;
    bool hang;          /* read the request, never answer (until the client leaves) */
    char request[4096]; /* what the client sent */
    size_t request_len;
} canned;

static void *serve_one(void *arg)
{
    canned *c = arg;
    int fd = accept(c->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    /* the whole request: head, then Content-Length bytes */
    for (;;) {
        ssize_t r =
            recv(fd, c->request + c->request_len, sizeof c->request - 1 - c->request_len, 0);
        if (r <= 0)
            break;
        c->request_len += (size_t)r;
        c->request[c->request_len] = '\0';
        char *end = strstr(c->request, "\r\n\r\n");
        char *cl = strstr(c->request, "Content-Length: ");
        if (end && cl &&
            c->request_len >= (size_t)(end + 4 - c->request) + strtoul(cl + 16, NULL, 10))
            break;
    }
    if (c->hang) {
        char b[64];
        while (recv(fd, b, sizeof b, 0) > 0) {
        }
        close(fd);
        return NULL;
    }
    const char *p = c->answer;
    while (*p) {
        size_t n = c->split ? strcspn(p, "|") : strlen(p);
        if (n && send(fd, p, n, MSG_NOSIGNAL) < 0)
            break;
        p += n;
        if (*p == '|') {
            p++;
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    close(fd);
    return NULL;
}

static int listen_loopback(cli_rpc_addr *a)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 4), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    snprintf(a->host, sizeof a->host, "127.0.0.1");
    snprintf(a->port, sizeof a->port, "%u", (unsigned)ntohs(sa.sin_port));
    return fd;
}

/* Runs one exchange; returns the status, response in *r, error text in err. */
static cli_rpc_status exchange(canned *c, int timeout_ms, cli_rpc_response *r, char *err)
{
    cli_rpc_addr a;
    c->lfd = listen_loopback(&a);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, serve_one, c), 0);
    const char *body = "{\"action\":\"wallet_list\"}";
    cli_rpc_status st = cli_rpc_post(&a, body, strlen(body), timeout_ms, r, err, 200);
    pthread_join(t, NULL);
    close(c->lfd);
    return st;
}

static void test_post_ok(void **state)
{
    (void)state;
    canned c = {.answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: 14\r\n\r\n{\"wallets\":[]}"};
    cli_rpc_response r;
    char err[200];
    assert_int_equal(exchange(&c, 5000, &r, err), CLI_RPC_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 14);
    assert_string_equal(r.body, "{\"wallets\":[]}");
    cli_rpc_response_free(&r);
    assert_non_null(strstr(c.request, "POST / HTTP/1.1\r\n"));
    assert_non_null(strstr(c.request, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(c.request, "\r\nContent-Length: 24\r\n"));
    assert_non_null(strstr(c.request, "\r\nHost: 127.0.0.1:"));
    assert_non_null(strstr(c.request, "\r\n\r\n{\"action\":\"wallet_list\"}"));
}

static void test_post_split_and_extra(void **state)
{
    (void)state;
    /* the answer arrives in pieces; bytes past Content-Length are ignored */
    canned c = {
        .answer = "HTT|P/1.1 400 Bad Request\r|\nContent-Length: 2|7\r\n\r|\n{\"error\":\"Unknown "
                  "command\"}trailing",
        .split = true};
    cli_rpc_response r;
    char err[200];
    assert_int_equal(exchange(&c, 5000, &r, err), CLI_RPC_OK);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"error\":\"Unknown command\"}");
    cli_rpc_response_free(&r);
}

static void test_post_until_eof(void **state)
{
    (void)state;
    canned c = {.answer = "HTTP/1.0 200 OK\r\n\r\n{\"a\":\"b\"}"};
    cli_rpc_response r;
    char err[200];
    assert_int_equal(exchange(&c, 5000, &r, err), CLI_RPC_OK);
    assert_string_equal(r.body, "{\"a\":\"b\"}");
    cli_rpc_response_free(&r);
}

static void test_post_failures(void **state)
{
    (void)state;
    cli_rpc_response r;
    char err[200];
    canned trunc = {.answer = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"a\""};
    assert_int_equal(exchange(&trunc, 5000, &r, err), CLI_RPC_IO);
    assert_string_equal(err, "connection closed before the answer was complete");
    assert_null(r.body);
    canned none = {.answer = ""};
    assert_int_equal(exchange(&none, 5000, &r, err), CLI_RPC_IO);
    assert_string_equal(err, "connection closed without an answer");
    canned junk = {.answer = "SSH-2.0-OpenSSH_9.2\r\n"};
    assert_int_equal(exchange(&junk, 5000, &r, err), CLI_RPC_PROTOCOL);
    assert_string_equal(err, "not an HTTP/1.x response");
    canned chunked = {.answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n"};
    assert_int_equal(exchange(&chunked, 5000, &r, err), CLI_RPC_PROTOCOL);
    assert_non_null(strstr(err, "Transfer-Encoding"));
    /* a server that never answers: the deadline holds */
    canned hang = {.hang = true};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(exchange(&hang, 300, &r, err), CLI_RPC_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 290 && ms < 3000);
    assert_string_equal(err, "no answer within 300 ms");
}

static void test_post_refused(void **state)
{
    (void)state;
    /* a port that was just free: nothing listens there any more */
    cli_rpc_addr a;
    int fd = listen_loopback(&a);
    close(fd);
    cli_rpc_response r;
    char err[200];
    assert_int_equal(cli_rpc_post(&a, "{}", 2, 2000, &r, err, sizeof err), CLI_RPC_CONNECT);
    assert_string_equal(err, "Connection refused");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_parse),      cmocka_unit_test(test_head_good),
        cmocka_unit_test(test_head_incomplete), cmocka_unit_test(test_head_bad),
        cmocka_unit_test(test_post_ok),         cmocka_unit_test(test_post_split_and_extra),
        cmocka_unit_test(test_post_until_eof),  cmocka_unit_test(test_post_failures),
        cmocka_unit_test(test_post_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
