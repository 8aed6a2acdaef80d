/* Assembler and disassembler: encodings, line-numbered errors, and
 * bytecode -> text -> bytecode round trips (hand-written and random). */
#include "vmtest.h"

#include "procs/vm/interp/disasm.h"
#include "procs/vm/interp/isa.h"

static void test_encoding(void **state)
{
    (void)state;
    const char *src = ".method 7 main state  ; trailing comment\n"
                      "# full-line comment\n"
                      "main: li r1, 0x10\n"
                      "  jlt r1, r2, main\n"
                      "  ld r3, r1, 258, 16\n"
                      "  hcall emit\n"
                      "  halt r3\n";
    size_t len;
    uint8_t *b = t_assemble(src, &len);
    const uint8_t want[] = {'S',  'V',        'M',  '1', 1, 1,  7, 1,
                            0,    0,          0,    0,   0, 0,  0, 20, /* code_len */
                            0x11, 1,          0x10,                    /* li8 r1, 16 */
                            0x08, 1,          2,    0,   0, 0,  0,     /* jlt r1, r2, 0 */
                            0x40, 3,          1,    1,   2, 16,        /* ld r3, r1, 258, 16 */
                            0x0C, VM_HC_EMIT, 0x01, 3};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(b, want, sizeof want);
    free(b);

    /* li picks the shortest form; explicit forms are kept. */
    struct {
        const char *insn;
        uint8_t opcode;
        size_t len;
    } li[] = {
        {"li r1, 255", 0x11, 3},
        {"li r1, 256", 0x12, 6},
        {"li r1, 4294967295", 0x12, 6},
        {"li r1, 4294967296", 0x13, 10},
        {"li r1, 0xffffffffffffffff", 0x13, 10},
        {"li r1, 0x10000000000000000", 0x14, 18},
        {"li128 r1, 0", 0x14, 18},
        {"li64 r1, 1", 0x13, 10},
        {"li32 r1, 1", 0x12, 6},
        {"li8 r1, 1", 0x11, 3},
    };
    for (size_t i = 0; i < sizeof li / sizeof li[0]; i++) {
        char s[128];
        snprintf(s, sizeof s, ".method 0 m view\nm: %s\nhalt r1\n", li[i].insn);
        b = t_assemble(s, &len);
        assert_int_equal(len, 16 + li[i].len + 2);
        assert_int_equal(b[16], li[i].opcode);
        free(b);
    }
}

static void expect_error(const char *src, int line, const char *needle)
{
    uint8_t *out = (uint8_t *)1;
    size_t len = 99;
    vm_asm_error err;
    vm_asm_status st = vm_asm(src, strlen(src), &out, &len, &err);
    if (st != VM_ASM_ERROR)
        fail_msg("expected an error for:\n%s", src);
    assert_null(out);
    assert_int_equal(len, 0);
    if (err.line != line || !strstr(err.msg, needle))
        fail_msg("got line %d '%s', expected line %d containing '%s'", err.line, err.msg, line,
                 needle);
}

