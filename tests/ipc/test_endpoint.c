/* Endpoints on a real libevent loop and real Unix sockets: request/response,
 * notifications, timeouts, error replies, reconnect with backoff, the
 * outgoing queue bound, hostile frames and teardown from inside callbacks;
 * the input bounds (incomplete-frame timeout, one frame buffered, client cap)
 * and libevent's own log routed through common/log.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "ipc/evlog.h"
#include "ipc/ipc.h"

typedef struct {
    struct event_base *base;
    int ups, downs, replies, timeouts, closed, remote, notes, requests;
    uint64_t last_seq;
    ipc_conn *server_conn;
    ipc_endpoint *free_me;
    bool answer;
} ctx;

static void stop_soon(ctx *c)
{
    event_base_loopbreak(c->base);
}

/* Serve ping with pong (when answer), count notifications. */
static void server_msg(ipc_conn *conn, const ipc_msg *m, void *ud)
{
    ctx *c = ud;
    c->server_conn = conn;
    if (!m->id) {
        c->notes++;
        stop_soon(c);
        return;
    }
    c->requests++;
    if (!c->answer)
        return;
    if (ipc_common_kind_of(m) == IPC_COMMON_K_PING) {
        uint64_t seq = 0;
        ipc_get_uint(m->body, "seq", &seq);
        ipc_builder b;
        ipc_build_begin(&b, "pong");
        ipc_put_uint(&b, "seq", seq);
        assert_int_equal(ipc_reply(conn, m, &b), IPC_OK);
    } else {
        assert_int_equal(ipc_reply_error(conn, m, "no such thing here"), IPC_OK);
    }
}

static void on_reply(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    ctx *c = ud;
    (void)conn;
    if (st == IPC_OK) {
        c->replies++;
        assert_true(ipc_common_kind_of(reply) == IPC_COMMON_K_PONG);
        ipc_get_uint(reply->body, "seq", &c->last_seq);
    } else if (st == IPC_E_TIMEOUT) {
        c->timeouts++;
        assert_null(reply);
    } else if (st == IPC_E_CLOSED) {
        c->closed++;
    } else if (st == IPC_E_REMOTE) {
        c->remote++;
        char msg[64];
        assert_true(ipc_get_strz(reply->body, "message", msg, sizeof msg));
        assert_string_equal(msg, "no such thing here");
    }
    stop_soon(c);
}

static void on_state(ipc_conn *conn, bool up, void *ud)
{
    ctx *c = ud;
    (void)conn;
    if (up)
        c->ups++;
    else
        c->downs++;
    stop_soon(c);
}

static void run_for(ctx *c, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(c->base, &tv);
    event_base_dispatch(c->base);
}

static ipc_status ping(ipc_conn *conn, uint64_t seq, uint32_t timeout_ms, ctx *c)
{
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", seq);
    return ipc_request(conn, &b, timeout_ms, on_reply, c);
}

static void pair(ctx *srv, ctx *cli, ipc_endpoint **s, ipc_endpoint **k, const ipc_family *fam)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ipc_endpoint_opts so = {
        .family = fam, .on_message = server_msg, .on_state = on_state, .ud = srv};
    ipc_endpoint_opts co = {.family = fam, .on_state = on_state, .ud = cli};
    *s = ipc_attach_fd(srv->base, sv[0], &so);
    *k = ipc_attach_fd(cli->base, sv[1], &co);
    assert_non_null(*s);
    assert_non_null(*k);
}

