/* A wallet's keys (control): wallet_export (every key, a secret) and
 * wallet_add_watch (accounts without their key). Nothing here logs. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/hex.h"
#include "common/keys.h"
#include "procs/rpc/rpc.h"

/* Nano's wallet store keys its special entries by small numbers: the
 * representative is entry 4, the seed entry 5. */
#define EXPORT_REPRESENTATIVE_ENTRY 4
#define EXPORT_SEED_ENTRY 5

static void put_hex(json_t *o, const uint8_t key[32], const uint8_t value[32])
{
    char k[65], v[65];
    smn_hex_encode(key, 32, k);
    smn_hex_encode(value, 32, v);
    json_object_set_new(o, k, json_string(v));
    sodium_memzero(v, sizeof v);
}

static void put_entry(json_t *o, unsigned entry, const uint8_t value[32])
{
    uint8_t key[32] = {0};
    key[31] = (uint8_t)entry;
    put_hex(o, key, value);
}

/* Nano's wallet_export: {"json": "<the wallet as a JSON object>"}, each key
 * 64 hex digits naming an entry, each value 64 hex digits: every account's
 * public key → its private key (watch-only accounts: zero), entry 5 → the
 * seed, entry 4 → the representative when set. Nano's values are sealed
 * under its own wallet key; smn's are plain, so the wallet must be
 * unlocked and the answer is a secret (control only). */
void rpc_action_wallet_export(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    uint8_t(*pubs)[32];
    size_t n;
    wallet_store *ws = rpc_open_wallet_accounts(c, req, id, &pubs, &n);
    if (!ws)
        return;
    uint8_t seed[32], rep[32];
    wallet_status st = wallet_seed(ws, id, seed);
    if (st == WALLET_OK)
        st = wallet_representative(ws, id, rep);
    json_t *o = json_object();
    if (st == WALLET_OK) {
        static const uint8_t zero[32];
        put_entry(o, EXPORT_SEED_ENTRY, seed);
        if (memcmp(rep, zero, 32) != 0)
            put_entry(o, EXPORT_REPRESENTATIVE_ENTRY, rep);
    }
    sodium_memzero(seed, sizeof seed);
    for (size_t i = 0; st == WALLET_OK && i < n; i++) {
        smn_keypair kp;
        st = wallet_keypair(ws, id, pubs[i], &kp);
        if (st == WALLET_ERR_WATCH_ONLY) {
            memset(&kp, 0, sizeof kp);
            st = WALLET_OK;
        }
        if (st == WALLET_OK)
            put_hex(o, pubs[i], kp.priv);
        smn_keypair_wipe(&kp);
    }
    free(pubs);
    if (st != WALLET_OK) {
        json_decref(o);
        rpc_reply_wallet_error(c, st);
        return;
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!text) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    json_t *answer = json_pack("{s:s}", "json", text);
    sodium_memzero(text, strlen(text));
    free(text);
    rpc_reply(c, answer);
}

/* Nano's wallet_add_watch {wallet, accounts}: the wallet (unlocked) lists
 * them from then on; every address is checked before any is added. */
void rpc_action_wallet_add_watch(rpc_call *c, const json_t *req)
{
    if (!json_object_get(req, "accounts")) {
        rpc_reply_error(c, "Missing field: accounts");
        return;
    }
    uint8_t(*accs)[32] = NULL;
    size_t n = 0;
    if (!rpc_arg_account_list(c, req, "accounts", &accs, &n))
        return;
    uint8_t id[WALLET_ID_BYTES];
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws) {
        free(accs);
        return;
    }
    wallet_status st = wallet_is_unlocked(ws, id) ? WALLET_OK : WALLET_ERR_LOCKED;
    for (size_t i = 0; st == WALLET_OK && i < n; i++)
        st = wallet_watch_insert(ws, id, accs[i]);
    free(accs);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "success", ""));
}
