/* Operator <-> supervisor, over DATA_DIR/run/control.sock (smallnano-cli node ...).
 *   node_status   request {}      -> node_status_r {processes: [{name, pid?, state,
 *                                                   restarts, uptime_s, retry_in_ms?,
 *                                                   last_exit?}]}
 *   node_restart  request {name}  -> ok | error ("unknown process 'x'")
 *   node_stop     request {}      -> ok, then the node shuts down and closes the socket
 * plus the common family. state is one of "starting", "running", "backoff",
 * "failing", "stopping", "stopped"; pid is absent when no process is running;
 * retry_in_ms (backoff, failing) is the time to the next start; last_exit
 * says how the last process ended ("exited with status 3"). */
#ifndef IPC_SCHEMA_ADMIN_H
#define IPC_SCHEMA_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "ipc/schema.h"
#include "ipc/schema_common.h"

#define IPC_ADMIN_MAX_PROCS 32u

extern const ipc_family ipc_family_admin;

/* The family's kinds, in the order of its table. IPC_ADMIN_K_OTHER: a
 * common-family kind (ping, ok, error: see ipc_common_kind_of). */
typedef enum {
    IPC_ADMIN_K_NODE_STATUS = 0,
    IPC_ADMIN_K_NODE_STATUS_R,
    IPC_ADMIN_K_NODE_RESTART,
    IPC_ADMIN_K_NODE_STOP,
    IPC_ADMIN_K_COUNT,
    IPC_ADMIN_K_OTHER = IPC_ADMIN_K_COUNT
} ipc_admin_kind;

/* node_status_r.processes[].state, with its one name table (the
 * supervisor's own state of each child is this enum). */
typedef enum {
    IPC_ADMIN_STARTING = 0, /* "starting": forked, not ready yet */
    IPC_ADMIN_RUNNING,      /* "running": reported ready */
    IPC_ADMIN_BACKOFF,      /* "backoff": dead, waiting to be restarted */
    IPC_ADMIN_FAILING,      /* "failing": likewise, after too many quick crashes */
    IPC_ADMIN_STOPPING,     /* "stopping": asked to exit */
    IPC_ADMIN_STOPPED,      /* "stopped": dead, not coming back */
    IPC_ADMIN_STATE_COUNT
} ipc_admin_state;

struct ipc_msg;
ipc_admin_kind ipc_admin_kind_of(const struct ipc_msg *m);
const char *ipc_admin_kind_name(ipc_admin_kind k);
/* Value -> name ("unknown" out of range); name (len bytes) -> value. */
const char *ipc_admin_state_name(ipc_admin_state st);
bool ipc_admin_state_parse(const char *s, size_t len, ipc_admin_state *out);

#endif
