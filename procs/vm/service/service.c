/* The vm process's wiring: ledger subscription -> follower -> event server. */
#include "procs/vm/service/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "common/log.h"
#include "ipc/ledger_client.h"
#include "ipc/unix_socket.h"
#include "ipc/ledgerdb/schema.h"
#include "procs/vm/service/evcount.h"
#include "procs/vm/service/evserver.h"
#include "procs/vm/service/follow.h"

/* Every piece of work runs in steps of a bounded number of blocks and a
 * bounded time (STEP_MS of work: a block can be slow on a loaded machine,
 * and 128 of them once held the loop past the heartbeat deadline), one
 * transaction each, scheduled as zero-delay timers: libevent polls the
 * sockets (the supervisor's heartbeat, the ledger, subscribers) before
 * each step. An event_active() chain would run in the same dispatch pass
 * without ever polling, however "small" each link. */
#define CATCH_UP_STEP 128  /* blocks per catch-up step (ledger DB -> vm DB) */
#define FLUSH_STEP 128     /* queued notifications applied per step */
#define STEP_MS 50         /* a catch-up or flush step ends after this much work */
#define TICK_MS 1000       /* safety net: look at the ledger DB this often */
#define SLOW_STEP_MS 100   /* a longer step is logged at the next tick */
#define EVCOUNT_STEP 20000 /* events counted by type per heartbeat, at most */
/* Notifications that arrive less than this after the last flush ended,
 * when that one applied more than one block, wait for the rest of it, so a
 * stream of cementing is applied in one transaction every 10 ms rather than
 * one per socket read: each commit writes the pages it touched to the WAL
 * again, a third of this process's CPU on a busy node (docs/benchmarks.md).
 * After a quiet spell, or one block at a time, no wait. */
#define FLUSH_GAP_US 10000u

struct vm_service {
    ipc_child *ch;
    vm_indexer *ix;
    vm_follow *follow;
    vm_evserver *events;
    ledger_client *ledger;
    struct event *flush_ev, *catch_up_ev, *tick_ev, *migrate_ev;
    char last_err[256];
    /* The longest step since the last tick, and of the current catch-up. */
    uint64_t tick_max_us, run_max_us, run_blocks, run_steps;
    uint64_t ledger_seq;  /* the highest cementing seq a notification named */
    uint64_t step_end_us; /* the current step stops at this monotonic time */
    uint64_t flushed_us;  /* when the last flush step ended (0: none yet) */
    size_t flushed_n;     /* blocks it applied */
    const char *tick_max_what;
    vm_evcount evcount; /* events by type, for the metrics */
};

