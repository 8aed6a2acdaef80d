#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/hex.h"
#include "common/keys.h"

static void hex32(const char *h, uint8_t out[32])
{
    assert_true(smn_hex_decode(h, out, 32));
}

/* Private key of index i = Blake2b-256(seed || i BE32): Nano's documented
 * private key for seed 0, index 0 (the public key differs from Nano's because
 * smn uses standard Ed25519 with SHA-512, not Ed25519-Blake2b). */
static void test_from_seed_nano_vector(void **state)
{
    (void)state;
    uint8_t seed[32] = {0}, want[32];
    smn_keypair kp;
    smn_key_from_seed(seed, 0, &kp);
    hex32("9F0E444C69F77A49BD0BE89DB92C38FE713E0963165CCA12FAF5712D7657120F", want);
    assert_memory_equal(kp.priv, want, 32);
    hex32("8636B34786C2262951DC6AC0B881129396F51AA525CBAF37DC3C9D1BE67FB3F2", want);
    assert_memory_equal(kp.pub, want, 32);
}

static void test_from_seed_index_be(void **state)
{
    (void)state;
    /* The index is big-endian: 1 and 1<<24 must differ, and each must equal
     * its own expansion. */
    uint8_t seed[32];
    memset(seed, 0x11, 32);
    smn_keypair a, b, c;
    smn_key_from_seed(seed, 1, &a);
    smn_key_from_seed(seed, 1u << 24, &b);
    assert_memory_not_equal(a.priv, b.priv, 32);
    smn_key_expand(a.priv, &c);
    assert_memory_equal(a.pub, c.pub, 32);
    smn_key_from_seed(seed, 1, &c);
    assert_memory_equal(a.priv, c.priv, 32);
}

static void test_expand_alias_and_wipe(void **state)
{
    (void)state;
    smn_keypair kp, ref;
    smn_key_create(&ref);
    memcpy(kp.priv, ref.priv, 32);
    smn_key_expand(kp.priv, &kp); /* priv aliases kp->priv */
    assert_memory_equal(kp.priv, ref.priv, 32);
    assert_memory_equal(kp.pub, ref.pub, 32);
    smn_keypair_wipe(&kp);
    uint8_t zero[32] = {0};
    assert_memory_equal(kp.priv, zero, 32);
    assert_memory_equal(kp.pub, zero, 32);
}

static void test_create_distinct(void **state)
{
    (void)state;
    smn_keypair a, b;
    smn_key_create(&a);
    smn_key_create(&b);
    assert_memory_not_equal(a.priv, b.priv, 32);
    assert_memory_not_equal(a.pub, b.pub, 32);
}

static void test_sign_verify(void **state)
{
    (void)state;
    smn_keypair kp;
    smn_key_create(&kp);
    uint8_t msg[100], sig[SMN_SIG_BYTES];
    for (int i = 0; i < 100; i++)
        msg[i] = (uint8_t)i;
    smn_sign(&kp, msg, sizeof msg, sig);
    assert_true(smn_verify(kp.pub, msg, sizeof msg, sig));
    msg[50] ^= 1;
    assert_false(smn_verify(kp.pub, msg, sizeof msg, sig));
    msg[50] ^= 1;
    sig[3] ^= 0x80;
    assert_false(smn_verify(kp.pub, msg, sizeof msg, sig));
    sig[3] ^= 0x80;
    smn_keypair other;
    smn_key_create(&other);
    assert_false(smn_verify(other.pub, msg, sizeof msg, sig));
    /* Empty message is legal. */
    smn_sign(&kp, msg, 0, sig);
    assert_true(smn_verify(kp.pub, msg, 0, sig));
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_seed_nano_vector), cmocka_unit_test(test_from_seed_index_be),
        cmocka_unit_test(test_expand_alias_and_wipe), cmocka_unit_test(test_create_distinct),
        cmocka_unit_test(test_sign_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
