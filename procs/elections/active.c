#include "procs/elections/active.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procs/elections/weight.h"

/* Voters remembered per cached hash; a heavier one displaces the lightest. */
#define CACHE_VOTERS 16
#define MAX_REPS 16

typedef struct {
    uint8_t rep[32];
    uint64_t timestamp;
    smn_amount_t weight;
} cached_ballot;

typedef struct {
    uint8_t hash[32];
    uint64_t tick; /* when first cached */
    uint64_t seq;  /* insertion order, for eviction */
    size_t n;
    cached_ballot b[CACHE_VOTERS];
} cache_entry;

typedef struct {
    uint8_t hash[32];
    elections_election *e;
} hash_ref;

typedef struct {
    uint8_t key[32];
    uint64_t seq;
} recent_entry;

/* A bounded set of 32-byte keys, sorted; the oldest insert leaves first. */
typedef struct {
    recent_entry *e;
    size_t n, cap;
    uint64_t seq;
} recent_set;

struct elections_active {
    elections_active_config cfg;
    elections_active_callbacks cb;
    uint64_t now;
    elections_election **by_root; /* sorted by root, cfg.max_elections slots */
    size_t n;
    hash_ref *by_hash; /* sorted by hash */
    size_t nh, caph;
    cache_entry **cache; /* sorted by hash, cfg.vote_cache_entries slots */
    size_t nc;
    uint64_t cache_seq;
    recent_set done_hashes; /* winners confirmed recently */
    recent_set done_roots;  /* their roots: no fork of them may start again */
    elections_online *online;
    elections_rep *reps[MAX_REPS];
    size_t nreps;
    uint8_t (*queue)[32]; /* roots whose elections need a recount */
    size_t qhead, qn, qcap;
    uint8_t req_cursor[32]; /* the root after which the next request walk starts */
};

void elections_active_config_default(elections_active_config *c)
{
    memset(c, 0, sizeof *c);
    c->max_elections = 5000;
    c->election_ttl = 300;
    c->quorum_percent = 67;
    c->online_weight_minimum = smn_amount_zero();
    c->online_window = 300;
    c->max_online_reps = 1024;
    c->vote_cache_entries = 1024;
    c->vote_cache_ttl = 300;
    c->recent_confirmed = 8192;
    c->request_interval = 5;
    c->request_interval_max = 100;
}

elections_active *elections_active_new(const elections_active_config *cfg,
                                       const elections_active_callbacks *cb)
{
    if (!cfg || cfg->max_elections == 0 || cfg->max_online_reps == 0 ||
        cfg->vote_cache_entries == 0 || cfg->recent_confirmed == 0 || cfg->quorum_percent == 0)
        return NULL;
    elections_active *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->cfg = *cfg;
    if (a->cfg.quorum_percent > 100)
        a->cfg.quorum_percent = 100;
    if (cb)
        a->cb = *cb;
    a->by_root = calloc(cfg->max_elections, sizeof *a->by_root);
    a->cache = calloc(cfg->vote_cache_entries, sizeof *a->cache);
    a->done_hashes.e = calloc(cfg->recent_confirmed, sizeof(recent_entry));
    a->done_hashes.cap = cfg->recent_confirmed;
    a->done_roots.e = calloc(cfg->recent_confirmed, sizeof(recent_entry));
    a->done_roots.cap = cfg->recent_confirmed;
    a->online =
        elections_online_new(cfg->online_window, cfg->online_weight_minimum, cfg->max_online_reps);
    if (!a->by_root || !a->cache || !a->done_hashes.e || !a->done_roots.e || !a->online) {
        elections_active_free(a);
        return NULL;
    }
    return a;
}

void elections_active_free(elections_active *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        elections_election_free(a->by_root[i]);
    free(a->by_root);
    free(a->by_hash);
    for (size_t i = 0; i < a->nc; i++)
        free(a->cache[i]);
    free(a->cache);
    free(a->done_hashes.e);
    free(a->done_roots.e);
    elections_online_free(a->online);
    for (size_t i = 0; i < a->nreps; i++)
        elections_rep_free(a->reps[i]);
    free(a->queue);
    free(a);
}

