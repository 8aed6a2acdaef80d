#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "tests/elections/helpers.h"
#include "common/vote.h"

static void make_hashes(uint8_t (*h)[32], size_t n)
{
    for (size_t i = 0; i < n; i++)
        memset(h[i], (int)(i + 1), 32);
}

static void sign_and_verify(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(0, &kp);
    uint8_t h[3][32];
    make_hashes(h, 3);
    smn_vote v;
    assert_int_equal(smn_vote_sign(&v, &kp, 42, (const uint8_t(*)[32])h, 3), SMN_VOTE_OK);
    assert_memory_equal(v.account, kp.pub, 32);
    assert_int_equal(v.count, 3);
    assert_int_equal(smn_vote_verify(&v), SMN_VOTE_OK);
    assert_false(smn_vote_is_final(&v));

    smn_vote t = v;
    t.timestamp = 43;
    assert_int_equal(smn_vote_verify(&t), SMN_VOTE_BAD_SIGNATURE);
    t = v;
    t.hashes[2][0] ^= 1;
    assert_int_equal(smn_vote_verify(&t), SMN_VOTE_BAD_SIGNATURE);
    t = v;
    t.signature[10] ^= 0x80;
    assert_int_equal(smn_vote_verify(&t), SMN_VOTE_BAD_SIGNATURE);
    smn_keypair other;
    th_rep(1, &other);
    t = v;
    memcpy(t.account, other.pub, 32);
    assert_int_equal(smn_vote_verify(&t), SMN_VOTE_BAD_SIGNATURE);
    t = v;
    t.count = 2; /* dropping a hash changes the digest */
    assert_int_equal(smn_vote_verify(&t), SMN_VOTE_BAD_SIGNATURE);
}

/* The digest is exactly Blake2b-256("vote " || hashes || ts BE). */
static void digest_layout(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(0, &kp);
    uint8_t h[2][32];
    make_hashes(h, 2);
    smn_vote v;
    assert_int_equal(smn_vote_sign(&v, &kp, 0x0102030405060708ull, (const uint8_t(*)[32])h, 2),
                     SMN_VOTE_OK);
    uint8_t buf[5 + 64 + 8] = {'v', 'o', 't', 'e', ' '};
    memcpy(buf + 5, h, 64);
    for (int i = 0; i < 8; i++)
        buf[69 + i] = (uint8_t)(i + 1);
    uint8_t want[32], got[32];
    crypto_generichash(want, 32, buf, sizeof buf, NULL, 0);
    smn_vote_digest(&v, got);
    assert_memory_equal(got, want, 32);
    assert_true(smn_verify(kp.pub, want, 32, v.signature));
}

static void sign_rejects_bad_lists(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(0, &kp);
    uint8_t h[13][32];
    make_hashes(h, 13);
    smn_vote v;
    assert_int_equal(smn_vote_sign(&v, &kp, 1, (const uint8_t(*)[32])h, 0), SMN_VOTE_BAD_COUNT);
    assert_int_equal(smn_vote_sign(&v, &kp, 1, (const uint8_t(*)[32])h, 13), SMN_VOTE_BAD_COUNT);
    assert_int_equal(smn_vote_sign(&v, &kp, 1, (const uint8_t(*)[32])h, 12), SMN_VOTE_OK);
    memcpy(h[5], h[1], 32);
    assert_int_equal(smn_vote_sign(&v, &kp, 1, (const uint8_t(*)[32])h, 6),
                     SMN_VOTE_DUPLICATE_HASH);
}

static void wire_roundtrip(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(3, &kp);
    for (size_t n = 1; n <= SMN_VOTE_MAX_HASHES; n++) {
        uint8_t h[SMN_VOTE_MAX_HASHES][32];
        make_hashes(h, n);
        smn_vote v, d;
        assert_int_equal(smn_vote_sign(&v, &kp, SMN_VOTE_FINAL, (const uint8_t(*)[32])h, n),
                         SMN_VOTE_OK);
        uint8_t buf[SMN_VOTE_MAX_BYTES];
        size_t len = smn_vote_encode(&v, buf, sizeof buf);
        assert_int_equal(len, 105 + 32 * n);
        assert_int_equal(smn_vote_wire_size(&v), len);
        assert_memory_equal(buf, kp.pub, 32);
        assert_int_equal(buf[104], n);
        for (int i = 96; i < 104; i++)
            assert_int_equal(buf[i], 0xFF); /* final: u64 max, big-endian */
        assert_int_equal(smn_vote_decode(buf, len, &d), SMN_VOTE_OK);
        assert_memory_equal(&d, &v, sizeof v);
        assert_true(smn_vote_is_final(&d));
        assert_int_equal(smn_vote_verify(&d), SMN_VOTE_OK);
        /* truncated / extended */
        assert_int_equal(smn_vote_decode(buf, len - 1, &d), SMN_VOTE_SHORT);
        uint8_t big[SMN_VOTE_MAX_BYTES + 1];
        memcpy(big, buf, len);
        big[len] = 0;
        assert_int_equal(smn_vote_decode(big, len + 1, &d), SMN_VOTE_LONG);
        /* too small a buffer to encode */
        assert_int_equal(smn_vote_encode(&v, buf, len - 1), 0);
    }
}

static void decode_rejects(void **state)
{
    (void)state;
    uint8_t buf[SMN_VOTE_MAX_BYTES + 32];
    memset(buf, 0, sizeof buf);
    smn_vote v;
    assert_int_equal(smn_vote_decode(buf, 0, &v), SMN_VOTE_SHORT);
    assert_int_equal(smn_vote_decode(buf, 104, &v), SMN_VOTE_SHORT);
    buf[104] = 0;
    assert_int_equal(smn_vote_decode(buf, 105, &v), SMN_VOTE_BAD_COUNT);
    buf[104] = 13;
    assert_int_equal(smn_vote_decode(buf, 105 + 13 * 32, &v), SMN_VOTE_BAD_COUNT);
    buf[104] = 2;
    assert_int_equal(smn_vote_decode(buf, 105 + 32, &v), SMN_VOTE_SHORT);
    /* two zero hashes: a duplicate */
    assert_int_equal(smn_vote_decode(buf, 105 + 64, &v), SMN_VOTE_DUPLICATE_HASH);
    buf[105 + 32] = 1;
    assert_int_equal(smn_vote_decode(buf, 105 + 64, &v), SMN_VOTE_OK);
    /* decodes, but the zero signature does not verify */
    assert_int_equal(smn_vote_verify(&v), SMN_VOTE_BAD_SIGNATURE);
    assert_non_null(smn_vote_strerror(SMN_VOTE_LONG));
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sign_and_verify),        cmocka_unit_test(digest_layout),
        cmocka_unit_test(sign_rejects_bad_lists), cmocka_unit_test(wire_roundtrip),
        cmocka_unit_test(decode_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
