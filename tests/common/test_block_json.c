#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/block_json.h"
#include "common/hex.h"
#include "tests/common/vectors.h"

static const char *send_json =
    "{\"type\": \"state\", \"account\": \"" DEV_ADDR "\", \"previous\": \"" SEND_PREVIOUS
    "\", \"representative\": \"" DEV_ADDR "\", \"balance\": \"" SEND_BALANCE
    "\", \"link\": \"" SEND_LINK "\", \"link_as_account\": \"" SEND_LINK_ADDR
    "\", \"signature\": \"" SEND_SIG "\", \"work\": \"4E2169C82CC35E29\"}";

static json_t *load(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    assert_non_null(j);
    return j;
}

static void test_parse_vector_and_hash(void **state)
{
    (void)state;
    json_t *j = load(send_json);
    smn_block b;
    char err[128];
    assert_int_equal(smn_block_from_json(j, &b, err, sizeof err), 0);
    json_decref(j);
    uint8_t h[32];
    char hex[65];
    smn_block_hash(&b, h);
    smn_hex_encode(h, 32, hex);
    assert_string_equal(hex, SEND_HASH);
    assert_true(b.work == SEND_WORK);
    assert_true(smn_block_verify_signature(&b));
}

static void test_to_json_exact(void **state)
{
    (void)state;
    json_t *j = load(send_json);
    smn_block b;
    char err[128];
    assert_int_equal(smn_block_from_json(j, &b, err, sizeof err), 0);
    json_t *out = smn_block_to_json(&b);
    assert_non_null(out);
    /* Same fields, same values, upper-case hex. */
    assert_true(json_equal(j, out));
    assert_int_equal(json_object_size(out), 9);
    char *s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(s);
    assert_string_equal(s, "{\"type\":\"state\",\"account\":\"" DEV_ADDR
                           "\",\"previous\":\"" SEND_PREVIOUS "\",\"representative\":\"" DEV_ADDR
                           "\",\"balance\":\"" SEND_BALANCE "\",\"link\":\"" SEND_LINK
                           "\",\"link_as_account\":\"" SEND_LINK_ADDR "\",\"signature\":\"" SEND_SIG
                           "\",\"work\":\"4E2169C82CC35E29\"}");
    free(s);
    json_decref(out);
    json_decref(j);
}

static void test_lower_case_and_optional_link_account(void **state)
{
    (void)state;
    json_t *j = load(send_json);
    char lower[129];
    const char *fields[] = {"previous", "link", "signature", "work"};
    for (int i = 0; i < 4; i++) {
        const char *v = json_string_value(json_object_get(j, fields[i]));
        size_t n = strlen(v);
        for (size_t k = 0; k <= n; k++)
            lower[k] = (char)(v[k] >= 'A' && v[k] <= 'F' ? v[k] + 32 : v[k]);
        json_object_set_new(j, fields[i], json_string(lower));
    }
    json_object_del(j, "link_as_account");
    smn_block b;
    char err[128];
    assert_int_equal(smn_block_from_json(j, &b, err, sizeof err), 0);
    assert_true(smn_block_verify_signature(&b));
    json_decref(j);
}

/* Apply one change to the vector and expect a failure whose message contains `needle`. */
static void expect_error(const char *field, json_t *value, const char *needle)
{
    json_t *j = load(send_json);
    if (value)
        json_object_set_new(j, field, value);
    else
        json_object_del(j, field);
    smn_block b;
    memset(&b, 0x77, sizeof b);
    char err[160] = "";
    assert_int_equal(smn_block_from_json(j, &b, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("error for %s was \"%s\", expected to contain \"%s\"", field, err, needle);
    for (size_t i = 0; i < sizeof b.account; i++)
        assert_int_equal(b.account[i], 0x77); /* output untouched */
    json_decref(j);
}

static void test_errors(void **state)
{
    (void)state;
    const char *required[] = {"type",    "account", "previous",  "representative",
                              "balance", "link",    "signature", "work"};
    for (int i = 0; i < 8; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "missing field \"%s\"", required[i]);
        expect_error(required[i], NULL, needle);
        snprintf(needle, sizeof needle, "\"%s\" must be a string", required[i]);
        expect_error(required[i], json_integer(1), needle);
    }
    expect_error("link_as_account", json_integer(5), "must be a string");
    expect_error("type", json_string("send"), "must be \"state\"");
    expect_error("account", json_string("nano_1111"), "account");
    expect_error("representative", json_string(SEND_LINK_ADDR "x"), "64 characters");
    expect_error("previous", json_string("ABCD"), "64 hex");
    expect_error("link", json_string(SEND_LINK "00"), "64 hex");
    expect_error("signature", json_string(SEND_LINK), "128 hex");
    expect_error("work", json_string("4E2169C82CC35E2"), "16 hex");
    expect_error("work", json_string("4E2169C82CC35E2G"), "16 hex");
    expect_error("balance", json_string("-1"), "negative");
    expect_error("balance", json_string("1.5"), "balance");
    expect_error("balance", json_string("340282366920938463463374607431768211456"), "2^128");
    expect_error("link_as_account", json_string(DEV_ADDR), "does not match");

    smn_block b;
    char err[64];
    json_t *arr = json_array();
    assert_int_equal(smn_block_from_json(arr, &b, err, sizeof err), -1);
    assert_non_null(strstr(err, "object"));
    json_decref(arr);
    /* A tiny error buffer truncates but never overflows. */
    json_t *j = load("{}");
    char tiny[4];
    assert_int_equal(smn_block_from_json(j, &b, tiny, sizeof tiny), -1);
    assert_int_equal(strlen(tiny), 3);
    assert_int_equal(smn_block_from_json(j, &b, NULL, 0), -1);
    json_decref(j);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_vector_and_hash),
        cmocka_unit_test(test_to_json_exact),
        cmocka_unit_test(test_lower_case_and_optional_link_account),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
