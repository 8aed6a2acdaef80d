/* The elections process's view of the node: the active-elections container
 * (active.h) fed from the ledger, with this node's representatives taken
 * from its wallets, and the read-only ledger DB for weights and for
 * rebuilding after a restart. No IPC here: main.c feeds blocks in and
 * carries confirmations out through the hooks, so the whole flow is
 * drivable without sockets.
 *
 * Representatives: every account of a wallet in DATA_DIR/wallets.db that
 * opens with the empty password (each locked wallet is tried once), whose
 * ledger weight is non-zero; at most ELECTIONS_SERVICE_MAX_REPS. When that
 * set changes, the container is rebuilt with the new representatives and
 * every unconfirmed block in the ledger gets an election again, so a
 * representative found late still votes on what is pending.
 *
 * Rebuilding from the DB (elections_service_resync): for every account whose
 * confirmation height is below its height, elections start for its
 * unconfirmed blocks in height order (at most ELECTIONS_SERVICE_SCAN_DEPTH
 * per account per pass; a pass that stops early, or elections that expire
 * or do not fit, make elections_service_wants_scan() true so the caller
 * runs another pass soon).
 *
 * Votes from other nodes enter through elections_service_vote (the seam for
 * the net process); votes our representatives sign leave through the vote
 * hook (for broadcast; NULL while nothing broadcasts). */
#ifndef ELECTIONS_SERVICE_H
#define ELECTIONS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"
#include "common/network.h"
#include "procs/elections/active.h"
#include "procs/elections/vote.h"

#define ELECTIONS_SERVICE_MAX_REPS 16u
#define ELECTIONS_SERVICE_SCAN_DEPTH 256u

typedef struct elections_service elections_service;

typedef struct {
    const char *data_dir;               /* ledger.db and wallets.db live here */
    const smn_network *net;             /* required */
    smn_amount_t online_weight_minimum; /* quorum floor; 0: 60,000 smn */
    uint32_t quorum_percent;            /* 0: 67 */
} elections_service_config;

typedef struct {
    void *ctx;
    /* A block won its election: cement it (send `confirm` to the ledger).
     * Runs inside the service's calls; must not call back into it. */
    void (*confirm)(void *ctx, const uint8_t hash[32]);
    /* One of our representatives signed a vote (may be NULL). */
    void (*vote)(void *ctx, const elections_vote *v);
} elections_service_hooks;

/* NULL on OOM or a bad config. Opens nothing yet. */
elections_service *elections_service_new(const elections_service_config *cfg,
                                         const elections_service_hooks *hooks);
void elections_service_free(elections_service *s);

/* A block the ledger accepted, or a fork it saw: start (or join) its
 * election. With enough of our own weight it confirms before returning. */
elections_start_status elections_service_block(elections_service *s, const smn_block *b);
/* A decoded vote from another node; its weight is read from the ledger. */
elections_vote_outcome elections_service_vote(elections_service *s, const elections_vote *v);

/* Re-read the wallets and weights; rebuilds when the set of representatives
 * changed and then asks for a resync (wants_scan), which the caller runs
 * once. Returns the number of representatives. */
size_t elections_service_load_reps(elections_service *s);
/* Start elections for the unconfirmed blocks in the ledger DB (see above).
 * 0, or -EAGAIN when the ledger DB cannot be read yet (wants_scan stays set). */
int elections_service_resync(elections_service *s);
bool elections_service_wants_scan(const elections_service *s);
/* Logical time, one tick per second: expiry of elections, online weight. */
void elections_service_tick(elections_service *s, uint64_t now);

size_t elections_service_reps(const elections_service *s);
size_t elections_service_active(const elections_service *s);
uint64_t elections_service_confirmed(const elections_service *s);
/* The quorum delta and online weight right now (rpc's confirmation_quorum). */
smn_amount_t elections_service_delta(const elections_service *s);
smn_amount_t elections_service_online(const elections_service *s);

#endif
