#include "procs/elections/election.h"

#include <stdlib.h>
#include <string.h>

#include "common/vote.h"
#include "procs/elections/weight.h"

typedef struct {
    uint8_t hash[32];
    smn_block block;
    smn_amount_t tally;
    smn_amount_t final_tally;
} candidate;

typedef struct {
    uint8_t rep[32];
    uint8_t hash[32];
    uint64_t timestamp;
    smn_amount_t weight;
} ballot;

struct elections_election {
    uint8_t root[32];
    uint64_t start_tick;
    uint64_t req_next, req_gap; /* vote-request schedule (active.c drives it) */
    uint32_t req_count;         /* vote requests handed out (active.c counts them) */
    bool backlog;               /* started by the scheduler, not by a new block */
    elections_state state;
    size_t ncand;
    candidate cand[ELECTIONS_MAX_CANDIDATES];
    size_t leader;
    size_t quorum_idx; /* valid when state >= QUORUM */
    size_t winner;     /* valid when state == CONFIRMED */
    ballot *ballots;   /* sorted by rep */
    size_t nballots, cap;
};

elections_election *elections_election_new(const smn_block *first, uint64_t start_tick)
{
    elections_election *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    memcpy(e->root, smn_block_root(first), 32);
    e->start_tick = start_tick;
    e->state = ELECTIONS_STATE_ACTIVE;
    e->ncand = 1;
    e->cand[0].block = *first;
    smn_block_hash(first, e->cand[0].hash);
    return e;
}

void elections_election_free(elections_election *e)
{
    if (!e)
        return;
    free(e->ballots);
    free(e);
}

int elections_election_find(const elections_election *e, const uint8_t hash[32])
{
    for (size_t i = 0; i < e->ncand; i++)
        if (memcmp(e->cand[i].hash, hash, 32) == 0)
            return (int)i;
    return -1;
}

elections_add_status elections_election_add(elections_election *e, const smn_block *b)
{
    if (e->state == ELECTIONS_STATE_CONFIRMED)
        return ELECTIONS_ADD_CLOSED;
    if (memcmp(smn_block_root(b), e->root, 32) != 0)
        return ELECTIONS_ADD_WRONG_ROOT;
    uint8_t h[32];
    smn_block_hash(b, h);
    if (elections_election_find(e, h) >= 0)
        return ELECTIONS_ADD_EXISTS;
    if (e->ncand == ELECTIONS_MAX_CANDIDATES)
        return ELECTIONS_ADD_FULL;
    candidate *c = &e->cand[e->ncand++];
    memset(c, 0, sizeof *c);
    c->block = *b;
    memcpy(c->hash, h, 32);
    return ELECTIONS_ADD_OK;
}

