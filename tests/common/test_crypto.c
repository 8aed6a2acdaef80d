/* The crypto underneath the wrappers, checked against the RFC vectors:
 * RFC 8032 section 7.1 tests 1-3 (Ed25519) through smn_key_expand / smn_sign /
 * smn_verify, and RFC 7693 (Blake2b) through libsodium's generichash, the
 * primitive behind block hashes, work values, key derivation and checksums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/hex.h"
#include "common/keys.h"

typedef struct {
    const char *secret, *public, *message, *signature;
} ed_vector;

static const ed_vector rfc8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

static void test_ed25519_rfc8032(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc8032 / sizeof rfc8032[0]; i++) {
        const ed_vector *v = &rfc8032[i];
        uint8_t sk[32], pk[32], sig[64], got[64], msg[8];
        size_t mlen = strlen(v->message) / 2;
        assert_true(smn_hex_decode(v->secret, sk, 32));
        assert_true(smn_hex_decode(v->public, pk, 32));
        assert_true(smn_hex_decode(v->signature, sig, 64));
        assert_true(smn_hex_decode(v->message, msg, mlen));
        smn_keypair kp;
        smn_key_expand(sk, &kp);
        assert_memory_equal(kp.pub, pk, 32);
        smn_sign(&kp, msg, mlen, got);
        assert_memory_equal(got, sig, 64);
        assert_true(smn_verify(pk, msg, mlen, sig));
        got[0] ^= 1;
        assert_false(smn_verify(pk, msg, mlen, got));
    }
}

static void test_blake2b_rfc7693(void **state)
{
    (void)state;
    /* RFC 7693 Appendix A: BLAKE2b-512("abc"). */
    uint8_t want[64], out[64];
    assert_true(smn_hex_decode("BA80A53F981C4D0D6A2797B69F12F6E94C212F14685AC4B74B12BB6FDBFFA2D1"
                               "7D87C5392AAB792DC252D5DE4533CC9518D38AA8DBF1925AB92386EDD4009923",
                               want, 64));
    crypto_generichash(out, 64, (const uint8_t *)"abc", 3, NULL, 0);
    assert_memory_equal(out, want, 64);
    /* Unkeyed BLAKE2b-256("abc"): the digest length is a parameter of the
     * hash, not a truncation, so this is a separate known value. */
    assert_true(smn_hex_decode("BDDD813C634239723171EF3FEE98579B94964E3BB1CB3E427262C8C068D52319",
                               want, 32));
    crypto_generichash(out, 32, (const uint8_t *)"abc", 3, NULL, 0);
    assert_memory_equal(out, want, 32);
    /* BLAKE2b-256 of the empty string. */
    assert_true(smn_hex_decode("0E5751C026E543B2E8AB2EB06099DAA1D1E5DF47778F7787FAAB45CDF12FE3A8",
                               want, 32));
    crypto_generichash(out, 32, (const uint8_t *)"", 0, NULL, 0);
    assert_memory_equal(out, want, 32);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ed25519_rfc8032),
        cmocka_unit_test(test_blake2b_rfc7693),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
