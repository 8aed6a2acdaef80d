/* The rpc process's pieces, wired together (node.h). At init it creates the dev demo wallet if
 * needed (demo_wallet.h), serves the RPC on [rpc] address:port (port 0: the network's), hands
 * blocks to the ledger over IPC (ledger_link.h), writes DATA_DIR/run/rpc.addr
 * ("127.0.0.1:17076\n", read by smallnano-cli) once listening (a port in
 * use is retried with backoff, see try_listen), and, with
 * [rpc] auto_receive, receives sends to unlocked wallet accounts
 * (auto_receive.h). status_link.h keeps the figures of net, elections and
 * bootstrap (peers, online weight, ...) fresh for the actions. It has no state of its own beyond
 * the databases. */
#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/keys.h"
#include "common/log.h"
#include "common/work.h"
#include "ipc/child.h"
#include "procs/rpc/auto_receive.h"
#include "procs/rpc/control_link.h"
#include "procs/rpc/demo_wallet.h"
#include "procs/rpc/feed.h"
#include "procs/rpc/http_server.h"
#include "procs/rpc/ledger_link.h"
#include "procs/rpc/node.h"
#include "procs/rpc/node_metrics.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/status_link.h"

#define LISTEN_RETRY_MIN_MS 1000u
#define LISTEN_RETRY_MAX_MS 30000u

struct rpc_node {
    ipc_child *ch;
    rpc_ctx *ctx;
    rpc_http *http;
    struct event *listen_retry;
    uint32_t retry_ms;
    bool control, receiving; /* as configured, for the log line */
    rpc_ledger_link *link;
    rpc_status_link *status;
    rpc_control_link *control_link;
    rpc_auto_receive *autorx;
    rpc_work_pool *work;
    rpc_kdf_pool *kdf;
    char addr_path[300];
};

static void on_block_accepted(void *user, const ledger_client_accepted *a)
{
    rpc_node *n = user;
    if (n->autorx)
        rpc_auto_receive_notify(n->autorx, a);
}

static void on_subscribed(void *user)
{
    rpc_node *n = user;
    if (n->autorx)
        rpc_auto_receive_recover(n->autorx);
}

/* Written to a temporary name and renamed, so a reader never sees half a line. */
static int write_addr_file(const char *path, const char *addr, unsigned port)
{
    char tmp[320];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -errno;
    bool v6 = strchr(addr, ':') != NULL;
    int w = fprintf(f, v6 ? "[%s]:%u\n" : "%s:%u\n", addr, port);
    if (fclose(f) != 0 || w < 0) {
        unlink(tmp);
        return -EIO;
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return -e;
    }
    return 0;
}

/* Binds [rpc] address:port and publishes it in rpc.addr. A port taken by
 * someone else is retried with backoff instead of failing the process:
 * restarting would not free the port, and the restart-intensity limit
 * would then stop the whole node, voting included, over its RPC. */
/* Brings rpc's metrics up to date before each heartbeat answer. */
static void collect(ipc_metrics *r, void *ud)
{
    rpc_node *n = ud;
    rpc_metrics_collect(r, n->http, n->work, n->kdf, n->autorx, n->ctx);
}

static void try_listen(rpc_node *n)
{
    const ipc_config *cfg = ipc_child_config(n->ch);
    const smn_network *net = smn_network_by_name(cfg->network);
    unsigned port = cfg->rpc_port ? cfg->rpc_port : net->rpc_port;
    n->http = rpc_http_new(ipc_child_base(n->ch), n->ctx, cfg->rpc_address, (uint16_t)port, -1);
    if (n->http) {
        rpc_http_set_limits(n->http, cfg->rpc_max_connections, cfg->rpc_request_timeout_s);
        rpc_http_set_explorer(n->http, cfg->rpc_explorer != IPC_SWITCH_OFF);
        if (ipc_config_switch(cfg, cfg->ws_enable))
            rpc_http_set_explorer_feed(n->http,
                                       (uint16_t)(cfg->ws_port ? cfg->ws_port : net->ws_port));
        if (cfg->rpc_metrics != IPC_SWITCH_OFF)
            rpc_http_set_metrics(n->http, rpc_metrics_serve, n->ch);
    }
    if (!n->http) {
        /* rpc_http_new said why */
        n->retry_ms = n->retry_ms ? n->retry_ms * 2 : LISTEN_RETRY_MIN_MS;
        if (n->retry_ms > LISTEN_RETRY_MAX_MS)
            n->retry_ms = LISTEN_RETRY_MAX_MS;
        smn_warn("JSON RPC not served; trying again in %u ms", n->retry_ms);
        ipc_child_set_detail(n->ch, "JSON RPC not listening (address in use?)");
        struct timeval tv = {n->retry_ms / 1000, (n->retry_ms % 1000) * 1000};
        evtimer_add(n->listen_retry, &tv);
        return;
    }
    port = rpc_http_port(n->http);
    int rc = write_addr_file(n->addr_path, cfg->rpc_address, port);
    if (rc != 0)
        smn_error("cannot write %s: %s", n->addr_path, strerror(-rc));
    char detail[96];
    snprintf(detail, sizeof detail, "JSON RPC on %s port %u", cfg->rpc_address, port);
    ipc_child_set_detail(n->ch, detail);
    smn_info("serving the JSON RPC on %s port %u (control %s, auto-receive %s, at most %u "
             "connections, %us per request)",
             cfg->rpc_address, port, n->control ? "on" : "off", n->receiving ? "on" : "off",
             rpc_http_max_connections(n->http), cfg->rpc_request_timeout_s);
}

