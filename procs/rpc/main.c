/* smallnano-rpc: the HTTP JSON RPC and the wallet. Started by smallnanod; the
 * child runtime (ipc/child.h) gives it its event loop, its socket
 * DATA_DIR/run/rpc.sock (answers ping and feed_subscribe: feed.h), readiness and heartbeats; node.h
 * is everything else. */
#include "common/log.h"
#include "ipc/child.h"
#include "ipc/schema_feed.h"
#include "procs/rpc/feed.h"
#include "procs/rpc/node.h"

int main(int argc, char **argv)
{
    rpc_node *node = rpc_node_new();
    if (!node) {
        smn_error("out of memory");
        return 1;
    }
    ipc_child_opts o = {.name = "rpc",
                        .family = &ipc_family_feed,
                        .on_message = rpc_feed_message,
                        .on_state = rpc_feed_state,
                        .init = rpc_node_start,
                        .fini = rpc_node_stop,
                        .ud = node};
    int rc = ipc_child_main(argc, argv, &o);
    rpc_node_free(node);
    return rc;
}
