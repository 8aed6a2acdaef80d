/* Parallel Ed25519 verification of block batches ahead of the write.
 * libsodium has no batch verify, so a small pthread pool runs
 * crypto_sign_verify_detached over disjoint slices; the calling thread
 * works too while it waits. */
#ifndef LEDGER_SIG_VERIFY_H
#define LEDGER_SIG_VERIFY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/block.h"

typedef struct ledger_verifier ledger_verifier;

/* One batch. The caller owns it and keeps it alive from start to wait. */
typedef struct {
    const smn_block *blocks;
    size_t n;
    uint8_t (*hashes)[32]; /* out: block hashes (in: when hashed) */
    bool hashed;           /* the caller filled hashes in: verify only */
    bool *ok;              /* out: signature verified */
    atomic_size_t next;
    atomic_size_t completed;
    unsigned refs; /* workers inside the job (under the verifier's lock) */
} ledger_verify_job;

/* threads worker threads (0 = one per online core). NULL on failure. */
ledger_verifier *ledger_verifier_create(unsigned threads);
void ledger_verifier_destroy(ledger_verifier *v);
unsigned ledger_verifier_threads(const ledger_verifier *v);

/* Hands the job to the workers and returns at once. One job at a time:
 * wait for it before starting another. hashed: hashes already holds each
 * block's hash (the caller computed it: a block is hashed once), else the
 * workers compute them into it. */
void ledger_verifier_start(ledger_verifier *v, ledger_verify_job *job, const smn_block *blocks,
                           size_t n, uint8_t (*hashes)[32], bool hashed, bool *ok);
/* Works on the job from the calling thread, returns when every block of it
 * is verified and no worker touches it any more. */
void ledger_verifier_wait(ledger_verifier *v, ledger_verify_job *job);

#endif
