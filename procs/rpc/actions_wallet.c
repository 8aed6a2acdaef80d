/* Wallet actions (control only): wallets and accounts in the wallet store,
 * and send / receive / change blocks built from the ledger's view of the
 * account, signed by the wallet and handed to the ledger like `process`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/wallet_blocks.h"

/* wallet_strerror already speaks Nano ("Wallet not found", "Insufficient
 * balance", ...); these two keep the RPC's own wording for the same fault. */
static const char *wallet_error(wallet_status st)
{
    switch (st) {
    case WALLET_ERR_ZERO_AMOUNT:
        return "Bad amount number";
    case WALLET_ERR_EXISTS:
        return "Account already exists";
    default:
        return wallet_strerror(st);
    }
}

static void reply_wallet_error(rpc_call *c, wallet_status st)
{
    int http =
        (st == WALLET_ERR_DB || st == WALLET_ERR_NOMEM || st == WALLET_ERR_CORRUPT) ? 500 : 200;
    rpc_reply_status(c, http, json_pack("{s:s}", "error", wallet_error(st)));
}

static bool arg_wallet(rpc_call *c, const json_t *req, uint8_t id[WALLET_ID_BYTES])
{
    json_t *v = json_object_get(req, "wallet");
    if (!v) {
        rpc_reply_error(c, "Missing field: wallet");
        return false;
    }
    if (!json_is_string(v) || !smn_hex_decode(json_string_value(v), id, WALLET_ID_BYTES)) {
        rpc_reply_error(c, "Bad wallet number");
        return false;
    }
    return true;
}

/* The wallet store and an existing wallet id; false after answering. */
static wallet_store *open_wallet(rpc_call *c, const json_t *req, uint8_t id[WALLET_ID_BYTES])
{
    if (!arg_wallet(c, req, id))
        return NULL;
    wallet_store *ws = rpc_wallets(c);
    if (!ws)
        return NULL;
    wallet_status st = wallet_exists(ws, id);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return NULL;
    }
    return ws;
}

wallet_store *rpc_open_wallet(rpc_call *c, const json_t *req, uint8_t id[WALLET_ID_BYTES])
{
    return open_wallet(c, req, id);
}

wallet_store *rpc_open_wallet_accounts(rpc_call *c, const json_t *req, uint8_t id[WALLET_ID_BYTES],
                                       uint8_t (**pubs)[32], size_t *n)
{
    *pubs = NULL;
    *n = 0;
    wallet_store *ws = open_wallet(c, req, id);
    if (!ws)
        return NULL;
    wallet_status st = wallet_accounts(ws, id, pubs, n);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return NULL;
    }
    return ws;
}

void rpc_reply_wallet_error(rpc_call *c, wallet_status st)
{
    reply_wallet_error(c, st);
}

static json_t *wallet_id_json(const uint8_t id[WALLET_ID_BYTES])
{
    char hex[2 * WALLET_ID_BYTES + 1];
    smn_hex_encode(id, WALLET_ID_BYTES, hex);
    return json_string(hex);
}

static wallet_kdf kdf_of(const rpc_ctx *ctx)
{
    if (ctx->cfg.wallet_kdf.opslimit == 0 || ctx->cfg.wallet_kdf.memlimit == 0)
        return wallet_kdf_interactive();
    return ctx->cfg.wallet_kdf;
}

/* Argon2 failed in the pool: only memory can make it fail (the limits
 * were checked before). */
static void reply_kdf_failure(rpc_call *c, int status)
{
    reply_wallet_error(c, status == -EINVAL ? WALLET_ERR_BAD_KDF : WALLET_ERR_NOMEM);
}

static void wallet_created(rpc_call *c, int status, const uint8_t key[WALLET_KEY_BYTES])
{
    if (status != 0) {
        reply_kdf_failure(c, status);
        return;
    }
    wallet_store *ws = rpc_wallets(c);
    if (!ws)
        return;
    uint8_t id[WALLET_ID_BYTES];
    wallet_status st = wallet_draft_commit(ws, c->kdf_draft, key, id);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "wallet", wallet_id_json(id)));
}

