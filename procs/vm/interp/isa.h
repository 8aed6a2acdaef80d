/* The NanoVM instruction set: opcodes, operand layouts and gas costs, shared
 * by the verifier, the interpreter, the assembler and the disassembler.
 * docs/vm.md "Instruction set" is the prose form of this table.
 *
 * Bytecode ("SVM1"):
 *   magic "SVM1" | version u8 (=1) | nmethods u8 (1..VM_MAX_METHODS)
 *   | nmethods x { id u8 | flags u8 | entry u32 BE }   (ids strictly ascending)
 *   | code_len u32 BE (1..VM_CODE_MAX) | code (exactly code_len bytes, nothing after)
 * Method flags: bit 0 = state_changing (else view); other bits must be 0.
 * Entries and jump targets are offsets into the code section and must be
 * instruction starts. Every instruction: opcode u8 then its operands, all
 * immediates big-endian, each register one byte 0..15. */
#ifndef SMN_VM_ISA_H
#define SMN_VM_ISA_H

#include <stddef.h>
#include <stdint.h>

#define VM_MAGIC "SVM1"
#define VM_VERSION 1
#define VM_NREGS 16
#define VM_MEM_SIZE 4096  /* bytes of memory per program invocation */
#define VM_STACK_DEPTH 64 /* intra-program call/ret depth */
#define VM_CODE_MAX 65536 /* bytes of code */
#define VM_MAX_METHODS 64
#define VM_METHOD_STATE 0x01 /* method flag: state_changing */
#define VM_HEADER_FIXED 6    /* magic + version + nmethods */
#define VM_METHOD_ENTRY_LEN 6
#define VM_MCOPY_BYTES_PER_GAS 16

/* Operand layouts. R = register byte, T = jump target u32, N = u8,
 * I32/I64/I128 = immediates, M = base register + offset u16 + width u8. */
typedef enum {
    VM_F_NONE,  /* op */
    VM_F_R,     /* op rA */
    VM_F_T,     /* op T */
    VM_F_RT,    /* op rA T */
    VM_F_RRT,   /* op rA rB T */
    VM_F_N,     /* op n8 */
    VM_F_RR,    /* op rD rA */
    VM_F_RI8,   /* op rD imm8 */
    VM_F_RI32,  /* op rD imm32 */
    VM_F_RI64,  /* op rD imm64 */
    VM_F_RI128, /* op rD imm128 */
    VM_F_RRR,   /* op rD rA rB */
    VM_F_RRI32, /* op rD rA imm32 */
    VM_F_MEM,   /* op rX rBase off16 width8 */
} vm_format;

/* Dense instruction index (the interpreter's dispatch order). */
typedef enum {
    VM_I_NOP,
    VM_I_HALT,
    VM_I_FAIL,
    VM_I_JMP,
    VM_I_JZ,
    VM_I_JNZ,
    VM_I_JEQ,
    VM_I_JNE,
    VM_I_JLT,
    VM_I_JGE,
    VM_I_CALL,
    VM_I_RET,
    VM_I_HCALL,
    VM_I_MOV,
    VM_I_LI8,
    VM_I_LI32,
    VM_I_LI64,
    VM_I_LI128,
    VM_I_ADD,
    VM_I_SUB,
    VM_I_MUL,
    VM_I_DIV,
    VM_I_MOD,
    VM_I_ADDW,
    VM_I_SUBW,
    VM_I_MULW,
    VM_I_AND,
    VM_I_OR,
    VM_I_XOR,
    VM_I_SHL,
    VM_I_SHR,
    VM_I_NOT,
    VM_I_ADDI,
    VM_I_SUBI,
    VM_I_EQ,
    VM_I_NE,
    VM_I_LT,
    VM_I_LE,
    VM_I_GT,
    VM_I_GE,
    VM_I_LD,
    VM_I_ST,
    VM_I_MCOPY,
    VM_I__COUNT
} vm_insn_id;

typedef struct {
    uint8_t opcode;       /* byte in the bytecode */
    const char *mnemonic; /* assembler name */
    vm_format format;
    uint32_t gas; /* fixed cost; hcall adds the host call's cost, mcopy its length cost */
} vm_isa_entry;

/* Indexed by vm_insn_id. */
extern const vm_isa_entry vm_isa[VM_I__COUNT];

/* Instruction id of an opcode byte, or -1 if the byte is not an opcode. */
int vm_isa_by_opcode(uint8_t opcode);
/* Instruction id of a mnemonic (exact, lower case), or -1. */
int vm_isa_by_mnemonic(const char *mnemonic);
/* Encoded length in bytes (opcode included) of an instruction of this format. */
size_t vm_format_len(vm_format f);

/* Host call table: name and fixed gas, indexed by vm_hcall. */
typedef struct {
    const char *name;
    uint32_t gas;
    int mutates; /* faults in view mode */
} vm_hcall_entry;
extern const vm_hcall_entry vm_hcalls[];
/* Host call number of a name ("storage_get", ...), or -1. */
int vm_hcall_by_name(const char *name);

#endif
