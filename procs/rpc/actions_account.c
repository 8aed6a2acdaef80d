/* Account actions: info, balances, history, representative, weight,
 * frontiers, receivables. All read the ledger read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/slices.h"

/* The ledger's account record; false after answering (not found or error). */
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
    bool want_rep, want_weight, want_recv, want_pending, want_confirmed;
    if (!rpc_arg_account(c, req, "account", acc) ||
        !rpc_arg_bool(c, req, "representative", false, &want_rep) ||
        !rpc_arg_bool(c, req, "weight", false, &want_weight) ||
        !rpc_arg_bool(c, req, "receivable", false, &want_recv) ||
        !rpc_arg_bool(c, req, "pending", false, &want_pending) ||
        !rpc_arg_bool(c, req, "include_confirmed", false, &want_confirmed))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_account_info info;
    if (!rpc_ledger_account(c, l, acc, &info))
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
    ledger_block_record front;
    if ((st = ledger_ro_block(l, info.frontier, &front)) != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st); /* NOT_FOUND too: the frontier is never pruned */
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
    json_object_set_new(o, "modified_timestamp", rpc_json_u64(front.local_timestamp));
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
    if (want_confirmed) {
        /* Nano's include_confirmed: the same figures at the confirmation
         * height (the representative the confirmed frontier names) */
        smn_amount_t bal = smn_amount_zero(), recv = smn_amount_zero();
        ledger_block_record cf;
        bool have_cf = false;
        if ((st = ledger_ro_balance_confirmed(l, acc, &bal, &recv)) == LEDGER_STATUS_OK &&
            info.conf_height > 0) {
            st = ledger_ro_block(l, conf_frontier, &cf);
            have_cf = st == LEDGER_STATUS_OK;
            if (st == LEDGER_STATUS_NOT_FOUND)
                st = LEDGER_STATUS_OK; /* pruned */
        }
        if (st != LEDGER_STATUS_OK) {
            json_decref(o);
            rpc_reply_ledger_error(c, st);
            return;
        }
        json_object_set_new(o, "confirmed_balance", rpc_json_amount(bal));
        json_object_set_new(o, "confirmed_height", rpc_json_u64(info.conf_height));
        json_object_set_new(o, "confirmed_frontier", rpc_json_hash(conf_frontier));
        if (want_rep && have_cf)
            json_object_set_new(o, "confirmed_representative",
                                rpc_json_account(cf.block.representative));
        if (want_recv)
            json_object_set_new(o, "confirmed_receivable", rpc_json_amount(recv));
        if (want_pending)
            json_object_set_new(o, "confirmed_pending", rpc_json_amount(recv));
    }
    rpc_reply(c, o);
}

/* {"balance", "pending", "receivable"} of one account (zeros if unopened);
 * confirmed: only what is cemented (Nano's include_only_confirmed). */
static json_t *balance_json(rpc_call *c, ledger_ro *l, const uint8_t acc[32], bool confirmed)
{
    smn_amount_t bal, recv;
    ledger_status st = confirmed ? ledger_ro_balance_confirmed(l, acc, &bal, &recv)
                                 : ledger_ro_balance(l, acc, &bal, &recv);
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
    bool confirmed;
    if (!rpc_arg_account(c, req, "account", acc) ||
        !rpc_arg_bool(c, req, "include_only_confirmed", true, &confirmed))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    json_t *o = balance_json(c, l, acc, confirmed);
    if (o)
        rpc_reply(c, o);
}

/* accounts_balances between slices: 256 accounts per loop iteration (each
 * is a balance and a receivable sum). */
enum { BALANCES_SLICE = 256 };
typedef struct {
    json_t *list, *balances, *errors;
    size_t next;
    bool confirmed;
} balances_walk;

static void balances_free(void *p)
{
    balances_walk *w = p;
    json_decref(w->list);
    json_decref(w->balances);
    json_decref(w->errors);
    free(w);
}

/* One slice of accounts; true once it has answered. */
static bool balances_step(rpc_call *c, void *p)
{
    balances_walk *w = p;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return true;
    size_t end = w->next + BALANCES_SLICE;
    for (; w->next < json_array_size(w->list) && w->next < end; w->next++) {
        const json_t *v = json_array_get(w->list, w->next);
        uint8_t acc[32];
        const char *s = json_is_string(v) ? json_string_value(v) : NULL;
        if (!s || smn_address_decode(s, acc) != SMN_ADDRESS_OK) {
            /* Nano answers a bad entry in "errors" and keeps going. */
            char key[32];
            if (!s)
                snprintf(key, sizeof key, "#%zu", w->next);
            json_object_set_new(w->errors, s ? s : key, json_string("Bad account number"));
            continue;
        }
        json_t *b = balance_json(c, l, acc, w->confirmed);
        if (!b)
            return true; /* answered */
        json_object_set_new(w->balances, s, b);
    }
    if (w->next < json_array_size(w->list))
        return false;
    json_t *o = json_pack("{s:O}", "balances", w->balances);
    if (json_object_size(w->errors))
        json_object_set(o, "errors", w->errors);
    rpc_reply(c, o);
    return true;
}

