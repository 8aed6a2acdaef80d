/* Actions that need no ledger: work_validate, keys, addresses, unit conversion,
 * block hashing. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/address.h"
#include "common/block_json.h"
#include "common/hex.h"
#include "common/keys.h"
#include "common/work.h"
#include "procs/rpc/rpc.h"

void rpc_action_work_validate(rpc_call *c, const json_t *req)
{
    const smn_network *net = rpc_ctx_net(rpc_call_ctx(c));
    uint8_t root[32];
    uint64_t nonce, difficulty;
    if (!rpc_arg_hash(c, req, "hash", root))
        return;
    json_t *w = json_object_get(req, "work");
    if (!w) {
        rpc_reply_error(c, "Missing field: work");
        return;
    }
    if (!json_is_string(w) || !smn_work_parse(json_string_value(w), &nonce)) {
        rpc_reply_error(c, "Bad work");
        return;
    }
    uint64_t send = smn_work_threshold(net, false), recv = smn_work_threshold(net, true);
    if (!rpc_arg_difficulty(c, req, send, &difficulty))
        return;
    uint64_t value = smn_work_value(root, nonce);
    json_t *o = json_object();
    if (json_object_get(req, "difficulty"))
        json_object_set_new(o, "valid", json_string(value >= difficulty ? "1" : "0"));
    json_object_set_new(o, "valid_all", json_string(value >= send ? "1" : "0"));
    json_object_set_new(o, "valid_receive", json_string(value >= recv ? "1" : "0"));
    json_object_set_new(o, "difficulty", rpc_json_difficulty(value));
    json_object_set_new(o, "multiplier", rpc_json_multiplier(send, value));
    rpc_reply(c, o);
}

static json_t *keypair_json(const smn_keypair *kp)
{
    char priv[65], pub[65];
    smn_hex_encode(kp->priv, 32, priv);
    smn_hex_encode(kp->pub, 32, pub);
    json_t *o = json_object();
    json_object_set_new(o, "private", json_string(priv));
    json_object_set_new(o, "public", json_string(pub));
    json_object_set_new(o, "account", rpc_json_account(kp->pub));
    sodium_memzero(priv, sizeof priv);
    return o;
}

void rpc_action_key_create(rpc_call *c, const json_t *req)
{
    (void)req;
    smn_keypair kp;
    smn_key_create(&kp);
    json_t *o = keypair_json(&kp);
    smn_keypair_wipe(&kp);
    rpc_reply(c, o);
}

void rpc_action_key_expand(rpc_call *c, const json_t *req)
{
    const char *key = rpc_arg_string(c, req, "key");
    if (!key)
        return;
    uint8_t priv[32];
    if (!smn_hex_decode(key, priv, 32)) {
        rpc_reply_error(c, "Bad private key");
        return;
    }
    smn_keypair kp;
    smn_key_expand(priv, &kp);
    sodium_memzero(priv, sizeof priv);
    json_t *o = keypair_json(&kp);
    smn_keypair_wipe(&kp);
    rpc_reply(c, o);
}

void rpc_action_validate_account_number(rpc_call *c, const json_t *req)
{
    const char *a = rpc_arg_string(c, req, "account");
    if (!a)
        return;
    uint8_t pub[32];
    smn_address_status st = smn_address_decode(a, pub);
    json_t *o = json_pack("{s:s}", "valid", st == SMN_ADDRESS_OK ? "1" : "0");
    if (st != SMN_ADDRESS_OK)
        json_object_set_new(o, "reason", json_string(smn_address_strerror(st)));
    rpc_reply(c, o);
}

void rpc_action_raw_to_smn(rpc_call *c, const json_t *req)
{
    smn_amount_t v;
    if (!rpc_arg_amount(c, req, "amount", &v))
        return;
    char buf[SMN_AMOUNT_SMN_STRLEN];
    rpc_reply(c, json_pack("{s:s}", "amount", smn_amount_format_smn(v, buf)));
}

void rpc_action_smn_to_raw(rpc_call *c, const json_t *req)
{
    const char *s = rpc_arg_string(c, req, "amount");
    if (!s)
        return;
    smn_amount_t v;
    if (smn_amount_parse_smn(s, &v) != SMN_AMOUNT_OK) {
        rpc_reply_error(c, "Bad amount number");
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "amount", rpc_json_amount(v)));
}

void rpc_action_block_hash(rpc_call *c, const json_t *req)
{
    smn_block b;
    if (!rpc_arg_block(c, req, &b))
        return;
    uint8_t h[32];
    smn_block_hash(&b, h);
    rpc_reply(c, json_pack("{s:o}", "hash", rpc_json_hash(h)));
}

/* Nano's account_get: the address of a public key. */
void rpc_action_account_get(rpc_call *c, const json_t *req)
{
    const char *key = rpc_arg_string(c, req, "key");
    if (!key)
        return;
    uint8_t pub[32];
    if (!smn_hex_decode(key, pub, 32)) {
        rpc_reply_error(c, "Bad public key");
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "account", rpc_json_account(pub)));
}

/* Nano's account_key: the public key of an address. */
void rpc_action_account_key(rpc_call *c, const json_t *req)
{
    uint8_t pub[32];
    if (!rpc_arg_account(c, req, "account", pub))
        return;
    rpc_reply(c, json_pack("{s:o}", "key", rpc_json_hash(pub)));
}

/* Nano's deterministic_key: the key pair at index of a seed (smn's
 * derivation, common/keys.h: the wallet's accounts). */
void rpc_action_deterministic_key(rpc_call *c, const json_t *req)
{
    const char *seed = rpc_arg_string(c, req, "seed");
    uint64_t index = 0;
    if (!seed || !rpc_arg_u64(c, req, "index", "Invalid index", &index))
        return;
    if (!json_object_get(req, "index")) {
        rpc_reply_error(c, "Missing field: index");
        return;
    }
    if (index > UINT32_MAX) {
        rpc_reply_error(c, "Invalid index");
        return;
    }
    uint8_t s[32];
    if (!smn_hex_decode(seed, s, 32)) {
        rpc_reply_error(c, "Bad seed");
        return;
    }
    smn_keypair kp;
    smn_key_from_seed(s, (uint32_t)index, &kp);
    sodium_memzero(s, sizeof s);
    json_t *o = keypair_json(&kp);
    smn_keypair_wipe(&kp);
    rpc_reply(c, o);
}
