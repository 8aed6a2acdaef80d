/* The bootstrap process's work: catching up with a peer without waiting
 * for new publishes.
 *
 * A scan round, started at launch and then every BOOTSTRAP_INTERVAL_*_MS:
 *   1. `frontiers` to net (net.sock): up to BOOTSTRAP_BATCH accounts from
 *      the cursor, with the frontier one peer holds for each;
 *   2. each account whose peer frontier is not a block of the local ledger
 *      (ledger.db, read-only) is pulled: `pull` {start: account, end: our
 *      frontier if the account is open here} through net, at most
 *      IPC_NET_MAX_PULL blocks; when the oldest block pulled does not
 *      connect to the local chain, the chain below it is pulled next;
 *   3. the blocks go to the ledger (`process`, origin "bootstrap") oldest
 *      first, one at a time (the reply comes after the block's batch
 *      committed);
 *   4. the cursor moves past the batch's last account and is saved
 *      (procs/bootstrap/state.h), so a restarted process resumes there;
 *      a batch shorter than BOOTSTRAP_BATCH ends the round (cursor zero).
 * A failed request ends the round early; the next one retries. */
#ifndef BOOTSTRAP_SERVICE_H
#define BOOTSTRAP_SERVICE_H

#include "ipc/child.h"
#include "procs/bootstrap/plan.h" /* BOOTSTRAP_BATCH: accounts per frontiers request */

#define BOOTSTRAP_INTERVAL_DEV_MS 2000u /* between rounds, dev network */
#define BOOTSTRAP_INTERVAL_MS 30000u    /* between rounds, test and live */
#define BOOTSTRAP_PACE_MS 250u /* between two requests to a peer (it serves one per 200 ms) */
#define BOOTSTRAP_REQUEST_TIMEOUT_MS 10000u /* net's own deadline is 5 s */
#define BOOTSTRAP_MAX_JOBS 256u             /* chains waiting to be pulled */

typedef struct bootstrap_service bootstrap_service;

/* Connects to net and ledger and arms the round timer. 0, or -1 (logged). */
int bootstrap_service_start(ipc_child *ch, bootstrap_service **out);
/* Stops and frees (NULL is fine). */
void bootstrap_service_stop(bootstrap_service *s);
/* ipc_child_opts.on_message for bootstrap.sock (ipc/schema_bootstrap.h):
 * `status`, `start`; ud is the bootstrap_service ** given to child_init. */
void bootstrap_service_child_message(ipc_conn *c, const ipc_msg *m, void *ud);

/* The child runtime's hooks (ipc_child_opts), ud = a bootstrap_service *
 * slot: start into it, stop it and clear it. */
int bootstrap_service_child_init(ipc_child *ch, void *ud);
void bootstrap_service_child_fini(ipc_child *ch, void *ud);

#endif
