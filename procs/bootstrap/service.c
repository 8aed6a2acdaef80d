#include "procs/bootstrap/service.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/block.h"
#include "common/log.h"
#include "common/network.h"
#include "ipc/ledger_client.h"
#include "ipc/schema_bootstrap.h"
#include "ipc/schema_net.h"
#include "procs/bootstrap/plan.h"
#include "procs/bootstrap/state.h"
#include "ipc/ledgerdb/ro_handle.h"

#define TICK_MS 100u
#define EMPTY_RETRIES 3u /* an empty pull answer (the peer was rate limiting) is retried */

typedef enum { IDLE, WAIT_FRONTIERS, PULLING, WAIT_PULL, SUBMITTING } boot_phase;

struct bootstrap_service {
    ipc_child *child;
    const smn_network *net;
    char data_dir[256];
    ipc_endpoint *netep;
    ledger_client *ledger;
    ledger_ro_handle ro; /* ledger.db, read-only: what we have */
    struct event *tick;
    uint32_t interval_ms;
    bool stopping;

    boot_phase phase;
    uint64_t next_ms; /* the phase's next step not before this */
    uint8_t cursor[32], next_cursor[32];
    bool round_end;
    uint8_t peer[32];
    bootstrap_job jobs[BOOTSTRAP_MAX_JOBS]; /* a stack: the top is pulled next */
    size_t njobs;
    bootstrap_job cur;
    smn_block *blocks; /* IPC_NET_MAX_PULL, oldest first */
    size_t nblocks, nsubmitted;

    uint64_t rounds, pulled, accepted;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Opened on first use, retried at each use while it cannot be opened. */
static ledger_ro *ro_of(bootstrap_service *s)
{
    return ledger_ro_handle_get(&s->ro, now_ms());
}

static void set_detail(bootstrap_service *s)
{
    char d[128];
    snprintf(d, sizeof d, "rounds %llu, pulled %llu, accepted %llu", (unsigned long long)s->rounds,
             (unsigned long long)s->pulled, (unsigned long long)s->accepted);
    ipc_child_set_detail(s->child, d);
}

/* The round stops here; the next starts after `after_ms`. The cursor is
 * kept: the batch that failed is asked again. */
static void end_round(bootstrap_service *s, uint32_t after_ms)
{
    s->phase = IDLE;
    s->njobs = 0;
    s->nblocks = s->nsubmitted = 0;
    s->next_ms = now_ms() + after_ms;
    set_detail(s);
}

static void on_frontiers(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    bootstrap_service *s = ud;
    if (s->stopping)
        return;
    if (st != IPC_OK) {
        const char *why = ipc_status_str(st);
        size_t len = 0;
        if (st == IPC_E_REMOTE)
            ipc_get_str(reply->body, "message", &why, &len);
        smn_debug("frontiers: %.*s", len ? (int)len : (int)strlen(why), why);
        end_round(s, s->interval_ms);
        return;
    }
    ledger_ro *ro = ro_of(s);
    const ipc_obj *entries = ipc_get_array(reply->body, "entries");
    const uint8_t *peer;
    size_t plen;
    if (!ro || !entries || !ipc_get_bin(reply->body, "peer", &peer, &plen)) {
        end_round(s, s->interval_ms);
        return;
    }
    memcpy(s->peer, peer, 32);
    size_t n = ipc_array_len(entries);
    bootstrap_frontier got[IPC_NET_MAX_FRONTIERS];
    size_t ngot = 0;
    for (size_t i = 0; i < n && i < IPC_NET_MAX_FRONTIERS; i++) {
        const ipc_obj *e = ipc_array_at(entries, i);
        const uint8_t *account, *hash;
        size_t alen, hlen;
        if (!ipc_get_bin(e, "account", &account, &alen) || !ipc_get_bin(e, "hash", &hash, &hlen))
            continue; /* the schema requires both */
        memcpy(got[ngot].account, account, 32);
        memcpy(got[ngot].hash, hash, 32);
        ngot++;
    }
    bootstrap_job found[IPC_NET_MAX_FRONTIERS];
    size_t nfound = 0;
    ledger_status ls = bootstrap_plan_frontiers(ro, got, ngot, n >= BOOTSTRAP_BATCH, found, &nfound,
                                                s->next_cursor, &s->round_end);
    if (ls != LEDGER_STATUS_OK) {
        ledger_ro_handle_failed(&s->ro, ls); /* reopened next round */
        end_round(s, s->interval_ms);
        return;
    }
    /* Ascending account order: push in reverse so the first is on top. */
    s->njobs = 0;
    for (size_t i = nfound; i-- > 0;)
        s->jobs[s->njobs++] = found[i];
    if (nfound)
        smn_info("%zu of %zu accounts behind the peer: pulling", nfound, n);
    s->phase = PULLING;
    s->next_ms = now_ms();
}

static void ask_frontiers(bootstrap_service *s)
{
    ipc_conn *c = ipc_endpoint_conn(s->netep);
    if (!c) {
        s->next_ms = now_ms() + 500;
        return;
    }
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_FRONTIERS));
    if (!smn_is_zero32(s->cursor))
        ipc_put_bin(&b, "start", s->cursor, 32);
    ipc_put_uint(&b, "count", BOOTSTRAP_BATCH);
    if (ipc_request(c, &b, BOOTSTRAP_REQUEST_TIMEOUT_MS, on_frontiers, s) != IPC_OK) {
        s->next_ms = now_ms() + 500;
        return;
    }
    if (smn_is_zero32(s->cursor))
        s->rounds++;
    s->phase = WAIT_FRONTIERS;
}

