/* Actions over a list of accounts (accounts_frontiers,
 * accounts_representatives, accounts_receivable and its alias
 * accounts_pending) and single-account lookups Nano has beside them
 * (account_block_count, block_account, receivable_exists / pending_exists,
 * available_supply). All read the ledger read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/slices.h"

/* "accounts": a list (at most RPC_MAX_COUNT) of strings; false after answering. */
static const json_t *accounts_list(rpc_call *c, const json_t *req)
{
    const json_t *list = json_object_get(req, "accounts");
    if (!list) {
        rpc_reply_error(c, "Missing field: accounts");
        return NULL;
    }
    if (!json_is_array(list)) {
        rpc_reply_error(c, "Bad accounts (expected a list)");
        return NULL;
    }
    if (json_array_size(list) > RPC_MAX_COUNT) {
        rpc_reply_error(c, "Too many accounts");
        return NULL;
    }
    return list;
}

/* The account at list[i], or false with the entry named in errors. */
static bool entry_account(const json_t *list, size_t i, json_t *errors, uint8_t acc[32],
                          const char **name)
{
    const json_t *v = json_array_get(list, i);
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    *name = s;
    if (s && smn_address_decode(s, acc) == SMN_ADDRESS_OK)
        return true;
    char key[32];
    if (!s)
        snprintf(key, sizeof key, "#%zu", i);
    json_object_set_new(errors, s ? s : key, json_string("Bad account number"));
    return false;
}

static void reply_with_errors(rpc_call *c, const char *key, json_t *map, json_t *errors)
{
    json_t *o = json_pack("{s:o}", key, map);
    if (json_object_size(errors))
        json_object_set_new(o, "errors", errors);
    else
        json_decref(errors);
    rpc_reply(c, o);
}

/* per_account_info between slices: 256 accounts per loop iteration (one
 * lookup each), so a 10,000-account list never holds the loop. */
enum { PER_ACCOUNT_SLICE = 256 };
typedef struct {
    json_t *list, *map, *errors;
    size_t next;
    bool frontiers;
} per_account_walk;

static void per_account_free(void *p)
{
    per_account_walk *w = p;
    json_decref(w->list);
    json_decref(w->map);
    json_decref(w->errors);
    free(w);
}

/* One slice of accounts; true once it has answered. */
static bool per_account_step(rpc_call *c, void *p)
{
    per_account_walk *w = p;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return true;
    size_t end = w->next + PER_ACCOUNT_SLICE;
    for (; w->next < json_array_size(w->list) && w->next < end; w->next++) {
        uint8_t acc[32];
        const char *name;
        if (!entry_account(w->list, w->next, w->errors, acc, &name))
            continue;
        ledger_account_info info;
        ledger_status st = ledger_ro_account_info(l, acc, &info);
        if (st == LEDGER_STATUS_NOT_FOUND) {
            json_object_set_new(w->errors, name, json_string("Account not found"));
            continue;
        }
        if (st != LEDGER_STATUS_OK) {
            rpc_reply_ledger_error(c, st);
            return true;
        }
        json_object_set_new(w->map, name,
                            w->frontiers ? rpc_json_hash(info.frontier)
                                         : rpc_json_account(info.representative));
    }
    if (w->next < json_array_size(w->list))
        return false;
    reply_with_errors(c, w->frontiers ? "frontiers" : "representatives", json_incref(w->map),
                      json_incref(w->errors));
    return true;
}

/* frontiers or representatives of each account; unopened ones go to
 * errors as "Account not found", as Nano. */
