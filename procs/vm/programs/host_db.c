/* The NanoVM host over the VM database: bytecode programs deployed on chain
 * run against real program state. Journal = SQLite savepoints, plus the
 * in-memory parts (event index, what is left of the call input).
 *
 * Where balances live: a program's main balance (holder PROGRAM p) is in
 * p's state; its boxes in its boxes table; an ACCOUNT holder is that
 * account's balance inside the running program (what the program owes it,
 * paid out by the host's withdraw), never the account's own rule-1 balance,
 * which only its own chain may change. PROGRAM holders other than the
 * running one must be hosted by the same account (rule 2), else DENIED. */
#include <stdlib.h>
#include <string.h>

#include "procs/vm/interp/interp.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"

#define HOST_MAX_BOXES 1024
#define HOST_JOURNAL_MAX 64

typedef struct {
    uint32_t sp;
    uint32_t event_idx;
    smn_amount_t input;
} journal_mark;

typedef struct {
    vm_apply_ctx *c;
    vm_prog_info prog; /* the running program */
    uint8_t caller[32];
    bool caller_is_program;
    vm_input *in; /* shared by nested calls, as in memhost */
    journal_mark marks[HOST_JOURNAL_MAX];
    uint32_t nmarks;
} hctx;

static vm_host_status st_err(vm_idx_status rc)
{
    return rc == VM_IDX_OK ? VM_HOST_OK : VM_HOST_ERROR;
}

static vm_host_status h_storage_get(void *ctx, const uint8_t *key, size_t key_len, uint8_t *out,
                                    size_t out_cap, size_t *out_len)
{
    hctx *h = ctx;
    bool found = false;
    if (key_len > VM_STORAGE_KEY_MAX)
        return VM_HOST_LIMIT;
    vm_idx_status rc =
        vm_store_storage_get(h->c->st, h->prog.id, key, key_len, out, out_cap, out_len, &found);
    if (rc != VM_IDX_OK)
        return VM_HOST_ERROR;
    return found ? VM_HOST_OK : VM_HOST_NOT_FOUND;
}

static vm_host_status h_storage_put(void *ctx, const uint8_t *key, size_t key_len,
                                    const uint8_t *val, size_t val_len)
{
    hctx *h = ctx;
    if (key_len > VM_STORAGE_KEY_MAX || val_len > VM_STORAGE_VALUE_MAX)
        return VM_HOST_LIMIT;
    return st_err(vm_store_storage_put(h->c->st, h->prog.id, key, key_len, val, val_len));
}

static vm_host_status h_storage_del(void *ctx, const uint8_t *key, size_t key_len)
{
    hctx *h = ctx;
    bool found = false;
    if (key_len > VM_STORAGE_KEY_MAX)
        return VM_HOST_LIMIT;
    if (vm_store_storage_del(h->c->st, h->prog.id, key, key_len, &found) != VM_IDX_OK)
        return VM_HOST_ERROR;
    return found ? VM_HOST_OK : VM_HOST_NOT_FOUND;
}

/* Where a holder's balance of asset is stored: (program whose state, table,
 * key). INPUT is not stored (in memory). */
typedef struct {
    uint8_t prog[32];
    vm_amount_table t;
    uint8_t key[VM_BAL_KEY_LEN];
    size_t klen;
} slot;