void rpc_action_accounts_balances(rpc_call *c, const json_t *req)
{
    json_t *list = json_object_get(req, "accounts");
    bool confirmed;
    if (!rpc_arg_bool(c, req, "include_only_confirmed", true, &confirmed))
        return;
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
    balances_walk *w = calloc(1, sizeof *w);
    if (!w || !(w->balances = json_object()) || !(w->errors = json_object())) {
        if (w)
            balances_free(w);
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    w->list = json_incref(list);
    w->confirmed = confirmed;
    rpc_call_slices(c, balances_step, balances_free, w);
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
    if (!rpc_ledger_account(c, l, acc, &info))
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

/* The counterparty of a history entry as Nano names it: the destination of
 * a send, the sender of a receive (absent when the source was pruned), the
 * new representative of a change. False after answering on a ledger error. */
static bool counterparty(rpc_call *c, ledger_ro *l, const ledger_block_record *r, uint8_t out[32],
                         bool *known)
{
    *known = true;
    switch (r->subtype) {
    case LEDGER_SUBTYPE_SEND:
        memcpy(out, r->block.link, 32);
        return true;
    case LEDGER_SUBTYPE_RECEIVE:
    case LEDGER_SUBTYPE_OPEN: {
        ledger_block_record src;
        ledger_status st = ledger_ro_block(l, r->block.link, &src);
        if (st == LEDGER_STATUS_OK) {
            memcpy(out, src.block.account, 32);
            return true;
        }
        *known = false;
        if (st == LEDGER_STATUS_NOT_FOUND)
            return true;
        rpc_reply_ledger_error(c, st);
        return false;
    }
    case LEDGER_SUBTYPE_CHANGE:
        memcpy(out, r->block.representative, 32);
        return true;
    }
    *known = false;
    return true;
}

typedef struct {
    bool raw;
    const uint8_t (*filter)[32]; /* account_filter; NULL: none */
    size_t nfilter;
} history_opts;

typedef enum { ENTRY_OK, ENTRY_FILTERED, ENTRY_ANSWERED } entry_result;

/* One history entry, Nano's field names: type send / receive (open
 * included) / change and the counterparty as "account"; raw adds the block's
 * fields and its subtype (the counterparty stays in "account", as Nano). */
static entry_result history_entry(rpc_call *c, ledger_ro *l, const ledger_block_record *r,
                                  const history_opts *o, json_t **out)
{
    uint8_t other[32];
    bool known;
    if (!counterparty(c, l, r, other, &known))
        return ENTRY_ANSWERED;
    if (o->filter) {
        bool match = false;
        for (size_t i = 0; known && i < o->nfilter && !match; i++)
            match = memcmp(o->filter[i], other, 32) == 0;
        if (!match)
            return ENTRY_FILTERED;
    }
    const smn_block *b = &r->block;
    json_t *e = json_object();
    const char *type = r->subtype == LEDGER_SUBTYPE_SEND     ? "send"
                       : r->subtype == LEDGER_SUBTYPE_CHANGE ? "change"
                                                             : "receive";
    if (o->raw) {
        json_object_set_new(e, "type", json_string("state"));
        json_object_set_new(e, "subtype", json_string(ledger_subtype_str(r->subtype)));
        json_object_set_new(e, "representative", rpc_json_account(b->representative));
        json_object_set_new(e, "link", rpc_json_hash(b->link));
        json_object_set_new(e, "balance", rpc_json_amount(b->balance));
        json_object_set_new(e, "previous", rpc_json_hash(b->previous));
        json_object_set_new(e, "work", rpc_json_work(b->work));
        char sig[2 * SMN_SIG_BYTES + 1];
        smn_hex_encode(b->signature, SMN_SIG_BYTES, sig);
        json_object_set_new(e, "signature", json_string(sig));
    } else {
        json_object_set_new(e, "type", json_string(type));
    }
    if (known)
        json_object_set_new(e, "account", rpc_json_account(other));
    json_object_set_new(e, "amount", rpc_json_amount(r->amount));
    json_object_set_new(e, "local_timestamp", rpc_json_u64(r->local_timestamp));
    json_object_set_new(e, "height", rpc_json_u64(r->height));
    json_object_set_new(e, "hash", rpc_json_hash(r->hash));
    json_object_set_new(e, "confirmed", json_string(r->confirmed ? "true" : "false"));
    *out = e;
    return ENTRY_OK;
}

/* Blocks read from the ledger per step while walking a chain, and the most
 * one request walks (with account_filter most may not match): beyond it the
 * answer stops and names where to continue ("previous" / "next"). */
#define HISTORY_BATCH 256u
#define HISTORY_SCAN_MAX 20000u

/* account_history's walk between slices: one batch of HISTORY_BATCH blocks
 * per loop iteration, so the 20,000 blocks one request may look at never
 * hold the loop. */
typedef struct {
    uint8_t acc[32];
    history_opts ho;
    uint8_t (*filter)[32];
    ledger_block_record *recs;
    json_t *hist, *o;
    uint64_t count, skip, scanned, cur, pruned, height;
    bool reverse, stop;
} history_walk;

static void history_free(void *p)
{
    history_walk *w = p;
    free(w->recs);
    free(w->filter);
    json_decref(w->hist);
    json_decref(w->o);
    free(w);
}

/* One batch of the walk from w->cur (towards the open block, or the
 * frontier with reverse) until count entries are shown; offset skips that
 * many entries first (matching ones, with a filter, as Nano). True once it
 * has answered. */
static bool history_step(rpc_call *c, void *p)
{
    history_walk *w = p;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return true;
    const char *next_key = w->reverse ? "next" : "previous";
    if (!w->stop && w->cur > w->pruned && w->cur <= w->height) {
        uint64_t before = w->reverse ? (w->cur + HISTORY_BATCH <= w->height ? w->cur + HISTORY_BATCH
                                                                            : w->height + 1)
                                     : w->cur + 1;
        size_t n = 0;
        ledger_status st = ledger_ro_history(l, w->acc, before, w->recs, HISTORY_BATCH, &n);
        if (st != LEDGER_STATUS_OK) {
            rpc_reply_ledger_error(c, st);
            return true;
        }
        if (n == 0)
            w->stop = true; /* pruned meanwhile */
        /* recs: heights before-1, before-2, ... ; reverse walks them upwards */
        for (size_t k = 0; k < n; k++) {
            const ledger_block_record *r = w->reverse ? &w->recs[n - 1 - k] : &w->recs[k];
            if (w->reverse ? r->height < w->cur : r->height > w->cur)
                continue;
            if (json_array_size(w->hist) >= w->count || w->scanned >= HISTORY_SCAN_MAX) {
                /* the page's neighbour: where the next request starts */
                json_object_set_new(w->o, next_key, rpc_json_hash(r->hash));
                w->stop = true;
                break;
            }
            w->scanned++;
            w->cur = w->reverse ? r->height + 1 : r->height - 1;
            json_t *e = NULL;
            entry_result er = history_entry(c, l, r, &w->ho, &e);
            if (er == ENTRY_ANSWERED)
                return true;
            if (er == ENTRY_FILTERED)
                continue;
            if (w->skip > 0) {
                w->skip--;
                json_decref(e);
                continue;
            }
            json_array_append_new(w->hist, e);
        }
        if (n < HISTORY_BATCH && !w->reverse)
            w->stop = true; /* reached the open block or pruned history */
        if (!w->stop && w->cur > w->pruned && w->cur <= w->height)
            return false;
    }
    json_object_set(w->o, "history", w->hist);
    rpc_reply(c, json_incref(w->o));
    return true;
}

void rpc_action_account_history(rpc_call *c, const json_t *req)
{
    uint8_t acc[32], head[32];
    uint64_t count, offset = 0;
    bool all, reverse, have_head = json_object_get(req, "head") != NULL;
    history_opts ho = {0};
    uint8_t(*filter)[32] = NULL;
    if (!rpc_arg_account(c, req, "account", acc) ||
        !rpc_arg_count_all(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &count, &all) ||
        !rpc_arg_u64(c, req, "offset", "Invalid offset", &offset) ||
        !rpc_arg_bool(c, req, "raw", false, &ho.raw) ||
        !rpc_arg_bool(c, req, "reverse", false, &reverse) ||
        (have_head && !rpc_arg_hash(c, req, "head", head)) ||
        !rpc_arg_account_list(c, req, "account_filter", &filter, &ho.nfilter))
        return;
    ho.filter = (const uint8_t(*)[32])filter;
    ledger_ro *l = rpc_ledger(c);
    if (!l) {
        free(filter);
        return;
    }
    ledger_account_info info;
    ledger_status st = ledger_ro_account_info(l, acc, &info);
    if (st == LEDGER_STATUS_NOT_FOUND) {
        /* no blocks: an empty history, as Nano */
        free(filter);
        rpc_reply(c, json_pack("{s:o,s:[]}", "account", rpc_json_account(acc), "history"));
        return;
    }
    uint64_t pruned = 0;
    if (st == LEDGER_STATUS_OK)
        st = ledger_ro_pruned_height(l, acc, &pruned);
    if (st != LEDGER_STATUS_OK) {
        free(filter);
        rpc_reply_ledger_error(c, st);
        return;
    }
    uint64_t cur; /* next height to look at */
    if (have_head) {
        ledger_block_record hr;
        st = ledger_ro_block(l, head, &hr);
        if (st == LEDGER_STATUS_NOT_FOUND ||
            (st == LEDGER_STATUS_OK && memcmp(hr.block.account, acc, 32) != 0)) {
            free(filter);
            rpc_reply_error(c, "Block not found");
            return;
        }
        if (st != LEDGER_STATUS_OK) {
            free(filter);
            rpc_reply_ledger_error(c, st);
            return;
        }
        cur = hr.height;
    } else {
        cur = reverse ? pruned + 1 : info.height;
    }
    history_walk *w = calloc(1, sizeof *w);
    if (w) {
        w->filter = filter;
        w->recs = malloc(sizeof *w->recs * HISTORY_BATCH);
        w->hist = json_array();
        w->o = json_pack("{s:o}", "account", rpc_json_account(acc));
    }
    if (!w || !w->recs || !w->hist || !w->o) {
        if (w)
            history_free(w);
        else
            free(filter);
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    memcpy(w->acc, acc, 32);
    w->ho = ho;
    w->count = count;
    w->skip = offset;
    w->cur = cur;
    w->pruned = pruned;
    w->height = info.height;
    w->reverse = reverse;
    rpc_call_slices(c, history_step, history_free, w);
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
json_t *rpc_receivable_json(rpc_call *c, ledger_ro *l, const uint8_t acc[32],
                            const rpc_receivable_opts *o)
{
    uint64_t count = o->count;
    smn_amount_t threshold = o->threshold;
    bool by_amount = o->by_amount, source = o->source;
    ledger_receivable *rs = malloc(sizeof *rs * count);
    if (!rs) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return NULL;
    }
    size_t n = 0;
    /* the threshold bounds the index scan: it stops at the first below */
    ledger_status st = ledger_ro_receivables_above(l, acc, threshold, o->confirmed, rs, count, &n);
    if (st != LEDGER_STATUS_OK) {
        free(rs);
        rpc_reply_ledger_error(c, st);
        return NULL;
    }
    json_t *out = (by_amount || source) ? json_object() : json_array();
    char hex[65];
    for (size_t i = 0; i < n; i++) {
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

json_t *rpc_receivable_json_budget(rpc_call *c, ledger_ro *l, const uint8_t acc[32],
                                   const rpc_receivable_opts *o, size_t *budget, bool *cut)
{
    rpc_receivable_opts one = *o;
    if (one.count > *budget)
        one.count = *budget;
    json_t *out = rpc_receivable_json(c, l, acc, &one);
    if (!out)
        return NULL;
    size_t n = json_is_array(out) ? json_array_size(out) : json_object_size(out);
    *budget -= n < *budget ? n : *budget;
    /* the budget, not the account's own count, ended the list: it may hold more */
    *cut = one.count < o->count && n == one.count;
    return out;
}

/* Parses threshold/source for both receivable forms. */
bool rpc_receivable_args(rpc_call *c, const json_t *req, rpc_receivable_opts *o)
{
    bool sorting;
    o->threshold = smn_amount_zero();
    o->by_amount = json_object_get(req, "threshold") != NULL;
    if (o->by_amount && !rpc_arg_amount(c, req, "threshold", &o->threshold))
        return false;
    /* sorting: the list is always largest first, which is what it asks for */
    return rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &o->count) &&
           rpc_arg_bool(c, req, "source", false, &o->source) &&
           rpc_arg_bool(c, req, "sorting", false, &sorting) &&
           rpc_arg_bool(c, req, "include_only_confirmed", true, &o->confirmed);
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
    rpc_receivable_opts ro;
    if (!rpc_arg_account(c, req, "account", acc) || !rpc_receivable_args(c, req, &ro))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    json_t *blocks = rpc_receivable_json(c, l, acc, &ro);
    if (blocks)
        rpc_reply(c, json_pack("{s:o}", "blocks", blocks));
}
