/* Fork settlement: find the competitor on the winner's root, then rollback
 * + apply + cement in one transaction; see settle.h. */
#include "procs/ledger/settle.h"

#include <stdbool.h>
#include <string.h>

/* The stored block on winner's root, or NOT_FOUND / CEMENTED / REJECTED. */
static ledger_status find_loser(ledger_store *s, const smn_block *winner, ledger_block_record *rec,
                                ledger_settle_stats *out)
{
    uint64_t height = 1;
    ledger_status r;
    if (!smn_block_is_open(winner)) {
        ledger_block_record prev;
        r = ledger_store_block(s, winner->previous, &prev);
        if (r == LEDGER_STATUS_NOT_FOUND) {
            /* Pruned: the position above it is cemented history. */
            bool pruned;
            if ((r = ledger_store_is_pruned(s, winner->previous, &pruned)) != LEDGER_STATUS_OK)
                return r;
            return pruned ? LEDGER_STATUS_CEMENTED : LEDGER_STATUS_NOT_FOUND;
        }
        if (r != LEDGER_STATUS_OK)
            return r;
        if (memcmp(prev.block.account, winner->account, 32) != 0) {
            out->result = LEDGER_PREVIOUS_ACCOUNT;
            return LEDGER_STATUS_REJECTED;
        }
        height = prev.height + 1;
    }
    uint8_t h[32];
    if ((r = ledger_store_block_at(s, winner->account, height, h, rec)) != LEDGER_STATUS_OK)
        return r;
    memcpy(out->loser, h, 32);
    return rec->confirmed ? LEDGER_STATUS_CEMENTED : LEDGER_STATUS_OK;
}

ledger_status ledger_settle_loser(ledger_store *s, const smn_block *winner, uint8_t loser[32])
{
    ledger_settle_stats st;
    memset(&st, 0, sizeof st);
    ledger_block_record rec;
    ledger_status r = find_loser(s, winner, &rec, &st);
    if (r == LEDGER_STATUS_OK)
        memcpy(loser, st.loser, 32);
    return r;
}

ledger_status ledger_settle(ledger_store *s, ledger_processor *p, const smn_block *winner,
                            size_t max_rollback, ledger_rolled_back_fn on_rolled_back,
                            ledger_cemented_fn on_cemented, void *user, ledger_settle_stats *out)
{
    memset(out, 0, sizeof *out);
    out->result = LEDGER_ERROR;
    ledger_store_end_held(s);
    if (ledger_store_in_transaction(s))
        return LEDGER_STATUS_INVALID;
    uint8_t hash[32];
    smn_block_hash(winner, hash);
    ledger_block_record rec;
    ledger_status r = ledger_store_block(s, hash, &rec);
    bool stored = r == LEDGER_STATUS_OK;
    if (r != LEDGER_STATUS_OK && r != LEDGER_STATUS_NOT_FOUND)
        return r;
    if (!stored) {
        if ((r = find_loser(s, winner, &rec, out)) != LEDGER_STATUS_OK)
            return r;
        /* Checked before anything is written: a forged winner costs one
         * verification, not a rollback. */
        if (!smn_block_verify_signature(winner)) {
            out->result = LEDGER_BAD_SIGNATURE;
            return LEDGER_STATUS_REJECTED;
        }
    }

    ledger_rollback_list rolled = {0};
    ledger_cemented_list cemented = {0};
    if ((r = ledger_store_begin(s)) != LEDGER_STATUS_OK)
        return r;
    if (stored) {
        out->result = LEDGER_OLD;
    } else {
        r = ledger_rollback_in_tx(s, rec.hash, max_rollback, &rolled);
        if (r == LEDGER_STATUS_OK)
            r = ledger_processor_apply_in_tx(p, winner, LEDGER_SIG_GOOD, &out->result);
        if (r == LEDGER_STATUS_OK && out->result != LEDGER_ACCEPTED)
            r = LEDGER_STATUS_REJECTED;
    }
    if (r == LEDGER_STATUS_OK)
        r = ledger_confirm_in_tx(s, hash, &cemented);
    if (r == LEDGER_STATUS_OK)
        r = ledger_store_commit(s); /* rolls back itself on failure */
    else
        ledger_store_rollback(s);
    if (r != LEDGER_STATUS_OK) {
        ledger_processor_discard_events(p);
    } else {
        out->rolled_back = rolled.n;
        out->cemented = cemented.n;
        for (size_t i = 0; i < rolled.n; i++)
            if (on_rolled_back)
                on_rolled_back(user, &rolled.v[i]);
        ledger_processor_emit_events(p);
        for (size_t i = 0; i < cemented.n; i++)
            if (on_cemented)
                on_cemented(user, &cemented.v[i]);
    }
    ledger_rollback_list_free(&rolled);
    ledger_cemented_list_free(&cemented);
    return r;
}
