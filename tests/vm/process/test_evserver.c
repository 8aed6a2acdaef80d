/* The event socket end to end on one thread: a real vm_evserver on a Unix
 * socket over an indexer fed from a real ledger, and a client speaking the
 * vmevents family, pumping the loop whenever it waits. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "fixture.h"
#include "ipc/builder.h"
#include "ipc/msg.h"
#include "ipc/schema_vmevents.h"
#include "procs/vm/service/evserver.h"
#include "procs/vm/service/follow.h"

typedef struct {
    fx f;
    vm_indexer *ix;
    vm_follow *fl;
    struct event_base *base;
    vm_evserver *srv;
    char sock[320];
} env;

typedef struct {
    int fd;
    uint8_t *buf;
    size_t len, cap;
    env *e;
} client;

/* Apply whatever the ledger cemented and publish it. */
static void sync_vm(env *e)
{
    size_t n;
    bool more = true;
    while (more)
        assert_int_equal(vm_follow_catch_up(e->fl, 0, &n, &more), VM_FOLLOW_OK);
    vm_evserver_publish(e->srv);
}

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    fx_open(&e->f);
    assert_int_equal(vm_indexer_open(e->f.vm_path, &e->ix), VM_IDX_OK);
    e->fl = vm_follow_new(e->ix, e->f.ledger_path, tl_dev());
    e->base = event_base_new();
    snprintf(e->sock, sizeof e->sock, "%s/ev.sock", e->f.dir);
    char err[200];
    e->srv = vm_evserver_new(e->base, e->sock, vm_indexer_db(e->ix), err, sizeof err);
    assert_non_null(e->srv);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    vm_evserver_free(e->srv);
    assert_int_equal(access(e->sock, F_OK), -1); /* the socket file is gone */
    event_base_free(e->base);
    vm_follow_free(e->fl);
    vm_indexer_close(e->ix);
    fx_close(&e->f);
    free(e);
    return 0;
}

static void pump_loop(env *e)
{
    event_base_loop(e->base, EVLOOP_NONBLOCK);
}

static client *cl_connect(env *e, int rcvbuf)
{
    client *c = calloc(1, sizeof *c);
    c->e = e;
    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (rcvbuf)
        setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(e->sock) < sizeof sa.sun_path);
    memcpy(sa.sun_path, e->sock, strlen(e->sock) + 1);
    assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 10; i++)
        pump_loop(e); /* accept */
    return c;
}

static void cl_close(client *c)
{
    close(c->fd);
    free(c->buf);
    free(c);
}

