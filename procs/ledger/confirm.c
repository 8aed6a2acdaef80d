/* Depth-first cementing with an explicit stack: a receive waits on top of
 * its source's chain until that chain is cemented up to the send. The
 * lattice is acyclic (a send precedes its receive), so this terminates. */
#include "procs/ledger/confirm.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t account[32];
    uint64_t height;
} target;

typedef struct {
    target *t;
    size_t n, cap;
    ledger_cemented *done;
    size_t ndone, cap_done;
} confirm_state;

static ledger_status push_target(confirm_state *cs, const uint8_t account[32], uint64_t height)
{
    if (cs->n == cs->cap) {
        size_t ncap = cs->cap ? cs->cap * 2 : 16;
        target *n = realloc(cs->t, ncap * sizeof *n);
        if (!n)
            return LEDGER_STATUS_NOMEM;
        cs->t = n;
        cs->cap = ncap;
    }
    memcpy(cs->t[cs->n].account, account, 32);
    cs->t[cs->n].height = height;
    cs->n++;
    return LEDGER_STATUS_OK;
}

static ledger_status push_done(confirm_state *cs, const ledger_block_record *rec, uint64_t seq)
{
    if (cs->ndone == cs->cap_done) {
        size_t ncap = cs->cap_done ? cs->cap_done * 2 : 16;
        ledger_cemented *n = realloc(cs->done, ncap * sizeof *n);
        if (!n)
            return LEDGER_STATUS_NOMEM;
        cs->done = n;
        cs->cap_done = ncap;
    }
    ledger_cemented *c = &cs->done[cs->ndone++];
    c->block = rec->block;
    memcpy(c->hash, rec->hash, 32);
    c->height = rec->height;
    c->subtype = rec->subtype;
    c->amount = rec->amount;
    c->seq = seq;
    return LEDGER_STATUS_OK;
}

static ledger_status run(ledger_store *s, confirm_state *cs)
{
    ledger_status r;
    while (cs->n) {
        target top = cs->t[cs->n - 1];
        ledger_account_info ai;
        if ((r = ledger_store_account(s, top.account, &ai)) != LEDGER_STATUS_OK)
            return r == LEDGER_STATUS_NOT_FOUND ? LEDGER_STATUS_CORRUPT : r;
        if (ai.conf_height >= top.height) {
            cs->n--;
            continue;
        }
        ledger_block_record rec;
        uint8_t hash[32];
        uint64_t next = ai.conf_height + 1;
        /* Everything above the confirmation height is unpruned. */
        if ((r = ledger_store_block_at(s, top.account, next, hash, &rec)) != LEDGER_STATUS_OK)
            return r == LEDGER_STATUS_NOT_FOUND ? LEDGER_STATUS_CORRUPT : r;
        if (rec.subtype == LEDGER_SUBTYPE_RECEIVE || rec.subtype == LEDGER_SUBTYPE_OPEN) {
            ledger_block_record src;
            r = ledger_store_block(s, rec.block.link, &src);
            if (r == LEDGER_STATUS_OK && !src.confirmed) {
                if ((r = push_target(cs, src.block.account, src.height)) != LEDGER_STATUS_OK)
                    return r;
                continue;
            }
            if (r == LEDGER_STATUS_NOT_FOUND) {
                /* Only a cemented send is pruned. */
                bool pruned;
                if ((r = ledger_store_is_pruned(s, rec.block.link, &pruned)) != LEDGER_STATUS_OK)
                    return r;
                if (!pruned)
                    return LEDGER_STATUS_CORRUPT;
            } else if (r != LEDGER_STATUS_OK) {
                return r;
            }
        }
        uint64_t seq;
        if ((r = ledger_store_set_conf_height(s, top.account, next)) != LEDGER_STATUS_OK ||
            (r = ledger_store_cement_seq(s, &seq)) != LEDGER_STATUS_OK)
            return r;
        if ((r = push_done(cs, &rec, seq)) != LEDGER_STATUS_OK)
            return r;
    }
    return LEDGER_STATUS_OK;
}

ledger_status ledger_confirm(ledger_store *s, const uint8_t hash[32], ledger_cemented_fn fn,
                             void *user, size_t *count)
{
    if (count)
        *count = 0;
    if (ledger_store_in_transaction(s))
        return LEDGER_STATUS_INVALID;
    ledger_block_record rec;
    ledger_status r = ledger_store_block(s, hash, &rec);
    if (r == LEDGER_STATUS_NOT_FOUND) {
        bool pruned;
        if ((r = ledger_store_is_pruned(s, hash, &pruned)) != LEDGER_STATUS_OK)
            return r;
        return pruned ? LEDGER_STATUS_OK : LEDGER_STATUS_NOT_FOUND;
    }
    if (r != LEDGER_STATUS_OK || rec.confirmed)
        return r;

    confirm_state cs = {0};
    if ((r = ledger_store_begin(s)) != LEDGER_STATUS_OK)
        return r;
    r = push_target(&cs, rec.block.account, rec.height);
    if (r == LEDGER_STATUS_OK)
        r = run(s, &cs);
    if (r == LEDGER_STATUS_OK)
        r = ledger_store_commit(s);
    else
        ledger_store_rollback(s);
    if (r == LEDGER_STATUS_OK) {
        for (size_t i = 0; i < cs.ndone; i++)
            if (fn)
                fn(user, &cs.done[i]);
        if (count)
            *count = cs.ndone;
    }
    free(cs.t);
    free(cs.done);
    return r;
}