static void test_errors(void **state)
{
    (void)state;
    const char *H = ".method 0 m view\nm:\n"; /* instructions start on line 3 */
    struct {
        const char *body;
        int line;
        const char *msg;
    } c[] = {
        {"nop\nfrob r1\nhalt r0", 4, "unknown mnemonic 'frob'"},
        {"halt r16", 3, "expected a register"},
        {"halt x1", 3, "expected a register"},
        {"halt r01", 3, "expected a register"},
        {"add r1, r2", 3, "takes 3 operands, got 2"},
        {"halt", 3, "takes 1 operand, got 0"},
        {"li8 r1, 256\nhalt r1", 3, "out of range"},
        {"li32 r1, 0x100000000\nhalt r1", 3, "out of range"},
        {"li r1, 340282366920938463463374607431768211456\nhalt r1", 3, "bad immediate"},
        {"li r1, 0x100000000000000000000000000000000\nhalt r1", 3, "bad immediate"},
        {"li r1, -1\nhalt r1", 3, "bad immediate"},
        {"li r1, 12ab\nhalt r1", 3, "bad immediate"},
        {"addi r1, r1, 0x100000000\nhalt r1", 3, "out of range"},
        {"ld r1, r2, 65536, 1\nhalt r1", 3, "out of range"},
        {"ld r1, r2, 0, 0\nhalt r1", 3, "width must be 1..16"},
        {"st r1, r2, 0, 17\nhalt r1", 3, "out of range"},
        {"hcall frobnicate\nhalt r0", 3, "unknown host call"},
        {"hcall 12\nhalt r0", 3, "unknown host call"},
        {"jmp nowhere", 3, "undefined label 'nowhere'"},
        {"jmp r1", 3, "expected a label"},
        {"m: halt r0", 3, "label 'm' already defined on line 2"},
        {"r3: halt r0", 3, "bad label name"},
        {"nop", 3, "code can run past its end"},
        {"jmp 1\nhalt r0", 3, "jump target is not an instruction start"},
        {".methd 1 m view\nhalt r0", 3, "unknown directive '.methd'"},
        {".method 0 m view\nhalt r0", 3, "method id 0 already defined on line 1"},
        {".method 256 m view\nhalt r0", 3, "not 0..255"},
        {".method 1 m pure\nhalt r0", 3, "not view or state"},
        {".method 1 m\nhalt r0", 3, ".method takes"},
        {".method 1 x view\nhalt r0", 3, "undefined label 'x'"},
        {"add r1 r2 r3 r4 r5 r6 r7 r8", 3, "too many operands"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char src[512];
        snprintf(src, sizeof src, "%s%s\n", H, c[i].body);
        expect_error(src, c[i].line, c[i].msg);
    }
    expect_error("halt r0\n", 0, "no .method directive");
    expect_error(".method 0 m view\n", 0, "no instructions");
    char nul[] = ".method 0 m view\nm: halt r0\n";
    nul[20] = '\0';
    uint8_t *out;
    size_t len;
    vm_asm_error err;
    assert_int_equal(vm_asm(nul, sizeof nul - 1, &out, &len, &err), VM_ASM_ERROR);
    assert_int_equal(err.line, 2);
}

static void roundtrip(const uint8_t *b, size_t len)
{
    char *text = NULL;
    vm_verify_error ve;
    vm_verify_status vs = vm_disasm(b, len, &text, &ve);
    if (vs != VM_VERIFY_OK)
        fail_msg("disasm refused: %s at %u", vm_verify_strerror(vs), ve.offset);
    uint8_t *b2 = NULL;
    size_t len2 = 0;
    vm_asm_error err;
    if (vm_asm(text, strlen(text), &b2, &len2, &err) != VM_ASM_OK)
        fail_msg("reassembly failed, line %d: %s\n%s", err.line, err.msg, text);
    if (len2 != len || memcmp(b, b2, len) != 0)
        fail_msg("round trip changed the bytes:\n%s", text);
    free(b2);
    free(text);
}

static void test_roundtrip_handwritten(void **state)
{
    (void)state;
    const char *src = ".method 9 b state\n.method 1 a view\n.method 2 a view\n"
                      "a: li r1, 0xdeadbeefcafebabe0123456789abcdef\n"
                      "   li128 r2, 1\n li64 r3, 2\n li32 r4, 3\n li r5, 4\n"
                      "   call sub\n jz r1, a\n jmp b\n"
                      "b: hcall storage_get\n hcall call\n st r1, r2, 65535, 16\n"
                      "   addi r1, r2, 0xffffffff\n fail\n"
                      "sub: ret\n";
    size_t len;
    uint8_t *b = t_assemble(src, &len);
    roundtrip(b, len);
    free(b);

    /* Disassembly refuses what the verifier refuses. */
    uint8_t bad[] = {'S', 'V', 'M', '1', 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x00};
    char *text = (char *)1;
    vm_verify_error ve;
    assert_int_equal(vm_disasm(bad, sizeof bad, &text, &ve), VM_VERIFY_FALLS_OFF_END);
    assert_null(text);
}

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static void put_be(uint8_t *p, vm_u128 v, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        p[i] = (uint8_t)smn_amount_lo64(v);
        v = smn_amount_shr(v, 8);
    }
}

