/* Depth-first cementing with an explicit stack: a receive waits on top of
 * its source's chain until that chain is cemented up to the send. The
 * lattice is acyclic (a send precedes its receive), so this terminates. */
#include "procs/ledger/confirm.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t account[32];
    uint8_t hash[32]; /* the hash of the block at height (known by whoever pushed it) */
    uint64_t height;  /* cement the account up to here */
    uint64_t waiting; /* the height whose source is the target pushed above, 0 = none */
    uint64_t ready;   /* a height whose source is known cemented, 0 = none */
    bool open;        /* its chain cursor (slot frame_slot()) is open, this slice */
    bool held;        /* that cursor stands on the receive at waiting */
} target;

/* Frames below the last slot keep their own chain cursor while they wait
 * for a source (no seek and no re-read when the walk comes back); deeper
 * frames share the last slot and open it per visit. */
static unsigned frame_slot(size_t ti)
{
    return ti < LEDGER_CHAIN_CURSORS - 1 ? (unsigned)ti : LEDGER_CHAIN_CURSORS - 1;
}

static bool frame_keeps_cursor(size_t ti)
{
    return ti < LEDGER_CHAIN_CURSORS - 1;
}

/* The confirmation heights one run (one slice) read or raised, by account:
 * each account's row is read at most once per slice and its raised height
 * written once, when the slice ends (conf_flush). Bounded by the accounts a
 * slice touches: the stack's plus one per cemented block. */
typedef struct {
    uint8_t account[32];
    uint64_t conf;        /* the account's confirmation height in this slice */
    uint64_t stored;      /* the height its row holds */
    smn_amount_t balance; /* of the block at conf, when balance_known */
    bool balance_known;   /* this slice cemented that block: no cursor reads it again */
    bool used;
} conf_slot;

typedef struct {
    conf_slot *v;
    size_t cap, used;
} conf_map;

typedef struct {
    target *t;
    size_t n, cap;
    ledger_cemented_list *done;
    conf_map confs;
} confirm_state;

struct ledger_confirm_job {
    uint8_t hash[32];
    confirm_state cs; /* the stack between slices; done is per slice */
    bool started;     /* the stack holds the descent from hash */
};

static ledger_status push_target(confirm_state *cs, const uint8_t account[32], uint64_t height,
                                 const uint8_t hash[32])
{
    if (cs->n == cs->cap) {
        size_t ncap = cs->cap ? cs->cap * 2 : 16;
        target *n = realloc(cs->t, ncap * sizeof *n);
        if (!n)
            return LEDGER_STATUS_NOMEM;
        cs->t = n;
        cs->cap = ncap;
    }
    target *t = &cs->t[cs->n++];
    memset(t, 0, sizeof *t);
    memcpy(t->account, account, 32);
    memcpy(t->hash, hash, 32);
    t->height = height;
    return LEDGER_STATUS_OK;
}

static size_t conf_index(const conf_map *m, const uint8_t account[32])
{
    uint64_t h;
    memcpy(&h, account, sizeof h); /* public keys: already uniform */
    size_t j = (size_t)h & (m->cap - 1);
    while (m->v[j].used && memcmp(m->v[j].account, account, 32) != 0)
        j = (j + 1) & (m->cap - 1);
    return j;
}

static conf_slot *conf_find(conf_map *m, const uint8_t account[32])
{
    if (!m->used)
        return NULL;
    conf_slot *c = &m->v[conf_index(m, account)];
    return c->used ? c : NULL;
}

