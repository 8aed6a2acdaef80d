/* Requests the rpc process makes of other processes for an action, each
 * answering one call: `stop` (admin family node_stop on run/control.sock:
 * the supervisor stops the whole node) and `bootstrap_any` (bootstrap
 * family `start` on run/bootstrap.sock), `block_confirm` (elections
 * family `elect` on run/elections.sock) and the other elections requests
 * (active, election, history, resync for populate_backlog), and
 * `unchecked_clear` (ledger family `unchecked_clear` on run/ledger.sock). Installed as the
 * context's node operations (rpc_ctx_set_node_ops). Free it before the context: its outstanding
 * requests then fail and their calls are answered. */
#ifndef SMN_RPC_CONTROL_LINK_H
#define SMN_RPC_CONTROL_LINK_H

#include "ipc/child.h"
#include "procs/rpc/rpc.h"

#define RPC_CONTROL_TIMEOUT_MS 5000u

typedef struct rpc_control_link rpc_control_link;

rpc_control_link *rpc_control_link_new(ipc_child *ch);
void rpc_control_link_free(rpc_control_link *l);
/* rpc_node_op_fn: sends the request for op and answers c when it comes. */
void rpc_control_link_op(void *user, rpc_node_op op, rpc_call *c, const smn_block *block);

#endif
