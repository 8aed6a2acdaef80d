/* Rollback: removing a block and everything built on it, the inverse of
 * applying them. Used to settle a fork the ledger holds the losing side of
 * (settle.h). Never touches a cemented block, and is bounded. */
#ifndef LEDGER_ROLLBACK_H
#define LEDGER_ROLLBACK_H

#include <stddef.h>
#include <stdint.h>

#include "procs/ledger/store.h"
#include "ipc/ledgerdb/types.h"

/* At most this many blocks per rollback by default: about one batch's work
 * in one transaction. */
#define LEDGER_ROLLBACK_MAX_DEFAULT 4096u

typedef struct {
    uint8_t hash[32];
    uint8_t account[32];
    uint64_t height;
    ledger_subtype subtype;
} ledger_rolled_back;

/* The removed blocks in removal order: each was its account's frontier
 * when it went, a receive before the send it received (newest first). */
typedef struct {
    ledger_rolled_back *v;
    size_t n, cap;
} ledger_rollback_list;

void ledger_rollback_list_free(ledger_rollback_list *l);

/* Inside the caller's open transaction: removes hash, every block above it
 * on its account, and for each removed send that was received, the
 * receiving account's chain from that receive up (recursively), restoring
 * accounts, balances, representatives, weights, receivables and counts
 * (ledger_store_unapply). Appends the removed blocks to *out.
 * NOT_FOUND: hash is not stored. CEMENTED: a block that would have to go is
 * cemented. TOO_LARGE: more than max blocks would have to go (max 0 = the
 * default). On any failure the transaction holds a partial rollback: the
 * caller must roll the transaction back. */
ledger_status ledger_rollback_in_tx(ledger_store *s, const uint8_t hash[32], size_t max,
                                    ledger_rollback_list *out);

/* The same in a transaction of its own: all or nothing. On failure nothing
 * changed and out->n is 0. */
ledger_status ledger_rollback(ledger_store *s, const uint8_t hash[32], size_t max,
                              ledger_rollback_list *out);

#endif
