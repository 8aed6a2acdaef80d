/* Batch processing: parallel signature checks, then validate + apply in
 * one transaction, with the unchecked cascade; see processor.h. */
#include "procs/ledger/processor.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "procs/ledger/validate.h"
#include "procs/ledger/sig_verify.h"

#define TAKE_MAX 64

/* One batch taken from the queue. */
typedef struct {
    smn_block *blocks;
    uint64_t *tags;
    uint8_t (*hashes)[32];
    bool *ok;
    size_t n, pos; /* blocks taken, blocks applied */
} drain_set;

/* Group mode verifies up to this many batches ahead of the one applied:
 * the workers keep verifying through a group's commit (which writes
 * thousands of pages and takes a while). */
#define VERIFY_AHEAD_BATCHES 8

struct ledger_processor {
    ledger_store *s;
    const smn_network *net;
    ledger_view view;
    ledger_verifier *ver;
    size_t batch_max, queue_max;
    ledger_event_fn on_event;
    void *event_user;

    ledger_event *ev; /* events of the open transaction */
    size_t nev, cap_ev;
    uint8_t (*work)[32]; /* hashes whose dependents are still to be released */
    size_t nwork, cap_work;
    smn_block taken[TAKE_MAX];

    uint8_t (*hashes[2])[32]; /* per chunk, double-buffered for the pipeline */
    bool *ok[2];

    pthread_mutex_t qmu;
    smn_block *qblocks;
    uint8_t (*qhashes)[32];
    uint64_t *qtags;
    size_t qhead, qcount;
    smn_block *dblocks; /* a drained batch */
    uint64_t *dtags;
    ledger_result *dresults;

    /* The group: drains that share one open transaction (group_max >
     * batch_max). Results are held until its commit. */
    size_t group_max;
    uint32_t group_ms;
    bool group_open;
    size_t gn;
    struct timespec gstart;
    uint64_t *gtags;
    uint8_t (*ghashes)[32];
    ledger_result *gresults;
    ledger_result_fn gfn;
    void *guser;
    /* Group mode's batches, double-buffered: while one is applied, the
     * next one taken from the queue is verified on the workers (pre). */
    drain_set dset[2];
    size_t ahead; /* capacity of a drain set */
    int dcur;
    bool pre_running, pre_done;
    ledger_verify_job pre_job;
    ledger_processor_stats stats;
};

