#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/network.h"
#include "common/work.h"
#include "tests/common/vectors.h"

static void test_lookup(void **state)
{
    (void)state;
    const char *names[] = {"dev", "test", "live"};
    for (int i = 0; i < 3; i++) {
        const smn_network *n = smn_network_by_name(names[i]);
        assert_non_null(n);
        assert_ptr_equal(n, smn_network_get((smn_network_id)i));
        assert_int_equal(n->id, i);
        assert_string_equal(n->name, names[i]);
    }
    assert_null(smn_network_by_name("Dev"));
    assert_null(smn_network_by_name("beta"));
    assert_null(smn_network_by_name(""));
    assert_null(smn_network_by_name(NULL));
    assert_null(smn_network_get((smn_network_id)3));
}

static void test_parameters(void **state)
{
    (void)state;
    const smn_network *d = smn_network_get(SMN_NET_DEV), *t = smn_network_get(SMN_NET_TEST),
                      *l = smn_network_get(SMN_NET_LIVE);
    assert_memory_equal(d->magic, "SD", 2);
    assert_memory_equal(t->magic, "ST", 2);
    assert_memory_equal(l->magic, "SL", 2);
    assert_int_equal(d->peering_port, 17075);
    assert_int_equal(d->rpc_port, 17076);
    assert_int_equal(t->peering_port, 27075);
    assert_int_equal(t->rpc_port, 27076);
    assert_int_equal(l->peering_port, 7075);
    assert_int_equal(l->rpc_port, 7076);
    assert_true(d->work_send == 0xfe00000000000000ull && d->work_receive == 0xfc00000000000000ull);
    assert_true(t->work_send == 0xfff0000000000000ull && t->work_receive == 0xffc0000000000000ull);
    assert_true(l->work_send == 0xfffffff800000000ull && l->work_receive == 0xfffffe0000000000ull);
    for (int i = 0; i < 3; i++) {
        const smn_network *n = smn_network_get((smn_network_id)i);
        assert_true(n->work_send > n->work_receive);
    }
}

static void test_supply(void **state)
{
    (void)state;
    smn_amount_t v;
    assert_int_equal(smn_amount_parse_raw("10000000000000000000000000000000000000", &v),
                     SMN_AMOUNT_OK);
    assert_true(smn_amount_eq(smn_network_supply(), v));
}

static void check_genesis(smn_network_id id, const char *hash_hex, const char *addr)
{
    const smn_network *n = smn_network_get(id);
    const smn_block *g = &n->genesis;
    uint8_t h[32];
    char hex[65], a[SMN_ADDRESS_STRLEN];
    smn_block_hash(g, h);
    smn_hex_encode(h, 32, hex);
    assert_string_equal(hex, hash_hex);
    smn_address_encode(g->account, a);
    assert_string_equal(a, addr);
    assert_true(smn_block_is_open(g));
    assert_memory_equal(g->representative, g->account, 32);
    assert_memory_equal(g->link, g->account, 32);
    assert_true(smn_amount_eq(g->balance, smn_network_supply()));
    assert_true(smn_block_verify_signature(g));
    assert_true(smn_work_valid(smn_block_root(g), g->work, smn_work_threshold(n, true)));
}

static void test_genesis_vectors(void **state)
{
    (void)state;
    check_genesis(SMN_NET_DEV, DEV_GENESIS_HASH, DEV_ADDR);
    check_genesis(SMN_NET_TEST, TEST_GENESIS_HASH, TEST_ADDR);
    check_genesis(SMN_NET_LIVE, LIVE_GENESIS_HASH, LIVE_ADDR);
}

static void test_dev_key(void **state)
{
    (void)state;
    uint8_t want[32];
    assert_true(smn_hex_decode(DEV_PRIV, want, 32));
    assert_memory_equal(smn_network_dev_genesis_key(), want, 32);
    /* It is Blake2b-256("smallnano dev genesis") and owns the dev genesis. */
    uint8_t h[32];
    crypto_generichash(h, 32, (const uint8_t *)"smallnano dev genesis", 21, NULL, 0);
    assert_memory_equal(h, want, 32);
    smn_keypair kp;
    smn_key_expand(want, &kp);
    assert_memory_equal(kp.pub, smn_network_get(SMN_NET_DEV)->genesis.account, 32);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),  cmocka_unit_test(test_parameters),
        cmocka_unit_test(test_supply),  cmocka_unit_test(test_genesis_vectors),
        cmocka_unit_test(test_dev_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