/* Adds account (not in the map) with the height its row holds. */
static ledger_status conf_add(conf_map *m, const uint8_t account[32], uint64_t stored,
                              conf_slot **out)
{
    if ((m->used + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 256;
        conf_map grown = {.v = calloc(ncap, sizeof *grown.v), .cap = ncap};
        if (!grown.v)
            return LEDGER_STATUS_NOMEM;
        for (size_t i = 0; i < m->cap; i++)
            if (m->v[i].used)
                grown.v[conf_index(&grown, m->v[i].account)] = m->v[i];
        grown.used = m->used;
        free(m->v);
        *m = grown;
    }
    conf_slot *c = &m->v[conf_index(m, account)];
    memcpy(c->account, account, 32);
    c->conf = c->stored = stored;
    c->balance_known = false;
    c->used = true;
    m->used++;
    *out = c;
    return LEDGER_STATUS_OK;
}

static void conf_clear(conf_map *m)
{
    if (m->used)
        memset(m->v, 0, m->cap * sizeof *m->v);
    m->used = 0;
}

/* Writes every raised confirmation height of the slice (once each). */
static ledger_status conf_flush(ledger_store *s, conf_map *m)
{
    for (size_t i = 0; i < m->cap && m->used; i++) {
        conf_slot *c = &m->v[i];
        if (!c->used || c->conf == c->stored)
            continue;
        ledger_status r = ledger_store_raise_conf_height(s, c->account, c->conf);
        if (r != LEDGER_STATUS_OK)
            return r;
        c->stored = c->conf;
    }
    return LEDGER_STATUS_OK;
}

/* The account's confirmation height in this slice: from the map, else its
 * row (read once, then kept). */
static ledger_status conf_get(ledger_store *s, conf_map *m, const uint8_t account[32],
                              conf_slot **out)
{
    if ((*out = conf_find(m, account)))
        return LEDGER_STATUS_OK;
    ledger_account_info ai;
    ledger_status r = ledger_store_account(s, account, &ai);
    if (r != LEDGER_STATUS_OK)
        return r == LEDGER_STATUS_NOT_FOUND ? LEDGER_STATUS_CORRUPT : r;
    return conf_add(m, account, ai.conf_height, out);
}

static ledger_status push_done(confirm_state *cs, const ledger_block_record *rec, uint64_t seq)
{
    ledger_cemented_list *l = cs->done;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        ledger_cemented *n = realloc(l->v, ncap * sizeof *n);
        if (!n)
            return LEDGER_STATUS_NOMEM;
        l->v = n;
        l->cap = ncap;
    }
    ledger_cemented *c = &l->v[l->n++];
    c->block = rec->block; /* the hash follows (hash_known) */
    c->height = rec->height;
    c->subtype = rec->subtype;
    c->amount = rec->amount;
    c->seq = seq;
    return LEDGER_STATUS_OK;
}

/* Whether the source send of a receive/open is cemented: OK with *ready,
 * or OK with !*ready and its (account, height) pushed as the next target. */
static ledger_status source_ready(ledger_store *s, confirm_state *cs, const uint8_t link[32],
                                  bool *ready)
{
    uint8_t account[32];
    uint64_t height, conf;
    *ready = true;
    ledger_status r = ledger_store_source(s, link, account, &height, &conf);
    if (r == LEDGER_STATUS_NOT_FOUND) {
        /* Only a cemented send is pruned. */
        bool pruned;
        if ((r = ledger_store_is_pruned(s, link, &pruned)) != LEDGER_STATUS_OK)
            return r;
        return pruned ? LEDGER_STATUS_OK : LEDGER_STATUS_CORRUPT;
    }
    if (r != LEDGER_STATUS_OK)
        return r;
    /* The row's height is stale for an account this slice raised. */
    conf_slot *c = conf_find(&cs->confs, account);
    if (!c && (r = conf_add(&cs->confs, account, conf, &c)) != LEDGER_STATUS_OK)
        return r;
    if (height <= c->conf)
        return LEDGER_STATUS_OK;
    *ready = false;
    return push_target(cs, account, height, link);
}

/* The hash of the cemented block done[i] is known now; a send's
 * receivable counts as confirmed from here. The chain cursor does not hash
 * (schema 6 stores no hash): a block's hash is its successor's previous,
 * read next by the same cursor, or the target's, known to whoever pushed
 * it; only a block that ends a slice is hashed (walk). */
static ledger_status hash_known(ledger_store *s, confirm_state *cs, size_t i,
                                const uint8_t hash[32])
{
    ledger_cemented *c = &cs->done->v[i];
    memcpy(c->hash, hash, 32);
    return c->subtype == LEDGER_SUBTYPE_SEND ? ledger_store_cemented_send(s, c->hash)
                                             : LEDGER_STATUS_OK;
}

/* The top target is reached: pop it; the block that waited for it (a
 * receive of the send it ends at) no longer needs to look its source up. */
static void pop_reached(confirm_state *cs)
{
    cs->n--;
    if (cs->n && cs->t[cs->n - 1].waiting) {
        cs->t[cs->n - 1].ready = cs->t[cs->n - 1].waiting;
        cs->t[cs->n - 1].waiting = 0;
    }
}

/* Cements until the stack is empty or max blocks were appended to done.
 * An account's row is read at most once per slice (conf_map) and its
 * raised confirmation height written once, when the slice ends; its blocks
 * above the confirmation height come from one cursor per visit (a row
 * each), each is appended to the log. A receive's source is looked up
 * once: when that source had to be cemented first, its completion marks
 * the receive ready. */
static void close_frame(ledger_store *s, confirm_state *cs, size_t ti)
{
    if (cs->t[ti].open)
        ledger_store_chain_close(s, frame_slot(ti));
    cs->t[ti].open = cs->t[ti].held = false;
}

static void close_all(ledger_store *s, confirm_state *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        close_frame(s, cs, i);
}

