/* One election: the competing blocks (forks) that share a root (the previous
 * block, or the account for an open block) and the votes representatives
 * cast for them. Pure bookkeeping: the caller supplies each voter's weight
 * and the quorum delta, and verifies signatures first (active.h does).
 *
 * Rules:
 * - each representative has one ballot per election, its latest vote: a
 *   higher timestamp replaces the ballot (even for another candidate), an
 *   equal or lower one is ignored, and a final vote (SMN_VOTE_FINAL)
 *   is never replaced;
 * - a ballot for a hash that is not (yet) a candidate is kept and starts to
 *   count when that block is added;
 * - tally(c) = sum of weights of ballots for c, final_tally(c) the same over
 *   final ballots only (weights as given with the ballot);
 * - the leader is the candidate with the highest tally; on a tie the current
 *   leader stays (at first, the first block seen);
 * - QUORUM: the leader's tally reaches the delta (and is non-zero): its
 *   representatives now cast final votes for it;
 * - CONFIRMED: a candidate's final tally reaches the delta (and is non-zero);
 *   it is the winner and the election never changes again. */
#ifndef ELECTIONS_ELECTION_H
#define ELECTIONS_ELECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"

#define ELECTIONS_MAX_CANDIDATES 10
/* Ballots kept per election; when full, a heavier representative displaces
 * the lightest one, so spam from tiny representatives cannot crowd out
 * the weight that decides. */
#define ELECTIONS_MAX_VOTERS 4096

typedef struct elections_election elections_election;

typedef enum {
    ELECTIONS_STATE_ACTIVE = 0, /* collecting votes */
    ELECTIONS_STATE_QUORUM,     /* the leader has quorum of votes; final votes are due */
    ELECTIONS_STATE_CONFIRMED,  /* the winner has quorum of final votes */
} elections_state;

typedef enum {
    ELECTIONS_BALLOT_NEW = 0,      /* the representative's first ballot here */
    ELECTIONS_BALLOT_REPLACED,     /* a newer vote replaced its ballot */
    ELECTIONS_BALLOT_DUPLICATE,    /* same timestamp as its ballot: ignored */
    ELECTIONS_BALLOT_STALE,        /* older than its ballot: ignored */
    ELECTIONS_BALLOT_FINAL_LOCKED, /* it already cast a final vote: ignored */
    ELECTIONS_BALLOT_FULL,         /* ballot table full and too light to displace */
    ELECTIONS_BALLOT_NO_WEIGHT,    /* weight 0: ignored */
    ELECTIONS_BALLOT_CLOSED,       /* election already confirmed: ignored */
    ELECTIONS_BALLOT_NOMEM,
} elections_ballot;

typedef enum {
    ELECTIONS_ADD_OK = 0,
    ELECTIONS_ADD_EXISTS,     /* already a candidate */
    ELECTIONS_ADD_WRONG_ROOT, /* the block's root is not this election's */
    ELECTIONS_ADD_FULL,       /* ELECTIONS_MAX_CANDIDATES reached */
    ELECTIONS_ADD_CLOSED,     /* election already confirmed */
} elections_add_status;

/* Events returned by elections_election_update (a bit set). */
#define ELECTIONS_EVENT_LEADER_CHANGED 1u
#define ELECTIONS_EVENT_QUORUM 2u /* the leader newly reached quorum */
#define ELECTIONS_EVENT_CONFIRMED 4u

/* New election whose first candidate (and leader) is `first`; NULL on OOM. */
elections_election *elections_election_new(const smn_block *first, uint64_t start_tick);
void elections_election_free(elections_election *e);

/* Add a fork. Tallies change only at the next elections_election_update. */
elections_add_status elections_election_add(elections_election *e, const smn_block *b);
/* Record a representative's vote for `hash` (any hash, see above). */
elections_ballot elections_election_vote(elections_election *e, const uint8_t rep[32],
                                         uint64_t timestamp, const uint8_t hash[32],
                                         smn_amount_t weight);
/* Recount, then move the state forward against `delta` (the tally needed:
 * elections_weight_quorum_delta). Returns ELECTIONS_EVENT_* bits. */
unsigned elections_election_update(elections_election *e, smn_amount_t delta);

const uint8_t *elections_election_root(const elections_election *e);
uint64_t elections_election_start_tick(const elections_election *e);
/* The vote-request schedule the container keeps with each election: the
 * tick the next request is due and the gap before the one after it
 * (both 0 for a new election). */
uint64_t elections_election_request_next(const elections_election *e);
uint64_t elections_election_request_gap(const elections_election *e);
void elections_election_request_set(elections_election *e, uint64_t next, uint64_t gap);
/* Vote requests handed out for it so far (the websocket's request_count). */
void elections_election_request_counted(elections_election *e);
uint32_t elections_election_request_count(const elections_election *e);
/* Whether the scheduler started it for old blocks (false for a new block):
 * its confirmation may wait behind those of new blocks. */
bool elections_election_backlog(const elections_election *e);
void elections_election_set_backlog(elections_election *e, bool backlog);
elections_state elections_election_state(const elections_election *e);
size_t elections_election_candidates(const elections_election *e);
/* i < elections_election_candidates(e), in arrival order. */
const smn_block *elections_election_block(const elections_election *e, size_t i);
const uint8_t *elections_election_hash(const elections_election *e, size_t i);
smn_amount_t elections_election_tally(const elections_election *e, size_t i);
smn_amount_t elections_election_final_tally(const elections_election *e, size_t i);
/* Index of a candidate, or -1. */
int elections_election_find(const elections_election *e, const uint8_t hash[32]);
size_t elections_election_leader(const elections_election *e);
/* The hash that reached quorum (state >= QUORUM), else NULL. */
const uint8_t *elections_election_quorum_hash(const elections_election *e);
/* The confirmed winner's index, or -1 while not confirmed. */
int elections_election_winner(const elections_election *e);
size_t elections_election_voters(const elections_election *e);
/* A representative's ballot: true and *timestamp/hash filled if it has one. */
bool elections_election_ballot(const elections_election *e, const uint8_t rep[32],
                               uint64_t *timestamp, uint8_t hash[32]);
const char *elections_ballot_name(elections_ballot b);

#endif
