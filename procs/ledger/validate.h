/* Block validation: a pure function of one block and the ledger state it
 * reads through a small read interface. No I/O of its own, no clocks, no
 * randomness: every node reaches the same result for the same state. */
#ifndef LEDGER_VALIDATE_H
#define LEDGER_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/block.h"
#include "common/network.h"
#include "ipc/ledgerdb/types.h"

typedef enum {
    LEDGER_LOOKUP_FOUND = 0,
    LEDGER_LOOKUP_MISSING, /* never seen */
    LEDGER_LOOKUP_PRUNED,  /* (blocks only) seen, accepted, cemented and pruned */
    LEDGER_LOOKUP_ERROR,   /* the store failed: validation answers LEDGER_ERROR */
} ledger_lookup;

/* The ledger state validation may read. */
typedef struct {
    void *ctx;
    ledger_lookup (*block)(void *ctx, const uint8_t hash[32], ledger_block_info *out);
    ledger_lookup (*account)(void *ctx, const uint8_t account[32], ledger_account_info *out);
    /* By send hash; a receivable exists from the send until it is received. */
    ledger_lookup (*receivable)(void *ctx, const uint8_t send_hash[32], ledger_receivable *out);
} ledger_view;

/* Signature state known before validation: the processor verifies a batch
 * in parallel ahead of the write and passes GOOD/BAD; UNCHECKED makes
 * validation verify it itself. */
typedef enum {
    LEDGER_SIG_UNCHECKED = 0,
    LEDGER_SIG_GOOD,
    LEDGER_SIG_BAD,
} ledger_sig_state;

/* What validation learned, enough to apply the block without reading again. */
typedef struct {
    ledger_subtype subtype;
    smn_amount_t amount; /* |delta|; the whole balance for open */
    uint64_t height;     /* height of the new block */
    bool account_exists;
    ledger_account_info before;   /* the account before the block (if it exists) */
    ledger_receivable receivable; /* consumed by a receive/open */
    uint8_t dependency[32];       /* the missing hash for GAP_PREVIOUS / GAP_SOURCE */
} ledger_validation;

/* Validates b (whose hash is `hash`) against the state in view. Checks, in
 * order: signature; already known; lower work threshold; position in the
 * chain (gap / fork / pruned / another account's previous); subtype from the
 * balance delta and its link rules; work threshold of the subtype. Returns
 * LEDGER_ACCEPTED and fills *out, or the first rule that fails (out->dependency
 * set for gaps). Never returns BUSY or QUEUED. */
ledger_result ledger_validate(const smn_network *net, const ledger_view *view, const smn_block *b,
                              const uint8_t hash[32], ledger_sig_state sig, ledger_validation *out);

#endif
