/* The bootstrap's pull scheduler: which account to pull next and from which
 * peer. Socket-free and clock-free (the caller passes now_ms), so it is
 * unit-tested on its own (tests/bootstrap/test_sched.c).
 *
 * Accounts wait in one bounded deque (BOOT_QUEUE_MAX, no duplicates). The
 * frontier scan appends the accounts it finds behind a peer; an account
 * whose pull is not finished (a full page came back: more above it) goes
 * to the back once its page was handed to the ledger (boot_sched_append:
 * chains are pulled in step, page by page, so a receive's source is
 * pulled about when the receive is), and the source account a stuck
 * receive waits for goes to the front (dependency first).
 *
 * Peers (at most BOOT_MAX_PEERS, by node id) each have one pull in flight
 * at most, their own rate limit (BOOT_PEER_BLOCKS_PER_S blocks per second,
 * below what a smallnano peer serves us) and a score: a good answer +1 (up
 * to BOOT_SCORE_MAX), a stall (timeout) BOOT_PENALTY_STALL, invalid blocks
 * or a fork of our cemented chain BOOT_PENALTY_INVALID. At BOOT_SCORE_DROP
 * or below a peer is dropped for BOOT_DROP_MS (its score then restarts at
 * 0). A free peer with the best score is chosen; an account a peer said it
 * cannot serve (pruned there, or unknown) is not asked of that peer again,
 * and once every known peer said so it is given up (the next scan round
 * finds it again). */
#ifndef BOOTSTRAP_SCHED_H
#define BOOTSTRAP_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"

#define BOOT_MAX_PEERS 8u
#define BOOT_QUEUE_MAX 8192u
#define BOOT_PEER_BLOCKS_PER_S 30000u
#define BOOT_PEER_PULLS_PER_S 6000u /* bulk_pulls (parts) per second: below net's gate of 8,000 */
#define BOOT_SCORE_MAX 10
#define BOOT_SCORE_DROP (-10)
#define BOOT_PENALTY_STALL (-4)
#define BOOT_PENALTY_INVALID (-10)
#define BOOT_DROP_MS 60000u

typedef struct {
    bool used;
    bool present; /* in net's last peer list */
    bool busy;    /* a request is out to it */
    uint8_t id[32];
    int score;
    uint64_t next_ms;       /* rate limit: not asked before this */
    uint64_t dropped_until; /* 0: not dropped */
    uint64_t blocks, invalid, stalls, unavailable;
} boot_peer;

typedef struct {
    uint8_t account[32];
    /* the last block pulled and handed to the ledger (it may wait in
     * unchecked): the next page starts above it; zero: at our frontier */
    uint8_t hint[32];
    uint64_t hint_height;
    smn_amount_t hint_balance; /* the balance at hint */
    uint8_t refused;           /* bit i: peer i said it cannot serve this account */
    uint8_t dep_depth;         /* how many dependency hops put it here */
    uint16_t page; /* blocks its last pull asked for (0: none yet): doubles while it delivers full
                      pages */
    /* a peer did not know our unconfirmed head: the next pull starts at our
     * confirmed block instead, so a chain that forks from ours above it
     * comes with the block it has in place of ours (once: then as usual) */
    bool rewind;
} boot_item;

typedef enum {
    BOOT_OK = 0,      /* answered with n blocks (0: nothing above our frontier) */
    BOOT_UNAVAILABLE, /* it cannot serve this account */
    BOOT_STALL,       /* no answer in time */
    BOOT_INVALID,     /* invalid blocks, a broken chain, or a fork of our cemented chain */
    BOOT_NO_SLOT,     /* net had no room for the request: no fault */
} boot_outcome;

typedef struct {
    boot_peer peers[BOOT_MAX_PEERS];
    boot_item *q; /* ring of BOOT_QUEUE_MAX */
    size_t head, n;
    uint64_t dropped_items; /* given up: no peer could serve them */
    uint64_t full;          /* pushes refused: queue full */
} boot_sched;

/* 0, or -ENOMEM. */
int boot_sched_init(boot_sched *s);
void boot_sched_free(boot_sched *s);

/* Net's current peers: known ones become present, new ones are added
 * (replacing an absent one when the table is full), the rest absent. */
void boot_sched_set_peers(boot_sched *s, const uint8_t (*ids)[32], size_t n);
/* Index of the peer with that id, or -1. */
int boot_sched_peer_index(const boot_sched *s, const uint8_t id[32]);
/* Present, not dropped peers. */
size_t boot_sched_usable_peers(const boot_sched *s, uint64_t now_ms);
/* A free, present, not dropped, rate-allowed peer with the best score that
 * has not refused item (NULL: any); -1 if none. Marks nothing. */
int boot_sched_pick_peer(const boot_sched *s, const boot_item *item, uint64_t now_ms);
void boot_sched_mark_busy(boot_sched *s, int peer);
/* The request to peer is over: scores it, frees it, sets its next slot
 * (blocks / BOOT_PEER_BLOCKS_PER_S later). */
void boot_sched_done(boot_sched *s, int peer, boot_outcome o, size_t blocks, uint64_t now_ms);
/* The request to peer carried parts bulk_pulls: its next slot is at least
 * parts / BOOT_PEER_PULLS_PER_S after now (net gates bulk_pulls per peer). */
void boot_sched_pace(boot_sched *s, int peer, size_t parts, uint64_t now_ms);

/* A late verdict on an answer already scored by boot_sched_done (the
 * ledger found its blocks invalid): only the penalty. */
void boot_sched_penalize(boot_sched *s, int peer, boot_outcome o, uint64_t now_ms);

/* Queue an account: at the back (a scan), or at the front (pull its next
 * page now; a dependency). An account already queued is moved to the front
 * by a front push, left alone by a back push. false: the queue is full. */
bool boot_sched_push(boot_sched *s, const uint8_t account[32], bool front, uint8_t dep_depth);
/* Put a taken item back at the front, keeping what it carries. */
bool boot_sched_requeue(boot_sched *s, const boot_item *it);
/* The same at the back (a chain's next page, after every other queued
 * account's: chains are pulled in step). */
bool boot_sched_append(boot_sched *s, const boot_item *it);
/* A queued account's hint is no longer true (the ledger did not take the
 * blocks it names): its next pull starts at our frontier. */
void boot_sched_forget_hint(boot_sched *s, const uint8_t account[32]);
size_t boot_sched_queued(const boot_sched *s);
bool boot_sched_contains(const boot_sched *s, const uint8_t account[32]);
/* The first queued account that a peer able to serve it can take now:
 * removes it into *item and returns that peer (busy), or -1. An account
 * every usable peer refused is given up on the way. */
int boot_sched_next(boot_sched *s, uint64_t now_ms, boot_item *item);
/* Another queued account for peer (already busy with this request): the
 * first one it has not refused. false: none. */
bool boot_sched_take_for(boot_sched *s, int peer, uint64_t now_ms, boot_item *item);
/* peer refused item: remember it and queue it again at the front, or give
 * it up when no usable peer is left to ask. true: queued again. */
bool boot_sched_refused(boot_sched *s, boot_item *item, int peer, uint64_t now_ms);

#endif
