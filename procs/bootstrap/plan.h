/* What the bootstrap process pulls, decided without sockets: from one
 * frontiers answer and the local ledger (read-only), the accounts we are
 * behind on and where the scan goes on; from a pulled batch, whether the
 * chain's older part is needed too. service.c does the asking (net.sock)
 * and the submitting (ledger client); this file only decides. */
#ifndef BOOTSTRAP_PLAN_H
#define BOOTSTRAP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/block.h"
#include "ipc/ledgerdb/ro.h"

/* Frontiers asked per request; a full answer may not be the end. */
#define BOOTSTRAP_BATCH 128u
/* Older parts of one chain pulled per round at most (x IPC_NET_MAX_PULL
 * blocks): a peer feeding an endless chain stops being asked; the next
 * round continues from wherever the ledger got. */
#define BOOTSTRAP_MAX_DEPTH 64u

typedef struct {
    uint8_t start[32]; /* an account or, for a chain's older part, a block hash */
    uint8_t end[32];   /* our frontier of the account; zero: none */
    unsigned retries;
    unsigned depth; /* older parts of the same chain pulled before this one */
} bootstrap_job;

typedef struct {
    uint8_t account[32];
    uint8_t hash[32]; /* the peer's frontier of the account */
} bootstrap_frontier;

/* One frontiers answer (entries in ascending account order; full: it had
 * BOOTSTRAP_BATCH entries, so more may follow). jobs[0..*njobs) get, in
 * the same order, every account whose peer frontier is not a block of our
 * ledger, with our frontier of it as end (zero if we have no such
 * account). next_cursor: the account after the last entry, and *round_end
 * when the answer was not full or no account follows (next_cursor zero).
 * A read error other than NOT_FOUND is returned (jobs then unspecified). */
ledger_status bootstrap_plan_frontiers(ledger_ro *ro, const bootstrap_frontier *entries, size_t n,
                                       bool full, bootstrap_job *jobs, size_t *njobs,
                                       uint8_t next_cursor[32], bool *round_end);

/* cur's pull brought blocks whose oldest is `oldest`: true, with *older
 * set, when the block below it is neither cur's end nor in our ledger (and
 * cur is not already BOOTSTRAP_MAX_DEPTH parts deep): its chain's older
 * part is pulled next. */
bool bootstrap_plan_older(ledger_ro *ro, const smn_block *oldest, const bootstrap_job *cur,
                          bootstrap_job *older);

/* The account after `account` in key order; *wrapped for the last one. */
void bootstrap_cursor_after(const uint8_t account[32], uint8_t out[32], bool *wrapped);

#endif
