#include "supervisor/supervisor.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/network.h"
#include "ipc/child.h"
#include "ipc/schema_common.h"
#include "ipc/schema_control.h"
#include "ipc/tcp_socket.h"
#include "ipc/unix_socket.h"
#include "supervisor/private_files.h"
#include "supervisor/privdrop.h"
#include "supervisor/sd_notify.h"
#include "supervisor/spawn.h"
#include "supervisor/wal_tidy.h"

/* Start order: the ledger first, rpc last; shutdown runs it backwards so
 * the ledger, the single writer of the ledger DB, stops after everything
 * that feeds it. */
static const char *const child_names[SUP_NCHILDREN] = {"ledger", "net", "elections", "bootstrap",
                                                       "vm",     "rpc", "ws"};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct timeval tv_ms(uint64_t ms)
{
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
    return tv;
}

sup_child *sup_child_by_name(sup *s, const char *name)
{
    for (int i = 0; i < SUP_NCHILDREN; i++)
        if (strcmp(s->kids[i].name, name) == 0)
            return &s->kids[i];
    return NULL;
}

uint64_t sup_child_uptime_s(const sup_child *k)
{
    if (k->pid <= 0)
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - k->started.tv_sec);
}

static uint64_t started_ms(const sup_child *k)
{
    return (uint64_t)k->started.tv_sec * 1000 + (uint64_t)k->started.tv_nsec / 1000000;
}

uint64_t sup_child_retry_in_ms(const sup_child *k)
{
    if (k->state != IPC_ADMIN_BACKOFF && k->state != IPC_ADMIN_FAILING)
        return 0;
    uint64_t now = now_ms();
    return k->next_start_ms > now ? k->next_start_ms - now : 0;
}

/* STATUS= for systemd and READY=1 the first time every child is running.
 * Failing children are named: "6/7 processes running; failing: rpc (7 restarts)". */
static void update_status(sup *s)
{
    int running = 0;
    for (int i = 0; i < SUP_NCHILDREN; i++)
        running += s->kids[i].state == IPC_ADMIN_RUNNING;
    char line[sizeof s->status_line];
    int n;
    if (s->stopping)
        n = snprintf(line, sizeof line, "stopping: %d/%d processes running", running,
                     SUP_NCHILDREN);
    else
        n = snprintf(line, sizeof line, "%d/%d processes running", running, SUP_NCHILDREN);
    const char *sep = "; failing: ";
    for (int i = 0; i < SUP_NCHILDREN && !s->stopping; i++) {
        const sup_child *k = &s->kids[i];
        if (k->state != IPC_ADMIN_FAILING || n < 0 || (size_t)n >= sizeof line)
            continue;
        n += snprintf(line + n, sizeof line - (size_t)n, "%s%s (%u restarts)", sep, k->name,
                      k->restarts);
        sep = ", ";
    }
    bool ready_now = !s->stopping && !s->ready_sent && running == SUP_NCHILDREN;
    if (!ready_now && strcmp(line, s->status_line) == 0)
        return;
    snprintf(s->status_line, sizeof s->status_line, "%s", line);
    char msg[sizeof s->status_line + 32];
    snprintf(msg, sizeof msg, "%sSTATUS=%s", ready_now ? "READY=1\n" : "", line);
    if (ready_now) {
        s->ready_sent = true;
        smn_info("all %d processes ready", SUP_NCHILDREN);
    }
    int r = sup_sd_notify(msg);
    if (r < 0)
        smn_warn("sd_notify failed: %s", strerror(-r));
}

static void on_hb_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    sup_child *k = ud;
    k->hb_outstanding = false;
    k->hb_ok = st == IPC_OK;
    const ipc_obj *mt = st == IPC_OK && reply ? ipc_get_array(reply->body, "metrics") : NULL;
    if (mt) {
        if (!k->metrics)
            k->metrics = calloc(1, sizeof *k->metrics);
        if (k->metrics)
            ipc_metrics_get(mt, k->metrics);
    }
    /* A starting child's init (opening, checking or migrating its
     * database) holds its loop: it has start_timeout_ms, and a full
     * integrity check at open ([node] integrity_check = full) as long as it
     * takes. */
    bool checking =
        k->state == IPC_ADMIN_STARTING && (strcmp(k->s->cfg.integrity_check, "full") == 0 ||
                                           now_ms() - started_ms(k) < k->s->cfg.start_timeout_ms);
    if (st == IPC_E_TIMEOUT && k->pid > 0 && !k->s->stopping && !checking) {
        smn_warn("%s (pid %ld) did not answer a heartbeat within %u ms, killing it", k->name,
                 (long)k->pid, k->s->cfg.heartbeat_timeout_ms);
        kill(k->pid, SIGKILL);
    }
}

