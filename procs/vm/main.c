/* smallnano-vm: the NanoVM indexer, the only writer of DATA_DIR/vm.db.
 * Started by smallnanod; the child runtime (ipc/child.h) gives it its event
 * loop, its listening socket DATA_DIR/run/vm.sock (answers ping), readiness
 * and heartbeat reporting. The work itself is procs/vm/service/service.h:
 * follow the confirmed ledger, serve DATA_DIR/run/vm-events.sock. */
#include "ipc/child.h"
#include "procs/vm/service/service.h"

int main(int argc, char **argv)
{
    vm_service *svc = NULL;
    ipc_child_opts o = {.name = "vm", .init = vm_service_init, .fini = vm_service_fini, .ud = &svc};
    return ipc_child_main(argc, argv, &o);
}
