/* The ledger process's work: the ledger family (ipc/schema_ledger.h) served
 * over the library (store, processor, confirm, prune).
 *
 * - process: blocks from any connection go into the processor's bounded
 *   queue (full: "busy" at once). A zero-timeout timer drains it after the
 *   loop iteration's reads, one batch (<= batch_max blocks; batches share
 *   one transaction up to group_max blocks, processor.h)
 *   per iteration so heartbeats and other I/O run between batches. While
 *   the queue still grows between iterations (a stream) the batch gathers
 *   for up to 3 ms; while a subscriber has more than 2 MiB of unread
 *   notifications the next batch waits for it, up to 100 ms. Each block's
 *   process_result is sent after its batch committed, so an acknowledged
 *   block survives a SIGKILL. No sleeping: the loop keeps serving.
 * - confirm: cemented in slices of cement_slice blocks (confirm.h jobs),
 *   one transaction and one loop iteration each, new confirms' first slice
 *   first, at most 256 confirms in progress ("busy" beyond); the reply when
 *   all is cemented (docs/ledger.md "Slices"). Subscribers get
 *   block_cemented for every newly cemented block, per slice after its
 *   commit, in cementing order, with its persisted seq. With
 *   prune_keep > 0 a pruning pass follows (at most one per second).
 *   confirm with `block`, for a block the ledger does not hold but whose
 *   root a stored block holds, settles the fork (settle.h): subscribers get
 *   rolled_back for each removed block (newest first), then block_accepted
 *   for the winner (origin "net") and block_cemented. Bounded by
 *   rollback_max blocks, one transaction on the loop's thread.
 * - subscribe: the connection gets block_accepted (also for blocks released
 *   from the unchecked table, origin "unchecked") and fork notifications.
 *   A subscriber or requester whose outgoing queue is full is disconnected
 *   (logged): it reconnects and recovers what it missed from the database.
 *
 * Everything runs on the event loop's thread. */
#ifndef LEDGER_SERVICE_H
#define LEDGER_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/network.h"
#include "ipc/endpoint.h"
#include "ipc/ledgerdb/types.h"

struct event_base;
typedef struct ledger_service ledger_service;

typedef struct {
    size_t batch_max;        /* blocks per batch (one loop step); 0: 512 */
    size_t group_max;        /* [ledger] group_max: blocks per processing transaction; 0: 16384 */
    size_t queue_max;        /* bounded queue; 0: 65536 */
    size_t unchecked_max;    /* 0: the store's default */
    unsigned verify_threads; /* 0: one per core */
    uint64_t prune_keep;     /* [ledger] max_blocks_per_account; 0: no pruning */
    size_t rollback_max;     /* blocks one fork settlement may remove; 0: 4096 */
    size_t cement_slice;     /* [ledger] cement_slice: blocks per cementing transaction; 0: 256 */
    int cache_mib;           /* [ledger] cache_mib: the writer's SQLite page cache; 0: 64 */
    /* Called with a one-line summary after each batch and confirmation
     * (the process shows it in the supervisor's status); may be NULL. */
    void (*on_detail)(void *user, const char *detail);
    void *user;
} ledger_service_config;

/* Opens (creating with net's genesis) the ledger database at path and the
 * processor. LEDGER_STATUS_OK, or the store's refusal (WRONG_NETWORK,
 * NEWER_SCHEMA, WRONG_GENESIS, IO, ...) with a one-line reason in err.
 * cfg may be NULL for the defaults. */
ledger_status ledger_service_open(struct event_base *base, const char *path, const smn_network *net,
                                  const ledger_service_config *cfg, ledger_service **out, char *err,
                                  size_t errlen);
/* Queued blocks that were not processed yet are dropped unanswered (their
 * senders see the connection close and retry). NULL is fine. */
void ledger_service_close(ledger_service *s);

/* Endpoint callbacks for the listening socket; ud is the service. */
void ledger_service_on_message(ipc_conn *c, const ipc_msg *m, void *ud);
void ledger_service_on_state(ipc_conn *c, bool up, void *ud);

/* Blocks waiting in the queue. */
size_t ledger_service_queued(const ledger_service *s);

/* What the node's metrics show of the ledger process (cheap: no I/O). */
typedef struct {
    ledger_counts counts;     /* blocks, cemented, pruned, unchecked */
    size_t queued;            /* blocks waiting to be processed */
    size_t subscribers;       /* notification subscribers */
    uint64_t batches;         /* processing batches since start */
    uint64_t batched;         /* blocks in them */
    uint64_t settled;         /* forks settled by a rollback since start */
    uint64_t step_us_max;     /* the longest processing step (one batch, with a commit) */
    uint64_t step_cpu_us_max; /* the most CPU the loop thread spent in one processing step */
    uint64_t transactions;    /* processing transactions committed */
} ledger_service_stats;
void ledger_service_get_stats(const ledger_service *s, ledger_service_stats *out);

#endif
