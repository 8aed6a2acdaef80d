/* The swap program (rule 2): a constant-product pool of two assets, one
 * pool per deployed instance, hosted by the deploying account. Its state
 * changes only at its host's receives (calls) and sends (withdrawals), so
 * it follows the host's chain order alone.
 *
 * State of pool X with assets A, B (32-byte ids; 32 zeros = vSMN):
 *   storage "cfg" = A | B; storage "supply" = total shares (u128 BE)
 *   balances (A, program X), (B, program X)   the reserves
 *   balances (X, account U)                   U's shares; (X, program X) the locked ones
 *   balances (T, account U)                   what the pool owes U in asset T:
 *                                             deposits, payouts, refunds (withdrawn
 *                                             by the host with token/vsmn withdraw) */
#include <string.h>

#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"
#include "procs/vm/programs/swap_math.h"

static const uint8_t key_cfg[3] = {'c', 'f', 'g'};
static const uint8_t key_supply[6] = {'s', 'u', 'p', 'p', 'l', 'y'};

bool vm_swap_init_valid(const uint8_t *init, size_t len)
{
    return len == 64 && memcmp(init, init + 32, 32) != 0;
}

vm_idx_status vm_swap_init(vm_apply_ctx *c, const uint8_t prog[32], const uint8_t *init, size_t len)
{
    return vm_store_storage_put(c->st, prog, key_cfg, sizeof key_cfg, init, len);
}

typedef struct {
    vm_apply_ctx *c;
    const uint8_t *prog;
    uint8_t a[32], b[32];
    smn_amount_t x, y, supply;
} pool;

static vm_idx_status bal(pool *p, const uint8_t asset[32], uint8_t kind, const uint8_t id[32],
                         smn_amount_t *v)
{
    uint8_t key[VM_BAL_KEY_LEN];
    vm_bal_key(asset, kind, id, key);
    return vm_store_amount_get(p->c->st, VM_TBL_BALANCES, p->prog, key, sizeof key, v);
}

static vm_idx_status set_bal(pool *p, const uint8_t asset[32], uint8_t kind, const uint8_t id[32],
                             smn_amount_t v)
{
    uint8_t key[VM_BAL_KEY_LEN];
    vm_bal_key(asset, kind, id, key);
    return vm_store_amount_set(p->c->st, VM_TBL_BALANCES, p->prog, key, sizeof key, v);
}

/* Add to / take from a balance; *ok false on overflow / shortfall. */
static vm_idx_status move(pool *p, const uint8_t asset[32], uint8_t kind, const uint8_t id[32],
                          smn_amount_t v, bool credit, bool *ok)
{
    uint8_t key[VM_BAL_KEY_LEN];
    vm_bal_key(asset, kind, id, key);
    if (credit)
        return vm_store_amount_add(p->c->st, VM_TBL_BALANCES, p->prog, key, sizeof key, v, ok);
    return vm_store_amount_sub(p->c->st, VM_TBL_BALANCES, p->prog, key, sizeof key, v, ok);
}

