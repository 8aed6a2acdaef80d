/* Proof of work off the event loop: a few worker threads (pthreads) take
 * jobs from a bounded FIFO and search with smn_work_generate (one thread per
 * job, cancellable); each result comes back to the loop through a pipe, and
 * the job's done callback runs there, on the loop thread, never on a worker.
 *
 * Bounds: at most queue_max jobs exist at once (queued, running or waiting
 * to be delivered) and at most per_client_max of them per client name (the
 * HTTP peer's address, "auto-receive", ...). Beyond either, submit refuses
 * at once and nothing is queued.
 *
 * Every function here is for the loop thread only. */
#ifndef RPC_WORK_POOL_H
#define RPC_WORK_POOL_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
typedef struct rpc_work_pool rpc_work_pool;
typedef struct rpc_work_job rpc_work_job;

#define RPC_WORK_CLIENT_MAX 64 /* client names are cut to this many bytes */
#define RPC_WORK_MAX_THREADS 64u

typedef struct {
    unsigned threads;        /* worker threads; 0 = one per core (at most RPC_WORK_MAX_THREADS) */
    unsigned queue_max;      /* jobs at once, all clients; 0 = 64 */
    unsigned per_client_max; /* jobs at once per client; 0 = 8 */
} rpc_work_pool_opts;

/* status 0 with the nonce found, or -ECANCELED (rpc_work_pool_cancel_root,
 * or the pool is stopping). */
typedef void (*rpc_work_done_fn)(void *user, int status, uint64_t nonce);

/* NULL on failure (logged): no pipe, no thread could start, no memory. */
rpc_work_pool *rpc_work_pool_new(struct event_base *base, const rpc_work_pool_opts *o);
/* Cancels every job, joins the workers. Callbacks of jobs still pending
 * never run: their owners abandon them first. NULL is fine. */
void rpc_work_pool_free(rpc_work_pool *p);

/* Queues a search for a nonce with smn_work_value(root, nonce) >= difficulty.
 * Returns 0 (*job set when job is non-NULL; done runs later, exactly once,
 * unless abandoned), -EBUSY (queue_max reached), -EAGAIN (the client has
 * per_client_max jobs) or -ENOMEM. done never runs inside this call. */
int rpc_work_pool_submit(rpc_work_pool *p, const uint8_t root[32], uint64_t difficulty,
                         const char *client, rpc_work_done_fn done, void *user, rpc_work_job **job);
/* Cancels every job for `root` (queued ones at once, running ones within
 * about a millisecond); each done then runs with -ECANCELED unless it found
 * its nonce first. Returns how many jobs were cancelled. */
size_t rpc_work_pool_cancel_root(rpc_work_pool *p, const uint8_t root[32]);
/* The owner no longer wants the answer: the job stops and its done never
 * runs. The handle is invalid afterwards. */
void rpc_work_pool_abandon(rpc_work_pool *p, rpc_work_job *job);

/* What became of one job, for an observer (the websocket's work topic):
 * status 0 (found nonce), -ECANCELED (cancelled or abandoned), or the
 * refusal of a submit (-EBUSY, -EAGAIN, -ENOMEM; duration 0). */
typedef struct {
    const uint8_t *root; /* 32 bytes */
    uint64_t difficulty;
    int status;
    uint64_t nonce;
    uint64_t duration_ms; /* submit to delivery */
} rpc_work_outcome;
typedef void (*rpc_work_observe_fn)(void *ud, const rpc_work_outcome *o);
/* At most one observer (NULL: none). It runs on the loop, before the job's
 * own done callback, and must not call into the pool. */
void rpc_work_pool_observe(rpc_work_pool *p, rpc_work_observe_fn fn, void *ud);

/* Jobs that exist now (queued + running + undelivered), and running now. */
size_t rpc_work_pool_jobs(rpc_work_pool *p);
size_t rpc_work_pool_running(rpc_work_pool *p);
unsigned rpc_work_pool_threads(const rpc_work_pool *p);

#endif
