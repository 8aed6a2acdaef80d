/* Following the confirmed ledger: the vm process applies every cemented
 * block to the indexer in cementing order and records the last applied
 * cementing seq with it (progress.h). Notifications are the fast path; the
 * ledger DB's cementing log (read-only) is the authority, read on start, on
 * reconnect and whenever a notification skips a seq, so a lost notification
 * costs latency, never data. Applying is idempotent (VM_IDX_ALREADY).
 *
 * One thread; the indexer is borrowed, not owned. */
#ifndef VM_SERVICE_FOLLOW_H
#define VM_SERVICE_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/network.h"
#include "procs/vm/programs/transcript.h"
#include "procs/vm/service/cemented.h"

typedef enum {
    VM_FOLLOW_OK = 0,
    VM_FOLLOW_GAP,        /* queued notifications skip a seq: call vm_follow_catch_up */
    VM_FOLLOW_ERR_LEDGER, /* the ledger DB cannot be opened or read (retry later) */
    VM_FOLLOW_ERR_APPLY,  /* the indexer refused a block (see vm_follow_error) */
    VM_FOLLOW_ERR_DB,     /* the vm DB failed; nothing of the batch was kept */
    VM_FOLLOW_ERR_NOMEM,
} vm_follow_status;

typedef struct vm_follow vm_follow;

/* ledger_path: DATA_DIR/ledger.db, opened read-only on first use (it may
 * not exist yet). net: refuse another network's ledger. NULL on no memory
 * or a vm DB whose progress cannot be read. */
vm_follow *vm_follow_new(vm_indexer *ix, const char *ledger_path, const smn_network *net);
void vm_follow_free(vm_follow *f);

/* The last applied cementing seq (0: nothing yet). */
uint64_t vm_follow_seq(const vm_follow *f);
/* The reason of the last failure, "" if none (owned by f). */
const char *vm_follow_error(const vm_follow *f);

/* Queue a notification; applied by a later vm_follow_flush. A full queue
 * (4096) drops it and remembers a gap, and so does a receive without a
 * source account (its send was pruned: the catch-up finds the source
 * itself); after that, nothing more is queued until the queue has been
 * flushed down to the gap. */
void vm_follow_push(vm_follow *f, const vm_cemented *c);

/* Bound each step by time as well as by count: after every block applied
 * (and every ledger row read) a step asks stop(ud) and, if it says so, ends
 * there, commits what it did and reports *more. At least one block is applied
 * per step, so a step always progresses. Where a step stops never changes the
 * result: blocks are applied in seq order and the next step continues from the
 * seq. stop NULL (the default): steps are bounded by count only. */
typedef bool (*vm_follow_stop_fn)(void *ud);
void vm_follow_set_stop(vm_follow *f, vm_follow_stop_fn stop, void *ud);

/* Notifications waiting for vm_follow_flush. */
size_t vm_follow_queued(const vm_follow *f);

/* Apply the first max (0: all) queued notifications, in queue order and in
 * one transaction, if they continue the seq; stale ones (seq already
 * applied) are skipped. *applied (may be NULL) = blocks newly applied;
 * *more (may be NULL): some are still queued (call again). VM_FOLLOW_GAP
 * if one skipped a seq or the queue reached a drop: the rest of the queue
 * is dropped (the ledger DB has them; call vm_follow_catch_up). On any
 * other failure the queue is dropped too. The stop predicate may end the
 * step early (*more). */
vm_follow_status vm_follow_flush(vm_follow *f, size_t max, size_t *applied, bool *more);

/* Read up to max cemented blocks after the seq from the ledger DB and apply
 * them in one transaction. *more: there may be more to read (also when the
 * stop predicate ended the step early). */
vm_follow_status vm_follow_catch_up(vm_follow *f, size_t max, size_t *applied, bool *more);

#endif
