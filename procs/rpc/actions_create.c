/* Building and signing blocks for clients that have no smn signing code:
 * block_create (a state block from its fields, signed, with work) and sign
 * (a client's block signed). smn signs with standard Ed25519 (SHA-512) over
 * the block hash, not Nano's Ed25519-Blake2b, so Nano's libraries can
 * build and hash blocks but not sign them; these two do it on the node
 * (docs/rpc.md "Building blocks"). Both are control actions: the key comes
 * in the request ("key") or from an unlocked wallet ("wallet" + "account"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/work.h"
#include "procs/rpc/rpc.h"

/* The signing key: "key" (a private key), or "wallet" + "account" (that
 * account's key in an unlocked wallet). False after answering. */
static bool signing_key(rpc_call *c, const json_t *req, smn_keypair *kp)
{
    json_t *key = json_object_get(req, "key"), *wallet = json_object_get(req, "wallet");
    if (key && wallet) {
        rpc_reply_error(c, "Give either key or wallet and account, not both");
        return false;
    }
    if (key) {
        uint8_t priv[32];
        if (!json_is_string(key) || !smn_hex_decode(json_string_value(key), priv, 32)) {
            rpc_reply_error(c, "Bad private key");
            return false;
        }
        smn_key_expand(priv, kp);
        sodium_memzero(priv, sizeof priv);
        return true;
    }
    if (!wallet) {
        rpc_reply_error(c, "Missing field: key (or wallet and account)");
        return false;
    }
    uint8_t id[WALLET_ID_BYTES], acc[32];
    if (!json_is_string(wallet) ||
        !smn_hex_decode(json_string_value(wallet), id, WALLET_ID_BYTES)) {
        rpc_reply_error(c, "Bad wallet number");
        return false;
    }
    if (!rpc_arg_account(c, req, "account", acc))
        return false;
    wallet_store *ws = rpc_wallets(c);
    if (!ws)
        return false;
    wallet_status st = wallet_keypair(ws, id, acc, kp);
    if (st != WALLET_OK) {
        rpc_reply_error(c, wallet_strerror(st));
        return false;
    }
    return true;
}

static json_t *block_answer(const smn_block *b, bool json_block)
{
    json_t *o = rpc_json_block(b);
    if (json_block)
        return o;
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    json_t *s = text ? json_string(text) : json_null();
    free(text);
    return s;
}

static void reply_created(rpc_call *c, const smn_block *b)
{
    uint8_t h[32];
    smn_block_hash(b, h);
    json_t *o = json_object();
    json_object_set_new(o, "hash", rpc_json_hash(h));
    json_object_set_new(o, "difficulty", rpc_json_work(smn_work_value(smn_block_root(b), b->work)));
    json_object_set_new(o, "block", block_answer(b, c->json_block));
    rpc_reply(c, o);
}

static void created_work(rpc_call *c, int status, uint64_t nonce)
{
    if (status != 0) {
        rpc_reply_error(c, "Work generation cancellation or failure");
        return;
    }
    smn_block b = c->work_block;
    b.work = nonce;
    reply_created(c, &b);
}

/* Nano's block_create for state blocks: type "state", balance (after the
 * block), representative, link (hex or address: destination of a send,
 * hash of the send received; zero for a change), previous (zero or absent
 * for an open), the key; optional work (else generated at the threshold
 * of what the block is), json_block. */
void rpc_action_block_create(rpc_call *c, const json_t *req)
{
    const char *type = rpc_arg_string(c, req, "type");
    if (!type)
        return;
    if (strcmp(type, "state") != 0) {
        rpc_reply_error(c, "Block type must be \"state\" (smn has only state blocks)");
        return;
    }
    smn_block b;
    memset(&b, 0, sizeof b);
    bool json_block;
    if (!rpc_arg_amount(c, req, "balance", &b.balance) ||
        !rpc_arg_account(c, req, "representative", b.representative) ||
        !rpc_arg_bool(c, req, "json_block", false, &json_block))
        return;
    json_t *prev = json_object_get(req, "previous");
    if (prev && !(json_is_string(prev) && strcmp(json_string_value(prev), "0") == 0) &&
        !rpc_arg_hash(c, req, "previous", b.previous))
        return;
    json_t *link = json_object_get(req, "link");
    if (!link) {
        rpc_reply_error(c, "Missing field: link");
        return;
    }
    if (!json_is_string(link) ||
        (!smn_hex_decode(json_string_value(link), b.link, 32) &&
         smn_address_decode(json_string_value(link), b.link) != SMN_ADDRESS_OK)) {
        rpc_reply_error(c, "Bad link number");
        return;
    }
    json_t *work = json_object_get(req, "work");
    if (work && (!json_is_string(work) || !smn_work_parse(json_string_value(work), &b.work))) {
        rpc_reply_error(c, "Bad work");
        return;
    }
    smn_keypair kp;
    if (!signing_key(c, req, &kp))
        return;
    memcpy(b.account, kp.pub, 32);
    smn_block_sign(&b, &kp);
    smn_keypair_wipe(&kp);
    c->json_block = json_block; /* the answer's form, read in reply_created */
    if (work) {
        reply_created(c, &b);
        return;
    }
    /* the threshold of what the block is: receive/open below send/change */
    bool low = smn_is_zero32(b.previous);
    if (!low) {
        ledger_ro *l = rpc_ledger(c);
        if (!l)
            return;
        ledger_block_record r;
        ledger_status st = ledger_ro_block(l, b.previous, &r);
        if (st == LEDGER_STATUS_NOT_FOUND) {
            rpc_reply_error(c, "Previous block not found (give work to build on it anyway)");
            return;
        }
        if (st != LEDGER_STATUS_OK) {
            rpc_reply_ledger_error(c, st);
            return;
        }
        low = smn_amount_gt(b.balance, r.block.balance);
    }
    c->work_block = b; /* not work_block_set: no account is in flight for this */
    rpc_call_work(c, smn_block_root(&b), rpc_ctx_wallet_difficulty(rpc_call_ctx(c), low),
                  created_work);
}

/* Nano's sign: the block's signature made with the key, the block with it. */
void rpc_action_sign(rpc_call *c, const json_t *req)
{
    smn_block b;
    bool json_block;
    if (!rpc_arg_block(c, req, &b) || !rpc_arg_bool(c, req, "json_block", false, &json_block))
        return;
    smn_keypair kp;
    if (!signing_key(c, req, &kp))
        return;
    if (memcmp(kp.pub, b.account, 32) != 0) {
        smn_keypair_wipe(&kp);
        rpc_reply_error(c, "The key is not the block's account");
        return;
    }
    smn_block_sign(&b, &kp);
    smn_keypair_wipe(&kp);
    char sig[2 * SMN_SIG_BYTES + 1];
    smn_hex_encode(b.signature, SMN_SIG_BYTES, sig);
    rpc_reply(c, json_pack("{s:s,s:o}", "signature", sig, "block", block_answer(&b, json_block)));
}
