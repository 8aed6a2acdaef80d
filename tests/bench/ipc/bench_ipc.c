/* IPC benchmark: two processes over a socketpair.
 *   1. request/response round trip through the IPC layer (endpoint + libevent
 *      on both sides, schema-checked encode and decode): median and p99 µs;
 *   2. one-way notifications through the IPC layer: messages/s;
 * beside the same two measurements over a bare Unix socket carrying the
 * same frame bytes with blocking read/write and no decoding. Goal: the IPC
 * layer costs less than 2x the bare socket.
 *
 * usage: bench_ipc [round_trips] [one_way_messages] */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "ipc/ipc.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static const uint8_t echo16[16] = "0123456789abcdef";

/* ---------------------------------------------------------- IPC server */

static uint64_t notes_seen;

static void server_msg(ipc_conn *c, const ipc_msg *m, void *ud)
{
    (void)ud;
    if (!m->id) {
        notes_seen++;
        return;
    }
    uint64_t seq = 0;
    const uint8_t *e = NULL;
    size_t elen = 0;
    ipc_get_uint(m->body, "seq", &seq);
    ipc_get_bin(m->body, "echo", &e, &elen);
    ipc_builder b;
    ipc_build_begin(&b, "pong");
    ipc_put_uint(&b, "seq", seq);
    ipc_put_uint(&b, "pid", notes_seen); /* tells the client how many notes arrived */
    if (e)
        ipc_put_bin(&b, "echo", e, elen);
    ipc_reply(c, m, &b);
}

static void server_state(ipc_conn *c, bool up, void *ud)
{
    (void)c;
    if (!up)
        event_base_loopbreak(ud);
}

static void ipc_server(int fd)
{
    struct event_base *base = event_base_new();
    ipc_endpoint_opts o = {.family = &ipc_family_common,
                           .on_message = server_msg,
                           .on_state = server_state,
                           .ud = base};
    ipc_endpoint *ep = ipc_attach_fd(base, fd, &o);
    event_base_dispatch(base);
    ipc_endpoint_free(ep);
    event_base_free(base);
}

/* ---------------------------------------------------------- IPC client */

typedef struct {
    struct event_base *base;
    ipc_conn *conn;
    uint64_t *samples;
    size_t n, done;
    uint64_t t0;
    uint64_t notes_at_server;
} rtt_ctx;

static void send_ping(rtt_ctx *r);

static void on_pong(ipc_conn *c, ipc_status st, const ipc_msg *m, void *ud)
{
    (void)c;
    rtt_ctx *r = ud;
    if (st != IPC_OK) {
        fprintf(stderr, "bench: request failed: %s\n", ipc_strerror(st));
        exit(1);
    }
    ipc_get_uint(m->body, "pid", &r->notes_at_server);
    if (r->samples)
        r->samples[r->done] = now_ns() - r->t0;
    if (++r->done < r->n)
        send_ping(r);
    else
        event_base_loopbreak(r->base);
}

static void send_ping(rtt_ctx *r)
{
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", r->done);
    ipc_put_bin(&b, "echo", echo16, sizeof echo16);
    r->t0 = now_ns();
    if (ipc_request(r->conn, &b, 5000, on_pong, r) != IPC_OK) {
        fprintf(stderr, "bench: request not sent\n");
        exit(1);
    }
}

static void report_rtt(const char *label, uint64_t *s, size_t n, double *median)
{
    qsort(s, n, sizeof *s, cmp_u64);
    *median = (double)s[n / 2] / 1000.0;
    printf("%-28s median %7.2f us   p99 %7.2f us   (%zu round trips)\n", label, *median,
           (double)s[n * 99 / 100] / 1000.0, n);
}

static void bench_ipc(int fd, size_t rtts, size_t notes, double *med, double *rate)
{
    struct event_base *base = event_base_new();
    ipc_endpoint_opts o = {.family = &ipc_family_common};
    ipc_endpoint *ep = ipc_attach_fd(base, fd, &o);
    rtt_ctx r = {.base = base, .conn = ipc_endpoint_conn(ep), .n = 1000};
    send_ping(&r); /* warm-up */
    event_base_dispatch(base);
    r.samples = calloc(rtts, sizeof *r.samples);
    r.n = rtts;
    r.done = 0;
    send_ping(&r);
    event_base_dispatch(base);
    report_rtt("ipc request/response", r.samples, rtts, med);
    free(r.samples);

    uint64_t t0 = now_ns();
    for (size_t i = 0; i < notes; i++) {
        ipc_builder b;
        ipc_build_begin(&b, "pong");
        ipc_put_uint(&b, "seq", i);
        ipc_put_bin(&b, "echo", echo16, sizeof echo16);
        ipc_status st;
        while ((st = ipc_notify(r.conn, &b)) == IPC_E_QUEUE_FULL) {
            event_base_loop(base, EVLOOP_ONCE); /* let the queue drain */
            ipc_build_begin(&b, "pong");
            ipc_put_uint(&b, "seq", i);
            ipc_put_bin(&b, "echo", echo16, sizeof echo16);
        }
        if (st != IPC_OK) {
            fprintf(stderr, "bench: notify failed: %s\n", ipc_strerror(st));
            exit(1);
        }
    }
    /* One request after the notifications: its reply proves all arrived. */
    r.samples = NULL;
    r.n = 1;
    r.done = 0;
    send_ping(&r);
    event_base_dispatch(base);
    double secs = (double)(now_ns() - t0) / 1e9;
    if (r.notes_at_server < notes) {
        fprintf(stderr, "bench: server saw %llu of %zu notifications\n",
                (unsigned long long)r.notes_at_server, notes);
        exit(1);
    }
    *rate = (double)notes / secs;
    printf("%-28s %10.0f msgs/s   (%zu messages)\n", "ipc one-way", *rate, notes);
    ipc_endpoint_free(ep);
    event_base_free(base);
}

