#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/amount.h"

static smn_amount_t pow10_(int n)
{
    smn_amount_t v = smn_amount_from_u64(1);
    while (n--)
        v = smn_amount_mul_wrap(v, smn_amount_from_u64(10));
    return v;
}

static void test_one_smn(void **state)
{
    (void)state;
    assert_true(smn_amount_eq(smn_amount_one_smn(), pow10_(30)));
}

static void test_parse_raw(void **state)
{
    (void)state;
    smn_amount_t v = smn_amount_from_u64(7);
    assert_int_equal(smn_amount_parse_raw("0", &v), SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(v, smn_amount_from_u64(0)));
    assert_int_equal(smn_amount_parse_raw("1000000000000000000000000000000", &v), SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(v, pow10_(30)));
    /* 2^128-1 parses, 2^128 does not. */
    assert_int_equal(smn_amount_parse_raw("340282366920938463463374607431768211455", &v),
                     SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(v, SMN_AMOUNT_MAX));
    v = smn_amount_from_u64(5);
    assert_int_equal(smn_amount_parse_raw("340282366920938463463374607431768211456", &v),
                     SMN_AMOUNT_OVERFLOW);
    assert_true(smn_amount_eq(v, smn_amount_from_u64(5))); /* untouched on error */
    assert_int_equal(smn_amount_parse_raw("99999999999999999999999999999999999999999", &v),
                     SMN_AMOUNT_OVERFLOW);
    assert_int_equal(smn_amount_parse_raw("", &v), SMN_AMOUNT_EMPTY);
    assert_int_equal(smn_amount_parse_raw(NULL, &v), SMN_AMOUNT_EMPTY);
    assert_int_equal(smn_amount_parse_raw("-1", &v), SMN_AMOUNT_NEGATIVE);
    assert_int_equal(smn_amount_parse_raw("1.5", &v), SMN_AMOUNT_BAD_CHAR);
    assert_int_equal(smn_amount_parse_raw("12a", &v), SMN_AMOUNT_BAD_CHAR);
    assert_int_equal(smn_amount_parse_raw(" 1", &v), SMN_AMOUNT_BAD_CHAR);
    assert_int_equal(smn_amount_parse_raw("+1", &v), SMN_AMOUNT_BAD_CHAR);
    /* Garbage after an overflowing prefix is still garbage. */
    assert_int_equal(smn_amount_parse_raw("9999999999999999999999999999999999999999x", &v),
                     SMN_AMOUNT_BAD_CHAR);
}

static void test_parse_smn(void **state)
{
    (void)state;
    smn_amount_t v;
    assert_int_equal(smn_amount_parse_smn("1", &v), SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(v, pow10_(30)));
    assert_int_equal(smn_amount_parse_smn("0.5", &v), SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(v, smn_amount_mul_wrap(smn_amount_from_u64(5), pow10_(29))));
    assert_int_equal(smn_amount_parse_smn(".5", &v), SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(v, smn_amount_mul_wrap(smn_amount_from_u64(5), pow10_(29))));
    assert_int_equal(smn_amount_parse_smn("000.000000000000000000000000000001", &v), SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(v, smn_amount_from_u64(1)));
    assert_int_equal(smn_amount_parse_smn("10000000.000000000000000000000000000001", &v),
                     SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(v, smn_amount_add_wrap(pow10_(37), smn_amount_from_u64(1))));
    /* Largest representable: 340282366.920938463463374607431768211455 smn. */
    assert_int_equal(smn_amount_parse_smn("340282366.920938463463374607431768211455", &v),
                     SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(v, SMN_AMOUNT_MAX));
    assert_int_equal(smn_amount_parse_smn("340282366.920938463463374607431768211456", &v),
                     SMN_AMOUNT_OVERFLOW);
    assert_int_equal(smn_amount_parse_smn("340282367", &v), SMN_AMOUNT_OVERFLOW);
    assert_int_equal(smn_amount_parse_smn("1.2.3", &v), SMN_AMOUNT_BAD_CHAR);
    assert_int_equal(smn_amount_parse_smn("-1", &v), SMN_AMOUNT_NEGATIVE);
    assert_int_equal(smn_amount_parse_smn("0.0000000000000000000000000000001", &v),
                     SMN_AMOUNT_TOO_MANY_DECIMALS);
    assert_int_equal(smn_amount_parse_smn("", &v), SMN_AMOUNT_EMPTY);
    assert_int_equal(smn_amount_parse_smn("1.", &v), SMN_AMOUNT_BAD_CHAR);
    assert_int_equal(smn_amount_parse_smn(".", &v), SMN_AMOUNT_BAD_CHAR);
    assert_int_equal(smn_amount_parse_smn("1e3", &v), SMN_AMOUNT_BAD_CHAR);
    assert_int_equal(smn_amount_parse_smn("1,5", &v), SMN_AMOUNT_BAD_CHAR);
}

