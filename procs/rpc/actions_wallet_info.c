/* Wallet actions that read or manage a wallet without building blocks
 * (control only): wallet_balances, wallet_info, wallet_frontiers,
 * wallet_locked, wallet_lock, password_valid, wallet_representative(_set),
 * wallet_contains, wallet_destroy, accounts_create, account_remove,
 * wallet_ledger, wallet_history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "procs/rpc/rpc.h"

/* The wallet's accounts; NULL (and *n 0) after answering on error, or a
 * valid (maybe NULL when empty) list with *ok true. */
static bool accounts_of(rpc_call *c, wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                        uint8_t (**pubs)[32], size_t *n)
{
    wallet_status st = wallet_accounts(ws, id, pubs, n);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return false;
    }
    return true;
}

/* wallet_balances {wallet, threshold?, include_only_confirmed? (true)} and
 * wallet_info's sums. */
void rpc_action_wallet_balances(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    smn_amount_t threshold = smn_amount_zero();
    bool confirmed;
    if (json_object_get(req, "threshold") && !rpc_arg_amount(c, req, "threshold", &threshold))
        return;
    if (!rpc_arg_bool(c, req, "include_only_confirmed", true, &confirmed))
        return;
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    ledger_ro *l = rpc_ledger(c);
    uint8_t(*pubs)[32] = NULL;
    size_t n = 0;
    if (!l || !accounts_of(c, ws, id, &pubs, &n))
        return;
    json_t *map = json_object();
    char addr[SMN_ADDRESS_STRLEN];
    for (size_t i = 0; i < n; i++) {
        smn_amount_t bal, recv;
        ledger_status st = confirmed ? ledger_ro_balance_confirmed(l, pubs[i], &bal, &recv)
                                     : ledger_ro_balance(l, pubs[i], &bal, &recv);
        if (st != LEDGER_STATUS_OK) {
            free(pubs);
            json_decref(map);
            rpc_reply_ledger_error(c, st);
            return;
        }
        if (smn_amount_lt(bal, threshold))
            continue;
        smn_address_encode(pubs[i], addr);
        json_object_set_new(map, addr,
                            json_pack("{s:o,s:o,s:o}", "balance", rpc_json_amount(bal), "pending",
                                      rpc_json_amount(recv), "receivable", rpc_json_amount(recv)));
    }
    free(pubs);
    rpc_reply(c, json_pack("{s:o}", "balances", map));
}

void rpc_action_wallet_info(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    bool confirmed;
    if (!rpc_arg_bool(c, req, "include_only_confirmed", true, &confirmed))
        return;
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    ledger_ro *l = rpc_ledger(c);
    uint8_t(*pubs)[32] = NULL;
    size_t n = 0;
    if (!l || !accounts_of(c, ws, id, &pubs, &n))
        return;
    smn_amount_t tb = smn_amount_zero(), tr = smn_amount_zero();
    for (size_t i = 0; i < n; i++) {
        smn_amount_t bal, recv;
        ledger_status st = confirmed ? ledger_ro_balance_confirmed(l, pubs[i], &bal, &recv)
                                     : ledger_ro_balance(l, pubs[i], &bal, &recv);
        if (st != LEDGER_STATUS_OK) {
            free(pubs);
            rpc_reply_ledger_error(c, st);
            return;
        }
        /* sums of at most the supply each: no overflow in a valid ledger */
        if (!smn_amount_add(tb, bal, &tb) || !smn_amount_add(tr, recv, &tr)) {
            free(pubs);
            rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Balance sum overflow"));
            return;
        }
    }
    free(pubs);
    json_t *o = json_object();
    json_object_set_new(o, "balance", rpc_json_amount(tb));
    json_object_set_new(o, "pending", rpc_json_amount(tr));
    json_object_set_new(o, "receivable", rpc_json_amount(tr));
    json_object_set_new(o, "accounts_count", rpc_json_u64(n));
    json_object_set_new(o, "locked", json_string(wallet_is_unlocked(ws, id) ? "0" : "1"));
    rpc_reply(c, o);
}

void rpc_action_wallet_frontiers(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    ledger_ro *l = rpc_ledger(c);
    uint8_t(*pubs)[32] = NULL;
    size_t n = 0;
    if (!l || !accounts_of(c, ws, id, &pubs, &n))
        return;
    json_t *map = json_object();
    char addr[SMN_ADDRESS_STRLEN];
    for (size_t i = 0; i < n; i++) {
        ledger_account_info info;
        ledger_status st = ledger_ro_account_info(l, pubs[i], &info);
        if (st == LEDGER_STATUS_NOT_FOUND)
            continue; /* no blocks: no frontier, as Nano */
        if (st != LEDGER_STATUS_OK) {
            free(pubs);
            json_decref(map);
            rpc_reply_ledger_error(c, st);
            return;
        }
        smn_address_encode(pubs[i], addr);
        json_object_set_new(map, addr, rpc_json_hash(info.frontier));
    }
    free(pubs);
    rpc_reply(c, json_pack("{s:o}", "frontiers", map));
}

