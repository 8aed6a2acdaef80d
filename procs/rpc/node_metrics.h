/* rpc's part of the node's Prometheus metrics (ipc/metrics.h), and GET
 * /metrics, whose text the supervisor assembles from every process. */
#ifndef SMN_RPC_NODE_METRICS_H
#define SMN_RPC_NODE_METRICS_H

#include "ipc/child.h"
#include "procs/rpc/auto_receive.h"
#include "procs/rpc/http_server.h"
#include "procs/rpc/kdf_pool.h"
#include "procs/rpc/work_pool.h"

/* Sets rpc's metrics from its parts' counters; any part may be NULL (not
 * running yet, or off). Cheap: no I/O. */
void rpc_metrics_collect(ipc_metrics *r, const rpc_http *http, rpc_work_pool *work,
                         rpc_kdf_pool *kdf, const rpc_auto_receive *autorx, const rpc_ctx *ctx);

/* rpc_http_metrics_fn for rpc_http_set_metrics: ud is the ipc_child. The
 * text comes from the supervisor; 503 (text says why) if it cannot answer
 * within 2 s. */
void rpc_metrics_serve(void *ud, rpc_http_text_done done, void *req);

#endif