static vm_host_status locate(hctx *h, const uint8_t asset[32], const vm_holder *hd, slot *s)
{
    switch (hd->kind) {
    case VM_HOLDER_PROGRAM:
        if (memcmp(hd->id, h->prog.id, 32) != 0) {
            vm_prog_info other;
            bool found = false;
            if (vm_store_program_get(h->c->st, hd->id, &other, &found) != VM_IDX_OK)
                return VM_HOST_ERROR;
            if (!found || other.kind == VM_PROG_TOKEN || other.kind == VM_PROG_VSMN ||
                memcmp(other.host, h->prog.host, 32) != 0)
                return VM_HOST_DENIED; /* another host's program: not sequenced by us */
        }
        memcpy(s->prog, hd->id, 32);
        s->t = VM_TBL_BALANCES;
        vm_bal_key(asset, VM_HOLDER_PROGRAM, hd->id, s->key);
        s->klen = VM_BAL_KEY_LEN;
        return VM_HOST_OK;
    case VM_HOLDER_ACCOUNT:
        memcpy(s->prog, h->prog.id, 32);
        s->t = VM_TBL_BALANCES;
        vm_bal_key(asset, VM_HOLDER_ACCOUNT, hd->id, s->key);
        s->klen = VM_BAL_KEY_LEN;
        return VM_HOST_OK;
    case VM_HOLDER_BOX: {
        uint32_t n = 0;
        if (vm_store_box_count(h->c->st, h->prog.id, &n) != VM_IDX_OK)
            return VM_HOST_ERROR;
        if (hd->box >= n)
            return VM_HOST_NOT_FOUND;
        memcpy(s->prog, h->prog.id, 32);
        s->t = VM_TBL_BOXES;
        s->key[0] = (uint8_t)(hd->box >> 24);
        s->key[1] = (uint8_t)(hd->box >> 16);
        s->key[2] = (uint8_t)(hd->box >> 8);
        s->key[3] = (uint8_t)hd->box;
        memcpy(s->key + 4, asset, 32);
        s->klen = 36;
        return VM_HOST_OK;
    }
    default:
        return VM_HOST_DENIED;
    }
}

static smn_amount_t input_of(hctx *h, const uint8_t asset[32])
{
    if (!h->in || !h->in->present || memcmp(h->in->asset, asset, 32) != 0)
        return smn_amount_zero();
    return h->in->amount;
}

static vm_host_status h_balance_get(void *ctx, const uint8_t asset[VM_ID_LEN], const vm_holder *hd,
                                    vm_u128 *out)
{
    hctx *h = ctx;
    if (hd->kind == VM_HOLDER_INPUT) {
        *out = input_of(h, asset);
        return VM_HOST_OK;
    }
    slot s;
    vm_host_status hs = locate(h, asset, hd, &s);
    if (hs != VM_HOST_OK)
        return hs;
    return st_err(vm_store_amount_get(h->c->st, s.t, s.prog, s.key, s.klen, out));
}

static vm_host_status h_transfer(void *ctx, const uint8_t asset[VM_ID_LEN], const vm_holder *from,
                                 const vm_holder *to, vm_u128 amount)
{
    hctx *h = ctx;
    bool may_debit = from->kind == VM_HOLDER_BOX || from->kind == VM_HOLDER_INPUT ||
                     (from->kind == VM_HOLDER_PROGRAM && memcmp(from->id, h->prog.id, 32) == 0);
    if (!may_debit || to->kind == VM_HOLDER_INPUT)
        return VM_HOST_DENIED;
    slot sf = {0}, stt;
    vm_host_status hs;
    if (from->kind != VM_HOLDER_INPUT && (hs = locate(h, asset, from, &sf)) != VM_HOST_OK)
        return hs;
    if ((hs = locate(h, asset, to, &stt)) != VM_HOST_OK)
        return hs;
    smn_amount_t fb, tb, sum;
    if (from->kind == VM_HOLDER_INPUT)
        fb = input_of(h, asset);
    else if (vm_store_amount_get(h->c->st, sf.t, sf.prog, sf.key, sf.klen, &fb) != VM_IDX_OK)
        return VM_HOST_ERROR;
    if (smn_amount_lt(fb, amount))
        return VM_HOST_INSUFFICIENT;
    if (from->kind != VM_HOLDER_INPUT && sf.t == stt.t && sf.klen == stt.klen &&
        memcmp(sf.prog, stt.prog, 32) == 0 && memcmp(sf.key, stt.key, sf.klen) == 0)
        return VM_HOST_OK; /* to itself: nothing moves */
    if (vm_store_amount_get(h->c->st, stt.t, stt.prog, stt.key, stt.klen, &tb) != VM_IDX_OK)
        return VM_HOST_ERROR;
    if (!smn_amount_add(tb, amount, &sum))
        return VM_HOST_INSUFFICIENT;
    if (smn_amount_is_zero(amount))
        return VM_HOST_OK;
    if (from->kind == VM_HOLDER_INPUT)
        h->in->amount = smn_amount_sub_wrap(h->in->amount, amount);
    else if (vm_store_amount_set(h->c->st, sf.t, sf.prog, sf.key, sf.klen,
                                 smn_amount_sub_wrap(fb, amount)) != VM_IDX_OK)
        return VM_HOST_ERROR;
    return st_err(vm_store_amount_set(h->c->st, stt.t, stt.prog, stt.key, stt.klen, sum));
}

