/* The active elections container: at most max_elections elections, kept in
 * arrays sorted by root and by candidate hash (no hash tables, so every walk
 * is in a defined order). It routes votes to elections, keeps votes for
 * blocks not seen yet in a bounded cache until the block arrives, tracks
 * online weight, lets this node's representatives (elections_rep) vote, and
 * reports confirmations through callbacks.
 *
 * Time is a logical tick the caller advances (elections_active_tick); the
 * container reads no clock and draws no randomness.
 *
 * Callbacks run synchronously inside start/vote/tick and must not call back
 * into the container. */
#ifndef ELECTIONS_ACTIVE_H
#define ELECTIONS_ACTIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"
#include "procs/elections/election.h"
#include "procs/elections/online.h"
#include "procs/elections/rep.h"
#include "common/vote.h"

typedef struct {
    size_t max_elections;               /* bound on concurrent elections */
    uint64_t election_ttl;              /* ticks before an unconfirmed election is dropped */
    uint32_t quorum_percent;            /* of online weight; 67 */
    smn_amount_t online_weight_minimum; /* the quorum floor (raw) */
    uint64_t online_window;             /* ticks a representative counts as online */
    size_t max_online_reps;
    size_t vote_cache_entries;     /* hashes with votes but no block yet */
    uint64_t vote_cache_ttl;       /* ticks such votes are kept */
    size_t recent_confirmed;       /* confirmed hashes and roots remembered: late votes are
                                      dropped, forks of a confirmed root never start */
    uint64_t request_interval;     /* ticks from an election's start to its first vote
                                      request; 0: never ask */
    uint64_t request_interval_max; /* the gap between requests doubles up to this */
    bool defer_votes; /* our representatives' votes wait for elections_active_flush_votes */
} elections_active_config;

/* One block whose votes are asked for. */
typedef struct {
    uint8_t hash[32];
    uint8_t root[32];
} elections_pair;

/* Defaults: 5000 elections, ttl 300 ticks, 67%, minimum 0 (set it per
 * network!), window 300 ticks, 1024 online reps, 1024 cache entries for
 * 300 ticks, 8192 recent confirmations, vote requests after 5 ticks then
 * backing off to every 100. */
void elections_active_config_default(elections_active_config *c);

typedef struct {
    uint8_t root[32];
    uint8_t hash[32]; /* the winner */
    smn_block block;
    smn_amount_t tally;       /* all votes for the winner */
    smn_amount_t final_tally; /* final votes for the winner */
    smn_amount_t delta;       /* the quorum it met */
    uint64_t start_tick, confirm_tick;
    size_t candidates; /* blocks that competed (1 = no fork) */
    bool backlog;      /* the election was started with elections_active_start_backlog */
    size_t voters;     /* representatives with a ballot in it */
    uint32_t requests; /* vote requests handed out for it */
} elections_confirmation;

typedef struct {
    void *ctx;
    /* A winner is final: tell the ledger (cement it, roll back losing forks). */
    void (*confirmed)(void *ctx, const elections_confirmation *c);
    /* A fork now leads by weight: the ledger may switch to it. */
    void (*leader_changed)(void *ctx, const uint8_t root[32], const smn_block *leader);
    /* One of our representatives signed a vote: broadcast it. */
    void (*vote_generated)(void *ctx, const smn_vote *v);
    /* An election ran out of time unconfirmed; leader: its leading block. */
    void (*expired)(void *ctx, const uint8_t root[32], const uint8_t leader[32]);
    /* A new election began, for this block (may be NULL). Runs before any
     * confirmed callback of the same election. */
    void (*started)(void *ctx, const uint8_t hash[32], const uint8_t root[32]);
    /* An election left the container because the ledger cemented one of
     * its blocks (elections_active_cemented; may be NULL). */
    void (*cemented)(void *ctx, const uint8_t hash[32]);
} elections_active_callbacks;

typedef enum {
    ELECTIONS_START_STARTED = 0, /* a new election */
    ELECTIONS_START_FORK,        /* added as a competing block to an election */
    ELECTIONS_START_ACTIVE,      /* already a candidate */
    ELECTIONS_START_CONFIRMED,   /* it, or another block on its root, confirmed recently */
    ELECTIONS_START_FULL,        /* max_elections reached: retry after expiry */
    ELECTIONS_START_FORKS_FULL,  /* the election has ELECTIONS_MAX_CANDIDATES blocks */
    ELECTIONS_START_NOMEM,
} elections_start_status;

typedef enum {
    ELECTIONS_VOTE_ACCEPTED = 0, /* counted in at least one election */
    ELECTIONS_VOTE_CACHED,       /* for blocks not seen yet: kept until they arrive */
    ELECTIONS_VOTE_IGNORED,      /* nothing new: duplicate, older, after final, or late */
    ELECTIONS_VOTE_INVALID,      /* bad count, duplicate hashes or signature */
    ELECTIONS_VOTE_UNWEIGHTED,   /* the account has no voting weight */
    ELECTIONS_VOTE_NOMEM,
} elections_vote_outcome;