void rpc_action_wallet_create(rpc_call *c, const json_t *req)
{
    uint8_t seed[32];
    bool have_seed = json_object_get(req, "seed") != NULL;
    if (have_seed) {
        json_t *v = json_object_get(req, "seed");
        if (!json_is_string(v) || !smn_hex_decode(json_string_value(v), seed, 32)) {
            rpc_reply_error(c, "Bad seed");
            return;
        }
    }
    wallet_store *ws = rpc_wallets(c);
    if (!ws) {
        sodium_memzero(seed, sizeof seed);
        return;
    }
    /* Nano's wallets start with an empty password; password_change sets
     * one. The master key is sealed under Argon2id("") all the same, in
     * the KDF pool; the row is stored when the key comes back. */
    wallet_create_opts o = {.kdf = kdf_of(rpc_call_ctx(c)), .seed = have_seed ? seed : NULL};
    wallet_kdf_params p;
    wallet_status st = wallet_draft_new(&o, &c->kdf_draft, &p);
    sodium_memzero(seed, sizeof seed);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    rpc_call_kdf(c, "", &p, wallet_created);
}

void rpc_action_account_create(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], pub[32];
    if (json_object_get(req, "index")) {
        /* accounts are derived in order; an explicit index would leave gaps
         * the store does not track */
        rpc_reply_error(c, "Invalid index: accounts are derived in order, omit \"index\"");
        return;
    }
    wallet_store *ws = open_wallet(c, req, id);
    if (!ws)
        return;
    wallet_status st = wallet_account_create(ws, id, pub);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "account", rpc_json_account(pub)));
}

void rpc_action_wallet_add(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], priv[32], pub[32];
    const char *key = rpc_arg_string(c, req, "key");
    if (!key)
        return;
    if (!smn_hex_decode(key, priv, 32)) {
        rpc_reply_error(c, "Bad private key");
        return;
    }
    wallet_store *ws = open_wallet(c, req, id);
    if (!ws) {
        sodium_memzero(priv, sizeof priv);
        return;
    }
    wallet_status st = wallet_adhoc_insert(ws, id, priv, pub);
    sodium_memzero(priv, sizeof priv);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "account", rpc_json_account(pub)));
}

void rpc_action_account_list(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    wallet_store *ws = open_wallet(c, req, id);
    if (!ws)
        return;
    uint8_t(*pubs)[32] = NULL;
    size_t n = 0;
    wallet_status st = wallet_accounts(ws, id, &pubs, &n);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, rpc_json_account(pubs[i]));
    free(pubs);
    rpc_reply(c, json_pack("{s:o}", "accounts", list));
}

/* smallnano extension: every wallet with its accounts, both in creation
 * order, so an operator (and smallnano-cli wallet list) sees the whole store
 * in one call; on dev the demo wallet comes first. */
void rpc_action_wallet_list(rpc_call *c, const json_t *req)
{
    (void)req;
    wallet_store *ws = rpc_wallets(c);
    if (!ws)
        return;
    uint8_t(*ids)[WALLET_ID_BYTES] = NULL;
    size_t n = 0;
    wallet_status st = wallet_list(ws, &ids, &n);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    json_t *wallets = json_array();
    for (size_t i = 0; i < n; i++) {
        uint8_t(*pubs)[32] = NULL;
        size_t m = 0;
        st = wallet_accounts(ws, ids[i], &pubs, &m);
        if (st != WALLET_OK) {
            free(ids);
            json_decref(wallets);
            reply_wallet_error(c, st);
            return;
        }
        json_t *accounts = json_array();
        for (size_t k = 0; k < m; k++)
            json_array_append_new(accounts, rpc_json_account(pubs[k]));
        free(pubs);
        json_array_append_new(
            wallets, json_pack("{s:o,s:o}", "id", wallet_id_json(ids[i]), "accounts", accounts));
    }
    free(ids);
    rpc_reply(c, json_pack("{s:o}", "wallets", wallets));
}

/* A derived key that no longer matches the stored salt: the password
 * changed while it was derived. */
static void reply_changed(rpc_call *c)
{
    rpc_reply_status(c, 503, json_pack("{s:s}", "error", wallet_strerror(WALLET_ERR_CHANGED)));
}

