/* Programs hosted by an account (rule 2): deployment on the host's chain
 * at its send, calls at the host's receive, each call atomic. */
#include <string.h>

#include "procs/vm/interp/bytecode_check.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"

static vm_idx_status deploy_event(vm_apply_ctx *c, vm_native_code code, const uint8_t id[32],
                                  uint8_t kind, uint32_t detail)
{
    vm_wbuf w = {0};
    vm_w_u8(&w, (uint8_t)code);
    vm_w_bytes(&w, c->blk->account, 32);
    vm_w_u8(&w, kind);
    vm_w_u32(&w, detail);
    return vm_event(c, id, 0, "deploy", 0, w.b, w.n);
}

vm_idx_status vm_deploy(vm_apply_ctx *c, const vm_msg *m, const vm_deploy_body *d)
{
    const uint8_t *id = c->blk->hash; /* program id = hash of the deploy block */
    vm_prog_info other;
    bool found = false;
    vm_idx_status rc;
    if (vm_pid_has_prefix(vm_pid_token, id) || vm_pid_has_prefix(vm_pid_vsmn, id))
        return deploy_event(c, VM_N_DUPLICATE, id, d->code_kind, 0);
    rc = vm_store_program_by_prefix(c->st, m->sender, id, &other, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (found)
        return deploy_event(c, VM_N_DUPLICATE, id, d->code_kind, 0);

    if (d->code_kind == VM_CODE_BYTECODE) {
        vm_program prog;
        vm_verify_error err = {0};
        vm_verify_status vs = vm_program_load(d->code, d->code_len, &prog, &err);
        if (vs == VM_VERIFY_NOMEM)
            return VM_IDX_ERR_NOMEM;
        if (vs != VM_VERIFY_OK)
            return deploy_event(c, VM_N_BAD_CODE, id, d->code_kind, (uint32_t)vs);
        vm_program_free(&prog);
        rc = vm_store_program_add(c->st, id, m->sender, VM_PROG_BYTECODE, d->code, d->code_len,
                                  c->blk->hash, c->blk->height);
        if (rc != VM_IDX_OK)
            return rc;
        return deploy_event(c, VM_N_OK, id, d->code_kind, 0);
    }
    /* Native: the program's name, a 0 byte, its init bytes. */
    const uint8_t *nul = memchr(d->code, 0, d->code_len);
    size_t name_len = nul ? (size_t)(nul - d->code) : d->code_len;
    const uint8_t *init = nul ? nul + 1 : d->code + d->code_len;
    size_t init_len = d->code_len - name_len - (nul ? 1 : 0);
    if (name_len != strlen(VM_NATIVE_SWAP_NAME) ||
        memcmp(d->code, VM_NATIVE_SWAP_NAME, name_len) != 0 || !nul ||
        !vm_swap_init_valid(init, init_len))
        return deploy_event(c, VM_N_BAD_CODE, id, d->code_kind, 0);
    rc = vm_store_program_add(c->st, id, m->sender, VM_PROG_SWAP, d->code, d->code_len,
                              c->blk->hash, c->blk->height);
    if (rc == VM_IDX_OK)
        rc = vm_swap_init(c, id, init, init_len);
    if (rc != VM_IDX_OK)
        return rc;
    return deploy_event(c, VM_N_OK, id, d->code_kind, 0);
}

/* code | caller | method | vm status | gas | ret | input asset | refunded */
static vm_idx_status call_event(vm_apply_ctx *c, const uint8_t prog[32], vm_native_code code,
                                const uint8_t caller[32], uint8_t method, int vmst, uint64_t gas,
                                smn_amount_t ret, const vm_input *in, smn_amount_t refunded)
{
    vm_wbuf w = {0};
    vm_w_u8(&w, (uint8_t)code);
    vm_w_bytes(&w, caller, 32);
    vm_w_u8(&w, method);
    vm_w_u8(&w, (uint8_t)vmst);
    vm_w_u64(&w, gas);
    vm_w_u128(&w, ret);
    vm_w_bytes(&w, in->present ? in->asset : vm_asset_smn, 32);
    vm_w_u128(&w, refunded);
    return vm_event(c, prog, 0, "call", 0, w.b, w.n);
}

vm_idx_status vm_call_hosted(vm_apply_ctx *c, const uint8_t host[32], const uint8_t prefix[8],
                             const uint8_t caller[32], const vm_call_body *call,
                             const uint8_t asset_prog[32], vm_input *in)
{
    vm_prog_info info;
    bool found = false;
    vm_idx_status rc = vm_store_program_by_prefix(c->st, host, prefix, &info, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (!found) {
        uint8_t unknown[32] = {0};
        memcpy(unknown, prefix, 8);
        rc = call_event(c, unknown, VM_N_NO_PROGRAM, caller, call->method, 0, 0, smn_amount_zero(),
                        in, smn_amount_zero());
        if (rc != VM_IDX_OK || !in->present || smn_amount_is_zero(in->amount))
            return rc;
        /* Nothing to call: the tokens stay with the recipient, as a
         * plain transfer would have left them (rule 1). */
        bool ok = false;
        rc = vm_asset_credit(c, asset_prog, in->asset, host, in->amount, &ok);
        in->amount = smn_amount_zero();
        return rc;
    }

    uint32_t sp, saved_idx = c->event_idx;
    smn_amount_t saved_input = in->amount;
    rc = vm_store_savepoint(c->st, &sp);
    if (rc != VM_IDX_OK)
        return rc;
    vm_native_code code = VM_N_OK;
    vm_bytecode_result res = {0};
    if (info.kind == VM_PROG_SWAP) {
        rc = vm_swap_call(c, info.id, caller, call, in, &code);
    } else if (info.kind == VM_PROG_BYTECODE) {
        rc = vm_bytecode_call(c, &info, caller, call, in, &res);
        if (rc == VM_IDX_OK && res.status != 0)
            code = VM_N_FAULT;
    } else {
        code = VM_N_NO_PROGRAM;
    }
    if (rc != VM_IDX_OK) {
        (void)vm_store_rollback(c->st, sp);
        return rc;
    }
    if (code != VM_N_OK) {
        rc = vm_store_rollback(c->st, sp);
        c->event_idx = saved_idx;
        in->amount = saved_input;
    } else {
        rc = vm_store_release(c->st, sp);
    }
    if (rc != VM_IDX_OK)
        return rc;

    /* Whatever the call did not take (all of it on failure) is owed to the
     * caller inside the program, withdrawable by the host (rule 1 again). */
    smn_amount_t refund = in->present ? in->amount : smn_amount_zero();
    if (!smn_amount_is_zero(refund)) {
        uint8_t key[VM_BAL_KEY_LEN];
        bool ok = false;
        vm_bal_key(in->asset, 2, caller, key);
        rc = vm_store_amount_add(c->st, VM_TBL_BALANCES, info.id, key, sizeof key, refund, &ok);
        if (rc != VM_IDX_OK)
            return rc;
        in->amount = smn_amount_zero();
    }
    return call_event(c, info.id, code, caller, call->method, res.status, res.gas_used, res.ret, in,
                      refund);
}
