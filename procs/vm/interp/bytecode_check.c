#include "procs/vm/interp/bytecode_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static vm_u128 rdn(const uint8_t *p, size_t n)
{
    vm_u128 v = smn_amount_zero();
    for (size_t i = 0; i < n; i++)
        v = smn_amount_or(smn_amount_shl(v, 8), smn_amount_from_u64(p[i]));
    return v;
}

static vm_verify_status fail(vm_verify_error *err, vm_verify_status st, uint32_t off, bool in_code)
{
    if (err) {
        err->status = st;
        err->offset = off;
        err->in_code = in_code;
    }
    return st;
}

/* Decode the operands of one instruction at code[pc] (its opcode already
 * known and its full length present) into *in; jump targets stay code
 * offsets until the second pass. */
static vm_verify_status decode_operands(const uint8_t *p, int id, vm_insn *in, uint32_t *bad_at)
{
    vm_format f = vm_isa[id].format;
    const uint8_t *o = p + 1;
    size_t nregs = 0;
    switch (f) {
    case VM_F_NONE:
        break;
    case VM_F_R:
        in->a = o[0];
        nregs = 1;
        break;
    case VM_F_T:
        in->x = rd32(o);
        break;
    case VM_F_RT:
        in->a = o[0];
        nregs = 1;
        in->x = rd32(o + 1);
        break;
    case VM_F_RRT:
        in->a = o[0];
        in->b = o[1];
        nregs = 2;
        in->x = rd32(o + 2);
        break;
    case VM_F_N:
        in->x = o[0];
        if (in->x >= VM_HC__COUNT) {
            *bad_at = 1;
            return VM_VERIFY_BAD_OPERAND;
        }
        break;
    case VM_F_RR:
        in->a = o[0];
        in->b = o[1];
        nregs = 2;
        break;
    case VM_F_RI8:
    case VM_F_RI32:
    case VM_F_RI64:
    case VM_F_RI128:
        in->a = o[0];
        nregs = 1;
        in->imm = rdn(o + 1, vm_format_len(f) - 2);
        break;
    case VM_F_RRR:
        in->a = o[0];
        in->b = o[1];
        in->c = o[2];
        nregs = 3;
        break;
    case VM_F_RRI32:
        in->a = o[0];
        in->b = o[1];
        nregs = 2;
        in->imm = smn_amount_from_u64(rd32(o + 2));
        break;
    case VM_F_MEM:
        in->a = o[0];
        in->b = o[1];
        nregs = 2;
        in->x = (uint32_t)o[2] << 8 | o[3];
        in->c = o[4];
        if (in->c < 1 || in->c > 16) {
            *bad_at = 5;
            return VM_VERIFY_BAD_OPERAND;
        }
        break;
    }
    for (size_t i = 0; i < nregs; i++) {
        if (o[i] >= VM_NREGS) {
            *bad_at = (uint32_t)(1 + i);
            return VM_VERIFY_BAD_REGISTER;
        }
    }
    return VM_VERIFY_OK;
}

static bool is_branch(vm_format f)
{
    return f == VM_F_T || f == VM_F_RT || f == VM_F_RRT;
}

