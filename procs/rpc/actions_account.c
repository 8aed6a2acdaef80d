/* Account actions: info, balances, history, representative, weight,
 * frontiers, receivables. All read the ledger read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "procs/rpc/rpc.h"

/* The ledger's account record; false after answering (not found or error). */
static bool account_info(rpc_call *c, ledger_ro *l, const uint8_t acc[32], ledger_account_info *out)
{
    ledger_status st = ledger_ro_account_info(l, acc, out);
    if (st == LEDGER_STATUS_NOT_FOUND) {
        rpc_reply_error(c, "Account not found");
        return false;
    }
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return false;
    }
    return true;
}

/* Hash of account's block at height (NOT_FOUND when pruned or absent). */
static ledger_status hash_at(ledger_ro *l, const uint8_t acc[32], uint64_t height, uint8_t hash[32])
{
    ledger_block_record rec;
    size_t n = 0;
    ledger_status st = ledger_ro_history(l, acc, height + 1, &rec, 1, &n);
    if (st != LEDGER_STATUS_OK)
        return st;
    if (n != 1 || rec.height != height)
        return LEDGER_STATUS_NOT_FOUND;
    memcpy(hash, rec.hash, 32);
    return LEDGER_STATUS_OK;
}

void rpc_action_account_info(rpc_call *c, const json_t *req)
{
    uint8_t acc[32];
    bool want_rep, want_weight, want_recv, want_pending;
    if (!rpc_arg_account(c, req, "account", acc) ||
        !rpc_arg_bool(c, req, "representative", false, &want_rep) ||
        !rpc_arg_bool(c, req, "weight", false, &want_weight) ||
        !rpc_arg_bool(c, req, "receivable", false, &want_recv) ||
        !rpc_arg_bool(c, req, "pending", false, &want_pending))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_account_info info;
    if (!account_info(c, l, acc, &info))
        return;
    uint8_t open[32], conf_frontier[32] = {0};
    ledger_status st = hash_at(l, acc, 1, open);
    bool have_open = st == LEDGER_STATUS_OK;
    if (st == LEDGER_STATUS_OK && info.conf_height > 0)
        st = hash_at(l, acc, info.conf_height, conf_frontier);
    if (st != LEDGER_STATUS_OK && st != LEDGER_STATUS_NOT_FOUND) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "frontier", rpc_json_hash(info.frontier));
    if (have_open) /* absent once pruning removed it */
        json_object_set_new(o, "open_block", rpc_json_hash(open));
    /* every state block names the representative: the frontier set it last */
    json_object_set_new(o, "representative_block", rpc_json_hash(info.frontier));
    json_object_set_new(o, "balance", rpc_json_amount(info.balance));
    json_object_set_new(o, "block_count", rpc_json_u64(info.height));
    json_object_set_new(o, "confirmation_height", rpc_json_u64(info.conf_height));
    json_object_set_new(o, "confirmation_height_frontier", rpc_json_hash(conf_frontier));
    json_object_set_new(o, "account_version", json_string("0"));
    if (want_rep)
        json_object_set_new(o, "representative", rpc_json_account(info.representative));
    if (want_weight) {
        smn_amount_t w;
        if ((st = ledger_ro_weight(l, acc, &w)) != LEDGER_STATUS_OK) {
            json_decref(o);
            rpc_reply_ledger_error(c, st);
            return;
        }
        json_object_set_new(o, "weight", rpc_json_amount(w));
    }
    if (want_recv || want_pending) {
        smn_amount_t bal, recv;
        if ((st = ledger_ro_balance(l, acc, &bal, &recv)) != LEDGER_STATUS_OK) {
            json_decref(o);
            rpc_reply_ledger_error(c, st);
            return;
        }
        if (want_recv)
            json_object_set_new(o, "receivable", rpc_json_amount(recv));
        if (want_pending)
            json_object_set_new(o, "pending", rpc_json_amount(recv));
    }
    rpc_reply(c, o);
}

/* {"balance", "pending", "receivable"} of one account (zeros if unopened). */
static json_t *balance_json(rpc_call *c, ledger_ro *l, const uint8_t acc[32])
{
    smn_amount_t bal, recv;
    ledger_status st = ledger_ro_balance(l, acc, &bal, &recv);
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return NULL;
    }
    return json_pack("{s:o,s:o,s:o}", "balance", rpc_json_amount(bal), "pending",
                     rpc_json_amount(recv), "receivable", rpc_json_amount(recv));
}