static void test_request_reply_and_notify(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    ctx srv = {.base = base, .answer = true}, cli = {.base = base};
    ipc_endpoint *s, *k;
    pair(&srv, &cli, &s, &k, &ipc_family_control);
    ipc_conn *conn = ipc_endpoint_conn(k);
    for (uint64_t i = 1; i <= 50; i++) {
        assert_int_equal(ping(conn, i, 2000, &cli), IPC_OK);
        run_for(&cli, 2000);
        assert_int_equal(cli.replies, (int)i);
        assert_int_equal(cli.last_seq, i);
    }
    assert_int_equal(ipc_conn_pending(conn), 0);

    ipc_builder b;
    ipc_build_begin(&b, "shutdown");
    assert_int_equal(ipc_notify(conn, &b), IPC_OK);
    run_for(&srv, 2000);
    assert_int_equal(srv.notes, 1);

    /* A kind the server does not handle: an "error" reply, IPC_E_REMOTE. */
    ipc_build_begin(&b, "status");
    assert_int_equal(ipc_request(conn, &b, 2000, on_reply, &cli), IPC_OK);
    run_for(&cli, 2000);
    assert_int_equal(cli.remote, 1);

    /* Replying to a notification is a caller error. */
    ipc_msg fake = {.id = 0};
    ipc_build_begin(&b, "ok");
    assert_int_equal(ipc_reply(conn, &fake, &b), IPC_E_INVALID);
    /* Sending a kind the family does not know is refused before it leaves. */
    ipc_build_begin(&b, "node_stop");
    assert_int_equal(ipc_notify(conn, &b), IPC_E_UNKNOWN_KIND);
    assert_int_equal(ipc_notify(NULL, &b), IPC_E_CLOSED);

    ipc_endpoint_free(k);
    ipc_endpoint_free(s);
    event_base_free(base);
}

static void test_timeout_and_close_fail_pending(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    ctx srv = {.base = base, .answer = false}, cli = {.base = base};
    ipc_endpoint *s, *k;
    pair(&srv, &cli, &s, &k, &ipc_family_common);
    ipc_conn *conn = ipc_endpoint_conn(k);
    assert_int_equal(ping(conn, 1, 50, &cli), IPC_OK);
    run_for(&cli, 2000);
    assert_int_equal(cli.timeouts, 1);
    assert_int_equal(cli.replies, 0);
    assert_int_equal(ipc_conn_pending(conn), 0);

    /* No timeout: the request waits until the peer goes away. */
    assert_int_equal(ping(conn, 2, 0, &cli), IPC_OK);
    assert_int_equal(ping(conn, 3, 0, &cli), IPC_OK);
    run_for(&cli, 50);
    assert_int_equal(srv.requests, 2 + 1);
    ipc_endpoint_free(s);
    cli.downs = 0;
    run_for(&cli, 2000);
    assert_int_equal(cli.closed, 2);
    assert_int_equal(cli.downs, 1);
    assert_null(ipc_endpoint_conn(k));
    assert_int_equal(ping(NULL, 4, 0, &cli), IPC_E_CLOSED);
    ipc_endpoint_free(k);
    event_base_free(base);
}

static void test_pending_bound(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ctx cli = {.base = base};
    ipc_endpoint_opts co = {.family = &ipc_family_common, .max_pending = 3};
    ipc_endpoint *k = ipc_attach_fd(base, sv[0], &co);
    ipc_conn *conn = ipc_endpoint_conn(k);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ping(conn, 1, 0, &cli), IPC_OK);
    assert_int_equal(ping(conn, 1, 0, &cli), IPC_E_QUEUE_FULL);
    ipc_endpoint_free(k); /* pending requests fail with IPC_E_CLOSED */
    assert_int_equal(cli.closed, 3);
    close(sv[1]);
    event_base_free(base);
}

static void test_queue_bound(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ipc_endpoint_opts co = {.family = &ipc_family_common, .max_out_bytes = 64 * 1024};
    ipc_endpoint *k = ipc_attach_fd(base, sv[0], &co);
    ipc_conn *conn = ipc_endpoint_conn(k);
    static uint8_t payload[10000];
    int sent = 0;
    ipc_status st = IPC_OK;
    /* Nobody reads sv[1]: the kernel buffer fills, then our queue. */
    for (int i = 0; i < 10000 && st == IPC_OK; i++) {
        ipc_builder b;
        ipc_build_begin(&b, "pong");
        ipc_put_uint(&b, "seq", (uint64_t)i);
        ipc_put_bin(&b, "echo", payload, sizeof payload);
        st = ipc_notify(conn, &b);
        if (st == IPC_OK)
            sent++;
        if (i % 4 == 0)
            event_base_loop(base, EVLOOP_NONBLOCK);
    }
    assert_int_equal(st, IPC_E_QUEUE_FULL);
    assert_true(sent > 6);
    assert_true(ipc_conn_queued_bytes(conn) <= 64 * 1024);
    /* Draining the peer makes room again. */
    char buf[65536];
    for (int i = 0; i < 100; i++) {
        while (recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) > 0) {
        }
        event_base_loop(base, EVLOOP_NONBLOCK);
    }
    ipc_builder b;
    ipc_build_begin(&b, "pong");
    ipc_put_uint(&b, "seq", 1);
    assert_int_equal(ipc_notify(conn, &b), IPC_OK);
    ipc_endpoint_free(k);
    close(sv[1]);
    event_base_free(base);
}

