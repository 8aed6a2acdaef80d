/* smallnano-elections: weighted voting, quorum, confirmation, representative
 * mode. Started by smallnanod; the child runtime (ipc/child.h) gives it its
 * event loop, its socket DATA_DIR/run/elections.sock (answers ping and
 * `status`, status.h),
 * readiness and heartbeats. Wiring only: the process is node.c, the voting
 * keys rep_keys.c (read once at start: after changing the key file,
 * `smallnano-cli node restart elections`), the logic service.c and the
 * elections library, the sockets ledger_link.c and net_link.c. */
#include "ipc/child.h"
#include "ipc/feed.h"
#include "ipc/schema_elections.h"
#include "procs/elections/feed.h"
#include "procs/elections/node.h"

int main(int argc, char **argv)
{
    static ipc_family served; /* the elections family and the feed (feed.h) */
    ipc_feed_serve_family(&served, &ipc_family_elections);
    ipc_child_opts o = {.name = "elections",
                        .family = &served,
                        .on_message = elections_node_message,
                        .on_state = elections_feed_state,
                        .init = elections_node_init,
                        .fini = elections_node_fini,
                        .ud = elections_node_state()};
    return ipc_child_main(argc, argv, &o);
}
