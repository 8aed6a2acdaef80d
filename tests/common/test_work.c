#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <time.h>

#include "common/hex.h"
#include "common/network.h"
#include "common/work.h"
#include "tests/common/vectors.h"

static void test_value_vectors(void **state)
{
    (void)state;
    uint8_t root[32] = {0};
    assert_true(smn_work_value(root, 0) == 0xD60FBA25F7D14965ull);
    assert_true(smn_hex_decode(DEV_PUB, root, 32));
    assert_true(smn_work_value(root, 0xA916177009FD6FE8ull) == 0xFE9995CB8C5D66A7ull);
    assert_true(smn_hex_decode(SEND_PREVIOUS, root, 32));
    assert_true(smn_work_value(root, SEND_WORK) == SEND_WORK_VALUE);
}

static void test_value_definition(void **state)
{
    (void)state;
    /* Blake2b-64(nonce LE || root), digest read little-endian. */
    uint8_t root[32], in[40], d[8];
    for (int i = 0; i < 32; i++)
        root[i] = (uint8_t)(i * 7);
    uint64_t nonce = 0x0102030405060708ull;
    for (int i = 0; i < 8; i++)
        in[i] = (uint8_t)(nonce >> (8 * i));
    memcpy(in + 8, root, 32);
    crypto_generichash(d, 8, in, 40, NULL, 0);
    uint64_t want = 0;
    for (int i = 0; i < 8; i++)
        want |= (uint64_t)d[i] << (8 * i);
    assert_true(smn_work_value(root, nonce) == want);
}

static void test_valid_and_thresholds(void **state)
{
    (void)state;
    uint8_t root[32];
    assert_true(smn_hex_decode(SEND_PREVIOUS, root, 32));
    assert_true(smn_work_valid(root, SEND_WORK, SEND_WORK_VALUE));
    assert_false(smn_work_valid(root, SEND_WORK, SEND_WORK_VALUE + 1));
    const smn_network *dev = smn_network_get(SMN_NET_DEV);
    const smn_network *live = smn_network_get(SMN_NET_LIVE);
    assert_true(smn_work_threshold(dev, false) == 0xfe00000000000000ull);
    assert_true(smn_work_threshold(dev, true) == 0xfc00000000000000ull);
    assert_true(smn_work_valid(root, SEND_WORK, smn_work_threshold(dev, false)));
    assert_false(smn_work_valid(root, SEND_WORK, smn_work_threshold(live, true)));
}

static void test_generate(void **state)
{
    (void)state;
    const smn_network *dev = smn_network_get(SMN_NET_DEV);
    for (unsigned threads = 0; threads <= 3; threads++) {
        for (int k = 0; k < 5; k++) {
            uint8_t root[32];
            randombytes_buf(root, 32);
            uint64_t nonce = 0;
            uint64_t thr = smn_work_threshold(dev, k & 1);
            assert_int_equal(smn_work_generate(root, thr, threads, NULL, &nonce), 0);
            assert_true(smn_work_valid(root, nonce, thr));
        }
    }
}

static void test_cancel_before(void **state)
{
    (void)state;
    uint8_t root[32] = {1};
    atomic_bool cancel = true;
    uint64_t nonce = 99;
    assert_int_equal(smn_work_generate(root, UINT64_MAX, 2, &cancel, &nonce), -ECANCELED);
    assert_true(nonce == 99);
}

static void *cancel_later(void *arg)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    atomic_store((atomic_bool *)arg, true);
    return NULL;
}

static void test_cancel_during(void **state)
{
    (void)state;
    /* UINT64_MAX is (practically) unreachable: only the cancel ends it. */
    uint8_t root[32] = {2};
    atomic_bool cancel = false;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_later, &cancel), 0);
    uint64_t nonce;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(smn_work_generate(root, UINT64_MAX, 2, &cancel, &nonce), -ECANCELED);
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(t, NULL);
    double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    assert_true(secs < 2.0); /* stops promptly */
}

static void test_format_parse(void **state)
{
    (void)state;
    char s[17];
    smn_work_format(0x4E2169C82CC35E29ull, s);
    assert_string_equal(s, "4E2169C82CC35E29");
    smn_work_format(1, s);
    assert_string_equal(s, "0000000000000001");
    uint64_t v = 5;
    assert_true(smn_work_parse("4e2169c82cc35e29", &v));
    assert_true(v == 0x4E2169C82CC35E29ull);
    assert_true(smn_work_parse("FFFFFFFFFFFFFFFF", &v));
    assert_true(v == UINT64_MAX);
    v = 5;
    assert_false(smn_work_parse("", &v));
    assert_false(smn_work_parse("1", &v));
    assert_false(smn_work_parse("4E2169C82CC35E290", &v));
    assert_false(smn_work_parse("4E2169C82CC35E2Z", &v));
    assert_false(smn_work_parse("0x2169C82CC35E29", &v));
    assert_true(v == 5);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_vectors),        cmocka_unit_test(test_value_definition),
        cmocka_unit_test(test_valid_and_thresholds), cmocka_unit_test(test_generate),
        cmocka_unit_test(test_cancel_before),        cmocka_unit_test(test_cancel_during),
        cmocka_unit_test(test_format_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
