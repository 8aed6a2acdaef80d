/* Envelope: round trips for every kind, byte layouts, rejections one by
 * one, secretbox sealing and opaque handling under a wrong key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "procs/vm/codec/codec.h"
#include "procs/vm/codec/envelope.h"

static const uint8_t PID[8] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};

static vm_envelope base(vm_kind kind)
{
    vm_envelope e;
    memset(&e, 0, sizeof e);
    e.kind = (uint8_t)kind;
    if (kind != VM_KIND_DEPLOY)
        memcpy(e.program_id, PID, sizeof PID);
    e.session_id = 300;
    e.seq = 7;
    return e;
}

/* Encode, check the exact bytes when given, decode, re-encode identically. */
static vm_envelope round_trip(const vm_envelope *e, const uint8_t *want, size_t want_len,
                              uint8_t *buf, size_t *len)
{
    assert_int_equal(vm_envelope_encode(e, buf, 512, len), VM_ENV_OK);
    if (want) {
        assert_int_equal(*len, want_len);
        assert_memory_equal(buf, want, want_len);
    }
    vm_envelope d;
    assert_int_equal(vm_envelope_decode(buf, *len, &d), VM_ENV_OK);
    assert_int_equal(d.kind, e->kind);
    assert_memory_equal(d.program_id, e->program_id, 8);
    assert_int_equal(d.session_id, e->session_id);
    assert_int_equal(d.seq, e->seq);
    assert_false(d.opaque);
    uint8_t again[512];
    size_t l2;
    assert_int_equal(vm_envelope_encode(&d, again, sizeof again, &l2), VM_ENV_OK);
    assert_int_equal(l2, *len);
    assert_memory_equal(again, buf, l2);
    return d;
}

static void test_deploy(void **state)
{
    (void)state;
    vm_envelope e = base(VM_KIND_DEPLOY);
    static const uint8_t code[] = {0xde, 0xad, 0xbe, 0xef};
    e.body.deploy.code_kind = VM_CODE_BYTECODE;
    e.body.deploy.code = code;
    e.body.deploy.code_len = sizeof code;
    /* kind, 8 zero id bytes, session 300 = ac 02, seq 7, code kind, code */
    static const uint8_t want[] = {0x01, 0,    0,    0,    0,    0,    0,    0,   0,
                                   0xac, 0x02, 0x07, 0x01, 0xde, 0xad, 0xbe, 0xef};
    uint8_t buf[512];
    size_t len;
    vm_envelope d = round_trip(&e, want, sizeof want, buf, &len);
    assert_int_equal(d.body.deploy.code_kind, VM_CODE_BYTECODE);
    assert_int_equal(d.body.deploy.code_len, 4);
    assert_ptr_equal(d.body.deploy.code, buf + 13);

    buf[1] = 1; /* deploy names no program */
    assert_int_equal(vm_envelope_decode(buf, len, &d), VM_ENV_ERR_DEPLOY_ID);
    buf[1] = 0;
    buf[12] = 2;
    assert_int_equal(vm_envelope_decode(buf, len, &d), VM_ENV_ERR_CODE_KIND);
    buf[12] = 0;
    assert_int_equal(vm_envelope_decode(buf, 13, &d), VM_ENV_ERR_EMPTY_CODE);
    assert_int_equal(vm_envelope_decode(buf, 12, &d), VM_ENV_ERR_TRUNCATED);
}

