/* A cemented block as the vm process feeds it to the indexer, built from
 * either source the ledger offers: a block_cemented notification (ipc
 * ledger family) or a row of the ledger DB's cementing log (ledger_ro). */
#ifndef VM_SERVICE_CEMENTED_H
#define VM_SERVICE_CEMENTED_H

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

#include "ipc/ledger_client.h"
#include "ipc/msg.h"
#include "ipc/ledgerdb/ro.h"
#include "procs/vm/programs/transcript.h"

typedef struct {
    uint64_t seq; /* the ledger's cementing sequence number */
    vm_block b;
} vm_cemented;

typedef enum {
    VM_CEM_OK = 0,
    VM_CEM_BAD_NOTE, /* a notification whose fields contradict each other */
    VM_CEM_PRUNED,   /* the block (or the source of a receive) was pruned and
                        the vm DB does not know the source either */
    VM_CEM_LEDGER,   /* reading the ledger DB failed */
} vm_cem_status;

const char *vm_cem_strerror(vm_cem_status st);

/* From a decoded block_cemented notification: the amounts, balances and the
 * subtype must agree (send: prev - balance = amount; receive/open: balance -
 * prev = amount; change: equal and amount 0). */
vm_cem_status vm_cemented_from_note(const ipc_msg *m, vm_cemented *out);
/* The same checks on a notification the ledger client already decoded. */
vm_cem_status vm_cemented_from_ledger(const ledger_client_cemented *n, vm_cemented *out);

/* From a cementing-log row. A receive's source account and amount come from
 * the ledger (the send's block); if that send was pruned, from what the vm
 * DB recorded when it applied the send (vmdb may be NULL: no fallback). */
vm_cem_status vm_cemented_from_row(ledger_ro *r, sqlite3 *vmdb, const ledger_ro_cemented *row,
                                   vm_cemented *out);

#endif