static void per_account_info(rpc_call *c, const json_t *req, bool frontiers)
{
    const json_t *list = accounts_list(c, req);
    if (!list)
        return;
    per_account_walk *w = calloc(1, sizeof *w);
    if (!w || !(w->map = json_object()) || !(w->errors = json_object())) {
        if (w)
            per_account_free(w);
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    w->list = json_incref((json_t *)list);
    w->frontiers = frontiers;
    rpc_call_slices(c, per_account_step, per_account_free, w);
}

void rpc_action_accounts_frontiers(rpc_call *c, const json_t *req)
{
    per_account_info(c, req, true);
}

void rpc_action_accounts_representatives(rpc_call *c, const json_t *req)
{
    per_account_info(c, req, false);
}

/* Nano's accounts_receivable (and accounts_pending): receivable's shapes
 * per account, accounts with nothing left out. At most RPC_MAX_COUNT
 * entries in all (10,000 accounts x count 10,000 would be 10^8): when that
 * stops the answer, "next_index" is the position in `accounts` to ask again
 * from. An account listed twice is read once. */
void rpc_action_accounts_receivable(rpc_call *c, const json_t *req)
{
    rpc_receivable_opts ro;
    const json_t *list = accounts_list(c, req);
    if (!list || !rpc_receivable_args(c, req, &ro))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    json_t *blocks = json_object(), *errors = json_object(), *seen = json_object();
    size_t budget = RPC_MAX_COUNT, next = SIZE_MAX;
    for (size_t i = 0; i < json_array_size(list); i++) {
        uint8_t acc[32];
        const char *name;
        if (!entry_account(list, i, errors, acc, &name) || json_object_get(seen, name))
            continue;
        if (budget == 0) {
            next = i;
            break;
        }
        json_object_set_new(seen, name, json_true());
        bool cut;
        json_t *one = rpc_receivable_json_budget(c, l, acc, &ro, &budget, &cut);
        if (!one) {
            json_decref(blocks);
            json_decref(errors);
            json_decref(seen);
            return;
        }
        size_t n = json_is_array(one) ? json_array_size(one) : json_object_size(one);
        if (n == 0)
            json_decref(one);
        else
            json_object_set_new(blocks, name, one);
        if (cut) {
            next = i;
            break;
        }
    }
    json_decref(seen);
    json_t *o = json_pack("{s:o}", "blocks", blocks);
    if (json_object_size(errors))
        json_object_set_new(o, "errors", errors);
    else
        json_decref(errors);
    if (next != SIZE_MAX)
        json_object_set_new(o, "next_index", rpc_json_u64(next));
    rpc_reply(c, o);
}

void rpc_action_account_block_count(rpc_call *c, const json_t *req)
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
    rpc_reply(c, json_pack("{s:o}", "block_count", rpc_json_u64(info.height)));
}

void rpc_action_block_account(rpc_call *c, const json_t *req)
{
    uint8_t h[32];
    if (!rpc_arg_hash(c, req, "hash", h))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_block_record r;
    if (!rpc_ledger_block(c, l, h, &r))
        return;
    rpc_reply(c, json_pack("{s:o}", "account", rpc_json_account(r.block.account)));
}

/* Nano's receivable_exists (pending_exists): the send is in the ledger and
 * not received yet; include_only_confirmed (default true): and cemented.
 * One lookup of the send's receivable row, however many receivables its
 * destination has. */
void rpc_action_receivable_exists(rpc_call *c, const json_t *req)
{
    uint8_t h[32];
    bool confirmed;
    if (!rpc_arg_hash(c, req, "hash", h) ||
        !rpc_arg_bool(c, req, "include_only_confirmed", true, &confirmed))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_receivable rv;
    bool cemented = false;
    ledger_status st = ledger_ro_receivable(l, h, &rv, &cemented);
    if (st == LEDGER_STATUS_NOT_FOUND) {
        /* received already, or not a send: the block itself must exist */
        ledger_block_record r;
        if (!rpc_ledger_block(c, l, h, &r))
            return;
        rpc_reply(c, json_pack("{s:s}", "exists", "0"));
        return;
    }
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "exists", !confirmed || cemented ? "1" : "0"));
}

/* Nano's available_supply: the supply less what genesis still holds and
 * what was sent to the burn address (all zeros), receivable or received. */
void rpc_action_available_supply(rpc_call *c, const json_t *req)
{
    (void)req;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    const smn_network *net = rpc_ctx_net(rpc_call_ctx(c));
    static const uint8_t burn[32] = {0};
    smn_amount_t gbal, grecv, bbal, brecv;
    ledger_status st = ledger_ro_balance(l, net->genesis.account, &gbal, &grecv);
    if (st == LEDGER_STATUS_OK)
        st = ledger_ro_balance(l, burn, &bbal, &brecv);
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    smn_amount_t held = gbal, avail = smn_network_supply();
    /* saturating: these never exceed the supply in a valid ledger */
    if (!smn_amount_add(held, bbal, &held) || !smn_amount_add(held, brecv, &held))
        held = avail;
    avail = smn_amount_ge(held, avail) ? smn_amount_zero() : smn_amount_sub_wrap(avail, held);
    rpc_reply(c, json_pack("{s:o}", "available", rpc_json_amount(avail)));
}