/* The context's node operations: auto-receive's search here, the rest
 * through the control link. */
static void node_op(void *user, rpc_node_op op, rpc_call *c, const smn_block *block)
{
    rpc_node *n = user;
    if (op != RPC_NODE_OP_SEARCH) {
        rpc_control_link_op(n->control_link, op, c, block);
        return;
    }
    if (!n->autorx) {
        rpc_reply_error(c, "Auto-receive is off ([rpc] auto_receive)");
        return;
    }
    rpc_auto_receive_recover(n->autorx);
    rpc_reply(c, json_pack("{s:s}", "started", "1"));
}

/* When the supervisor (our parent, smallnanod) started, in CLOCK_BOOTTIME
 * seconds, from /proc/PID/stat's starttime; 0 when the parent is not
 * smallnanod (rpc started by hand) or /proc cannot tell. */
static uint64_t node_started_boot_s(void)
{
    pid_t pp = getppid();
    char path[64], comm[32] = "", buf[1024];
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pp);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    bool ours = fgets(comm, sizeof comm, f) && strncmp(comm, "smallnanod", 10) == 0;
    fclose(f);
    if (!ours)
        return 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pp);
    if (!(f = fopen(path, "r")))
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (!p)
        return 0;
    /* fields after ")": state is field 3, starttime field 22 */
    unsigned long long start = 0;
    int field = 2;
    for (p++; *p && field < 22; p++)
        if (*p == ' ')
            field++;
    if (field != 22 || sscanf(p, "%llu", &start) != 1)
        return 0;
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? start / (unsigned long long)hz : 0;
}

static void on_listen_retry(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    try_listen(ud);
}

