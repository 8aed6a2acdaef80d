/* Vote requests (confirm_req), per channel: what we may ask a peer, what a
 * peer may ask us, and which of its answers get through the vote dedupe.
 * Pure: no clock (the caller passes ms), no randomness, no sockets.
 *
 * - Asking: a confirm_req of n pairs to a peer costs n tokens of its
 *   outbound bucket (NET_VREQ_OUT_PAIRS_PER_S, burst NET_VREQ_OUT_BURST);
 *   without enough tokens the request is not sent to that peer.
 * - Being asked: a confirm_req of n pairs from a peer costs n tokens of its
 *   inbound bucket (twice our own outbound rate, so an honest smallnano peer
 *   is never throttled). Without them the request is dropped, and its pairs
 *   go to a flood bucket (NET_VREQ_FLOOD_PAIRS_PER_S, burst
 *   NET_VREQ_FLOOD_BURST): a peer that empties that one too asks for more
 *   than four times our rate for about ten seconds, which no honest node
 *   does (NET_VREQ_FLOOD: misbehaviour).
 * - Answers: the hashes of the last NET_VREQ_ASKED pairs we asked a peer for
 *   stay "asked" for NET_VREQ_WINDOW_MS. A confirm_ack from that peer that
 *   the seen set already holds is still handed to the vote subscribers once
 *   if it votes for one of those hashes, at most NET_VREQ_ANSWERS_PER_PAIR
 *   times per pair asked (capped at NET_VREQ_MAX_CREDIT) while the window
 *   lasts. So a peer can make us re-deliver only answers to what we asked
 *   it, a few per question: no way to replay a flood.
 *
 * Also the two conversions between a confirm_req and the net.sock pairs
 * array (request_votes in, vote_request out). */
#ifndef NET_SERVICE_VOTEREQ_H
#define NET_SERVICE_VOTEREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/builder.h"
#include "ipc/msg.h"
#include "common/vote.h"
#include "procs/net/limiter.h"
#include "procs/net/message.h"
#include "procs/net/service_flood.h"

#define NET_VREQ_OUT_PAIRS_PER_S 120u   /* pairs we ask one peer for per second ... */
#define NET_VREQ_OUT_BURST 240u         /* ... and at once (20 full confirm_reqs) */
#define NET_VREQ_IN_PAIRS_PER_S 240u    /* pairs one peer may ask us for per second ... */
#define NET_VREQ_IN_BURST 480u          /* ... and at once */
#define NET_VREQ_FLOOD_PAIRS_PER_S 240u /* excess pairs tolerated per second ... */
#define NET_VREQ_FLOOD_BURST 2400u      /* ... and in all before it is a flood */
#define NET_VREQ_WINDOW_MS 5000u        /* answers to a confirm_req are awaited this long */
#define NET_VREQ_ASKED 48u              /* hashes remembered per peer (4 full requests) */
#define NET_VREQ_ANSWERS_PER_PAIR 4u    /* seen votes re-delivered per pair asked ... */
#define NET_VREQ_MAX_CREDIT 192u        /* ... and in all per window */

typedef struct {
    uint8_t hash[32];
    uint64_t until_ms; /* 0: empty slot */
} net_vreq_asked;

typedef struct {
    net_limiter out;   /* pairs we may ask this peer for */
    net_flood_gate in; /* pairs it may ask us for, and the flood allowance */
    net_vreq_asked asked[NET_VREQ_ASKED];
    size_t asked_next;
    uint32_t credit;          /* seen votes it may still get re-delivered */
    uint64_t credit_until_ms; /* the credit lapses then */
} net_vreq;

typedef enum {
    NET_VREQ_ACCEPT = 0, /* within its budget: forward it */
    NET_VREQ_THROTTLE,   /* over budget: drop it */
    NET_VREQ_FLOOD,      /* far over budget for long: drop it, and it misbehaves */
} net_vreq_verdict;

void net_vreq_init(net_vreq *r, uint64_t now_ms);

/* We want to send q to this peer: true (tokens spent, q's hashes now
 * awaited until now + NET_VREQ_WINDOW_MS) or false (over budget: nothing
 * changes). */
bool net_vreq_ask(net_vreq *r, const net_confirm_req *q, uint64_t now_ms);

/* The peer sent a confirm_req of `pairs` pairs (1..12). */
net_vreq_verdict net_vreq_incoming(net_vreq *r, unsigned pairs, uint64_t now_ms);

/* A confirm_ack from this peer that the seen set holds: true when it answers
 * a pair we asked it for within the window and credit remains (one credit
 * is spent); the caller then delivers it to the vote subscribers only. */
bool net_vreq_redeliver(net_vreq *r, const smn_vote *v, uint64_t now_ms);

/* True while some asked hash is still awaited (a window is open). */
bool net_vreq_window_open(const net_vreq *r, uint64_t now_ms);

/* Read the `pairs` array of a decoded request_votes into q: true, or false
 * when it is absent, empty, longer than NET_CONFIRM_REQ_MAX_PAIRS or an
 * element is not {hash: bin32, root: bin32} (the schema already checked it;
 * this is the second line). */
bool net_vreq_read_pairs(const ipc_obj *body, net_confirm_req *q);

/* Put q's pairs as the `pairs` array of a message being built (vote_request). */
void net_vreq_put_pairs(ipc_builder *b, const net_confirm_req *q);

#endif