static void password_entered(rpc_call *c, int status, const uint8_t key[WALLET_KEY_BYTES])
{
    if (status != 0) {
        reply_kdf_failure(c, status);
        return;
    }
    wallet_store *ws = rpc_wallets(c);
    if (!ws)
        return;
    wallet_status st = wallet_unlock_with_key(ws, c->kdf_wallet, &c->kdf_params, key);
    if (st == WALLET_ERR_CHANGED) {
        reply_changed(c);
        return;
    }
    if (st != WALLET_OK && st != WALLET_ERR_BAD_PASSWORD) {
        reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "valid", st == WALLET_OK ? "1" : "0"));
}

/* Argon2id with the wallet's stored limits (up to 16 passes and 1 GiB)
 * runs in the KDF pool; the wallet is unlocked on the loop afterwards. */
void rpc_action_password_enter(rpc_call *c, const json_t *req)
{
    const char *pw = rpc_arg_string(c, req, "password");
    if (!pw)
        return;
    wallet_store *ws = open_wallet(c, req, c->kdf_wallet);
    if (!ws)
        return;
    wallet_kdf_params p;
    wallet_status st = wallet_unlock_params(ws, c->kdf_wallet, &p);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    rpc_call_kdf(c, pw, &p, password_entered);
}

static void password_changed(rpc_call *c, int status, const uint8_t key[WALLET_KEY_BYTES])
{
    if (status != 0) {
        reply_kdf_failure(c, status);
        return;
    }
    wallet_store *ws = rpc_wallets(c);
    if (!ws)
        return;
    wallet_status st = wallet_change_password_with_key(ws, c->kdf_wallet, &c->kdf_params, key);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "changed", "1"));
}

/* Nano's password_change: the wallet must be unlocked; the new password
 * gets a fresh salt and the configured creation limits ([rpc]
 * wallet_kdf_ops / wallet_kdf_mem_kib), derived in the KDF pool. */
void rpc_action_password_change(rpc_call *c, const json_t *req)
{
    const char *pw = rpc_arg_string(c, req, "password");
    if (!pw)
        return;
    wallet_store *ws = open_wallet(c, req, c->kdf_wallet);
    if (!ws)
        return;
    if (!wallet_is_unlocked(ws, c->kdf_wallet)) {
        reply_wallet_error(c, WALLET_ERR_LOCKED);
        return;
    }
    wallet_kdf k = kdf_of(rpc_call_ctx(c));
    wallet_kdf_params p;
    wallet_status st = wallet_password_params(&k, &p);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    rpc_call_kdf(c, pw, &p, password_changed);
}

/* The ledger's view of a wallet account for the block builders: zero
 * frontier for an account with no blocks. False after answering. */
static bool account_state(rpc_call *c, ledger_ro *l, const uint8_t acc[32], wallet_account_state *s)
{
    ledger_account_info info;
    ledger_status st = ledger_ro_account_info(l, acc, &info);
    memset(s, 0, sizeof *s);
    if (st == LEDGER_STATUS_NOT_FOUND)
        return true;
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return false;
    }
    memcpy(s->frontier, info.frontier, 32);
    s->balance = info.balance;
    memcpy(s->representative, info.representative, 32);
    return true;
}

/* Checks the wallet holds `acc` and no block of it is in flight; false
 * after answering. */
static bool wallet_has(rpc_call *c, wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                       const uint8_t acc[32])
{
    wallet_status st = wallet_contains(ws, id, acc);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return false;
    }
    rpc_ctx *ctx = rpc_call_ctx(c);
    if (rpc_account_in_flight(ctx, acc) ||
        (ctx->account_busy && ctx->account_busy(ctx->account_busy_user, acc))) {
        rpc_reply_status(c, 503,
                         json_pack("{s:s}", "error", "Account has a block in flight, retry"));
        return false;
    }
    return true;
}

/* What every wallet block needs: the wallet store, the wallet, the ledger
 * and the account's current state there. */