static void cl_send_raw(client *c, const void *p, size_t n)
{
    assert_int_equal(send(c->fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void cl_send(client *c, ipc_builder *b, uint64_t id)
{
    assert_int_equal(ipc_build_finish(b, &ipc_family_vmevents, id, 0, NULL), IPC_OK);
    cl_send_raw(c, b->buf, b->len);
    ipc_build_free(b);
}

/* The next frame, decoded (release with ipc_msg_free; valid until the next
 * call). false on EOF. */
static bool cl_frame(client *c, ipc_msg *m)
{
    for (int spins = 0; spins < 200000; spins++) {
        if (c->len >= 4) {
            uint32_t n = (uint32_t)c->buf[0] << 24 | (uint32_t)c->buf[1] << 16 |
                         (uint32_t)c->buf[2] << 8 | c->buf[3];
            if (c->len >= 4 + (size_t)n) {
                static uint8_t *frame;
                free(frame);
                frame = malloc(n);
                memcpy(frame, c->buf + 4, n);
                memmove(c->buf, c->buf + 4 + n, c->len - 4 - n);
                c->len -= 4 + n;
                ipc_error err;
                assert_int_equal(ipc_decode(&ipc_family_vmevents, frame, n, m, &err), IPC_OK);
                return true;
            }
        }
        if (c->cap - c->len < 65536) {
            c->cap = c->cap * 2 + 65536;
            c->buf = realloc(c->buf, c->cap);
        }
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (r == 0)
            return false;
        if (r > 0) {
            c->len += (size_t)r;
            continue;
        }
        assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
        pump_loop(c->e);
    }
    fail_msg("no frame from the event server");
    return false;
}

static uint64_t get_u(const ipc_msg *m, const char *name)
{
    uint64_t v = 0;
    assert_true(ipc_get_uint(m->body, name, &v));
    return v;
}

static void subscribe(client *c, uint64_t from, const char *type, uint64_t buffer)
{
    ipc_builder b;
    ipc_build_begin(&b, "subscribe");
    ipc_put_uint(&b, "from", from);
    if (type)
        ipc_put_str(&b, "type", type);
    if (buffer)
        ipc_put_uint(&b, "buffer", buffer);
    cl_send(c, &b, 1);
    ipc_msg m;
    assert_true(cl_frame(c, &m));
    assert_true(ipc_vmev_kind_of(&m) == IPC_VMEV_K_SUBSCRIBED);
    assert_int_equal(m.re, 1);
    ipc_msg_free(&m);
}

/* Read events until caught_up; returns how many, checks cursor order. */
static size_t read_backlog(client *c, uint64_t *last)
{
    size_t n = 0;
    ipc_msg m;
    while (cl_frame(c, &m)) {
        if (ipc_vmev_kind_of(&m) == IPC_VMEV_K_CAUGHT_UP) {
            uint64_t cur = get_u(&m, "cursor");
            assert_true(cur >= *last);
            *last = cur;
            ipc_msg_free(&m);
            return n;
        }
        assert_true(ipc_vmev_kind_of(&m) == IPC_VMEV_K_EVENT);
        uint64_t cur = get_u(&m, "cursor");
        assert_true(cur > *last);
        *last = cur;
        const uint8_t *p;
        size_t len;
        assert_true(ipc_get_bin(m.body, "block_hash", &p, &len) && len == 32);
        assert_true(get_u(&m, "height") >= 1);
        n++;
        ipc_msg_free(&m);
    }
    fail_msg("EOF before caught_up");
    return n;
}

/* More than one page and one pump budget of backlog, in order, then live. */
static void test_backlog_then_live(void **state)
{
    env *e = *state;
    fx_burns(&e->f, 300);
    fx_token(&e->f);
    fx_confirm(&e->f);
    sync_vm(e);
    client *c = cl_connect(e, 0);
    subscribe(c, 0, NULL, 0);
    uint64_t last = 0;
    assert_int_equal(read_backlog(c, &last), 302); /* 300 mints, etch, mint */
    assert_int_equal(last, vm_evserver_head(e->srv));
    fx_burns(&e->f, 3);
    fx_confirm(&e->f);
    sync_vm(e);
    for (int i = 0; i < 3; i++) {
        ipc_msg m;
        assert_true(cl_frame(c, &m));
        assert_true(ipc_vmev_kind_of(&m) == IPC_VMEV_K_EVENT);
        assert_int_equal(get_u(&m, "cursor"), last + 1 + (uint64_t)i);
        ipc_msg_free(&m);
    }
    /* A type filter from the middle. */
    client *t = cl_connect(e, 0);
    subscribe(t, 100, "token", 0);
    uint64_t tl = 100;
    assert_int_equal(read_backlog(t, &tl), 2);
    cl_close(t);
    cl_close(c);
    for (int i = 0; i < 10; i++)
        pump_loop(e);
    assert_int_equal(vm_evserver_clients(e->srv), 0);
}

/* A small buffer paces the backlog (no disconnect) ... */
static void test_small_buffer_backlog(void **state)
{
    env *e = *state;
    fx_burns(&e->f, 150);
    fx_confirm(&e->f);
    sync_vm(e);
    client *c = cl_connect(e, 4096);
    subscribe(c, 0, NULL, IPC_VMEV_BUFFER_MIN);
    uint64_t last = 0;
    assert_int_equal(read_backlog(c, &last), 150);
    cl_close(c);
}

/* ... but a live subscriber that does not read is cut off with the reason
 * and the cursor to resume from; resuming there gives the rest once. */
static void test_slow_consumer(void **state)
{
    env *e = *state;
    fx_burns(&e->f, 2);
    fx_confirm(&e->f);
    sync_vm(e);
    client *c = cl_connect(e, 4096);
    subscribe(c, 0, NULL, IPC_VMEV_BUFFER_MIN);
    uint64_t last = 0;
    assert_int_equal(read_backlog(c, &last), 2);
    fx_burns(&e->f, 200);
    fx_confirm(&e->f);
    sync_vm(e); /* the client reads nothing meanwhile */
    size_t got = 0;
    ipc_msg m;
    uint64_t resume = 0;
    while (cl_frame(c, &m)) {
        if (ipc_vmev_kind_of(&m) == IPC_VMEV_K_DISCONNECT) {
            char reason[32];
            assert_true(ipc_get_strz(m.body, "reason", reason, sizeof reason));
            assert_string_equal(reason, "slow_consumer");
            resume = get_u(&m, "cursor");
            ipc_msg_free(&m);
            break;
        }
        assert_true(ipc_vmev_kind_of(&m) == IPC_VMEV_K_EVENT);
        last = get_u(&m, "cursor");
        got++;
        ipc_msg_free(&m);
    }
    assert_true(got < 200);
    assert_int_equal(resume, last);
    assert_false(cl_frame(c, &m)); /* closed after the reason */
    cl_close(c);
    client *r = cl_connect(e, 0);
    subscribe(r, resume, NULL, 0);
    assert_int_equal(read_backlog(r, &resume), 200 - got);
    cl_close(r);
}

static void test_protocol(void **state)
{
    env *e = *state;
    client *c = cl_connect(e, 0);
    ipc_builder b;
    ipc_msg m;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 5);
    cl_send(c, &b, 9);
    assert_true(cl_frame(c, &m));
    assert_true(ipc_common_kind_of(&m) == IPC_COMMON_K_PONG && m.re == 9 && get_u(&m, "seq") == 5);
    ipc_msg_free(&m);
    subscribe(c, 0, NULL, 0);
    assert_true(cl_frame(c, &m)); /* caught_up on an empty DB */
    assert_true(ipc_vmev_kind_of(&m) == IPC_VMEV_K_CAUGHT_UP);
    ipc_msg_free(&m);
    ipc_build_begin(&b, "subscribe");
    cl_send(c, &b, 2);
    assert_true(cl_frame(c, &m));
    assert_true(ipc_common_kind_of(&m) == IPC_COMMON_K_ERROR && m.re == 2);
    ipc_msg_free(&m);
    /* A filter of the wrong size: an error reply naming the field. */
    client *d = cl_connect(e, 0);
    ipc_build_begin(&b, "subscribe");
    ipc_put_bin(&b, "program", "abc", 3);
    assert_int_equal(ipc_build_finish(&b, &ipc_family_vmevents, 3, 0, NULL), IPC_E_BAD_VALUE);
    /* (the builder refuses it: send the bytes by hand, checked only by the server) */
    static const uint8_t bad[] = {0x00, 0x00, 0x00, 0x1f, 0x83, 0xa4, 'k',  'i', 'n',
                                  'd',  0xa9, 's',  'u',  'b',  's',  'c',  'r', 'i',
                                  'b',  'e',  0xa2, 'i',  'd',  0x03, 0xa7, 'p', 'r',
                                  'o',  'g',  'r',  'a',  'm',  0xc4, 0x01, 0x00};
    ipc_build_free(&b);
    cl_send_raw(d, bad, sizeof bad);
    assert_true(cl_frame(d, &m));
    assert_true(ipc_common_kind_of(&m) == IPC_COMMON_K_ERROR && m.re == 3);
    const char *msg;
    size_t len;
    assert_true(ipc_get_str(m.body, "message", &msg, &len));
    assert_non_null(memmem(msg, len, "program", 7));
    ipc_msg_free(&m);
    /* Garbage: disconnect "protocol", then EOF. */
    static const uint8_t junk[] = {0, 0, 0, 3, 0xc1, 0xc1, 0xc1};
    cl_send_raw(d, junk, sizeof junk);
    assert_true(cl_frame(d, &m));
    assert_true(ipc_vmev_kind_of(&m) == IPC_VMEV_K_DISCONNECT);
    char reason[32];
    assert_true(ipc_get_strz(m.body, "reason", reason, sizeof reason));
    assert_string_equal(reason, "protocol");
    ipc_msg_free(&m);
    assert_false(cl_frame(d, &m));
    cl_close(d);
    cl_close(c);
}

/* Past VM_EVSERVER_MAX_CLIENTS a connection is told why and closed; the
 * slot is free again once one leaves. */
static void test_too_many_clients(void **state)
{
    env *e = *state;
    client *cs[VM_EVSERVER_MAX_CLIENTS];
    for (int i = 0; i < VM_EVSERVER_MAX_CLIENTS; i++)
        cs[i] = cl_connect(e, 0);
    assert_int_equal(vm_evserver_clients(e->srv), VM_EVSERVER_MAX_CLIENTS);
    client *x = cl_connect(e, 0);
    ipc_msg m;
    assert_true(cl_frame(x, &m));
    assert_true(ipc_vmev_kind_of(&m) == IPC_VMEV_K_DISCONNECT);
    char reason[32];
    assert_true(ipc_get_strz(m.body, "reason", reason, sizeof reason));
    assert_string_equal(reason, "too_many_clients");
    ipc_msg_free(&m);
    assert_false(cl_frame(x, &m));
    cl_close(x);
    cl_close(cs[0]);
    for (int i = 0; i < 10; i++)
        pump_loop(e);
    client *y = cl_connect(e, 0);
    subscribe(y, 0, NULL, 0);
    cl_close(y);
    for (int i = 1; i < VM_EVSERVER_MAX_CLIENTS; i++)
        cl_close(cs[i]);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Run the loop for about ms milliseconds. */
static void pump_for(env *e, unsigned ms)
{
    uint64_t end = now_ms() + ms;
    while (now_ms() < end) {
        pump_loop(e);
        usleep(1000);
    }
}

static void expect_disconnect(client *c, const char *why)
{
    ipc_msg m;
    assert_true(cl_frame(c, &m));
    assert_true(ipc_vmev_kind_of(&m) == IPC_VMEV_K_DISCONNECT);
    char reason[32];
    assert_true(ipc_get_strz(m.body, "reason", reason, sizeof reason));
    assert_string_equal(reason, why);
    ipc_msg_free(&m);
    assert_false(cl_frame(c, &m)); /* then EOF */
}

/* Clients that never subscribe cannot hold the slots: every one of 64
 * silent (or only pinging) clients is closed once the subscribe deadline
 * passes, and a subscriber gets in again. A subscriber that is idle
 * between frames is never timed out. */
static void test_subscribe_timeout(void **state)
{
    env *e = *state;
    vm_evserver_set_timeouts(e->srv, 300, 300);
    client *sub = cl_connect(e, 0);
    subscribe(sub, 0, NULL, 0);
    ipc_msg m;
    assert_true(cl_frame(sub, &m)); /* caught_up */
    ipc_msg_free(&m);
    client *cs[VM_EVSERVER_MAX_CLIENTS - 1];
    for (int i = 0; i < VM_EVSERVER_MAX_CLIENTS - 1; i++)
        cs[i] = cl_connect(e, 0);
    assert_int_equal(vm_evserver_clients(e->srv), VM_EVSERVER_MAX_CLIENTS);
    client *x = cl_connect(e, 0);
    expect_disconnect(x, "too_many_clients");
    cl_close(x);
    /* A ping does not extend the deadline. */
    pump_for(e, 150);
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 1);
    cl_send(cs[0], &b, 4);
    assert_true(cl_frame(cs[0], &m));
    assert_true(ipc_common_kind_of(&m) == IPC_COMMON_K_PONG);
    ipc_msg_free(&m);
    assert_int_equal(vm_evserver_timeouts(e->srv), 0);
    pump_for(e, 350);
    for (int i = 0; i < VM_EVSERVER_MAX_CLIENTS - 1; i++) {
        expect_disconnect(cs[i], "subscribe_timeout");
        cl_close(cs[i]);
    }
    pump_for(e, 20);
    assert_int_equal(vm_evserver_timeouts(e->srv), VM_EVSERVER_MAX_CLIENTS - 1);
    assert_int_equal(vm_evserver_clients(e->srv), 1); /* the subscriber stays */
    client *y = cl_connect(e, 0);
    subscribe(y, 0, NULL, 0);
    cl_close(y);
    /* The subscriber still answers after twice the timeouts. */
    pump_for(e, 300);
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 2);
    cl_send(sub, &b, 5);
    assert_true(cl_frame(sub, &m));
    assert_true(ipc_common_kind_of(&m) == IPC_COMMON_K_PONG && m.re == 5);
    ipc_msg_free(&m);
    cl_close(sub);
}

/* A subscriber that sends part of a frame and stops is closed once the
 * partial timeout passes after its last byte; every byte restarts it. */
static void test_partial_timeout(void **state)
{
    env *e = *state;
    vm_evserver_set_timeouts(e->srv, 5000, 300);
    client *c = cl_connect(e, 0);
    subscribe(c, 0, NULL, 0);
    ipc_msg m;
    assert_true(cl_frame(c, &m)); /* caught_up */
    ipc_msg_free(&m);
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 7);
    assert_int_equal(ipc_build_finish(&b, &ipc_family_vmevents, 8, 0, NULL), IPC_OK);
    /* A byte every 200 ms: slower than nothing, never 300 ms of silence. */
    for (size_t i = 0; i + 1 < b.len; i++) {
        cl_send_raw(c, b.buf + i, 1);
        pump_for(e, i < 3 ? 200 : 5);
    }
    assert_int_equal(vm_evserver_timeouts(e->srv), 0);
    cl_send_raw(c, b.buf + b.len - 1, 1);
    assert_true(cl_frame(c, &m));
    assert_true(ipc_common_kind_of(&m) == IPC_COMMON_K_PONG && m.re == 8);
    ipc_msg_free(&m);
    /* Now half a header, and silence. */
    cl_send_raw(c, b.buf, 2);
    ipc_build_free(&b);
    pump_for(e, 150);
    assert_int_equal(vm_evserver_timeouts(e->srv), 0);
    pump_for(e, 250);
    assert_int_equal(vm_evserver_timeouts(e->srv), 1);
    expect_disconnect(c, "timeout");
    cl_close(c);
    pump_for(e, 10);
    assert_int_equal(vm_evserver_clients(e->srv), 0);
}

