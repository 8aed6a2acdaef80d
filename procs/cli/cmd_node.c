/* node status [--json] | node restart <name> | node stop: the operator's
 * window into a running node, over DATA_DIR/run/control.sock. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/schema_admin.h"
#include "ipc/sync_client.h"
#include "ipc/unix_socket.h"
#include "procs/cli/cli.h"

#define CALL_TIMEOUT_MS 5000
/* Six children stopped one after another, each within its deadline. */
#define STOP_WAIT_MS 120000

static int connect_node(const cli_ctx *ctx, ipc_sync *s)
{
    char path[300];
    if (ipc_socket_path(ctx->data_dir, "control", path, sizeof path) != 0) {
        cli_err("data directory path too long: %s\n", ctx->data_dir);
        return 2;
    }
    ipc_error err;
    if (ipc_sync_connect(s, path, &ipc_family_admin, &err) != IPC_OK) {
        if (errno == ENOENT || errno == ECONNREFUSED)
            cli_err("no node running with data directory %s (%s)\n", ctx->data_dir, err.detail);
        else
            cli_err("%s\n", err.detail);
        return 1;
    }
    return 0;
}

/* One request; prints the error and returns non-zero unless the reply is ok. */
static int call(ipc_sync *s, ipc_builder *b, ipc_msg *reply)
{
    ipc_error err;
    ipc_status st = ipc_sync_call(s, b, CALL_TIMEOUT_MS, reply, &err);
    if (st == IPC_OK)
        return 0;
    if (st == IPC_E_REMOTE) {
        char msg[1025] = "";
        ipc_get_strz(reply->body, "message", msg, sizeof msg);
        cli_err("%s\n", msg);
        ipc_msg_free(reply);
    } else if (st == IPC_E_TIMEOUT || st == IPC_E_CLOSED || st == IPC_E_IO) {
        cli_err("the node did not answer: %s\n", err.detail);
    } else {
        cli_err("%s\n", err.detail);
    }
    return 1;
}

static int print_status(const ipc_msg *m, bool json)
{
    const ipc_obj *procs = ipc_get_array(m->body, "processes");
    size_t n = ipc_array_len(procs);
    json_t *arr = json ? json_array() : NULL;
    if (!json)
        printf("%-10s %8s  %-9s %8s %10s\n", "NAME", "PID", "STATE", "RESTARTS", "UPTIME_S");
    for (size_t i = 0; i < n; i++) {
        const ipc_obj *p = ipc_array_at(procs, i);
        char name[IPC_NAME_MAX + 1] = "", state[17] = "", last_exit[96] = "";
        uint64_t pid = 0, restarts = 0, up = 0, retry = 0;
        ipc_get_strz(p, "name", name, sizeof name);
        ipc_get_strz(p, "state", state, sizeof state);
        /* No pid while the process is down (backoff, failing, stopped). */
        bool has_pid = ipc_get_uint(p, "pid", &pid) && pid > 0;
        ipc_get_uint(p, "restarts", &restarts);
        ipc_get_uint(p, "uptime_s", &up);
        bool has_retry = ipc_get_uint(p, "retry_in_ms", &retry);
        ipc_get_strz(p, "last_exit", last_exit, sizeof last_exit);
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(name));
            json_object_set_new(o, "pid", has_pid ? json_integer((json_int_t)pid) : json_null());
            json_object_set_new(o, "state", json_string(state));
            json_object_set_new(o, "restarts", json_integer((json_int_t)restarts));
            json_object_set_new(o, "uptime_s", json_integer((json_int_t)up));
            if (has_retry)
                json_object_set_new(o, "retry_in_ms", json_integer((json_int_t)retry));
            if (last_exit[0])
                json_object_set_new(o, "last_exit", json_string(last_exit));
            json_array_append_new(arr, o);
        } else {
            char pidbuf[24] = "-";
            if (has_pid)
                snprintf(pidbuf, sizeof pidbuf, "%" PRIu64, pid);
            printf("%-10s %8s  %-9s %8" PRIu64 " %10" PRIu64, name, pidbuf, state, restarts, up);
            if (has_retry)
                printf("  next start in %" PRIu64 ".%01" PRIu64 " s", retry / 1000,
                       retry % 1000 / 100);
            if (has_retry && last_exit[0])
                printf(" (last %s)", last_exit);
            putchar('\n');
        }
    }
    if (json) {
        json_t *root = json_object();
        json_object_set_new(root, "processes", arr);
        char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(root);
        if (!s) {
            cli_err("%s", "out of memory\n");
            return 1;
        }
        puts(s);
        free(s);
    }
    return 0;
}

int cli_cmd_node(const cli_ctx *ctx, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    bool status = strcmp(sub, "status") == 0, restart = strcmp(sub, "restart") == 0,
         stop = strcmp(sub, "stop") == 0;
    if (!status && !restart && !stop) {
        cli_err("usage: node status [--json] | node restart <name> | node stop\n");
        return 2;
    }
    if (restart && (argc < 3 || argv[2][0] == '-')) {
        cli_err("usage: node restart <name>\n");
        return 2;
    }
    if (restart && (strlen(argv[2]) > IPC_NAME_MAX || !argv[2][0])) {
        cli_err("unknown process '%s'\n", argv[2]);
        return 1;
    }
    if (!ctx->data_dir) {
        cli_err("node commands need --data-dir DIR\n");
        return 2;
    }
    ipc_sync s;
    int rc = connect_node(ctx, &s);
    if (rc != 0)
        return rc;
    ipc_builder b;
    ipc_msg reply;
    if (status) {
        ipc_build_begin(&b, "node_status");
        rc = call(&s, &b, &reply);
        if (rc == 0) {
            rc = print_status(&reply, ctx->json);
            ipc_msg_free(&reply);
        }
    } else if (restart) {
        ipc_build_begin(&b, "node_restart");
        ipc_put_str(&b, "name", argv[2]);
        rc = call(&s, &b, &reply);
        if (rc == 0) {
            printf("restarting %s\n", argv[2]);
            ipc_msg_free(&reply);
        }
    } else {
        ipc_build_begin(&b, "node_stop");
        rc = call(&s, &b, &reply);
        if (rc == 0) {
            ipc_msg_free(&reply);
            /* The supervisor closes the socket when it exits. */
            if (ipc_sync_wait_close(&s, STOP_WAIT_MS) == IPC_OK) {
                printf("node stopped\n");
            } else {
                cli_err("the node is still stopping after %d s\n", STOP_WAIT_MS / 1000);
                rc = 1;
            }
        }
    }
    ipc_sync_close(&s);
    return rc;
}
