#include "ipc/child.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/db_check.h"
#include "common/log.h"
#include "ipc/evlog.h"
#include "ipc/sandbox.h"
#include "ipc/schema_common.h"
#include "ipc/schema_control.h"
#include "ipc/unix_socket.h"

struct ipc_child {
    const ipc_child_opts *o;
    ipc_config cfg;
    struct event_base *base;
    ipc_endpoint *listener;
    ipc_endpoint *control;
    struct event *sigterm, *sigint;
    struct timespec started;
    char detail[IPC_DETAIL_MAX];
    ipc_metrics metrics;
    ipc_child_collect_fn collect;
    void *collect_ud;
    bool ready;
    int exit_status;
};

static uint64_t uptime_ms(const ipc_child *ch)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - ch->started.tv_sec) * 1000 +
           (uint64_t)((now.tv_nsec - ch->started.tv_nsec) / 1000000);
}

static void on_listener_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    ipc_child *ch = ud;
    if (ipc_common_kind_of(m) == IPC_COMMON_K_PING) {
        if (!m->id)
            return;
        uint64_t seq = 0;
        const uint8_t *echo = NULL;
        size_t echo_len = 0;
        ipc_get_uint(m->body, "seq", &seq);
        ipc_builder b;
        ipc_build_begin(&b, "pong");
        ipc_put_uint(&b, "seq", seq);
        if (ipc_get_bin(m->body, "echo", &echo, &echo_len))
            ipc_put_bin(&b, "echo", echo, echo_len);
        ipc_put_str(&b, "name", ch->o->name);
        ipc_put_uint(&b, "pid", (uint64_t)getpid());
        ipc_reply(c, m, &b);
        return;
    }
    if (ch->o->on_message)
        ch->o->on_message(c, m, ch->o->ud);
    else if (m->id)
        ipc_reply_error(c, m, "this process does not serve that request yet");
}

static void on_listener_state(ipc_conn *c, bool up, void *ud)
{
    ipc_child *ch = ud;
    ch->o->on_state(c, up, ch->o->ud);
}

static void on_control_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    ipc_child *ch = ud;
    ipc_builder b;
    ipc_control_kind k = ipc_control_kind_of(m);
    if (k == IPC_CONTROL_K_HEARTBEAT && m->id) {
        uint64_t seq = 0;
        ipc_get_uint(m->body, "seq", &seq);
        ipc_build_begin(&b, "heartbeat_ack");
        ipc_put_uint(&b, "seq", seq);
        if (ch->collect)
            ch->collect(&ch->metrics, ch->collect_ud);
        if (ch->metrics.n)
            ipc_metrics_put(&b, "metrics", &ch->metrics);
        ipc_reply(c, m, &b);
    } else if (k == IPC_CONTROL_K_STATUS && m->id) {
        ipc_build_begin(&b, "status_r");
        ipc_put_str(&b, "name", ch->o->name);
        ipc_put_uint(&b, "pid", (uint64_t)getpid());
        ipc_put_uint(&b, "uptime_ms", uptime_ms(ch));
        if (ch->detail[0])
            ipc_put_str(&b, "detail", ch->detail);
        ipc_reply(c, m, &b);
    } else if (ipc_common_kind_of(m) == IPC_COMMON_K_PING && m->id) {
        uint64_t seq = 0;
        ipc_get_uint(m->body, "seq", &seq);
        ipc_build_begin(&b, "pong");
        ipc_put_uint(&b, "seq", seq);
        ipc_reply(c, m, &b);
    } else if (k == IPC_CONTROL_K_SHUTDOWN) {
        smn_info("shutdown requested by the supervisor");
        ipc_child_stop(ch);
    } else if (m->id) {
        ipc_reply_error(c, m, "unexpected control request");
    }
}

static void on_control_state(ipc_conn *c, bool up, void *ud)
{
    (void)c;
    ipc_child *ch = ud;
    if (!up) {
        /* The supervisor is gone or restarting us: nothing to serve for. */
        smn_warn("supervisor hung up, exiting");
        ipc_child_stop(ch);
    }
}

static void on_signal(evutil_socket_t sig, short what, void *ud)
{
    (void)what;
    ipc_child *ch = ud;
    smn_info("%s received, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    ipc_child_stop(ch);
}

static int env_fd(const char *name)
{
    const char *v = getenv(name);
    if (!v)
        return -1;
    char *end;
    long fd = strtol(v, &end, 10);
    unsetenv(name); /* not for our own children */
    if (*v == '\0' || *end || fd < 3 || fd > 1 << 20)
        return -2;
    return (int)fd;
}

static int parse_args(ipc_child *ch, int argc, char **argv)
{
    char msg[256];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (ipc_config_set_pair(&ch->cfg, argv[++i], msg, sizeof msg) != 0) {
                fprintf(stderr, "error %s: %s\n", ch->o->name, msg);
                return -1;
            }
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            if (strcmp(argv[++i], ch->o->name) != 0) {
                fprintf(stderr, "error %s: started as '%s'\n", ch->o->name, argv[i]);
                return -1;
            }
        } else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: smallnano-%s [--set section.key=value]...\n"
                   "Normally started by smallnanod, which passes the effective configuration.\n",
                   ch->o->name);
            return 1;
        } else {
            fprintf(stderr, "error %s: unknown argument '%s'\n", ch->o->name, argv[i]);
            return -1;
        }
    }
    return 0;
}