static uint64_t clock_us(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

static uint64_t mono_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

/* A drain's wall time and the CPU time of the thread that ran it (the
 * loop's: the verify workers' CPU is not in it). */
static void step_done(ledger_processor *p, uint64_t t0, uint64_t c0)
{
    uint64_t us = mono_us() - t0, cpu = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
    if (us > p->stats.step_us_max)
        p->stats.step_us_max = us;
    if (cpu > p->stats.step_cpu_us_max)
        p->stats.step_cpu_us_max = cpu;
}

static void group_hook(void *user);

/* The verifier runs one job at a time: a prefetched batch's job is waited
 * for (its results kept) before the verifier is used for anything else. */
static void prefetch_settle(ledger_processor *p)
{
    if (p->pre_running && !p->pre_done) {
        ledger_verifier_wait(p->ver, &p->pre_job);
        p->pre_done = true;
    }
}

ledger_status ledger_processor_create(ledger_store *s, const ledger_processor_config *cfg,
                                      ledger_processor **out)
{
    *out = NULL;
    ledger_processor *p = calloc(1, sizeof *p);
    if (!p)
        return LEDGER_STATUS_NOMEM;
    p->s = s;
    p->net = ledger_store_network(s);
    ledger_store_view(s, &p->view);
    p->batch_max = cfg && cfg->batch_max ? cfg->batch_max : 4096;
    p->queue_max = cfg && cfg->queue_max ? cfg->queue_max : 65536;
    p->on_event = cfg ? cfg->on_event : NULL;
    p->event_user = cfg ? cfg->event_user : NULL;
    pthread_mutex_init(&p->qmu, NULL);
    p->ver = ledger_verifier_create(cfg ? cfg->verify_threads : 0);
    for (int i = 0; i < 2; i++) {
        p->hashes[i] = malloc(p->batch_max * sizeof *p->hashes[i]);
        p->ok[i] = malloc(p->batch_max * sizeof *p->ok[i]);
    }
    p->qblocks = malloc(p->queue_max * sizeof *p->qblocks);
    p->qtags = malloc(p->queue_max * sizeof *p->qtags);
    p->qhashes = malloc(p->queue_max * sizeof *p->qhashes);
    p->dblocks = malloc(p->batch_max * sizeof *p->dblocks);
    p->dtags = malloc(p->batch_max * sizeof *p->dtags);
    p->dresults = malloc(p->batch_max * sizeof *p->dresults);
    p->group_max = cfg && cfg->group_max > p->batch_max ? cfg->group_max : p->batch_max;
    p->group_ms = cfg && cfg->group_ms ? cfg->group_ms : 5000;
    if (p->group_max > p->batch_max) {
        p->gtags = malloc(p->group_max * sizeof *p->gtags);
        p->ghashes = malloc(p->group_max * sizeof *p->ghashes);
        p->gresults = malloc(p->group_max * sizeof *p->gresults);
        p->ahead = p->batch_max * VERIFY_AHEAD_BATCHES;
        if (p->ahead > p->queue_max)
            p->ahead = p->queue_max;
        for (int i = 0; i < 2; i++) {
            drain_set *d = &p->dset[i];
            d->blocks = malloc(p->ahead * sizeof *d->blocks);
            d->tags = malloc(p->ahead * sizeof *d->tags);
            d->hashes = malloc(p->ahead * sizeof *d->hashes);
            d->ok = malloc(p->ahead * sizeof *d->ok);
        }
    }
    if (!p->ver || !p->hashes[0] || !p->hashes[1] || !p->ok[0] || !p->ok[1] || !p->qblocks ||
        !p->qtags || !p->qhashes || !p->dblocks || !p->dtags || !p->dresults ||
        (p->group_max > p->batch_max &&
         (!p->gtags || !p->ghashes || !p->gresults || !p->dset[0].blocks || !p->dset[0].tags ||
          !p->dset[0].hashes || !p->dset[0].ok || !p->dset[1].blocks || !p->dset[1].tags ||
          !p->dset[1].hashes || !p->dset[1].ok))) {
        ledger_processor_destroy(p);
        return LEDGER_STATUS_NOMEM;
    }
    if (p->group_max > p->batch_max)
        ledger_store_set_begin_hook(s, group_hook, p);
    *out = p;
    return LEDGER_STATUS_OK;
}

void ledger_processor_destroy(ledger_processor *p)
{
    if (!p)
        return;
    if (p->group_max > p->batch_max)
        ledger_store_set_begin_hook(p->s, NULL, NULL);
    if (p->group_open) {
        /* Nobody is told of blocks that were never committed. */
        ledger_store_rollback(p->s);
        p->group_open = false;
    }
    free(p->gtags);
    free(p->ghashes);
    free(p->gresults);
    prefetch_settle(p);
    for (int i = 0; i < 2; i++) {
        free(p->dset[i].blocks);
        free(p->dset[i].tags);
        free(p->dset[i].hashes);
        free(p->dset[i].ok);
    }
    ledger_verifier_destroy(p->ver);
    for (int i = 0; i < 2; i++) {
        free(p->hashes[i]);
        free(p->ok[i]);
    }
    free(p->qblocks);
    free(p->qtags);
    free(p->qhashes);
    free(p->dblocks);
    free(p->dtags);
    free(p->dresults);
    free(p->ev);
    free(p->work);
    pthread_mutex_destroy(&p->qmu);
    free(p);
}

static ledger_event *event_push(ledger_processor *p)
{
    if (p->nev == p->cap_ev) {
        size_t ncap = p->cap_ev ? p->cap_ev * 2 : 256;
        ledger_event *n = realloc(p->ev, ncap * sizeof *n);
        if (!n)
            return NULL;
        p->ev = n;
        p->cap_ev = ncap;
    }
    ledger_event *e = &p->ev[p->nev++];
    memset(e, 0, sizeof *e);
    return e;
}

static ledger_status work_push(ledger_processor *p, const uint8_t hash[32])
{
    if (p->nwork == p->cap_work) {
        size_t ncap = p->cap_work ? p->cap_work * 2 : 64;
        uint8_t(*n)[32] = realloc(p->work, ncap * sizeof *n);
        if (!n)
            return LEDGER_STATUS_NOMEM;
        p->work = n;
        p->cap_work = ncap;
    }
    memcpy(p->work[p->nwork++], hash, 32);
    return LEDGER_STATUS_OK;
}

/* The block now holding the position a fork competes for. */
static ledger_status fork_existing(ledger_processor *p, const smn_block *b, uint8_t out[32])
{
    memset(out, 0, 32);
    uint64_t height = 1;
    if (!smn_block_is_open(b)) {
        ledger_block_record prev;
        ledger_status r = ledger_store_block(p->s, b->previous, &prev);
        if (r != LEDGER_STATUS_OK)
            return r;
        height = prev.height + 1;
    }
    ledger_status r = ledger_store_block_at(p->s, b->account, height, out, NULL);
    return r == LEDGER_STATUS_NOT_FOUND ? LEDGER_STATUS_OK : r;
}

/* Validates and applies one block; accepted hashes go on the work list so
 * their waiting dependents are released. */
static ledger_status handle(ledger_processor *p, const smn_block *b, const uint8_t hash[32],
                            uint64_t tag, ledger_sig_state sig, ledger_result *result)
{
    ledger_validation v;
    ledger_result r = ledger_validate(p->net, &p->view, b, hash, sig, &v);
    *result = r;
    ledger_status st = LEDGER_STATUS_OK;
    ledger_event *e;
    switch (r) {
    case LEDGER_ERROR:
        return LEDGER_STATUS_IO;
    case LEDGER_ACCEPTED:
        if ((st = ledger_store_apply(p->s, b, hash, &v)) != LEDGER_STATUS_OK)
            return st;
        if (!(e = event_push(p)))
            return LEDGER_STATUS_NOMEM;
        e->kind = LEDGER_EVENT_ACCEPTED;
        e->tag = tag;
        e->block = *b;
        memcpy(e->hash, hash, 32);
        e->subtype = v.subtype;
        e->amount = v.amount;
        e->height = v.height;
        return work_push(p, hash);
    case LEDGER_GAP_PREVIOUS:
    case LEDGER_GAP_SOURCE:
        return ledger_store_unchecked_put(p->s, b, hash, v.dependency);
    case LEDGER_FORK:
        if (!(e = event_push(p)))
            return LEDGER_STATUS_NOMEM;
        e->kind = LEDGER_EVENT_FORK;
        e->tag = tag;
        e->block = *b;
        memcpy(e->hash, hash, 32);
        return fork_existing(p, b, e->existing);
    default:
        return LEDGER_STATUS_OK;
    }
}

/* Releases everything waiting (transitively) on the accepted blocks. */
static ledger_status cascade(ledger_processor *p)
{
    while (p->nwork) {
        uint8_t dep[32];
        memcpy(dep, p->work[--p->nwork], 32);
        for (;;) {
            size_t n;
            ledger_status st = ledger_store_unchecked_take(p->s, dep, p->taken, TAKE_MAX, &n);
            if (st != LEDGER_STATUS_OK)
                return st;
            if (n == 0)
                break;
            for (size_t i = 0; i < n; i++) {
                uint8_t h[32];
                ledger_result r;
                smn_block_hash(&p->taken[i], h);
                /* Only blocks whose signature verified are put in unchecked,
                 * and the table is this process's own. */
                if ((st = handle(p, &p->taken[i], h, 0, LEDGER_SIG_GOOD, &r)) != LEDGER_STATUS_OK)
                    return st;
            }
        }
    }
    return LEDGER_STATUS_OK;
}

static void emit_events(ledger_processor *p)
{
    if (p->on_event)
        for (size_t i = 0; i < p->nev; i++)
            p->on_event(p->event_user, &p->ev[i]);
    p->nev = 0;
}

/* tags: the blocks' queue tags, or NULL (not from the queue). */
static ledger_status process_chunk(ledger_processor *p, const smn_block *blocks,
                                   const uint64_t *tags, size_t n, uint8_t (*hashes)[32],
                                   const bool *ok, ledger_result *results)
{
    p->nev = 0;
    p->nwork = 0;
    ledger_status st = ledger_store_begin(p->s);
    for (size_t i = 0; i < n && st == LEDGER_STATUS_OK; i++) {
        st = handle(p, &blocks[i], hashes[i], tags ? tags[i] : 0,
                    ok[i] ? LEDGER_SIG_GOOD : LEDGER_SIG_BAD, &results[i]);
        if (st == LEDGER_STATUS_OK)
            st = cascade(p);
    }
    if (st == LEDGER_STATUS_OK)
        st = ledger_store_commit(p->s);
    if (st != LEDGER_STATUS_OK) {
        smn_error("ledger batch of %zu blocks rolled back: %s (%s)", n, ledger_strerror(st),
                  ledger_store_errmsg(p->s));
        ledger_store_rollback(p->s);
        for (size_t i = 0; i < n; i++)
            results[i] = LEDGER_ERROR;
        p->nev = 0;
        return st;
    }
    emit_events(p);
    return LEDGER_STATUS_OK;
}

/* tags: NULL, or (drain) n <= batch_max (one chunk), the blocks' queue
 * tags, and hashes[0] already holds their hashes. */
static ledger_status process_blocks(ledger_processor *p, const smn_block *blocks,
                                    const uint64_t *tags, size_t n, ledger_result *results)
{
    if (n == 0)
        return LEDGER_STATUS_OK;
    ledger_status gs = ledger_processor_flush(p);
    if (gs != LEDGER_STATUS_OK)
        return gs;
    prefetch_settle(p);
    if (ledger_store_in_transaction(p->s))
        return LEDGER_STATUS_INVALID;
    size_t nchunks = (n + p->batch_max - 1) / p->batch_max;
    ledger_verify_job jobs[2];
    ledger_status first = LEDGER_STATUS_OK;
    size_t len0 = n < p->batch_max ? n : p->batch_max;
    ledger_verifier_start(p->ver, &jobs[0], blocks, len0, p->hashes[0], tags != NULL, p->ok[0]);
    for (size_t c = 0; c < nchunks; c++) {
        int k = (int)(c & 1);
        size_t off = c * p->batch_max;
        size_t len = n - off < p->batch_max ? n - off : p->batch_max;
        ledger_verifier_wait(p->ver, &jobs[k]);
        if (c + 1 < nchunks) {
            size_t noff = off + len;
            size_t nlen = n - noff < p->batch_max ? n - noff : p->batch_max;
            ledger_verifier_start(p->ver, &jobs[k ^ 1], blocks + noff, nlen, p->hashes[k ^ 1],
                                  false, p->ok[k ^ 1]);
        }
        ledger_status st = process_chunk(p, blocks + off, tags ? tags + off : NULL, len,
                                         p->hashes[k], p->ok[k], results + off);
        if (st != LEDGER_STATUS_OK && first == LEDGER_STATUS_OK)
            first = st;
    }
    return first;
}

ledger_status ledger_processor_process(ledger_processor *p, const smn_block *blocks, size_t n,
                                       ledger_result *results)
{
    return process_blocks(p, blocks, NULL, n, results);
}

ledger_status ledger_processor_apply_in_tx(ledger_processor *p, const smn_block *b,
                                           ledger_sig_state sig, ledger_result *result)
{
    *result = LEDGER_ERROR;
    if (!ledger_store_in_transaction(p->s))
        return LEDGER_STATUS_INVALID;
    p->nev = 0;
    p->nwork = 0;
    uint8_t hash[32];
    smn_block_hash(b, hash);
    ledger_status st = handle(p, b, hash, 0, sig, result);
    if (st == LEDGER_STATUS_OK)
        st = cascade(p);
    return st;
}

void ledger_processor_emit_events(ledger_processor *p)
{
    emit_events(p);
}

void ledger_processor_discard_events(ledger_processor *p)
{
    p->nev = 0;
    p->nwork = 0;
}

ledger_result ledger_processor_enqueue(ledger_processor *p, const smn_block *b,
                                       const uint8_t hash[32], uint64_t tag)
{
    ledger_result r = LEDGER_BUSY;
    pthread_mutex_lock(&p->qmu);
    if (p->qcount < p->queue_max) {
        size_t slot = (p->qhead + p->qcount) % p->queue_max;
        p->qblocks[slot] = *b;
        p->qtags[slot] = tag;
        memcpy(p->qhashes[slot], hash, 32);
        p->qcount++;
        r = LEDGER_QUEUED;
    }
    pthread_mutex_unlock(&p->qmu);
    return r;
}

size_t ledger_processor_queued(ledger_processor *p)
{
    pthread_mutex_lock(&p->qmu);
    size_t n = p->qcount;
    pthread_mutex_unlock(&p->qmu);
    return n;
}

/* ---- the group: one transaction over several drains ---- */

/* Reports the group's held results through the drain's callback. */
static void group_report(ledger_processor *p)
{
    if (p->gfn)
        for (size_t i = 0; i < p->gn; i++)
            p->gfn(p->guser, p->gtags[i], p->ghashes[i], p->gresults[i]);
    p->gn = 0;
}

static ledger_status group_fail(ledger_processor *p, ledger_status st)
{
    smn_error("ledger group of %zu blocks rolled back: %s (%s)", p->gn, ledger_strerror(st),
              ledger_store_errmsg(p->s));
    ledger_store_rollback(p->s);
    p->group_open = false;
    p->nev = 0;
    p->nwork = 0;
    for (size_t i = 0; i < p->gn; i++)
        p->gresults[i] = LEDGER_ERROR;
    group_report(p);
    return st;
}

ledger_status ledger_processor_flush(ledger_processor *p)
{
    if (!p->group_open)
        return LEDGER_STATUS_OK;
    uint64_t t0 = mono_us();
    ledger_status st = ledger_store_commit(p->s);
    uint64_t us = mono_us() - t0;
    if (us > p->stats.commit_us_max)
        p->stats.commit_us_max = us;
    if (st != LEDGER_STATUS_OK)
        return group_fail(p, st);
    p->group_open = false;
    p->stats.groups++;
    emit_events(p);
    group_report(p);
    return LEDGER_STATUS_OK;
}

/* Another writer is about to begin (ledger_store_begin): the group commits
 * first, so its results go out before anything that writer announces. */
static void group_hook(void *user)
{
    (void)ledger_processor_flush(user);
}

/* Applies the verified blocks [pos, pos + len) of d in the open group
 * (opened here if needed). */
static ledger_status group_apply(ledger_processor *p, drain_set *d, size_t len)
{
    ledger_status st = LEDGER_STATUS_OK;
    size_t from = d->pos, to = d->pos + len;
    d->pos = to;
    if (!p->group_open) {
        st = ledger_store_begin(p->s);
        if (st != LEDGER_STATUS_OK) {
            /* these blocks were never in a transaction */
            if (p->gfn)
                for (size_t i = from; i < to; i++)
                    p->gfn(p->guser, d->tags[i], d->hashes[i], LEDGER_ERROR);
            return st;
        }
        p->group_open = true;
        p->gn = 0;
        p->nev = 0;
        p->nwork = 0;
        clock_gettime(CLOCK_MONOTONIC, &p->gstart);
    }
    for (size_t i = from; i < to && st == LEDGER_STATUS_OK; i++) {
        size_t g = p->gn++;
        p->gtags[g] = d->tags[i];
        memcpy(p->ghashes[g], d->hashes[i], 32);
        st = handle(p, &d->blocks[i], d->hashes[i], d->tags[i],
                    d->ok[i] ? LEDGER_SIG_GOOD : LEDGER_SIG_BAD, &p->gresults[g]);
        if (st == LEDGER_STATUS_OK)
            st = cascade(p);
    }
    return st == LEDGER_STATUS_OK ? st : group_fail(p, st);
}

/* Moves up to max queued blocks (with the hashes enqueue got) into d. */
static void take(ledger_processor *p, drain_set *d, size_t max)
{
    pthread_mutex_lock(&p->qmu);
    size_t n = p->qcount < max ? p->qcount : max;
    for (size_t i = 0; i < n; i++) {
        size_t slot = (p->qhead + i) % p->queue_max;
        d->blocks[i] = p->qblocks[slot];
        d->tags[i] = p->qtags[slot];
        memcpy(d->hashes[i], p->qhashes[slot], 32);
    }
    p->qhead = (p->qhead + n) % p->queue_max;
    p->qcount -= n;
    pthread_mutex_unlock(&p->qmu);
    d->n = n;
    d->pos = 0;
}

static void verify_ahead(ledger_processor *p, drain_set *d)
{
    ledger_verifier_start(p->ver, &p->pre_job, d->blocks, d->n, d->hashes, true, d->ok);
    p->pre_running = true;
    p->pre_done = false;
}

/* Group mode's drain: applies the next batch_max blocks of the set
 * verified ahead; when that set is used up, the set the workers verified
 * meanwhile (or, cold, one taken and verified now) takes its place and
 * the queue's next blocks go to the workers. */
static ledger_status group_drain(ledger_processor *p, size_t *processed)
{
    drain_set *cur = &p->dset[p->dcur];
    *processed = 0;
    if (cur->pos == cur->n) {
        if (!p->pre_running) {
            drain_set *d = &p->dset[p->dcur ^ 1];
            take(p, d, p->ahead);
            if (!d->n)
                return LEDGER_STATUS_OK;
            verify_ahead(p, d);
        }
        prefetch_settle(p);
        p->pre_running = false;
        p->dcur ^= 1;
        cur = &p->dset[p->dcur];
        drain_set *next = &p->dset[p->dcur ^ 1];
        take(p, next, p->ahead);
        if (next->n)
            verify_ahead(p, next);
    }
    size_t len = cur->n - cur->pos < p->batch_max ? cur->n - cur->pos : p->batch_max;
    *processed = len;
    return group_apply(p, cur, len);
}

/* No block waits: none queued, none verified ahead or being verified. */
static bool nothing_waits(ledger_processor *p)
{
    const drain_set *cur = &p->dset[p->dcur];
    return cur->pos == cur->n && !p->pre_running && ledger_processor_queued(p) == 0;
}

static uint64_t group_age_ms(const ledger_processor *p)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)(t.tv_sec - p->gstart.tv_sec) * 1000u +
           (uint64_t)((t.tv_nsec - p->gstart.tv_nsec) / 1000000);
}

