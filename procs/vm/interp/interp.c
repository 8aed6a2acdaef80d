#include "procs/vm/interp/interp.h"

#include <string.h>

/* One invocation's private machine: registers, memory, return stack. */
typedef struct {
    vm_u128 r[VM_NREGS];
    uint8_t mem[VM_MEM_SIZE];
    uint32_t stack[VM_STACK_DEPTH];
} vm_frame;

typedef struct {
    const vm_host *host;
    const vm_call_request *req;
    vm_frame *f;
    uint64_t gas;    /* left */
    uint32_t events; /* emitted so far, nested calls included */
    bool view;       /* a view method, or called in view mode: read-only */
} vm_exec;

/* Register helpers: vm_u128 is smn_u128, a struct without C operators
 * (issue 19); these keep the code below as short as it was. */
static inline vm_u128 from64(uint64_t v)
{
    return smn_amount_from_u64(v);
}
static inline bool above(vm_u128 v, uint64_t n)
{
    return smn_amount_gt(v, from64(n));
}
static inline bool nz(vm_u128 v)
{
    return !smn_amount_is_zero(v);
}
/* The low bits as a size or offset: callers checked the range first. */
static inline size_t as_size(vm_u128 v)
{
    return (size_t)smn_amount_lo64(v);
}

/* Big-endian 16-byte image of v, whatever the host's byte order. */
static inline void u128_be16(uint8_t out[16], vm_u128 v)
{
    uint64_t hi = smn_amount_hi64(v), lo = smn_amount_lo64(v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    hi = __builtin_bswap64(hi);
    lo = __builtin_bswap64(lo);
#endif
    memcpy(out, &hi, 8);
    memcpy(out + 8, &lo, 8);
}

static inline vm_u128 be16_u128(const uint8_t in[16])
{
    uint64_t hi, lo;
    memcpy(&hi, in, 8);
    memcpy(&lo, in + 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    hi = __builtin_bswap64(hi);
    lo = __builtin_bswap64(lo);
#endif
    return smn_amount_make(hi, lo);
}

/* Store the low n (1..16) bytes of v big-endian. */
static inline void wr_be(uint8_t *p, vm_u128 v, unsigned n)
{
    if (n == 16) { /* the common full-width case: two plain 8-byte stores */
        u128_be16(p, v);
        return;
    }
    uint8_t buf[16];
    u128_be16(buf, v);
    memcpy(p, buf + 16 - n, n);
}

/* Load n (1..16) bytes big-endian, zero-extended. */
static inline vm_u128 rd_be(const uint8_t *p, unsigned n)
{
    if (n == 16)
        return be16_u128(p);
    uint8_t buf[16] = {0};
    memcpy(buf + 16 - n, p, n);
    return be16_u128(buf);
}

/* A memory range [ptr, ptr+len) named by two registers; false if outside. */
static bool range_ok(vm_u128 ptr, vm_u128 len)
{
    return !above(ptr, VM_MEM_SIZE) && !above(len, VM_MEM_SIZE - as_size(ptr));
}

static vm_status host_fault(vm_host_status hs)
{
    return hs == VM_HOST_DENIED ? VM_FAULT_HOST_DENIED : VM_FAULT_HOST;
}

/* Statuses the program sees in r0; the rest are faults. */
static bool host_status_for_program(vm_host_status hs)
{
    return hs == VM_HOST_OK || hs == VM_HOST_NOT_FOUND || hs == VM_HOST_INSUFFICIENT ||
           hs == VM_HOST_LIMIT;
}

static bool read_holder(const uint8_t *mem, vm_u128 ptr, vm_holder *h)
{
    if (!range_ok(ptr, from64(VM_HOLDER_WIRE_LEN)))
        return false;
    const uint8_t *p = mem + as_size(ptr);
    h->kind = p[0];
    h->box = (uint32_t)smn_amount_lo64(rd_be(p + 1, 4));
    memcpy(h->id, p + 5, VM_ID_LEN);
    return true;
}

static vm_status charge(vm_exec *x, uint64_t cost)
{
    if (cost > x->gas)
        return VM_FAULT_OUT_OF_GAS;
    x->gas -= cost;
    return VM_OK;
}

/* Host call n. Order: view check, argument checks, gas, then the host. */
static vm_status hcall(vm_exec *x, uint32_t n)
{
    const vm_host_ops *ops = x->host->ops;
    void *ctx = x->host->ctx;
    vm_u128 *r = x->f->r;
    uint8_t *mem = x->f->mem;
    if (vm_hcalls[n].mutates && x->view)
        return VM_FAULT_VIEW_WRITE;
    uint64_t cost = vm_hcalls[n].gas;
    vm_host_status hs = VM_HOST_OK;
    vm_status st;

    switch ((vm_hcall)n) {
    case VM_HC_STORAGE_GET: {
        if (above(r[2], VM_STORAGE_KEY_MAX) || above(r[4], VM_STORAGE_VALUE_MAX))
            return VM_FAULT_HOST_ARG;
        if (!range_ok(r[1], r[2]) || !range_ok(r[3], r[4]))
            return VM_FAULT_MEM_BOUNDS;
        size_t klen = as_size(r[2]), cap = as_size(r[4]);
        if ((st = charge(x, cost + VM_GAS_HC_PER_BYTE * (uint64_t)(klen + cap))) != VM_OK)
            return st;
        uint8_t val[VM_STORAGE_VALUE_MAX];
        size_t vlen = 0;
        hs = ops->storage_get(ctx, mem + as_size(r[1]), klen, val, sizeof val, &vlen);
        if (hs == VM_HOST_OK) {
            if (vlen > VM_STORAGE_VALUE_MAX)
                return VM_FAULT_HOST;
            memcpy(mem + as_size(r[3]), val, vlen < cap ? vlen : cap);
        } else {
            vlen = 0;
        }
        r[1] = from64(vlen);
        break;
    }
    case VM_HC_STORAGE_PUT:
        if (above(r[2], VM_STORAGE_KEY_MAX) || above(r[4], VM_STORAGE_VALUE_MAX))
            return VM_FAULT_HOST_ARG;
        if (!range_ok(r[1], r[2]) || !range_ok(r[3], r[4]))
            return VM_FAULT_MEM_BOUNDS;
        if ((st = charge(x, cost + VM_GAS_HC_PER_BYTE *
                                       (uint64_t)(as_size(r[2]) + as_size(r[4])))) != VM_OK)
            return st;
        hs = ops->storage_put(ctx, mem + as_size(r[1]), as_size(r[2]), mem + as_size(r[3]),
                              as_size(r[4]));
        break;
    case VM_HC_STORAGE_DEL:
        if (above(r[2], VM_STORAGE_KEY_MAX))
            return VM_FAULT_HOST_ARG;
        if (!range_ok(r[1], r[2]))
            return VM_FAULT_MEM_BOUNDS;
        if ((st = charge(x, cost + VM_GAS_HC_PER_BYTE * smn_amount_lo64(r[2]))) != VM_OK)
            return st;
        hs = ops->storage_del(ctx, mem + as_size(r[1]), as_size(r[2]));
        break;
    case VM_HC_BALANCE: {
        vm_holder h;
        if (!range_ok(r[1], from64(VM_ID_LEN)) || !read_holder(mem, r[2], &h))
            return VM_FAULT_MEM_BOUNDS;
        if (h.kind > VM_HOLDER_INPUT)
            return VM_FAULT_HOST_ARG;
        if ((st = charge(x, cost)) != VM_OK)
            return st;
        vm_u128 bal = smn_amount_zero();
        hs = ops->balance_get(ctx, mem + as_size(r[1]), &h, &bal);
        r[1] = hs == VM_HOST_OK ? bal : smn_amount_zero();
        break;
    }
    case VM_HC_TRANSFER: {
        vm_holder from, to;
        if (!range_ok(r[1], from64(VM_ID_LEN)) || !read_holder(mem, r[2], &from) ||
            !read_holder(mem, r[3], &to))
            return VM_FAULT_MEM_BOUNDS;
        if (from.kind > VM_HOLDER_INPUT || to.kind > VM_HOLDER_INPUT)
            return VM_FAULT_HOST_ARG;
        if ((st = charge(x, cost)) != VM_OK)
            return st;
        hs = ops->transfer(ctx, mem + as_size(r[1]), &from, &to, r[4]);
        break;
    }
    case VM_HC_BOX_CREATE: {
        if ((st = charge(x, cost)) != VM_OK)
            return st;
        uint32_t box = 0;
        hs = ops->box_create(ctx, &box);
        r[1] = from64(hs == VM_HOST_OK ? box : 0);
        break;
    }
    case VM_HC_EMIT:
        if (above(r[1], UINT64_MAX) || above(r[3], VM_EVENT_DATA_MAX))
            return VM_FAULT_HOST_ARG;
        if (!range_ok(r[2], r[3]))
            return VM_FAULT_MEM_BOUNDS;
        if ((st = charge(x, cost + VM_GAS_HC_PER_BYTE * smn_amount_lo64(r[3]))) != VM_OK)
            return st;
        hs = ops->emit_event(ctx, smn_amount_lo64(r[1]), mem + as_size(r[2]), as_size(r[3]));
        if (hs == VM_HOST_OK)
            x->events++;
        break;
    case VM_HC_CALLER:
    case VM_HC_SELF:
    case VM_HC_BLOCK:
    case VM_HC_ACCOUNT: {
        if (!range_ok(r[1], from64(VM_ID_LEN)))
            return VM_FAULT_MEM_BOUNDS;
        if ((st = charge(x, cost)) != VM_OK)
            return st;
        vm_env env;
        memset(&env, 0, sizeof env);
        hs = ops->get_env(ctx, &env);
        if (hs != VM_HOST_OK)
            break;
        uint8_t *out = mem + as_size(r[1]);
        if (n == VM_HC_CALLER) {
            memcpy(out, env.caller, VM_ID_LEN);
            r[1] = from64(env.caller_is_program ? 1 : 0);
        } else if (n == VM_HC_SELF) {
            memcpy(out, env.program, VM_ID_LEN);
        } else if (n == VM_HC_BLOCK) {
            memcpy(out, env.block_hash, VM_ID_LEN);
            r[1] = from64(env.height);
            r[2] = env.amount;
        } else {
            memcpy(out, env.account, VM_ID_LEN);
        }
        break;
    }
    case VM_HC_CALL: {
        if (above(r[2], 255) || above(r[4], VM_MAX_ARGS))
            return VM_FAULT_HOST_ARG;
        if (!range_ok(r[1], from64(VM_ID_LEN)) || !range_ok(r[3], from64(as_size(r[4]) * 16)))
            return VM_FAULT_MEM_BOUNDS;
        if (x->req->depth + 1 > VM_MAX_CALL_DEPTH)
            return VM_FAULT_CALL_DEPTH;
        if ((st = charge(x, cost)) != VM_OK)
            return st;
        vm_call_request cr;
        memset(&cr, 0, sizeof cr);
        memcpy(cr.program, mem + as_size(r[1]), VM_ID_LEN);
        cr.method = (uint8_t)smn_amount_lo64(r[2]);
        cr.nargs = (uint8_t)smn_amount_lo64(r[4]);
        for (unsigned i = 0; i < cr.nargs; i++)
            cr.args[i] = rd_be(mem + as_size(r[3]) + 16 * i, 16);
        cr.gas_limit = (!nz(r[5]) || above(r[5], x->gas)) ? x->gas : smn_amount_lo64(r[5]);
        cr.depth = x->req->depth + 1;
        cr.view = x->view;
        vm_call_outcome co;
        memset(&co, 0, sizeof co);
        hs = ops->call(ctx, &cr, &co);
        if (hs == VM_HOST_NOT_FOUND) {
            r[0] = from64(255);
            r[1] = r[2] = smn_amount_zero();
            return VM_OK;
        }
        if (hs != VM_HOST_OK)
            return host_fault(hs);
        if (co.gas_used > cr.gas_limit || co.status >= VM_FAULT__COUNT)
            return VM_FAULT_HOST; /* a host broke its contract */
        if (co.status == VM_FAULT_HOST)
            return VM_FAULT_HOST;
        x->gas -= co.gas_used;
        if (co.status == VM_OK)
            x->events += co.events;
        r[0] = from64((uint64_t)co.status);
        r[1] = co.status == VM_OK ? co.ret : smn_amount_zero();
        r[2] = from64(co.gas_used);
        return VM_OK;
    }
    case VM_HC__COUNT:
        return VM_FAULT_HOST_ARG; /* unreachable: the verifier rejects it */
    }
    if (!host_status_for_program(hs))
        return host_fault(hs);
    r[0] = from64((uint64_t)hs);
    return VM_OK;
}

/* The dispatch loop. Threaded code (GCC computed goto) over the
 * pre-decoded instructions: the per-instruction work is one gas compare,
 * one subtraction and an indirect jump. */
static vm_status exec(vm_exec *x, const vm_program *p, uint32_t entry, vm_u128 *ret,
                      uint32_t *fault_off)
{
    static const void *const labels[VM_I__COUNT] = {
        [VM_I_NOP] = &&l_nop,     [VM_I_HALT] = &&l_halt, [VM_I_FAIL] = &&l_fail,
        [VM_I_JMP] = &&l_jmp,     [VM_I_JZ] = &&l_jz,     [VM_I_JNZ] = &&l_jnz,
        [VM_I_JEQ] = &&l_jeq,     [VM_I_JNE] = &&l_jne,   [VM_I_JLT] = &&l_jlt,
        [VM_I_JGE] = &&l_jge,     [VM_I_CALL] = &&l_call, [VM_I_RET] = &&l_ret,
        [VM_I_HCALL] = &&l_hcall, [VM_I_MOV] = &&l_mov,   [VM_I_LI8] = &&l_li,
        [VM_I_LI32] = &&l_li,     [VM_I_LI64] = &&l_li,   [VM_I_LI128] = &&l_li,
        [VM_I_ADD] = &&l_add,     [VM_I_SUB] = &&l_sub,   [VM_I_MUL] = &&l_mul,
        [VM_I_DIV] = &&l_div,     [VM_I_MOD] = &&l_mod,   [VM_I_ADDW] = &&l_addw,
        [VM_I_SUBW] = &&l_subw,   [VM_I_MULW] = &&l_mulw, [VM_I_AND] = &&l_and,
        [VM_I_OR] = &&l_or,       [VM_I_XOR] = &&l_xor,   [VM_I_SHL] = &&l_shl,
        [VM_I_SHR] = &&l_shr,     [VM_I_NOT] = &&l_not,   [VM_I_ADDI] = &&l_addi,
        [VM_I_SUBI] = &&l_subi,   [VM_I_EQ] = &&l_eq,     [VM_I_NE] = &&l_ne,
        [VM_I_LT] = &&l_lt,       [VM_I_LE] = &&l_le,     [VM_I_GT] = &&l_gt,
        [VM_I_GE] = &&l_ge,       [VM_I_LD] = &&l_ld,     [VM_I_ST] = &&l_st,
        [VM_I_MCOPY] = &&l_mcopy,
    };
    const vm_insn *const base = p->insns;
    const vm_insn *ip = base + entry;
    vm_u128 *const r = x->f->r;
    uint8_t *const mem = x->f->mem;
    uint32_t *const stack = x->f->stack;
    uint32_t sp = 0;
    uint64_t gas = x->gas;
    vm_status st = VM_OK;

#define DISPATCH()                                                                                 \
    do {                                                                                           \
        if (__builtin_expect(ip->gas > gas, 0))                                                    \
            goto oog;                                                                              \
        gas -= ip->gas;                                                                            \
        goto *labels[ip->op];                                                                      \
    } while (0)
#define NEXT()                                                                                     \
    do {                                                                                           \
        ip++;                                                                                      \
        DISPATCH();                                                                                \
    } while (0)
#define JUMP_IF(cond)                                                                              \
    do {                                                                                           \
        if (cond)                                                                                  \
            ip = base + ip->x;                                                                     \
        else                                                                                       \
            ip++;                                                                                  \
        DISPATCH();                                                                                \
    } while (0)
#define FAULT(s)                                                                                   \
    do {                                                                                           \
        st = (s);                                                                                  \
        goto fault;                                                                                \
    } while (0)
#define RRR(expr)                                                                                  \
    do {                                                                                           \
        r[ip->a] = (expr);                                                                         \
        NEXT();                                                                                    \
    } while (0)

    DISPATCH();

l_nop:
    NEXT();
l_halt:
    *ret = r[ip->a];
    x->gas = gas;
    return VM_OK;
l_fail:
    FAULT(VM_FAULT_EXPLICIT);
l_jmp:
    ip = base + ip->x;
    DISPATCH();
l_jz:
    JUMP_IF(!nz(r[ip->a]));
l_jnz:
    JUMP_IF(nz(r[ip->a]));
l_jeq:
    JUMP_IF(smn_amount_eq(r[ip->a], r[ip->b]));
l_jne:
    JUMP_IF(!smn_amount_eq(r[ip->a], r[ip->b]));
l_jlt:
    JUMP_IF(smn_amount_lt(r[ip->a], r[ip->b]));
l_jge:
    JUMP_IF(smn_amount_ge(r[ip->a], r[ip->b]));
l_call:
    if (sp == VM_STACK_DEPTH)
        FAULT(VM_FAULT_STACK_OVERFLOW);
    stack[sp++] = (uint32_t)(ip - base) + 1;
    ip = base + ip->x;
    DISPATCH();
l_ret:
    if (sp == 0) {
        *ret = r[0];
        x->gas = gas;
        return VM_OK;
    }
    ip = base + stack[--sp];
    DISPATCH();
l_hcall:
    x->gas = gas;
    st = hcall(x, ip->x);
    gas = x->gas;
    if (st != VM_OK)
        goto fault;
    NEXT();
l_mov:
    RRR(r[ip->b]);
l_li:
    RRR(ip->imm);
l_add:
    if (!smn_amount_add(r[ip->b], r[ip->c], &r[ip->a]))
        FAULT(VM_FAULT_OVERFLOW);
    NEXT();
l_sub:
    if (!smn_amount_sub(r[ip->b], r[ip->c], &r[ip->a]))
        FAULT(VM_FAULT_OVERFLOW);
    NEXT();
l_mul:
    if (!smn_amount_mul(r[ip->b], r[ip->c], &r[ip->a]))
        FAULT(VM_FAULT_OVERFLOW);
    NEXT();
l_div:
    if (!smn_amount_divmod(r[ip->b], r[ip->c], &r[ip->a], NULL))
        FAULT(VM_FAULT_DIV_ZERO);
    NEXT();
l_mod:
    if (!nz(r[ip->c]))
        FAULT(VM_FAULT_DIV_ZERO);
    RRR(smn_amount_mod(r[ip->b], r[ip->c]));
l_addw:
    RRR(smn_amount_add_wrap(r[ip->b], r[ip->c]));
l_subw:
    RRR(smn_amount_sub_wrap(r[ip->b], r[ip->c]));
l_mulw:
    RRR(smn_amount_mul_wrap(r[ip->b], r[ip->c]));
l_and:
    RRR(smn_amount_and(r[ip->b], r[ip->c]));
l_or:
    RRR(smn_amount_or(r[ip->b], r[ip->c]));
l_xor:
    RRR(smn_amount_xor(r[ip->b], r[ip->c]));
l_shl:
    RRR(above(r[ip->c], 127) ? smn_amount_zero()
                             : smn_amount_shl(r[ip->b], (unsigned)as_size(r[ip->c])));
l_shr:
    RRR(above(r[ip->c], 127) ? smn_amount_zero()
                             : smn_amount_shr(r[ip->b], (unsigned)as_size(r[ip->c])));
l_not:
    RRR(smn_amount_not(r[ip->b]));
l_addi:
    if (!smn_amount_add(r[ip->b], ip->imm, &r[ip->a]))
        FAULT(VM_FAULT_OVERFLOW);
    NEXT();
l_subi:
    if (!smn_amount_sub(r[ip->b], ip->imm, &r[ip->a]))
        FAULT(VM_FAULT_OVERFLOW);
    NEXT();
l_eq:
    RRR(from64(smn_amount_eq(r[ip->b], r[ip->c])));
l_ne:
    RRR(from64(!smn_amount_eq(r[ip->b], r[ip->c])));
l_lt:
    RRR(from64(smn_amount_lt(r[ip->b], r[ip->c])));
l_le:
    RRR(from64(smn_amount_le(r[ip->b], r[ip->c])));
l_gt:
    RRR(from64(smn_amount_gt(r[ip->b], r[ip->c])));
l_ge:
    RRR(from64(smn_amount_ge(r[ip->b], r[ip->c])));
l_ld : {
    vm_u128 addr = smn_amount_add_wrap(
        r[ip->b], from64(ip->x)); /* base <= 2^128-1 - 65535 or the check below fails */
    if (above(r[ip->b], VM_MEM_SIZE) || !range_ok(addr, from64(ip->c)))
        FAULT(VM_FAULT_MEM_BOUNDS);
    RRR(rd_be(mem + as_size(addr), ip->c));
}
l_st : {
    vm_u128 addr = smn_amount_add_wrap(r[ip->b], from64(ip->x));
    if (above(r[ip->b], VM_MEM_SIZE) || !range_ok(addr, from64(ip->c)))
        FAULT(VM_FAULT_MEM_BOUNDS);
    wr_be(mem + as_size(addr), r[ip->a], ip->c);
    NEXT();
}
l_mcopy : {
    vm_u128 dst = r[ip->a], src = r[ip->b], len = r[ip->c];
    if (!range_ok(dst, len) || !range_ok(src, len))
        FAULT(VM_FAULT_MEM_BOUNDS);
    uint64_t extra = ((uint64_t)as_size(len) + VM_MCOPY_BYTES_PER_GAS - 1) / VM_MCOPY_BYTES_PER_GAS;
    if (extra > gas)
        goto oog;
    gas -= extra;
    memmove(mem + as_size(dst), mem + as_size(src), as_size(len));
    NEXT();
}

oog:
    st = VM_FAULT_OUT_OF_GAS;
    gas = 0;
fault:
    *fault_off = ip->off;
    x->gas = st == VM_FAULT_OUT_OF_GAS ? 0 : gas;
    return st;

#undef DISPATCH
#undef NEXT
#undef JUMP_IF
#undef FAULT
#undef RRR
}

vm_status vm_run(const vm_program *prog, const vm_host *host, const vm_call_request *req,
                 vm_call_outcome *out)
{
    memset(out, 0, sizeof *out);
    const vm_method *m = vm_program_method(prog, req->method);
    if (!m)
        return out->status = VM_FAULT_NO_METHOD;
    if (req->view && (m->flags & VM_METHOD_STATE))
        return out->status = VM_FAULT_VIEW_STATE;
    if (req->depth > VM_MAX_CALL_DEPTH)
        return out->status = VM_FAULT_CALL_DEPTH;

    uint32_t cp = 0;
    if (host->ops->checkpoint(host->ctx, &cp) != VM_HOST_OK)
        return out->status = VM_FAULT_HOST;

    vm_frame f;
    memset(&f, 0, sizeof f);
    unsigned nargs = req->nargs > VM_MAX_ARGS ? VM_MAX_ARGS : req->nargs;
    for (unsigned i = 0; i < nargs; i++)
        f.r[1 + i] = req->args[i];
    /* A view method is read-only however it is called. */
    vm_exec x = {.host = host,
                 .req = req,
                 .f = &f,
                 .gas = req->gas_limit,
                 .view = req->view || !(m->flags & VM_METHOD_STATE)};
    vm_u128 ret = smn_amount_zero();
    uint32_t fault_off = 0;
    vm_status st = exec(&x, prog, m->entry_idx, &ret, &fault_off);

    out->gas_used = req->gas_limit - x.gas;
    if (st == VM_OK) {
        if (host->ops->release(host->ctx, cp) != VM_HOST_OK) {
            host->ops->rollback(host->ctx, cp);
            out->status = VM_FAULT_HOST;
            return out->status;
        }
        out->ret = ret;
        out->events = x.events;
    } else {
        host->ops->rollback(host->ctx, cp);
        out->fault_offset = fault_off;
    }
    out->status = st;
    return st;
}
