/* The validation rules, one decision each; see docs/ledger.md. */
#include "procs/ledger/validate.h"

#include <string.h>

#include "common/work.h"

/* Receive and open share the link rules: the link names a send that is
 * still receivable, addressed to this account, of exactly `amount`. */
static ledger_result check_source(const ledger_view *view, const smn_block *b, smn_amount_t amount,
                                  ledger_validation *out)
{
    ledger_receivable r;
    ledger_lookup l = view->receivable(view->ctx, b->link, &r);
    if (l == LEDGER_LOOKUP_ERROR)
        return LEDGER_ERROR;
    if (l == LEDGER_LOOKUP_FOUND) {
        if (memcmp(r.destination, b->account, 32) != 0)
            return LEDGER_WRONG_DESTINATION;
        if (!smn_amount_eq(r.amount, amount))
            return LEDGER_BALANCE_MISMATCH;
        out->receivable = r;
        return LEDGER_ACCEPTED;
    }
    /* Nothing receivable: a known (or pruned) source block was received
     * already or is not a send; an unknown one is a gap. */
    ledger_block_info src;
    l = view->block(view->ctx, b->link, &src);
    if (l == LEDGER_LOOKUP_ERROR)
        return LEDGER_ERROR;
    if (l == LEDGER_LOOKUP_MISSING) {
        memcpy(out->dependency, b->link, 32);
        return LEDGER_GAP_SOURCE;
    }
    return LEDGER_ALREADY_RECEIVED;
}

static bool work_ok(const smn_network *net, const smn_block *b, bool receive_or_open)
{
    return smn_work_valid(smn_block_root(b), b->work, smn_work_threshold(net, receive_or_open));
}

static ledger_result validate_open(const ledger_view *view, const smn_block *b,
                                   ledger_validation *out)
{
    ledger_lookup l = view->account(view->ctx, b->account, &out->before);
    if (l == LEDGER_LOOKUP_ERROR)
        return LEDGER_ERROR;
    if (l == LEDGER_LOOKUP_FOUND)
        return LEDGER_FORK; /* a second open of an existing account */
    if (smn_is_zero32(b->link))
        return LEDGER_BAD_OPEN;
    /* Work: the receive threshold, already checked for every block. */
    ledger_result r = check_source(view, b, b->balance, out);
    if (r != LEDGER_ACCEPTED)
        return r;
    out->subtype = LEDGER_SUBTYPE_OPEN;
    out->amount = b->balance;
    out->height = 1;
    out->account_exists = false;
    return LEDGER_ACCEPTED;
}

ledger_result ledger_validate(const smn_network *net, const ledger_view *view, const smn_block *b,
                              const uint8_t hash[32], ledger_sig_state sig, ledger_validation *out)
{
    memset(out, 0, sizeof *out);
    if (sig == LEDGER_SIG_UNCHECKED)
        sig = smn_block_verify_signature(b) ? LEDGER_SIG_GOOD : LEDGER_SIG_BAD;
    if (sig != LEDGER_SIG_GOOD)
        return LEDGER_BAD_SIGNATURE;

    ledger_block_info known;
    ledger_lookup l = view->block(view->ctx, hash, &known);
    if (l == LEDGER_LOOKUP_ERROR)
        return LEDGER_ERROR;
    if (l != LEDGER_LOOKUP_MISSING)
        return LEDGER_OLD;

    /* Every subtype needs at least the receive threshold: a cheap filter
     * before any more reads, and the only work check a gap block gets. */
    if (!work_ok(net, b, true))
        return LEDGER_INSUFFICIENT_WORK;

    if (smn_block_is_open(b))
        return validate_open(view, b, out);

    l = view->account(view->ctx, b->account, &out->before);
    if (l == LEDGER_LOOKUP_ERROR)
        return LEDGER_ERROR;
    bool exists = l == LEDGER_LOOKUP_FOUND;
    if (!exists || memcmp(out->before.frontier, b->previous, 32) != 0) {
        /* Not on the frontier: find out where the previous is. */
        ledger_block_info prev;
        l = view->block(view->ctx, b->previous, &prev);
        if (l == LEDGER_LOOKUP_ERROR)
            return LEDGER_ERROR;
        if (l == LEDGER_LOOKUP_PRUNED)
            return LEDGER_PRUNED;
        if (l == LEDGER_LOOKUP_MISSING) {
            memcpy(out->dependency, b->previous, 32);
            return LEDGER_GAP_PREVIOUS;
        }
        if (memcmp(prev.account, b->account, 32) != 0)
            return LEDGER_PREVIOUS_ACCOUNT;
        /* Previous is in this account's chain but is not its frontier. */
        return LEDGER_FORK;
    }
    out->account_exists = true;
    out->height = out->before.height + 1;

    smn_amount_t prev_balance = out->before.balance;
    ledger_result r;
    if (smn_amount_lt(b->balance, prev_balance)) {
        /* Send: the link is the destination account, anything goes. */
        out->subtype = LEDGER_SUBTYPE_SEND;
        out->amount = smn_amount_sub_wrap(prev_balance, b->balance);
        if (!work_ok(net, b, false))
            return LEDGER_INSUFFICIENT_WORK;
    } else if (smn_amount_gt(b->balance, prev_balance)) {
        out->subtype = LEDGER_SUBTYPE_RECEIVE;
        out->amount = smn_amount_sub_wrap(b->balance, prev_balance);
        if (smn_is_zero32(b->link))
            return LEDGER_BALANCE_MISMATCH; /* a rise needs a source */
        r = check_source(view, b, out->amount, out);
        if (r != LEDGER_ACCEPTED)
            return r;
        /* receive threshold was checked above */
    } else {
        if (!smn_is_zero32(b->link))
            return LEDGER_BAD_CHANGE_LINK;
        out->subtype = LEDGER_SUBTYPE_CHANGE;
        out->amount = smn_amount_zero();
        if (!work_ok(net, b, false))
            return LEDGER_INSUFFICIENT_WORK;
    }
    return LEDGER_ACCEPTED;
}