typedef struct elections_active elections_active;

/* NULL on OOM or an unusable config (zero bounds). cb may be NULL. */
elections_active *elections_active_new(const elections_active_config *cfg,
                                       const elections_active_callbacks *cb);
/* Frees the elections and the representatives it owns. */
void elections_active_free(elections_active *a);

/* Take ownership of a representative: it votes on every election started
 * from now on. Returns 0, or -EEXIST (same account) / -ENOMEM (16 already)
 * and then the caller still owns rep. */
int elections_active_add_rep(elections_active *a, elections_rep *rep);
/* A representative added earlier (to update its weight), or NULL. */
elections_rep *elections_active_find_rep(elections_active *a, const uint8_t account[32]);

/* A new block (already valid in the ledger's eyes): start its election or
 * add it as a fork. Our representatives vote, cached votes apply, and with
 * enough weight it may confirm before this returns (the one-host devnet:
 * the confirmed callback has then already run and the status is
 * ELECTIONS_START_STARTED). */
elections_start_status elections_active_start(elections_active *a, const smn_block *b);
/* The same for a block the scheduler took from the backlog (old blocks):
 * its confirmation says so (elections_confirmation.backlog), so the caller
 * can let new blocks' confirmations go first. A block already in an
 * election keeps that election's kind. */
elections_start_status elections_active_start_backlog(elections_active *a, const smn_block *b);
/* A vote from the network, with the ledger's weight for v->account. The
 * signature is verified here. */
elections_vote_outcome elections_active_vote(elections_active *a, const smn_vote *v,
                                             smn_amount_t weight);
/* Advance logical time to now (ignored if now is earlier): expire old
 * elections, online representatives and cached votes. */
void elections_active_tick(elections_active *a, uint64_t now);

/* Deferred votes (defer_votes): start, vote and tick decide what our
 * representatives vote for but sign nothing; this signs everything decided
 * in batches (rep.h: up to 12 hashes a vote), applies the votes here,
 * passes each to vote_generated, and repeats while that brings new
 * decisions (quorum -> final votes). Returns the votes signed. With a
 * representative holding the weight, a block started and then flushed is
 * confirmed when this returns. */
size_t elections_active_flush_votes(elections_active *a);
bool elections_active_votes_pending(const elections_active *a);
/* The most choices one of our representatives has waiting to be signed. */
size_t elections_active_votes_pending_max(const elections_active *a);

/* Vote requests. Every election not confirmed request_interval ticks after
 * it started is due for a request; each time it is handed out the gap to
 * its next one doubles, up to request_interval_max. Fills out with up to
 * max pairs (every candidate of a due election, so a fork asks about each
 * side; an election whose candidates do not fit waits for the next call),
 * walking the elections in root order from where the previous call
 * stopped, so a bounded call still serves every election in turn.
 * Returns the number of pairs. */
size_t elections_active_due_requests(elections_active *a, elections_pair *out, size_t max);
/* Votes may have been lost (the vote feed reconnected): every election is
 * due at the current tick, and its gap starts again from request_interval. */
void elections_active_request_all(elections_active *a);
/* The ledger cemented hash (our confirm, or a dependency of another): if it
 * is a candidate, its election is over; it leaves like a confirmed one, but
 * without the confirmed callback. Returns true when an election ended. */
bool elections_active_cemented(elections_active *a, const uint8_t hash[32]);
/* The confirmation of root could not be delivered to the ledger: forget
 * that it was confirmed here, so the block can be elected again later. */
void elections_active_forget_confirmed(elections_active *a, const uint8_t hash[32],
                                       const uint8_t root[32]);
/* Room for n more elections below max_elections. */
size_t elections_active_room(const elections_active *a);

uint64_t elections_active_now(const elections_active *a);
size_t elections_active_size(const elections_active *a);
/* i-th election in root order, i < size. */
const elections_election *elections_active_at(const elections_active *a, size_t i);
const elections_election *elections_active_find_root(const elections_active *a,
                                                     const uint8_t root[32]);
const elections_election *elections_active_find_hash(const elections_active *a,
                                                     const uint8_t hash[32]);
bool elections_active_recently_confirmed(const elections_active *a, const uint8_t hash[32]);
const elections_online *elections_active_online(const elections_active *a);
/* The tally needed right now: quorum_percent of max(online, minimum). */
smn_amount_t elections_active_delta(const elections_active *a);
size_t elections_active_cached(const elections_active *a);
const char *elections_start_name(elections_start_status s);
const char *elections_vote_outcome_name(elections_vote_outcome o);

#endif
