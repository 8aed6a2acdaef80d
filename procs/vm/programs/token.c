/* The token program (rule 1): etch and mint on the etcher's chain.
 * Transfers live in asset_ledger.c. Token metadata is token-program
 * storage: key = token id (32), value = etcher (32) | decimals (1) |
 * cap (16) | minted (16) | name length (1) | name | symbol length (1) | symbol. */
#include <string.h>

#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"

#define META_FIXED (32 + 1 + 16 + 16)
#define META_MAX (META_FIXED + 2 + 32)
#define VM_TOKEN_MAX_DECIMALS 38

vm_idx_status vm_token_lookup(vm_store *s, smn_amount_t ref, uint8_t id[32], bool *found)
{
    uint8_t lo[32], hi[32];
    vm_token_ref_bytes(ref, lo);
    memcpy(hi, lo, 16);
    memset(lo + 16, 0, 16);
    memset(hi + 16, 0xff, 16);
    sqlite3_stmt *st = vm_store_stmt(
        s, "SELECT key FROM storage WHERE program=? AND key>=? AND key<=? AND length(key)=32"
           " LIMIT 1");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, vm_pid_token, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, lo, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, hi, 32, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        memcpy(id, sqlite3_column_blob(st, 0), 32);
    else if (rc != SQLITE_DONE)
        return vm_store_fail(s, "token lookup");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

/* A name or symbol travels as an integer whose big-endian bytes, leading
 * zero bytes dropped, are 1..16 printable ASCII characters. */
static size_t decode_text(smn_amount_t v, uint8_t out[16])
{
    uint8_t be[16];
    smn_amount_to_be(v, be);
    size_t i = 0;
    while (i < 16 && be[i] == 0)
        i++;
    size_t n = 16 - i;
    if (n == 0 || be[i] == ' ')
        return 0;
    for (size_t k = i; k < 16; k++)
        if (be[k] < 0x20 || be[k] > 0x7e)
            return 0;
    memcpy(out, be + i, n);
    return n;
}

static vm_idx_status etch_event(vm_apply_ctx *c, vm_native_code code, const uint8_t id[32],
                                const uint8_t *meta, size_t meta_len)
{
    vm_wbuf w = {0};
    vm_w_u8(&w, (uint8_t)code);
    vm_w_bytes(&w, id, 32);
    if (meta)
        vm_w_bytes(&w, meta, meta_len);
    return vm_event(c, vm_pid_token, 0, "token.etch", 0, w.b, w.n);
}

vm_idx_status vm_token_etch(vm_apply_ctx *c, const vm_msg *m, const vm_call_body *call)
{
    const uint8_t *id = c->blk->hash; /* token id = hash of the etch block */
    uint8_t name[16], sym[16];
    size_t nl = call->width[0] ? decode_text(call->arg[0], name) : 0;
    size_t sl = call->width[1] ? decode_text(call->arg[1], sym) : 0;
    if (!nl || !sl || !call->width[2] ||
        smn_amount_gt(call->arg[2], smn_amount_from_u64(VM_TOKEN_MAX_DECIMALS)) ||
        !call->width[3] || smn_amount_is_zero(call->arg[3]))
        return etch_event(c, VM_N_BAD_ARGS, id, NULL, 0);
    uint8_t other[32];
    bool found = false;
    vm_idx_status rc = vm_token_lookup(c->st, vm_token_ref(id), other, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (found)
        return etch_event(c, VM_N_DUPLICATE, id, NULL, 0);

    uint8_t meta[META_MAX];
    size_t n = 0;
    memcpy(meta, m->sender, 32);
    n = 32;
    meta[n++] = (uint8_t)smn_amount_lo64(call->arg[2]);
    smn_amount_to_be(call->arg[3], meta + n);
    n += 16;
    smn_amount_to_be(smn_amount_zero(), meta + n);
    n += 16;
    meta[n++] = (uint8_t)nl;
    memcpy(meta + n, name, nl);
    n += nl;
    meta[n++] = (uint8_t)sl;
    memcpy(meta + n, sym, sl);
    n += sl;
    rc = vm_store_storage_put(c->st, vm_pid_token, id, 32, meta, n);
    if (rc != VM_IDX_OK)
        return rc;
    return etch_event(c, VM_N_OK, id, meta, n);
}

static vm_idx_status mint_event(vm_apply_ctx *c, vm_native_code code, const uint8_t id[32],
                                const uint8_t to[32], smn_amount_t amount)
{
    vm_wbuf w = {0};
    vm_w_u8(&w, (uint8_t)code);
    vm_w_bytes(&w, id, 32);
    vm_w_bytes(&w, to, 32);
    vm_w_u128(&w, amount);
    return vm_event(c, vm_pid_token, 0, "token.mint", 0, w.b, w.n);
}

vm_idx_status vm_token_mint(vm_apply_ctx *c, const vm_msg *m, const vm_call_body *call)
{
    uint8_t id[32] = {0};
    smn_amount_t amount = call->arg[1];
    if (!call->width[0] || !call->width[1] || smn_amount_is_zero(amount))
        return mint_event(c, VM_N_BAD_ARGS, id, m->sender, amount);
    bool found = false;
    vm_idx_status rc = vm_token_lookup(c->st, call->arg[0], id, &found);
    if (rc != VM_IDX_OK)
        return rc;
    /* Unknown and someone else's token are one case: only the etcher's own
     * chain is sure to have seen the etch, so for anyone else "unknown"
     * would depend on this node's confirmation order. Failed mints name
     * the token by its reference (16 bytes, then zeros). */
    uint8_t ref_form[32] = {0};
    vm_token_ref_bytes(call->arg[0], ref_form);
    if (!found)
        return mint_event(c, VM_N_NOT_ETCHER, ref_form, m->sender, amount);
    uint8_t meta[META_MAX];
    size_t len;
    rc = vm_store_storage_get(c->st, vm_pid_token, id, 32, meta, sizeof meta, &len, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (!found || len < META_FIXED || len > META_MAX)
        return VM_IDX_ERR_DB; /* we wrote it: a malformed row is corruption */
    if (memcmp(meta, m->sender, 32) != 0)
        return mint_event(c, VM_N_NOT_ETCHER, ref_form, m->sender, amount);
    smn_amount_t cap = smn_amount_from_be(meta + 33), minted = smn_amount_from_be(meta + 49), nm;
    if (!smn_amount_add(minted, amount, &nm) || smn_amount_gt(nm, cap))
        return mint_event(c, VM_N_CAP, id, m->sender, amount);
    bool ok = false;
    rc = vm_asset_credit(c, vm_pid_token, id, m->sender, amount, &ok);
    if (rc != VM_IDX_OK)
        return rc;
    if (!ok)
        return mint_event(c, VM_N_OVERFLOW, id, m->sender, amount);
    smn_amount_to_be(nm, meta + 49);
    rc = vm_store_storage_put(c->st, vm_pid_token, id, 32, meta, len);
    if (rc != VM_IDX_OK)
        return rc;
    return mint_event(c, VM_N_OK, id, m->sender, amount);
}