static ledger_status walk(ledger_store *s, confirm_state *cs, size_t max)
{
    ledger_status r;
    size_t start = cs->done->n;
    while (cs->n && cs->done->n - start < max) {
        size_t ti = cs->n - 1;
        target top = cs->t[ti];
        unsigned slot = frame_slot(ti);
        conf_slot *c;
        if ((r = conf_get(s, &cs->confs, top.account, &c)) != LEDGER_STATUS_OK)
            return r;
        if (c->conf >= top.height) {
            close_frame(s, cs, ti);
            pop_reached(cs);
            continue;
        }
        uint64_t h = c->conf;
        /* Everything above the confirmation height is unpruned. The
         * frame's cursor, when open, stands at h: nothing deeper raised this
         * account meanwhile (a send precedes its receive). */
        bool held = top.open && top.held;
        r = LEDGER_STATUS_OK;
        if (!top.open) {
            r = ledger_store_chain_open(s, slot, top.account, h, top.height,
                                        c->balance_known ? &c->balance : NULL);
            cs->t[ti].open = r == LEDGER_STATUS_OK;
        }
        cs->t[ti].held = false;
        bool waits = false;
        smn_amount_t balance = smn_amount_zero(); /* of the block at h, once one is cemented */
        size_t unhashed = SIZE_MAX;               /* done's last block, its hash not known yet */
        while (r == LEDGER_STATUS_OK && h < top.height && cs->done->n - start < max) {
            ledger_block_record rec;
            int64_t row;
            r = held ? ledger_store_chain_current(s, slot, &rec, &row)
                     : ledger_store_chain_next(s, slot, &rec, &row);
            held = false;
            if (r != LEDGER_STATUS_OK) {
                if (r == LEDGER_STATUS_NOT_FOUND)
                    r = LEDGER_STATUS_CORRUPT;
                break;
            }
            if (rec.height != h + 1) {
                r = LEDGER_STATUS_CORRUPT; /* a gap in the chain */
                break;
            }
            if (unhashed != SIZE_MAX &&
                (r = hash_known(s, cs, unhashed, rec.block.previous)) != LEDGER_STATUS_OK)
                break;
            unhashed = SIZE_MAX;
            if ((rec.subtype == LEDGER_SUBTYPE_RECEIVE || rec.subtype == LEDGER_SUBTYPE_OPEN) &&
                cs->t[ti].ready != rec.height) {
                bool ready;
                cs->t[ti].waiting = rec.height;
                if ((r = source_ready(s, cs, rec.block.link, &ready)) != LEDGER_STATUS_OK)
                    break;
                if (!ready) {
                    waits = true;
                    break;
                }
                cs->t[ti].waiting = 0;
            }
            uint64_t seq;
            if ((r = ledger_store_cement_block(s, row, &seq)) != LEDGER_STATUS_OK)
                break;
            if ((r = push_done(cs, &rec, seq)) != LEDGER_STATUS_OK)
                break;
            balance = rec.block.balance;
            if (++h == top.height)
                r = hash_known(s, cs, cs->done->n - 1, top.hash);
            else
                unhashed = cs->done->n - 1;
        }
        if (r == LEDGER_STATUS_OK && unhashed != SIZE_MAX) {
            uint8_t hash[32]; /* the slice ends above it */
            smn_block_hash(&cs->done->v[unhashed].block, hash);
            r = hash_known(s, cs, unhashed, hash);
        }
        if (r != LEDGER_STATUS_OK) {
            close_all(s, cs);
            return r;
        }
        /* (source_ready may have grown the map: look the slot up again) */
        c = conf_find(&cs->confs, top.account);
        if (h != c->conf) {
            c->conf = h;
            c->balance = balance;
            c->balance_known = true;
        }
        if (waits && frame_keeps_cursor(ti))
            cs->t[ti].held = true; /* the cursor stays on the waiting receive */
        else if (h >= top.height || !frame_keeps_cursor(ti) || waits)
            close_frame(s, cs, ti);
        /* A source pushed above stops the walk below the target. */
        if (h >= top.height)
            pop_reached(cs);
    }
    return LEDGER_STATUS_OK;
}

static ledger_status run(ledger_store *s, confirm_state *cs, size_t max)
{
    /* Other writes may run between slices: nothing is kept across. */
    conf_clear(&cs->confs);
    ledger_status r = walk(s, cs, max);
    close_all(s, cs); /* cursors live within one slice */
    if (r == LEDGER_STATUS_OK)
        r = conf_flush(s, &cs->confs);
    conf_clear(&cs->confs);
    return r;
}