static void send_heartbeat(sup_child *k)
{
    ipc_conn *c = ipc_endpoint_conn(k->ctl);
    if (!c || k->hb_outstanding)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "heartbeat");
    ipc_put_uint(&b, "seq", ++k->hb_seq);
    if (ipc_request(c, &b, k->s->cfg.heartbeat_timeout_ms, on_hb_reply, k) == IPC_OK)
        k->hb_outstanding = true;
}

static void on_hb_timer(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    sup *s = ud;
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        sup_child *k = &s->kids[i];
        if (k->pid <= 0 || k->state == IPC_ADMIN_STOPPING)
            continue;
        /* Still waiting when the next one is due: the child has not answered
         * its last heartbeat, so the watchdog pauses until it does (or until
         * heartbeat_timeout_ms, when it is killed as hung). */
        if (k->hb_outstanding)
            k->hb_ok = false;
        else
            send_heartbeat(k);
    }
}

static void on_wd_timer(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    sup *s = ud;
    uint64_t now = now_ms();
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        const sup_child *k = &s->kids[i];
        /* A dead child is the supervisor's business (it is being restarted,
         * with backoff if it keeps failing): withholding the watchdog for it
         * would let systemd kill the whole node over one failing child. A
         * child just started gets heartbeat_timeout_ms to answer (or be
         * killed as hung). */
        if (k->pid <= 0 || k->state == IPC_ADMIN_STOPPING)
            continue;
        if (k->state == IPC_ADMIN_STARTING && now - started_ms(k) < s->cfg.start_timeout_ms)
            continue;
        if (k->state == IPC_ADMIN_STARTING && strcmp(s->cfg.integrity_check, "full") == 0)
            continue; /* a full check at open takes as long as it takes */
        if (!k->hb_ok) {
            smn_debug("withholding WATCHDOG=1: %s has not answered its last heartbeat", k->name);
            return;
        }
    }
    sup_sd_notify("WATCHDOG=1");
}

static void start_child(sup_child *k);

/* At start each child waits for the one before it to be ready (or to have
 * died trying): the sandboxes name the databases by their files, so the
 * ledger's (and the vm's) must exist, with their -wal and -shm, before a
 * reader's sandbox is made. */
static void advance_start(sup *s, const sup_child *k)
{
    if (s->stopping || s->start_next == 0 || s->start_next >= SUP_NCHILDREN ||
        k != &s->kids[s->start_next - 1])
        return;
    start_child(&s->kids[s->start_next++]);
}

static void on_ctl_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    sup_child *k = ud;
    char name[IPC_NAME_MAX + 1] = "";
    ipc_get_strz(m->body, "name", name, sizeof name);
    ipc_control_kind kind = ipc_control_kind_of(m);
    if (kind == IPC_CONTROL_K_HELLO) {
        if (strcmp(name, k->name) != 0) /* wire: free text (a process name, only logged) */
            smn_warn("child started as %s says it is '%s'", k->name, name);
        smn_debug("%s (pid %ld) connected", k->name, (long)k->pid);
    } else if (kind == IPC_CONTROL_K_READY) {
        if (k->state == IPC_ADMIN_STARTING) {
            k->state = IPC_ADMIN_RUNNING;
            smn_info("%s (pid %ld) ready", k->name, (long)k->pid);
            send_heartbeat(k);
            update_status(k->s);
            advance_start(k->s, k);
        }
    } else if (kind == IPC_CONTROL_K_STOP_NODE && m->id) {
        /* The RPC `stop` action (Nano's). Other children, or rpc without
         * control actions enabled, cannot stop the node. */
        sup *s = k->s;
        if (strcmp(k->name, "rpc") != 0 || !ipc_config_switch(&s->cfg, s->cfg.rpc_enable_control)) {
            smn_warn("%s asked to stop the node: refused (only rpc, with [rpc] enable_control)",
                     k->name);
            ipc_reply_error(c, m, "only rpc with [rpc] enable_control may stop the node");
        } else {
            ipc_builder b;
            ipc_build_begin(&b, "ok");
            ipc_reply(c, m, &b);
            sup_begin_stop(s, 0, "stop requested by the RPC stop action");
        }
    } else if (kind == IPC_CONTROL_K_METRICS && m->id) {
        ipc_text t = {0};
        sup_metrics_render(k->s, &t);
        if (t.failed) {
            ipc_reply_error(c, m, "metrics: out of memory or above the size limit");
        } else {
            ipc_builder b;
            ipc_build_begin(&b, "metrics_r");
            ipc_put_strn(&b, "text", t.p ? t.p : "", t.len);
            ipc_reply(c, m, &b);
        }
        ipc_text_free(&t);
    } else if (m->id) {
        ipc_reply_error(c, m, "the supervisor does not serve that request");
    }
}

