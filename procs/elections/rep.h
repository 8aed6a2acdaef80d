/* Representative mode: this node's own voting key. Decides what the
 * representative votes for, and signs the votes:
 * - first seen wins: for a root it has not voted on, it votes for the block
 *   offered; offered a fork of a root it already voted on, it declines;
 * - it switches (a newer vote) to an election's new leader, until it has
 *   cast a final vote there;
 * - once a candidate reaches quorum of votes, it casts one final vote
 *   (timestamp SMN_VOTE_FINAL) for it and never votes on that root
 *   again.
 * Non-final timestamps are a counter that starts at ts_base and is raised by
 * elections_rep_advance: pass e.g. milliseconds since the epoch so the
 * sequence keeps growing across restarts. No clock is read here. */
#ifndef ELECTIONS_REP_H
#define ELECTIONS_REP_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/keys.h"
#include "common/vote.h"

typedef struct elections_rep elections_rep;

typedef enum {
    ELECTIONS_REP_VOTED = 0,  /* *out holds a fresh signed vote */
    ELECTIONS_REP_NO_WEIGHT,  /* weight 0: a representative without weight stays silent */
    ELECTIONS_REP_DECLINED,   /* already voted this root for another block (first seen wins) */
    ELECTIONS_REP_UNCHANGED,  /* already voted this way: nothing new to say */
    ELECTIONS_REP_FINAL_DONE, /* already cast its final vote on this root */
    ELECTIONS_REP_NO_CHOICE,  /* it has not voted on this root */
    ELECTIONS_REP_DEFERRED,   /* decided; signed by the next elections_rep_take_votes */
    ELECTIONS_REP_NOMEM,
} elections_rep_status;

/* Copies the key pair (wiped again by elections_rep_free). max_roots bounds
 * the roots remembered; when full the oldest non-final choice is forgotten.
 * NULL on OOM or max_roots == 0. */
elections_rep *elections_rep_new(const smn_keypair *kp, smn_amount_t weight, uint64_t ts_base,
                                 size_t max_roots);
void elections_rep_free(elections_rep *r);

const uint8_t *elections_rep_account(const elections_rep *r);
smn_amount_t elections_rep_weight(const elections_rep *r);
/* The ledger's current weight for this representative. */
void elections_rep_set_weight(elections_rep *r, smn_amount_t weight);
/* Raise the next timestamp to at least now (never lowers it). */
void elections_rep_advance(elections_rep *r, uint64_t now);

/* A block for `root` was seen: vote for it if this is the first for root. */
elections_rep_status elections_rep_vote(elections_rep *r, const uint8_t root[32],
                                        const uint8_t hash[32], smn_vote *out);
/* The election's leader is now `hash`: vote for it with a newer timestamp
 * unless already voting for it or already final. */
elections_rep_status elections_rep_switch(elections_rep *r, const uint8_t root[32],
                                          const uint8_t hash[32], smn_vote *out);
/* `hash` reached quorum of votes: cast the final vote, once per root. */
elections_rep_status elections_rep_final(elections_rep *r, const uint8_t root[32],
                                         const uint8_t hash[32], smn_vote *out);
/* The election on root is over. A final vote is a commitment that must
 * outlive its election: with keep_final (an expired election, whose root
 * may be elected again) a final choice stays, so this representative can
 * never sign a final vote for another block of that root; a confirmed root
 * (keep_final false) is never elected again, so everything goes. */
/* Deferred mode (off by default): vote, switch and final record the choice
 * and return ELECTIONS_REP_DEFERRED instead of signing one vote per hash;
 * elections_rep_take_votes then signs every pending choice in batches of up
 * to SMN_VOTE_MAX_HASHES hashes, the non-final ones under one fresh
 * timestamp per vote (so each is newer than anything signed before for its
 * root), the final ones as final votes. A choice changed again before it is
 * signed goes out once, as it stands then. */
void elections_rep_set_deferred(elections_rep *r, bool deferred);
size_t elections_rep_pending(const elections_rep *r);
/* Sign pending choices into at most max votes (max >= 3); returns how many.
 * Choices that did not fit stay pending. */
size_t elections_rep_take_votes(elections_rep *r, smn_vote *out, size_t max);
/* Answer a vote request: the vote this representative stands by for root
 * (its latest choice, final or not, with the timestamp it had), signed
 * again; ELECTIONS_REP_NO_CHOICE when it has not voted there. Ed25519 is
 * deterministic, so this is the same vote it sent before. */
elections_rep_status elections_rep_current(elections_rep *r, const uint8_t root[32], smn_vote *out);
/* Answer a vote request for several roots in at most two votes (out[0..1]):
 * one over the final choices among them, one over the others under the
 * newest of their timestamps (each restates a choice already made, so it
 * commits to nothing new). Roots it has not voted on are skipped; at most
 * SMN_VOTE_MAX_HASHES of each kind. Returns how many votes were signed. */
size_t elections_rep_current_many(elections_rep *r, const uint8_t (*roots)[32], size_t n,
                                  smn_vote out[2]);
/* A final vote for blocks the ledger has cemented (1..SMN_VOTE_MAX_HASHES
 * distinct hashes): cemented is final, so this commits to nothing new and
 * records no root. */
elections_rep_status elections_rep_final_cemented(elections_rep *r, const uint8_t (*hashes)[32],
                                                  size_t n, smn_vote *out);
void elections_rep_forget(elections_rep *r, const uint8_t root[32], bool keep_final);
size_t elections_rep_roots(const elections_rep *r);

#endif