static vm_host_status h_box_create(void *ctx, uint32_t *box)
{
    hctx *h = ctx;
    uint32_t n = 0;
    if (vm_store_box_count(h->c->st, h->prog.id, &n) != VM_IDX_OK)
        return VM_HOST_ERROR;
    if (n >= HOST_MAX_BOXES)
        return VM_HOST_LIMIT;
    return st_err(vm_store_box_create(h->c->st, h->prog.id, box));
}

static vm_host_status h_emit(void *ctx, uint64_t topic, const uint8_t *data, size_t len)
{
    hctx *h = ctx;
    if (len > VM_EVENT_DATA_MAX)
        return VM_HOST_LIMIT;
    return st_err(vm_event(h->c, h->prog.id, 0, "emit", topic, data, len));
}

static vm_host_status h_get_env(void *ctx, vm_env *out)
{
    hctx *h = ctx;
    const vm_block *b = h->c->blk;
    memset(out, 0, sizeof *out);
    memcpy(out->program, h->prog.id, 32);
    memcpy(out->caller, h->caller, 32);
    out->caller_is_program = h->caller_is_program;
    memcpy(out->block_hash, b->hash, 32);
    out->height = b->height;
    memcpy(out->account, h->prog.host, 32);
    out->amount = smn_amount_gt(b->balance, b->prev_balance)
                      ? smn_amount_sub_wrap(b->balance, b->prev_balance)
                      : smn_amount_sub_wrap(b->prev_balance, b->balance);
    return VM_HOST_OK;
}

static vm_host_status h_checkpoint(void *ctx, uint32_t *id)
{
    hctx *h = ctx;
    if (h->nmarks == HOST_JOURNAL_MAX)
        return VM_HOST_ERROR;
    journal_mark *m = &h->marks[h->nmarks];
    if (vm_store_savepoint(h->c->st, &m->sp) != VM_IDX_OK)
        return VM_HOST_ERROR;
    m->event_idx = h->c->event_idx;
    m->input = h->in ? h->in->amount : smn_amount_zero();
    *id = h->nmarks++;
    return VM_HOST_OK;
}

static vm_host_status h_rollback(void *ctx, uint32_t id)
{
    hctx *h = ctx;
    if (h->nmarks == 0 || id != h->nmarks - 1)
        return VM_HOST_ERROR;
    journal_mark *m = &h->marks[id];
    if (vm_store_rollback(h->c->st, m->sp) != VM_IDX_OK)
        return VM_HOST_ERROR;
    h->c->event_idx = m->event_idx;
    if (h->in)
        h->in->amount = m->input;
    h->nmarks--;
    return VM_HOST_OK;
}

static vm_host_status h_release(void *ctx, uint32_t id)
{
    hctx *h = ctx;
    if (h->nmarks == 0 || id != h->nmarks - 1)
        return VM_HOST_ERROR;
    if (vm_store_release(h->c->st, h->marks[id].sp) != VM_IDX_OK)
        return VM_HOST_ERROR;
    h->nmarks--;
    return VM_HOST_OK;
}

static vm_host_status h_call(void *ctx, const vm_call_request *req, vm_call_outcome *out);

static const vm_host_ops db_ops = {
    .storage_get = h_storage_get,
    .storage_put = h_storage_put,
    .storage_del = h_storage_del,
    .balance_get = h_balance_get,
    .transfer = h_transfer,
    .box_create = h_box_create,
    .emit_event = h_emit,
    .get_env = h_get_env,
    .call = h_call,
    .checkpoint = h_checkpoint,
    .rollback = h_rollback,
    .release = h_release,
};