void ledger_processor_get_stats(const ledger_processor *p, ledger_processor_stats *out)
{
    *out = p->stats;
}

bool ledger_processor_group_open(const ledger_processor *p)
{
    return p->group_open;
}

ledger_status ledger_processor_drain(ledger_processor *p, ledger_result_fn fn, void *user,
                                     size_t *processed)
{
    uint64_t t0 = mono_us(), c0 = clock_us(CLOCK_THREAD_CPUTIME_ID);
    ledger_status st;
    if (p->group_max > p->batch_max) {
        p->gfn = fn;
        p->guser = user;
        st = group_drain(p, processed);
        /* Commit when nothing waits (a lone block is not held), when
         * another batch would not fit, or when the group is old enough. */
        if (st == LEDGER_STATUS_OK && p->group_open &&
            (nothing_waits(p) || p->gn + p->batch_max > p->group_max ||
             group_age_ms(p) >= p->group_ms))
            st = ledger_processor_flush(p);
        step_done(p, t0, c0);
        return st;
    }
    /* n <= batch_max: one chunk, verified with the hashes enqueue got
     * (hashes[0] is the first chunk's, and stays as it is) */
    drain_set d = {.blocks = p->dblocks, .tags = p->dtags, .hashes = p->hashes[0]};
    take(p, &d, p->batch_max);
    size_t n = d.n;
    *processed = n;
    st = process_blocks(p, p->dblocks, p->dtags, n, p->dresults);
    if (st == LEDGER_STATUS_INVALID)
        for (size_t i = 0; i < n; i++)
            p->dresults[i] = LEDGER_ERROR;
    if (fn)
        for (size_t i = 0; i < n; i++)
            fn(user, p->dtags[i], p->hashes[0][i], p->dresults[i]);
    step_done(p, t0, c0);
    if (n)
        p->stats.groups++;
    return st;
}