/* Run ev after the loop has polled its sockets once more. */
static void soon(struct event *ev)
{
    static const struct timeval zero = {0, 0};
    event_add(ev, &zero);
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The follower's stop predicate: the loop's scheduling, not the VM's
 * results (where a step stops never changes them; see follow.h). */
static bool step_over(void *ud)
{
    const vm_service *s = ud;
    return now_us() >= s->step_end_us;
}

static void step_took(vm_service *s, const char *what, uint64_t us)
{
    if (us > s->tick_max_us) {
        s->tick_max_us = us;
        s->tick_max_what = what;
    }
}

/* Log a failure once, not on every retry. A ledger DB that cannot be read
 * yet is normal while the ledger process starts: info, not a warning. */
static void report(vm_service *s, const char *what, vm_follow_status st)
{
    const char *e = vm_follow_error(s->follow);
    char line[sizeof s->last_err];
    snprintf(line, sizeof line, "%s: %s", what, e);
    if (strcmp(line, s->last_err) != 0) {
        smn_log(st == VM_FOLLOW_ERR_LEDGER ? SMN_LOG_INFO : SMN_LOG_WARN, "%s (retrying)", line);
        snprintf(s->last_err, sizeof s->last_err, "%s", line);
    }
}

static void applied(vm_service *s, size_t n)
{
    s->last_err[0] = '\0';
    if (n)
        vm_evserver_publish(s->events);
}

static void on_catch_up(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    vm_service *s = arg;
    size_t n = 0;
    bool more = false;
    uint64_t t0 = now_us();
    s->step_end_us = t0 + (uint64_t)STEP_MS * 1000;
    vm_follow_status st = vm_follow_catch_up(s->follow, CATCH_UP_STEP, &n, &more);
    if (n)
        applied(s, n);
    uint64_t us = now_us() - t0;
    step_took(s, "catch-up", us);
    if (n) {
        s->run_blocks += n;
        s->run_steps++;
        if (us > s->run_max_us)
            s->run_max_us = us;
    }
    if (st != VM_FOLLOW_OK) {
        report(s, "catching up from the ledger", st);
        return; /* the tick retries */
    }
    if (more) {
        soon(s->catch_up_ev);
        return;
    }
    if (s->run_blocks > 1) /* one step is the normal path: not worth a line */
        smn_info("caught up from the ledger DB to cementing seq %llu: %llu blocks in %llu "
                 "steps, longest %llu ms",
                 (unsigned long long)vm_follow_seq(s->follow), (unsigned long long)s->run_blocks,
                 (unsigned long long)s->run_steps, (unsigned long long)(s->run_max_us / 1000));
    s->run_blocks = s->run_steps = s->run_max_us = 0;
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    vm_service *s = arg;
    size_t n = 0;
    bool more = false;
    uint64_t t0 = now_us();
    s->step_end_us = t0 + (uint64_t)STEP_MS * 1000;
    vm_follow_status st = vm_follow_flush(s->follow, FLUSH_STEP, &n, &more);
    if (n)
        applied(s, n);
    s->flushed_us = now_us();
    s->flushed_n = n;
    step_took(s, "applying notifications", s->flushed_us - t0);
    if (more)
        soon(s->flush_ev);
    if (st == VM_FOLLOW_GAP)
        soon(s->catch_up_ev);
    else if (st != VM_FOLLOW_OK)
        report(s, "applying cemented blocks", st);
}

static void on_subscribed(void *ud)
{
    vm_service *s = ud;
    smn_info("subscribed to the ledger at cementing seq %llu",
             (unsigned long long)vm_follow_seq(s->follow));
    /* Whatever was cemented while we were not subscribed is in the DB. */
    soon(s->catch_up_ev);
}

static void on_cemented(void *ud, const ledger_client_cemented *n)
{
    vm_service *s = ud;
    vm_cemented cem;
    vm_cem_status cs = vm_cemented_from_ledger(n, &cem);
    if (cs != VM_CEM_OK) {
        smn_warn("ignoring a block_cemented notification: %s", vm_cem_strerror(cs));
        soon(s->catch_up_ev); /* the DB has the truth */
        return;
    }
    if (cem.seq > s->ledger_seq)
        s->ledger_seq = cem.seq;
    vm_follow_push(s->follow, &cem);
    /* Applied from the next loop iteration on (FLUSH_GAP_US after the last
     * flush), in steps of FLUSH_STEP. */
    if (!evtimer_pending(s->flush_ev, NULL)) {
        uint64_t since =
            s->flushed_us && s->flushed_n > 1 ? now_us() - s->flushed_us : FLUSH_GAP_US;
        struct timeval tv = {0, since < FLUSH_GAP_US ? (long)(FLUSH_GAP_US - since) : 0};
        event_add(s->flush_ev, &tv);
    }
}

static void on_bad_notification(void *ud, const char *kind)
{
    (void)kind;
    vm_service *s = ud;
    soon(s->catch_up_ev); /* the DB has the truth */
}

/* An older vm.db gets its new indexes one per loop iteration, between the
 * other work (each CREATE INDEX is one table's sort, not the whole DB). */
static void on_migrate(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    vm_service *s = arg;
    bool done = false;
    uint64_t t0 = now_us();
    vm_idx_status st = vm_indexer_migrate_step(s->ix, &done);
    step_took(s, "schema migration", now_us() - t0);
    if (st == VM_IDX_ERR_STATE || (st == VM_IDX_OK && !done)) {
        soon(s->migrate_ev); /* in a batch: after it */
        return;
    }
    if (st != VM_IDX_OK)
        smn_warn("vm db schema migration: %s (reads stay slower)", vm_idx_strerror(st));
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    vm_service *s = arg;
    soon(s->catch_up_ev);
    if (s->tick_max_us > (uint64_t)SLOW_STEP_MS * 1000)
        smn_warn("a step took %llu ms (%s)", (unsigned long long)(s->tick_max_us / 1000),
                 s->tick_max_what);
    s->tick_max_us = 0;
    char detail[96];
    snprintf(detail, sizeof detail, "seq %llu, %zu subscribers",
             (unsigned long long)vm_follow_seq(s->follow), vm_evserver_clients(s->events));
    ipc_child_set_detail(s->ch, detail);
}

/* vm's metrics, brought up to date before each heartbeat answer. */
static void collect(ipc_metrics *r, void *ud)
{
    vm_service *s = ud;
    uint64_t seq = vm_follow_seq(s->follow);
    ipc_metric_set(ipc_metric_gauge(r, "applied_seq", NULL,
                                    "The ledger cementing seq the indexer has applied."),
                   (int64_t)seq);
    ipc_metric_set(ipc_metric_gauge(r, "lag_blocks", NULL,
                                    "Cemented blocks notified by the ledger, not applied yet."),
                   s->ledger_seq > seq ? (int64_t)(s->ledger_seq - seq) : 0);
    ipc_metric_set(ipc_metric_gauge(r, "queued_notifications", NULL,
                                    "block_cemented notifications waiting to be applied."),
                   (int64_t)vm_follow_queued(s->follow));
    ipc_metric_set(
        ipc_metric_gauge(r, "event_subscribers", NULL, "Clients of the VM event socket."),
        (int64_t)vm_evserver_clients(s->events));
    ipc_metric_set(ipc_metric_counter(r, "events_total", NULL,
                                      "VM events recorded (the event log's newest cursor)."),
                   (int64_t)vm_evserver_head(s->events));
    if (vm_evcount_step(&s->evcount, vm_indexer_db(s->ix), EVCOUNT_STEP) != SQLITE_OK)
        smn_warn("counting events by type: %s", sqlite3_errmsg(vm_indexer_db(s->ix)));
    for (size_t i = 0; i < s->evcount.n; i++) {
        char label[8 + VM_EVCOUNT_TYPE_MAX];
        snprintf(label, sizeof label, "type=%s", s->evcount.type[i]);
        ipc_metric_set(ipc_metric_counter(r, "events_by_type_total", label,
                                          "VM events in the event log, by type."),
                       (int64_t)s->evcount.count[i]);
    }
    if (s->evcount.other)
        ipc_metric_set(ipc_metric_counter(r, "events_by_type_total", "type=other",
                                          "VM events in the event log, by type."),
                       (int64_t)s->evcount.other);
}

void vm_service_fini(ipc_child *ch, void *ud)
{
    (void)ch;
    vm_service **out = ud;
    vm_service *s = *out;
    if (!s)
        return;
    struct event *evs[] = {s->flush_ev, s->catch_up_ev, s->tick_ev, s->migrate_ev};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (evs[i])
            event_free(evs[i]);
    ledger_client_free(s->ledger);
    vm_evserver_free(s->events);
    vm_follow_free(s->follow);
    vm_indexer_close(s->ix);
    free(s);
    *out = NULL;
}

int vm_service_init(ipc_child *ch, void *ud)
{
    vm_service **out = ud;
    const ipc_config *cfg = ipc_child_config(ch);
    struct event_base *base = ipc_child_base(ch);
    const smn_network *net = smn_network_by_name(cfg->network);
    if (!net) {
        smn_error("unknown network '%s'", cfg->network);
        return 1;
    }
    vm_service *s = calloc(1, sizeof *s);
    if (!s)
        return 1;
    *out = s;
    s->ch = ch;
    char path[512], run[300];
    snprintf(path, sizeof path, "%s/vm.db", cfg->data_dir);
    vm_idx_status vs = vm_indexer_open(path, &s->ix);
    if (vs != VM_IDX_OK) {
        smn_error("cannot open %s: %s", path, vm_idx_strerror(vs));
        if (vs == VM_IDX_ERR_CORRUPT) { /* restarting cannot help: the supervisor stops */
            vm_service_fini(ch, ud);
            return IPC_CHILD_EXIT_UNSAFE;
        }
        goto fail;
    }
    snprintf(path, sizeof path, "%s/%s", cfg->data_dir, LEDGER_DB_FILENAME);
    s->follow = vm_follow_new(s->ix, path, net);
    if (!s->follow) {
        smn_error("cannot read the ledger progress from vm.db");
        goto fail;
    }
    vm_follow_set_stop(s->follow, step_over, s);
    int r = ipc_run_dir(cfg->data_dir, run, sizeof run);
    if (r < 0) {
        smn_error("cannot create %s/run: %s", cfg->data_dir, strerror(-r));
        goto fail;
    }
    snprintf(path, sizeof path, "%s/%s", run, VM_EVENTS_SOCKET);
    char err[300];
    s->events = vm_evserver_new(base, path, vm_indexer_db(s->ix), err, sizeof err);
    if (!s->events) {
        smn_error("event socket: %s", err);
        goto fail;
    }
    s->flush_ev = evtimer_new(base, on_flush, s);
    s->catch_up_ev = evtimer_new(base, on_catch_up, s);
    s->tick_ev = event_new(base, -1, EV_PERSIST, on_tick, s);
    s->migrate_ev = evtimer_new(base, on_migrate, s);
    struct timeval tick = {TICK_MS / 1000, (TICK_MS % 1000) * 1000};
    if (!s->flush_ev || !s->catch_up_ev || !s->tick_ev || !s->migrate_ev ||
        event_add(s->tick_ev, &tick) != 0)
        goto fail;
    ledger_client_opts lo = {.on_block_cemented = on_cemented,
                             .on_subscribed = on_subscribed,
                             .on_bad_notification = on_bad_notification,
                             .user = s};
    s->ledger = ledger_client_new(ch, &lo);
    if (!s->ledger)
        goto fail; /* logged */
    ipc_child_on_collect(ch, collect, s);
    smn_info("indexing from cementing seq %llu; events on %s",
             (unsigned long long)vm_follow_seq(s->follow), path);
    soon(s->catch_up_ev);
    soon(s->migrate_ev);
    return 0;
fail:
    vm_service_fini(ch, ud);
    return 1;
}
