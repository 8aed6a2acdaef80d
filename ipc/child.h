/* The child runtime: what every node process (net, ledger, elections,
 * bootstrap, vm, rpc) runs around its own work.
 *
 *   int main(int argc, char **argv) {
 *       ipc_child_opts o = {.name = "ledger", .family = &ipc_family_ledger,
 *                           .on_message = on_request, .init = start, .fini = stop};
 *       return ipc_child_main(argc, argv, &o);
 *   }
 *
 * ipc_child_main() reads the effective configuration from the supervisor's
 * "--set section.key=value" arguments, arms PR_SET_PDEATHSIG(SIGKILL) (and
 * exits if the supervisor is already gone), creates the libevent loop,
 * serves the listening socket the supervisor handed down (fd in
 * SMN_LISTEN_FD; "ping" is answered there with "pong"), talks the control
 * family to the supervisor over SMN_CONTROL_FD (hello, ready, heartbeat,
 * status, shutdown), runs init, applies the sandbox of its name (no_new_privs,
 * Landlock, seccomp: ipc/sandbox.h; a failure exits 1), reports ready, and
 * loops until SIGTERM,
 * SIGINT, a "shutdown" message or the supervisor's hang-up.
 *
 * Started by hand (no SMN_LISTEN_FD / SMN_CONTROL_FD), a child binds
 * DATA_DIR/run/<name>.sock itself and runs without a supervisor: handy for
 * debugging one process.
 *
 * Test hook: if the environment variable SMN_TEST_CRASH names this process,
 * it exits with status 3 right at start (the crash-loop test). */
#ifndef IPC_CHILD_H
#define IPC_CHILD_H

#include <stdbool.h>

#include "ipc/config.h"
#include "ipc/endpoint.h"
#include "ipc/metrics.h"

typedef struct ipc_child ipc_child;

/* Exit status (sysexits' EX_CONFIG) of a child whose durable state cannot
 * be used, so restarting it cannot help. From the ledger it stops the node
 * (docs/operations.md "When a child keeps failing"); from any other child
 * it is a crash like any other. */
#define IPC_CHILD_EXIT_UNSAFE 78

typedef struct {
    const char *name;          /* "net", "ledger", ...: names the socket and log lines */
    const ipc_family *family;  /* served on the listening socket; NULL: ipc_family_common */
    ipc_on_message on_message; /* requests other than ping; NULL: answered with "error" */
    ipc_on_state on_state;     /* a connection to the listening socket came or went; may be NULL */
    /* Runs once the loop, config and endpoints exist. Non-zero: the process
     * logs and exits 1 (the supervisor restarts it), or exits
     * IPC_CHILD_EXIT_UNSAFE if init returned that. */
    int (*init)(ipc_child *ch, void *ud);
    void (*fini)(ipc_child *ch, void *ud); /* after the loop ends; may be NULL */
    bool manual_ready;                     /* init (or later work) calls ipc_child_ready() itself */
    void *ud;
} ipc_child_opts;

/* Returns the process exit status: 0 after a clean stop, 1 on a startup or
 * runtime failure, IPC_CHILD_EXIT_UNSAFE when init returned it, 2 on bad
 * arguments. */
int ipc_child_main(int argc, char **argv, const ipc_child_opts *o);

struct event_base *ipc_child_base(ipc_child *ch);
const ipc_config *ipc_child_config(const ipc_child *ch);
const char *ipc_child_name(const ipc_child *ch);
/* The endpoint serving DATA_DIR/run/<name>.sock. */
ipc_endpoint *ipc_child_listener(ipc_child *ch);
/* Tell the supervisor this process serves (once; later calls do nothing). */
void ipc_child_ready(ipc_child *ch);
/* A short free-form line the supervisor shows in status (copied). */
void ipc_child_set_detail(ipc_child *ch, const char *detail);
/* This process's metrics (ipc/metrics.h): register in init, update on the
 * loop; every heartbeat answer carries their current values to the
 * supervisor. Never NULL. */
ipc_metrics *ipc_child_metrics(ipc_child *ch);
/* collect (may be NULL) runs on the loop right before each heartbeat answer
 * is built, to bring gauges and counters up to date from the process's own
 * state; it must be quick (no I/O). One hook per process; the last set wins. */
typedef void (*ipc_child_collect_fn)(ipc_metrics *r, void *ud);
void ipc_child_on_collect(ipc_child *ch, ipc_child_collect_fn collect, void *ud);
/* Asks the supervisor for every process's metrics as Prometheus text (what
 * GET /metrics serves). cb runs once, on the loop: IPC_OK with the text
 * (valid during the call only), or the failure (IPC_E_CLOSED at once when
 * there is no supervisor, IPC_E_TIMEOUT after timeout_ms). */
typedef void (*ipc_child_text_cb)(void *ud, ipc_status st, const char *text, size_t len);
void ipc_child_node_metrics(ipc_child *ch, uint32_t timeout_ms, ipc_child_text_cb cb, void *ud);
/* A request to the supervisor over this process's own channel (the control
 * family, ipc/schema_control.h); IPC_E_CLOSED without a supervisor. */
ipc_status ipc_child_request_supervisor(ipc_child *ch, ipc_builder *b, uint32_t timeout_ms,
                                        ipc_on_reply cb, void *ud);
/* Leave the loop; ipc_child_main() then returns 0. */
void ipc_child_stop(ipc_child *ch);
/* A reconnecting endpoint to another process's socket, DATA_DIR/run/<peer>.sock.
 * NULL on bad arguments (see ipc_connect). */
ipc_endpoint *ipc_child_connect(ipc_child *ch, const char *peer, const ipc_endpoint_opts *o);

#endif