int elections_active_add_rep(elections_active *a, elections_rep *rep)
{
    if (elections_active_find_rep(a, elections_rep_account(rep)))
        return -EEXIST;
    if (a->nreps == MAX_REPS)
        return -ENOMEM;
    elections_rep_set_deferred(rep, a->cfg.defer_votes);
    a->reps[a->nreps++] = rep;
    return 0;
}

elections_rep *elections_active_find_rep(elections_active *a, const uint8_t account[32])
{
    for (size_t i = 0; i < a->nreps; i++)
        if (memcmp(elections_rep_account(a->reps[i]), account, 32) == 0)
            return a->reps[i];
    return NULL;
}

/* ---- sorted-array lookups ---- */

/* One binary search for every sorted array here: the first index in [0, n)
 * whose 32-byte key is not below `key`; key_at(arr, i) reads element i's key. */
typedef const uint8_t *(*key_at_fn)(const void *arr, size_t i);

static size_t lower_bound32(const void *arr, size_t n, key_at_fn key_at, const uint8_t key[32])
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(key_at(arr, mid), key, 32) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const uint8_t *root_at(const void *arr, size_t i)
{
    return elections_election_root(((elections_election *const *)arr)[i]);
}

static const uint8_t *hash_ref_at(const void *arr, size_t i)
{
    return ((const hash_ref *)arr)[i].hash;
}

static const uint8_t *cache_at(const void *arr, size_t i)
{
    return ((cache_entry *const *)arr)[i]->hash;
}

static const uint8_t *recent_at(const void *arr, size_t i)
{
    return ((const recent_set *)arr)->e[i].key;
}

static size_t root_lb(const elections_active *a, const uint8_t root[32])
{
    return lower_bound32(a->by_root, a->n, root_at, root);
}

static size_t hash_lb(const elections_active *a, const uint8_t hash[32])
{
    return lower_bound32(a->by_hash, a->nh, hash_ref_at, hash);
}

static size_t cache_lb(const elections_active *a, const uint8_t hash[32])
{
    return lower_bound32(a->cache, a->nc, cache_at, hash);
}

static size_t recent_lb(const recent_set *r, const uint8_t key[32])
{
    return lower_bound32(r, r->n, recent_at, key);
}

static bool recent_has(const recent_set *r, const uint8_t key[32])
{
    size_t i = recent_lb(r, key);
    return i < r->n && memcmp(r->e[i].key, key, 32) == 0;
}

static void recent_add(recent_set *r, const uint8_t key[32])
{
    if (recent_has(r, key))
        return;
    if (r->n == r->cap) {
        size_t old = 0;
        for (size_t k = 1; k < r->n; k++)
            if (r->e[k].seq < r->e[old].seq)
                old = k;
        memmove(&r->e[old], &r->e[old + 1], (r->n - old - 1) * sizeof(recent_entry));
        r->n--;
    }
    size_t i = recent_lb(r, key);
    memmove(&r->e[i + 1], &r->e[i], (r->n - i) * sizeof(recent_entry));
    memcpy(r->e[i].key, key, 32);
    r->e[i].seq = r->seq++;
    r->n++;
}

static void recent_remove(recent_set *r, const uint8_t key[32])
{
    size_t i = recent_lb(r, key);
    if (i < r->n && memcmp(r->e[i].key, key, 32) == 0) {
        memmove(&r->e[i], &r->e[i + 1], (r->n - i - 1) * sizeof(recent_entry));
        r->n--;
    }
}

static elections_election *find_root(const elections_active *a, const uint8_t root[32])
{
    size_t i = root_lb(a, root);
    if (i < a->n && memcmp(elections_election_root(a->by_root[i]), root, 32) == 0)
        return a->by_root[i];
    return NULL;
}

static elections_election *find_hash(const elections_active *a, const uint8_t hash[32])
{
    size_t i = hash_lb(a, hash);
    if (i < a->nh && memcmp(a->by_hash[i].hash, hash, 32) == 0)
        return a->by_hash[i].e;
    return NULL;
}

