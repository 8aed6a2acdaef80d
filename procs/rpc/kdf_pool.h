/* Argon2id off the event loop: wallet key derivation (wallet_crypto_derive)
 * runs on a few worker threads (pthreads) that take jobs from a bounded
 * FIFO; each derived key comes back to the loop through a pipe, and the
 * job's done callback runs there, on the loop thread, never on a worker.
 * Same pattern as work_pool.h, with a separate bound: one derivation can
 * take seconds and up to 1 GiB (the stored limits' ceiling), so few run at
 * once.
 *
 * Bounds: at most queue_max jobs exist at once (queued, running or waiting
 * to be delivered); beyond that, submit refuses at once and nothing is
 * queued. A running derivation cannot be interrupted: abandon only drops
 * its answer, and rpc_kdf_pool_free waits for the running ones.
 *
 * Passwords and keys live in guarded memory (sodium_malloc) and are wiped
 * when the job ends. Every function here is for the loop thread only. */
#ifndef RPC_KDF_POOL_H
#define RPC_KDF_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "procs/rpc/wallet_crypto.h"

struct event_base;
typedef struct rpc_kdf_pool rpc_kdf_pool;
typedef struct rpc_kdf_job rpc_kdf_job;

#define RPC_KDF_MAX_THREADS 16u
#define RPC_KDF_DEFAULT_THREADS 1u
#define RPC_KDF_DEFAULT_QUEUE_MAX 4u
#define RPC_KDF_PASSWORD_MAX 4096u /* bytes; longer passwords are refused */

typedef struct {
    unsigned threads;   /* derivations at once; 0 = RPC_KDF_DEFAULT_THREADS */
    unsigned queue_max; /* jobs at once; 0 = RPC_KDF_DEFAULT_QUEUE_MAX */
} rpc_kdf_pool_opts;

/* status: wallet_crypto_derive's (0, -EINVAL, -ENOMEM); key is valid only
 * during the call (wiped afterwards) and only when status is 0. */
typedef void (*rpc_kdf_done_fn)(void *user, int status, const uint8_t key[WALLET_KEY_BYTES]);

/* NULL on failure (logged): no pipe, no thread could start, no memory. */
rpc_kdf_pool *rpc_kdf_pool_new(struct event_base *base, const rpc_kdf_pool_opts *o);
/* Drops every queued job, waits for the running ones, frees everything.
 * Callbacks never run from here: owners abandon their jobs first. NULL is
 * fine. */
void rpc_kdf_pool_free(rpc_kdf_pool *p);

/* Queues Argon2id(password, salt, kdf). Returns 0 (*job set when job is
 * non-NULL; done runs later, exactly once, unless abandoned), -EBUSY
 * (queue_max jobs exist), -EINVAL (kdf out of range, password NULL or
 * longer than RPC_KDF_PASSWORD_MAX) or -ENOMEM. done never runs inside
 * this call. */
int rpc_kdf_pool_submit(rpc_kdf_pool *p, const char *password,
                        const uint8_t salt[WALLET_SALT_BYTES], const wallet_kdf *kdf,
                        rpc_kdf_done_fn done, void *user, rpc_kdf_job **job);
/* The owner no longer wants the key: done never runs, and the job ends as
 * soon as possible (at once when queued). The handle is invalid afterwards. */
void rpc_kdf_pool_abandon(rpc_kdf_pool *p, rpc_kdf_job *job);

/* Jobs that exist now (queued + running + undelivered), and running now. */
size_t rpc_kdf_pool_jobs(rpc_kdf_pool *p);
size_t rpc_kdf_pool_running(rpc_kdf_pool *p);
unsigned rpc_kdf_pool_threads(const rpc_kdf_pool *p);
unsigned rpc_kdf_pool_queue_max(const rpc_kdf_pool *p);

#endif
