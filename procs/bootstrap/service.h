/* The bootstrap process's work: catching up with peers without waiting for
 * new publishes (docs/bootstrap.md).
 *
 *   - Peers: net's ready peers (`peers` on net.sock, every
 *     BOOTSTRAP_PEERS_EVERY_MS) go into the scheduler (sched.h), each with
 *     one request in flight, its own rate limit and score.
 *   - Frontier scan: `frontiers` pages of BOOTSTRAP_BATCH accounts from one
 *     peer at a time, from the saved cursor to the end of its ledger, then
 *     the next peer; an account whose peer frontier is not a block of our
 *     ledger (ledger.db, read-only) is queued. The scan pauses while the
 *     queue is nearly full, so memory does not grow with the ledger.
 *   - Pulls: ascending (`pull` {ascending, start: account, end: our
 *     frontier or the last block handed to the ledger, also: more
 *     accounts}), pages sized so every known chain gets its share of the
 *     hold; each part is checked to hang from its end and link block to
 *     block, then waits in the hold (hold.h) until its receives' sources
 *     are handed out, so process_batch (origin "bootstrap") gets blocks in
 *     an order the ledger applies directly. A full page queues the account
 *     again (at the back: chains move in step; first when others wait for
 *     it). A hold stuck on a missing source looks the source block up (a
 *     descending pull of one block by hash) and queues its account first.
 *   - Verdicts: invalid blocks (the ledger's validation results), a chain
 *     that does not link, or a fork below our confirmation height score a
 *     peer down (BOOT_PENALTY_INVALID), a stall BOOT_PENALTY_STALL; at
 *     BOOT_SCORE_DROP it is not asked for BOOT_DROP_MS. "unavailable"
 *     (pruned there) sends the account to another peer.
 *   - Resume: the ledger is the truth (every pull starts at our frontier);
 *     bootstrap.state (state.h) keeps the scan cursor, saved only when
 *     everything queued before it was pulled, so after a SIGKILL the scan
 *     resumes there and nothing before it is missed.
 * A round (every peer scanned to its end) is followed by the next after
 * BOOTSTRAP_INTERVAL_*_MS. */
#ifndef BOOTSTRAP_SERVICE_H
#define BOOTSTRAP_SERVICE_H

#include "ipc/child.h"

#define BOOTSTRAP_BATCH 128u                /* accounts per frontiers request */
#define BOOTSTRAP_INTERVAL_DEV_MS 2000u     /* between rounds, dev network */
#define BOOTSTRAP_INTERVAL_MS 30000u        /* between rounds, test and live */
#define BOOTSTRAP_PEERS_EVERY_MS 1000u      /* net's peer list asked this often */
#define BOOTSTRAP_REQUEST_TIMEOUT_MS 10000u /* net's own deadline is 5 s */
#define BOOTSTRAP_MAX_REQUESTS 16u          /* pulls, lookups and scans in flight */
#define BOOTSTRAP_MAX_BATCHES 8u            /* process_batch requests in flight */
#define BOOTSTRAP_MIN_PAGE 4u               /* blocks per account per pull at least */
#define BOOTSTRAP_LOOKUP_PACE_MS 20u        /* between two lookups of a missing source (stuck) */
#define BOOTSTRAP_LOOKUP_EVERY_MS 100u      /* between two lookups while the hold moves */
#define BOOTSTRAP_EVICT_ROOM 4096u          /* a full, stuck hold forgets blocked chains to this */
#define BOOTSTRAP_SPILL_IDLE_MS 1000u       /* nothing to pull and stuck this long: spill */
#define BOOTSTRAP_SCAN_PACE_MS                                                                     \
    250u                         /* between two frontiers requests (a peer serves one per 200 ms) */
#define BOOTSTRAP_SCAN_ROOM 256u /* the scan pauses with fewer free queue slots */
#define BOOTSTRAP_FULL_ROUND_EVERY 10u /* every 10th round lists every account (no age) */
#define BOOTSTRAP_AGE_MARGIN_S 60u     /* age: since the previous round began, plus this */

typedef struct bootstrap_service bootstrap_service;

/* Connects to net and ledger and arms the timer. 0, or -1 (logged). */
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
