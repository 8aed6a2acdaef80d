#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/hex.h"

static void test_encode(void **state)
{
    (void)state;
    const uint8_t in[] = {0x00, 0x01, 0xAB, 0xcd, 0xEF, 0xff};
    char out[13];
    smn_hex_encode(in, sizeof in, out);
    assert_string_equal(out, "0001ABCDEFFF");
    smn_hex_encode(in, 0, out);
    assert_string_equal(out, "");
}

static void test_decode(void **state)
{
    (void)state;
    uint8_t out[3] = {9, 9, 9};
    assert_true(smn_hex_decode("a0Bf01", out, 3));
    assert_int_equal(out[0], 0xA0);
    assert_int_equal(out[1], 0xBF);
    assert_int_equal(out[2], 0x01);
    memset(out, 9, 3);
    assert_false(smn_hex_decode("a0Bf0", out, 3));    /* short */
    assert_false(smn_hex_decode("a0Bf0100", out, 3)); /* long */
    assert_false(smn_hex_decode("a0Bg01", out, 3));   /* not hex */
    assert_false(smn_hex_decode(" a0Bf01", out, 3));
    assert_false(smn_hex_decode(NULL, out, 3));
    for (int i = 0; i < 3; i++)
        assert_int_equal(out[i], 9); /* untouched */
    assert_true(smn_hex_decode("", out, 0));
    assert_false(smn_hex_decode("00", out, 0));
}

static void test_roundtrip(void **state)
{
    (void)state;
    uint8_t in[256], back[256];
    char s[513];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    smn_hex_encode(in, 256, s);
    assert_true(smn_hex_decode(s, back, 256));
    assert_memory_equal(in, back, 256);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