/* A child died (or could not be started) after a run of uptime_ms: extend
 * its streak and schedule the restart with its backoff. Never stops the
 * node: a child that keeps failing is reported ("failing": log, STATUS=,
 * node status) and retried at the capped pace while the others run. */
static void schedule_restart(sup_child *k, uint64_t uptime_ms)
{
    sup *s = k->s;
    uint64_t now = now_ms();
    bool was_failing = sup_history_failing(&k->hist, &s->policy);
    uint32_t streak = sup_history_record(&k->hist, &s->policy, now, uptime_ms);
    uint32_t delay = sup_backoff_ms(&k->hist, &s->policy);
    bool failing = sup_history_failing(&k->hist, &s->policy);
    k->state = failing ? IPC_ADMIN_FAILING : IPC_ADMIN_BACKOFF;
    k->restarts++;
    k->next_start_ms = now + delay;
    struct timeval tv = tv_ms(delay);
    evtimer_add(k->restart_timer, &tv);
    if (failing && !was_failing) {
        uint64_t secs = (now - k->hist.first_ms + 999) / 1000;
        smn_error("%s failed %u times in a row within %llu s; restarting it in %u ms (backoff "
                  "up to %u ms) while the other processes run",
                  k->name, streak, (unsigned long long)(secs ? secs : 1), delay, s->policy.max_ms);
    } else if (failing) {
        smn_warn("%s still failing (%u times in a row), restarting it in %u ms", k->name, streak,
                 delay);
    } else {
        smn_info("restarting %s in %u ms", k->name, delay);
    }
    update_status(s);
}

static void on_restart_timer(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    sup_child *k = ud;
    if (!k->s->stopping && (k->state == IPC_ADMIN_BACKOFF || k->state == IPC_ADMIN_FAILING))
        start_child(k);
}

static void on_kill_timer(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    sup_child *k = ud;
    if (k->pid > 0) {
        smn_warn("%s (pid %ld) did not stop within %u s, killing it", k->name, (long)k->pid,
                 k->s->cfg.shutdown_timeout_s);
        kill(k->pid, SIGKILL);
    }
}

static void start_child(sup_child *k)
{
    sup *s = k->s;
    int sp[2];
    char **pairs = NULL;
    size_t np = 0;
    char **args = NULL, **argv = NULL;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
        smn_error("socketpair for %s: %s", k->name, strerror(errno));
        goto fail;
    }
    pairs = calloc(ipc_config_nkeys(), sizeof *pairs);
    if (pairs)
        np = ipc_config_pairs(&s->cfg, pairs, ipc_config_nkeys());
    args = calloc(2 * np + 3, sizeof *args);
    argv = calloc(s->wrap.n + 2 * np + 4, sizeof *argv);
    if (!pairs || !args || !argv) {
        close(sp[0]);
        close(sp[1]);
        goto fail;
    }
    size_t a = 0;
    args[a++] = k->exe;
    args[a++] = "--name";
    args[a++] = (char *)k->name;
    for (size_t i = 0; i < np; i++) {
        args[a++] = "--set";
        args[a++] = pairs[i];
    }
    const char *path = sup_exec_wrapper_argv(&s->wrap, args, a, argv);
    pid_t pid = sup_spawn(path, argv, k->listen_fd, sp[1], k->peer_fd);
    close(sp[1]);
    if (pid < 0) {
        smn_error("cannot start %s: %s", k->name, strerror((int)-pid));
        close(sp[0]);
        goto fail;
    }
    k->pid = pid;
    k->state = IPC_ADMIN_STARTING;
    clock_gettime(CLOCK_MONOTONIC, &k->started);
    k->hb_ok = false;
    k->hb_outstanding = false;
    ipc_endpoint_opts o = {
        .family = &ipc_family_control, .on_message = on_ctl_message, .ud = k, .name = k->name};
    k->ctl = ipc_attach_fd(s->base, sp[0], &o);
    if (!k->ctl)
        smn_warn("no control channel to %s: %s", k->name, strerror(errno));
    smn_info("started %s (pid %ld)", k->name, (long)pid);
    free(args);
    free(argv);
    ipc_config_free_pairs(pairs, np);
    free(pairs);
    update_status(s);
    return;
