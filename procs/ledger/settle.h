/* Settling a fork: the network confirmed a block the ledger does not hold,
 * because it holds a competitor on the same root (same previous, or another
 * open of the account). The competitor and everything built on it are
 * rolled back (rollback.h), the winner is validated and applied through the
 * processor (with the unchecked cascade) and cemented (confirm.h), all in
 * one transaction: either all of it happens or nothing does. */
#ifndef LEDGER_SETTLE_H
#define LEDGER_SETTLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/block.h"
#include "procs/ledger/confirm.h"
#include "procs/ledger/processor.h"
#include "procs/ledger/rollback.h"
#include "procs/ledger/store.h"
#include "ipc/ledgerdb/types.h"

typedef void (*ledger_rolled_back_fn)(void *user, const ledger_rolled_back *rb);

typedef struct {
    size_t rolled_back;   /* blocks removed */
    size_t cemented;      /* blocks newly cemented (the winner and its dependencies) */
    ledger_result result; /* the winner's validation once the competitor was gone */
    uint8_t loser[32];    /* the block that held the winner's position (zero: none) */
} ledger_settle_stats;

/* Settles winner's root in its favour; max_rollback bounds the blocks
 * removed (0: LEDGER_ROLLBACK_MAX_DEFAULT). After COMMIT, in this order:
 * on_rolled_back for each removed block (newest first), the processor's
 * on_event for the winner and whatever it released from unchecked, then
 * on_cemented in cementing order. Callbacks may be NULL.
 * OK (also when winner was stored already: it is only cemented);
 * NOT_FOUND: no stored block holds the winner's root (nothing to settle);
 * CEMENTED: the competitor or a block built on it is cemented;
 * TOO_LARGE: more than max_rollback blocks would go;
 * REJECTED: the winner is invalid even without the competitor (out->result
 * says why: bad_signature, gap_source, ...). On any failure nothing changed.
 * Must not be called inside an open store transaction. */
ledger_status ledger_settle(ledger_store *s, ledger_processor *p, const smn_block *winner,
                            size_t max_rollback, ledger_rolled_back_fn on_rolled_back,
                            ledger_cemented_fn on_cemented, void *user, ledger_settle_stats *out);

/* The stored block holding winner's root, as ledger_settle finds it: OK
 * with its hash in loser (not cemented), or NOT_FOUND / CEMENTED /
 * REJECTED (previous of another account). Reads only. */
ledger_status ledger_settle_loser(ledger_store *s, const smn_block *winner, uint8_t loser[32]);

#endif
