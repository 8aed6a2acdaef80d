#include "procs/vm/interp/asm.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procs/vm/interp/host.h"
#include "procs/vm/interp/isa.h"
#include "procs/vm/interp/bytecode_check.h"

#define NAME_MAX_LEN 63
#define MAX_TOKENS 8
#define LINE_MAX_LEN 1024

typedef struct {
    char name[NAME_MAX_LEN + 1];
    uint32_t off;
    int line;
} asm_label;

typedef struct {
    uint8_t id, flags;
    char label[NAME_MAX_LEN + 1];
    int line;
} asm_method;

typedef struct {
    int line;
    int id;
    vm_u128 ops[4];
    char target[NAME_MAX_LEN + 1]; /* label of a branch operand, "" if numeric */
    uint32_t off;
} asm_insn;

typedef struct {
    asm_label *labels;
    size_t nlabels, cap_labels;
    asm_method methods[VM_MAX_METHODS];
    size_t nmethods;
    asm_insn *insns;
    size_t ninsns, cap_insns;
    uint32_t pc;
    vm_asm_error *err;
    int line;
} asm_state;

static vm_asm_status errf(asm_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static vm_asm_status errf(asm_state *s, const char *fmt, ...)
{
    if (s->err) {
        s->err->line = s->line;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->err->msg, sizeof s->err->msg, fmt, ap);
        va_end(ap);
    }
    return VM_ASM_ERROR;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 32;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return false;
    *p = np;
    *cap = nc;
    return true;
}

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
}

static bool is_ident_char(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_ident(const char *t)
{
    if (!is_ident_start(t[0]))
        return false;
    for (const char *p = t + 1; *p; p++)
        if (!is_ident_char(*p))
            return false;
    return strlen(t) <= NAME_MAX_LEN;
}

bool vm_asm_parse_u128(const char *t, vm_u128 *out)
{
    vm_u128 v = smn_amount_zero();
    if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        const char *p = t + 2;
        if (!*p)
            return false;
        for (; *p; p++) {
            int d;
            if (*p >= '0' && *p <= '9')
                d = *p - '0';
            else if (*p >= 'a' && *p <= 'f')
                d = *p - 'a' + 10;
            else if (*p >= 'A' && *p <= 'F')
                d = *p - 'A' + 10;
            else
                return false;
            if (smn_amount_hi64(v) >> 60)
                return false;
            v = smn_amount_or(smn_amount_shl(v, 4), smn_amount_from_u64((uint64_t)d));
        }
    } else {
        if (!*t)
            return false;
        for (const char *p = t; *p; p++) {
            if (*p < '0' || *p > '9')
                return false;
            vm_u128 nv;
            if (!smn_amount_mul(v, smn_amount_from_u64(10), &nv) ||
                !smn_amount_add(nv, smn_amount_from_u64((uint64_t)(*p - '0')), &nv))
                return false;
            v = nv;
        }
    }
    *out = v;
    return true;
}

static int parse_reg(const char *t)
{
    if (t[0] != 'r' || !t[1])
        return -1;
    vm_u128 v;
    if (!vm_asm_parse_u128(t + 1, &v) || smn_amount_ge(v, smn_amount_from_u64(VM_NREGS)) ||
        (t[1] == '0' && t[2]))
        return -1;
    return (int)smn_amount_lo64(v);
}

