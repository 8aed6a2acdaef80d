/* smallnano-elections: weighted voting, quorum, confirmation, representative
 * mode. Started by smallnanod; the child runtime (ipc/child.h) gives it its
 * event loop, its socket DATA_DIR/run/elections.sock (answers ping),
 * readiness and heartbeats.
 *
 * Wiring (the logic is in service.h and the elections library):
 * - subscribes to the ledger (DATA_DIR/run/ledger.sock, ipc/schema_ledger.h)
 *   and starts an election for every block_accepted and fork;
 * - after every (re)subscription, rebuilds its view from ledger.db:
 *   elections for every unconfirmed block (so nothing is lost while this
 *   process or the ledger was down);
 * - sends `confirm` for every winner, and retries those the ledger did not
 *   acknowledge (it was down) once it is back;
 * - a 100 ms timer: re-reads the wallets for representatives (every 100 ms
 *   during the first 30 s while there is none, else every 5 s, and on a
 *   block while there is none), runs the rescans the service asks for, and
 *   advances the logical clock one tick per second. */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/keys.h"
#include "common/log.h"
#include "ipc/child.h"
#include "ipc/schema_ledger.h"
#include "procs/elections/net_link.h"
#include "procs/elections/service.h"

#define TIMER_MS 100
#define TICKS_PER_SECOND 10u
#define REPS_EVERY 50u /* timer runs: 5 s */
#define CONFIRM_TIMEOUT_MS 10000u
#define MAX_RETRY 65536u

typedef struct {
    ipc_child *ch;
    elections_service *svc;
    ipc_endpoint *ledger;
    struct event *timer;
    uint64_t runs;
    uint64_t reps_run;    /* timer run of the last wallet scan */
    uint8_t (*retry)[32]; /* confirms the ledger has not acknowledged */
    size_t nretry, capretry;
    uint64_t cemented; /* blocks the ledger reported cemented for our confirms */
} elections_node;

static void queue_retry(elections_node *n, const uint8_t hash[32])
{
    for (size_t i = 0; i < n->nretry; i++)
        if (memcmp(n->retry[i], hash, 32) == 0)
            return;
    if (n->nretry == n->capretry) {
        size_t cap = n->capretry ? n->capretry * 2 : 64;
        void *p = cap <= MAX_RETRY ? realloc(n->retry, cap * 32) : NULL;
        if (!p) {
            /* the block stays unconfirmed in the DB: a restart finds it */
            smn_warn("confirm retry list full, dropping one");
            return;
        }
        n->retry = p;
        n->capretry = cap;
    }
    memcpy(n->retry[n->nretry++], hash, 32);
}

typedef struct {
    elections_node *n;
    uint8_t hash[32];
} confirm_req;

static void on_confirm_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    confirm_req *r = ud;
    if (st == IPC_OK) {
        uint64_t k = 0;
        ipc_get_uint(reply->body, "cemented", &k);
        r->n->cemented += k;
    } else if (st == IPC_E_REMOTE) {
        char msg[160] = "";
        ipc_get_strz(reply->body, "message", msg, sizeof msg);
        smn_warn("ledger refused a confirm: %s", msg);
    } else if (r->n->svc) {
        queue_retry(r->n, r->hash); /* down or restarting: again once it is back */
    }
    free(r);
}

static void send_confirm(elections_node *n, const uint8_t hash[32])
{
    confirm_req *r = malloc(sizeof *r);
    if (!r) {
        queue_retry(n, hash);
        return;
    }
    r->n = n;
    memcpy(r->hash, hash, 32);
    ipc_builder b;
    ipc_build_begin(&b, "confirm");
    ipc_put_bin(&b, "hash", hash, 32);
    ipc_status st =
        ipc_request(ipc_endpoint_conn(n->ledger), &b, CONFIRM_TIMEOUT_MS, on_confirm_reply, r);
    if (st != IPC_OK) {
        free(r);
        queue_retry(n, hash);
    }
}

static void flush_retries(elections_node *n)
{
    size_t k = n->nretry;
    n->nretry = 0;
    /* send_confirm may queue them again (still down): work on a copy */
    uint8_t(*copy)[32] = k ? malloc(k * 32) : NULL;
    if (k && !copy) {
        n->nretry = k;
        return;
    }
    if (k)
        memcpy(copy, n->retry, k * 32);
    for (size_t i = 0; i < k; i++)
        send_confirm(n, copy[i]);
    free(copy);
}

static void hook_confirm(void *ctx, const uint8_t hash[32])
{
    send_confirm(ctx, hash);
}

static void update_detail(elections_node *n)
{
    char d[128];
    snprintf(d, sizeof d, "reps %zu, active %zu, confirmed %llu", elections_service_reps(n->svc),
             elections_service_active(n->svc),
             (unsigned long long)elections_service_confirmed(n->svc));
    ipc_child_set_detail(n->ch, d);
}