vm_verify_status vm_program_load(const uint8_t *blob, size_t len, vm_program *out,
                                 vm_verify_error *err)
{
    memset(out, 0, sizeof *out);
    if (err)
        memset(err, 0, sizeof *err);
    if (len < VM_HEADER_FIXED)
        return fail(err, VM_VERIFY_TRUNCATED_HEADER, (uint32_t)len, false);
    if (memcmp(blob, VM_MAGIC, 4) != 0)
        return fail(err, VM_VERIFY_BAD_MAGIC, 0, false);
    if (blob[4] != VM_VERSION)
        return fail(err, VM_VERIFY_BAD_VERSION, 4, false);
    uint32_t nm = blob[5];
    if (nm == 0)
        return fail(err, VM_VERIFY_NO_METHODS, 5, false);
    if (nm > VM_MAX_METHODS)
        return fail(err, VM_VERIFY_TOO_MANY_METHODS, 5, false);
    size_t hdr = VM_HEADER_FIXED + (size_t)nm * VM_METHOD_ENTRY_LEN;
    if (len < hdr + 4)
        return fail(err, VM_VERIFY_TRUNCATED_HEADER, (uint32_t)len, false);
    vm_program p = {0};
    p.nmethods = nm;
    for (uint32_t i = 0; i < nm; i++) {
        const uint8_t *e = blob + VM_HEADER_FIXED + i * VM_METHOD_ENTRY_LEN;
        uint32_t at = (uint32_t)(VM_HEADER_FIXED + i * VM_METHOD_ENTRY_LEN);
        if (i > 0 && e[0] <= p.methods[i - 1].id)
            return fail(err, VM_VERIFY_METHOD_ORDER, at, false);
        if (e[1] & ~VM_METHOD_STATE)
            return fail(err, VM_VERIFY_METHOD_FLAGS, at + 1, false);
        p.methods[i].id = e[0];
        p.methods[i].flags = e[1];
        p.methods[i].entry = rd32(e + 2);
    }
    uint32_t code_len = rd32(blob + hdr);
    if (code_len == 0)
        return fail(err, VM_VERIFY_EMPTY_CODE, (uint32_t)hdr, false);
    if (code_len > VM_CODE_MAX)
        return fail(err, VM_VERIFY_CODE_TOO_LARGE, (uint32_t)hdr, false);
    if (len - hdr - 4 != code_len)
        return fail(err, VM_VERIFY_CODE_LENGTH, (uint32_t)hdr, false);
    const uint8_t *code = blob + hdr + 4;
    p.code_len = code_len;

    /* Pass 1: walk instruction starts, decode operands, map offset -> index. */
    int32_t *idx_at = malloc(sizeof(int32_t) * (code_len + 1));
    vm_insn *insns = calloc(code_len, sizeof(vm_insn));
    if (!idx_at || !insns) {
        free(idx_at);
        free(insns);
        return fail(err, VM_VERIFY_NOMEM, 0, false);
    }
    for (uint32_t i = 0; i <= code_len; i++)
        idx_at[i] = -1;
    uint32_t n = 0, pc = 0, last = 0;
    vm_verify_status st = VM_VERIFY_OK;
    while (pc < code_len) {
        int id = vm_isa_by_opcode(code[pc]);
        if (id < 0) {
            st = fail(err, VM_VERIFY_UNKNOWN_OPCODE, pc, true);
            goto out;
        }
        size_t ilen = vm_format_len(vm_isa[id].format);
        if (ilen > code_len - pc) {
            st = fail(err, VM_VERIFY_TRUNCATED_OPERAND, pc, true);
            goto out;
        }
        vm_insn *in = &insns[n];
        in->op = (uint8_t)id;
        in->off = pc;
        in->gas = vm_isa[id].gas;
        uint32_t bad_at = 0;
        vm_verify_status ds = decode_operands(code + pc, id, in, &bad_at);
        if (ds != VM_VERIFY_OK) {
            st = fail(err, ds, pc + bad_at, true);
            goto out;
        }
        idx_at[pc] = (int32_t)n;
        last = pc;
        n++;
        pc += (uint32_t)ilen;
    }
    {
        int lid = insns[n - 1].op;
        if (lid != VM_I_HALT && lid != VM_I_FAIL && lid != VM_I_JMP && lid != VM_I_RET) {
            st = fail(err, VM_VERIFY_FALLS_OFF_END, last, true);
            goto out;
        }
    }
    /* Pass 2: jump targets must be instruction starts. */
    for (uint32_t i = 0; i < n; i++) {
        vm_insn *in = &insns[i];
        if (!is_branch(vm_isa[in->op].format))
            continue;
        if (in->x >= code_len || idx_at[in->x] < 0) {
            st = fail(err, VM_VERIFY_BAD_JUMP, in->off, true);
            goto out;
        }
        in->x = (uint32_t)idx_at[in->x];
    }
    for (uint32_t i = 0; i < nm; i++) {
        uint32_t e = p.methods[i].entry;
        if (e >= code_len || idx_at[e] < 0) {
            st = fail(err, VM_VERIFY_METHOD_ENTRY,
                      (uint32_t)(VM_HEADER_FIXED + i * VM_METHOD_ENTRY_LEN), false);
            goto out;
        }
        p.methods[i].entry_idx = (uint32_t)idx_at[e];
    }
out:
    free(idx_at);
    if (st != VM_VERIFY_OK) {
        free(insns);
        return st;
    }
    vm_insn *shrunk = realloc(insns, sizeof(vm_insn) * n);
    p.insns = shrunk ? shrunk : insns;
    p.ninsns = n;
    *out = p;
    return VM_VERIFY_OK;
}

void vm_program_free(vm_program *p)
{
    if (!p)
        return;
    free(p->insns);
    memset(p, 0, sizeof *p);
}

const vm_method *vm_program_method(const vm_program *p, uint8_t id)
{
    /* Ids are strictly ascending (verified): binary search. */
    uint32_t lo = 0, hi = p->nmethods;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (p->methods[mid].id == id)
            return &p->methods[mid];
        if (p->methods[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *vm_verify_strerror(vm_verify_status st)
{
    switch (st) {
    case VM_VERIFY_OK:
        return "ok";
    case VM_VERIFY_TRUNCATED_HEADER:
        return "truncated header";
    case VM_VERIFY_BAD_MAGIC:
        return "bad magic (expected \"SVM1\")";
    case VM_VERIFY_BAD_VERSION:
        return "unsupported version";
    case VM_VERIFY_NO_METHODS:
        return "no methods";
    case VM_VERIFY_TOO_MANY_METHODS:
        return "too many methods";
    case VM_VERIFY_METHOD_ORDER:
        return "method ids not strictly ascending";
    case VM_VERIFY_METHOD_FLAGS:
        return "unknown method flag bits";
    case VM_VERIFY_METHOD_ENTRY:
        return "method entry is not an instruction start";
    case VM_VERIFY_EMPTY_CODE:
        return "empty code";
    case VM_VERIFY_CODE_TOO_LARGE:
        return "code too large";
    case VM_VERIFY_CODE_LENGTH:
        return "code length does not match the bytes present";
    case VM_VERIFY_UNKNOWN_OPCODE:
        return "unknown opcode";
    case VM_VERIFY_TRUNCATED_OPERAND:
        return "truncated operand";
    case VM_VERIFY_BAD_REGISTER:
        return "register index out of range";
    case VM_VERIFY_BAD_OPERAND:
        return "operand out of range";
    case VM_VERIFY_BAD_JUMP:
        return "jump target is not an instruction start";
    case VM_VERIFY_FALLS_OFF_END:
        return "code can run past its end";
    case VM_VERIFY_NOMEM:
        return "out of memory";
    }
    return "unknown verifier error";
}

char *vm_verify_describe(const vm_verify_error *err, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s at %s %u", vm_verify_strerror(err->status),
             err->in_code ? "code offset" : "byte", (unsigned)err->offset);
    return buf;
}
