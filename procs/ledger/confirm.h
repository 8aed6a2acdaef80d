/* Confirmation: cementing a block and everything it depends on. */
#ifndef LEDGER_CONFIRM_H
#define LEDGER_CONFIRM_H

#include <stddef.h>
#include <stdint.h>

#include "common/block.h"
#include "procs/ledger/store.h"
#include "ipc/ledgerdb/types.h"

typedef struct {
    smn_block block;
    uint8_t hash[32];
    uint64_t height;
    ledger_subtype subtype;
    smn_amount_t amount;
    uint64_t seq; /* its place in the persisted cementing log (store.h) */
} ledger_cemented;

/* Called after the transaction committed, once per newly cemented block, in
 * cementing order: an account's blocks by height, and every send before the
 * receive of it. */
typedef void (*ledger_cemented_fn)(void *user, const ledger_cemented *c);

/* Cements hash and its dependencies (the previous blocks of its chain, and
 * for each receive/open the source send and its own dependencies), raising
 * each account's confirmation height, in one transaction. Idempotent: an
 * already cemented or pruned block cements nothing and returns OK.
 * NOT_FOUND for an unknown block. *count (may be NULL) = blocks newly
 * cemented. Must not be called inside an open store transaction. */
ledger_status ledger_confirm(ledger_store *s, const uint8_t hash[32], ledger_cemented_fn fn,
                             void *user, size_t *count);

/* Newly cemented blocks, in cementing order. */
typedef struct {
    ledger_cemented *v;
    size_t n, cap;
} ledger_cemented_list;
void ledger_cemented_list_free(ledger_cemented_list *l);

/* ledger_confirm inside the caller's open transaction (settle.h): appends
 * the newly cemented blocks to *out, for the caller to report once it has
 * committed. On failure the caller rolls the transaction back. */
ledger_status ledger_confirm_in_tx(ledger_store *s, const uint8_t hash[32],
                                   ledger_cemented_list *out);

/* The same work in bounded slices, one transaction each, for a caller that
 * returns to its event loop in between. A job remembers its explicit stack
 * between slices; the order of what it cements is exactly ledger_confirm's
 * (each slice continues the same depth-first walk). Other writes between
 * slices are fine: blocks cemented meanwhile (another confirm) are skipped,
 * new blocks lie above the job's targets, pruning only removes blocks below
 * confirmation heights. A rollback between slices (settle.h) may remove a
 * target: call ledger_confirm_job_reset, and the next step descends from
 * the hash again, re-reading the ledger. Each committed slice is durable
 * cementing; an interrupted job repeated later (a new job, or
 * ledger_confirm) finishes the rest. */
typedef struct ledger_confirm_job ledger_confirm_job;

ledger_status ledger_confirm_job_new(const uint8_t hash[32], ledger_confirm_job **out);
void ledger_confirm_job_free(ledger_confirm_job *j); /* NULL is fine */
void ledger_confirm_job_reset(ledger_confirm_job *j);

/* One slice: cements at most max (>= 1) blocks in one transaction and
 * appends them to *out (to report after this call: it committed). OK with
 * *finished once the hash is cemented (also when it was already cemented
 * or pruned); NOT_FOUND for an unknown hash (also one rolled back since
 * the job started); any other status: this slice changed nothing and the
 * next step starts the descent again. Must not be called inside an open
 * store transaction. */
ledger_status ledger_confirm_job_step(ledger_store *s, ledger_confirm_job *j, size_t max,
                                      ledger_cemented_list *out, bool *finished);

/* The same slice inside the caller's open transaction, so several jobs'
 * slices share one commit (the ledger service batches small confirms).
 * On any status but OK the caller rolls the transaction back, truncates
 * *out to what it held before the transaction, and resets every job it
 * stepped in it (ledger_confirm_job_reset): their stacks advanced. */
ledger_status ledger_confirm_job_step_in_tx(ledger_store *s, ledger_confirm_job *j, size_t max,
                                            ledger_cemented_list *out, bool *finished);

#endif