bool elections_active_recently_confirmed(const elections_active *a, const uint8_t hash[32])
{
    return recent_has(&a->done_hashes, hash);
}

/* Room for one more hash, reserved before any state changes so a failed
 * allocation leaves the container as it was. */
static int hash_index_reserve(elections_active *a)
{
    if (a->nh < a->caph)
        return 0;
    size_t ncap = a->caph ? a->caph * 2 : 64;
    hash_ref *nh = realloc(a->by_hash, ncap * sizeof *nh);
    if (!nh)
        return -ENOMEM;
    a->by_hash = nh;
    a->caph = ncap;
    return 0;
}

/* Requires hash_index_reserve first. */
static void hash_index_add(elections_active *a, const uint8_t hash[32], elections_election *e)
{
    size_t i = hash_lb(a, hash);
    memmove(&a->by_hash[i + 1], &a->by_hash[i], (a->nh - i) * sizeof(hash_ref));
    memcpy(a->by_hash[i].hash, hash, 32);
    a->by_hash[i].e = e;
    a->nh++;
}

static void hash_index_remove(elections_active *a, const uint8_t hash[32])
{
    size_t i = hash_lb(a, hash);
    if (i < a->nh && memcmp(a->by_hash[i].hash, hash, 32) == 0) {
        memmove(&a->by_hash[i], &a->by_hash[i + 1], (a->nh - i - 1) * sizeof(hash_ref));
        a->nh--;
    }
}

/* ---- vote cache: votes for hashes with no election yet ---- */

static void cache_remove_at(elections_active *a, size_t i)
{
    free(a->cache[i]);
    memmove(&a->cache[i], &a->cache[i + 1], (a->nc - i - 1) * sizeof(cache_entry *));
    a->nc--;
}

/* Returns true when the cache learned something new. */
static bool cache_put(elections_active *a, const uint8_t hash[32], const uint8_t rep[32],
                      uint64_t ts, smn_amount_t weight, bool *nomem)
{
    size_t i = cache_lb(a, hash);
    cache_entry *ce;
    if (i < a->nc && memcmp(a->cache[i]->hash, hash, 32) == 0) {
        ce = a->cache[i];
    } else {
        ce = calloc(1, sizeof *ce);
        if (!ce) {
            *nomem = true;
            return false;
        }
        if (a->nc == a->cfg.vote_cache_entries) {
            size_t old = 0;
            for (size_t k = 1; k < a->nc; k++)
                if (a->cache[k]->seq < a->cache[old]->seq)
                    old = k;
            cache_remove_at(a, old);
            i = cache_lb(a, hash);
        }
        memcpy(ce->hash, hash, 32);
        ce->tick = a->now;
        ce->seq = a->cache_seq++;
        memmove(&a->cache[i + 1], &a->cache[i], (a->nc - i) * sizeof(cache_entry *));
        a->cache[i] = ce;
        a->nc++;
    }
    for (size_t k = 0; k < ce->n; k++) {
        cached_ballot *b = &ce->b[k];
        if (memcmp(b->rep, rep, 32) != 0)
            continue;
        if (b->timestamp == SMN_VOTE_FINAL || ts <= b->timestamp)
            return false;
        b->timestamp = ts;
        b->weight = weight;
        return true;
    }
    size_t slot = ce->n;
    if (ce->n == CACHE_VOTERS) {
        slot = 0;
        for (size_t k = 1; k < ce->n; k++)
            if (smn_amount_lt(ce->b[k].weight, ce->b[slot].weight))
                slot = k;
        if (smn_amount_ge(ce->b[slot].weight, weight))
            return false;
    } else {
        ce->n++;
    }
    memcpy(ce->b[slot].rep, rep, 32);
    ce->b[slot].timestamp = ts;
    ce->b[slot].weight = weight;
    return true;
}

/* Move the cached votes for hash into election e. */
static void cache_drain(elections_active *a, const uint8_t hash[32], elections_election *e)
{
    size_t i = cache_lb(a, hash);
    if (i >= a->nc || memcmp(a->cache[i]->hash, hash, 32) != 0)
        return;
    cache_entry *ce = a->cache[i];
    for (size_t k = 0; k < ce->n; k++)
        (void)elections_election_vote(e, ce->b[k].rep, ce->b[k].timestamp, hash, ce->b[k].weight);
    cache_remove_at(a, i);
}