/* Out of descriptors, accept() fails; the server pauses accepting instead
 * of retrying on every loop iteration, and takes the waiting connection
 * once descriptors are free again. */
static void test_accept_emfile(void **state)
{
    env *e = *state;
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int fds[1024];
    size_t nfds = 0;
    client *c = calloc(1, sizeof *c);
    c->e = e;
    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, e->sock, strlen(e->sock) + 1);
    assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    /* Every descriptor below a low limit in use. */
    struct rlimit low = old;
    low.rlim_cur = (rlim_t)c->fd + 200 < old.rlim_cur ? (rlim_t)c->fd + 200 : old.rlim_cur;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    for (;;) {
        int fd = dup(c->fd);
        if (fd < 0) {
            assert_int_equal(errno, EMFILE);
            break;
        }
        assert_true(nfds < sizeof fds / sizeof fds[0]);
        fds[nfds++] = fd;
    }
    /* One dispatch pass each (EVLOOP_NONBLOCK alone would not return while
     * the listener stays readable: exactly the spin this is about). */
    uint64_t t0 = now_ms();
    for (int i = 0; i < 200; i++)
        event_base_loop(e->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    uint64_t spent = now_ms() - t0;
    uint64_t errs = vm_evserver_accept_errors(e->srv);
    size_t held = vm_evserver_clients(e->srv);
    /* Descriptors back before any assertion: the teardown needs some. */
    while (nfds)
        close(fds[--nfds]);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    /* Once per pause, not once per iteration. */
    assert_true(errs >= 1);
    assert_true(errs <= 1 + spent / 100);
    assert_int_equal(held, 0);
    pump_for(e, 150);
    assert_int_equal(vm_evserver_clients(e->srv), 1);
    subscribe(c, 0, NULL, 0);
    cl_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backlog_then_live, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_buffer_backlog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_consumer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protocol, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_clients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subscribe_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_emfile, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