static const asm_label *find_label(const asm_state *s, const char *name)
{
    for (size_t i = 0; i < s->nlabels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return &s->labels[i];
    return NULL;
}

static vm_asm_status add_label(asm_state *s, const char *name)
{
    if (!is_ident(name) || parse_reg(name) >= 0)
        return errf(s, "bad label name '%s'", name);
    const asm_label *old = find_label(s, name);
    if (old)
        return errf(s, "label '%s' already defined on line %d", name, old->line);
    if (!grow((void **)&s->labels, &s->cap_labels, s->nlabels + 1, sizeof(asm_label)))
        return VM_ASM_NOMEM;
    asm_label *l = &s->labels[s->nlabels++];
    snprintf(l->name, sizeof l->name, "%s", name);
    l->off = s->pc;
    l->line = s->line;
    return VM_ASM_OK;
}

static vm_asm_status directive(asm_state *s, char **tok, int n)
{
    if (strcmp(tok[0], ".method") != 0)
        return errf(s, "unknown directive '%s'", tok[0]);
    if (n != 4)
        return errf(s, ".method takes <id> <label> view|state");
    vm_u128 id;
    if (!vm_asm_parse_u128(tok[1], &id) || smn_amount_gt(id, smn_amount_from_u64(255)))
        return errf(s, "method id '%s' is not 0..255", tok[1]);
    if (!is_ident(tok[2]))
        return errf(s, "bad method label '%s'", tok[2]);
    uint8_t flags;
    if (strcmp(tok[3], "view") == 0)
        flags = 0;
    else if (strcmp(tok[3], "state") == 0)
        flags = VM_METHOD_STATE;
    else
        return errf(s, "method kind '%s' is not view or state", tok[3]);
    for (size_t i = 0; i < s->nmethods; i++)
        if (s->methods[i].id == (uint8_t)smn_amount_lo64(id))
            return errf(s, "method id %u already defined on line %d", (unsigned)smn_amount_lo64(id),
                        s->methods[i].line);
    if (s->nmethods == VM_MAX_METHODS)
        return errf(s, "more than %d methods", VM_MAX_METHODS);
    asm_method *m = &s->methods[s->nmethods++];
    m->id = (uint8_t)smn_amount_lo64(id);
    m->flags = flags;
    snprintf(m->label, sizeof m->label, "%s", tok[2]);
    m->line = s->line;
    return VM_ASM_OK;
}

static vm_asm_status want_reg(asm_state *s, const char *t, vm_u128 *out)
{
    int r = parse_reg(t);
    if (r < 0)
        return errf(s, "expected a register r0..r15, got '%s'", t);
    *out = smn_amount_from_u64((uint64_t)r);
    return VM_ASM_OK;
}

static vm_asm_status want_imm128(asm_state *s, const char *t, vm_u128 max, vm_u128 *out)
{
    if (!vm_asm_parse_u128(t, out))
        return errf(s, "bad immediate '%s' (decimal or 0x-hex, at most 2^128-1)", t);
    if (smn_amount_gt(*out, max))
        return errf(s, "immediate '%s' out of range for this operand", t);
    return VM_ASM_OK;
}

static vm_asm_status want_imm(asm_state *s, const char *t, uint64_t max, vm_u128 *out)
{
    return want_imm128(s, t, smn_amount_from_u64(max), out);
}

static vm_asm_status want_target(asm_state *s, const char *t, asm_insn *in, int slot)
{
    if (t[0] >= '0' && t[0] <= '9')
        return want_imm(s, t, UINT32_MAX, &in->ops[slot]);
    if (!is_ident(t) || parse_reg(t) >= 0)
        return errf(s, "expected a label, got '%s'", t);
    snprintf(in->target, sizeof in->target, "%s", t);
    return VM_ASM_OK;
}

static int li_width(vm_u128 v)
{
    uint64_t u = smn_amount_lo64(v);
    if (smn_amount_hi64(v) != 0)
        return VM_I_LI128;
    if (u <= 0xFF)
        return VM_I_LI8;
    if (u <= 0xFFFFFFFFu)
        return VM_I_LI32;
    return VM_I_LI64;
}

static vm_asm_status instruction(asm_state *s, char **tok, int n)
{
    asm_insn in;
    memset(&in, 0, sizeof in);
    in.line = s->line;
    bool li_auto = strcmp(tok[0], "li") == 0;
    int id = li_auto ? VM_I_LI128 : vm_isa_by_mnemonic(tok[0]);
    if (id < 0)
        return errf(s, "unknown mnemonic '%s'", tok[0]);
    vm_format f = vm_isa[id].format;
    static const int nops[] = {
        [VM_F_NONE] = 0,  [VM_F_R] = 1,   [VM_F_T] = 1,     [VM_F_RT] = 2,   [VM_F_RRT] = 3,
        [VM_F_N] = 1,     [VM_F_RR] = 2,  [VM_F_RI8] = 2,   [VM_F_RI32] = 2, [VM_F_RI64] = 2,
        [VM_F_RI128] = 2, [VM_F_RRR] = 3, [VM_F_RRI32] = 3, [VM_F_MEM] = 4};
    if (n - 1 != nops[f])
        return errf(s, "'%s' takes %d operand%s, got %d", tok[0], nops[f], nops[f] == 1 ? "" : "s",
                    n - 1);
    vm_asm_status st = VM_ASM_OK;
    char **o = tok + 1;
    switch (f) {
    case VM_F_NONE:
        break;
    case VM_F_R:
        st = want_reg(s, o[0], &in.ops[0]);
        break;
    case VM_F_T:
        st = want_target(s, o[0], &in, 0);
        break;
    case VM_F_RT:
        if ((st = want_reg(s, o[0], &in.ops[0])) == VM_ASM_OK)
            st = want_target(s, o[1], &in, 1);
        break;
    case VM_F_RRT:
        if ((st = want_reg(s, o[0], &in.ops[0])) == VM_ASM_OK &&
            (st = want_reg(s, o[1], &in.ops[1])) == VM_ASM_OK)
            st = want_target(s, o[2], &in, 2);
        break;
    case VM_F_N: {
        int hc = vm_hcall_by_name(o[0]);
        if (hc >= 0)
            in.ops[0] = smn_amount_from_u64((uint64_t)hc);
        else if (!vm_asm_parse_u128(o[0], &in.ops[0]) ||
                 smn_amount_ge(in.ops[0], smn_amount_from_u64(VM_HC__COUNT)))
            return errf(s, "unknown host call '%s'", o[0]);
        break;
    }
    case VM_F_RR:
        if ((st = want_reg(s, o[0], &in.ops[0])) == VM_ASM_OK)
            st = want_reg(s, o[1], &in.ops[1]);
        break;
    case VM_F_RI8:
    case VM_F_RI32:
    case VM_F_RI64:
    case VM_F_RI128: {
        const vm_u128 max[] = {[VM_F_RI8] = smn_amount_from_u64(0xFF),
                               [VM_F_RI32] = smn_amount_from_u64(0xFFFFFFFFu),
                               [VM_F_RI64] = smn_amount_from_u64(UINT64_MAX),
                               [VM_F_RI128] = SMN_AMOUNT_MAX};
        if ((st = want_reg(s, o[0], &in.ops[0])) == VM_ASM_OK)
            st = want_imm128(s, o[1], max[f], &in.ops[1]);
        if (st == VM_ASM_OK && li_auto)
            id = li_width(in.ops[1]);
        break;
    }
    case VM_F_RRR:
        if ((st = want_reg(s, o[0], &in.ops[0])) == VM_ASM_OK &&
            (st = want_reg(s, o[1], &in.ops[1])) == VM_ASM_OK)
            st = want_reg(s, o[2], &in.ops[2]);
        break;
    case VM_F_RRI32:
        if ((st = want_reg(s, o[0], &in.ops[0])) == VM_ASM_OK &&
            (st = want_reg(s, o[1], &in.ops[1])) == VM_ASM_OK)
            st = want_imm(s, o[2], 0xFFFFFFFFu, &in.ops[2]);
        break;
    case VM_F_MEM:
        if ((st = want_reg(s, o[0], &in.ops[0])) == VM_ASM_OK &&
            (st = want_reg(s, o[1], &in.ops[1])) == VM_ASM_OK &&
            (st = want_imm(s, o[2], 0xFFFF, &in.ops[2])) == VM_ASM_OK) {
            st = want_imm(s, o[3], 16, &in.ops[3]);
            if (st == VM_ASM_OK && smn_amount_is_zero(in.ops[3]))
                return errf(s, "memory width must be 1..16");
        }
        break;
    }
    if (st != VM_ASM_OK)
        return st;
    in.id = id;
    in.off = s->pc;
    size_t len = vm_format_len(vm_isa[id].format);
    if (s->pc + len > VM_CODE_MAX)
        return errf(s, "code larger than %d bytes", VM_CODE_MAX);
    if (!grow((void **)&s->insns, &s->cap_insns, s->ninsns + 1, sizeof(asm_insn)))
        return VM_ASM_NOMEM;
    s->insns[s->ninsns++] = in;
    s->pc += (uint32_t)len;
    return VM_ASM_OK;
}

/* Split one line (comment already cut) into tokens in place. */
static int tokenize(char *line, char **tok)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r')
            p++;
        if (!*p)
            break;
        if (n == MAX_TOKENS)
            return -1;
        tok[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != '\r')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static vm_asm_status parse_line(asm_state *s, char *line)
{
    char *c = strpbrk(line, ";#");
    if (c)
        *c = '\0';
    char *tok[MAX_TOKENS];
    int n = tokenize(line, tok);
    if (n < 0)
        return errf(s, "too many operands");
    if (n > 0) {
        size_t l = strlen(tok[0]);
        if (l > 1 && tok[0][l - 1] == ':') {
            tok[0][l - 1] = '\0';
            vm_asm_status st = add_label(s, tok[0]);
            if (st != VM_ASM_OK)
                return st;
            memmove(tok, tok + 1, sizeof(char *) * (size_t)(n - 1));
            n--;
        }
    }
    if (n == 0)
        return VM_ASM_OK;
    if (tok[0][0] == '.')
        return directive(s, tok, n);
    return instruction(s, tok, n);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void putn(uint8_t *p, vm_u128 v, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        p[i] = (uint8_t)smn_amount_lo64(v);
        v = smn_amount_shr(v, 8);
    }
}

static int method_cmp(const void *a, const void *b)
{
    const asm_method *x = a, *y = b;
    return (int)x->id - (int)y->id;
}

static vm_asm_status emit(asm_state *s, uint8_t **out, size_t *out_len)
{
    s->line = 0;
    if (s->nmethods == 0)
        return errf(s, "no .method directive");
    if (s->ninsns == 0)
        return errf(s, "no instructions");
    qsort(s->methods, s->nmethods, sizeof(asm_method), method_cmp);
    size_t hdr = VM_HEADER_FIXED + s->nmethods * VM_METHOD_ENTRY_LEN;
    size_t total = hdr + 4 + s->pc;
    uint8_t *b = malloc(total);
    if (!b)
        return VM_ASM_NOMEM;
    memcpy(b, VM_MAGIC, 4);
    b[4] = VM_VERSION;
    b[5] = (uint8_t)s->nmethods;
    for (size_t i = 0; i < s->nmethods; i++) {
        const asm_method *m = &s->methods[i];
        const asm_label *l = find_label(s, m->label);
        if (!l) {
            free(b);
            s->line = m->line;
            return errf(s, "method %u: undefined label '%s'", m->id, m->label);
        }
        uint8_t *e = b + VM_HEADER_FIXED + i * VM_METHOD_ENTRY_LEN;
        e[0] = m->id;
        e[1] = m->flags;
        put32(e + 2, l->off);
    }
    put32(b + hdr, s->pc);
    uint8_t *code = b + hdr + 4;
    for (size_t i = 0; i < s->ninsns; i++) {
        asm_insn *in = &s->insns[i];
        s->line = in->line;
        vm_format f = vm_isa[in->id].format;
        if (in->target[0]) {
            const asm_label *l = find_label(s, in->target);
            if (!l) {
                free(b);
                return errf(s, "undefined label '%s'", in->target);
            }
            int slot = f == VM_F_T ? 0 : f == VM_F_RT ? 1 : 2;
            in->ops[slot] = smn_amount_from_u64(l->off);
        }
        uint8_t *p = code + in->off;
        p[0] = vm_isa[in->id].opcode;
        switch (f) {
        case VM_F_NONE:
            break;
        case VM_F_R:
        case VM_F_N:
            p[1] = (uint8_t)smn_amount_lo64(in->ops[0]);
            break;
        case VM_F_T:
            put32(p + 1, (uint32_t)smn_amount_lo64(in->ops[0]));
            break;
        case VM_F_RT:
            p[1] = (uint8_t)smn_amount_lo64(in->ops[0]);
            put32(p + 2, (uint32_t)smn_amount_lo64(in->ops[1]));
            break;
        case VM_F_RRT:
            p[1] = (uint8_t)smn_amount_lo64(in->ops[0]);
            p[2] = (uint8_t)smn_amount_lo64(in->ops[1]);
            put32(p + 3, (uint32_t)smn_amount_lo64(in->ops[2]));
            break;
        case VM_F_RR:
            p[1] = (uint8_t)smn_amount_lo64(in->ops[0]);
            p[2] = (uint8_t)smn_amount_lo64(in->ops[1]);
            break;
        case VM_F_RI8:
        case VM_F_RI32:
        case VM_F_RI64:
        case VM_F_RI128:
            p[1] = (uint8_t)smn_amount_lo64(in->ops[0]);
            putn(p + 2, in->ops[1], vm_format_len(f) - 2);
            break;
        case VM_F_RRR:
            p[1] = (uint8_t)smn_amount_lo64(in->ops[0]);
            p[2] = (uint8_t)smn_amount_lo64(in->ops[1]);
            p[3] = (uint8_t)smn_amount_lo64(in->ops[2]);
            break;
        case VM_F_RRI32:
            p[1] = (uint8_t)smn_amount_lo64(in->ops[0]);
            p[2] = (uint8_t)smn_amount_lo64(in->ops[1]);
            put32(p + 3, (uint32_t)smn_amount_lo64(in->ops[2]));
            break;
        case VM_F_MEM:
            p[1] = (uint8_t)smn_amount_lo64(in->ops[0]);
            p[2] = (uint8_t)smn_amount_lo64(in->ops[1]);
            p[3] = (uint8_t)(smn_amount_lo64(in->ops[2]) >> 8);
            p[4] = (uint8_t)smn_amount_lo64(in->ops[2]);
            p[5] = (uint8_t)smn_amount_lo64(in->ops[3]);
            break;
        }
    }
    /* What we hand out must pass the verifier (numeric jump targets, code
     * that can run off its end). */
    vm_program prog;
    vm_verify_error ve;
    if (vm_program_load(b, total, &prog, &ve) != VM_VERIFY_OK) {
        free(b);
        s->line = 0;
        for (size_t i = 0; ve.in_code && i < s->ninsns; i++)
            if (s->insns[i].off == ve.offset)
                s->line = s->insns[i].line;
        if (ve.status == VM_VERIFY_NOMEM)
            return VM_ASM_NOMEM;
        return errf(s, "%s", vm_verify_strerror(ve.status));
    }
    vm_program_free(&prog);
    *out = b;
    *out_len = total;
    return VM_ASM_OK;
}

vm_asm_status vm_asm(const char *src, size_t len, uint8_t **out, size_t *out_len, vm_asm_error *err)
{
    asm_state s;
    memset(&s, 0, sizeof s);
    s.err = err;
    if (err)
        memset(err, 0, sizeof *err);
    *out = NULL;
    *out_len = 0;
    vm_asm_status st = VM_ASM_OK;
    size_t pos = 0;
    char line[LINE_MAX_LEN + 1];
    while (pos < len && st == VM_ASM_OK) {
        s.line++;
        size_t end = pos;
        while (end < len && src[end] != '\n')
            end++;
        size_t l = end - pos;
        if (l > LINE_MAX_LEN) {
            st = errf(&s, "line longer than %d characters", LINE_MAX_LEN);
            break;
        }
        memcpy(line, src + pos, l);
        line[l] = '\0';
        if (memchr(line, '\0', l)) {
            st = errf(&s, "NUL byte in source");
            break;
        }
        st = parse_line(&s, line);
        pos = end + 1;
    }
    if (st == VM_ASM_OK)
        st = emit(&s, out, out_len);
    free(s.labels);
    free(s.insns);
    return st;
}
