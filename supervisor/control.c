/* The operator's control socket, DATA_DIR/run/control.sock: node_status,
 * node_restart, node_stop (family ipc_family_admin). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "ipc/schema_admin.h"
#include "ipc/schema_common.h"
#include "ipc/unix_socket.h"
#include "supervisor/supervisor.h"

static void reply_status(sup *s, ipc_conn *c, const ipc_msg *m)
{
    ipc_builder b;
    ipc_build_begin(&b, "node_status_r");
    ipc_put_array_begin(&b, "processes");
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        const sup_child *k = &s->kids[i];
        ipc_put_map_begin(&b, NULL);
        ipc_put_str(&b, "name", k->name);
        /* No pid while no process runs: a 0 would make `kill $pid` signal
         * the caller's own process group. */
        if (k->pid > 0)
            ipc_put_uint(&b, "pid", (uint64_t)k->pid);
        ipc_put_str(&b, "state", ipc_admin_state_name(k->state));
        ipc_put_uint(&b, "restarts", k->restarts);
        ipc_put_uint(&b, "uptime_s", sup_child_uptime_s(k));
        if (k->state == IPC_ADMIN_BACKOFF || k->state == IPC_ADMIN_FAILING)
            ipc_put_uint(&b, "retry_in_ms", sup_child_retry_in_ms(k));
        if (k->last_exit[0])
            ipc_put_str(&b, "last_exit", k->last_exit);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_reply(c, m, &b);
}

static void reply_ok(ipc_conn *c, const ipc_msg *m)
{
    ipc_builder b;
    ipc_build_begin(&b, "ok");
    ipc_reply(c, m, &b);
}

/* May this peer stop or restart the node? The operator may: the same uid
 * as the node, or root, and not one of the node's own processes (a child,
 * or anything in a child's process group). A child may still ask for
 * node_status. The kernel recorded the peer's pid and uid at connect()
 * (SO_PEERCRED), so a child cannot pass itself off as the CLI. */
static bool may_control(sup *s, ipc_conn *c, char *why, size_t cap)
{
    pid_t pid = 0;
    uid_t uid = 0;
    int r = ipc_conn_peer_cred(c, &pid, &uid);
    if (r < 0) {
        snprintf(why, cap, "cannot read the peer's credentials: %s", strerror(-r));
        return false;
    }
    if (uid != 0 && uid != geteuid()) {
        snprintf(why, cap, "uid %lu may not control this node", (unsigned long)uid);
        return false;
    }
    pid_t pg = getpgid(pid);
    for (int i = 0; i < SUP_NCHILDREN; i++) {
        const sup_child *k = &s->kids[i];
        if (k->pid > 0 && (pid == k->pid || pg == k->pid)) {
            snprintf(why, cap, "the %s process (pid %ld) may not stop or restart the node", k->name,
                     (long)pid);
            return false;
        }
    }
    return true;
}

static void on_admin(ipc_conn *c, const ipc_msg *m, void *ud)
{
    sup *s = ud;
    if (!m->id)
        return; /* every admin message is a request */
    char why[160];
    ipc_admin_kind kind = ipc_admin_kind_of(m);
    if ((kind == IPC_ADMIN_K_NODE_RESTART || kind == IPC_ADMIN_K_NODE_STOP) &&
        !may_control(s, c, why, sizeof why)) {
        smn_warn("control socket: refused %s: %s", m->kind->name, why);
        ipc_reply_error(c, m, why);
        return;
    }
    if (kind == IPC_ADMIN_K_NODE_STATUS) {
        reply_status(s, c, m);
    } else if (kind == IPC_ADMIN_K_NODE_RESTART) {
        char name[IPC_NAME_MAX + 1];
        ipc_get_strz(m->body, "name", name, sizeof name);
        sup_child *k = sup_child_by_name(s, name);
        if (!k) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "unknown process '%s' (one of ledger, net, elections, bootstrap, vm, rpc)",
                     name);
            ipc_reply_error(c, m, msg);
        } else if (sup_restart_child(s, k) != 0) {
            ipc_reply_error(c, m, "the node is stopping");
        } else {
            smn_info("restart of %s requested over the control socket", name);
            reply_ok(c, m);
        }
    } else if (kind == IPC_ADMIN_K_NODE_STOP) {
        reply_ok(c, m);
        sup_begin_stop(s, 0, "stop requested over the control socket");
    } else if (ipc_common_kind_of(m) == IPC_COMMON_K_PING) {
        uint64_t seq = 0;
        ipc_get_uint(m->body, "seq", &seq);
        ipc_builder b;
        ipc_build_begin(&b, "pong");
        ipc_put_uint(&b, "seq", seq);
        ipc_put_str(&b, "name", "supervisor");
        ipc_reply(c, m, &b);
    } else {
        ipc_reply_error(c, m, "not a request the control socket serves");
    }
}

int sup_control_open(sup *s)
{
    char path[300];
    int r = ipc_socket_path(s->cfg.data_dir, "control", path, sizeof path);
    if (r == 0)
        r = ipc_unix_listen(path, 16);
    if (r < 0) {
        smn_error("cannot listen on %s/run/control.sock: %s", s->cfg.data_dir, strerror(-r));
        return -1;
    }
    s->admin_fd = r;
    ipc_endpoint_opts o = {
        .family = &ipc_family_admin, .on_message = on_admin, .ud = s, .name = "control"};
    s->admin = ipc_listen_fd(s->base, r, true, &o);
    if (!s->admin) {
        smn_error("cannot serve the control socket: %s", strerror(errno));
        return -1;
    }
    return 0;
}