static void test_hostile_frames_close(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    ctx srv = {.base = base, .answer = true};
    const uint8_t *cases[] = {
        (const uint8_t *)"\xff\xff\xff\xff",                     /* length far above the limit */
        (const uint8_t *)"\x00\x00\x00\x00",                     /* empty frame */
        (const uint8_t *)"\x00\x00\x00\x05\xdd\xff\xff\xff\xff", /* hostile array count */
    };
    const size_t lens[] = {4, 4, 9};
    for (size_t i = 0; i < 3; i++) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        ipc_endpoint_opts so = {.family = &ipc_family_common,
                                .on_message = server_msg,
                                .on_state = on_state,
                                .ud = &srv};
        ipc_endpoint *s = ipc_attach_fd(base, sv[0], &so);
        srv.downs = 0;
        assert_int_equal(write(sv[1], cases[i], lens[i]), (ssize_t)lens[i]);
        run_for(&srv, 2000);
        assert_int_equal(srv.downs, 1);
        assert_null(ipc_endpoint_conn(s));
        ipc_endpoint_free(s);
        close(sv[1]);
    }
    assert_int_equal(srv.requests, 0);
    event_base_free(base);
}

static void free_in_callback(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)conn;
    (void)reply;
    ctx *c = ud;
    if (st == IPC_OK)
        c->replies++;
    ipc_endpoint_free(c->free_me); /* the endpoint whose callback this is */
    c->free_me = NULL;
    stop_soon(c);
}

static void test_free_inside_callback(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    ctx srv = {.base = base, .answer = true}, cli = {.base = base};
    ipc_endpoint *s, *k;
    pair(&srv, &cli, &s, &k, &ipc_family_common);
    cli.free_me = k;
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 1);
    assert_int_equal(ipc_request(ipc_endpoint_conn(k), &b, 1000, free_in_callback, &cli), IPC_OK);
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 2);
    assert_int_equal(ipc_request(ipc_endpoint_conn(k), &b, 1000, free_in_callback, &cli), IPC_OK);
    run_for(&cli, 2000);
    assert_int_equal(cli.replies, 1);
    assert_null(cli.free_me);
    run_for(&srv, 100);
    ipc_endpoint_free(s);
    event_base_free(base);
}

static void test_reconnect_with_backoff(void **state)
{
    (void)state;
    char dir[] = "/tmp/smn-ipc-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/x.sock", dir);
    struct event_base *base = event_base_new();
    ctx srv = {.base = base, .answer = true}, cli = {.base = base};

    /* The client starts first: ENOENT, then retries until the socket exists. */
    ipc_endpoint_opts co = {.family = &ipc_family_common,
                            .on_state = on_state,
                            .ud = &cli,
                            .reconnect_min_ms = 10,
                            .reconnect_max_ms = 40};
    ipc_endpoint *k = ipc_connect(base, path, &co);
    assert_non_null(k);
    run_for(&cli, 100);
    assert_int_equal(cli.ups, 0);

    int lfd = ipc_unix_listen(path, 16);
    assert_true(lfd >= 0);
    ipc_endpoint_opts so = {.family = &ipc_family_common, .on_message = server_msg, .ud = &srv};
    ipc_endpoint *s = ipc_listen_fd(base, lfd, false, &so);
    assert_non_null(s);
    while (cli.ups == 0)
        run_for(&cli, 2000);
    assert_int_equal(ping(ipc_endpoint_conn(k), 1, 1000, &cli), IPC_OK);
    while (cli.replies == 0)
        run_for(&cli, 2000);

    /* The server "restarts": its connections drop, the listening socket stays
     * (as the supervisor holds it). The client reconnects by itself. */
    ipc_endpoint_free(s);
    while (cli.downs == 0)
        run_for(&cli, 2000);
    s = ipc_listen_fd(base, lfd, true, &so);
    while (cli.ups < 2)
        run_for(&cli, 2000);
    assert_int_equal(ping(ipc_endpoint_conn(k), 2, 1000, &cli), IPC_OK);
    while (cli.replies < 2)
        run_for(&cli, 2000);
    assert_int_equal(cli.last_seq, 2);
    assert_int_equal(ipc_endpoint_nconns(s), 1);

    ipc_endpoint_free(k);
    ipc_endpoint_free(s);
    event_base_free(base);
    unlink(path);
    rmdir(dir);
}

