/* Wallet administration (control): auto-receive's minimum amount
 * (receive_minimum, receive_minimum_set), moving accounts between wallets
 * (account_move) and replacing a wallet's seed (wallet_change_seed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/keys.h"
#include "procs/rpc/rpc.h"

void rpc_action_receive_minimum(rpc_call *c, const json_t *req)
{
    (void)req;
    rpc_reply(
        c, json_pack("{s:o}", "amount", rpc_json_amount(rpc_ctx_receive_minimum(rpc_call_ctx(c)))));
}

/* receive_minimum_set {amount}: until rpc restarts (then the configured
 * [rpc] receive_minimum again), as Nano keeps it in its running config. */
void rpc_action_receive_minimum_set(rpc_call *c, const json_t *req)
{
    smn_amount_t v;
    if (!rpc_arg_amount(c, req, "amount", &v))
        return;
    rpc_call_ctx(c)->receive_minimum = v;
    rpc_reply(c, json_pack("{s:s}", "success", ""));
}

/* "source": an existing wallet other than `target`; false after answering. */
static bool arg_source(rpc_call *c, wallet_store *ws, const json_t *req,
                       const uint8_t target[WALLET_ID_BYTES], uint8_t id[WALLET_ID_BYTES])
{
    const json_t *v = json_object_get(req, "source");
    if (!v) {
        rpc_reply_error(c, "Missing field: source");
        return false;
    }
    if (!json_is_string(v) || !smn_hex_decode(json_string_value(v), id, WALLET_ID_BYTES)) {
        rpc_reply_error(c, "Bad source wallet number");
        return false;
    }
    wallet_status st = wallet_exists(ws, id);
    if (st == WALLET_ERR_NOT_FOUND) {
        rpc_reply_error(c, "Source wallet not found");
        return false;
    }
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return false;
    }
    if (memcmp(id, target, WALLET_ID_BYTES) == 0) {
        rpc_reply_error(c, "Source and target wallet are the same");
        return false;
    }
    return true;
}

/* account_move {wallet (target), source (wallet), accounts}: each account's
 * key goes into the target as an ad-hoc key and leaves the source. Both
 * wallets unlocked. Everything is checked before anything moves (every
 * account in the source); an account the target holds already only leaves
 * the source. {"moved":"1"}. */
void rpc_action_account_move(rpc_call *c, const json_t *req)
{
    uint8_t target[WALLET_ID_BYTES], source[WALLET_ID_BYTES];
    uint8_t(*accs)[32] = NULL;
    size_t n = 0;
    if (!json_object_get(req, "accounts")) {
        rpc_reply_error(c, "Missing field: accounts");
        return;
    }
    if (!rpc_arg_account_list(c, req, "accounts", &accs, &n))
        return;
    wallet_store *ws = rpc_open_wallet(c, req, target);
    if (!ws || !arg_source(c, ws, req, target, source)) {
        free(accs);
        return;
    }
    wallet_status st = WALLET_OK;
    if (!wallet_is_unlocked(ws, target) || !wallet_is_unlocked(ws, source))
        st = WALLET_ERR_LOCKED;
    for (size_t i = 0; i < n && st == WALLET_OK; i++)
        st = wallet_contains(ws, source, accs[i]);
    for (size_t i = 0; i < n && st == WALLET_OK; i++) {
        smn_keypair kp;
        if ((st = wallet_keypair(ws, source, accs[i], &kp)) != WALLET_OK)
            break;
        uint8_t pub[32];
        st = wallet_adhoc_insert(ws, target, kp.priv, pub);
        smn_keypair_wipe(&kp);
        if (st == WALLET_ERR_EXISTS)
            st = WALLET_OK;
        if (st == WALLET_OK)
            st = wallet_account_remove(ws, source, accs[i]);
    }
    free(accs);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "moved", "1"));
}

/* Has the account any trace in the ledger (blocks, or something to
 * receive)? false after answering a failed read (*failed). */
static bool ledger_active(rpc_call *c, ledger_ro *l, const uint8_t pub[32], bool *failed)
{
    ledger_account_info info;
    ledger_status st = ledger_ro_account_info(l, pub, &info);
    smn_amount_t bal, recv = smn_amount_zero();
    if (st == LEDGER_STATUS_NOT_FOUND)
        st = ledger_ro_balance(l, pub, &bal, &recv);
    else if (st == LEDGER_STATUS_OK)
        return true;
    if (st != LEDGER_STATUS_OK) {
        *failed = true;
        rpc_reply_ledger_error(c, st);
        return false;
    }
    return !smn_amount_is_zero(recv);
}

/* wallet_change_seed {wallet, seed, count?}: the wallet's seed is replaced
 * (its derived accounts go, ad-hoc keys stay), then accounts of the new
 * seed are restored in index order: the first `count` (default 0), and
 * after them each next one that has blocks or receivables, up to the first
 * that has none (at most RPC_MAX_COUNT in all). {"success":"",
 * "restored_count", "last_restored_account"?}. */
void rpc_action_wallet_change_seed(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], seed[32];
    uint64_t count = 0;
    const json_t *sv = json_object_get(req, "seed");
    if (!sv) {
        rpc_reply_error(c, "Missing field: seed");
        return;
    }
    if (!json_is_string(sv) || !smn_hex_decode(json_string_value(sv), seed, 32)) {
        rpc_reply_error(c, "Bad seed");
        return;
    }
    if (!rpc_arg_u64(c, req, "count", "Invalid count limit", &count))
        goto wipe;
    if (count > RPC_MAX_COUNT) {
        rpc_reply_error(c, "Invalid count limit");
        goto wipe;
    }
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        goto wipe;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        goto wipe;
    if (!wallet_is_unlocked(ws, id)) {
        rpc_reply_wallet_error(c, WALLET_ERR_LOCKED);
        goto wipe;
    }
    wallet_status st = wallet_change_seed(ws, id, seed);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        goto wipe;
    }
    uint64_t restored = 0;
    uint8_t last[32];
    for (uint32_t i = 0; i < RPC_MAX_COUNT; i++) {
        smn_keypair kp;
        smn_key_from_seed(seed, i, &kp);
        uint8_t pub[32];
        memcpy(pub, kp.pub, 32);
        smn_keypair_wipe(&kp);
        bool failed = false;
        if (i >= count && !ledger_active(c, l, pub, &failed)) {
            if (failed)
                goto wipe;
            break;
        }
        if ((st = wallet_account_create(ws, id, last)) != WALLET_OK) {
            rpc_reply_wallet_error(c, st);
            goto wipe;
        }
        restored++;
    }
    json_t *o = json_pack("{s:s,s:o}", "success", "", "restored_count", rpc_json_u64(restored));
    if (restored)
        json_object_set_new(o, "last_restored_account", rpc_json_account(last));
    rpc_reply(c, o);
wipe:
    sodium_memzero(seed, sizeof seed);
}