fail:
    free(args);
    free(argv);
    ipc_config_free_pairs(pairs, np);
    free(pairs);
    /* Like a crash of a run of 0 ms: retried with growing backoff. */
    schedule_restart(k, 0);
    advance_start(s, k);
}

static void stop_next(sup *s)
{
    for (int i = SUP_NCHILDREN - 1; i >= 0; i--) {
        sup_child *k = &s->kids[i];
        if (k->pid <= 0)
            continue;
        if (k->state != IPC_ADMIN_STOPPING) {
            k->state = IPC_ADMIN_STOPPING;
            ipc_builder b;
            ipc_build_begin(&b, "shutdown");
            ipc_put_str(&b, "reason", "node stopping");
            ipc_notify(ipc_endpoint_conn(k->ctl), &b);
            kill(k->pid, SIGTERM);
            struct timeval tv = tv_ms((uint64_t)s->cfg.shutdown_timeout_s * 1000);
            evtimer_add(k->kill_timer, &tv);
        }
        return; /* one at a time, in reverse start order */
    }
    event_base_loopbreak(s->base);
}

void sup_begin_stop(sup *s, int exit_code, const char *why)
{
    if (exit_code > s->exit_code)
        s->exit_code = exit_code;
    if (s->stopping)
        return;
    s->stopping = true;
    smn_info("stopping: %s", why);
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        sup_child *k = &s->kids[i];
        evtimer_del(k->restart_timer);
        if (k->pid <= 0)
            k->state = IPC_ADMIN_STOPPED;
    }
    sup_sd_notify("STOPPING=1");
    update_status(s);
    stop_next(s);
}

int sup_restart_child(sup *s, sup_child *k)
{
    if (s->stopping)
        return -1;
    /* The operator asked: start the streak (and its backoff) afresh. */
    sup_history_reset(&k->hist);
    if (k->pid > 0) {
        if (k->state != IPC_ADMIN_STOPPING) {
            k->restart_requested = true;
            k->state = IPC_ADMIN_STOPPING;
            kill(k->pid, SIGTERM);
            struct timeval tv = tv_ms((uint64_t)s->cfg.shutdown_timeout_s * 1000);
            evtimer_add(k->kill_timer, &tv);
        }
    } else {
        evtimer_del(k->restart_timer);
        k->restarts++;
        start_child(k);
    }
    return 0;
}

static void describe_exit(int ws, char *buf, size_t cap)
{
    if (WIFEXITED(ws))
        snprintf(buf, cap, "exited with status %d", WEXITSTATUS(ws));
    else if (WIFSIGNALED(ws))
        snprintf(buf, cap, "was killed by signal %d (%s)", WTERMSIG(ws), strsignal(WTERMSIG(ws)));
    else
        snprintf(buf, cap, "ended (wait status %d)", ws);
}

static void child_exited(sup_child *k, int ws)
{
    sup *s = k->s;
    pid_t pid = k->pid;
    k->pid = 0;
    evtimer_del(k->kill_timer);
    ipc_endpoint_free(k->ctl); /* closes our end of the socketpair */
    k->ctl = NULL;
    if (k->metrics)
        k->metrics->n = 0; /* the next process starts its counters afresh */
    k->hb_ok = false;
    k->hb_outstanding = false;
    char how[sizeof k->last_exit];
    describe_exit(ws, how, sizeof how);
    snprintf(k->last_exit, sizeof k->last_exit, "%s", how);
    uint64_t uptime = now_ms() - started_ms(k);
    if (s->stopping) {
        k->state = IPC_ADMIN_STOPPED;
        smn_info("%s (pid %ld) %s", k->name, (long)pid, how);
        update_status(s);
        stop_next(s);
        return;
    }
    if (k->restart_requested) {
        k->restart_requested = false;
        smn_info("%s (pid %ld) %s; restarting on request", k->name, (long)pid, how);
        k->restarts++;
        start_child(k);
        return;
    }
    if (k->unsafe_exit_stops && WIFEXITED(ws) && WEXITSTATUS(ws) == IPC_CHILD_EXIT_UNSAFE) {
        /* Restarting cannot help (another network's or a newer data dir,
         * an unreadable file), and a node without its ledger must not look
         * alive: stop, with a status systemd sees as a failure. */
        smn_error("%s (pid %ld) %s: its database cannot be opened, the node cannot run "
                  "safely without it",
                  k->name, (long)pid, how);
        k->state = IPC_ADMIN_STOPPED;
        char why[96];
        snprintf(why, sizeof why, "the %s process cannot open its database", k->name);
        sup_begin_stop(s, 1, why);
        return;
    }
    smn_warn("%s (pid %ld) %s", k->name, (long)pid, how);
    schedule_restart(k, uptime);
    advance_start(s, k);
}

