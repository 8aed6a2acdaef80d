/* smallnano-elections: weighted voting, quorum, confirmation, representative
 * mode. Started by smallnanod; the child runtime (ipc/child.h) gives it its
 * event loop, its socket DATA_DIR/run/elections.sock (answers ping and
 * `status`, status.h),
 * readiness and heartbeats.
 *
 * Wiring only: the logic is in service.h and the elections library, the
 * sockets in ledger_link.h and net_link.h. The voting keys come from the
 * representative key file (common/keyfile.h), read once at start: after
 * changing it, `smallnano-cli node restart elections`. A 100 ms timer advances the
 * logical clock (one tick per run), re-reads our keys' voting weights
 * (every 5 s; every run during the first 30 s while none has weight), and
 * runs one bounded step of the service; while a step
 * says more work is waiting, further steps follow as soon as the loop is
 * idle, so heartbeats are answered between them. Our representatives'
 * votes are signed in batches (up to 12 hashes a vote) by the step that
 * follows the input the loop has read: one signature, and one verification
 * on every other node, for up to 12 blocks. */
#include <errno.h>
#include <event2/event.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/keyfile.h"
#include "common/keys.h"
#include "common/log.h"
#include "ipc/child.h"
#include "ipc/schema_elections.h"
#include "procs/elections/ledger_link.h"
#include "procs/elections/net_link.h"
#include "procs/elections/service.h"
#include "procs/elections/status.h"

#define TIMER_MS 100
#define TICKS_PER_SECOND 10u
#define REPS_EVERY 50u /* timer runs: 5 s */

typedef struct {
    ipc_child *ch;
    elections_service *svc;
    struct event *timer, *work;
    uint64_t runs;
} elections_node;

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

static void run_step(elections_node *n)
{
    if (elections_service_step(n->svc)) {
        struct timeval now = {0, 0};
        event_add(n->work, &now); /* after what the loop has pending */
    }
    elections_ledger_link_flush();
}

/* The service has votes to sign: one step once the loop has read what is pending. */
static void wake(void *ud)
{
    elections_node *n = ud;
    if (!event_pending(n->work, EV_TIMEOUT, NULL)) {
        struct timeval now = {0, 0};
        event_add(n->work, &now);
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
    n->runs++;
    elections_service_tick(n->svc, n->runs);
    /* Without a representative with weight, look often at first (a fresh
     * node's ledger may still be arriving), then every REPS_EVERY runs. */
    bool early = n->runs < 30u * TICKS_PER_SECOND && elections_service_reps(n->svc) == 0;
    if (early || n->runs % REPS_EVERY == 0)
        elections_service_load_reps(n->svc);
    run_step(n);
    if (n->runs % TICKS_PER_SECOND == 0)
        update_detail(n);
}

static void stop(ipc_child *ch, void *ud)
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

/* The password for the key file: [elections] representative_password_file,
 * else systemd's credential, else "". 0, or -1 after logging. */
static int rep_password(const ipc_config *cfg, char *pw, size_t cap)
{
    char path[1200] = "";
    const char *creds = getenv("CREDENTIALS_DIRECTORY");
    if (cfg->elections_rep_password_file[0])
        snprintf(path, sizeof path, "%s", cfg->elections_rep_password_file);
    else if (creds && *creds)
        snprintf(path, sizeof path, "%s/representative-password", creds);
    pw[0] = '\0';
    if (!path[0])
        return 0;
    int r = smn_keyfile_read_password(path, pw, cap);
    if (r == -ENOENT && !cfg->elections_rep_password_file[0])
        return 0; /* no credential given: the empty password */
    if (r != 0) {
        smn_error("cannot read the representative password file %s: %s", path, strerror(-r));
        return -1;
    }
    return 0;
}

/* Our voting keys: the representative key file, plus on dev the published
 * genesis key (so a dev node votes out of the box). A file that cannot be
 * opened is logged and the node runs without it: it still follows the
 * network, it just does not vote with those keys. Returns the count. */
static size_t load_keys(const ipc_config *cfg, const smn_network *net,
                        smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS])
{
    size_t n = 0;
    if (smn_network_dev_genesis_key() && strcmp(net->name, "dev") == 0)
        smn_key_expand(smn_network_dev_genesis_key(), &keys[n++]);
    char path[1200];
    if (cfg->elections_rep_key[0])
        snprintf(path, sizeof path, "%s", cfg->elections_rep_key);
    else
        snprintf(path, sizeof path, "%s/representative.key", cfg->data_dir);
    char pw[1024];
    if (rep_password(cfg, pw, sizeof pw) != 0)
        return n;
    smn_keypair file[SMN_KEYFILE_MAX_KEYS];
    size_t nf = 0;
    smn_keyfile_status st = smn_keyfile_read(path, pw, file, &nf);
    sodium_memzero(pw, sizeof pw);
    if (st == SMN_KEYFILE_NOT_FOUND) {
        smn_info("no representative key file %s%s", path, n ? "" : ": this node does not vote");
        return n;
    }
    if (st != SMN_KEYFILE_OK) {
        smn_error("representative key file %s: %s; not voting with it", path,
                  smn_keyfile_strerror(st));
        return n;
    }
    for (size_t i = 0; i < nf && n < ELECTIONS_SERVICE_MAX_REPS; i++)
        keys[n++] = file[i];
    sodium_memzero(file, sizeof file);
    smn_info("representative key file %s: %zu key%s", path, nf, nf == 1 ? "" : "s");
    return n;
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
    uint32_t req_ticks = cfg->elections_vote_request_ms
                             ? (cfg->elections_vote_request_ms + TIMER_MS - 1) / TIMER_MS
                             : 0;
    smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS];
    size_t nkeys = load_keys(cfg, net, keys);
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
        .confirm = elections_ledger_link_confirm,
        .vote = elections_net_link_vote,
        .reply = elections_net_link_reply,
        .request = elections_net_link_request,
        .wake = wake,
    };
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
    return 0;
}

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    elections_node *n = ud;
    elections_status_on_message(n->svc, c, m);
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
    ipc_child_opts o = {.name = "elections",
                        .family = &ipc_family_elections,
                        .on_message = on_message,
                        .init = start,
                        .fini = stop,
                        .ud = &node};
    return ipc_child_main(argc, argv, &o);
}
