/* The elections process around its service: the 100 ms timer that advances
 * the logical clock (one tick per run) and re-reads our keys' voting weights
 * (every 5 s; every run during the first 30 s while none has weight), the
 * bounded steps (while a step says more work is waiting, further steps
 * follow as soon as the loop is idle, so heartbeats are answered between
 * them), the status detail, and starting the ledger and net links. Our
 * representatives' votes are signed in batches (up to 12 hashes a vote):
 * at once when 12 are waiting, else at most 10 ms after the first (wake):
 * one signature, and one verification on every other node, for up to 12
 * blocks. The logic is
 * service.c; the sockets ledger_link.c and net_link.c; the keys rep_keys.c. */
#include "procs/elections/node.h"

#include <event2/event.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/keys.h"
#include "common/log.h"
#include "procs/elections/feed.h"
#include "procs/elections/ledger_link.h"
#include "procs/elections/net_link.h"
#include "procs/elections/rep_keys.h"
#include "procs/elections/service.h"
#include "procs/elections/status.h"

#define TIMER_MS 100
#define TICKS_PER_SECOND 10u
#define REPS_EVERY 50u /* timer runs: 5 s */
/* A partial vote waits this long for more hashes (the CPS bench's 5.56 ->
 * 2.82 votes verified per block, with the batched vote-request answers).
 * Our own elections count the vote once it is signed, so for up to this
 * long a new election shows no vote of ours (issue 9: not a lost vote). */
#define VOTE_BATCH_MS 10

struct elections_node {
    ipc_child *ch;
    elections_service *svc;
    struct event *timer, *work;
    uint64_t runs;
    /* How long loop steps take (wall, monotonic): the proof that none
     * blocks heartbeats. Measured here, outside the deterministic service. */
    uint64_t step_max_us, step_last_us, steps, step_slow; /* slow: over 50 ms */
    uint64_t tick_max_us;
    /* The same steps in this thread's CPU time: a wall time far above it
     * is the machine's load (the process waited for a core), not work. */
    uint64_t step_cpu_max_us, step_cpu_slow;
};

#define STEP_SLOW_US 50000u

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void update_detail(elections_node *n)
{
    char d[160];
    snprintf(d, sizeof d, "reps %zu, active %zu, backlog %zu, confirmed %llu, queued %zu",
             elections_service_reps(n->svc), elections_service_active(n->svc),
             elections_service_backlog(n->svc),
             (unsigned long long)elections_service_confirmed(n->svc),
             elections_ledger_link_queued());
    ipc_child_set_detail(n->ch, d);
}

/* Raw weight in whole smn (10^30 raw): fits a gauge's int64. */
static int64_t whole_smn(smn_amount_t raw)
{
    smn_amount_t one = smn_amount_one_smn();
    uint64_t v;
    if (!smn_amount_to_u64(smn_amount_div(raw, one), &v) || v > INT64_MAX)
        return INT64_MAX;
    return (int64_t)v;
}