/* ---- the recount queue ---- */

static int queue_push(elections_active *a, const uint8_t root[32])
{
    if (a->qhead + a->qn == a->qcap) {
        if (a->qhead > 0) {
            memmove(a->queue, a->queue + a->qhead, a->qn * 32);
            a->qhead = 0;
        } else {
            size_t ncap = a->qcap ? a->qcap * 2 : 16;
            uint8_t(*nq)[32] = realloc(a->queue, ncap * 32);
            if (!nq)
                return -ENOMEM;
            a->queue = nq;
            a->qcap = ncap;
        }
    }
    memcpy(a->queue[a->qhead + a->qn], root, 32);
    a->qn++;
    return 0;
}

smn_amount_t elections_active_delta(const elections_active *a)
{
    return elections_online_delta(a->online, a->cfg.quorum_percent);
}

/* Apply one representative's vote to the elections of its hashes; cache
 * hashes without an election when allowed. Touched roots are queued. */
static void route(elections_active *a, const uint8_t rep[32], uint64_t ts,
                  const uint8_t (*hashes)[32], size_t n, smn_amount_t weight, bool cache_unknown,
                  size_t *accepted, size_t *cached, bool *nomem)
{
    for (size_t i = 0; i < n; i++) {
        elections_election *e = find_hash(a, hashes[i]);
        if (e) {
            elections_ballot b = elections_election_vote(e, rep, ts, hashes[i], weight);
            if (b == ELECTIONS_BALLOT_NEW || b == ELECTIONS_BALLOT_REPLACED) {
                (*accepted)++;
                if (queue_push(a, elections_election_root(e)) != 0)
                    *nomem = true;
            } else if (b == ELECTIONS_BALLOT_NOMEM) {
                *nomem = true;
            }
        } else if (cache_unknown && !elections_active_recently_confirmed(a, hashes[i])) {
            if (cache_put(a, hashes[i], rep, ts, weight, nomem))
                (*cached)++;
        }
    }
}

static void emit_own(elections_active *a, elections_rep *rep, const smn_vote *v)
{
    size_t acc = 0, cac = 0;
    bool nomem = false;
    if (a->cb.vote_generated)
        a->cb.vote_generated(a->cb.ctx, v);
    smn_amount_t w = elections_rep_weight(rep);
    (void)elections_online_observe(a->online, v->account, w, a->now);
    route(a, v->account, v->timestamp, (const uint8_t(*)[32])v->hashes, v->count, w, false, &acc,
          &cac, &nomem);
}

/* confirmed: the root is done for good; otherwise it expired and may be
 * elected again, so our representatives keep their final choices. */
static void remove_election(elections_active *a, elections_election *e, bool confirmed)
{
    for (size_t c = 0; c < elections_election_candidates(e); c++)
        hash_index_remove(a, elections_election_hash(e, c));
    size_t i = root_lb(a, elections_election_root(e));
    memmove(&a->by_root[i], &a->by_root[i + 1], (a->n - i - 1) * sizeof(elections_election *));
    a->n--;
    for (size_t r = 0; r < a->nreps; r++)
        elections_rep_forget(a->reps[r], elections_election_root(e), !confirmed);
    elections_election_free(e);
}

/* Recount every queued election and act on what changed: our
 * representatives follow a new leader and cast final votes on quorum (which
 * queues more recounts), and confirmed elections leave the container. */