/* Random valid bytecode built straight from the ISA table (not through the
 * assembler), so the round trip checks the assembler independently. */
static size_t random_program(uint8_t *out, size_t cap)
{
    size_t ninsn = 1 + rnd() % 120;
    int ids[128];
    uint32_t offs[128];
    uint32_t pc = 0;
    for (size_t i = 0; i < ninsn; i++) {
        ids[i] = i + 1 == ninsn ? VM_I_HALT : (int)(rnd() % VM_I__COUNT);
        offs[i] = pc;
        pc += (uint32_t)vm_format_len(vm_isa[ids[i]].format);
    }
    size_t nm = 1 + rnd() % 5;
    uint8_t mids[5];
    for (size_t i = 0; i < nm; i++)
        mids[i] = (uint8_t)(i * 40 + rnd() % 40); /* strictly ascending */
    size_t n = 6 + nm * 6 + 4 + pc;
    assert_true(n <= cap);
    memcpy(out, "SVM1", 4);
    out[4] = 1;
    out[5] = (uint8_t)nm;
    for (size_t i = 0; i < nm; i++) {
        uint8_t *e = out + 6 + i * 6;
        e[0] = mids[i];
        e[1] = (uint8_t)(rnd() % 2);
        put_be(e + 2, smn_amount_from_u64(offs[rnd() % ninsn]), 4);
    }
    put_be(out + 6 + nm * 6, smn_amount_from_u64(pc), 4);
    uint8_t *code = out + 6 + nm * 6 + 4;
    for (size_t i = 0; i < ninsn; i++) {
        uint8_t *p = code + offs[i];
        vm_format f = vm_isa[ids[i]].format;
        p[0] = vm_isa[ids[i]].opcode;
        size_t l = vm_format_len(f);
        for (size_t k = 1; k < l; k++)
            p[k] = (uint8_t)(rnd() % VM_NREGS); /* registers; immediates overwritten below */
        uint32_t target = offs[rnd() % ninsn];
        uint64_t big_hi = rnd();
        vm_u128 big = smn_amount_make(big_hi, rnd());
        switch (f) {
        case VM_F_T:
            put_be(p + 1, smn_amount_from_u64(target), 4);
            break;
        case VM_F_RT:
            put_be(p + 2, smn_amount_from_u64(target), 4);
            break;
        case VM_F_RRT:
            put_be(p + 3, smn_amount_from_u64(target), 4);
            break;
        case VM_F_N:
            p[1] = (uint8_t)(rnd() % VM_HC__COUNT);
            break;
        case VM_F_RI8:
        case VM_F_RI32:
        case VM_F_RI64:
        case VM_F_RI128: {
            /* Small values in wide forms too: the disassembler must keep them. */
            vm_u128 v = rnd() % 3 == 0 ? smn_amount_from_u64(rnd() % 300) : big;
            put_be(p + 2, v, l - 2);
            break;
        }
        case VM_F_RRI32:
            put_be(p + 3, big, 4);
            break;
        case VM_F_MEM:
            put_be(p + 3, smn_amount_from_u64(rnd()), 2);
            p[5] = (uint8_t)(1 + rnd() % 16);
            break;
        default:
            break;
        }
    }
    return n;
}

static void test_roundtrip_random(void **state)
{
    (void)state;
    uint8_t *buf = malloc(4096);
    assert_non_null(buf);
    for (int i = 0; i < 2000; i++) {
        size_t n = random_program(buf, 4096);
        vm_program p;
        vm_verify_error ve;
        if (vm_program_load(buf, n, &p, &ve) != VM_VERIFY_OK)
            fail_msg("generator made invalid code: %s at %u", vm_verify_strerror(ve.status),
                     ve.offset);
        vm_program_free(&p);
        roundtrip(buf, n);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_roundtrip_handwritten),
        cmocka_unit_test(test_roundtrip_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