void rpc_action_account_balance(rpc_call *c, const json_t *req)
{
    uint8_t acc[32];
    if (!rpc_arg_account(c, req, "account", acc))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    json_t *o = balance_json(c, l, acc);
    if (o)
        rpc_reply(c, o);
}

void rpc_action_accounts_balances(rpc_call *c, const json_t *req)
{
    json_t *list = json_object_get(req, "accounts");
    if (!list) {
        rpc_reply_error(c, "Missing field: accounts");
        return;
    }
    if (!json_is_array(list)) {
        rpc_reply_error(c, "Bad accounts (expected a list)");
        return;
    }
    if (json_array_size(list) > RPC_MAX_COUNT) {
        rpc_reply_error(c, "Too many accounts");
        return;
    }
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    json_t *balances = json_object(), *errors = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        uint8_t acc[32];
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        if (!s || smn_address_decode(s, acc) != SMN_ADDRESS_OK) {
            /* Nano answers a bad entry in "errors" and keeps going. */
            char key[32];
            if (!s)
                snprintf(key, sizeof key, "#%zu", i);
            json_object_set_new(errors, s ? s : key, json_string("Bad account number"));
            continue;
        }
        json_t *b = balance_json(c, l, acc);
        if (!b) {
            json_decref(balances);
            json_decref(errors);
            return;
        }
        json_object_set_new(balances, s, b);
    }
    json_t *o = json_pack("{s:o}", "balances", balances);
    if (json_object_size(errors))
        json_object_set_new(o, "errors", errors);
    else
        json_decref(errors);
    rpc_reply(c, o);
}

void rpc_action_account_representative(rpc_call *c, const json_t *req)
{
    uint8_t acc[32];
    if (!rpc_arg_account(c, req, "account", acc))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_account_info info;
    if (!account_info(c, l, acc, &info))
        return;
    rpc_reply(c, json_pack("{s:o}", "representative", rpc_json_account(info.representative)));
}

void rpc_action_account_weight(rpc_call *c, const json_t *req)
{
    uint8_t acc[32];
    if (!rpc_arg_account(c, req, "account", acc))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    smn_amount_t w;
    ledger_status st = ledger_ro_weight(l, acc, &w);
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "weight", rpc_json_amount(w)));
}

static const char *subtype_name(ledger_subtype t)
{
    return ledger_subtype_str(t);
}

/* One history entry, Nano's field names. Non-raw: type send / receive
 * (open included) / change, the counterparty as "account". Raw: the whole
 * block plus its subtype. Returns NULL after answering on a ledger error. */
static json_t *history_entry(rpc_call *c, ledger_ro *l, const ledger_block_record *r, bool raw)
{
    const smn_block *b = &r->block;
    json_t *e = json_object();
    if (raw) {
        json_object_set_new(e, "type", json_string("state"));
        json_object_set_new(e, "account", rpc_json_account(b->account));
        json_object_set_new(e, "subtype", json_string(subtype_name(r->subtype)));
        json_object_set_new(e, "representative", rpc_json_account(b->representative));
        json_object_set_new(e, "link", rpc_json_hash(b->link));
        json_object_set_new(e, "balance", rpc_json_amount(b->balance));
        json_object_set_new(e, "previous", rpc_json_hash(b->previous));
        char work[17];
        snprintf(work, sizeof work, "%016llX", (unsigned long long)b->work);
        json_object_set_new(e, "work", json_string(work));
        char sig[2 * SMN_SIG_BYTES + 1];
        static const char hexd[] = "0123456789ABCDEF";
        for (int i = 0; i < SMN_SIG_BYTES; i++) {
            sig[2 * i] = hexd[b->signature[i] >> 4];
            sig[2 * i + 1] = hexd[b->signature[i] & 15];
        }
        sig[2 * SMN_SIG_BYTES] = '\0';
        json_object_set_new(e, "signature", json_string(sig));
    } else {
        switch (r->subtype) {
        case LEDGER_SUBTYPE_SEND:
            json_object_set_new(e, "type", json_string("send"));
            json_object_set_new(e, "account", rpc_json_account(b->link));
            break;
        case LEDGER_SUBTYPE_RECEIVE:
        case LEDGER_SUBTYPE_OPEN: {
            json_object_set_new(e, "type", json_string("receive"));
            ledger_block_record src;
            ledger_status st = ledger_ro_block(l, b->link, &src);
            if (st == LEDGER_STATUS_OK)
                json_object_set_new(e, "account", rpc_json_account(src.block.account));
            else if (st != LEDGER_STATUS_NOT_FOUND) { /* a pruned source has no account */
                json_decref(e);
                rpc_reply_ledger_error(c, st);
                return NULL;
            }
            break;
        }
        case LEDGER_SUBTYPE_CHANGE:
            json_object_set_new(e, "type", json_string("change"));
            json_object_set_new(e, "account", rpc_json_account(b->representative));
            break;
        }
    }
    json_object_set_new(e, "amount", rpc_json_amount(r->amount));
    json_object_set_new(e, "hash", rpc_json_hash(r->hash));
    json_object_set_new(e, "height", rpc_json_u64(r->height));
    json_object_set_new(e, "confirmed", json_string(r->confirmed ? "true" : "false"));
    return e;
}

