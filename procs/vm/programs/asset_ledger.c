/* The rule-1 asset ledger shared by the token and vsmn programs: transfer,
 * transfer-and-call and withdraw. A transfer is debited on the sender's
 * chain at the send that completes the message and credited on the
 * recipient's chain at the receive that completes it, so every account's
 * balance depends only on its own chain and the sends it received. */
#include <string.h>

#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"

void vm_account_key(const uint8_t asset[32], const uint8_t account[32], uint8_t out[65])
{
    vm_bal_key(asset, 2 /* VM_HOLDER_ACCOUNT */, account, out);
}

vm_idx_status vm_asset_credit(vm_apply_ctx *c, const uint8_t prog[32], const uint8_t asset[32],
                              const uint8_t account[32], smn_amount_t amount, bool *ok)
{
    uint8_t key[65];
    vm_account_key(asset, account, key);
    return vm_store_amount_add(c->st, VM_TBL_BALANCES, prog, key, sizeof key, amount, ok);
}

vm_idx_status vm_asset_debit(vm_apply_ctx *c, const uint8_t prog[32], const uint8_t asset[32],
                             const uint8_t account[32], smn_amount_t amount, bool *ok)
{
    uint8_t key[65];
    vm_account_key(asset, account, key);
    return vm_store_amount_sub(c->st, VM_TBL_BALANCES, prog, key, sizeof key, amount, ok);
}

static const char *ev_name(const uint8_t prog[32], bool send)
{
    bool token = memcmp(prog, vm_pid_token, 32) == 0;
    if (send)
        return token ? "token.send" : "vsmn.send";
    return token ? "token.receive" : "vsmn.receive";
}

/* status | method | asset | from | to | amount */
static vm_idx_status transfer_event(vm_apply_ctx *c, const uint8_t prog[32], bool send,
                                    vm_native_code code, uint8_t method, const uint8_t asset[32],
                                    const vm_msg *m, smn_amount_t amount)
{
    vm_wbuf w = {0};
    vm_w_u8(&w, (uint8_t)code);
    vm_w_u8(&w, method);
    vm_w_bytes(&w, asset, 32);
    vm_w_bytes(&w, m->sender, 32);
    vm_w_bytes(&w, m->dest, 32);
    vm_w_u128(&w, amount);
    return vm_event(c, prog, 0, ev_name(prog, send), 0, w.b, w.n);
}

static bool has(const vm_call_body *call, int i)
{
    return i < VM_CALL_MAX_ARGS && call->width[i] != VM_ARG_ABSENT;
}