static void submit_next(bootstrap_service *s);

static void on_process(void *ud, ipc_status st, ledger_result r)
{
    bootstrap_service *s = ud;
    if (s->stopping)
        return;
    if (st != IPC_OK) {
        smn_warn("the ledger did not take a pulled block: %s", ipc_status_str(st));
        end_round(s, s->interval_ms);
        return;
    }
    if (r == LEDGER_BUSY) {
        end_round(s, s->interval_ms); /* the same batch again later */
        return;
    }
    if (r == LEDGER_ACCEPTED)
        s->accepted++;
    else
        smn_debug("pulled block: %s", ipc_ledger_result_name(r));
    s->nsubmitted++;
    submit_next(s);
}

static void submit_next(bootstrap_service *s)
{
    if (s->nsubmitted >= s->nblocks) {
        s->phase = PULLING;
        s->next_ms = now_ms() + BOOTSTRAP_PACE_MS;
        return;
    }
    if (ledger_client_process(s->ledger, &s->blocks[s->nsubmitted], LEDGER_ORIGIN_BOOTSTRAP,
                              on_process, s) != IPC_OK) {
        end_round(s, s->interval_ms);
        return;
    }
    s->phase = SUBMITTING;
}

static void on_pull(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    bootstrap_service *s = ud;
    if (s->stopping)
        return;
    s->phase = PULLING;
    s->next_ms = now_ms() + BOOTSTRAP_PACE_MS;
    const ipc_obj *arr = st == IPC_OK ? ipc_get_array(reply->body, "blocks") : NULL;
    if (!arr) {
        smn_debug("pull failed: %s", ipc_status_str(st));
        return; /* this chain waits for the next round */
    }
    size_t n = ipc_array_len(arr);
    if (n == 0) {
        if (++s->cur.retries <= EMPTY_RETRIES && s->njobs < BOOTSTRAP_MAX_JOBS)
            s->jobs[s->njobs++] = s->cur;
        return;
    }
    /* Newest first on the wire; the ledger wants parents first. */
    s->nblocks = s->nsubmitted = 0;
    for (size_t i = n; i-- > 0 && s->nblocks < IPC_NET_MAX_PULL;) {
        const uint8_t *wire;
        size_t wlen;
        if (!ipc_obj_bin(ipc_array_at(arr, i), &wire, &wlen) ||
            smn_block_deserialize(wire, wlen, &s->blocks[s->nblocks]) != SMN_BLOCK_OK) {
            smn_warn("the peer sent a malformed block: dropping its chain");
            s->nblocks = 0;
            return;
        }
        s->nblocks++;
    }
    s->pulled += s->nblocks;
    /* The oldest block does not reach our chain: its older part comes next. */
    ledger_ro *ro = ro_of(s);
    bootstrap_job older;
    if (ro && s->njobs < BOOTSTRAP_MAX_JOBS &&
        bootstrap_plan_older(ro, &s->blocks[0], &s->cur, &older))
        s->jobs[s->njobs++] = older;
    submit_next(s);
}

static void pull_next(bootstrap_service *s)
{
    if (s->njobs == 0) {
        memcpy(s->cursor, s->next_cursor, 32);
        int rc = bootstrap_state_save(s->data_dir, s->cursor);
        if (rc)
            smn_warn("cannot save %s: %s", BOOTSTRAP_STATE_FILENAME, strerror(-rc));
        if (s->round_end)
            end_round(s, s->interval_ms);
        else
            /* the next batch, paced like pulls: a peer answers a request
             * that comes too soon with an empty (end) answer, which would
             * read as the end of its ledger */
            end_round(s, BOOTSTRAP_PACE_MS);
        return;
    }
    ipc_conn *c = ipc_endpoint_conn(s->netep);
    if (!c) {
        end_round(s, s->interval_ms);
        return;
    }
    s->cur = s->jobs[--s->njobs];
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_PULL));
    ipc_put_bin(&b, "start", s->cur.start, 32);
    if (!smn_is_zero32(s->cur.end))
        ipc_put_bin(&b, "end", s->cur.end, 32);
    ipc_put_bin(&b, "peer", s->peer, 32);
    if (ipc_request(c, &b, BOOTSTRAP_REQUEST_TIMEOUT_MS, on_pull, s) != IPC_OK) {
        end_round(s, s->interval_ms);
        return;
    }
    s->phase = WAIT_PULL;
}

