/* The bytecode verifier: each rejection, with the offset it reports. */
#include "vmtest.h"

#include "procs/vm/interp/isa.h"
#include "procs/vm/interp/bytecode_check.h"

typedef struct {
    uint8_t id, flags;
    uint32_t entry;
} mdef;

/* "SVM1" v1 + methods + code_len + code. */
static size_t mk(uint8_t *out, const mdef *m, size_t nm, const uint8_t *code, size_t clen)
{
    size_t n = 0;
    memcpy(out, "SVM1", 4);
    out[4] = 1;
    out[5] = (uint8_t)nm;
    n = 6;
    for (size_t i = 0; i < nm; i++) {
        out[n++] = m[i].id;
        out[n++] = m[i].flags;
        out[n++] = (uint8_t)(m[i].entry >> 24);
        out[n++] = (uint8_t)(m[i].entry >> 16);
        out[n++] = (uint8_t)(m[i].entry >> 8);
        out[n++] = (uint8_t)m[i].entry;
    }
    out[n++] = (uint8_t)(clen >> 24);
    out[n++] = (uint8_t)(clen >> 16);
    out[n++] = (uint8_t)(clen >> 8);
    out[n++] = (uint8_t)clen;
    memcpy(out + n, code, clen);
    return n + clen;
}

static void expect(const uint8_t *b, size_t len, vm_verify_status st, uint32_t off, bool in_code)
{
    vm_program p;
    vm_verify_error e;
    vm_verify_status got = vm_program_load(b, len, &p, &e);
    if (got != st)
        fail_msg("expected '%s', got '%s'", vm_verify_strerror(st), vm_verify_strerror(got));
    if (st == VM_VERIFY_OK) {
        vm_program_free(&p);
        return;
    }
    assert_int_equal(e.status, st);
    assert_int_equal(e.offset, off);
    assert_int_equal(e.in_code, in_code);
    assert_null(p.insns);
}

static const mdef M0 = {0, 0, 0};
static const uint8_t HALT[] = {0x01, 0x00};

static void test_accepts_minimal(void **state)
{
    (void)state;
    uint8_t b[64];
    size_t n = mk(b, &M0, 1, HALT, sizeof HALT);
    assert_int_equal(n, 18);
    expect(b, n, VM_VERIFY_OK, 0, false);
    vm_program p;
    assert_int_equal(vm_program_load(b, n, &p, NULL), VM_VERIFY_OK);
    assert_int_equal(p.ninsns, 1);
    assert_int_equal(p.nmethods, 1);
    assert_non_null(vm_program_method(&p, 0));
    assert_null(vm_program_method(&p, 1));
    vm_program_free(&p);
}

static void test_header(void **state)
{
    (void)state;
    uint8_t b[512];
    size_t n = mk(b, &M0, 1, HALT, sizeof HALT);
    for (size_t cut = 0; cut < 16; cut++) /* inside magic, table or code_len */
        expect(b, cut, VM_VERIFY_TRUNCATED_HEADER, (uint32_t)cut, false);
    b[3] = '2';
    expect(b, n, VM_VERIFY_BAD_MAGIC, 0, false);
    b[3] = '1';
    b[4] = 2;
    expect(b, n, VM_VERIFY_BAD_VERSION, 4, false);
    b[4] = 1;

    n = mk(b, NULL, 0, HALT, sizeof HALT);
    expect(b, n, VM_VERIFY_NO_METHODS, 5, false);

    mdef many[VM_MAX_METHODS + 1];
    for (int i = 0; i <= VM_MAX_METHODS; i++)
        many[i] = (mdef){(uint8_t)i, 0, 0};
    n = mk(b, many, VM_MAX_METHODS, HALT, sizeof HALT);
    expect(b, n, VM_VERIFY_OK, 0, false);
    n = mk(b, many, VM_MAX_METHODS + 1, HALT, sizeof HALT);
    expect(b, n, VM_VERIFY_TOO_MANY_METHODS, 5, false);
}