void rpc_action_wallet_locked(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (ws)
        rpc_reply(c, json_pack("{s:s}", "locked", wallet_is_unlocked(ws, id) ? "0" : "1"));
}

/* Nano's password_valid: whether the password entered is valid, i.e. the
 * wallet is unlocked here. */
void rpc_action_password_valid(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (ws)
        rpc_reply(c, json_pack("{s:s}", "valid", wallet_is_unlocked(ws, id) ? "1" : "0"));
}

void rpc_action_wallet_lock(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    wallet_status st = wallet_lock(ws, id);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "locked", "1"));
}

void rpc_action_wallet_representative(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], rep[32];
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    wallet_status st = wallet_representative(ws, id, rep);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    if (smn_is_zero32(rep)) {
        rpc_reply_error(c, "Wallet has no representative (new accounts name themselves)");
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "representative", rpc_json_account(rep)));
}

/* Sets the representative new accounts' open blocks name. Nano's
 * update_existing_accounts (change blocks for every account) is not
 * offered: account_representative_set per account does it. */
void rpc_action_wallet_representative_set(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], rep[32];
    if (!rpc_arg_account(c, req, "representative", rep))
        return;
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    wallet_status st = wallet_set_representative(ws, id, rep);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "set", "1"));
}

void rpc_action_wallet_contains(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], acc[32];
    if (!rpc_arg_account(c, req, "account", acc))
        return;
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    wallet_status st = wallet_contains(ws, id, acc);
    if (st != WALLET_OK && st != WALLET_ERR_ACCOUNT_NOT_FOUND) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "exists", st == WALLET_OK ? "1" : "0"));
}

void rpc_action_wallet_destroy(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    wallet_status st = wallet_destroy(ws, id);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "destroyed", "1"));
}

/* accounts_create {wallet, count}: the next count accounts of the seed. */
#define ACCOUNTS_CREATE_MAX 1000u
void rpc_action_accounts_create(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    uint64_t count = 0;
    if (!rpc_arg_u64(c, req, "count", "Invalid count", &count))
        return;
    if (count == 0 || count > ACCOUNTS_CREATE_MAX) {
        rpc_reply_error(c, json_object_get(req, "count") ? "Invalid count (1 to 1000)"
                                                         : "Missing field: count");
        return;
    }
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    json_t *list = json_array();
    for (uint64_t i = 0; i < count; i++) {
        uint8_t pub[32];
        wallet_status st = wallet_account_create(ws, id, pub);
        if (st != WALLET_OK) {
            json_decref(list);
            rpc_reply_wallet_error(c, st);
            return;
        }
        json_array_append_new(list, rpc_json_account(pub));
    }
    rpc_reply(c, json_pack("{s:o}", "accounts", list));
}

/* account_remove {wallet, account}: the account leaves the wallet (its
 * derivation index is not reused). */
void rpc_action_account_remove(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], acc[32];
    if (!rpc_arg_account(c, req, "account", acc))
        return;
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    wallet_status st = wallet_account_remove(ws, id, acc);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "removed", "1"));
}

/* wallet_ledger {wallet, modified_since?}: each account's ledger record
 * (accounts without blocks left out, as those not modified since). */
void rpc_action_wallet_ledger(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    uint64_t since = 0;
    if (!rpc_arg_u64(c, req, "modified_since", "Invalid modified_since", &since))
        return;
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    ledger_ro *l = rpc_ledger(c);
    uint8_t(*pubs)[32] = NULL;
    size_t n = 0;
    if (!l || !accounts_of(c, ws, id, &pubs, &n))
        return;
    json_t *map = json_object();
    char addr[SMN_ADDRESS_STRLEN];
    for (size_t i = 0; i < n; i++) {
        ledger_account_info info;
        ledger_block_record front;
        ledger_status st = ledger_ro_account_info(l, pubs[i], &info);
        if (st == LEDGER_STATUS_NOT_FOUND)
            continue;
        if (st == LEDGER_STATUS_OK)
            st = ledger_ro_block(l, info.frontier, &front);
        if (st != LEDGER_STATUS_OK) {
            free(pubs);
            json_decref(map);
            rpc_reply_ledger_error(c, st);
            return;
        }
        if (front.local_timestamp < since)
            continue;
        smn_address_encode(pubs[i], addr);
        json_t *e = json_object();
        json_object_set_new(e, "frontier", rpc_json_hash(info.frontier));
        json_object_set_new(e, "representative_block", rpc_json_hash(info.frontier));
        json_object_set_new(e, "balance", rpc_json_amount(info.balance));
        json_object_set_new(e, "modified_timestamp", rpc_json_u64(front.local_timestamp));
        json_object_set_new(e, "block_count", rpc_json_u64(info.height));
        json_object_set_new(e, "confirmation_height", rpc_json_u64(info.conf_height));
        json_object_set_new(e, "representative", rpc_json_account(info.representative));
        json_object_set_new(map, addr, e);
    }
    free(pubs);
    rpc_reply(c, json_pack("{s:o}", "accounts", map));
}