static void test_call(void **state)
{
    (void)state;
    vm_envelope e = base(VM_KIND_CALL);
    vm_call_body *c = &e.body.call;
    c->method = 3;
    c->iteration = 1;
    c->width[0] = VM_ARG_U8;
    c->arg[0] = smn_amount_from_u64(0xfe);
    c->width[2] = VM_ARG_U32;
    c->arg[2] = smn_amount_from_u64(0x01020304);
    c->width[4] = VM_ARG_U128;
    c->arg[4] = smn_amount_make(0x1112131415161718ull, 0x191a1b1c1d1e1f20ull);
    /* spec: arg0 u8 (1), arg2 u32 (3 << 6), arg4 u128 (5 << 12) = 0x50c1 */
    static const uint8_t want[] = {0x02, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xac,
                                   0x02, 0x07, 0x03, 0x01, 0x50, 0xc1, 0xfe, 0x01, 0x02, 0x03,
                                   0x04, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
                                   0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20};
    uint8_t buf[512];
    size_t len;
    vm_envelope d = round_trip(&e, want, sizeof want, buf, &len);
    assert_int_equal(d.body.call.method, 3);
    assert_int_equal(d.body.call.width[1], VM_ARG_ABSENT);
    assert_true(smn_amount_eq(d.body.call.arg[4], c->arg[4]));

    /* No arguments: method, iteration, 00 00. */
    vm_envelope bare = base(VM_KIND_CALL);
    round_trip(&bare, NULL, 0, buf, &len);
    assert_int_equal(len, 12 + 4);

    vm_envelope x;
    memcpy(buf, want, sizeof want);
    buf[14] = 0x80; /* reserved spec bit */
    assert_int_equal(vm_envelope_decode(buf, sizeof want, &x), VM_ENV_ERR_ARG_SPEC);
    buf[14] = 0x50;
    buf[15] = 0xc6; /* arg0 width code 6: wider than u128 */
    assert_int_equal(vm_envelope_decode(buf, sizeof want, &x), VM_ENV_ERR_ARG_WIDTH);
    buf[15] = 0xc1;
    assert_int_equal(vm_envelope_decode(buf, sizeof want - 1, &x), VM_ENV_ERR_TRUNCATED);
    buf[sizeof want] = 0;
    assert_int_equal(vm_envelope_decode(buf, sizeof want + 1, &x), VM_ENV_ERR_TRAILING);

    /* Encoder refuses a value that does not fit its width. */
    c->arg[0] = smn_amount_from_u64(0x1ff);
    assert_int_equal(vm_envelope_encode(&e, buf, sizeof buf, &len), VM_ENV_ERR_ARG);
}

static void test_state(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t len;
    vm_envelope e = base(VM_KIND_STATE);
    e.body.state.op = VM_STATE_SET;
    e.body.state.data = (const uint8_t *)"abc";
    e.body.state.data_len = 3;
    vm_envelope d = round_trip(&e, NULL, 0, buf, &len);
    assert_int_equal(len, 12 + 1 + 3);
    assert_memory_equal(d.body.state.data, "abc", 3);

    e.body.state.op = VM_STATE_SUPERSEDE;
    e.body.state.target_seq = 5;
    d = round_trip(&e, NULL, 0, buf, &len);
    assert_int_equal(d.body.state.target_seq, 5);
    assert_int_equal(d.body.state.data_len, 3);

    e.body.state.op = VM_STATE_INVALIDATE;
    e.body.state.data = NULL;
    e.body.state.data_len = 0;
    d = round_trip(&e, NULL, 0, buf, &len);
    assert_int_equal(len, 12 + 2);
    assert_int_equal(d.body.state.op, VM_STATE_INVALIDATE);
    buf[len] = 1;
    assert_int_equal(vm_envelope_decode(buf, len + 1, &d), VM_ENV_ERR_TRAILING);
    buf[12] = 3;
    assert_int_equal(vm_envelope_decode(buf, len, &d), VM_ENV_ERR_STATE_OP);
}

