/* The rpc process's connection to the ledger process: the shared ledger
 * client (ipc/ledger_client.h) plus what is the rpc's own: a `process`
 * outcome as the RPC reports it (rpc_process_status), and the submit hook
 * of the `process` and wallet actions.
 *
 * The client reconnects by itself; while the ledger is down a submission
 * fails with RPC_PROCESS_UNAVAILABLE (no connection, closed or timed out),
 * and works again once the ledger is back. With on_block_accepted set, the
 * client subscribes to block_accepted on every (re)connection; on_subscribed
 * then runs so the owner can recover from the database whatever it missed
 * meanwhile. Everything runs on the child's event loop. */
#ifndef RPC_LEDGER_LINK_H
#define RPC_LEDGER_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "common/block.h"
#include "ipc/child.h"
#include "ipc/ledger_client.h"
#include "ipc/ledgerdb/types.h"
#include "procs/rpc/rpc.h"

/* How long a `process` may take before it counts as unavailable: longer
 * than the ledger's own SQLite busy timeout (5 s), so a ledger whose
 * storage is stuck answers ledger_error before we give up on it. */
#define RPC_LEDGER_TIMEOUT_MS 10000u

typedef struct rpc_ledger_link rpc_ledger_link;

typedef struct {
    /* block_accepted notifications; NULL: not subscribed. */
    void (*on_block_accepted)(void *user, const ledger_client_accepted *n);
    /* The subscription is (again) in place; may be NULL. */
    void (*on_subscribed)(void *user);
    void *user;
} rpc_ledger_link_opts;

/* NULL on failure (logged). */
rpc_ledger_link *rpc_ledger_link_new(ipc_child *ch, const rpc_ledger_link_opts *o);
/* Pending submissions are answered RPC_PROCESS_UNAVAILABLE. NULL is fine. */
void rpc_ledger_link_free(rpc_ledger_link *l);

/* Outcome of one `process`: st as the RPC reports it; r the ledger's own
 * result (LEDGER_RESULT_COUNT when the ledger never answered). */
typedef void (*rpc_ledger_done_fn)(void *user, rpc_process_status st, ledger_result r);

/* Sends b with the given origin. done runs exactly once, possibly before
 * this returns (no connection, too many pending). */
void rpc_ledger_link_process(rpc_ledger_link *l, const smn_block *b, ledger_origin origin,
                             rpc_ledger_done_fn done, void *user);

/* An rpc_submit_fn (rpc_ctx_set_submit with the link as user): blocks from
 * the `process` action and the wallet actions, origin "rpc". */
void rpc_ledger_link_submit(void *link, const smn_block *b, rpc_submission *s);

#endif