static void test_partial_frame_timeout(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    ctx srv = {.base = base, .answer = true};
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ipc_endpoint_opts so = {.family = &ipc_family_common,
                            .on_message = server_msg,
                            .on_state = on_state,
                            .ud = &srv,
                            .partial_timeout_ms = 150};
    ipc_endpoint *s = ipc_attach_fd(base, sv[0], &so);
    assert_non_null(s);
    /* A complete frame and then silence is an idle connection: kept. */
    uint8_t frame[64];
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 7);
    assert_int_equal(ipc_build_finish(&b, &ipc_family_common, 1, 0, NULL), IPC_OK);
    assert_true(b.len < sizeof frame);
    memcpy(frame, b.buf, b.len);
    size_t flen = b.len;
    ipc_build_free(&b);
    assert_int_equal(write(sv[1], frame, flen), (ssize_t)flen);
    run_for(&srv, 400);
    assert_int_equal(srv.requests, 1);
    assert_int_equal(srv.downs, 0);

    /* Part of a frame: every byte restarts the clock... */
    assert_int_equal(write(sv[1],
                           "\x00\x00\x04\x00"
                           "abc",
                           7),
                     7);
    for (int i = 0; i < 4; i++) {
        run_for(&srv, 100);
        assert_int_equal(write(sv[1], "x", 1), 1);
    }
    run_for(&srv, 100);
    assert_int_equal(srv.downs, 0);
    assert_int_equal(ipc_endpoint_partial_timeouts(s), 0);
    /* ...and silence closes the connection. */
    run_for(&srv, 300);
    assert_int_equal(srv.downs, 1);
    assert_null(ipc_endpoint_conn(s));
    assert_int_equal(ipc_endpoint_partial_timeouts(s), 1);
    /* The peer sees the pong it was owed, then EOF (once libevent's
     * deferred close ran). */
    srv.downs = 0;
    run_for(&srv, 50);
    char buf[256];
    ssize_t got, total = 0;
    while ((got = read(sv[1], buf, sizeof buf)) > 0)
        total += got;
    assert_int_equal(got, 0);
    assert_true(total > 0);
    ipc_endpoint_free(s);
    close(sv[1]);
    event_base_free(base);
}

/* The read mark is one frame: a frame of exactly max_frame followed by many
 * small ones in one write is served in full (nothing stalls at the mark). */
static void test_frame_at_read_mark(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    ctx srv = {.base = base, .answer = true};
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    const uint32_t max = 2048;
    ipc_endpoint_opts so = {
        .family = &ipc_family_common, .on_message = server_msg, .ud = &srv, .max_frame = max};
    ipc_endpoint *s = ipc_attach_fd(base, sv[0], &so);
    assert_non_null(s);
    static uint8_t out[65536];
    size_t off = 0;
    /* Grow the echo until the payload is exactly max bytes. */
    static uint8_t echo[4096];
    memset(echo, 0xab, sizeof echo);
    size_t elen = max - 64;
    for (;;) {
        ipc_builder b;
        ipc_build_begin(&b, "ping");
        ipc_put_uint(&b, "seq", 1);
        ipc_put_bin(&b, "echo", echo, elen);
        assert_int_equal(ipc_build_finish(&b, &ipc_family_common, 1, 0, NULL), IPC_OK);
        size_t plen = b.len - IPC_FRAME_HDR;
        if (plen == max) {
            memcpy(out, b.buf, b.len);
            off = b.len;
            ipc_build_free(&b);
            break;
        }
        ipc_build_free(&b);
        assert_true(plen < max);
        elen += max - plen;
    }
    for (uint64_t i = 2; i <= 101; i++) {
        ipc_builder b;
        ipc_build_begin(&b, "ping");
        ipc_put_uint(&b, "seq", i);
        assert_int_equal(ipc_build_finish(&b, &ipc_family_common, i, 0, NULL), IPC_OK);
        memcpy(out + off, b.buf, b.len);
        off += b.len;
        ipc_build_free(&b);
    }
    assert_int_equal(write(sv[1], out, off), (ssize_t)off);
    for (int i = 0; i < 50 && srv.requests < 101; i++)
        run_for(&srv, 20);
    assert_int_equal(srv.requests, 101);
    assert_non_null(ipc_endpoint_conn(s));
    ipc_endpoint_free(s);
    close(sv[1]);
    event_base_free(base);
}

