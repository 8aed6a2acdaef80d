#include "procs/vm/interp/disasm.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *s;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (w < 0) {
            b->oom = true;
            return;
        }
        if (b->s && b->n + (size_t)w < b->cap) {
            b->n += (size_t)w;
            return;
        }
        size_t nc = b->cap ? b->cap * 2 : 1024;
        while (nc < b->n + (size_t)w + 1)
            nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
}

/* Decimal up to 2^32-1, 0x-hex above (keys and masks read better in hex). */
static void fmt_u128(vm_u128 v, char *buf, size_t cap)
{
    unsigned long long hi = smn_amount_hi64(v), lo = smn_amount_lo64(v);
    if (hi == 0 && lo <= 0xFFFFFFFFu) {
        snprintf(buf, cap, "%llu", lo);
        return;
    }
    if (hi == 0) {
        snprintf(buf, cap, "0x%llx", lo);
        return;
    }
    snprintf(buf, cap, "0x%llx%016llx", hi, lo);
}

static int minimal_li(vm_u128 v)
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

static void label_name(const vm_program *p, uint32_t idx, char *buf, size_t cap)
{
    for (uint32_t m = 0; m < p->nmethods; m++) {
        if (p->methods[m].entry_idx == idx) {
            snprintf(buf, cap, "m%u", (unsigned)p->methods[m].id);
            return;
        }
    }
    snprintf(buf, cap, "L%u", (unsigned)p->insns[idx].off);
}

vm_verify_status vm_disasm(const uint8_t *blob, size_t len, char **text, vm_verify_error *err)
{
    *text = NULL;
    vm_program p;
    vm_verify_status st = vm_program_load(blob, len, &p, err);
    if (st != VM_VERIFY_OK)
        return st;
    bool *labelled = calloc(p.ninsns, sizeof(bool));
    if (!labelled) {
        vm_program_free(&p);
        return VM_VERIFY_NOMEM;
    }
    for (uint32_t m = 0; m < p.nmethods; m++)
        labelled[p.methods[m].entry_idx] = true;
    for (uint32_t i = 0; i < p.ninsns; i++) {
        vm_format f = vm_isa[p.insns[i].op].format;
        if (f == VM_F_T || f == VM_F_RT || f == VM_F_RRT)
            labelled[p.insns[i].x] = true;
    }

    sbuf b = {0};
    sb_printf(&b, "; SVM%u bytecode: %u method%s, %u bytes of code\n", VM_VERSION,
              (unsigned)p.nmethods, p.nmethods == 1 ? "" : "s", (unsigned)p.code_len);
    char lbl[24], num[48];
    for (uint32_t m = 0; m < p.nmethods; m++) {
        label_name(&p, p.methods[m].entry_idx, lbl, sizeof lbl);
        sb_printf(&b, ".method %u %s %s\n", (unsigned)p.methods[m].id, lbl,
                  (p.methods[m].flags & VM_METHOD_STATE) ? "state" : "view");
    }
    for (uint32_t i = 0; i < p.ninsns; i++) {
        const vm_insn *in = &p.insns[i];
        if (labelled[i]) {
            label_name(&p, i, lbl, sizeof lbl);
            sb_printf(&b, "\n%s:\n", lbl);
        }
        const vm_isa_entry *e = &vm_isa[in->op];
        char ops[128] = "";
        switch (e->format) {
        case VM_F_NONE:
            break;
        case VM_F_R:
            snprintf(ops, sizeof ops, "r%u", in->a);
            break;
        case VM_F_T:
            label_name(&p, in->x, lbl, sizeof lbl);
            snprintf(ops, sizeof ops, "%s", lbl);
            break;
        case VM_F_RT:
            label_name(&p, in->x, lbl, sizeof lbl);
            snprintf(ops, sizeof ops, "r%u, %s", in->a, lbl);
            break;
        case VM_F_RRT:
            label_name(&p, in->x, lbl, sizeof lbl);
            snprintf(ops, sizeof ops, "r%u, r%u, %s", in->a, in->b, lbl);
            break;
        case VM_F_N:
            snprintf(ops, sizeof ops, "%s", vm_hcalls[in->x].name);
            break;
        case VM_F_RR:
            snprintf(ops, sizeof ops, "r%u, r%u", in->a, in->b);
            break;
        case VM_F_RI8:
        case VM_F_RI32:
        case VM_F_RI64:
        case VM_F_RI128:
            fmt_u128(in->imm, num, sizeof num);
            snprintf(ops, sizeof ops, "r%u, %s", in->a, num);
            break;
        case VM_F_RRR:
            snprintf(ops, sizeof ops, "r%u, r%u, r%u", in->a, in->b, in->c);
            break;
        case VM_F_RRI32:
            fmt_u128(in->imm, num, sizeof num);
            snprintf(ops, sizeof ops, "r%u, r%u, %s", in->a, in->b, num);
            break;
        case VM_F_MEM:
            snprintf(ops, sizeof ops, "r%u, r%u, %u, %u", in->a, in->b, (unsigned)in->x, in->c);
            break;
        }
        const char *mn = e->mnemonic;
        if (e->format >= VM_F_RI8 && e->format <= VM_F_RI128 && minimal_li(in->imm) == in->op)
            mn = "li";
        char insn[160];
        snprintf(insn, sizeof insn, "%s%s%s", mn, ops[0] ? " " : "", ops);
        sb_printf(&b, "    %-40s ; @%u\n", insn, (unsigned)in->off);
    }
    free(labelled);
    vm_program_free(&p);
    if (b.oom) {
        free(b.s);
        return VM_VERIFY_NOMEM;
    }
    *text = b.s;
    return VM_VERIFY_OK;
}
