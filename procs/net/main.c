/* smallnano-net: the peer-to-peer side of the node (procs/net/service.h):
 * listens on the peering port the supervisor bound, dials peers, relays
 * blocks to and from the ledger process and votes to and from the elections
 * process. Started by smallnanod; the child runtime (ipc/child.h) gives it
 * its event loop, DATA_DIR/run/net.sock (the net family, ipc/schema_net.h),
 * readiness and heartbeats. */
#include "ipc/child.h"
#include "ipc/feed.h"
#include "ipc/schema_net.h"
#include "procs/net/service.h"

int main(int argc, char **argv)
{
    static net_service *svc;
    static ipc_family served; /* the net family and the feed (feed.h) */
    ipc_feed_serve_family(&served, &ipc_family_net);
    ipc_child_opts o = {.name = "net",
                        .family = &served,
                        .on_message = net_service_child_message,
                        .on_state = net_service_child_state,
                        .init = net_service_child_init,
                        .fini = net_service_child_fini,
                        .ud = &svc};
    return ipc_child_main(argc, argv, &o);
}