static void on_sigchld(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    sup *s = ud;
    for (;;) {
        int ws;
        pid_t pid = waitpid(-1, &ws, WNOHANG);
        if (pid <= 0)
            break;
        sup_child *k = NULL;
        for (int i = 0; i < SUP_NCHILDREN; i++)
            if (s->kids[i].pid == pid)
                k = &s->kids[i];
        if (k)
            child_exited(k, ws);
    }
}

static void on_stop_signal(evutil_socket_t sig, short what, void *ud)
{
    (void)what;
    sup_begin_stop(ud, 0, sig == SIGTERM ? "SIGTERM received" : "SIGINT received");
}

static int lock_data_dir(sup *s, const char *run_dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/smallnanod.lock", run_dir);
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->lock_fd < 0) {
        smn_error("cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            smn_error("another smallnanod is already running with data directory %s",
                      s->cfg.data_dir);
        else
            smn_error("cannot lock %s: %s", path, strerror(errno));
        return -1;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(s->lock_fd, 0) != 0 || write(s->lock_fd, pid, (size_t)n) != n)
        smn_warn("cannot record the pid in %s", path);
    return 0;
}

/* The peering port, bound once like the Unix sockets so a peer's connect()
 * still lands while the net process restarts. Not fatal: without it the net
 * process binds the port itself (and retries while it is taken), so a port
 * conflict costs inbound peers, not the node. */
static void bind_peering(sup *s)
{
    sup_child *k = sup_child_by_name(s, "net");
    const smn_network *net = smn_network_by_name(s->cfg.network);
    if (!k || !net)
        return;
    const char *addr = ipc_peering_address(s->cfg.net_address, s->cfg.network);
    uint16_t port = s->cfg.net_port ? (uint16_t)s->cfg.net_port : net->peering_port;
    int r = ipc_tcp_listen(addr, port, 128);
    if (r < 0) {
        smn_error("cannot listen for peers on %s port %u: %s (the net process will retry)", addr,
                  (unsigned)port, strerror(-r));
        return;
    }
    k->peer_fd = r;
    smn_info("listening for peers on %s port %u", addr, (unsigned)port);
}

