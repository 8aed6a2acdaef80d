/* NanoVM assembler: text -> "SVM1" bytecode.
 *
 * Syntax, one statement per line; ';' or '#' starts a comment:
 *   .method <id 0..255> <label> view|state   method table entry
 *   <label>:                                  a label (may precede an instruction)
 *   <mnemonic> <operand>, <operand>, ...      commas optional
 * Operands: registers r0..r15; immediates in decimal or 0x-hex up to
 * 2^128-1; jump/call targets as labels (or a numeric code offset); host
 * calls by name (hcall storage_get) or number. `li rD, imm` picks the
 * shortest of li8/li32/li64/li128; the explicit forms are accepted too.
 * Memory: ld rD, rBase, offset, width  /  st rSrc, rBase, offset, width.
 * The output is verified before it is returned. */
#ifndef SMN_VM_ASM_H
#define SMN_VM_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/vm/interp/host.h"

typedef enum {
    VM_ASM_OK = 0,
    VM_ASM_ERROR, /* see vm_asm_error */
    VM_ASM_NOMEM,
} vm_asm_status;

typedef struct {
    int line;      /* 1-based; 0 for whole-file errors */
    char msg[192]; /* "unknown mnemonic 'foo'" */
} vm_asm_error;

/* Assemble src (len bytes, need not be NUL-terminated). On success *out is a
 * heap buffer the caller frees. err may be NULL. */
vm_asm_status vm_asm(const char *src, size_t len, uint8_t **out, size_t *out_len,
                     vm_asm_error *err);

/* The assembler's number syntax: decimal or 0x-hex, at most 2^128-1, no
 * sign, no spaces. false on anything else. */
bool vm_asm_parse_u128(const char *s, vm_u128 *out);

#endif