static void settle(elections_active *a)
{
    while (a->qn > 0) {
        uint8_t root[32];
        memcpy(root, a->queue[a->qhead], 32);
        a->qhead++;
        a->qn--;
        if (a->qn == 0)
            a->qhead = 0;
        elections_election *e = find_root(a, root);
        if (!e)
            continue;
        smn_amount_t delta = elections_active_delta(a);
        unsigned ev = elections_election_update(e, delta);
        if (ev & ELECTIONS_EVENT_CONFIRMED) {
            elections_confirmation c;
            memset(&c, 0, sizeof c);
            size_t w = (size_t)elections_election_winner(e);
            memcpy(c.root, root, 32);
            memcpy(c.hash, elections_election_hash(e, w), 32);
            c.block = *elections_election_block(e, w);
            c.tally = elections_election_tally(e, w);
            c.final_tally = elections_election_final_tally(e, w);
            c.delta = delta;
            c.start_tick = elections_election_start_tick(e);
            c.confirm_tick = a->now;
            c.candidates = elections_election_candidates(e);
            c.backlog = elections_election_backlog(e);
            c.voters = elections_election_voters(e);
            c.requests = elections_election_request_count(e);
            recent_add(&a->done_hashes, c.hash);
            recent_add(&a->done_roots, c.root);
            remove_election(a, e, true);
            if (a->cb.confirmed)
                a->cb.confirmed(a->cb.ctx, &c);
            continue;
        }
        if (ev & ELECTIONS_EVENT_LEADER_CHANGED) {
            size_t l = elections_election_leader(e);
            uint8_t lh[32];
            memcpy(lh, elections_election_hash(e, l), 32);
            if (a->cb.leader_changed)
                a->cb.leader_changed(a->cb.ctx, root, elections_election_block(e, l));
            for (size_t r = 0; r < a->nreps; r++) {
                smn_vote v;
                if (elections_rep_switch(a->reps[r], root, lh, &v) == ELECTIONS_REP_VOTED)
                    emit_own(a, a->reps[r], &v);
            }
        }
        if (ev & ELECTIONS_EVENT_QUORUM) {
            uint8_t qh[32];
            memcpy(qh, elections_election_quorum_hash(e), 32);
            for (size_t r = 0; r < a->nreps; r++) {
                smn_vote v;
                if (elections_rep_final(a->reps[r], root, qh, &v) == ELECTIONS_REP_VOTED)
                    emit_own(a, a->reps[r], &v);
            }
        }
    }
}

static elections_start_status start(elections_active *a, const smn_block *b, bool backlog);

elections_start_status elections_active_start(elections_active *a, const smn_block *b)
{
    return start(a, b, false);
}

elections_start_status elections_active_start_backlog(elections_active *a, const smn_block *b)
{
    return start(a, b, true);
}

static elections_start_status start(elections_active *a, const smn_block *b, bool backlog)
{
    uint8_t hash[32], root[32];
    smn_block_hash(b, hash);
    memcpy(root, smn_block_root(b), 32);
    if (recent_has(&a->done_hashes, hash) || recent_has(&a->done_roots, root))
        return ELECTIONS_START_CONFIRMED;
    if (hash_index_reserve(a) != 0)
        return ELECTIONS_START_NOMEM;
    elections_start_status st;
    elections_election *e = find_root(a, root);
    if (e) {
        switch (elections_election_add(e, b)) {
        case ELECTIONS_ADD_OK:
            break;
        case ELECTIONS_ADD_EXISTS:
            return ELECTIONS_START_ACTIVE;
        case ELECTIONS_ADD_FULL:
            return ELECTIONS_START_FORKS_FULL;
        case ELECTIONS_ADD_CLOSED:
            return ELECTIONS_START_CONFIRMED;
        case ELECTIONS_ADD_WRONG_ROOT: /* cannot happen: e was found by this root */
            return ELECTIONS_START_ACTIVE;
        }
        hash_index_add(a, hash, e);
        st = ELECTIONS_START_FORK;
    } else {
        if (a->n == a->cfg.max_elections)
            return ELECTIONS_START_FULL;
        e = elections_election_new(b, a->now);
        if (!e)
            return ELECTIONS_START_NOMEM;
        elections_election_request_set(e, a->now + a->cfg.request_interval,
                                       a->cfg.request_interval);
        elections_election_set_backlog(e, backlog);
        hash_index_add(a, hash, e);
        size_t i = root_lb(a, root);
        memmove(&a->by_root[i + 1], &a->by_root[i], (a->n - i) * sizeof(elections_election *));
        a->by_root[i] = e;
        a->n++;
        st = ELECTIONS_START_STARTED;
        if (a->cb.started)
            a->cb.started(a->cb.ctx, hash, root);
    }
    cache_drain(a, hash, e);
    for (size_t r = 0; r < a->nreps; r++) {
        smn_vote v;
        if (elections_rep_vote(a->reps[r], root, hash, &v) == ELECTIONS_REP_VOTED)
            emit_own(a, a->reps[r], &v);
    }
    if (queue_push(a, root) != 0)
        return ELECTIONS_START_NOMEM;
    settle(a);
    return st;
}

