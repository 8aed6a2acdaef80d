/* The vm process's wiring: ledger subscription -> follower -> event server. */
#include "procs/vm/service/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/log.h"
#include "ipc/ledger_client.h"
#include "ipc/unix_socket.h"
#include "procs/ledger/schema.h"
#include "procs/vm/service/evserver.h"
#include "procs/vm/service/follow.h"

#define CATCH_UP_STEP 512 /* blocks per transaction while catching up */
#define TICK_MS 1000      /* safety net: look at the ledger DB this often */

struct vm_service {
    ipc_child *ch;
    vm_indexer *ix;
    vm_follow *follow;
    vm_evserver *events;
    ledger_client *ledger;
    struct event *flush_ev, *catch_up_ev, *tick_ev;
    char last_err[256];
};

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
    vm_follow_status st = vm_follow_catch_up(s->follow, CATCH_UP_STEP, &n, &more);
    if (n)
        applied(s, n);
    if (st != VM_FOLLOW_OK) {
        report(s, "catching up from the ledger", st);
        return; /* the tick retries */
    }
    if (more)
        event_active(s->catch_up_ev, EV_TIMEOUT, 0); /* next step after other work */
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    vm_service *s = arg;
    size_t n = 0;
    vm_follow_status st = vm_follow_flush(s->follow, &n);
    if (n)
        applied(s, n);
    if (st == VM_FOLLOW_GAP)
        event_active(s->catch_up_ev, EV_TIMEOUT, 0);
    else if (st != VM_FOLLOW_OK)
        report(s, "applying cemented blocks", st);
}

static void on_subscribed(void *ud)
{
    vm_service *s = ud;
    smn_info("subscribed to the ledger at cementing seq %llu",
             (unsigned long long)vm_follow_seq(s->follow));
    /* Whatever was cemented while we were not subscribed is in the DB. */
    event_active(s->catch_up_ev, EV_TIMEOUT, 0);
}

static void on_cemented(void *ud, const ledger_client_cemented *n)
{
    vm_service *s = ud;
    vm_cemented cem;
    vm_cem_status cs = vm_cemented_from_ledger(n, &cem);
    if (cs != VM_CEM_OK) {
        smn_warn("ignoring a block_cemented notification: %s", vm_cem_strerror(cs));
        event_active(s->catch_up_ev, EV_TIMEOUT, 0); /* the DB has the truth */
        return;
    }
    vm_follow_push(s->follow, &cem);
    /* Apply everything that arrived in this loop iteration in one batch. */
    event_active(s->flush_ev, EV_TIMEOUT, 0);
}

static void on_bad_notification(void *ud, const char *kind)
{
    (void)kind;
    vm_service *s = ud;
    event_active(s->catch_up_ev, EV_TIMEOUT, 0); /* the DB has the truth */
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    vm_service *s = arg;
    event_active(s->catch_up_ev, EV_TIMEOUT, 0);
    char detail[96];
    snprintf(detail, sizeof detail, "seq %llu, %zu subscribers",
             (unsigned long long)vm_follow_seq(s->follow), vm_evserver_clients(s->events));
    ipc_child_set_detail(s->ch, detail);
}

void vm_service_fini(ipc_child *ch, void *ud)
{
    (void)ch;
    vm_service **out = ud;
    vm_service *s = *out;
    if (!s)
        return;
    struct event *evs[] = {s->flush_ev, s->catch_up_ev, s->tick_ev};
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
        goto fail;
    }
    snprintf(path, sizeof path, "%s/%s", cfg->data_dir, LEDGER_DB_FILENAME);
    s->follow = vm_follow_new(s->ix, path, net);
    if (!s->follow) {
        smn_error("cannot read the ledger progress from vm.db");
        goto fail;
    }
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
    s->flush_ev = event_new(base, -1, 0, on_flush, s);
    s->catch_up_ev = event_new(base, -1, 0, on_catch_up, s);
    s->tick_ev = event_new(base, -1, EV_PERSIST, on_tick, s);
    struct timeval tick = {TICK_MS / 1000, (TICK_MS % 1000) * 1000};
    if (!s->flush_ev || !s->catch_up_ev || !s->tick_ev || event_add(s->tick_ev, &tick) != 0)
        goto fail;
    ledger_client_opts lo = {.on_block_cemented = on_cemented,
                             .on_subscribed = on_subscribed,
                             .on_bad_notification = on_bad_notification,
                             .user = s};
    s->ledger = ledger_client_new(ch, &lo);
    if (!s->ledger)
        goto fail; /* logged */
    smn_info("indexing from cementing seq %llu; events on %s",
             (unsigned long long)vm_follow_seq(s->follow), path);
    event_active(s->catch_up_ev, EV_TIMEOUT, 0);
    return 0;
fail:
    vm_service_fini(ch, ud);
    return 1;
}