static vm_idx_status load(pool *p)
{
    uint8_t cfg[64], sup[16];
    size_t len;
    bool found = false;
    vm_idx_status rc =
        vm_store_storage_get(p->c->st, p->prog, key_cfg, sizeof key_cfg, cfg, 64, &len, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (!found || len != 64)
        return VM_IDX_ERR_DB;
    memcpy(p->a, cfg, 32);
    memcpy(p->b, cfg + 32, 32);
    rc = vm_store_storage_get(p->c->st, p->prog, key_supply, sizeof key_supply, sup, 16, &len,
                              &found);
    if (rc != VM_IDX_OK)
        return rc;
    p->supply = found && len == 16 ? smn_amount_from_be(sup) : smn_amount_zero();
    rc = bal(p, p->a, 0, p->prog, &p->x);
    if (rc == VM_IDX_OK)
        rc = bal(p, p->b, 0, p->prog, &p->y);
    return rc;
}

static vm_idx_status store_pool(pool *p)
{
    uint8_t sup[16];
    smn_amount_to_be(p->supply, sup);
    vm_idx_status rc = set_bal(p, p->a, 0, p->prog, p->x);
    if (rc == VM_IDX_OK)
        rc = set_bal(p, p->b, 0, p->prog, p->y);
    if (rc == VM_IDX_OK)
        rc = vm_store_storage_put(p->c->st, p->prog, key_supply, sizeof key_supply, sup, 16);
    return rc;
}

static vm_idx_status swap_event(pool *p, const char *type, const uint8_t caller[32],
                                smn_amount_t v1, smn_amount_t v2, smn_amount_t v3)
{
    vm_wbuf w = {0};
    vm_w_u8(&w, VM_N_OK);
    vm_w_bytes(&w, caller, 32);
    vm_w_u128(&w, v1);
    vm_w_u128(&w, v2);
    vm_w_u128(&w, v3);
    vm_w_u128(&w, p->x);
    vm_w_u128(&w, p->y);
    vm_w_u128(&w, p->supply);
    return vm_event(p->c, p->prog, 0, type, 0, w.b, w.n);
}

static vm_idx_status do_add(pool *p, const uint8_t caller[32], const vm_call_body *call,
                            vm_native_code *code)
{
    smn_amount_t a = call->arg[0], b = call->arg[1], min = call->arg[2];
    smn_amount_t shares, ua, ub;
    if (!call->width[0] || !call->width[1] || smn_amount_is_zero(a) || smn_amount_is_zero(b)) {
        *code = VM_N_BAD_ARGS;
        return VM_IDX_OK;
    }
    bool first = smn_amount_is_zero(p->supply);
    if (!vm_swap_add(p->x, p->y, p->supply, a, b, &shares, &ua, &ub)) {
        *code = VM_N_SLIPPAGE;
        return VM_IDX_OK;
    }
    const smn_amount_t locked = smn_amount_from_u64(VM_SWAP_MIN_LIQUIDITY);
    smn_amount_t mine = first ? smn_amount_sub_wrap(shares, locked) : shares;
    smn_amount_t nx, ny, ns;
    if (!smn_amount_add(p->x, ua, &nx) || !smn_amount_add(p->y, ub, &ny) ||
        !smn_amount_add(p->supply, shares, &ns)) {
        *code = VM_N_OVERFLOW;
        return VM_IDX_OK;
    }
    if (smn_amount_lt(mine, min)) {
        *code = VM_N_SLIPPAGE;
        return VM_IDX_OK;
    }
    bool ok1 = false, ok2 = false;
    vm_idx_status rc = move(p, p->a, 2, caller, ua, false, &ok1);
    if (rc == VM_IDX_OK)
        rc = move(p, p->b, 2, caller, ub, false, &ok2);
    if (rc != VM_IDX_OK)
        return rc;
    if (!ok1 || !ok2) {
        *code = VM_N_INSUFFICIENT;
        return VM_IDX_OK;
    }
    bool ok = true;
    rc = move(p, p->prog, 2, caller, mine, true, &ok);
    if (rc == VM_IDX_OK && first)
        rc = move(p, p->prog, 0, p->prog, locked, true, &ok);
    if (rc != VM_IDX_OK)
        return rc;
    p->x = nx;
    p->y = ny;
    p->supply = ns;
    rc = store_pool(p);
    if (rc == VM_IDX_OK)
        rc = swap_event(p, "swap.add", caller, ua, ub, mine);
    return rc;
}

static vm_idx_status do_remove(pool *p, const uint8_t caller[32], const vm_call_body *call,
                               vm_native_code *code)
{
    smn_amount_t shares = call->arg[0], oa, ob;
    if (!call->width[0] || smn_amount_is_zero(shares)) {
        *code = VM_N_BAD_ARGS;
        return VM_IDX_OK;
    }
    if (smn_amount_is_zero(p->supply)) {
        *code = VM_N_EMPTY_POOL;
        return VM_IDX_OK;
    }
    bool ok = false;
    vm_idx_status rc = move(p, p->prog, 2, caller, shares, false, &ok);
    if (rc != VM_IDX_OK)
        return rc;
    if (!ok) {
        *code = VM_N_INSUFFICIENT;
        return VM_IDX_OK;
    }
    if (!vm_swap_remove(p->x, p->y, p->supply, shares, &oa, &ob)) {
        *code = VM_N_BAD_ARGS;
        return VM_IDX_OK;
    }
    if (smn_amount_lt(oa, call->arg[1]) || smn_amount_lt(ob, call->arg[2])) {
        *code = VM_N_SLIPPAGE;
        return VM_IDX_OK;
    }
    bool ok1 = false, ok2 = false;
    rc = move(p, p->a, 2, caller, oa, true, &ok1);
    if (rc == VM_IDX_OK)
        rc = move(p, p->b, 2, caller, ob, true, &ok2);
    if (rc != VM_IDX_OK)
        return rc;
    if (!ok1 || !ok2) {
        *code = VM_N_OVERFLOW;
        return VM_IDX_OK;
    }
    p->x = smn_amount_sub_wrap(p->x, oa);
    p->y = smn_amount_sub_wrap(p->y, ob);
    p->supply = smn_amount_sub_wrap(p->supply, shares);
    rc = store_pool(p);
    if (rc == VM_IDX_OK)
        rc = swap_event(p, "swap.remove", caller, shares, oa, ob);
    return rc;
}

/* Sell amount_in of one side; the output is owed to the caller. */
static vm_idx_status do_swap(pool *p, const uint8_t caller[32], bool b_to_a, smn_amount_t amount_in,
                             smn_amount_t min_out, vm_native_code *code)
{
    smn_amount_t *r_in = b_to_a ? &p->y : &p->x, *r_out = b_to_a ? &p->x : &p->y, out;
    if (smn_amount_is_zero(p->supply) || smn_amount_is_zero(p->x) || smn_amount_is_zero(p->y)) {
        *code = VM_N_EMPTY_POOL;
        return VM_IDX_OK;
    }
    if (!vm_swap_out(*r_in, *r_out, amount_in, &out)) {
        *code = VM_N_OVERFLOW;
        return VM_IDX_OK;
    }
    if (smn_amount_is_zero(out) || smn_amount_lt(out, min_out) || smn_amount_ge(out, *r_out)) {
        *code = VM_N_SLIPPAGE;
        return VM_IDX_OK;
    }
    bool ok = false;
    vm_idx_status rc = move(p, b_to_a ? p->a : p->b, 2, caller, out, true, &ok);
    if (rc != VM_IDX_OK)
        return rc;
    if (!ok) {
        *code = VM_N_OVERFLOW;
        return VM_IDX_OK;
    }
    *r_in = smn_amount_add_wrap(*r_in, amount_in); /* checked by vm_swap_out */
    *r_out = smn_amount_sub_wrap(*r_out, out);
    rc = store_pool(p);
    if (rc == VM_IDX_OK)
        rc = swap_event(p, b_to_a ? "swap.swap_b_a" : "swap.swap_a_b", caller, amount_in, out,
                        smn_amount_zero());
    return rc;
}

vm_idx_status vm_swap_call(vm_apply_ctx *c, const uint8_t prog[32], const uint8_t caller[32],
                           const vm_call_body *call, vm_input *in, vm_native_code *code)
{
    pool p = {.c = c, .prog = prog};
    vm_idx_status rc = load(&p);
    if (rc != VM_IDX_OK)
        return rc;
    *code = VM_N_OK;
    switch (call->method) {
    case VM_SWAP_DEPOSIT:
        /* The attached tokens are credited to the caller when the call ends. */
        if (!in->present || smn_amount_is_zero(in->amount))
            *code = VM_N_NO_INPUT;
        return VM_IDX_OK;
    case VM_SWAP_ADD:
        return do_add(&p, caller, call, code);
    case VM_SWAP_REMOVE:
        return do_remove(&p, caller, call, code);
    case VM_SWAP_SWAP: {
        bool is_a = in->present && memcmp(in->asset, p.a, 32) == 0;
        bool is_b = in->present && memcmp(in->asset, p.b, 32) == 0;
        if ((!is_a && !is_b) || smn_amount_is_zero(in->amount)) {
            *code = VM_N_NO_INPUT;
            return VM_IDX_OK;
        }
        rc = do_swap(&p, caller, is_b, in->amount, call->arg[0], code);
        if (rc == VM_IDX_OK && *code == VM_N_OK)
            in->amount = smn_amount_zero(); /* now part of the reserve */
        return rc;
    }
    case VM_SWAP_SWAP_OWN: {
        if (!call->width[0] || smn_amount_gt(call->arg[0], smn_amount_from_u64(1)) ||
            !call->width[1] || smn_amount_is_zero(call->arg[1])) {
            *code = VM_N_BAD_ARGS;
            return VM_IDX_OK;
        }
        bool b_to_a = smn_amount_eq(call->arg[0], smn_amount_from_u64(1)), ok = false;
        rc = move(&p, b_to_a ? p.b : p.a, 2, caller, call->arg[1], false, &ok);
        if (rc != VM_IDX_OK)
            return rc;
        if (!ok) {
            *code = VM_N_INSUFFICIENT;
            return VM_IDX_OK;
        }
        return do_swap(&p, caller, b_to_a, call->arg[1], call->arg[2], code);
    }
    default:
        *code = VM_N_NO_METHOD;
        return VM_IDX_OK;
    }
}