typedef struct {
    wallet_store *ws;
    uint8_t id[WALLET_ID_BYTES];
    ledger_ro *ledger;
    wallet_account_state state;
    wallet_work_opts work;
} wallet_job;

/* False after answering. */
static bool wallet_job_start(rpc_call *c, const json_t *req, const uint8_t acc[32], wallet_job *j)
{
    rpc_ctx *ctx = rpc_call_ctx(c);
    j->ws = open_wallet(c, req, j->id);
    if (!j->ws || !wallet_has(c, j->ws, j->id, acc))
        return false;
    j->ledger = rpc_ledger(c);
    if (!j->ledger || !account_state(c, j->ledger, acc, &j->state))
        return false;
    /* signed here, work from the pool afterwards (wallet_job_submit) */
    j->work = (wallet_work_opts){.net = ctx->cfg.net, .no_work = true};
    return true;
}

static void wallet_work_done(rpc_call *c, int status, uint64_t nonce)
{
    c->work_block_set = false;
    if (status != 0) {
        rpc_reply_error(c, "Work generation cancellation or failure");
        return;
    }
    smn_block b = c->work_block;
    b.work = nonce; /* outside the signed hash */
    if (c->send_id[0]) {
        /* recorded before the ledger sees it: whatever happens next, a
         * retry with this id gets this block and nothing else */
        wallet_store *ws = rpc_wallets(c);
        if (!ws)
            return;
        wallet_status st = wallet_send_id_put(ws, c->send_wallet, c->send_id, &b);
        if (st != WALLET_OK) {
            c->send_id[0] = '\0';
            reply_wallet_error(c, st);
            return;
        }
    }
    rpc_submit_block(c, &b, "block", NULL);
}

/* A signed block gets its work from the pool (the account counts as in
 * flight meanwhile), then goes to the ledger; or the builder's error is
 * answered. */
static void wallet_job_submit(rpc_call *c, wallet_status st, const smn_block *b,
                              bool receive_or_open)
{
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    c->work_block = *b;
    c->work_block_set = true;
    if (!rpc_call_work(c, smn_block_root(b), rpc_ctx_wallet_difficulty(c->ctx, receive_or_open),
                       wallet_work_done))
        return; /* answered, and c is gone */
}

/* An address field with its own Nano error text. */
static bool arg_named_account(rpc_call *c, const json_t *req, const char *key, const char *bad_msg,
                              uint8_t pub[32])
{
    json_t *v = json_object_get(req, key);
    if (!v) {
        char msg[96];
        snprintf(msg, sizeof msg, "Missing field: %s", key);
        rpc_reply_error(c, msg);
        return false;
    }
    if (!json_is_string(v) || smn_address_decode(json_string_value(v), pub) != SMN_ADDRESS_OK) {
        rpc_reply_error(c, bad_msg);
        return false;
    }
    return true;
}

void rpc_action_send(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], src[32], dst[32];
    smn_amount_t amount;
    wallet_job j;
    json_t *sid = json_object_get(req, "id");
    if (sid && (!json_is_string(sid) || json_string_length(sid) == 0 ||
                json_string_length(sid) > WALLET_SEND_ID_MAX ||
                strlen(json_string_value(sid)) != json_string_length(sid))) {
        rpc_reply_error(c, "Bad id (expected a string of 1 to 128 bytes)");
        return;
    }
    if (!arg_wallet(c, req, id) ||
        !arg_named_account(c, req, "source", "Bad source account", src) ||
        !arg_named_account(c, req, "destination", "Bad destination account", dst) ||
        !rpc_arg_amount(c, req, "amount", &amount))
        return;
    if (sid) {
        wallet_store *ws = open_wallet(c, req, id);
        if (!ws)
            return;
        smn_block prev;
        wallet_status st = wallet_send_id_get(ws, id, json_string_value(sid), &prev);
        if (st == WALLET_OK) {
            /* Nano: the same id answers the same block. Handed to the
             * ledger again in case it never got there (rpc or the node
             * died in between); "old" means it has it. */
            snprintf(c->send_id, sizeof c->send_id, "%s", json_string_value(sid));
            memcpy(c->send_wallet, id, WALLET_ID_BYTES);
            rpc_submit_block_again(c, &prev, "block");
            return;
        }
        if (st != WALLET_ERR_NOT_FOUND) {
            reply_wallet_error(c, st);
            return;
        }
    }
    if (!wallet_job_start(c, req, src, &j))
        return;
    if (sid) {
        snprintf(c->send_id, sizeof c->send_id, "%s", json_string_value(sid));
        memcpy(c->send_wallet, id, WALLET_ID_BYTES);
    }
    smn_block b;
    wallet_status st = wallet_sign_send(j.ws, j.id, src, &j.state, dst, amount, &j.work, &b);
    wallet_job_submit(c, st, &b, false);
}