static int setup(ipc_child *ch, void *ud)
{
    rpc_node *n = ud;
    n->ch = ch;
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
    bool created = false;
    wallet_status wst = rpc_demo_wallet_ensure(cfg->data_dir, net, &created);
    if (wst != WALLET_OK)
        smn_warn("cannot create the dev demo wallet: %s", wallet_strerror(wst));
    else if (created)
        smn_info("created the dev demo wallet (empty password) holding the genesis account");

    rpc_config rc = {
        .net = net,
        .data_dir = cfg->data_dir,
        .enable_control = ipc_config_switch(cfg, cfg->rpc_enable_control),
        .node_started_boot_s = node_started_boot_s(),
    };
    /* checked when the config was read: empty or 16 hex digits */
    if (cfg->rpc_work_max_difficulty[0])
        smn_work_parse(cfg->rpc_work_max_difficulty, &rc.work_max_difficulty);
    if (cfg->rpc_wallet_work_difficulty[0])
        smn_work_parse(cfg->rpc_wallet_work_difficulty, &rc.wallet_work_difficulty);
    if (cfg->rpc_receive_minimum[0]) /* checked when the config was read */
        (void)smn_amount_parse_raw(cfg->rpc_receive_minimum, &rc.receive_minimum);
    rc.wallet_kdf = wallet_kdf_interactive();
    if (cfg->rpc_wallet_kdf_ops)
        rc.wallet_kdf.opslimit = cfg->rpc_wallet_kdf_ops;
    if (cfg->rpc_wallet_kdf_mem_kib)
        rc.wallet_kdf.memlimit = (uint64_t)cfg->rpc_wallet_kdf_mem_kib * 1024u;
    if (!wallet_kdf_valid(&rc.wallet_kdf)) {
        smn_error("[rpc] wallet_kdf_ops %u / wallet_kdf_mem_kib %u: Argon2id needs 1..16 passes "
                  "and 8..1048576 KiB",
                  cfg->rpc_wallet_kdf_ops, cfg->rpc_wallet_kdf_mem_kib);
        return -1;
    }
    n->ctx = rpc_ctx_new(&rc);
    if (!n->ctx) {
        smn_error("out of memory");
        return -1;
    }
    rpc_work_pool_opts wo = {.threads = cfg->rpc_work_threads,
                             .queue_max = cfg->rpc_work_queue_max,
                             .per_client_max = cfg->rpc_work_per_client_max};
    n->work = rpc_work_pool_new(ipc_child_base(ch), &wo);
    if (!n->work)
        return -1; /* logged */
    rpc_ctx_set_work_pool(n->ctx, n->work);
    rpc_ctx_set_base(n->ctx, ipc_child_base(ch));
    rpc_work_pool_observe(n->work, rpc_feed_work, NULL);
    rpc_kdf_pool_opts ko = {.threads = cfg->rpc_kdf_threads, .queue_max = cfg->rpc_kdf_queue_max};
    n->kdf = rpc_kdf_pool_new(ipc_child_base(ch), &ko);
    if (!n->kdf)
        return -1; /* logged */
    rpc_ctx_set_kdf_pool(n->ctx, n->kdf);
    smn_info("Argon2id on %u threads, at most %u jobs; new passwords: %llu passes, %llu KiB",
             rpc_kdf_pool_threads(n->kdf), rpc_kdf_pool_queue_max(n->kdf),
             (unsigned long long)rc.wallet_kdf.opslimit,
             (unsigned long long)(rc.wallet_kdf.memlimit / 1024u));
    char maxd[17];
    smn_work_format(rpc_ctx_work_max_difficulty(n->ctx), maxd);
    smn_info("proof of work on %u threads, at most %u jobs (%u per client), difficulty up to %s",
             rpc_work_pool_threads(n->work), cfg->rpc_work_queue_max, cfg->rpc_work_per_client_max,
             maxd);
    bool autorx = ipc_config_switch(cfg, cfg->rpc_auto_receive);
    rpc_ledger_link_opts lo = {
        .on_block_accepted = autorx ? on_block_accepted : NULL,
        .on_subscribed = on_subscribed,
        .user = n,
    };
    n->link = rpc_ledger_link_new(ch, &lo);
    if (!n->link)
        return -1;
    rpc_ctx_set_submit(n->ctx, rpc_ledger_link_submit, n->link);
    n->status = rpc_status_link_new(ch, n->ctx);
    if (!n->status)
        return -1; /* logged */
    n->control_link = rpc_control_link_new(ch);
    if (!n->control_link)
        return -1; /* logged */
    rpc_ctx_set_node_ops(n->ctx, node_op, n);
    if (autorx) {
        n->autorx = rpc_auto_receive_new(ipc_child_base(ch), net, n->link, n->ctx);
        if (!n->autorx) {
            smn_error("out of memory");
            return -1;
        }
        rpc_ctx_set_account_busy(n->ctx, rpc_auto_receive_account_busy, n->autorx);
    }

    n->control = rc.enable_control;
    n->receiving = autorx;
    snprintf(n->addr_path, sizeof n->addr_path, "%s/run/rpc.addr", cfg->data_dir);
    n->listen_retry = evtimer_new(ipc_child_base(ch), on_listen_retry, n);
    if (!n->listen_retry) {
        smn_error("out of memory");
        return -1;
    }
    ipc_child_on_collect(ch, collect, n);
    try_listen(n);
    return 0;
}

void rpc_node_stop(ipc_child *ch, void *ud)
{
    (void)ch;
    rpc_node *n = ud;
    if (n->http && n->addr_path[0])
        unlink(n->addr_path);
    if (n->listen_retry)
        event_free(n->listen_retry);
    /* The server before the context (its answers go to the server), the
     * context before the link (pending calls are answered "Shutting down"),
     * the link before auto-receive (its pending receives finish there),
     * the work pool after everyone who queued work. */
    rpc_http_free(n->http);
    rpc_status_link_free(n->status);        /* writes into the context */
    rpc_control_link_free(n->control_link); /* answers its calls first */
    rpc_ctx_free(n->ctx);
    rpc_ledger_link_free(n->link);
    rpc_auto_receive_free(n->autorx);
    /* last: the context and auto-receive abandoned their jobs */
    rpc_work_pool_free(n->work);
    rpc_kdf_pool_free(n->kdf); /* waits for a derivation still running */
    memset(n, 0, sizeof *n);
}

rpc_node *rpc_node_new(void)
{
    return calloc(1, sizeof(rpc_node));
}

void rpc_node_free(rpc_node *n)
{
    free(n);
}

/* The runtime calls fini only after a successful init: clean up here otherwise. */
int rpc_node_start(ipc_child *ch, void *ud)
{
    int r = setup(ch, ud);
    if (r != 0)
        rpc_node_stop(ch, ud);
    return r;
}
