/* `process`: a client's block, checked for form, signature and minimum work
 * here, then handed to the ledger through the context's submit link. */
#include <string.h>

#include "common/work.h"
#include "procs/rpc/rpc.h"

/* Nano's optional "subtype": the client says what the block is meant to be;
 * a block that is something else (a "receive" that lowers the balance) is
 * refused before it reaches the ledger. Needs the previous balance; when
 * the previous block is unknown the ledger answers the gap. */
static bool check_subtype(rpc_call *c, const json_t *req, const smn_block *b,
                          const smn_network *net)
{
    json_t *v = json_object_get(req, "subtype");
    ledger_subtype want;
    if (!json_is_string(v) ||
        !ipc_ledger_subtype_parse(json_string_value(v), json_string_length(v), &want)) {
        rpc_reply_error(c, "Invalid block subtype");
        return false;
    }
    ledger_subtype actual;
    if (smn_is_zero32(b->previous)) {
        actual = LEDGER_SUBTYPE_OPEN;
    } else {
        ledger_ro *l = rpc_ledger(c);
        if (!l)
            return false;
        ledger_block_record prev;
        ledger_status st = ledger_ro_block(l, b->previous, &prev);
        if (st == LEDGER_STATUS_NOT_FOUND)
            return true;
        if (st != LEDGER_STATUS_OK) {
            rpc_reply_ledger_error(c, st);
            return false;
        }
        smn_amount_t before = prev.block.balance;
        actual = smn_amount_lt(b->balance, before)   ? LEDGER_SUBTYPE_SEND
                 : smn_amount_gt(b->balance, before) ? LEDGER_SUBTYPE_RECEIVE
                                                     : LEDGER_SUBTYPE_CHANGE;
    }
    if (actual != want) {
        /* open vs. not open is about `previous`; the rest about the balance */
        bool prev_wrong = want == LEDGER_SUBTYPE_OPEN || actual == LEDGER_SUBTYPE_OPEN;
        rpc_reply_error(c, prev_wrong ? "Invalid previous block for given subtype"
                                      : "Invalid block balance for given subtype");
        return false;
    }
    bool low = actual == LEDGER_SUBTYPE_RECEIVE || actual == LEDGER_SUBTYPE_OPEN;
    if (!smn_work_valid(smn_block_root(b), b->work, smn_work_threshold(net, low))) {
        rpc_reply_error(c, "Block work is less than threshold");
        return false;
    }
    return true;
}

void rpc_action_process(rpc_call *c, const json_t *req)
{
    smn_block b;
    if (!rpc_arg_block(c, req, &b))
        return;
    const smn_network *net = rpc_ctx_net(rpc_call_ctx(c));
    /* The subtype (and so the exact threshold) needs the previous balance,
     * which only the ledger knows; below the lower (receive) threshold a
     * block is invalid whatever its subtype, so refuse it without a trip. */
    if (!smn_work_valid(smn_block_root(&b), b.work, smn_work_threshold(net, true))) {
        rpc_reply_error(c, "Block work is less than threshold");
        return;
    }
    if (!smn_block_verify_signature(&b)) {
        rpc_reply_error(c, rpc_process_strerror(RPC_PROCESS_BAD_SIGNATURE));
        return;
    }
    if (json_object_get(req, "subtype") && !check_subtype(c, req, &b, net))
        return;
    rpc_submit_block(c, &b, "hash", NULL);
}
