/* The ledger follower; see follow.h. */
#include "common/block.h"
#include "procs/vm/service/follow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ipc/ledgerdb/ro_handle.h"
#include "procs/vm/service/progress.h"

#define QUEUE_MAX 4096 /* notifications between two flushes; more is a gap */
#define PAGE_MAX 512   /* cementing-log rows read per catch-up step */

struct vm_follow {
    vm_indexer *ix;
    ledger_ro_handle ro; /* ledger.db, opened on first use, reopened after an error */
    uint64_t seq;
    vm_cemented *q; /* q[qh..nq) wait, in arrival order */
    size_t qh, nq, capq;
    bool dropped; /* a notification was dropped: the queue ends in a gap */
    ledger_ro_cemented *page;
    sqlite3_stmt *progress_st; /* vm_progress_set_cached's */
    uint64_t refused_seq;      /* the seq the indexer last refused (logged once) */
    vm_follow_stop_fn stop;    /* ends a step early (the loop's time bound) */
    void *stop_ud;
    char err[256];
};

vm_follow *vm_follow_new(vm_indexer *ix, const char *ledger_path, const smn_network *net)
{
    vm_follow *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->ix = ix;
    ledger_ro_handle_opts ro = {.path = ledger_path, .net = net};
    f->page = calloc(PAGE_MAX, sizeof *f->page);
    if (ledger_ro_handle_init(&f->ro, &ro) != LEDGER_STATUS_OK || !f->page ||
        vm_progress_get(vm_indexer_db(ix), &f->seq) != SQLITE_OK) {
        vm_follow_free(f);
        return NULL;
    }
    return f;
}

void vm_follow_free(vm_follow *f)
{
    if (!f)
        return;
    sqlite3_finalize(f->progress_st);
    ledger_ro_handle_close(&f->ro);
    free(f->q);
    free(f->page);
    free(f);
}

uint64_t vm_follow_seq(const vm_follow *f)
{
    return f->seq;
}

void vm_follow_set_stop(vm_follow *f, vm_follow_stop_fn stop, void *ud)
{
    f->stop = stop;
    f->stop_ud = ud;
}

static bool should_stop(const vm_follow *f)
{
    return f->stop && f->stop(f->stop_ud);
}

const char *vm_follow_error(const vm_follow *f)
{
    return f->err;
}

void vm_follow_push(vm_follow *f, const vm_cemented *c)
{
    /* After a drop, the queue ends in a gap: whatever comes later cannot be
     * applied before the catch-up has read the gap from the ledger DB. */
    if (f->dropped)
        return;
    /* A receive whose source the ledger had already pruned comes with a
     * zero source account; the DB path knows it from the vm DB's records. */
    bool genesis = c->b.height == 1 && memcmp(c->b.link, c->b.account, 32) == 0;
    if (smn_amount_gt(c->b.balance, c->b.prev_balance) && !genesis &&
        smn_is_zero32(c->b.source_account)) {
        f->dropped = true;
        return;
    }
    if (f->nq == f->capq && f->qh > 0) {
        memmove(f->q, f->q + f->qh, (f->nq - f->qh) * sizeof *f->q);
        f->nq -= f->qh;
        f->qh = 0;
    }
    if (f->nq == f->capq) {
        size_t cap = f->capq ? f->capq * 2 : 64;
        vm_cemented *q = cap <= QUEUE_MAX ? realloc(f->q, cap * sizeof *q) : NULL;
        if (!q) {
            f->dropped = true;
            return;
        }
        f->q = q;
        f->capq = cap;
    }
    f->q[f->nq++] = *c;
}

size_t vm_follow_queued(const vm_follow *f)
{
    return f->nq - f->qh;
}

/* Apply list[0..n) (seq ascending, all > f->seq) in one transaction. With
 * strict, each must be exactly the next seq; the first that is not ends the
 * batch with VM_FOLLOW_GAP. The stop predicate may end the batch after any
 * block applied; *used (may be NULL) = entries of list consumed (on OK). */
