/* smallnano-bootstrap: frontier scan, pulls, resume after restart.
 * Started by smallnanod; the child runtime (ipc/child.h) gives it its event
 * loop, its listening socket DATA_DIR/run/bootstrap.sock (answers ping), readiness
 * and heartbeat reporting. The process's own work plugs in through init. */
#include "ipc/child.h"

int main(int argc, char **argv)
{
    ipc_child_opts o = {.name = "bootstrap"};
    return ipc_child_main(argc, argv, &o);
}
