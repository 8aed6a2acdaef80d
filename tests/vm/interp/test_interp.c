/* The interpreter: every instruction, every fault, gas exact to the unit. */
#include "vmtest.h"

#define MAX128 T_U128(UINT64_MAX, UINT64_MAX)
#define ANY (-1)

typedef struct {
    const char *body; /* method 0 (state) body, after the label */
    vm_u128 a1, a2;   /* r1, r2 */
    vm_status st;
    vm_u128 ret;
    int64_t gas;       /* exact gas used, or ANY */
    int64_t fault_off; /* or ANY */
} icase;

static const icase cases[] = {
    /* control, moves */
    {"nop\nhalt r1", T_64(42), T_64(0), VM_OK, T_64(42), 2, ANY},
    {"li r0, 7\nret", T_64(0), T_64(0), VM_OK, T_64(7), 3, ANY},
    {"mov r3, r1\nhalt r3", T_64(9), T_64(0), VM_OK, T_64(9), 2, ANY},
    {"li r3, 255\nhalt r3", T_64(0), T_64(0), VM_OK, T_64(255), 2, ANY},
    {"li r3, 0xffffffff\nhalt r3", T_64(0), T_64(0), VM_OK, T_64(0xffffffffu), 2, ANY},
    {"li r3, 0xffffffffffffffff\nhalt r3", T_64(0), T_64(0), VM_OK, T_64(UINT64_MAX), 2, ANY},
    {"li r3, 0xffffffffffffffffffffffffffffffff\nhalt r3", T_64(0), T_64(0), VM_OK, MAX128, 2, ANY},
    {"li r3, 340282366920938463463374607431768211455\nhalt r3", T_64(0), T_64(0), VM_OK, MAX128, 2,
     ANY},
    {"li128 r3, 5\nhalt r3", T_64(0), T_64(0), VM_OK, T_64(5), 2, ANY},
    {"li8 r3, 5\nli32 r4, 6\nli64 r5, 7\nadd r3, r3, r4\nadd r3, r3, r5\nhalt r3", T_64(0), T_64(0),
     VM_OK, T_64(18), 6, ANY},
    {"nop\nfail", T_64(0), T_64(0), VM_FAULT_EXPLICIT, T_64(0), 2, 1},
    {"jmp t\nfail\nt: halt r1", T_64(3), T_64(0), VM_OK, T_64(3), 2, ANY},
    {"jz r1, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(0), T_64(0), VM_OK, T_64(2), 3, ANY},
    {"jz r1, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(1), T_64(0), VM_OK, T_64(1), 3, ANY},
    {"jnz r1, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(0), T_64(0), VM_OK, T_64(1), 3,
     ANY},
    {"jnz r1, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(5), T_64(0), VM_OK, T_64(2), 3,
     ANY},
    {"jeq r1, r2, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(4), T_64(4), VM_OK, T_64(2), 3,
     ANY},
    {"jeq r1, r2, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(4), T_64(5), VM_OK, T_64(1), 3,
     ANY},
    {"jne r1, r2, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(4), T_64(5), VM_OK, T_64(2), 3,
     ANY},
    {"jne r1, r2, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(4), T_64(4), VM_OK, T_64(1), 3,
     ANY},
    {"jlt r1, r2, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(4), T_64(5), VM_OK, T_64(2), 3,
     ANY},
    {"jlt r1, r2, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(5), T_64(5), VM_OK, T_64(1), 3,
     ANY},
    {"jge r1, r2, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(5), T_64(5), VM_OK, T_64(2), 3,
     ANY},
    {"jge r1, r2, t\nli r3, 1\nhalt r3\nt: li r3, 2\nhalt r3", T_64(4), T_64(5), VM_OK, T_64(1), 3,
     ANY},
    {"call f\nhalt r3\nf: li r3, 9\nret", T_64(0), T_64(0), VM_OK, T_64(9), 6, ANY},
    /* 1 + 63 calls fill the 64-entry stack; the 65th faults (its gas charged). */
    {"call f\nhalt r0\nf: call f\nret", T_64(0), T_64(0), VM_FAULT_STACK_OVERFLOW, T_64(0), 130, 7},
    /* arithmetic */
    {"add r3, r1, r2\nhalt r3", T_64(2), T_64(3), VM_OK, T_64(5), 2, ANY},
    {"add r3, r1, r2\nhalt r3", MAX128, T_64(1), VM_FAULT_OVERFLOW, T_64(0), 1, 0},
    {"sub r3, r1, r2\nhalt r3", T_64(5), T_64(3), VM_OK, T_64(2), 2, ANY},
    {"sub r3, r1, r2\nhalt r3", T_64(3), T_64(5), VM_FAULT_OVERFLOW, T_64(0), 1, 0},
    {"mul r3, r1, r2\nhalt r3", T_64(6), T_64(7), VM_OK, T_64(42), 4, ANY},
    {"mul r3, r1, r2\nhalt r3", MAX128, T_64(2), VM_FAULT_OVERFLOW, T_64(0), 3, 0},
    {"div r3, r1, r2\nhalt r3", T_64(42), T_64(5), VM_OK, T_64(8), 6, ANY},
    {"nop\ndiv r3, r1, r2\nhalt r3", T_64(42), T_64(0), VM_FAULT_DIV_ZERO, T_64(0), 6, 1},
    {"mod r3, r1, r2\nhalt r3", T_64(42), T_64(5), VM_OK, T_64(2), 6, ANY},
    {"mod r3, r1, r2\nhalt r3", T_64(42), T_64(0), VM_FAULT_DIV_ZERO, T_64(0), 5, 0},
    {"addw r3, r1, r2\nhalt r3", MAX128, T_64(2), VM_OK, T_64(1), 2, ANY},
    {"subw r3, r1, r2\nhalt r3", T_64(0), T_64(1), VM_OK, MAX128, 2, ANY},
    {"mulw r3, r1, r2\nhalt r3", MAX128, MAX128, VM_OK, T_64(1), 4, ANY},
    {"and r3, r1, r2\nhalt r3", T_64(0xF0), T_64(0x3C), VM_OK, T_64(0x30), 2, ANY},
    {"or r3, r1, r2\nhalt r3", T_64(0xF0), T_64(0x3C), VM_OK, T_64(0xFC), 2, ANY},
    {"xor r3, r1, r2\nhalt r3", T_64(0xF0), T_64(0x3C), VM_OK, T_64(0xCC), 2, ANY},
    {"shl r3, r1, r2\nhalt r3", T_64(1), T_64(127), VM_OK, T_U128((uint64_t)1 << 63, 0), 2, ANY},
    {"shl r3, r1, r2\nhalt r3", T_64(1), T_64(128), VM_OK, T_64(0), 2, ANY},
    {"shr r3, r1, r2\nhalt r3", T_U128((uint64_t)1 << 63, 0), T_64(127), VM_OK, T_64(1), 2, ANY},
    {"shr r3, r1, r2\nhalt r3", MAX128, MAX128, VM_OK, T_64(0), 2, ANY},
    {"not r3, r1\nhalt r3", T_64(0), T_64(0), VM_OK, MAX128, 2, ANY},
    {"addi r3, r1, 0xffffffff\nhalt r3", T_64(1), T_64(0), VM_OK, T_64(0x100000000ull), 2, ANY},
    {"addi r3, r1, 1\nhalt r3", MAX128, T_64(0), VM_FAULT_OVERFLOW, T_64(0), 1, 0},
    {"subi r3, r1, 1\nhalt r3", T_64(5), T_64(0), VM_OK, T_64(4), 2, ANY},
    {"subi r3, r1, 1\nhalt r3", T_64(0), T_64(0), VM_FAULT_OVERFLOW, T_64(0), 1, 0},
    /* comparisons */
    {"eq r3, r1, r2\nhalt r3", T_64(5), T_64(5), VM_OK, T_64(1), 2, ANY},
    {"eq r3, r1, r2\nhalt r3", T_64(5), T_64(6), VM_OK, T_64(0), 2, ANY},
    {"ne r3, r1, r2\nhalt r3", T_64(5), T_64(6), VM_OK, T_64(1), 2, ANY},
    {"ne r3, r1, r2\nhalt r3", T_64(5), T_64(5), VM_OK, T_64(0), 2, ANY},
    {"lt r3, r1, r2\nhalt r3", T_64(3), T_64(5), VM_OK, T_64(1), 2, ANY},
    {"lt r3, r1, r2\nhalt r3", T_64(5), T_64(5), VM_OK, T_64(0), 2, ANY},
    {"le r3, r1, r2\nhalt r3", T_64(5), T_64(5), VM_OK, T_64(1), 2, ANY},
    {"le r3, r1, r2\nhalt r3", T_64(6), T_64(5), VM_OK, T_64(0), 2, ANY},
    {"gt r3, r1, r2\nhalt r3", T_64(6), T_64(5), VM_OK, T_64(1), 2, ANY},
    {"gt r3, r1, r2\nhalt r3", T_64(5), T_64(5), VM_OK, T_64(0), 2, ANY},
    {"ge r3, r1, r2\nhalt r3", T_64(5), T_64(5), VM_OK, T_64(1), 2, ANY},
    {"ge r3, r1, r2\nhalt r3", T_64(4), T_64(5), VM_OK, T_64(0), 2, ANY},
    /* memory */
    {"st r1, r15, 100, 16\nld r3, r15, 100, 16\nhalt r3", T_U128(UINT64_MAX, UINT64_MAX - 7),
     T_64(0), VM_OK, T_U128(UINT64_MAX, UINT64_MAX - 7), 5, ANY},
    {"st r1, r15, 0, 2\nld r3, r15, 1, 1\nhalt r3", T_64(0x1234), T_64(0), VM_OK, T_64(0x34), 5,
     ANY},
    {"st r1, r15, 0, 1\nld r3, r15, 0, 16\nhalt r3", T_64(0x1FF), T_64(0), VM_OK,
     T_U128((uint64_t)0xFF << 56, 0), 5, ANY},
    {"ld r3, r15, 7, 3\nhalt r3", T_64(0), T_64(0), VM_OK, T_64(0), 3, ANY},
    {"st r1, r15, 4080, 16\nld r3, r15, 4080, 16\nhalt r3", T_64(77), T_64(0), VM_OK, T_64(77), 5,
     ANY},
    {"st r1, r2, 4000, 16\nld r3, r2, 4000, 16\nhalt r3", T_64(78), T_64(80), VM_OK, T_64(78), 5,
     ANY},
    {"st r1, r15, 4095, 2\nhalt r1", T_64(1), T_64(0), VM_FAULT_MEM_BOUNDS, T_64(0), 2, 0},
    {"nop\nld r3, r1, 0, 1\nhalt r3", MAX128, T_64(0), VM_FAULT_MEM_BOUNDS, T_64(0), 3, 1},
    {"ld r3, r1, 0, 1\nhalt r3", T_64(4096), T_64(0), VM_FAULT_MEM_BOUNDS, T_64(0), 2, 0},
    {"ld r3, r1, 0, 1\nhalt r3", T_64(4095), T_64(0), VM_OK, T_64(0), 3, ANY},
    {"ld r3, r15, 65535, 1\nhalt r3", T_64(0), T_64(0), VM_FAULT_MEM_BOUNDS, T_64(0), 2, 0},
    {"li r5, 0x0102\nst r5, r15, 0, 2\nli r6, 10\nli r7, 0\nli r8, 2\nmcopy r6, r7, r8\n"
     "ld r3, r15, 10, 2\nhalt r3",
     T_64(0), T_64(0), VM_OK, T_64(0x0102), 12, ANY},
    /* overlapping copy moves like memmove */
    {"li r5, 0x010203\nst r5, r15, 0, 3\nli r6, 1\nli r7, 0\nli r8, 3\nmcopy r6, r7, r8\n"
     "ld r3, r15, 0, 4\nhalt r3",
     T_64(0), T_64(0), VM_OK, T_64(0x01010203), 12, ANY},
    /* 4096 bytes: 2 + 256 */
    {"li r6, 0\nli r7, 0\nli r8, 4096\nmcopy r6, r7, r8\nhalt r6", T_64(0), T_64(0), VM_OK, T_64(0),
     262, ANY},
    {"li r6, 1\nli r7, 0\nli r8, 4096\nmcopy r6, r7, r8\nhalt r6", T_64(0), T_64(0),
     VM_FAULT_MEM_BOUNDS, T_64(0), 5, 12},
    /* An empty range may sit at the very end of memory, not beyond it. */
    {"mcopy r1, r2, r3\nhalt r1", T_64(0), T_64(4096), VM_OK, T_64(0), 3, ANY},
    {"mcopy r1, r2, r3\nhalt r1", T_64(0), T_64(4097), VM_FAULT_MEM_BOUNDS, T_64(0), 2, 0},
};

static void test_instructions(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const icase *c = &cases[i];
        char src[1024];
        snprintf(src, sizeof src, ".method 0 m state\nm:\n%s\n", c->body);
        vm_call_outcome o = t_run_arr(src, 0, 100000, (const vm_u128[]){c->a1, c->a2}, 2);
        if (o.status != c->st)
            fail_msg("case %zu (%s): status %s, expected %s", i, c->body, vm_status_name(o.status),
                     vm_status_name(c->st));
        if (c->st == VM_OK)
            assert_u128_equal(o.ret, c->ret);
        else
            assert_u128_equal(o.ret, smn_amount_from_u64(0));
        if (c->gas != ANY && o.gas_used != (uint64_t)c->gas)
            fail_msg("case %zu (%s): gas %llu, expected %lld", i, c->body,
                     (unsigned long long)o.gas_used, (long long)c->gas);
        if (c->fault_off != ANY && o.fault_offset != (uint32_t)c->fault_off)
            fail_msg("case %zu (%s): fault at %u, expected %lld", i, c->body,
                     (unsigned)o.fault_offset, (long long)c->fault_off);
    }
}

/* Every instruction id appears in the table above (so none goes untested). */
static void test_table_covers_isa(void **state)
{
    (void)state;
    bool seen[VM_I__COUNT] = {false};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char src[1024];
        snprintf(src, sizeof src, ".method 0 m state\nm:\n%s\n", cases[i].body);
        size_t len;
        uint8_t *code = t_assemble(src, &len);
        vm_program p;
        assert_int_equal(vm_program_load(code, len, &p, NULL), VM_VERIFY_OK);
        for (uint32_t k = 0; k < p.ninsns; k++)
            seen[p.insns[k].op] = true;
        vm_program_free(&p);
        free(code);
    }
    seen[VM_I_HCALL] = true; /* host calls: test_host.c */
    for (int i = 0; i < VM_I__COUNT; i++)
        if (!seen[i])
            fail_msg("instruction %s has no test case", vm_isa[i].mnemonic);
}