static void on_block(elections_node *n, const ipc_msg *m)
{
    const uint8_t *wire = NULL;
    size_t len = 0;
    smn_block b;
    if (!ipc_get_bin(m->body, "block", &wire, &len) ||
        smn_block_deserialize(wire, len, &b) != SMN_BLOCK_OK) {
        smn_warn("ledger sent an undecodable block in '%s'", m->kind->name);
        return;
    }
    if (elections_service_reps(n->svc) == 0 && n->reps_run != n->runs) {
        /* rpc may have made the demo wallet since; at most once per timer run */
        n->reps_run = n->runs;
        elections_service_load_reps(n->svc);
    }
    elections_service_block(n->svc, &b);
}

static void on_ledger_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    elections_node *n = ud;
    if (m->id) {
        ipc_reply_error(c, m, "elections serves no ledger requests");
        return;
    }
    if (ipc_msg_is(m, "block_accepted") || ipc_msg_is(m, "fork"))
        on_block(n, m);
}

static void on_subscribed(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    elections_node *n = ud;
    if (st != IPC_OK || !ipc_msg_is(reply, "subscribed")) {
        smn_warn("ledger subscription failed: %s", ipc_status_str(st));
        if (c)
            ipc_conn_close(c); /* reconnects, and subscribes again */
        return;
    }
    /* Whatever happened while we were not subscribed is in the DB. */
    elections_service_load_reps(n->svc);
    elections_service_resync(n->svc);
    flush_retries(n);
}

static void on_ledger_state(ipc_conn *c, bool up, void *ud)
{
    if (!up)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "subscribe");
    ipc_status st = ipc_request(c, &b, CONFIRM_TIMEOUT_MS, on_subscribed, ud);
    if (st != IPC_OK)
        smn_warn("cannot subscribe to the ledger: %s", ipc_status_str(st));
}

static void on_timer(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    elections_node *n = ud;
    n->runs++;
    /* Without a representative, look often at first (rpc creates the dev
     * demo wallet after we start), then every REPS_EVERY runs. */
    bool early = n->runs < 30u * TICKS_PER_SECOND && elections_service_reps(n->svc) == 0;
    if ((early || n->runs % REPS_EVERY == 0) && n->reps_run != n->runs) {
        n->reps_run = n->runs;
        elections_service_load_reps(n->svc);
    }
    if (elections_service_wants_scan(n->svc))
        elections_service_resync(n->svc);
    if (n->runs % TICKS_PER_SECOND == 0) {
        elections_service_tick(n->svc, n->runs / TICKS_PER_SECOND);
        if (n->nretry)
            flush_retries(n);
        update_detail(n);
    }
}

static void stop(ipc_child *ch, void *ud)
{
    (void)ch;
    elections_node *n = ud;
    elections_net_link_stop();
    if (n->timer)
        event_free(n->timer);
    elections_service *svc = n->svc;
    n->svc = NULL; /* pending confirms failing now need no retry */
    ipc_endpoint_free(n->ledger);
    elections_service_free(svc);
    free(n->retry);
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
    smn_amount_t floor = 0;
    if (smn_amount_parse_raw(cfg->online_weight_minimum, &floor) != SMN_AMOUNT_OK)
        floor = 0; /* checked when the config was read; 0 is the default */
    elections_service_config sc = {
        .data_dir = cfg->data_dir, .net = net, .online_weight_minimum = floor};
    elections_service_hooks hooks = {
        .ctx = n, .confirm = hook_confirm, .vote = elections_net_link_vote};
    n->svc = elections_service_new(&sc, &hooks);
    if (!n->svc) {
        smn_error("out of memory");
        return -1;
    }
    ipc_endpoint_opts eo = {
        .family = &ipc_family_ledger,
        .on_message = on_ledger_message,
        .on_state = on_ledger_state,
        .ud = n,
        .name = "ledger",
        .reconnect_max_ms = 1000,
    };
    n->ledger = ipc_child_connect(ch, "ledger", &eo);
    n->timer = event_new(ipc_child_base(ch), -1, EV_PERSIST, on_timer, n);
    struct timeval tv = {0, TIMER_MS * 1000};
    if (!n->ledger || !n->timer || event_add(n->timer, &tv) != 0) {
        smn_error("cannot set up the ledger connection or the timer");
        return -1;
    }
    if (elections_net_link_start(ch, n->svc) != 0) /* votes to and from peers */
        return -1;
    elections_service_load_reps(n->svc);
    update_detail(n);
    return 0;
}

/* The runtime calls fini only after a successful init: clean up here otherwise. */
static int start(ipc_child *ch, void *ud)
{
    int r = setup(ch, ud);
    if (r != 0)
        stop(ch, ud);
    return r;
}

int main(int argc, char **argv)
{
    static elections_node node;
    ipc_child_opts o = {.name = "elections", .init = start, .fini = stop, .ud = &node};
    return ipc_child_main(argc, argv, &o);
}