vm_idx_status vm_asset_on_send(vm_apply_ctx *c, const vm_msg *m, const uint8_t prog[32],
                               const vm_call_body *call, vm_pending *p)
{
    bool token = memcmp(prog, vm_pid_token, 32) == 0;
    int o = token ? 1 : 0; /* token methods lead with the token reference */
    vm_idx_status rc;
    memset(p, 0, sizeof *p);

    if (token && call->method == VM_TOKEN_ETCH)
        return vm_token_etch(c, m, call);
    if (token && call->method == VM_TOKEN_MINT)
        return vm_token_mint(c, m, call);
    if (call->method != VM_ASSET_TRANSFER && call->method != VM_ASSET_TRANSFER_CALL &&
        call->method != VM_ASSET_WITHDRAW)
        return transfer_event(c, prog, true, VM_N_NO_METHOD, call->method, vm_asset_smn, m,
                              smn_amount_zero());

    uint8_t asset[32];
    memcpy(asset, vm_asset_smn, 32);
    smn_amount_t amount = call->arg[o];
    bool args_ok = has(call, o) && !smn_amount_is_zero(amount);
    if (call->method == VM_ASSET_TRANSFER_CALL)
        args_ok = args_ok && has(call, o + 1) && call->width[o + 1] <= VM_ARG_U64 &&
                  has(call, o + 2) && call->width[o + 2] == VM_ARG_U8;
    if (call->method == VM_ASSET_WITHDRAW)
        args_ok = args_ok && has(call, o + 1) && call->width[o + 1] <= VM_ARG_U64;
    if (token)
        args_ok = args_ok && has(call, 0);
    if (!args_ok)
        return transfer_event(c, prog, true, VM_N_BAD_ARGS, call->method, asset, m, amount);
    /* On failure the event names the token by its reference only (16 bytes
     * then zeros): whether this node has seen the etch yet depends on other
     * chains, and an event must not. For the same reason an unknown token
     * is reported as an insufficient balance, which it always is: nobody
     * holds a token before its etch. */
    uint8_t ref_form[32] = {0};
    if (token)
        vm_token_ref_bytes(call->arg[0], ref_form);
    if (token) {
        bool found = false;
        rc = vm_token_lookup(c->st, call->arg[0], asset, &found);
        if (rc != VM_IDX_OK)
            return rc;
        if (!found)
            return transfer_event(c, prog, true, VM_N_INSUFFICIENT, call->method, ref_form, m,
                                  amount);
    }

    bool ok = false;
    if (call->method == VM_ASSET_WITHDRAW) {
        /* The host pays out what its program owes the destination: the
         * debit is in the program's state, on the host's own chain. */
        uint8_t prefix[8];
        uint64_t pfx = smn_amount_lo64(call->arg[o + 1]);
        for (int i = 0; i < 8; i++)
            prefix[i] = (uint8_t)(pfx >> (56 - 8 * i));
        vm_prog_info info;
        bool found = false;
        rc = vm_store_program_by_prefix(c->st, m->sender, prefix, &info, &found);
        if (rc != VM_IDX_OK)
            return rc;
        if (!found)
            return transfer_event(c, prog, true, VM_N_NO_PROGRAM, call->method, ref_form, m,
                                  amount);
        uint8_t key[65];
        vm_account_key(asset, m->dest, key);
        rc = vm_store_amount_sub(c->st, VM_TBL_BALANCES, info.id, key, sizeof key, amount, &ok);
    } else {
        rc = vm_asset_debit(c, prog, asset, m->sender, amount, &ok);
    }
    if (rc != VM_IDX_OK)
        return rc;
    if (ok) {
        p->ok = true;
        memcpy(p->asset, asset, 32);
        p->amount = amount;
    }
    return transfer_event(c, prog, true, ok ? VM_N_OK : VM_N_INSUFFICIENT, call->method,
                          ok ? asset : ref_form, m, amount);
}

vm_idx_status vm_asset_on_receive(vm_apply_ctx *c, const vm_msg *m, const uint8_t prog[32],
                                  const vm_call_body *call, const vm_pending *p)
{
    if (!p->ok)
        return VM_IDX_OK; /* the send failed: the receive credits nothing */
    bool token = memcmp(prog, vm_pid_token, 32) == 0;
    int o = token ? 1 : 0;
    if (call->method == VM_ASSET_TRANSFER_CALL) {
        uint8_t prefix[8];
        uint64_t pfx = smn_amount_lo64(call->arg[o + 1]);
        for (int i = 0; i < 8; i++)
            prefix[i] = (uint8_t)(pfx >> (56 - 8 * i));
        vm_call_body inner = {0};
        inner.method = (uint8_t)smn_amount_lo64(call->arg[o + 2]);
        inner.iteration = call->iteration;
        /* Every argument after the method is the callee's, in order: one
         * for token (ref, amount, prefix, method, arg), two for vSMN
         * (amount, prefix, method, arg, arg). */
        for (int i = o + 3, k = 0; i < VM_CALL_MAX_ARGS; i++, k++) {
            inner.width[k] = call->width[i];
            inner.arg[k] = call->arg[i];
        }
        vm_input in = {.present = true, .amount = p->amount};
        memcpy(in.asset, p->asset, 32);
        vm_idx_status rc =
            transfer_event(c, prog, false, VM_N_OK, call->method, p->asset, m, p->amount);
        if (rc != VM_IDX_OK)
            return rc;
        return vm_call_hosted(c, m->dest, prefix, m->sender, &inner, prog, &in);
    }
    bool ok = false;
    vm_idx_status rc = vm_asset_credit(c, prog, p->asset, m->dest, p->amount, &ok);
    if (rc != VM_IDX_OK)
        return rc;
    return transfer_event(c, prog, false, ok ? VM_N_OK : VM_N_OVERFLOW, call->method, p->asset, m,
                          ok ? p->amount : smn_amount_zero());
}