static void on_tick(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    bootstrap_service *s = ud;
    if (now_ms() < s->next_ms)
        return;
    if (s->phase == IDLE)
        ask_frontiers(s);
    else if (s->phase == PULLING)
        pull_next(s);
}

int bootstrap_service_start(ipc_child *ch, bootstrap_service **out)
{
    const ipc_config *cfg = ipc_child_config(ch);
    bootstrap_service *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->child = ch;
    s->net = smn_network_by_name(cfg->network);
    if (!s->net) {
        smn_error("unknown network %s", cfg->network);
        free(s);
        return -1;
    }
    snprintf(s->data_dir, sizeof s->data_dir, "%s", cfg->data_dir);
    ledger_ro_handle_opts ro = {.data_dir = cfg->data_dir, .net = s->net};
    if (ledger_ro_handle_init(&s->ro, &ro) != LEDGER_STATUS_OK) {
        smn_error("data dir path too long: %s", cfg->data_dir);
        free(s);
        return -1;
    }
    s->interval_ms = s->net->id == SMN_NET_DEV ? BOOTSTRAP_INTERVAL_DEV_MS : BOOTSTRAP_INTERVAL_MS;
    int rc = bootstrap_state_load(s->data_dir, s->cursor);
    if (rc)
        smn_warn("%s unreadable (%s): scanning from the start", BOOTSTRAP_STATE_FILENAME,
                 strerror(-rc));
    s->blocks = calloc(IPC_NET_MAX_PULL, sizeof *s->blocks);
    ipc_endpoint_opts no = {.family = &ipc_family_net, .name = "net", .reconnect_max_ms = 1000};
    ledger_client_opts lo = {.timeout_ms = BOOTSTRAP_REQUEST_TIMEOUT_MS};
    s->netep = s->blocks ? ipc_child_connect(ch, "net", &no) : NULL;
    s->ledger = s->netep ? ledger_client_new(ch, &lo) : NULL;
    s->tick = s->ledger ? event_new(ipc_child_base(ch), -1, EV_PERSIST, on_tick, s) : NULL;
    struct timeval tv = {0, TICK_MS * 1000};
    if (!s->tick || event_add(s->tick, &tv) != 0) {
        smn_error("cannot start the bootstrap service");
        bootstrap_service_stop(s);
        return -1;
    }
    set_detail(s);
    *out = s;
    return 0;
}

void bootstrap_service_stop(bootstrap_service *s)
{
    if (!s)
        return;
    s->stopping = true; /* freeing the endpoints fails their pending requests */
    if (s->tick)
        event_free(s->tick);
    ipc_endpoint_free(s->netep);
    ledger_client_free(s->ledger);
    ledger_ro_handle_close(&s->ro);
    free(s->blocks);
    free(s);
}

int bootstrap_service_child_init(ipc_child *ch, void *ud)
{
    return bootstrap_service_start(ch, (bootstrap_service **)ud);
}

void bootstrap_service_child_fini(ipc_child *ch, void *ud)
{
    (void)ch;
    bootstrap_service **s = ud;
    bootstrap_service_stop(*s);
    *s = NULL;
}

void bootstrap_service_child_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    bootstrap_service *s = *(bootstrap_service **)ud;
    if (!s) {
        if (m->id)
            ipc_reply_error(c, m, "bootstrap is starting");
        return;
    }
    if (!m->id)
        return;
    if (ipc_msg_is(m, "start")) {
        bool idle = s->phase == IDLE;
        if (idle)
            s->next_ms = 0; /* the next tick starts a round */
        ipc_builder sb;
        ipc_build_begin(&sb, "started");
        ipc_put_bool(&sb, "started", idle);
        ipc_reply(c, m, &sb);
        return;
    }
    if (!ipc_msg_is(m, "status")) {
        ipc_reply_error(c, m, "bootstrap does not serve that request");
        return;
    }
    ipc_bootstrap_phase p = s->phase == IDLE             ? IPC_BOOTSTRAP_IDLE
                            : s->phase == WAIT_FRONTIERS ? IPC_BOOTSTRAP_FRONTIERS
                            : s->phase == SUBMITTING     ? IPC_BOOTSTRAP_SUBMIT
                                                         : IPC_BOOTSTRAP_PULL;
    ipc_builder b;
    ipc_build_begin(&b, "status_r");
    ipc_put_str(&b, "phase", ipc_bootstrap_phase_name(p));
    ipc_put_uint(&b, "rounds", s->rounds);
    ipc_put_uint(&b, "pulled", s->pulled);
    ipc_put_uint(&b, "accepted", s->accepted);
    ipc_put_uint(&b, "chains", s->njobs);
    ipc_put_bin(&b, "cursor", s->cursor, 32);
    ipc_reply(c, m, &b);
}
