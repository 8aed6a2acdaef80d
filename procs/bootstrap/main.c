/* smallnano-bootstrap: frontier scan, pulls, resume after restart
 * (procs/bootstrap/service.h). Started by smallnanod; the child runtime
 * (ipc/child.h) gives it its event loop, its listening socket
 * DATA_DIR/run/bootstrap.sock (answers ping and `status`,
 * ipc/schema_bootstrap.h), readiness and heartbeats. */
#include "ipc/child.h"
#include "ipc/feed.h"
#include "ipc/schema_bootstrap.h"
#include "procs/bootstrap/feed.h"
#include "procs/bootstrap/service.h"

int main(int argc, char **argv)
{
    static bootstrap_service *svc;
    static ipc_family served; /* the bootstrap family and the feed (feed.h) */
    ipc_feed_serve_family(&served, &ipc_family_bootstrap);
    ipc_child_opts o = {.name = "bootstrap",
                        .family = &served,
                        .on_message = bootstrap_service_child_message,
                        .on_state = bootstrap_feed_state,
                        .init = bootstrap_service_child_init,
                        .fini = bootstrap_service_child_fini,
                        .ud = &svc};
    return ipc_child_main(argc, argv, &o);
}