static void test_method_table(void **state)
{
    (void)state;
    uint8_t b[512];
    mdef dup[2] = {{1, 0, 0}, {1, 0, 0}};
    size_t n = mk(b, dup, 2, HALT, sizeof HALT);
    expect(b, n, VM_VERIFY_METHOD_ORDER, 12, false);
    mdef desc[2] = {{2, 0, 0}, {1, 0, 0}};
    n = mk(b, desc, 2, HALT, sizeof HALT);
    expect(b, n, VM_VERIFY_METHOD_ORDER, 12, false);

    mdef flags = {0, 0x02, 0};
    n = mk(b, &flags, 1, HALT, sizeof HALT);
    expect(b, n, VM_VERIFY_METHOD_FLAGS, 7, false);
    mdef state_m = {0, VM_METHOD_STATE, 0};
    n = mk(b, &state_m, 1, HALT, sizeof HALT);
    expect(b, n, VM_VERIFY_OK, 0, false);

    mdef mid = {0, 0, 1}; /* inside the halt's operand */
    n = mk(b, &mid, 1, HALT, sizeof HALT);
    expect(b, n, VM_VERIFY_METHOD_ENTRY, 6, false);
    mdef two[2] = {{0, 0, 0}, {9, 0, 2}}; /* past the code */
    n = mk(b, two, 2, HALT, sizeof HALT);
    expect(b, n, VM_VERIFY_METHOD_ENTRY, 12, false);
}

static void test_code_length(void **state)
{
    (void)state;
    uint8_t b[512];
    size_t n = mk(b, &M0, 1, HALT, 0);
    expect(b, n, VM_VERIFY_EMPTY_CODE, 12, false);

    n = mk(b, &M0, 1, HALT, sizeof HALT);
    b[12] = 0x00;
    b[13] = 0x01;
    b[14] = 0x00;
    b[15] = 0x01; /* 65537 */
    expect(b, n, VM_VERIFY_CODE_TOO_LARGE, 12, false);

    n = mk(b, &M0, 1, HALT, sizeof HALT);
    b[15] = 3; /* claims one byte more than present */
    expect(b, n, VM_VERIFY_CODE_LENGTH, 12, false);
    b[15] = 2;
    b[n] = 0x00; /* one byte of trailing garbage */
    expect(b, n + 1, VM_VERIFY_CODE_LENGTH, 12, false);

    /* VM_CODE_MAX bytes of nops and a halt... one byte too many. */
    uint8_t *big = calloc(1, VM_CODE_MAX + 64);
    assert_non_null(big);
    uint8_t *code = calloc(1, VM_CODE_MAX + 1);
    assert_non_null(code);
    code[VM_CODE_MAX - 2] = 0x01;
    n = mk(big, &M0, 1, code, VM_CODE_MAX);
    expect(big, n, VM_VERIFY_OK, 0, false);
    code[VM_CODE_MAX - 2] = 0x00;
    code[VM_CODE_MAX - 1] = 0x01;
    n = mk(big, &M0, 1, code, VM_CODE_MAX + 1);
    expect(big, n, VM_VERIFY_CODE_TOO_LARGE, 12, false);
    free(code);
    free(big);
}