/* Lower bound: first index whose rep is >= rep. */
static size_t ballot_lb(const elections_election *e, const uint8_t rep[32])
{
    size_t lo = 0, hi = e->nballots;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(e->ballots[mid].rep, rep, 32) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void ballot_remove(elections_election *e, size_t i)
{
    memmove(&e->ballots[i], &e->ballots[i + 1], (e->nballots - i - 1) * sizeof(ballot));
    e->nballots--;
}

elections_ballot elections_election_vote(elections_election *e, const uint8_t rep[32],
                                         uint64_t timestamp, const uint8_t hash[32],
                                         smn_amount_t weight)
{
    if (e->state == ELECTIONS_STATE_CONFIRMED)
        return ELECTIONS_BALLOT_CLOSED;
    if (smn_amount_is_zero(weight))
        return ELECTIONS_BALLOT_NO_WEIGHT;
    size_t i = ballot_lb(e, rep);
    if (i < e->nballots && memcmp(e->ballots[i].rep, rep, 32) == 0) {
        ballot *b = &e->ballots[i];
        if (b->timestamp == SMN_VOTE_FINAL)
            return ELECTIONS_BALLOT_FINAL_LOCKED;
        if (timestamp == b->timestamp)
            return ELECTIONS_BALLOT_DUPLICATE;
        if (timestamp < b->timestamp)
            return ELECTIONS_BALLOT_STALE;
        memcpy(b->hash, hash, 32);
        b->timestamp = timestamp;
        b->weight = weight;
        return ELECTIONS_BALLOT_REPLACED;
    }
    if (e->nballots == ELECTIONS_MAX_VOTERS) {
        /* Displace the lightest ballot (first such in rep order), if lighter. */
        size_t min = 0;
        for (size_t k = 1; k < e->nballots; k++)
            if (smn_amount_lt(e->ballots[k].weight, e->ballots[min].weight))
                min = k;
        if (smn_amount_ge(e->ballots[min].weight, weight))
            return ELECTIONS_BALLOT_FULL;
        ballot_remove(e, min);
        i = ballot_lb(e, rep);
    }
    if (e->nballots == e->cap) {
        size_t ncap = e->cap ? e->cap * 2 : 8;
        if (ncap > ELECTIONS_MAX_VOTERS)
            ncap = ELECTIONS_MAX_VOTERS;
        ballot *nb = realloc(e->ballots, ncap * sizeof *nb);
        if (!nb)
            return ELECTIONS_BALLOT_NOMEM;
        e->ballots = nb;
        e->cap = ncap;
    }
    memmove(&e->ballots[i + 1], &e->ballots[i], (e->nballots - i) * sizeof(ballot));
    ballot *b = &e->ballots[i];
    memcpy(b->rep, rep, 32);
    memcpy(b->hash, hash, 32);
    b->timestamp = timestamp;
    b->weight = weight;
    e->nballots++;
    return ELECTIONS_BALLOT_NEW;
}

static void recount(elections_election *e)
{
    for (size_t c = 0; c < e->ncand; c++)
        e->cand[c].tally = e->cand[c].final_tally = smn_amount_zero();
    for (size_t i = 0; i < e->nballots; i++) {
        const ballot *b = &e->ballots[i];
        int c = elections_election_find(e, b->hash);
        if (c < 0)
            continue;
        candidate *cd = &e->cand[c];
        cd->tally = elections_weight_add_sat(cd->tally, b->weight);
        if (b->timestamp == SMN_VOTE_FINAL)
            cd->final_tally = elections_weight_add_sat(cd->final_tally, b->weight);
    }
}

static bool reaches(smn_amount_t tally, smn_amount_t delta)
{
    return !smn_amount_is_zero(tally) && smn_amount_ge(tally, delta);
}

unsigned elections_election_update(elections_election *e, smn_amount_t delta)
{
    if (e->state == ELECTIONS_STATE_CONFIRMED)
        return 0;
    unsigned ev = 0;
    recount(e);
    size_t best = e->leader;
    for (size_t c = 0; c < e->ncand; c++)
        if (smn_amount_gt(e->cand[c].tally, e->cand[best].tally))
            best = c;
    if (best != e->leader) {
        e->leader = best;
        ev |= ELECTIONS_EVENT_LEADER_CHANGED;
    }
    if (reaches(e->cand[e->leader].tally, delta) &&
        (e->state == ELECTIONS_STATE_ACTIVE || e->quorum_idx != e->leader)) {
        e->state = ELECTIONS_STATE_QUORUM;
        e->quorum_idx = e->leader;
        ev |= ELECTIONS_EVENT_QUORUM;
    }
    size_t fbest = 0;
    for (size_t c = 1; c < e->ncand; c++)
        if (smn_amount_gt(e->cand[c].final_tally, e->cand[fbest].final_tally))
            fbest = c;
    if (reaches(e->cand[fbest].final_tally, delta)) {
        e->state = ELECTIONS_STATE_CONFIRMED;
        e->winner = fbest;
        ev |= ELECTIONS_EVENT_CONFIRMED;
    }
    return ev;
}

const uint8_t *elections_election_root(const elections_election *e)
{
    return e->root;
}

uint64_t elections_election_start_tick(const elections_election *e)
{
    return e->start_tick;
}

uint64_t elections_election_request_next(const elections_election *e)
{
    return e->req_next;
}

uint64_t elections_election_request_gap(const elections_election *e)
{
    return e->req_gap;
}

void elections_election_request_counted(elections_election *e)
{
    if (e->req_count < UINT32_MAX)
        e->req_count++;
}

uint32_t elections_election_request_count(const elections_election *e)
{
    return e->req_count;
}

bool elections_election_backlog(const elections_election *e)
{
    return e->backlog;
}

void elections_election_set_backlog(elections_election *e, bool backlog)
{
    e->backlog = backlog;
}

void elections_election_request_set(elections_election *e, uint64_t next, uint64_t gap)
{
    e->req_next = next;
    e->req_gap = gap;
}

elections_state elections_election_state(const elections_election *e)
{
    return e->state;
}

size_t elections_election_candidates(const elections_election *e)
{
    return e->ncand;
}

const smn_block *elections_election_block(const elections_election *e, size_t i)
{
    return i < e->ncand ? &e->cand[i].block : NULL;
}

const uint8_t *elections_election_hash(const elections_election *e, size_t i)
{
    return i < e->ncand ? e->cand[i].hash : NULL;
}

smn_amount_t elections_election_tally(const elections_election *e, size_t i)
{
    return i < e->ncand ? e->cand[i].tally : smn_amount_zero();
}

smn_amount_t elections_election_final_tally(const elections_election *e, size_t i)
{
    return i < e->ncand ? e->cand[i].final_tally : smn_amount_zero();
}

size_t elections_election_leader(const elections_election *e)
{
    return e->leader;
}

const uint8_t *elections_election_quorum_hash(const elections_election *e)
{
    if (e->state == ELECTIONS_STATE_ACTIVE)
        return NULL;
    return e->cand[e->state == ELECTIONS_STATE_CONFIRMED ? e->winner : e->quorum_idx].hash;
}

int elections_election_winner(const elections_election *e)
{
    return e->state == ELECTIONS_STATE_CONFIRMED ? (int)e->winner : -1;
}

size_t elections_election_voters(const elections_election *e)
{
    return e->nballots;
}

bool elections_election_ballot(const elections_election *e, const uint8_t rep[32],
                               uint64_t *timestamp, uint8_t hash[32])
{
    size_t i = ballot_lb(e, rep);
    if (i >= e->nballots || memcmp(e->ballots[i].rep, rep, 32) != 0)
        return false;
    if (timestamp)
        *timestamp = e->ballots[i].timestamp;
    if (hash)
        memcpy(hash, e->ballots[i].hash, 32);
    return true;
}

const char *elections_ballot_name(elections_ballot b)
{
    switch (b) {
    case ELECTIONS_BALLOT_NEW:
        return "new";
    case ELECTIONS_BALLOT_REPLACED:
        return "replaced";
    case ELECTIONS_BALLOT_DUPLICATE:
        return "duplicate";
    case ELECTIONS_BALLOT_STALE:
        return "stale";
    case ELECTIONS_BALLOT_FINAL_LOCKED:
        return "final vote already cast";
    case ELECTIONS_BALLOT_FULL:
        return "ballot table full";
    case ELECTIONS_BALLOT_NO_WEIGHT:
        return "no weight";
    case ELECTIONS_BALLOT_CLOSED:
        return "election confirmed";
    case ELECTIONS_BALLOT_NOMEM:
        return "out of memory";
    }
    return "unknown ballot result";
}
