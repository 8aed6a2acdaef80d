/* The ledger process's child-runtime hooks (ipc_child_opts), ud = a
 * zeroed ledger_process; process.c. */
#ifndef LEDGER_PROCESS_H
#define LEDGER_PROCESS_H

#include <stdbool.h>

#include "ipc/child.h"
#include "procs/ledger/service.h"

typedef struct {
    ipc_child *ch;
    ledger_service *svc;
} ledger_process;

/* 0, -1 (unknown network) or IPC_CHILD_EXIT_UNSAFE (ledger.db refused). */
int ledger_process_init(ipc_child *ch, void *ud);
void ledger_process_fini(ipc_child *ch, void *ud);
void ledger_process_message(ipc_conn *c, const ipc_msg *m, void *ud);
void ledger_process_state(ipc_conn *c, bool up, void *ud);

#endif
