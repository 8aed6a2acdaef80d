/* The vm process's paths, on a real dev ledger of N burns (one vsmn.mint
 * event each): catch-up from the ledger DB into a fresh vm.db (blocks/s),
 * the event socket's backlog to one client and its live fan-out to K
 * clients (events/s delivered, client and server on one thread), and
 * `vm verify` over the whole transcript.
 * Usage: bench_vmproc [N] [K]   (defaults 20000, 8) */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "ipc/builder.h"
#include "ipc/schema_vmevents.h"
#include "procs/ledger/confirm.h"
#include "procs/vm/service/evserver.h"
#include "procs/vm/service/follow.h"
#include "procs/vm/service/replay_check.h"
#include "tests/vm/process/fixture.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    int fd;
    uint8_t buf[1 << 16];
    size_t len;
    uint64_t frames;
} client;

static void cl_open(client *c, const char *path)
{
    memset(c, 0, sizeof *c);
    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("connect");
        exit(1);
    }
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    ipc_builder b;
    ipc_build_begin(&b, "subscribe");
    if (ipc_build_finish(&b, &ipc_family_vmevents, 1, 0, NULL) != IPC_OK ||
        send(c->fd, b.buf, b.len, 0) != (ssize_t)b.len)
        exit(1);
    ipc_build_free(&b);
}

/* Count whole frames received so far. */
static void cl_drain(client *c)
{
    for (;;) {
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (r <= 0)
            return;
        c->len += (size_t)r;
        size_t at = 0;
        while (c->len - at >= 4) {
            uint32_t n = (uint32_t)c->buf[at] << 24 | (uint32_t)c->buf[at + 1] << 16 |
                         (uint32_t)c->buf[at + 2] << 8 | c->buf[at + 3];
            if (c->len - at < 4 + (size_t)n)
                break;
            at += 4 + n;
            c->frames++;
        }
        memmove(c->buf, c->buf + at, c->len - at);
        c->len -= at;
    }
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    int k = argc > 2 ? atoi(argv[2]) : 8;
    if (n < 2 || k < 1 || k > 60) {
        fprintf(stderr, "usage: bench_vmproc [N >= 2] [K 1..60]\n");
        return 2;
    }
    fx f;
    fx_open(&f);
    double t0 = now();
    smn_block *blocks = calloc((size_t)n, sizeof *blocks);
    ledger_result *res = calloc((size_t)n, sizeof *res);
    static const uint8_t burn[32];
    for (int i = 0; i < n; i++)
        tl_send(&f.g, burn, tl_smn(1), &blocks[i]);
    if (ledger_processor_process(f.proc, blocks, (size_t)n, res) != LEDGER_STATUS_OK ||
        ledger_confirm(f.store, f.g.frontier, NULL, NULL, NULL) != LEDGER_STATUS_OK) {
        fprintf(stderr, "ledger setup failed\n");
        return 1;
    }
    printf("setup: %d burns processed and cemented in %.2f s\n", n, now() - t0);

    /* 1. catch-up from the ledger DB, first half (steps of 512 as the process does). */
    vm_indexer *ix;
    vm_indexer_open(f.vm_path, &ix);
    vm_follow *fl = vm_follow_new(ix, f.ledger_path, tl_dev());
    size_t applied, total = 0;
    bool more = true;
    t0 = now();
    while (more && total < (size_t)n / 2) {
        if (vm_follow_catch_up(fl, 512, &applied, &more) != VM_FOLLOW_OK)
            return 1;
        total += applied;
    }
    double dt = now() - t0;
    printf("catch-up: %zu blocks in %.3f s = %.0f blocks/s\n", total, dt, (double)total / dt);

    /* 2. backlog to one client. */
    struct event_base *base = event_base_new();
    char sock[320], err[200];
    snprintf(sock, sizeof sock, "%s/ev.sock", f.dir);
    vm_evserver *srv = vm_evserver_new(base, sock, vm_indexer_db(ix), err, sizeof err);
    if (!srv)
        return 1;
    uint64_t head = vm_evserver_head(srv);
    client *cl = calloc((size_t)k, sizeof *cl);
    cl_open(&cl[0], sock);
    t0 = now();
    while (cl[0].frames < head + 2) { /* subscribed + events + caught_up */
        event_base_loop(base, EVLOOP_NONBLOCK);
        cl_drain(&cl[0]);
    }
    dt = now() - t0;
    printf("backlog: %llu events to 1 client in %.3f s = %.0f events/s\n", (unsigned long long)head,
           dt, (double)head / dt);

    /* 3. live fan-out: k clients caught up, then the second half. */
    for (int i = 1; i < k; i++)
        cl_open(&cl[i], sock);
    for (int done = 0; done < k;) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        done = 0;
        for (int i = 0; i < k; i++) {
            cl_drain(&cl[i]);
            done += cl[i].frames >= head + 2;
        }
    }
    uint64_t before = cl[0].frames;
    t0 = now();
    more = true;
    size_t live = 0;
    while (more) {
        if (vm_follow_catch_up(fl, 512, &applied, &more) != VM_FOLLOW_OK)
            return 1;
        live += applied;
        vm_evserver_publish(srv);
        event_base_loop(base, EVLOOP_NONBLOCK);
        for (int i = 0; i < k; i++)
            cl_drain(&cl[i]);
    }
    for (int done = 0; done < k;) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        done = 0;
        for (int i = 0; i < k; i++) {
            cl_drain(&cl[i]);
            done += cl[i].frames >= before + live;
        }
    }
    dt = now() - t0;
    printf("live: %zu blocks applied and their events sent to %d clients in %.3f s ="
           " %.0f blocks/s, %.0f events/s delivered\n",
           live, k, dt, (double)live / dt, (double)live * k / dt);
    for (int i = 0; i < k; i++)
        close(cl[i].fd);
    vm_evserver_free(srv);
    event_base_free(base);
    vm_follow_free(fl);
    vm_indexer_close(ix);

    /* 4. verify the whole transcript. */
    vm_replay_report r;
    t0 = now();
    vm_replay_status vs = vm_replay_check_run(f.dir, tl_dev(), f.dir, &r, err, sizeof err);
    dt = now() - t0;
    printf("verify: %s, %llu blocks, %llu events in %.3f s = %.0f blocks/s\n",
           vs == VM_REPLAY_MATCH ? "ok" : "NOT ok", (unsigned long long)r.blocks,
           (unsigned long long)r.events, dt, (double)r.blocks / dt);
    free(cl);
    free(blocks);
    free(res);
    fx_close(&f);
    return vs == VM_REPLAY_MATCH ? 0 : 1;
}