void rpc_action_account_history(rpc_call *c, const json_t *req)
{
    uint8_t acc[32], head[32];
    uint64_t count, offset = 0;
    bool raw, reverse, have_head = json_object_get(req, "head") != NULL;
    if (!rpc_arg_account(c, req, "account", acc) ||
        !rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &count) ||
        !rpc_arg_u64(c, req, "offset", "Invalid offset", &offset) ||
        !rpc_arg_bool(c, req, "raw", false, &raw) ||
        !rpc_arg_bool(c, req, "reverse", false, &reverse) ||
        (have_head && !rpc_arg_hash(c, req, "head", head)))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_account_info info;
    ledger_status st = ledger_ro_account_info(l, acc, &info);
    if (st == LEDGER_STATUS_NOT_FOUND) {
        /* no blocks: an empty history, as Nano */
        rpc_reply(c, json_pack("{s:o,s:[]}", "account", rpc_json_account(acc), "history"));
        return;
    }
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    uint64_t pruned = 0;
    if ((st = ledger_ro_pruned_height(l, acc, &pruned)) != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    uint64_t start; /* first height shown */
    if (have_head) {
        ledger_block_record hr;
        st = ledger_ro_block(l, head, &hr);
        if (st == LEDGER_STATUS_NOT_FOUND ||
            (st == LEDGER_STATUS_OK && memcmp(hr.block.account, acc, 32) != 0)) {
            rpc_reply_error(c, "Block not found");
            return;
        }
        if (st != LEDGER_STATUS_OK) {
            rpc_reply_ledger_error(c, st);
            return;
        }
        start = hr.height;
    } else {
        start = reverse ? pruned + 1 : info.height;
    }
    /* Heights [lo, hi] are shown (newest first unless reverse), one more is
     * read to name the next page. */
    uint64_t lo, hi;
    bool empty = false;
    if (reverse) {
        lo = start + offset;
        hi = lo + count; /* the extra one */
        if (lo > info.height || lo < start)
            empty = true;
        if (hi > info.height)
            hi = info.height;
    } else {
        if (offset >= start) {
            empty = true;
            lo = hi = 0;
        } else {
            hi = start - offset;
            lo = hi > count ? hi - count : 1; /* hi - count: the extra one */
        }
        if (lo <= pruned)
            lo = pruned + 1;
        if (hi < lo)
            empty = true;
    }
    json_t *hist = json_array();
    json_t *o = json_pack("{s:o}", "account", rpc_json_account(acc));
    if (!empty) {
        size_t want = (size_t)(hi - lo + 1), n = 0;
        ledger_block_record *recs = malloc(sizeof *recs * want);
        if (!recs) {
            json_decref(hist);
            json_decref(o);
            rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
            return;
        }
        st = ledger_ro_history(l, acc, hi + 1, recs, want, &n);
        if (st != LEDGER_STATUS_OK) {
            free(recs);
            json_decref(hist);
            json_decref(o);
            rpc_reply_ledger_error(c, st);
            return;
        }
        /* recs: heights hi, hi-1, ... (stopping at pruned history) */
        size_t shown = n > count ? (size_t)count : n;
        for (size_t k = 0; k < shown; k++) {
            const ledger_block_record *r = reverse ? &recs[n - 1 - k] : &recs[k];
            json_t *e = history_entry(c, l, r, raw);
            if (!e) {
                free(recs);
                json_decref(hist);
                json_decref(o);
                return;
            }
            json_array_append_new(hist, e);
        }
        if (n > count) {
            /* the page's neighbour: where the next request starts */
            const ledger_block_record *nx = reverse ? &recs[0] : &recs[n - 1];
            json_object_set_new(o, reverse ? "next" : "previous", rpc_json_hash(nx->hash));
        }
        free(recs);
    }
    json_object_set_new(o, "history", hist);
    rpc_reply(c, o);
}

