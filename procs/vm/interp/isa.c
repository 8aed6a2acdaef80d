#include "procs/vm/interp/isa.h"

#include <string.h>

#include "procs/vm/interp/host.h"

/* Opcode bytes are grouped by kind (0x0_ control, 0x1_ moves, 0x2_
 * arithmetic, 0x3_ comparisons, 0x4_ memory) so hex dumps stay readable. */
const vm_isa_entry vm_isa[VM_I__COUNT] = {
    [VM_I_NOP] = {0x00, "nop", VM_F_NONE, 1},    [VM_I_HALT] = {0x01, "halt", VM_F_R, 1},
    [VM_I_FAIL] = {0x02, "fail", VM_F_NONE, 1},  [VM_I_JMP] = {0x03, "jmp", VM_F_T, 1},
    [VM_I_JZ] = {0x04, "jz", VM_F_RT, 1},        [VM_I_JNZ] = {0x05, "jnz", VM_F_RT, 1},
    [VM_I_JEQ] = {0x06, "jeq", VM_F_RRT, 1},     [VM_I_JNE] = {0x07, "jne", VM_F_RRT, 1},
    [VM_I_JLT] = {0x08, "jlt", VM_F_RRT, 1},     [VM_I_JGE] = {0x09, "jge", VM_F_RRT, 1},
    [VM_I_CALL] = {0x0A, "call", VM_F_T, 2},     [VM_I_RET] = {0x0B, "ret", VM_F_NONE, 2},
    [VM_I_HCALL] = {0x0C, "hcall", VM_F_N, 0},   [VM_I_MOV] = {0x10, "mov", VM_F_RR, 1},
    [VM_I_LI8] = {0x11, "li8", VM_F_RI8, 1},     [VM_I_LI32] = {0x12, "li32", VM_F_RI32, 1},
    [VM_I_LI64] = {0x13, "li64", VM_F_RI64, 1},  [VM_I_LI128] = {0x14, "li128", VM_F_RI128, 1},
    [VM_I_ADD] = {0x20, "add", VM_F_RRR, 1},     [VM_I_SUB] = {0x21, "sub", VM_F_RRR, 1},
    [VM_I_MUL] = {0x22, "mul", VM_F_RRR, 3},     [VM_I_DIV] = {0x23, "div", VM_F_RRR, 5},
    [VM_I_MOD] = {0x24, "mod", VM_F_RRR, 5},     [VM_I_ADDW] = {0x25, "addw", VM_F_RRR, 1},
    [VM_I_SUBW] = {0x26, "subw", VM_F_RRR, 1},   [VM_I_MULW] = {0x27, "mulw", VM_F_RRR, 3},
    [VM_I_AND] = {0x28, "and", VM_F_RRR, 1},     [VM_I_OR] = {0x29, "or", VM_F_RRR, 1},
    [VM_I_XOR] = {0x2A, "xor", VM_F_RRR, 1},     [VM_I_SHL] = {0x2B, "shl", VM_F_RRR, 1},
    [VM_I_SHR] = {0x2C, "shr", VM_F_RRR, 1},     [VM_I_NOT] = {0x2D, "not", VM_F_RR, 1},
    [VM_I_ADDI] = {0x2E, "addi", VM_F_RRI32, 1}, [VM_I_SUBI] = {0x2F, "subi", VM_F_RRI32, 1},
    [VM_I_EQ] = {0x30, "eq", VM_F_RRR, 1},       [VM_I_NE] = {0x31, "ne", VM_F_RRR, 1},
    [VM_I_LT] = {0x32, "lt", VM_F_RRR, 1},       [VM_I_LE] = {0x33, "le", VM_F_RRR, 1},
    [VM_I_GT] = {0x34, "gt", VM_F_RRR, 1},       [VM_I_GE] = {0x35, "ge", VM_F_RRR, 1},
    [VM_I_LD] = {0x40, "ld", VM_F_MEM, 2},       [VM_I_ST] = {0x41, "st", VM_F_MEM, 2},
    [VM_I_MCOPY] = {0x42, "mcopy", VM_F_RRR, 2},
};

const vm_hcall_entry vm_hcalls[VM_HC__COUNT] = {
    [VM_HC_STORAGE_GET] = {"storage_get", VM_GAS_HC_STORAGE_GET, 0},
    [VM_HC_STORAGE_PUT] = {"storage_put", VM_GAS_HC_STORAGE_PUT, 1},
    [VM_HC_STORAGE_DEL] = {"storage_del", VM_GAS_HC_STORAGE_DEL, 1},
    [VM_HC_BALANCE] = {"balance", VM_GAS_HC_BALANCE, 0},
    [VM_HC_TRANSFER] = {"transfer", VM_GAS_HC_TRANSFER, 1},
    [VM_HC_BOX_CREATE] = {"box_create", VM_GAS_HC_BOX_CREATE, 1},
    [VM_HC_EMIT] = {"emit", VM_GAS_HC_EMIT, 1},
    [VM_HC_CALLER] = {"caller", VM_GAS_HC_ENV, 0},
    [VM_HC_SELF] = {"self", VM_GAS_HC_ENV, 0},
    [VM_HC_BLOCK] = {"block", VM_GAS_HC_ENV, 0},
    [VM_HC_ACCOUNT] = {"account", VM_GAS_HC_ENV, 0},
    [VM_HC_CALL] = {"call", VM_GAS_HC_CALL, 0},
};

int vm_isa_by_opcode(uint8_t opcode)
{
    /* A linear scan is fine: only the verifier calls this, once per
     * instruction, and the table has 43 entries. */
    for (int i = 0; i < VM_I__COUNT; i++)
        if (vm_isa[i].opcode == opcode)
            return i;
    return -1;
}

int vm_isa_by_mnemonic(const char *mnemonic)
{
    for (int i = 0; i < VM_I__COUNT; i++)
        if (strcmp(vm_isa[i].mnemonic, mnemonic) == 0)
            return i;
    return -1;
}

size_t vm_format_len(vm_format f)
{
    switch (f) {
    case VM_F_NONE:
        return 1;
    case VM_F_R:
        return 2;
    case VM_F_T:
        return 5;
    case VM_F_RT:
        return 6;
    case VM_F_RRT:
        return 7;
    case VM_F_N:
        return 2;
    case VM_F_RR:
        return 3;
    case VM_F_RI8:
        return 3;
    case VM_F_RI32:
        return 6;
    case VM_F_RI64:
        return 10;
    case VM_F_RI128:
        return 18;
    case VM_F_RRR:
        return 4;
    case VM_F_RRI32:
        return 7;
    case VM_F_MEM:
        return 6;
    }
    return 0;
}

int vm_hcall_by_name(const char *name)
{
    for (int i = 0; i < VM_HC__COUNT; i++)
        if (strcmp(vm_hcalls[i].name, name) == 0)
            return i;
    return -1;
}
