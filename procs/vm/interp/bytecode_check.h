/* The bytecode verifier: checks an "SVM1" blob completely before anything
 * runs it, and pre-decodes it into the form the interpreter executes. A
 * program that passes cannot run off its code, jump into an operand, name a
 * register that does not exist or use an unknown opcode. */
#ifndef SMN_VM_BYTECODE_CHECK_H
#define SMN_VM_BYTECODE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/vm/interp/host.h"
#include "procs/vm/interp/isa.h"

typedef enum {
    VM_VERIFY_OK = 0,
    VM_VERIFY_TRUNCATED_HEADER, /* blob ends inside the header or method table */
    VM_VERIFY_BAD_MAGIC,
    VM_VERIFY_BAD_VERSION,
    VM_VERIFY_NO_METHODS, /* nmethods is 0 */
    VM_VERIFY_TOO_MANY_METHODS,
    VM_VERIFY_METHOD_ORDER, /* method ids not strictly ascending (duplicate) */
    VM_VERIFY_METHOD_FLAGS, /* unknown flag bits */
    VM_VERIFY_METHOD_ENTRY, /* entry outside the code or not an instruction start */
    VM_VERIFY_EMPTY_CODE,
    VM_VERIFY_CODE_TOO_LARGE, /* code_len above VM_CODE_MAX */
    VM_VERIFY_CODE_LENGTH,    /* code_len disagrees with the bytes present */
    VM_VERIFY_UNKNOWN_OPCODE,
    VM_VERIFY_TRUNCATED_OPERAND, /* the code ends inside an instruction */
    VM_VERIFY_BAD_REGISTER,      /* register byte above 15 */
    VM_VERIFY_BAD_OPERAND,       /* memory width not 1..16, unknown host call */
    VM_VERIFY_BAD_JUMP,          /* target outside the code or not an instruction start */
    VM_VERIFY_FALLS_OFF_END,     /* last instruction is not halt, fail, jmp or ret */
    VM_VERIFY_NOMEM,
} vm_verify_status;

typedef struct {
    vm_verify_status status;
    /* Where: a code offset when in_code, else a byte offset in the blob. For
     * METHOD_ENTRY, the blob offset of the method's table entry. */
    uint32_t offset;
    bool in_code;
} vm_verify_error;

/* One pre-decoded instruction. */
typedef struct {
    vm_u128 imm;     /* li immediates, addi/subi immediates */
    uint32_t x;      /* jump/call target as an instruction index; mem offset; hcall number */
    uint32_t off;    /* code offset of this instruction (fault reports) */
    uint32_t gas;    /* fixed cost */
    uint8_t op;      /* vm_insn_id */
    uint8_t a, b, c; /* registers; c = memory width for ld/st */
} vm_insn;

typedef struct {
    uint8_t id;
    uint8_t flags;      /* VM_METHOD_STATE */
    uint32_t entry;     /* code offset */
    uint32_t entry_idx; /* instruction index */
} vm_method;

typedef struct {
    vm_method methods[VM_MAX_METHODS];
    uint32_t nmethods;
    vm_insn *insns; /* owned */
    uint32_t ninsns;
    uint32_t code_len;
} vm_program;

/* Verify blob and fill *out (which then owns a heap array; release it with
 * vm_program_free). On failure *out is left empty and *err says what and
 * where. err may be NULL. */
vm_verify_status vm_program_load(const uint8_t *blob, size_t len, vm_program *out,
                                 vm_verify_error *err);
void vm_program_free(vm_program *p);
/* The method with this id, or NULL. */
const vm_method *vm_program_method(const vm_program *p, uint8_t id);

const char *vm_verify_strerror(vm_verify_status st);
/* "unknown opcode at code offset 12" into buf; returns buf. */
char *vm_verify_describe(const vm_verify_error *err, char *buf, size_t cap);

#endif