void ledger_cemented_list_free(ledger_cemented_list *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* The block to cement: OK with *rec, or OK with *skip (already cemented or
 * pruned), or NOT_FOUND. */
static ledger_status find(ledger_store *s, const uint8_t hash[32], ledger_block_record *rec,
                          bool *skip)
{
    *skip = false;
    ledger_status r = ledger_store_block(s, hash, rec);
    if (r == LEDGER_STATUS_NOT_FOUND) {
        bool pruned;
        if ((r = ledger_store_is_pruned(s, hash, &pruned)) != LEDGER_STATUS_OK)
            return r;
        *skip = pruned;
        return pruned ? LEDGER_STATUS_OK : LEDGER_STATUS_NOT_FOUND;
    }
    if (r == LEDGER_STATUS_OK)
        *skip = rec->confirmed;
    return r;
}

ledger_status ledger_confirm_in_tx(ledger_store *s, const uint8_t hash[32],
                                   ledger_cemented_list *out)
{
    if (!ledger_store_in_transaction(s))
        return LEDGER_STATUS_INVALID;
    ledger_block_record rec;
    bool skip;
    ledger_status r = find(s, hash, &rec, &skip);
    if (r != LEDGER_STATUS_OK || skip)
        return r;
    confirm_state cs = {.done = out};
    r = push_target(&cs, rec.block.account, rec.height, hash);
    if (r == LEDGER_STATUS_OK)
        r = run(s, &cs, SIZE_MAX);
    free(cs.t);
    free(cs.confs.v);
    return r;
}

ledger_status ledger_confirm(ledger_store *s, const uint8_t hash[32], ledger_cemented_fn fn,
                             void *user, size_t *count)
{
    if (count)
        *count = 0;
    ledger_store_end_held(s);
    if (ledger_store_in_transaction(s))
        return LEDGER_STATUS_INVALID;
    ledger_block_record rec;
    bool skip;
    ledger_status r = find(s, hash, &rec, &skip);
    if (r != LEDGER_STATUS_OK || skip)
        return r;

    ledger_cemented_list done = {0};
    if ((r = ledger_store_begin(s)) != LEDGER_STATUS_OK)
        return r;
    r = ledger_confirm_in_tx(s, hash, &done);
    if (r == LEDGER_STATUS_OK)
        r = ledger_store_commit(s);
    else
        ledger_store_rollback(s);
    if (r == LEDGER_STATUS_OK) {
        for (size_t i = 0; i < done.n; i++)
            if (fn)
                fn(user, &done.v[i]);
        if (count)
            *count = done.n;
    }
    ledger_cemented_list_free(&done);
    return r;
}

ledger_status ledger_confirm_job_new(const uint8_t hash[32], ledger_confirm_job **out)
{
    ledger_confirm_job *j = calloc(1, sizeof *j);
    if (!j)
        return LEDGER_STATUS_NOMEM;
    memcpy(j->hash, hash, 32);
    *out = j;
    return LEDGER_STATUS_OK;
}

void ledger_confirm_job_free(ledger_confirm_job *j)
{
    if (!j)
        return;
    free(j->cs.t);
    free(j->cs.confs.v);
    free(j);
}

void ledger_confirm_job_reset(ledger_confirm_job *j)
{
    j->cs.n = 0;
    j->started = false;
}

ledger_status ledger_confirm_job_step_in_tx(ledger_store *s, ledger_confirm_job *j, size_t max,
                                            ledger_cemented_list *out, bool *finished)
{
    *finished = false;
    if (!ledger_store_in_transaction(s) || max == 0)
        return LEDGER_STATUS_INVALID;
    ledger_status r = LEDGER_STATUS_OK;
    if (!j->started) {
        /* A fresh job, or one whose stack a rollback may have invalidated:
         * descend from the hash again. Cemented blocks are skipped, so this
         * resumes where the last committed slice stopped, in the same order. */
        ledger_block_record rec;
        bool skip;
        r = find(s, j->hash, &rec, &skip);
        if (r == LEDGER_STATUS_OK && !skip)
            r = push_target(&j->cs, rec.block.account, rec.height, j->hash);
        if (r == LEDGER_STATUS_OK)
            j->started = true;
    }
    j->cs.done = out;
    if (r == LEDGER_STATUS_OK)
        r = run(s, &j->cs, max);
    j->cs.done = NULL;
    if (r == LEDGER_STATUS_OK)
        *finished = j->cs.n == 0;
    return r;
}

ledger_status ledger_confirm_job_step(ledger_store *s, ledger_confirm_job *j, size_t max,
                                      ledger_cemented_list *out, bool *finished)
{
    *finished = false;
    ledger_store_end_held(s);
    if (ledger_store_in_transaction(s) || max == 0)
        return LEDGER_STATUS_INVALID;
    size_t first = out->n;
    ledger_status r = ledger_store_begin(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    r = ledger_confirm_job_step_in_tx(s, j, max, out, finished);
    if (r == LEDGER_STATUS_OK)
        r = ledger_store_commit(s); /* rolls back itself on failure */
    else
        ledger_store_rollback(s);
    if (r != LEDGER_STATUS_OK) {
        *finished = false;
        out->n = first; /* nothing of this slice happened */
        ledger_confirm_job_reset(j);
        return r;
    }
    return LEDGER_STATUS_OK;
}