static void test_format(void **state)
{
    (void)state;
    char buf[SMN_AMOUNT_SMN_STRLEN];
    assert_string_equal(smn_amount_format_raw(smn_amount_from_u64(0), buf), "0");
    assert_string_equal(smn_amount_format_raw(SMN_AMOUNT_MAX, buf),
                        "340282366920938463463374607431768211455");
    assert_string_equal(smn_amount_format_smn(smn_amount_from_u64(0), buf), "0");
    assert_string_equal(smn_amount_format_smn(pow10_(30), buf), "1");
    assert_string_equal(
        smn_amount_format_smn(smn_amount_mul_wrap(smn_amount_from_u64(5), pow10_(29)), buf), "0.5");
    assert_string_equal(smn_amount_format_smn(smn_amount_from_u64(1), buf),
                        "0.000000000000000000000000000001");
    assert_string_equal(
        smn_amount_format_smn(smn_amount_add_wrap(pow10_(37), smn_amount_from_u64(1)), buf),
        "10000000.000000000000000000000000000001");
    assert_string_equal(smn_amount_format_smn(SMN_AMOUNT_MAX, buf),
                        "340282366.920938463463374607431768211455");
    assert_true(strlen(buf) < SMN_AMOUNT_SMN_STRLEN);
}

static void test_roundtrip(void **state)
{
    (void)state;
    /* A spread of values, including every power of ten and its neighbours. */
    char buf[SMN_AMOUNT_SMN_STRLEN];
    smn_amount_t p = smn_amount_from_u64(1);
    for (int i = 0; i <= 38; i++, p = smn_amount_mul_wrap(p, smn_amount_from_u64(10))) {
        const smn_amount_t one = smn_amount_from_u64(1);
        smn_amount_t vals[3] = {smn_amount_sub_wrap(p, one), p, smn_amount_add_wrap(p, one)};
        for (int k = 0; k < 3; k++) {
            smn_amount_t back;
            assert_int_equal(smn_amount_parse_raw(smn_amount_format_raw(vals[k], buf), &back),
                             SMN_AMOUNT_OK);
            assert_true(smn_amount_eq(back, vals[k]));
            assert_int_equal(smn_amount_parse_smn(smn_amount_format_smn(vals[k], buf), &back),
                             SMN_AMOUNT_OK);
            assert_true(smn_amount_eq(back, vals[k]));
        }
    }
}

static void test_checked_arith(void **state)
{
    (void)state;
    smn_amount_t r = smn_amount_from_u64(42);
    assert_true(smn_amount_add(smn_amount_from_u64(1), smn_amount_from_u64(2), &r));
    assert_true(smn_amount_eq(r, smn_amount_from_u64(3)));
    assert_true(smn_amount_add(smn_amount_sub_wrap(SMN_AMOUNT_MAX, smn_amount_from_u64(1)),
                               smn_amount_from_u64(1), &r));
    assert_true(smn_amount_eq(r, SMN_AMOUNT_MAX));
    r = smn_amount_from_u64(42);
    assert_false(smn_amount_add(SMN_AMOUNT_MAX, smn_amount_from_u64(1), &r));
    assert_true(smn_amount_eq(r, smn_amount_from_u64(42)));
    assert_true(smn_amount_sub(smn_amount_from_u64(5), smn_amount_from_u64(5), &r));
    assert_true(smn_amount_eq(r, smn_amount_from_u64(0)));
    r = smn_amount_from_u64(42);
    assert_false(smn_amount_sub(smn_amount_from_u64(4), smn_amount_from_u64(5), &r));
    assert_true(smn_amount_eq(r, smn_amount_from_u64(42)));
}

static void test_be(void **state)
{
    (void)state;
    uint8_t b[16];
    smn_amount_t v = smn_amount_make(0x0102030405060708ull, 0x090A0B0C0D0E0F10ull);
    smn_amount_to_be(v, b);
    for (int i = 0; i < 16; i++)
        assert_int_equal(b[i], i + 1);
    assert_true(smn_amount_eq(smn_amount_from_be(b), v));
}

static void test_strerror(void **state)
{
    (void)state;
    /* Every error has its own non-empty message. */
    for (int a = SMN_AMOUNT_OK; a <= SMN_AMOUNT_OVERFLOW; a++) {
        assert_true(strlen(smn_amount_strerror((smn_amount_status)a)) > 0);
        for (int b = a + 1; b <= SMN_AMOUNT_OVERFLOW; b++)
            assert_string_not_equal(smn_amount_strerror((smn_amount_status)a),
                                    smn_amount_strerror((smn_amount_status)b));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_smn),   cmocka_unit_test(test_parse_raw),
        cmocka_unit_test(test_parse_smn), cmocka_unit_test(test_format),
        cmocka_unit_test(test_roundtrip), cmocka_unit_test(test_checked_arith),
        cmocka_unit_test(test_be),        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