/* Load, verify and run one method with a fresh host frame. */
static vm_idx_status run(vm_apply_ctx *c, const vm_prog_info *prog, const uint8_t caller[32],
                         bool caller_is_program, vm_input *in, const vm_call_request *req0,
                         vm_call_outcome *out)
{
    vm_call_request rq = *req0, *req = &rq;
    uint8_t *code;
    size_t len;
    vm_idx_status rc = vm_store_program_code(c->st, prog->id, &code, &len);
    if (rc != VM_IDX_OK)
        return rc;
    vm_program p;
    vm_verify_status vs = vm_program_load(code, len, &p, NULL);
    free(code);
    if (vs == VM_VERIFY_NOMEM)
        return VM_IDX_ERR_NOMEM;
    if (vs != VM_VERIFY_OK)
        return VM_IDX_ERR_DB; /* verified at deploy: the stored code is corrupt */
    hctx *h = calloc(1, sizeof *h);
    if (!h) {
        vm_program_free(&p);
        return VM_IDX_ERR_NOMEM;
    }
    h->c = c;
    h->prog = *prog;
    memcpy(h->caller, caller, 32);
    h->caller_is_program = caller_is_program;
    h->in = in;
    /* A message calling a view method runs it as a view: it can answer but
     * not change anything (Nana: view calls have no effect on state). */
    const vm_method *mm = vm_program_method(&p, req->method);
    if (!caller_is_program && mm && !(mm->flags & VM_METHOD_STATE))
        req->view = true;
    vm_host host = {&db_ops, h};
    vm_run(&p, &host, req, out);
    vm_program_free(&p);
    free(h);
    return out->status == VM_FAULT_HOST ? VM_IDX_ERR_DB : VM_IDX_OK;
}

static vm_host_status h_call(void *ctx, const vm_call_request *req, vm_call_outcome *out)
{
    hctx *h = ctx;
    vm_prog_info callee;
    bool found = false;
    if (vm_store_program_get(h->c->st, req->program, &callee, &found) != VM_IDX_OK)
        return VM_HOST_ERROR;
    if (!found || callee.kind == VM_PROG_TOKEN || callee.kind == VM_PROG_VSMN ||
        memcmp(callee.host, h->prog.host, 32) != 0)
        return VM_HOST_NOT_FOUND;
    memset(out, 0, sizeof *out);
    if (callee.kind != VM_PROG_BYTECODE) {
        /* Native programs take calls from messages only (this version). */
        out->status = VM_FAULT_NATIVE;
        return VM_HOST_OK;
    }
    vm_idx_status rc = run(h->c, &callee, h->prog.id, true, h->in, req, out);
    return rc == VM_IDX_OK ? VM_HOST_OK : VM_HOST_ERROR;
}

vm_idx_status vm_bytecode_call(vm_apply_ctx *c, const vm_prog_info *prog, const uint8_t caller[32],
                               const vm_call_body *call, vm_input *in, vm_bytecode_result *res)
{
    vm_call_request req = {0};
    memcpy(req.program, prog->id, 32);
    req.method = call->method;
    req.nargs = 0;
    for (int i = 0; i < VM_CALL_MAX_ARGS && i < VM_MAX_ARGS; i++) {
        req.args[i] = call->arg[i];
        if (call->width[i] != VM_ARG_ABSENT)
            req.nargs = (uint8_t)(i + 1);
    }
    req.gas_limit = VM_CALL_GAS_CAP;
    req.depth = 0;
    req.view = false;
    vm_call_outcome out = {0};
    vm_idx_status rc = run(c, prog, caller, false, in, &req, &out);
    res->status = out.status;
    res->ret = out.ret;
    res->gas_used = out.gas_used;
    res->fault_offset = out.fault_offset;
    return rc;
}

vm_idx_status vm_bytecode_view(vm_store *st, const vm_prog_info *prog, const uint8_t caller[32],
                               uint8_t method, const smn_amount_t *args, uint8_t nargs,
                               uint64_t gas, vm_bytecode_result *res)
{
    /* No block carries a view: the `block` host call answers 32 zero
     * bytes, height 0 and amount 0; `account` answers the host. */
    vm_block blk = {0};
    memcpy(blk.account, prog->host, 32);
    vm_apply_ctx c = {.st = st, .blk = &blk, .event_idx = 0};
    vm_call_request req = {0};
    memcpy(req.program, prog->id, 32);
    req.method = method;
    req.nargs = nargs > VM_MAX_ARGS ? VM_MAX_ARGS : nargs;
    for (int i = 0; i < req.nargs; i++)
        req.args[i] = args[i];
    req.gas_limit = gas;
    req.view = true;
    vm_call_outcome out = {0};
    vm_idx_status rc = run(&c, prog, caller, false, NULL, &req, &out);
    res->status = out.status;
    res->ret = out.ret;
    res->gas_used = out.gas_used;
    res->fault_offset = out.fault_offset;
    return rc;
}
