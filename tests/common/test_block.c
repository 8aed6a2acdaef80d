#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/block.h"
#include "common/hex.h"
#include "common/network.h"
#include "tests/common/vectors.h"

/* The send vector of docs/protocol.md, signed and with work. */
static void send_vector(smn_block *b)
{
    memset(b, 0, sizeof *b);
    assert_true(smn_hex_decode(DEV_PUB, b->account, 32));
    assert_true(smn_hex_decode(SEND_PREVIOUS, b->previous, 32));
    memcpy(b->representative, b->account, 32);
    assert_int_equal(smn_amount_parse_raw(SEND_BALANCE, &b->balance), SMN_AMOUNT_OK);
    assert_true(smn_hex_decode(SEND_LINK, b->link, 32));
    assert_true(smn_hex_decode(SEND_SIG, b->signature, 64));
    b->work = SEND_WORK;
}

static void test_hash_vector(void **state)
{
    (void)state;
    smn_block b;
    send_vector(&b);
    uint8_t h[32], want[32];
    smn_block_hash(&b, h);
    assert_true(smn_hex_decode(SEND_HASH, want, 32));
    assert_memory_equal(h, want, 32);
}

static void test_hash_is_blake2b_of_preamble_and_fields(void **state)
{
    (void)state;
    smn_block b;
    send_vector(&b);
    uint8_t buf[32 + 32 * 3 + 16 + 32] = {0}, want[32], got[32];
    buf[31] = 6;
    memcpy(buf + 32, b.account, 32);
    memcpy(buf + 64, b.previous, 32);
    memcpy(buf + 96, b.representative, 32);
    smn_amount_to_be(b.balance, buf + 128);
    memcpy(buf + 144, b.link, 32);
    crypto_generichash(want, 32, buf, sizeof buf, NULL, 0);
    smn_block_hash(&b, got);
    assert_memory_equal(got, want, 32);
}

static void test_hash_covers_fields_not_sig_work(void **state)
{
    (void)state;
    smn_block b, c;
    uint8_t h0[32], h1[32];
    send_vector(&b);
    smn_block_hash(&b, h0);
    uint8_t *fields[] = {c.account, c.previous, c.representative, c.link};
    for (int f = 0; f < 4; f++) {
        c = b;
        fields[f][31] ^= 1;
        smn_block_hash(&c, h1);
        assert_memory_not_equal(h0, h1, 32);
    }
    c = b;
    c.balance = smn_amount_add_wrap(c.balance, smn_amount_from_u64(1));
    smn_block_hash(&c, h1);
    assert_memory_not_equal(h0, h1, 32);
    c = b;
    c.signature[0] ^= 1;
    c.work ^= 1;
    smn_block_hash(&c, h1);
    assert_memory_equal(h0, h1, 32);
}

static void test_sign_verify(void **state)
{
    (void)state;
    smn_block b;
    send_vector(&b);
    assert_true(smn_block_verify_signature(&b));
    uint8_t sig[64];
    memcpy(sig, b.signature, 64);
    memset(b.signature, 0, 64);
    smn_keypair kp;
    smn_key_expand(smn_network_dev_genesis_key(), &kp);
    smn_block_sign(&b, &kp);
    /* Ed25519 is deterministic: re-signing reproduces the vector. */
    assert_memory_equal(b.signature, sig, 64);
    /* Work is not signed. */
    b.work = 0;
    assert_true(smn_block_verify_signature(&b));
    b.balance = smn_amount_sub_wrap(b.balance, smn_amount_from_u64(1));
    assert_false(smn_block_verify_signature(&b));
    b.balance = smn_amount_add_wrap(b.balance, smn_amount_from_u64(1));
    b.signature[10] ^= 4;
    assert_false(smn_block_verify_signature(&b));
    /* A key other than the account's does not verify. */
    smn_keypair other;
    smn_key_create(&other);
    smn_block_sign(&b, &other);
    assert_false(smn_block_verify_signature(&b));
}

static void test_root_and_open(void **state)
{
    (void)state;
    smn_block b;
    send_vector(&b);
    assert_false(smn_block_is_open(&b));
    assert_ptr_equal(smn_block_root(&b), b.previous);
    memset(b.previous, 0, 32);
    assert_true(smn_block_is_open(&b));
    assert_ptr_equal(smn_block_root(&b), b.account);
    uint8_t z[32] = {0};
    assert_true(smn_is_zero32(z));
    z[31] = 1;
    assert_false(smn_is_zero32(z));
}

static void test_wire_layout(void **state)
{
    (void)state;
    smn_block b, back;
    send_vector(&b);
    uint8_t w[SMN_BLOCK_WIRE_BYTES];
    smn_block_serialize(&b, w);
    assert_memory_equal(w + 0, b.account, 32);
    assert_memory_equal(w + 32, b.previous, 32);
    assert_memory_equal(w + 64, b.representative, 32);
    uint8_t bal[16];
    smn_amount_to_be(b.balance, bal);
    assert_memory_equal(w + 96, bal, 16);
    assert_memory_equal(w + 112, b.link, 32);
    assert_memory_equal(w + 144, b.signature, 64);
    const uint8_t work_be[8] = {0x4E, 0x21, 0x69, 0xC8, 0x2C, 0xC3, 0x5E, 0x29};
    assert_memory_equal(w + 208, work_be, 8);
    memset(&back, 0xAA, sizeof back);
    assert_int_equal(smn_block_deserialize(w, sizeof w, &back), SMN_BLOCK_OK);
    assert_memory_equal(back.account, b.account, 32);
    assert_memory_equal(back.previous, b.previous, 32);
    assert_memory_equal(back.representative, b.representative, 32);
    assert_true(smn_amount_eq(back.balance, b.balance));
    assert_memory_equal(back.link, b.link, 32);
    assert_memory_equal(back.signature, b.signature, 64);
    assert_true(back.work == b.work);
}

static void test_wire_lengths(void **state)
{
    (void)state;
    uint8_t w[SMN_BLOCK_WIRE_BYTES + 1] = {0};
    smn_block b;
    assert_int_equal(smn_block_deserialize(w, 0, &b), SMN_BLOCK_SHORT);
    assert_int_equal(smn_block_deserialize(w, SMN_BLOCK_WIRE_BYTES - 1, &b), SMN_BLOCK_SHORT);
    assert_int_equal(smn_block_deserialize(w, SMN_BLOCK_WIRE_BYTES + 1, &b), SMN_BLOCK_LONG);
    assert_int_equal(smn_block_deserialize(w, SMN_BLOCK_WIRE_BYTES, &b), SMN_BLOCK_OK);
    assert_string_equal(smn_block_strerror(SMN_BLOCK_SHORT), "fewer bytes than a block");
    assert_string_equal(smn_block_strerror(SMN_BLOCK_LONG), "more bytes than a block");
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_vector),
        cmocka_unit_test(test_hash_is_blake2b_of_preamble_and_fields),
        cmocka_unit_test(test_hash_covers_fields_not_sig_work),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_root_and_open),
        cmocka_unit_test(test_wire_layout),
        cmocka_unit_test(test_wire_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
