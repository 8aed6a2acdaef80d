/* The elections process's link to the ledger process (DATA_DIR/run/ledger.sock,
 * the ledger family of ipc/schema_ledger.h).
 *
 * In: after every (re)subscription the service re-reads its representatives
 * and scans the ledger again (whatever happened while we were not
 * subscribed is in ledger.db); then block_accepted and fork start
 * elections, block_cemented ends them.
 *
 * Out: every winner goes to the ledger as `confirm {hash, block}` through a
 * bounded queue (ELECTIONS_CONFIRM_QUEUE entries, at most
 * ELECTIONS_CONFIRM_IN_FLIGHT requests outstanding). A confirm that fails
 * because the ledger is down or slow stays queued and is sent again once
 * it is back; one the ledger refuses is dropped with a warning. When the
 * queue is full, elections_ledger_link_confirm returns false and the
 * service elects that block again later: no confirmation is ever lost for
 * good, it only waits. One link per process; everything runs on the
 * child's event loop. */
#ifndef ELECTIONS_LEDGER_LINK_H
#define ELECTIONS_LEDGER_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/block.h"
#include "ipc/child.h"
#include "procs/elections/service.h"

#define ELECTIONS_CONFIRM_QUEUE 16384u
#define ELECTIONS_CONFIRM_IN_FLIGHT 256u

/* Connect to ledger.sock and feed svc (borrowed: call
 * elections_ledger_link_stop before freeing it). 0, or -1 after logging. */
int elections_ledger_link_start(ipc_child *ch, elections_service *svc);
void elections_ledger_link_stop(void);

/* An elections_service_hooks.confirm (ctx ignored): queue the winner. */
bool elections_ledger_link_confirm(void *ctx, const uint8_t hash[32], const smn_block *block);
/* Send what the queue holds, up to the in-flight bound (the timer calls it). */
void elections_ledger_link_flush(void);

size_t elections_ledger_link_queued(void);
uint64_t elections_ledger_link_cemented(void);

#endif