/* Finds send_hash among acc's receivables; false after answering. */
static bool find_receivable(rpc_call *c, ledger_ro *l, const uint8_t acc[32],
                            const uint8_t send_hash[32], smn_amount_t *amount)
{
    ledger_receivable *rs = malloc(sizeof *rs * RPC_MAX_COUNT);
    if (!rs) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return false;
    }
    size_t n = 0;
    ledger_status st = ledger_ro_receivables(l, acc, rs, RPC_MAX_COUNT, &n);
    if (st != LEDGER_STATUS_OK) {
        free(rs);
        rpc_reply_ledger_error(c, st);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (memcmp(rs[i].send_hash, send_hash, 32) == 0) {
            *amount = rs[i].amount;
            free(rs);
            return true;
        }
    }
    free(rs);
    ledger_block_record r;
    st = ledger_ro_block(l, send_hash, &r);
    if (st == LEDGER_STATUS_NOT_FOUND) {
        rpc_reply_error(c, "Block not found");
        return false;
    }
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return false;
    }
    rpc_reply_error(c, "Block is not receivable");
    return false;
}

void rpc_action_receive(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], acc[32], send_hash[32];
    smn_amount_t amount;
    wallet_job j;
    if (!arg_wallet(c, req, id) || !rpc_arg_account(c, req, "account", acc) ||
        !rpc_arg_hash(c, req, "block", send_hash) || !wallet_job_start(c, req, acc, &j) ||
        !find_receivable(c, j.ledger, acc, send_hash, &amount))
        return;
    smn_block b;
    wallet_status st =
        wallet_sign_receive(j.ws, j.id, acc, &j.state, send_hash, amount, &j.work, &b);
    wallet_job_submit(c, st, &b, true);
}

void rpc_action_account_representative_set(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], acc[32], rep[32];
    wallet_job j;
    if (!arg_wallet(c, req, id) || !rpc_arg_account(c, req, "account", acc) ||
        !arg_named_account(c, req, "representative", "Bad representative number", rep) ||
        !wallet_job_start(c, req, acc, &j))
        return;
    smn_block b;
    wallet_status st = wallet_sign_change(j.ws, j.id, acc, &j.state, rep, &j.work, &b);
    wallet_job_submit(c, st, &b, false);
}

void rpc_action_wallet_receivable(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    rpc_receivable_opts ro;
    if (!arg_wallet(c, req, id) || !rpc_receivable_args(c, req, &ro))
        return;
    wallet_store *ws = open_wallet(c, req, id);
    if (!ws)
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    uint8_t(*pubs)[32] = NULL;
    size_t n = 0;
    wallet_status st = wallet_accounts(ws, id, &pubs, &n);
    if (st != WALLET_OK) {
        reply_wallet_error(c, st);
        return;
    }
    json_t *blocks = json_object();
    char addr[SMN_ADDRESS_STRLEN];
    for (size_t i = 0; i < n; i++) {
        json_t *one = rpc_receivable_json(c, l, pubs[i], &ro);
        if (!one) {
            free(pubs);
            json_decref(blocks);
            return;
        }
        size_t size = json_is_array(one) ? json_array_size(one) : json_object_size(one);
        if (size == 0) { /* as Nano: only accounts with something to receive */
            json_decref(one);
            continue;
        }
        smn_address_encode(pubs[i], addr);
        json_object_set_new(blocks, addr, one);
    }
    free(pubs);
    rpc_reply(c, json_pack("{s:o}", "blocks", blocks));
}
