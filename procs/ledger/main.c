/* smallnano-ledger: block processing and validation, the only writer of
 * DATA_DIR/ledger.db. Started by smallnanod; the child runtime (ipc/child.h)
 * gives it its event loop, its listening socket DATA_DIR/run/ledger.sock,
 * readiness and heartbeats. Wiring only: the process is process.h, the
 * work procs/ledger/service.h. */
#include "ipc/child.h"
#include "ipc/schema_ledger.h"
#include "procs/ledger/process.h"
#include "procs/ledger/store.h"

int main(int argc, char **argv)
{
    static ledger_process proc;
    (void)ledger_store_global_config(); /* before any SQLite call */
    ipc_child_opts o = {.name = "ledger",
                        .family = &ipc_family_ledger,
                        .on_message = ledger_process_message,
                        .on_state = ledger_process_state,
                        .init = ledger_process_init,
                        .fini = ledger_process_fini,
                        .ud = &proc};
    return ipc_child_main(argc, argv, &o);
}