/* The elections' metrics, brought up to date before each heartbeat answer. */
static void collect(ipc_metrics *r, void *ud)
{
    elections_node *n = ud;
    if (!n->svc)
        return;
    ipc_metric_set(ipc_metric_gauge(r, "active", NULL, "Elections running now."),
                   (int64_t)elections_service_active(n->svc));
    ipc_metric_set(ipc_metric_gauge(r, "backlog_accounts", NULL,
                                    "Unconfirmed accounts waiting for an election."),
                   (int64_t)elections_service_backlog(n->svc));
    ipc_metric_set(ipc_metric_gauge(r, "representatives", NULL,
                                    "Representatives with weight known to this node."),
                   (int64_t)elections_service_reps(n->svc));
    ipc_metric_set(ipc_metric_counter(r, "confirmed_total", NULL,
                                      "Elections that reached quorum since start."),
                   (int64_t)elections_service_confirmed(n->svc));
    ipc_metric_set(ipc_metric_counter(r, "started_total", NULL,
                                      "Elections started since start (fresh blocks and the "
                                      "backlog's frontiers)."),
                   (int64_t)elections_service_started(n->svc));
    ipc_metric_set(
        ipc_metric_gauge(r, "online_weight_smn", NULL, "Online voting weight, whole smn."),
        whole_smn(elections_service_online(n->svc)));
    ipc_metric_set(ipc_metric_gauge(r, "quorum_delta_smn", NULL,
                                    "Weight a block needs to be confirmed, whole smn."),
                   whole_smn(elections_service_delta(n->svc)));
    uint64_t oldest = 0;
    size_t older = 0;
    elections_service_ages(n->svc, 10u * TICKS_PER_SECOND, &oldest, &older);
    ipc_metric_set(ipc_metric_gauge(r, "oldest_active_seconds", NULL,
                                    "Age of the oldest running election, seconds."),
                   (int64_t)(oldest / TICKS_PER_SECOND));
    ipc_metric_set(ipc_metric_gauge(r, "active_older_than_10s", NULL,
                                    "Running elections started more than 10 s ago."),
                   (int64_t)older);
    ipc_metric_set(ipc_metric_gauge(r, "confirm_queue", NULL,
                                    "Confirmations waiting to be sent to the ledger."),
                   (int64_t)elections_ledger_link_queued());
    ipc_metric_set(ipc_metric_gauge_scaled(r, "step_max_seconds", NULL,
                                           "Longest elections loop step since start, seconds.", 6),
                   (int64_t)n->step_max_us);
    ipc_metric_set(ipc_metric_gauge_scaled(r, "step_last_seconds", NULL,
                                           "Last elections loop step, seconds.", 6),
                   (int64_t)n->step_last_us);
    ipc_metric_set(ipc_metric_counter(r, "steps_total", NULL, "Elections loop steps run."),
                   (int64_t)n->steps);
    ipc_metric_set(ipc_metric_counter(r, "steps_slow_total", NULL,
                                      "Elections loop steps that took over 50 ms."),
                   (int64_t)n->step_slow);
    ipc_metric_set(ipc_metric_gauge_scaled(r, "step_cpu_max_seconds", NULL,
                                           "Most CPU time one elections loop step used, seconds.",
                                           6),
                   (int64_t)n->step_cpu_max_us);
    ipc_metric_set(ipc_metric_counter(r, "steps_cpu_slow_total", NULL,
                                      "Elections loop steps that used over 50 ms of CPU."),
                   (int64_t)n->step_cpu_slow);
    ipc_metric_set(ipc_metric_gauge_scaled(r, "tick_max_seconds", NULL,
                                           "Longest timer run (tick, weights, step), seconds.", 6),
                   (int64_t)n->tick_max_us);
}

static void run_step(elections_node *n)
{
    uint64_t t0 = mono_us(), c0 = cpu_us();
    if (elections_service_step(n->svc)) {
        struct timeval now = {0, 0};
        event_add(n->work, &now); /* after what the loop has pending */
    }
    elections_ledger_link_flush();
    uint64_t us = mono_us() - t0;
    n->steps++;
    n->step_last_us = us;
    if (us > n->step_max_us)
        n->step_max_us = us;
    if (us > STEP_SLOW_US)
        n->step_slow++;
    uint64_t cpu = cpu_us() - c0;
    if (cpu > n->step_cpu_max_us)
        n->step_cpu_max_us = cpu;
    if (cpu > STEP_SLOW_US)
        n->step_cpu_slow++;
}

/* The service has votes to sign. A full vote's worth (12 hashes) is signed
 * by the step that follows the input the loop has read; fewer wait up to
 * VOTE_BATCH_MS for more, so that under load a vote carries many hashes:
 * every vote costs a signature here, a verification in every other node's
 * net and elections, and a frame on every peer link. */
static void wake(void *ud)
{
    elections_node *n = ud;
    if (elections_service_votes_pending(n->svc) >= SMN_VOTE_MAX_HASHES) {
        struct timeval now = {0, 0};
        event_add(n->work, &now); /* moves a pending batch timeout earlier */
    } else if (!event_pending(n->work, EV_TIMEOUT, NULL)) {
        struct timeval later = {0, VOTE_BATCH_MS * 1000};
        event_add(n->work, &later);
    }
}

static void on_work(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    run_step(ud);
}