/* A loop whose gas is computed by hand: li (1) + n * (addi 1 + jlt 1) + halt (1). */
static const char *loop_src = ".method 0 m view\n"
                              "m:   li r3, 0\n"         /* @0, 3 bytes */
                              "loop: addi r3, r3, 1\n"  /* @3, 7 bytes */
                              "     jlt r3, r1, loop\n" /* @10, 7 bytes */
                              "     halt r3\n";         /* @17 */

static void test_gas_exact(void **state)
{
    (void)state;
    vm_call_outcome o = T_RUN(loop_src, 0, 22, 10);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(10));
    assert_int_equal(o.gas_used, 22);

    /* One unit short: the halt cannot be paid for. */
    o = T_RUN(loop_src, 0, 21, 10);
    assert_int_equal(o.status, VM_FAULT_OUT_OF_GAS);
    assert_int_equal(o.fault_offset, 17);
    assert_int_equal(o.gas_used, 21);

    /* Gas runs out inside the loop, at the same instruction every time. */
    o = T_RUN(loop_src, 0, 12, 10);
    assert_int_equal(o.status, VM_FAULT_OUT_OF_GAS);
    assert_int_equal(o.fault_offset, 10); /* 1 + 5 * 2 = 11 paid, the 6th jlt is not */
    assert_int_equal(o.gas_used, 12);

    o = T_RUN(loop_src, 0, 0, 10);
    assert_int_equal(o.status, VM_FAULT_OUT_OF_GAS);
    assert_int_equal(o.fault_offset, 0);
    assert_int_equal(o.gas_used, 0);

    /* Large trip count, exact too. */
    o = T_RUN(loop_src, 0, 2000002, 1000000);
    assert_int_equal(o.status, VM_OK);
    assert_int_equal(o.gas_used, 2000002);

    /* mcopy's length cost is charged before it copies: 2 fixed (paid) +
     * 256 by length; 3 + 2 + 200 available -> out of gas at the mcopy. */
    o = T_RUN(".method 0 m view\nm: li r6, 0\nli r7, 0\nli r8, 4096\nmcopy r6, r7, r8\n"
              "halt r6\n",
              0, 205);
    assert_int_equal(o.status, VM_FAULT_OUT_OF_GAS);
    assert_int_equal(o.fault_offset, 12);
    assert_int_equal(o.gas_used, 205);
}