elections_vote_outcome elections_active_vote(elections_active *a, const smn_vote *v,
                                             smn_amount_t weight)
{
    /* Weight first: a vote by an account without weight counts for nothing
     * whatever its signature, and checking it costs a signature
     * verification (a flood of such votes, docs/benchmarks.md "Floods"). */
    if (smn_amount_is_zero(weight))
        return ELECTIONS_VOTE_UNWEIGHTED;
    if (smn_vote_verify(v) != SMN_VOTE_OK)
        return ELECTIONS_VOTE_INVALID;
    if (elections_online_observe(a->online, v->account, weight, a->now) != 0)
        return ELECTIONS_VOTE_NOMEM;
    size_t acc = 0, cac = 0;
    bool nomem = false;
    route(a, v->account, v->timestamp, (const uint8_t(*)[32])v->hashes, v->count, weight, true,
          &acc, &cac, &nomem);
    settle(a);
    if (nomem)
        return ELECTIONS_VOTE_NOMEM;
    if (acc)
        return ELECTIONS_VOTE_ACCEPTED;
    return cac ? ELECTIONS_VOTE_CACHED : ELECTIONS_VOTE_IGNORED;
}

void elections_active_tick(elections_active *a, uint64_t now)
{
    if (now < a->now)
        return;
    a->now = now;
    /* Removal shifts the array left, so the index advances only on a keep. */
    for (size_t i = 0; i < a->n;) {
        elections_election *e = a->by_root[i];
        uint64_t start = elections_election_start_tick(e);
        if (now - start >= a->cfg.election_ttl) {
            uint8_t root[32], leader[32];
            memcpy(root, elections_election_root(e), 32);
            memcpy(leader, elections_election_hash(e, elections_election_leader(e)), 32);
            remove_election(a, e, false);
            if (a->cb.expired)
                a->cb.expired(a->cb.ctx, root, leader);
            continue; /* the next election moved into slot i */
        }
        i++;
    }
    elections_online_expire(a->online, now);
    for (size_t i = 0; i < a->nc;) {
        if (now - a->cache[i]->tick >= a->cfg.vote_cache_ttl) {
            cache_remove_at(a, i);
            continue;
        }
        i++;
    }
}

size_t elections_active_flush_votes(elections_active *a)
{
    size_t total = 0;
    bool more = true;
    while (more) {
        more = false;
        for (size_t r = 0; r < a->nreps; r++) {
            smn_vote v[8];
            size_t n = elections_rep_take_votes(a->reps[r], v, 8);
            for (size_t i = 0; i < n; i++)
                emit_own(a, a->reps[r], &v[i]);
            total += n;
            more = more || n > 0;
        }
        settle(a); /* quorum may bring final votes: the next round signs them */
    }
    return total;
}

size_t elections_active_votes_pending_max(const elections_active *a)
{
    size_t most = 0;
    for (size_t r = 0; r < a->nreps; r++) {
        size_t n = elections_rep_pending(a->reps[r]);
        if (n > most)
            most = n;
    }
    return most;
}

bool elections_active_votes_pending(const elections_active *a)
{
    for (size_t r = 0; r < a->nreps; r++)
        if (elections_rep_pending(a->reps[r]))
            return true;
    return false;
}

