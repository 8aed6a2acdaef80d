/* The rpc process: the JSON RPC context, its work and KDF pools, the ledger
 * link, auto-receive and the HTTP server, started and stopped as one (the
 * child runtime's init and fini). */
#ifndef SMN_RPC_NODE_H
#define SMN_RPC_NODE_H

#include "ipc/child.h"

typedef struct rpc_node rpc_node;

/* NULL on allocation failure. */
rpc_node *rpc_node_new(void);
void rpc_node_free(rpc_node *n);
/* ipc_child_opts.init / .fini; ud is the rpc_node. start returns 0 or -1
 * (logged) and cleans up after itself on failure. */
int rpc_node_start(ipc_child *ch, void *ud);
void rpc_node_stop(ipc_child *ch, void *ud);

#endif
