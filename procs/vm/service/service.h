/* The vm process: follows the confirmed ledger into the indexer
 * (DATA_DIR/vm.db, follow.h) and serves the event socket
 * (DATA_DIR/run/vm-events.sock, evserver.h). Plugs into the child runtime:
 *
 *     vm_service *svc = NULL;
 *     ipc_child_opts o = {.name = "vm", .init = vm_service_init,
 *                         .fini = vm_service_fini, .ud = &svc};
 *
 * init opens the DB and the socket and starts the ledger subscription;
 * everything else runs on the child's loop. */
#ifndef VM_SERVICE_SERVICE_H
#define VM_SERVICE_SERVICE_H

#include "ipc/child.h"

typedef struct vm_service vm_service;

/* ud is a vm_service ** that init fills and fini clears. Non-zero from init
 * (DB, socket or network unusable) makes the process exit 1. */
int vm_service_init(ipc_child *ch, void *ud);
void vm_service_fini(ipc_child *ch, void *ud);

/* The name of the event socket inside DATA_DIR/run. */
#define VM_EVENTS_SOCKET "vm-events.sock"

#endif