size_t elections_active_due_requests(elections_active *a, elections_pair *out, size_t max)
{
    if (a->cfg.request_interval == 0 || a->n == 0 || max == 0)
        return 0;
    size_t got = 0, start = root_lb(a, a->req_cursor);
    for (size_t k = 0; k < a->n; k++) {
        elections_election *e = a->by_root[(start + k) % a->n];
        if (elections_election_request_next(e) > a->now)
            continue;
        size_t nc = elections_election_candidates(e);
        if (got + nc > max)
            break;
        for (size_t c = 0; c < nc; c++) {
            memcpy(out[got].hash, elections_election_hash(e, c), 32);
            memcpy(out[got].root, elections_election_root(e), 32);
            got++;
        }
        uint64_t gap = elections_election_request_gap(e);
        uint64_t next_gap =
            gap * 2 > a->cfg.request_interval_max ? a->cfg.request_interval_max : gap * 2;
        if (next_gap < a->cfg.request_interval)
            next_gap = a->cfg.request_interval;
        elections_election_request_set(e, a->now + gap, next_gap);
        elections_election_request_counted(e);
        /* the walk resumes after this root */
        memcpy(a->req_cursor, elections_election_root(e), 32);
        for (int i = 31; i >= 0 && ++a->req_cursor[i] == 0; i--)
            ;
    }
    return got;
}

void elections_active_request_all(elections_active *a)
{
    for (size_t i = 0; i < a->n; i++)
        elections_election_request_set(a->by_root[i], a->now, a->cfg.request_interval);
}

bool elections_active_cemented(elections_active *a, const uint8_t hash[32])
{
    elections_election *e = find_hash(a, hash);
    if (!e)
        return false;
    uint8_t root[32];
    memcpy(root, elections_election_root(e), 32);
    recent_add(&a->done_hashes, hash);
    recent_add(&a->done_roots, root);
    remove_election(a, e, true);
    if (a->cb.cemented)
        a->cb.cemented(a->cb.ctx, hash);
    return true;
}

void elections_active_forget_confirmed(elections_active *a, const uint8_t hash[32],
                                       const uint8_t root[32])
{
    recent_remove(&a->done_hashes, hash);
    recent_remove(&a->done_roots, root);
}

size_t elections_active_room(const elections_active *a)
{
    return a->cfg.max_elections - a->n;
}

uint64_t elections_active_now(const elections_active *a)
{
    return a->now;
}

size_t elections_active_size(const elections_active *a)
{
    return a->n;
}

const elections_election *elections_active_at(const elections_active *a, size_t i)
{
    return i < a->n ? a->by_root[i] : NULL;
}

const elections_election *elections_active_find_root(const elections_active *a,
                                                     const uint8_t root[32])
{
    return find_root(a, root);
}

const elections_election *elections_active_find_hash(const elections_active *a,
                                                     const uint8_t hash[32])
{
    return find_hash(a, hash);
}

const elections_online *elections_active_online(const elections_active *a)
{
    return a->online;
}

size_t elections_active_cached(const elections_active *a)
{
    return a->nc;
}

const char *elections_start_name(elections_start_status s)
{
    switch (s) {
    case ELECTIONS_START_STARTED:
        return "started";
    case ELECTIONS_START_FORK:
        return "fork added";
    case ELECTIONS_START_ACTIVE:
        return "already active";
    case ELECTIONS_START_CONFIRMED:
        return "already confirmed";
    case ELECTIONS_START_FULL:
        return "too many active elections";
    case ELECTIONS_START_FORKS_FULL:
        return "too many forks for this root";
    case ELECTIONS_START_NOMEM:
        return "out of memory";
    }
    return "unknown start status";
}

const char *elections_vote_outcome_name(elections_vote_outcome o)
{
    switch (o) {
    case ELECTIONS_VOTE_ACCEPTED:
        return "accepted";
    case ELECTIONS_VOTE_CACHED:
        return "cached until the block arrives";
    case ELECTIONS_VOTE_IGNORED:
        return "ignored (not newer)";
    case ELECTIONS_VOTE_INVALID:
        return "invalid vote";
    case ELECTIONS_VOTE_UNWEIGHTED:
        return "representative has no weight";
    case ELECTIONS_VOTE_NOMEM:
        return "out of memory";
    }
    return "unknown vote outcome";
}
