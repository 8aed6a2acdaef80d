/* smallnano-net: p2p TCP: handshake, keepalive, publish, votes, bootstrap traffic.
 * Started by smallnanod; the child runtime (ipc/child.h) gives it its event
 * loop, its listening socket DATA_DIR/run/net.sock (answers ping), readiness
 * and heartbeat reporting. The process's own work plugs in through init. */
#include "ipc/child.h"

int main(int argc, char **argv)
{
    ipc_child_opts o = {.name = "net"};
    return ipc_child_main(argc, argv, &o);
}