static void test_attest_commit_burn(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t len;
    vm_envelope e = base(VM_KIND_ATTEST);
    memset(e.body.attest.subject, 0x33, 32);
    e.body.attest.claim = (const uint8_t *)"kyc";
    e.body.attest.claim_len = 3;
    vm_envelope d = round_trip(&e, NULL, 0, buf, &len);
    assert_memory_equal(d.body.attest.subject, e.body.attest.subject, 32);
    assert_int_equal(vm_envelope_decode(buf, 12 + 31, &d), VM_ENV_ERR_TRUNCATED);

    e = base(VM_KIND_COMMIT);
    memset(e.body.commit.state_root, 0x44, 32);
    e.body.commit.height = UINT64_MAX;
    d = round_trip(&e, NULL, 0, buf, &len);
    assert_true(d.body.commit.height == UINT64_MAX);
    assert_int_equal(len, 12 + 32 + 10);
    buf[len - 1] = 0x02; /* 10th varint byte may only carry bit 63 */
    assert_int_equal(vm_envelope_decode(buf, len, &d), VM_ENV_ERR_VARINT_OVERFLOW);

    e = base(VM_KIND_BURN_MINT);
    d = round_trip(&e, NULL, 0, buf, &len);
    assert_false(d.body.burn_mint.has_recipient);
    assert_int_equal(len, 12);
    e.body.burn_mint.has_recipient = true;
    memset(e.body.burn_mint.recipient, 0x55, 32);
    d = round_trip(&e, NULL, 0, buf, &len);
    assert_true(d.body.burn_mint.has_recipient);
    assert_int_equal(vm_envelope_decode(buf, 12 + 5, &d), VM_ENV_ERR_BURN_TARGET);
    buf[len] = 0;
    assert_int_equal(vm_envelope_decode(buf, len + 1, &d), VM_ENV_ERR_TRAILING);
}

static void test_header_rejections(void **state)
{
    (void)state;
    vm_envelope d;
    uint8_t b[16] = {0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x00, 0x00};
    assert_int_equal(vm_envelope_decode(b, 11, &d), VM_ENV_OK);
    assert_int_equal(vm_envelope_decode(b, 0, &d), VM_ENV_ERR_TRUNCATED);
    assert_int_equal(vm_envelope_decode(b, 10, &d), VM_ENV_ERR_TRUNCATED);
    b[0] = 0x07;
    assert_int_equal(vm_envelope_decode(b, 11, &d), VM_ENV_ERR_UNKNOWN_KIND);
    b[0] = 0x00;
    assert_int_equal(vm_envelope_decode(b, 11, &d), VM_ENV_ERR_UNKNOWN_KIND);
    b[0] = 0x26;
    assert_int_equal(vm_envelope_decode(b, 11, &d), VM_ENV_ERR_RESERVED_FLAGS);
    b[0] = 0x06;
    /* session 0 written as 80 00: not the shortest form */
    uint8_t l[] = {0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0x00, 0x00};
    assert_int_equal(vm_envelope_decode(l, sizeof l, &d), VM_ENV_ERR_VARINT_LONG);
    /* session 2^32: beyond u32 */
    uint8_t o[] = {0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00};
    assert_int_equal(vm_envelope_decode(o, sizeof o, &d), VM_ENV_ERR_VARINT_OVERFLOW);
    uint8_t m[] = {0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
    assert_int_equal(vm_envelope_decode(m, sizeof m, &d), VM_ENV_OK);
    assert_true(d.session_id == UINT32_MAX);
    assert_string_equal(vm_env_strerror(VM_ENV_ERR_UNKNOWN_KIND), "unknown message kind");
    assert_string_equal(vm_kind_name(VM_KIND_BURN_MINT), "burn-mint");
}

static void test_encrypted(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    uint8_t key[32], wrong[32], nonce[24];
    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)i;
        wrong[i] = (uint8_t)(i + 1);
    }
    memset(nonce, 0x5a, sizeof nonce);
    vm_envelope e = base(VM_KIND_STATE);
    e.body.state.op = VM_STATE_SET;
    e.body.state.data = (const uint8_t *)"secret state";
    e.body.state.data_len = 12;
    uint8_t buf[512];
    size_t len;
    assert_int_equal(vm_envelope_encode_encrypted(&e, key, nonce, buf, sizeof buf, &len),
                     VM_ENV_OK);
    assert_int_equal(len, 12 + 24 + 16 + 1 + 12);
    assert_int_equal(buf[0], VM_ENVELOPE_FLAG_ENCRYPTED | VM_KIND_STATE);
    assert_null(memmem(buf, len, "secret", 6));

    vm_envelope o;
    assert_int_equal(vm_envelope_decode(buf, len, &o), VM_ENV_OK);
    assert_true(o.opaque);
    assert_int_equal(o.kind, VM_KIND_STATE);
    assert_int_equal(o.seq, 7);
    assert_int_equal(o.cipher_len, 16 + 13);
    assert_memory_equal(o.nonce, nonce, 24);

    /* Wrong key: an error, and the opaque envelope is what the caller keeps. */
    uint8_t plain[64];
    vm_envelope p;
    memset(&p, 0x77, sizeof p);
    assert_int_equal(vm_envelope_decrypt(&o, wrong, plain, sizeof plain, &p), VM_ENV_ERR_DECRYPT);
    assert_int_equal(((uint8_t *)&p)[0], 0x77);
    assert_true(o.opaque);

    assert_int_equal(vm_envelope_decrypt(&o, key, plain, 5, &p), VM_ENV_ERR_BUFFER);
    assert_int_equal(vm_envelope_decrypt(&o, key, plain, sizeof plain, &p), VM_ENV_OK);
    assert_false(p.opaque);
    assert_int_equal(p.body.state.data_len, 12);
    assert_memory_equal(p.body.state.data, "secret state", 12);

    /* Tampered ciphertext fails authentication. */
    buf[len - 1] ^= 1;
    assert_int_equal(vm_envelope_decode(buf, len, &o), VM_ENV_OK);
    assert_int_equal(vm_envelope_decrypt(&o, key, plain, sizeof plain, &p), VM_ENV_ERR_DECRYPT);
    /* Too short to hold a MAC. */
    assert_int_equal(vm_envelope_decode(buf, 12 + 24 + 15, &o), VM_ENV_ERR_TRUNCATED);

    vm_envelope clear = base(VM_KIND_BURN_MINT);
    assert_int_equal(vm_envelope_encode(&clear, buf, sizeof buf, &len), VM_ENV_OK);
    assert_int_equal(vm_envelope_decode(buf, len, &o), VM_ENV_OK);
    assert_int_equal(vm_envelope_decrypt(&o, key, plain, sizeof plain, &p),
                     VM_ENV_ERR_NOT_ENCRYPTED);
}