/* ---------------------------------------------------------- bare socket */

static int read_full(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Echo length-prefixed frames; a frame whose first payload byte is 0 is a
 * one-way message: count it, answer only the final 1-byte "sync" frame. */
static void bare_server(int fd)
{
    uint8_t buf[1 << 16];
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r <= 0)
            return;
        have += (size_t)r;
        size_t off = 0;
        while (have - off >= 4) {
            uint32_t n = (uint32_t)buf[off] << 24 | (uint32_t)buf[off + 1] << 16 |
                         (uint32_t)buf[off + 2] << 8 | buf[off + 3];
            if (have - off < 4 + n)
                break;
            if (buf[off + 4] != 0 && write_full(fd, buf + off, 4 + n) != 0)
                return;
            off += 4 + n;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
    }
}

static void bench_bare(int fd, const uint8_t *frame, size_t flen, size_t rtts, size_t notes,
                       double *med, double *rate)
{
    uint8_t *in = malloc(flen);
    uint64_t *s = calloc(rtts, sizeof *s);
    for (size_t i = 0; i < 1000 + rtts; i++) {
        uint64_t t0 = now_ns();
        if (write_full(fd, frame, flen) != 0 || read_full(fd, in, flen) != 0) {
            fprintf(stderr, "bench: bare socket failed\n");
            exit(1);
        }
        if (i >= 1000)
            s[i - 1000] = now_ns() - t0;
    }
    report_rtt("bare socket ping-pong", s, rtts, med);
    /* One-way: the same frame with its first payload byte zeroed, batched
     * into large writes as a buffered writer would. */
    uint8_t *note = malloc(flen);
    memcpy(note, frame, flen);
    note[4] = 0;
    size_t per = 65536 / flen;
    uint8_t *batch = malloc(per * flen);
    for (size_t i = 0; i < per; i++)
        memcpy(batch + i * flen, note, flen);
    uint64_t t0 = now_ns();
    size_t left = notes;
    while (left) {
        size_t k = left < per ? left : per;
        if (write_full(fd, batch, k * flen) != 0)
            exit(1);
        left -= k;
    }
    if (write_full(fd, frame, flen) != 0 || read_full(fd, in, flen) != 0)
        exit(1);
    *rate = (double)notes / ((double)(now_ns() - t0) / 1e9);
    printf("%-28s %10.0f msgs/s   (%zu messages)\n", "bare socket one-way", *rate, notes);
    free(in);
    free(s);
    free(note);
    free(batch);
}

static pid_t fork_server(int sv[2], void (*serve)(int))
{
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        serve(sv[1]);
        _exit(0);
    }
    close(sv[1]);
    return pid;
}

int main(int argc, char **argv)
{
    size_t rtts = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
    size_t notes = argc > 2 ? strtoul(argv[2], NULL, 10) : 500000;
    if (rtts < 100 || notes < 1000) {
        fputs("usage: bench_ipc [round_trips >= 100] [one_way_messages >= 1000]\n", stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    smn_log_init("bench", SMN_LOG_WARN);

    /* The exact frame the IPC benchmark sends, for the bare comparison. */
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 1);
    ipc_put_bin(&b, "echo", echo16, sizeof echo16);
    ipc_error err;
    if (ipc_build_finish(&b, &ipc_family_common, 1, 0, &err) != IPC_OK) {
        fprintf(stderr, "bench: %s\n", err.detail);
        return 1;
    }
    printf("frame: %zu bytes (ping with seq, 16-byte echo, id)\n", b.len);

    int sv[2];
    double ipc_med, ipc_rate, bare_med, bare_rate;
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t p1 = fork_server(sv, ipc_server);
    bench_ipc(sv[0], rtts, notes, &ipc_med, &ipc_rate); /* closes sv[0] */
    waitpid(p1, NULL, 0);

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t p2 = fork_server(sv, bare_server);
    bench_bare(sv[0], b.buf, b.len, rtts, notes, &bare_med, &bare_rate);
    close(sv[0]);
    waitpid(p2, NULL, 0);
    ipc_build_free(&b);

    printf("round trip: ipc/bare = %.2fx   one-way throughput: bare/ipc = %.2fx\n",
           ipc_med / bare_med, bare_rate / ipc_rate);
    return 0;
}
