/* Supervisor <-> child, over the socketpair each child gets at fd 4.
 *   hello         child->sup notify  {name, pid, version?}   first message
 *   ready         child->sup notify  {name}                  init done, serving
 *   heartbeat     sup->child request {seq}     -> heartbeat_ack {seq, metrics?}
 *                 metrics: the child's registry (ipc/metrics.h), latest values
 *   metrics       child->sup request {}        -> metrics_r {text}
 *                 every process's metrics as Prometheus text (rpc's GET /metrics)
 *   stop_node     child->sup request {}        -> ok | error
 *                 the RPC `stop` action: taken from rpc only, and only while
 *                 [rpc] enable_control is on (control.sock refuses children)
 *   status        sup->child request {}        -> status_r {name, pid, uptime_ms, detail?}
 *   shutdown      sup->child notify  {reason?}               stop cleanly now
 * plus the common family (ping/pong/ok/error). */
#ifndef IPC_SCHEMA_CONTROL_H
#define IPC_SCHEMA_CONTROL_H

#include "ipc/schema.h"
#include "ipc/schema_common.h"

#define IPC_DETAIL_MAX 256u

extern const ipc_family ipc_family_control;

/* The family's kinds, in the order of its table. IPC_CONTROL_K_OTHER: a
 * common-family kind (ping, ok, error: see ipc_common_kind_of). */
typedef enum {
    IPC_CONTROL_K_HELLO = 0,
    IPC_CONTROL_K_READY,
    IPC_CONTROL_K_HEARTBEAT,
    IPC_CONTROL_K_HEARTBEAT_ACK,
    IPC_CONTROL_K_METRICS,
    IPC_CONTROL_K_STOP_NODE,
    IPC_CONTROL_K_METRICS_R,
    IPC_CONTROL_K_STATUS,
    IPC_CONTROL_K_STATUS_R,
    IPC_CONTROL_K_SHUTDOWN,
    IPC_CONTROL_K_COUNT,
    IPC_CONTROL_K_OTHER = IPC_CONTROL_K_COUNT
} ipc_control_kind;

struct ipc_msg;
ipc_control_kind ipc_control_kind_of(const struct ipc_msg *m);
const char *ipc_control_kind_name(ipc_control_kind k);

#endif
