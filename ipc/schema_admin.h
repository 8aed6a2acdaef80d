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

#include "ipc/schema.h"
#include "ipc/schema_common.h"

#define IPC_ADMIN_MAX_PROCS 32u

extern const ipc_family ipc_family_admin;

#endif
