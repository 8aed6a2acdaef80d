/* The elections process's view of the node: the active-elections container
 * (active.h) fed from the ledger, voting with the representative keys it
 * is given, and the read-only ledger DB for weights and for rebuilding
 * after a restart. No IPC here: ledger_link.c and net_link.c
 * feed blocks and votes in and carry confirmations, votes and vote requests
 * out through the hooks, so the whole flow is drivable without sockets.
 *
 * Representatives: each given key (the process reads them from its
 * representative key file, common/keyfile.h, and on dev adds the published
 * genesis key) whose account has ledger weight; at most
 * ELECTIONS_SERVICE_MAX_REPS. The service never sees a wallet. When the set
 * with weight changes (weight delegated or moved away), the container is
 * rebuilt with the new representatives and the ledger is scanned again, so
 * a representative that gains weight late still votes on what is pending.
 *
 * Scheduling (docs/consensus.md "Scheduler"): at most max_active elections
 * run at once. New blocks from the ledger start theirs at once while there
 * is room. Unconfirmed blocks already in the ledger (after a restart, a
 * bootstrap, or blocks that did not fit) are found by a scan of the ledger
 * in bounded slices (elections_service_step): each account whose
 * confirmation height is below its height enters a bounded backlog, ordered
 * by balance (heaviest first), and only its frontier gets an election,
 * because cementing the frontier cements everything below it. The backlog
 * may fill the container only up to four fifths, so new blocks always find
 * room.
 *
 * Vote requests: elections_service_step hands the elections due for a
 * request (active.h) to the request hook; a vote_request from a peer is
 * answered by our representatives through the reply hook (their standing
 * vote, or a final vote for a block the ledger has cemented; a block the
 * ledger holds unconfirmed gets an election, whose votes go out by the vote
 * hook). */
#ifndef ELECTIONS_SERVICE_H
#define ELECTIONS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"
#include "common/network.h"
#include "procs/elections/active.h"
#include "common/vote.h"

#define ELECTIONS_SERVICE_MAX_REPS 16u
#define ELECTIONS_SERVICE_SCAN_DEPTH 256u

typedef struct elections_service elections_service;

typedef struct {
    const char *data_dir;    /* ledger.db lives here */
    const smn_keypair *keys; /* voting keys (copied; wiped on free) */
    size_t nkeys;
    const smn_network *net;             /* required */
    smn_amount_t online_weight_minimum; /* quorum floor; 0: 60,000 smn */
    uint32_t quorum_percent;            /* 0: 67 */
    uint32_t max_active;                /* 0: 5000 */
    uint32_t backlog;                   /* 0: 65536 accounts */
    uint32_t request_ticks;             /* first vote request after; 0: never */
    uint32_t ticks_per_second;          /* 0: 1 (the caller's tick length) */
    uint32_t step_budget_us;            /* 0: 10,000 (one step's time budget) */
    bool defer_votes;                   /* batch our votes: signed by the next step (wake hook) */
} elections_service_config;

/* Why an election left (the websocket's stopped_election). */
typedef enum {
    ELECTIONS_STOP_CONFIRMED, /* it reached quorum here */
    ELECTIONS_STOP_CEMENTED,  /* the ledger cemented it as a dependency */
    ELECTIONS_STOP_EXPIRED,   /* no quorum in time */
    ELECTIONS_STOP_DROPPED,   /* the container was rebuilt (our representatives changed) */
} elections_stop_reason;

typedef struct {
    uint8_t hash[32]; /* the winner, the cemented block, or the leader when it expired */
    elections_stop_reason reason;
    bool has_info; /* confirmed: the figures below are set */
    smn_amount_t tally, final_tally;
    uint64_t duration_ticks;
    size_t blocks, voters;
    uint32_t requests;
} elections_stop;

typedef struct {
    void *ctx;
    /* A block won its election: cement it (send `confirm` with the block to
     * the ledger, which settles a fork with it). Runs inside the service's
     * calls; must not call back into it. backlog: the election was started
     * by the scheduler for old blocks, so new blocks' confirmations may go
     * first. Returns false when the
     * confirmation cannot be queued: the service then forgets it, and the
     * block is elected again later. */
    bool (*confirm)(void *ctx, const uint8_t hash[32], const smn_block *block, bool backlog);
    /* One of our representatives signed a vote: to every peer (may be NULL). */
    void (*vote)(void *ctx, const smn_vote *v);
    /* The answer to a peer's vote request: to that peer only (may be NULL). */
    void (*reply)(void *ctx, const smn_vote *v, const uint8_t peer[32]);
    /* Ask peers for votes on these blocks, 1..n pairs (may be NULL). */
    void (*request)(void *ctx, const elections_pair *pairs, size_t n);
    /* With defer_votes: votes are waiting; call elections_service_step
     * soon (after the input already read), where they are signed in
     * batches of up to 12 hashes. */
    void (*wake)(void *ctx);
    /* An election started for this block / one stopped (both may be NULL;
     * they only report). Run inside the service's calls. */
    void (*started)(void *ctx, const uint8_t hash[32]);
    void (*stopped)(void *ctx, const elections_stop *st);
} elections_service_hooks;

