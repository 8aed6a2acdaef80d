/* Rollback with an explicit stack of targets, newest block first: a target
 * is "this account down to height h" or "this account down to and
 * including its receive of send S". A received send on top of a chain waits
 * while its receiver's chain is rolled back down to the receive, which
 * makes the send receivable again. The lattice is acyclic (a send precedes
 * its receive), so this ends; the bound makes it end soon. */
#include "procs/ledger/rollback.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t account[32];
    uint64_t height;  /* by height: remove every block at or above it */
    uint8_t send[32]; /* by send: remove down to the receive of this send */
    bool by_send;
} target;

typedef struct {
    target *t;
    size_t n, cap;
} target_stack;

static ledger_status push(target_stack *ts, const target *t)
{
    if (ts->n == ts->cap) {
        size_t ncap = ts->cap ? ts->cap * 2 : 16;
        target *n = realloc(ts->t, ncap * sizeof *n);
        if (!n)
            return LEDGER_STATUS_NOMEM;
        ts->t = n;
        ts->cap = ncap;
    }
    ts->t[ts->n++] = *t;
    return LEDGER_STATUS_OK;
}

static ledger_status list_add(ledger_rollback_list *l, const ledger_block_record *rec)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        ledger_rolled_back *n = realloc(l->v, ncap * sizeof *n);
        if (!n)
            return LEDGER_STATUS_NOMEM;
        l->v = n;
        l->cap = ncap;
    }
    ledger_rolled_back *e = &l->v[l->n++];
    memcpy(e->hash, rec->hash, 32);
    memcpy(e->account, rec->block.account, 32);
    e->height = rec->height;
    e->subtype = rec->subtype;
    return LEDGER_STATUS_OK;
}

void ledger_rollback_list_free(ledger_rollback_list *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Removes rec, its account's frontier with nothing depending on it. */
static ledger_status remove_frontier(ledger_store *s, const ledger_block_record *rec,
                                     ledger_rollback_list *out)
{
    ledger_block_record prev;
    ledger_status r;
    if (rec->height > 1) {
        uint8_t h[32];
        /* rec is above the confirmation height and pruning keeps at least
         * one cemented block: the block below rec is stored. */
        if ((r = ledger_store_block_at(s, rec->block.account, rec->height - 1, h, &prev)) !=
            LEDGER_STATUS_OK)
            return r == LEDGER_STATUS_NOT_FOUND ? LEDGER_STATUS_CORRUPT : r;
    }
    uint8_t source[32] = {0};
    if (rec->subtype == LEDGER_SUBTYPE_RECEIVE || rec->subtype == LEDGER_SUBTYPE_OPEN) {
        ledger_block_record src;
        r = ledger_store_block(s, rec->block.link, &src);
        if (r == LEDGER_STATUS_OK) {
            memcpy(source, src.block.account, 32);
        } else if (r == LEDGER_STATUS_NOT_FOUND) {
            /* A pruned (cemented) send: its account is not known any more. */
            bool pruned;
            if ((r = ledger_store_is_pruned(s, rec->block.link, &pruned)) != LEDGER_STATUS_OK)
                return r;
            if (!pruned)
                return LEDGER_STATUS_CORRUPT;
        } else {
            return r;
        }
    }
    if ((r = ledger_store_unapply(s, rec, rec->height > 1 ? &prev : NULL, source)) !=
        LEDGER_STATUS_OK)
        return r;
    return list_add(out, rec);
}

static ledger_status run(ledger_store *s, target_stack *ts, size_t max, size_t base,
                         ledger_rollback_list *out)
{
    ledger_status r;
    while (ts->n) {
        const target *t = &ts->t[ts->n - 1];
        ledger_account_info ai;
        r = ledger_store_account(s, t->account, &ai);
        if (r == LEDGER_STATUS_NOT_FOUND && !t->by_send) {
            ts->n--; /* its open went too */
            continue;
        }
        if (r != LEDGER_STATUS_OK)
            return r == LEDGER_STATUS_NOT_FOUND ? LEDGER_STATUS_CORRUPT : r;
        if (!t->by_send && ai.height < t->height) {
            ts->n--;
            continue;
        }
        if (ai.height <= ai.conf_height)
            return LEDGER_STATUS_CEMENTED;
        ledger_block_record f;
        uint8_t fh[32];
        if ((r = ledger_store_block_at(s, t->account, ai.height, fh, &f)) != LEDGER_STATUS_OK)
            return r == LEDGER_STATUS_NOT_FOUND ? LEDGER_STATUS_CORRUPT : r;
        bool is_receive = f.subtype == LEDGER_SUBTYPE_RECEIVE || f.subtype == LEDGER_SUBTYPE_OPEN;
        bool last = t->by_send && is_receive && memcmp(f.block.link, t->send, 32) == 0;
        if (f.subtype == LEDGER_SUBTYPE_SEND) {
            ledger_receivable rv;
            r = ledger_store_receivable(s, f.hash, &rv);
            if (r == LEDGER_STATUS_NOT_FOUND) {
                /* Received: the receiver's chain goes first, down to the
                 * receive. Each waiting send is a block still to remove, so
                 * the bound caps the stack too. */
                if (ts->n > max)
                    return LEDGER_STATUS_TOO_LARGE;
                target nt = {.by_send = true};
                memcpy(nt.account, f.block.link, 32);
                memcpy(nt.send, f.hash, 32);
                if ((r = push(ts, &nt)) != LEDGER_STATUS_OK)
                    return r;
                continue;
            }
            if (r != LEDGER_STATUS_OK)
                return r;
        }
        if (out->n - base >= max)
            return LEDGER_STATUS_TOO_LARGE;
        if ((r = remove_frontier(s, &f, out)) != LEDGER_STATUS_OK)
            return r;
        if (last)
            ts->n--;
    }
    return LEDGER_STATUS_OK;
}

ledger_status ledger_rollback_in_tx(ledger_store *s, const uint8_t hash[32], size_t max,
                                    ledger_rollback_list *out)
{
    if (!ledger_store_in_transaction(s))
        return LEDGER_STATUS_INVALID;
    if (max == 0)
        max = LEDGER_ROLLBACK_MAX_DEFAULT;
    ledger_block_record rec;
    ledger_status r = ledger_store_block(s, hash, &rec);
    if (r != LEDGER_STATUS_OK)
        return r;
    if (rec.confirmed)
        return LEDGER_STATUS_CEMENTED;
    target_stack ts = {0};
    target t = {.height = rec.height};
    memcpy(t.account, rec.block.account, 32);
    r = push(&ts, &t);
    if (r == LEDGER_STATUS_OK)
        r = run(s, &ts, max, out->n, out);
    free(ts.t);
    return r;
}

ledger_status ledger_rollback(ledger_store *s, const uint8_t hash[32], size_t max,
                              ledger_rollback_list *out)
{
    out->n = 0;
    ledger_store_end_held(s);
    if (ledger_store_in_transaction(s))
        return LEDGER_STATUS_INVALID;
    ledger_status r = ledger_store_begin(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    r = ledger_rollback_in_tx(s, hash, max, out);
    if (r == LEDGER_STATUS_OK)
        r = ledger_store_commit(s); /* rolls back itself on failure */
    else
        ledger_store_rollback(s);
    if (r != LEDGER_STATUS_OK)
        out->n = 0;
    return r;
}