static smn_log_level level_of(const char *s)
{
    if (strcmp(s, "debug") == 0)
        return SMN_LOG_DEBUG;
    if (strcmp(s, "warn") == 0)
        return SMN_LOG_WARN;
    if (strcmp(s, "error") == 0)
        return SMN_LOG_ERROR;
    return SMN_LOG_INFO;
}

/* PR_SET_PDEATHSIG fires when the parent dies; if it died before the prctl,
 * we were already reparented, which getppid() reveals. */
static int guard_parent(void)
{
    const char *sp = getenv("SMN_SUPERVISOR_PID");
    if (!sp)
        return 0;
    long want = strtol(sp, NULL, 10);
    unsetenv("SMN_SUPERVISOR_PID");
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        return -1;
    if (getppid() != (pid_t)want)
        return -1;
    return 0;
}

static int open_listener(ipc_child *ch)
{
    int fd = env_fd("SMN_LISTEN_FD");
    if (fd == -2) {
        smn_error("SMN_LISTEN_FD is not a file descriptor number");
        return -1;
    }
    if (fd >= 0) {
        int acc = 0;
        socklen_t len = sizeof acc;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) != 0 || !acc) {
            smn_error("fd %d from SMN_LISTEN_FD is not a listening socket", fd);
            return -1;
        }
    } else {
        char run[300], path[300];
        int r = ipc_run_dir(ch->cfg.data_dir, run, sizeof run);
        if (r == 0)
            r = ipc_socket_path(ch->cfg.data_dir, ch->o->name, path, sizeof path);
        if (r == 0)
            r = fd = ipc_unix_listen(path, 128);
        if (r < 0) {
            smn_error("cannot listen on %s/run/%s.sock: %s", ch->cfg.data_dir, ch->o->name,
                      strerror(-r));
            return -1;
        }
        smn_info("no supervisor: listening on %s", path);
    }
    ipc_endpoint_opts lo = {.family = ch->o->family ? ch->o->family : &ipc_family_common,
                            .on_message = on_listener_message,
                            .on_state = ch->o->on_state ? on_listener_state : NULL,
                            .ud = ch,
                            .name = ch->o->name};
    ch->listener = ipc_listen_fd(ch->base, fd, true, &lo);
    if (!ch->listener) {
        smn_error("cannot serve the listening socket: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return 0;
}

static int open_control(ipc_child *ch)
{
    int fd = env_fd("SMN_CONTROL_FD");
    if (fd == -1)
        return 0; /* standalone */
    if (fd == -2) {
        smn_error("SMN_CONTROL_FD is not a file descriptor number");
        return -1;
    }
    ipc_endpoint_opts co = {.family = &ipc_family_control,
                            .on_message = on_control_message,
                            .on_state = on_control_state,
                            .ud = ch,
                            .name = "control"};
    ch->control = ipc_attach_fd(ch->base, fd, &co);
    if (!ch->control) {
        smn_error("cannot use the control socket: %s", strerror(errno));
        return -1;
    }
    ipc_builder b;
    ipc_build_begin(&b, "hello");
    ipc_put_str(&b, "name", ch->o->name);
    ipc_put_uint(&b, "pid", (uint64_t)getpid());
    ipc_put_str(&b, "version", "0.1.0");
    return ipc_notify(ipc_endpoint_conn(ch->control), &b) == IPC_OK ? 0 : -1;
}

int ipc_child_main(int argc, char **argv, const ipc_child_opts *o)
{
    ipc_child ch = {.o = o, .exit_status = 0};
    clock_gettime(CLOCK_MONOTONIC, &ch.started);
    ipc_config_defaults(&ch.cfg);
    smn_log_init(o->name, SMN_LOG_INFO);
    ipc_evlog_route();
    int pr = parse_args(&ch, argc, argv);
    if (pr != 0)
        return pr > 0 ? 0 : 2;
    smn_log_init(o->name, level_of(ch.cfg.log_level));
    smn_db_check_set_mode((smn_db_check_mode)smn_db_check_parse(ch.cfg.integrity_check));
    const char *crash = getenv("SMN_TEST_CRASH");
    if (crash && strcmp(crash, o->name) == 0) {
        smn_error("exiting at start: SMN_TEST_CRASH=%s", crash);
        return 3;
    }
    if (guard_parent() != 0) {
        smn_error("supervisor already gone, exiting");
        return 1;
    }
    if (!ch.cfg.data_dir[0]) {
        smn_error("no data directory (pass --set node.data_dir=DIR)");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    umask(077); /* databases, keys, state files: 0600 whatever the caller's umask */
    ch.base = event_base_new();
    if (!ch.base) {
        smn_error("cannot create the event loop");
        return 1;
    }
    ch.sigterm = evsignal_new(ch.base, SIGTERM, on_signal, &ch);
    ch.sigint = evsignal_new(ch.base, SIGINT, on_signal, &ch);
    int status = 1;
    if (!ch.sigterm || !ch.sigint || evsignal_add(ch.sigterm, NULL) != 0 ||
        evsignal_add(ch.sigint, NULL) != 0) {
        smn_error("cannot watch signals");
        goto out;
    }
    if (open_control(&ch) != 0 || open_listener(&ch) != 0)
        goto out;
    int ir = o->init ? o->init(&ch, o->ud) : 0;
    if (ir != 0) {
        smn_error("initialisation failed");
        if (ir == IPC_CHILD_EXIT_UNSAFE)
            status = IPC_CHILD_EXIT_UNSAFE;
        goto out;
    }
    /* Everything the process needs is open: from here on it keeps only
     * what its role needs (ipc/sandbox.h). */
    char why[300];
    if (ipc_sandbox_apply(o->name, &ch.cfg, why, sizeof why) != 0) {
        smn_error("%s", why);
        goto out;
    }
    if (!o->manual_ready)
        ipc_child_ready(&ch);
    event_base_dispatch(ch.base);
    status = ch.exit_status;
    if (o->fini)
        o->fini(&ch, o->ud);
out:
    ipc_endpoint_free(ch.listener);
    ipc_endpoint_free(ch.control);
    if (ch.sigterm)
        event_free(ch.sigterm);
    if (ch.sigint)
        event_free(ch.sigint);
    event_base_free(ch.base);
    smn_log_flush();
    return status;
}

struct event_base *ipc_child_base(ipc_child *ch)
{
    return ch->base;
}

const ipc_config *ipc_child_config(const ipc_child *ch)
{
    return &ch->cfg;
}

const char *ipc_child_name(const ipc_child *ch)
{
    return ch->o->name;
}

ipc_endpoint *ipc_child_listener(ipc_child *ch)
{
    return ch->listener;
}

void ipc_child_ready(ipc_child *ch)
{
    if (ch->ready)
        return;
    ch->ready = true;
    smn_info("ready");
    if (!ch->control)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "ready");
    ipc_put_str(&b, "name", ch->o->name);
    ipc_notify(ipc_endpoint_conn(ch->control), &b);
}

void ipc_child_set_detail(ipc_child *ch, const char *detail)
{
    snprintf(ch->detail, sizeof ch->detail, "%s", detail ? detail : "");
}

ipc_metrics *ipc_child_metrics(ipc_child *ch)
{
    return &ch->metrics;
}

void ipc_child_on_collect(ipc_child *ch, ipc_child_collect_fn collect, void *ud)
{
    ch->collect = collect;
    ch->collect_ud = ud;
}

typedef struct {
    ipc_child_text_cb cb;
    void *ud;
} text_req;

static void on_metrics_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    text_req *r = ud;
    const char *text = NULL;
    size_t len = 0;
    if (st == IPC_OK && !(ipc_control_kind_of(reply) == IPC_CONTROL_K_METRICS_R &&
                          ipc_get_str(reply->body, "text", &text, &len)))
        st = IPC_E_INVALID;
    r->cb(r->ud, st, text, len);
    free(r);
}