static void test_method_dispatch(void **state)
{
    (void)state;
    const char *src = ".method 3 a view\n.method 200 b state\n"
                      "a: li r3, 3\nhalt r3\nb: li r3, 200\nhalt r3\n";
    vm_call_outcome o = T_RUN0(src, 3, 100);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(3));
    o = T_RUN0(src, 200, 100);
    assert_u128_equal(o.ret, smn_amount_from_u64(200));
    o = T_RUN0(src, 4, 100);
    assert_int_equal(o.status, VM_FAULT_NO_METHOD);
    assert_int_equal(o.gas_used, 0);

    /* A state_changing method cannot run as a view; a view method can. */
    memhost *mh = t_host(src);
    o = t_call(mh, T_PROG, 200, 100, true, 0, NULL);
    assert_int_equal(o.status, VM_FAULT_VIEW_STATE);
    assert_int_equal(o.gas_used, 0);
    o = t_call(mh, T_PROG, 3, 100, true, 0, NULL);
    assert_int_equal(o.status, VM_OK);
    memhost_free(mh);
}

/* Arguments land in r1..r5; every other register starts at zero. */
static void test_args_and_registers(void **state)
{
    (void)state;
    const char *src = ".method 0 m view\nm:\n"
                      "add r0, r1, r2\nadd r0, r0, r3\nadd r0, r0, r4\nadd r0, r0, r5\n"
                      "add r0, r0, r6\nadd r0, r0, r7\nadd r0, r0, r8\nadd r0, r0, r9\n"
                      "add r0, r0, r10\nadd r0, r0, r11\nadd r0, r0, r12\nadd r0, r0, r13\n"
                      "add r0, r0, r14\nadd r0, r0, r15\nret\n";
    vm_call_outcome o = T_RUN(src, 0, 100, 1, 2, 3, 4, 5);
    assert_int_equal(o.status, VM_OK);
    assert_u128_equal(o.ret, smn_amount_from_u64(15));
    o = T_RUN(src, 0, 100, 7);
    assert_u128_equal(o.ret, smn_amount_from_u64(7));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instructions),       cmocka_unit_test(test_table_covers_isa),
        cmocka_unit_test(test_gas_exact),          cmocka_unit_test(test_method_dispatch),
        cmocka_unit_test(test_args_and_registers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