static void on_timer(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    elections_node *n = ud;
    uint64_t t0 = mono_us();
    n->runs++;
    elections_service_tick(n->svc, n->runs);
    /* Without a representative with weight, look often at first (a fresh
     * node's ledger may still be arriving), then every REPS_EVERY runs. */
    bool early = n->runs < 30u * TICKS_PER_SECOND && elections_service_reps(n->svc) == 0;
    if (early || n->runs % REPS_EVERY == 0)
        elections_service_load_reps(n->svc);
    run_step(n);
    if (n->runs % TICKS_PER_SECOND == 0) {
        update_detail(n);
        elections_net_link_reps();
    }
    uint64_t us = mono_us() - t0;
    if (us > n->tick_max_us)
        n->tick_max_us = us;
}

void elections_node_fini(ipc_child *ch, void *ud)
{
    (void)ch;
    elections_node *n = ud;
    elections_net_link_stop();
    elections_ledger_link_stop();
    if (n->timer)
        event_free(n->timer);
    if (n->work)
        event_free(n->work);
    elections_service_free(n->svc);
    memset(n, 0, sizeof *n);
}

static int setup(ipc_child *ch, elections_node *n)
{
    const ipc_config *cfg = ipc_child_config(ch);
    const smn_network *net = smn_network_by_name(cfg->network);
    if (!net) {
        smn_error("unknown network '%s'", cfg->network);
        return -1;
    }
    if (smn_crypto_init() != 0) {
        smn_error("cannot initialise libsodium");
        return -1;
    }
    n->ch = ch;
    smn_amount_t floor = smn_amount_zero();
    if (smn_amount_parse_raw(cfg->online_weight_minimum, &floor) != SMN_AMOUNT_OK)
        floor = smn_amount_zero(); /* checked when the config was read; 0 is the default */
    uint32_t req_ticks = cfg->elections_vote_request_ms
                             ? (cfg->elections_vote_request_ms + TIMER_MS - 1) / TIMER_MS
                             : 0;
    smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS];
    size_t nkeys = elections_rep_keys_load(cfg, net, keys);
    elections_service_config sc = {
        .data_dir = cfg->data_dir,
        .keys = keys,
        .nkeys = nkeys,
        .net = net,
        .online_weight_minimum = floor,
        .max_active = cfg->elections_max_active,
        .backlog = cfg->elections_backlog,
        .request_ticks = req_ticks,
        .ticks_per_second = TICKS_PER_SECOND,
        .defer_votes = true,
    };
    elections_service_hooks hooks = {
        .ctx = n,
        .started = elections_feed_started,
        .stopped = elections_feed_stopped,
        .confirm = elections_ledger_link_confirm,
        .vote = elections_net_link_vote,
        .reply = elections_net_link_reply,
        .request = elections_net_link_request,
        .wake = wake,
    };
    elections_feed_set_tick_ms(TIMER_MS);
    n->svc = elections_service_new(&sc, &hooks);
    sodium_memzero(keys, sizeof keys);
    if (!n->svc) {
        smn_error("out of memory");
        return -1;
    }
    struct event_base *base = ipc_child_base(ch);
    n->timer = event_new(base, -1, EV_PERSIST, on_timer, n);
    n->work = event_new(base, -1, 0, on_work, n);
    struct timeval tv = {0, TIMER_MS * 1000};
    if (!n->timer || !n->work || event_add(n->timer, &tv) != 0) {
        smn_error("cannot set up the timers");
        return -1;
    }
    if (elections_ledger_link_start(ch, n->svc) != 0 || elections_net_link_start(ch, n->svc) != 0)
        return -1;
    elections_service_load_reps(n->svc);
    update_detail(n);
    ipc_child_on_collect(ch, collect, n);
    return 0;
}

void elections_node_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    elections_node *n = ud;
    if (elections_feed_message(c, m))
        return;
    elections_status_on_message(n->svc, c, m);
}

int elections_node_init(ipc_child *ch, void *ud)
{
    int r = setup(ch, ud);
    if (r != 0)
        elections_node_fini(ch, ud);
    return r;
}

elections_node *elections_node_state(void)
{
    static elections_node node;
    return &node;
}