/* The envelope travels through the codec unchanged. */
static void test_through_codec(void **state)
{
    (void)state;
    vm_envelope e = base(VM_KIND_CALL);
    e.body.call.method = 1;
    e.body.call.width[0] = VM_ARG_U64;
    e.body.call.arg[0] = smn_amount_from_u64(1000000);
    uint8_t buf[64], out[64];
    size_t len, olen;
    assert_int_equal(vm_envelope_encode(&e, buf, sizeof buf, &len), VM_ENV_OK);
    vm_chunk chunks[8];
    size_t n;
    assert_int_equal(vm_codec_encode(buf, len, chunks, 8, &n), VM_CODEC_OK);
    assert_int_equal(n, 3); /* 24 envelope bytes + 8 header bytes */
    assert_int_equal(vm_codec_decode(chunks, n, VM_CODEC_STRICT, out, sizeof out, &olen),
                     VM_CODEC_OK);
    vm_envelope d;
    assert_int_equal(vm_envelope_decode(out, olen, &d), VM_ENV_OK);
    assert_true(smn_amount_eq(d.body.call.arg[0], smn_amount_from_u64(1000000)));
}

static void test_encode_buffer(void **state)
{
    (void)state;
    vm_envelope e = base(VM_KIND_COMMIT);
    uint8_t buf[8];
    size_t len = 0;
    assert_int_equal(vm_envelope_encode(&e, buf, sizeof buf, &len), VM_ENV_ERR_BUFFER);
    assert_int_equal(len, 12 + 32 + 1);
    e.kind = 9;
    assert_int_equal(vm_envelope_encode(&e, buf, sizeof buf, &len), VM_ENV_ERR_UNKNOWN_KIND);
    e.kind = VM_KIND_DEPLOY;
    assert_int_equal(vm_envelope_encode(&e, buf, sizeof buf, &len), VM_ENV_ERR_DEPLOY_ID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deploy),
        cmocka_unit_test(test_call),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_attest_commit_burn),
        cmocka_unit_test(test_header_rejections),
        cmocka_unit_test(test_encrypted),
        cmocka_unit_test(test_through_codec),
        cmocka_unit_test(test_encode_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
