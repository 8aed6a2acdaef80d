/* The rpc process's feed (ipc/feed.h, kinds in ipc/schema_feed.h): each
 * work generation's outcome (work_pool.h's observer) as a work_event, for
 * the ws process's work topic. rpc.sock serves the feed family; its
 * messages and connection changes come here. */
#ifndef RPC_FEED_H
#define RPC_FEED_H

#include <stdbool.h>

#include "ipc/endpoint.h"
#include "procs/rpc/work_pool.h"

/* rpc_work_observe_fn (ud unused). */
void rpc_feed_work(void *ud, const rpc_work_outcome *o);
/* ipc_child_opts.on_message / .on_state. */
void rpc_feed_message(ipc_conn *c, const ipc_msg *m, void *ud);
void rpc_feed_state(ipc_conn *c, bool up, void *ud);

#endif