void ipc_child_node_metrics(ipc_child *ch, uint32_t timeout_ms, ipc_child_text_cb cb, void *ud)
{
    text_req *r = malloc(sizeof *r);
    ipc_conn *c = ch->control ? ipc_endpoint_conn(ch->control) : NULL;
    if (!r || !c) {
        free(r);
        cb(ud, r ? IPC_E_CLOSED : IPC_E_NOMEM, NULL, 0);
        return;
    }
    *r = (text_req){cb, ud};
    ipc_builder b;
    ipc_build_begin(&b, "metrics");
    ipc_status st = ipc_request(c, &b, timeout_ms, on_metrics_reply, r);
    if (st != IPC_OK) {
        free(r);
        cb(ud, st, NULL, 0);
    }
}

ipc_status ipc_child_request_supervisor(ipc_child *ch, ipc_builder *b, uint32_t timeout_ms,
                                        ipc_on_reply cb, void *ud)
{
    ipc_conn *c = ch->control ? ipc_endpoint_conn(ch->control) : NULL;
    if (!c) {
        ipc_build_free(b);
        return IPC_E_CLOSED;
    }
    return ipc_request(c, b, timeout_ms, cb, ud);
}

void ipc_child_stop(ipc_child *ch)
{
    event_base_loopbreak(ch->base);
}

ipc_endpoint *ipc_child_connect(ipc_child *ch, const char *peer, const ipc_endpoint_opts *o)
{
    char path[300];
    if (ipc_socket_path(ch->cfg.data_dir, peer, path, sizeof path) != 0) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return ipc_connect(ch->base, path, o);
}