/* NULL on OOM or a bad config. Opens nothing yet. */
elections_service *elections_service_new(const elections_service_config *cfg,
                                         const elections_service_hooks *hooks);
void elections_service_free(elections_service *s);

/* A block the ledger accepted, or a fork it saw: start (or join) its
 * election. With enough of our own weight it confirms before returning. */
elections_start_status elections_service_block(elections_service *s, const smn_block *b);
/* A block the bootstrap synced (origin bootstrap): no election of its
 * own. Its account is left to the backlog's scan, which elects the
 * frontier (asking representatives for votes) and whose confirmation
 * cements the whole chain below it (docs/bootstrap.md "Confirmation
 * afterwards"). */
void elections_service_synced(elections_service *s, const smn_block *b);
/* A decoded vote from another node; its weight is read from the ledger. */
elections_vote_outcome elections_service_vote(elections_service *s, const smn_vote *v);

/* A peer (node id) asked for votes on these blocks (1..n pairs). */
void elections_service_vote_request(elections_service *s, const elections_pair *pairs, size_t n,
                                    const uint8_t peer[32]);
/* The vote feed (re)connected: votes may have been lost, ask for all. */
void elections_service_votes_lost(elections_service *s);

/* Re-read the keys' weights; rebuilds when the set of representatives
 * changed and then starts a new scan. Returns the number of representatives. */
size_t elections_service_load_reps(elections_service *s);
/* Start a new scan of the ledger for unconfirmed blocks (the previous one,
 * if running, starts over). The work happens in elections_service_step. */
void elections_service_resync(elections_service *s);
/* The ledger refused the confirmation of hash (block, the winner): forget
 * that it was confirmed here; a later pass over the DB elects it again. */
void elections_service_confirm_refused(elections_service *s, const uint8_t hash[32],
                                       const smn_block *block);
/* One bounded slice of work (at most step_budget_us of scanning and
 * scheduling, plus the due vote requests). Returns true when more work is
 * waiting (call again soon), false when idle. */
bool elections_service_step(elections_service *s);
/* Logical time, in the caller's ticks: expiry of elections, online weight,
 * vote requests. */
void elections_service_tick(elections_service *s, uint64_t now);
size_t elections_service_backlog(const elections_service *s);
/* With defer_votes: the most choices one of our representatives has
 * decided and not signed yet (a full vote holds SMN_VOTE_MAX_HASHES). */
size_t elections_service_votes_pending(const elections_service *s);

size_t elections_service_reps(const elections_service *s);
size_t elections_service_active(const elections_service *s);
/* Ages of the running elections, in ticks: the oldest, and how many are
 * older than older_than (a walk over the active set: O(max_active)). */
void elections_service_ages(const elections_service *s, uint64_t older_than, uint64_t *oldest,
                            size_t *older);
uint64_t elections_service_confirmed(const elections_service *s);
/* Elections started since start (a fresh block's, or a backlog frontier's). */
uint64_t elections_service_started(const elections_service *s);
/* The quorum delta and online weight right now (rpc's confirmation_quorum). */
smn_amount_t elections_service_delta(const elections_service *s);
smn_amount_t elections_service_online(const elections_service *s);
/* The principal representatives (docs/consensus.md): ledger weight at
 * least 0.1 % of the trended online weight (max(online, minimum), so a
 * node that has heard few votes yet still lists the heavy ones), heaviest
 * first, at most max (<= ELECTIONS_PRINCIPALS_MAX). Net drops votes from
 * anyone else before verifying them. Returns how many were written (0
 * also when the ledger cannot be read). */
#define ELECTIONS_PRINCIPALS_MAX 256u
size_t elections_service_principals(elections_service *s, uint8_t (*out)[32], size_t max);
/* The online-weight view (representatives seen voting), and the configured
 * quorum percent and active-election bound (for the status request). */
const elections_online *elections_service_online_view(const elections_service *s);
uint32_t elections_service_quorum_percent(const elections_service *s);
uint32_t elections_service_max_active(const elections_service *s);
/* The latest confirmations (rpc's confirmation_history): a ring of the
 * last ELECTIONS_SERVICE_HISTORY elections this service confirmed, in
 * ticks (no clock here). */
#define ELECTIONS_SERVICE_HISTORY 2048u
typedef struct {
    uint8_t hash[32]; /* the winner */
    uint8_t root[32];
    smn_amount_t tally, final_tally;
    uint64_t start_tick, confirm_tick;
    size_t candidates;
} elections_history_entry;
/* How many are kept (at most ELECTIONS_SERVICE_HISTORY). */
size_t elections_service_history_size(const elections_service *s);
/* The i-th newest (i < size). */
const elections_history_entry *elections_service_history_at(const elections_service *s, size_t i);
uint64_t elections_service_now(const elections_service *s);
/* The active elections (rpc's confirmation_active / confirmation_info:
 * read only) and the length of one tick in milliseconds. */
const elections_active *elections_service_container(const elections_service *s);
uint64_t elections_service_tick_ms(const elections_service *s);

#endif
