/* The rpc process's view of the figures other processes own: every second
 * it asks net (`peers`, ipc/schema_net.h), elections (`status`,
 * ipc/schema_elections.h) and bootstrap (`status`, ipc/schema_bootstrap.h)
 * over their sockets and writes each answer into the context's
 * rpc_node_stats (rpc_ctx_stats). A process that does not answer within
 * 2 s keeps its old figures, which turn stale (unknown to the actions)
 * RPC_STATS_STALE_NS after they were read. At most one request per process
 * is outstanding. */
#ifndef SMN_RPC_STATUS_LINK_H
#define SMN_RPC_STATUS_LINK_H

#include "ipc/child.h"
#include "procs/rpc/rpc.h"

#define RPC_STATUS_INTERVAL_MS 1000u
#define RPC_STATUS_TIMEOUT_MS 2000u

typedef struct rpc_status_link rpc_status_link;

/* Connects to the three sockets (with backoff) and asks at once. NULL
 * (logged) on failure. ctx must outlive the link. */
rpc_status_link *rpc_status_link_new(ipc_child *ch, rpc_ctx *ctx);
void rpc_status_link_free(rpc_status_link *l);

/* The decoders, one per answer (exposed for tests): false when the reply
 * lacks what the schema promises (the figures are then left as they were). */
bool rpc_status_read_peers(const ipc_msg *m, rpc_node_stats *s);
bool rpc_status_read_elections(const ipc_msg *m, rpc_node_stats *s);
bool rpc_status_read_bootstrap(const ipc_msg *m, rpc_node_stats *s);

#endif