/* wallet_history {wallet, modified_since?}: the wallet's accounts' blocks,
 * newest first by local_timestamp, at most RPC_MAX_COUNT in all (the
 * newest WALLET_HISTORY_PER_ACCOUNT of each account are looked at, and at
 * most WALLET_HISTORY_SCAN_MAX blocks in all: a wallet's size has no
 * bound, so past it "next_index" names the account, in account_list's
 * order, that was not looked at fully). */
#define WALLET_HISTORY_PER_ACCOUNT 1000u
#define WALLET_HISTORY_SCAN_MAX 20000u
typedef struct {
    ledger_block_record r;
} hist_entry;

static int newest_first(const void *a, const void *b)
{
    const ledger_block_record *x = &((const hist_entry *)a)->r, *y = &((const hist_entry *)b)->r;
    if (x->local_timestamp != y->local_timestamp)
        return x->local_timestamp > y->local_timestamp ? -1 : 1;
    int k = memcmp(x->block.account, y->block.account, 32);
    if (k)
        return k;
    return x->height > y->height ? -1 : x->height < y->height;
}

void rpc_action_wallet_history(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    uint64_t since = 0;
    if (!rpc_arg_u64(c, req, "modified_since", "Invalid modified_since", &since))
        return;
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return;
    ledger_ro *l = rpc_ledger(c);
    uint8_t(*pubs)[32] = NULL;
    size_t n = 0;
    if (!l || !accounts_of(c, ws, id, &pubs, &n))
        return;
    ledger_block_record *buf = malloc(sizeof *buf * WALLET_HISTORY_PER_ACCOUNT);
    hist_entry *all = NULL;
    size_t nall = 0, cap = 0;
    bool ok = buf != NULL;
    size_t budget = WALLET_HISTORY_SCAN_MAX, next = SIZE_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        size_t k = 0,
               want = budget < WALLET_HISTORY_PER_ACCOUNT ? budget : WALLET_HISTORY_PER_ACCOUNT;
        if (want == 0) {
            next = i;
            break;
        }
        ledger_status st = ledger_ro_history(l, pubs[i], 0, buf, want, &k);
        if (st != LEDGER_STATUS_OK) {
            free(pubs);
            free(buf);
            free(all);
            rpc_reply_ledger_error(c, st);
            return;
        }
        for (size_t j = 0; ok && j < k; j++) {
            if (buf[j].local_timestamp < since)
                continue;
            if (nall == cap) {
                size_t nc = cap ? cap * 2 : 64;
                hist_entry *na = realloc(all, nc * sizeof *na);
                ok = na != NULL;
                if (!ok)
                    break;
                all = na;
                cap = nc;
            }
            all[nall++].r = buf[j];
        }
        budget -= k;
        if (k == want && want < WALLET_HISTORY_PER_ACCOUNT)
            next = i; /* the budget cut this account's blocks short */
        if (next != SIZE_MAX)
            break;
    }
    free(pubs);
    free(buf);
    if (!ok) {
        free(all);
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    if (nall)
        qsort(all, nall, sizeof *all, newest_first);
    json_t *list = json_array();
    for (size_t i = 0; i < nall && i < RPC_MAX_COUNT; i++) {
        const ledger_block_record *r = &all[i].r;
        const char *type = r->subtype == LEDGER_SUBTYPE_SEND     ? "send"
                           : r->subtype == LEDGER_SUBTYPE_CHANGE ? "change"
                                                                 : "receive";
        json_t *e = json_object();
        json_object_set_new(e, "type", json_string(type));
        if (r->subtype == LEDGER_SUBTYPE_SEND)
            json_object_set_new(e, "account", rpc_json_account(r->block.link));
        json_object_set_new(e, "amount", rpc_json_amount(r->amount));
        json_object_set_new(e, "block_account", rpc_json_account(r->block.account));
        json_object_set_new(e, "hash", rpc_json_hash(r->hash));
        json_object_set_new(e, "local_timestamp", rpc_json_u64(r->local_timestamp));
        json_array_append_new(list, e);
    }
    free(all);
    json_t *o = json_pack("{s:o}", "history", list);
    if (next != SIZE_MAX)
        json_object_set_new(o, "next_index", rpc_json_u64(next));
    rpc_reply(c, o);
}