void rpc_action_frontiers(rpc_call *c, const json_t *req)
{
    uint8_t start[32];
    uint64_t count;
    if (!rpc_arg_account(c, req, "account", start) ||
        !rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &count))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    uint8_t(*accs)[32] = malloc(32 * count), (*fronts)[32] = malloc(32 * count);
    if (!accs || !fronts) {
        free(accs);
        free(fronts);
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    size_t n = 0;
    ledger_status st = ledger_ro_frontiers(l, start, accs, fronts, count, &n);
    if (st != LEDGER_STATUS_OK) {
        free(accs);
        free(fronts);
        rpc_reply_ledger_error(c, st);
        return;
    }
    json_t *map = json_object();
    char addr[SMN_ADDRESS_STRLEN];
    for (size_t i = 0; i < n; i++) {
        smn_address_encode(accs[i], addr);
        json_object_set_new(map, addr, rpc_json_hash(fronts[i]));
    }
    free(accs);
    free(fronts);
    rpc_reply(c, json_pack("{s:o}", "frontiers", map));
}

/* The receivables of one account in Nano's three shapes: a list of hashes;
 * with threshold, {hash: amount}; with source, {hash: {amount, source}}.
 * NULL after answering on error. */
json_t *rpc_receivable_json(rpc_call *c, ledger_ro *l, const uint8_t acc[32], uint64_t count,
                            smn_amount_t threshold, bool by_amount, bool source)
{
    ledger_receivable *rs = malloc(sizeof *rs * count);
    if (!rs) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return NULL;
    }
    size_t n = 0;
    ledger_status st = ledger_ro_receivables(l, acc, rs, count, &n);
    if (st != LEDGER_STATUS_OK) {
        free(rs);
        rpc_reply_ledger_error(c, st);
        return NULL;
    }
    json_t *out = (by_amount || source) ? json_object() : json_array();
    char hex[65];
    for (size_t i = 0; i < n; i++) {
        /* largest first: everything after the first one below is below */
        if (rs[i].amount < threshold)
            break;
        json_t *h = rpc_json_hash(rs[i].send_hash);
        snprintf(hex, sizeof hex, "%s", json_string_value(h));
        if (source) {
            json_object_set_new(out, hex,
                                json_pack("{s:o,s:o}", "amount", rpc_json_amount(rs[i].amount),
                                          "source", rpc_json_account(rs[i].source)));
            json_decref(h);
        } else if (by_amount) {
            json_object_set_new(out, hex, rpc_json_amount(rs[i].amount));
            json_decref(h);
        } else {
            json_array_append_new(out, h);
        }
    }
    free(rs);
    return out;
}

/* Parses threshold/source for both receivable forms. */
bool rpc_receivable_args(rpc_call *c, const json_t *req, uint64_t *count, smn_amount_t *threshold,
                         bool *by_amount, bool *source)
{
    *threshold = 0;
    *by_amount = json_object_get(req, "threshold") != NULL;
    if (*by_amount && !rpc_arg_amount(c, req, "threshold", threshold))
        return false;
    return rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, count) &&
           rpc_arg_bool(c, req, "source", false, source);
}

void rpc_action_receivable(rpc_call *c, const json_t *req)
{
    if (json_object_get(req, "wallet")) {
        /* the wallet form is a control action like wallet_receivable */
        if (!rpc_call_ctx(c)->cfg.enable_control) {
            rpc_reply_error(c, "RPC control is disabled");
            return;
        }
        rpc_action_wallet_receivable(c, req);
        return;
    }
    uint8_t acc[32];
    uint64_t count;
    smn_amount_t threshold;
    bool by_amount, source;
    if (!rpc_arg_account(c, req, "account", acc) ||
        !rpc_receivable_args(c, req, &count, &threshold, &by_amount, &source))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    json_t *blocks = rpc_receivable_json(c, l, acc, count, threshold, by_amount, source);
    if (blocks)
        rpc_reply(c, json_pack("{s:o}", "blocks", blocks));
}