static vm_follow_status apply_batch(vm_follow *f, const vm_cemented *list, size_t n, bool strict,
                                    size_t *applied, size_t *used)
{
    size_t i = 0;
    size_t done = 0;
    uint64_t seq = f->seq;
    vm_follow_status out = VM_FOLLOW_OK;
    if (vm_indexer_begin_batch(f->ix) != VM_IDX_OK) {
        snprintf(f->err, sizeof f->err, "vm db: cannot begin a transaction");
        return VM_FOLLOW_ERR_DB;
    }
    for (; i < n; i++) {
        const vm_cemented *c = &list[i];
        if (c->seq <= seq)
            continue;
        if (strict && c->seq != seq + 1) {
            out = VM_FOLLOW_GAP;
            break;
        }
        vm_idx_status st = vm_indexer_apply(f->ix, &c->b);
        if (st == VM_IDX_ERR_DB || st == VM_IDX_ERR_NOMEM) {
            /* The block rolled back on its own; keep what came before. */
            snprintf(f->err, sizeof f->err, "vm db: %s at seq %llu", vm_idx_strerror(st),
                     (unsigned long long)c->seq);
            out = st == VM_IDX_ERR_NOMEM ? VM_FOLLOW_ERR_NOMEM : VM_FOLLOW_ERR_DB;
            break;
        }
        if (st != VM_IDX_OK && st != VM_IDX_ALREADY) {
            /* The ledger and the indexer disagree (order or source): stop at
             * this block rather than skip it; it is retried later. */
            snprintf(f->err, sizeof f->err, "indexer refused seq %llu (account height %llu): %s",
                     (unsigned long long)c->seq, (unsigned long long)c->b.height,
                     vm_idx_strerror(st));
            if (f->refused_seq != c->seq)
                smn_error("%s", f->err);
            f->refused_seq = c->seq;
            out = VM_FOLLOW_ERR_APPLY;
            break;
        }
        seq = c->seq;
        if (st == VM_IDX_OK)
            done++;
        if (i + 1 < n && should_stop(f)) {
            i++;
            break;
        }
    }
    sqlite3 *db = vm_indexer_db(f->ix);
    if (seq != f->seq && vm_progress_set_cached(db, &f->progress_st, seq) != SQLITE_OK) {
        snprintf(f->err, sizeof f->err, "vm db: cannot record progress: %s", sqlite3_errmsg(db));
        /* The blocks may stay: re-applying them later is a no-op. */
        if (vm_indexer_commit_batch(f->ix) != VM_IDX_OK && !sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return VM_FOLLOW_ERR_DB;
    }
    if (vm_indexer_commit_batch(f->ix) != VM_IDX_OK) {
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        snprintf(f->err, sizeof f->err, "vm db: commit failed");
        return VM_FOLLOW_ERR_DB;
    }
    f->seq = seq;
    if (applied)
        *applied += done;
    if (used)
        *used = i;
    return out;
}

static void drop_queue(vm_follow *f)
{
    f->qh = f->nq = 0;
    f->dropped = false;
}

vm_follow_status vm_follow_flush(vm_follow *f, size_t max, size_t *applied, bool *more)
{
    size_t done = 0;
    size_t n = f->nq - f->qh;
    if (max && n > max)
        n = max;
    size_t used = 0;
    vm_follow_status st = n ? apply_batch(f, f->q + f->qh, n, true, &done, &used) : VM_FOLLOW_OK;
    if (applied)
        *applied = done;
    if (more)
        *more = false;
    if (st != VM_FOLLOW_OK) {
        /* A gap, or a failure the catch-up retries: the ledger DB has them. */
        drop_queue(f);
        return st;
    }
    f->qh += used;
    if (f->qh < f->nq) {
        if (more)
            *more = true;
        return VM_FOLLOW_OK;
    }
    bool dropped = f->dropped;
    drop_queue(f);
    return dropped ? VM_FOLLOW_GAP : VM_FOLLOW_OK;
}

static ledger_ro *open_ledger(vm_follow *f)
{
    ledger_ro *ro = ledger_ro_handle_get(&f->ro, 0); /* retried at every catch-up */
    if (!ro)
        snprintf(f->err, sizeof f->err, "ledger db %s: %s", ledger_ro_handle_path(&f->ro),
                 ledger_ro_handle_error(&f->ro));
    return ro;
}

vm_follow_status vm_follow_catch_up(vm_follow *f, size_t max, size_t *applied, bool *more)
{
    *more = false;
    if (applied)
        *applied = 0;
    ledger_ro *ro = open_ledger(f);
    if (!ro)
        return VM_FOLLOW_ERR_LEDGER;
    vm_follow_status st = VM_FOLLOW_OK;
    if (max == 0 || max > PAGE_MAX)
        max = PAGE_MAX;
    size_t n = 0;
    ledger_status ls = ledger_ro_cemented_after(ro, f->seq, f->page, max, &n);
    if (ls != LEDGER_STATUS_OK) {
        snprintf(f->err, sizeof f->err, "ledger db: %s", ledger_ro_errmsg(ro));
        /* Reopen next time: the file may have been replaced. */
        ledger_ro_handle_failed(&f->ro, ls);
        return VM_FOLLOW_ERR_LEDGER;
    }
    if (n == 0)
        return VM_FOLLOW_OK;
    vm_cemented *list = malloc(n * sizeof *list);
    if (!list)
        return VM_FOLLOW_ERR_NOMEM;
    size_t k = 0;
    st = VM_FOLLOW_OK;
    for (size_t i = 0; i < n; i++) {
        vm_cem_status cs = vm_cemented_from_row(ro, vm_indexer_db(f->ix), &f->page[i], &list[k]);
        if (cs != VM_CEM_OK) {
            snprintf(f->err, sizeof f->err, "cannot apply seq %llu: %s",
                     (unsigned long long)f->page[i].seq, vm_cem_strerror(cs));
            if (f->refused_seq != f->page[i].seq)
                smn_error("%s", f->err);
            f->refused_seq = f->page[i].seq;
            st = cs == VM_CEM_PRUNED ? VM_FOLLOW_ERR_APPLY : VM_FOLLOW_ERR_LEDGER;
            break;
        }
        k++;
        /* Reading rows takes time too: the step's bound counts it. */
        if (k < n && should_stop(f))
            break;
    }
    size_t used = 0;
    vm_follow_status ast = k ? apply_batch(f, list, k, false, applied, &used) : VM_FOLLOW_OK;
    free(list);
    if (ast != VM_FOLLOW_OK)
        return ast;
    if (st != VM_FOLLOW_OK)
        return st;
    *more = n == max || used < n; /* used < n: the stop predicate ended the step */
    return VM_FOLLOW_OK;
}