static int raw_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    assert_true(len < sizeof sa.sun_path);
    memcpy(sa.sun_path, path, len + 1);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* 1: the peer closed (EOF); 0: still open (nothing to read). */
static int peer_closed(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
    if (n == 0)
        return 1;
    assert_true(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    return 0;
}

static void test_client_cap(void **state)
{
    (void)state;
    char dir[] = "/tmp/smn-ipc-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/cap.sock", dir);
    struct event_base *base = event_base_new();
    ctx srv = {.base = base, .answer = true};
    int lfd = ipc_unix_listen(path, 16);
    assert_true(lfd >= 0);
    ipc_endpoint_opts so = {
        .family = &ipc_family_common, .on_message = server_msg, .ud = &srv, .max_conns = 2};
    ipc_endpoint *s = ipc_listen_fd(base, lfd, true, &so);
    assert_non_null(s);
    int a = raw_connect(path), b = raw_connect(path);
    run_for(&srv, 100);
    assert_int_equal(ipc_endpoint_nconns(s), 2);
    int c = raw_connect(path);
    run_for(&srv, 100);
    /* The third is accepted and closed at once; the first two are served. */
    assert_int_equal(peer_closed(c), 1);
    assert_int_equal(peer_closed(a), 0);
    assert_int_equal(peer_closed(b), 0);
    assert_int_equal(ipc_endpoint_refused(s), 1);
    assert_int_equal(ipc_endpoint_nconns(s), 2);
    /* A slot freed is a slot for the next client. */
    close(a);
    run_for(&srv, 100);
    assert_int_equal(ipc_endpoint_nconns(s), 1);
    int d = raw_connect(path);
    run_for(&srv, 100);
    assert_int_equal(peer_closed(d), 0);
    assert_int_equal(ipc_endpoint_nconns(s), 2);
    assert_int_equal(ipc_endpoint_refused(s), 1);
    close(b);
    close(c);
    close(d);
    ipc_endpoint_free(s);
    event_base_free(base);
    unlink(path);
    rmdir(dir);
}

static void test_libevent_log_routed(void **state)
{
    (void)state;
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(fileno(stderr));
    assert_true(dup2(fileno(tmp), fileno(stderr)) >= 0);
    smn_log_init("evtest", SMN_LOG_INFO);
    ipc_evlog_route();
    /* libevent warns about this itself (event_warnx), through the callback. */
    for (int i = 0; i < 100; i++)
        event_base_free(NULL);
    smn_log_flush();
    fflush(stderr);
    assert_true(dup2(saved, fileno(stderr)) >= 0);
    close(saved);
    rewind(tmp);
    char out[8192];
    size_t n = fread(out, 1, sizeof out - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    event_set_log_callback(NULL);
    int lines = 0;
    for (const char *p = out; (p = strstr(p, "warn evtest: libevent: ")); p++)
        lines++;
    /* Rate-limited like any other message: a burst, then one count. */
    assert_int_equal(lines, SMN_LOG_BURST);
    assert_non_null(strstr(out, "no base to free"));
    char want[80];
    snprintf(want, sizeof want, "warn evtest: ... suppressed %d similar messages",
             100 - SMN_LOG_BURST);
    assert_non_null(strstr(out, want));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_reply_and_notify),
        cmocka_unit_test(test_timeout_and_close_fail_pending),
        cmocka_unit_test(test_pending_bound),
        cmocka_unit_test(test_queue_bound),
        cmocka_unit_test(test_hostile_frames_close),
        cmocka_unit_test(test_free_inside_callback),
        cmocka_unit_test(test_reconnect_with_backoff),
        cmocka_unit_test(test_partial_frame_timeout),
        cmocka_unit_test(test_frame_at_read_mark),
        cmocka_unit_test(test_client_cap),
        cmocka_unit_test(test_libevent_log_routed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