static void test_instructions(void **state)
{
    (void)state;
    uint8_t b[512];
    struct {
        uint8_t code[16];
        size_t len;
        vm_verify_status st;
        uint32_t off;
    } c[] = {
        {{0x00, 0xFF, 0x01, 0x00}, 4, VM_VERIFY_UNKNOWN_OPCODE, 1},
        {{0x15, 0x00}, 2, VM_VERIFY_UNKNOWN_OPCODE, 0},
        {{0x00, 0x03, 0x00, 0x00}, 4, VM_VERIFY_TRUNCATED_OPERAND, 1},
        {{0x01}, 1, VM_VERIFY_TRUNCATED_OPERAND, 0},
        {{0x14, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 15, VM_VERIFY_TRUNCATED_OPERAND, 0},
        {{0x01, 0x10}, 2, VM_VERIFY_BAD_REGISTER, 1},
        {{0x01, 0xFF}, 2, VM_VERIFY_BAD_REGISTER, 1},
        {{0x20, 0x01, 0x02, 0x10, 0x01, 0x00}, 6, VM_VERIFY_BAD_REGISTER, 3},
        {{0x40, 0x01, 0x11, 0x00, 0x00, 0x01, 0x01, 0x00}, 8, VM_VERIFY_BAD_REGISTER, 2},
        {{0x40, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00}, 8, VM_VERIFY_BAD_OPERAND, 5},
        {{0x41, 0x01, 0x02, 0x00, 0x00, 0x11, 0x01, 0x00}, 8, VM_VERIFY_BAD_OPERAND, 5},
        {{0x0C, VM_HC__COUNT, 0x01, 0x00}, 4, VM_VERIFY_BAD_OPERAND, 1},
        {{0x03, 0x00, 0x00, 0x00, 0x01}, 5, VM_VERIFY_BAD_JUMP, 0},       /* into itself */
        {{0x00, 0x03, 0x00, 0x00, 0x00, 0x09}, 6, VM_VERIFY_BAD_JUMP, 1}, /* past the end */
        {{0x04, 0x00, 0x00, 0x00, 0x00, 0x07, 0x01, 0x00}, 8, VM_VERIFY_BAD_JUMP, 0},
        {{0x0A, 0x00, 0x00, 0x00, 0x06, 0x01, 0x00}, 7, VM_VERIFY_BAD_JUMP, 0},
        {{0x00}, 1, VM_VERIFY_FALLS_OFF_END, 0},
        {{0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00}, 8, VM_VERIFY_FALLS_OFF_END, 2},
        {{0x01, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00}, 7, VM_VERIFY_FALLS_OFF_END, 2},
        /* The terminators: */
        {{0x02}, 1, VM_VERIFY_OK, 0},
        {{0x0B}, 1, VM_VERIFY_OK, 0},
        {{0x03, 0x00, 0x00, 0x00, 0x00}, 5, VM_VERIFY_OK, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        size_t n = mk(b, &M0, 1, c[i].code, c[i].len);
        vm_program p;
        vm_verify_error e;
        vm_verify_status got = vm_program_load(b, n, &p, &e);
        if (got != c[i].st)
            fail_msg("case %zu: expected '%s', got '%s'", i, vm_verify_strerror(c[i].st),
                     vm_verify_strerror(got));
        if (got == VM_VERIFY_OK) {
            vm_program_free(&p);
            continue;
        }
        if (e.offset != c[i].off || !e.in_code)
            fail_msg("case %zu: offset %u (in_code %d), expected code offset %u", i, e.offset,
                     e.in_code, c[i].off);
    }
}

/* Every opcode byte not in the table is refused; every one in it decodes. */
static void test_all_opcodes(void **state)
{
    (void)state;
    int known = 0;
    for (int op = 0; op < 256; op++) {
        int id = vm_isa_by_opcode((uint8_t)op);
        uint8_t code[32] = {(uint8_t)op};
        uint8_t b[64];
        if (id < 0) {
            size_t n = mk(b, &M0, 1, code, 20);
            expect(b, n, VM_VERIFY_UNKNOWN_OPCODE, 0, true);
            continue;
        }
        known++;
        /* Operands all zero are valid except widths (1..16) and targets. */
        size_t ilen = vm_format_len(vm_isa[id].format);
        if (vm_isa[id].format == VM_F_MEM)
            code[5] = 1;
        code[ilen] = 0x02; /* fail: a terminator after it */
        size_t n = mk(b, &M0, 1, code, ilen + 1);
        expect(b, n, VM_VERIFY_OK, 0, false);
    }
    assert_int_equal(known, VM_I__COUNT);
}

static void test_describe(void **state)
{
    (void)state;
    vm_verify_error e = {VM_VERIFY_UNKNOWN_OPCODE, 12, true};
    char buf[128];
    assert_string_equal(vm_verify_describe(&e, buf, sizeof buf),
                        "unknown opcode at code offset 12");
    e = (vm_verify_error){VM_VERIFY_BAD_MAGIC, 0, false};
    assert_string_equal(vm_verify_describe(&e, buf, sizeof buf),
                        "bad magic (expected \"SVM1\") at byte 0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_minimal), cmocka_unit_test(test_header),
        cmocka_unit_test(test_method_table),    cmocka_unit_test(test_code_length),
        cmocka_unit_test(test_instructions),    cmocka_unit_test(test_all_opcodes),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