int sup_init(sup *s, const ipc_config *cfg)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->lock_fd = s->admin_fd = -1;
    s->policy = (sup_policy){.max_restarts = cfg->max_restarts,
                             .window_ms = cfg->max_restart_window_s * 1000,
                             .base_ms = cfg->restart_backoff_ms,
                             .max_ms = cfg->restart_backoff_max_ms};
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        s->kids[i].s = s;
        s->kids[i].name = child_names[i];
        s->kids[i].listen_fd = -1;
        s->kids[i].peer_fd = -1;
        s->kids[i].state = IPC_ADMIN_STOPPED;
        /* The two writers: a database they cannot open safely (another
         * network's, a newer schema, a corrupted file) stops the node. */
        s->kids[i].unsafe_exit_stops =
            strcmp(child_names[i], "ledger") == 0 || strcmp(child_names[i], "vm") == 0;
    }
    signal(SIGPIPE, SIG_IGN);
    /* Every file the node creates is private (0600 files, 0700 dirs)
     * whatever the caller's umask; existing ones are tightened. */
    umask(077);
    char why[4400];
    if (sup_drop_privileges(cfg, why, sizeof why) != 0) {
        smn_error("%s", why);
        return -1;
    }
    if (sup_private_files(cfg->data_dir, geteuid(), why, sizeof why) < 0) {
        smn_error("%s", why);
        return -1;
    }
    char run[4096];
    int r = ipc_run_dir(cfg->data_dir, run, sizeof run);
    if (r != 0) {
        smn_error("cannot create %s/run: %s", cfg->data_dir, strerror(-r));
        return -1;
    }
    if (lock_data_dir(s, run) != 0)
        return -1;
    if (sup_exec_wrapper_init(&s->wrap, cfg->sup_exec_wrapper, why, sizeof why) != 0) {
        smn_error("%s", why);
        return -1;
    }
    if (s->wrap.n)
        smn_info("children run through %s (%s)", cfg->sup_exec_wrapper, s->wrap.path);
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        sup_child *k = &s->kids[i];
        char tried[2048];
        if (sup_find_exe(k->name, k->exe, sizeof k->exe, tried, sizeof tried) != 0) {
            smn_error("cannot find smallnano-%s (looked for %s); set SMN_LIBEXEC_DIR", k->name,
                      tried);
            return -1;
        }
        char path[300];
        r = ipc_socket_path(cfg->data_dir, k->name, path, sizeof path);
        if (r == 0)
            r = ipc_unix_listen(path, 128);
        if (r < 0) {
            smn_error("cannot listen on %s/run/%s.sock: %s", cfg->data_dir, k->name, strerror(-r));
            return -1;
        }
        k->listen_fd = r;
    }
    bind_peering(s);
    s->base = event_base_new();
    if (!s->base) {
        smn_error("cannot create the event loop");
        return -1;
    }
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        s->kids[i].restart_timer = evtimer_new(s->base, on_restart_timer, &s->kids[i]);
        s->kids[i].kill_timer = evtimer_new(s->base, on_kill_timer, &s->kids[i]);
        if (!s->kids[i].restart_timer || !s->kids[i].kill_timer)
            return -1;
    }
    s->sigchld = evsignal_new(s->base, SIGCHLD, on_sigchld, s);
    s->sigterm = evsignal_new(s->base, SIGTERM, on_stop_signal, s);
    s->sigint = evsignal_new(s->base, SIGINT, on_stop_signal, s);
    s->hb_timer = event_new(s->base, -1, EV_PERSIST, on_hb_timer, s);
    if (!s->sigchld || !s->sigterm || !s->sigint || !s->hb_timer ||
        evsignal_add(s->sigchld, NULL) || evsignal_add(s->sigterm, NULL) ||
        evsignal_add(s->sigint, NULL)) {
        smn_error("cannot watch signals");
        return -1;
    }
    struct timeval hb = tv_ms(cfg->heartbeat_interval_ms);
    evtimer_add(s->hb_timer, &hb);
    uint64_t wd = sup_sd_watchdog_usec();
    if (wd) {
        s->wd_timer = event_new(s->base, -1, EV_PERSIST, on_wd_timer, s);
        struct timeval half = {(time_t)(wd / 2 / 1000000), (suseconds_t)(wd / 2 % 1000000)};
        if (!s->wd_timer || evtimer_add(s->wd_timer, &half) != 0)
            return -1;
    }
    if (sup_control_open(s) != 0)
        return -1;
    return 0;
}

int sup_run(sup *s)
{
    smn_info("starting %d processes (network %s, data dir %s)", SUP_NCHILDREN, s->cfg.network,
             s->cfg.data_dir);
    s->start_next = 1;
    start_child(&s->kids[0]); /* the others follow, each once the one before is ready */
    event_base_dispatch(s->base);
    /* The loop ends once stop_next() found nobody left; make sure of it. */
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        sup_child *k = &s->kids[i];
        if (k->pid > 0) {
            kill(k->pid, SIGKILL);
            int ws;
            waitpid(k->pid, &ws, 0);
            k->pid = 0;
        }
    }
    /* Every child is gone: no connection is left to the databases. */
    sup_wal_tidy(s->cfg.data_dir);
    smn_info("stopped");
    return s->exit_code;
}

void sup_free(sup *s)
{
    ipc_endpoint_free(s->admin);
    s->admin = NULL;
    char path[300];
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        sup_child *k = &s->kids[i];
        ipc_endpoint_free(k->ctl);
        free(k->metrics);
        k->metrics = NULL;
        if (k->restart_timer)
            event_free(k->restart_timer);
        if (k->kill_timer)
            event_free(k->kill_timer);
        if (k->peer_fd >= 0)
            close(k->peer_fd);
        if (k->listen_fd >= 0) {
            close(k->listen_fd);
            if (ipc_socket_path(s->cfg.data_dir, k->name, path, sizeof path) == 0)
                unlink(path);
        }
    }
    if (s->admin_fd >= 0 && ipc_socket_path(s->cfg.data_dir, "control", path, sizeof path) == 0)
        unlink(path);
    struct event *evs[] = {s->sigchld, s->sigterm, s->sigint, s->hb_timer, s->wd_timer};
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
        if (evs[i])
            event_free(evs[i]);
    if (s->base)
        event_base_free(s->base);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
}
