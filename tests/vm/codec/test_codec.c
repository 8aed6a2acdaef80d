/* NanoVM amount codec: vectors, round trips, strict rejections one by one,
 * lenient acceptance, text forms and the streaming header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "procs/vm/codec/codec.h"
#include "procs/vm/codec/digits.h"
#include "procs/vm/codec/radix.h"

static uint64_t prng_state = 0x243F6A8885A308D3ull;
static uint64_t prng(void)
{
    /* splitmix64: deterministic, so a failure reproduces */
    uint64_t z = (prng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)prng();
}

/* Encode into a fresh array; returns the count. */
static size_t enc(const uint8_t *p, size_t n, vm_chunk **out)
{
    size_t cap = vm_codec_chunks_for_payload(n), got = 0;
    *out = calloc(cap + 2, sizeof **out);
    assert_int_equal(vm_codec_encode(p, n, *out, cap, &got), VM_CODEC_OK);
    assert_int_equal(got, cap);
    return got;
}

/* Chunks of an arbitrary frame (no header checks): how malformed frames
 * are produced for the rejection tests. */
static size_t frame_chunks(const uint8_t *frame, size_t n, vm_chunk *out)
{
    uint8_t digits[256];
    size_t d = 0;
    assert_int_equal(vm_radix_bytes_to_base99(frame, n, digits, sizeof digits, &d), 0);
    size_t nc = (d + 14) / 15;
    for (size_t c = 0; c < nc; c++) {
        for (size_t i = 0; i < 15; i++) {
            size_t k = c * 15 + i;
            int v = k < d ? digits[k] : 99;
            out[c].text[2 * i] = (char)('0' + v / 10);
            out[c].text[2 * i + 1] = (char)('0' + v % 10);
        }
        out[c].text[30] = '\0';
    }
    return nc;
}

static size_t make_frame(uint8_t *f, const char *magic, uint32_t len_field, size_t real_len)
{
    memcpy(f, magic, 4);
    f[4] = (uint8_t)(len_field >> 24);
    f[5] = (uint8_t)(len_field >> 16);
    f[6] = (uint8_t)(len_field >> 8);
    f[7] = (uint8_t)len_field;
    for (size_t i = 0; i < real_len; i++)
        f[8 + i] = (uint8_t)(0x41 + i);
    return 8 + real_len;
}

static vm_codec_status dec(const vm_chunk *c, size_t n, vm_codec_mode mode, uint8_t *out,
                           size_t *len)
{
    return vm_codec_decode(c, n, mode, out, VM_CODEC_MAX_PAYLOAD, len);
}

static uint8_t big_out[VM_CODEC_MAX_PAYLOAD];

/* Vectors from tests/vm/codec/ref_converter.py (converter.js's algorithm). */
static void test_known_vectors(void **state)
{
    (void)state;
    vm_chunk *c;
    size_t n = enc(NULL, 0, &c);
    assert_int_equal(n, 1);
    assert_string_equal(c[0].text, "061773105057391641899999999999");
    assert_true(
        smn_amount_eq(c[0].raw, smn_amount_add_wrap(smn_amount_of_u128(smn_u128_mul_64x64(
                                                        6177310505739164ull, 10000000000000ull)),
                                                    smn_amount_from_u64(1899999999999ull))));
    vm_chunk r;
    vm_chunk_from_raw(c[0].raw, &r);
    assert_string_equal(r.text, c[0].text);
    free(c);

    n = enc((const uint8_t *)"hello", 5, &c);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].text, "072141708033880511527732939236");
    assert_string_equal(c[1].text, "359999999999999999999999999999");
    free(c);

    uint8_t seq[40];
    for (int i = 0; i < 40; i++)
        seq[i] = (uint8_t)i;
    n = enc(seq, 40, &c);
    assert_int_equal(n, 4);
    assert_string_equal(c[0].text, "213776884779304000579567927141");
    assert_string_equal(c[1].text, "525533582019847215065172254094");
    assert_string_equal(c[2].text, "840008619047748647654507900444");
    assert_string_equal(c[3].text, "553864292926017194375621219999");
    free(c);
}

static void test_round_trip_random(void **state)
{
    (void)state;
    static uint8_t in[2001];
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = iter < 200 ? (size_t)iter : (size_t)(prng() % 2001);
        fill_random(in, n);
        vm_chunk *c;
        size_t nc = enc(in, n, &c);
        for (size_t i = 0; i < nc; i++) {
            vm_chunk r;
            vm_chunk_from_raw(c[i].raw, &r);
            assert_string_equal(r.text, c[i].text);
            assert_true(smn_amount_lt(c[i].raw, smn_amount_of_u128(smn_u128_mul_64x64(
                                                    1000000000000000ull, 1000000000000000ull))));
        }
        size_t len = 0;
        assert_int_equal(dec(c, nc, VM_CODEC_STRICT, big_out, &len), VM_CODEC_OK);
        assert_int_equal(len, n);
        assert_memory_equal(big_out, in, n);
        assert_int_equal(dec(c, nc, VM_CODEC_LENIENT, big_out, &len), VM_CODEC_OK);
        assert_int_equal(len, n);
        free(c);
    }
}

/* The O(1) digit formula agrees with the conversion at both ends of every
 * length's range (all-zero and all-0xff payloads). */
static void test_digit_count_formula(void **state)
{
    (void)state;
    static uint8_t in[2049];
    for (size_t n = 0; n <= 2048; n++) {
        for (int fill = 0; fill < 2; fill++) {
            memset(in, fill ? 0xff : 0x00, n);
            vm_chunk *c;
            size_t nc = enc(in, n, &c);
            size_t pad = 0;
            for (size_t i = 0; i < 15 && c[nc - 1].text[2 * (14 - i)] == '9' &&
                               c[nc - 1].text[2 * (14 - i) + 1] == '9';
                 i++)
                pad++;
            assert_int_equal(nc * 15 - pad, vm_codec_digits_for_payload(n));
            free(c);
        }
    }
    assert_int_equal(vm_codec_chunks_for_payload(0), 1);
    assert_int_equal(vm_codec_chunks_for_payload(5), 2);
    assert_int_equal(vm_codec_chunks_for_payload(VM_CODEC_MAX_PAYLOAD + 1), 0);
}

static void test_max_payload(void **state)
{
    (void)state;
    uint8_t *in = malloc(VM_CODEC_MAX_PAYLOAD + 1);
    fill_random(in, VM_CODEC_MAX_PAYLOAD + 1);
    vm_chunk *c;
    size_t nc = enc(in, VM_CODEC_MAX_PAYLOAD, &c);
    size_t len = 0;
    assert_int_equal(dec(c, nc, VM_CODEC_STRICT, big_out, &len), VM_CODEC_OK);
    assert_int_equal(len, VM_CODEC_MAX_PAYLOAD);
    assert_memory_equal(big_out, in, len);
    uint32_t hl;
    size_t hn;
    assert_int_equal(vm_codec_read_header(&c[0], &hl, &hn), VM_CODEC_OK);
    assert_int_equal(hl, VM_CODEC_MAX_PAYLOAD);
    assert_int_equal(hn, nc);
    free(c);
    size_t got = 0;
    vm_chunk one;
    assert_int_equal(vm_codec_encode(in, VM_CODEC_MAX_PAYLOAD + 1, &one, 1, &got),
                     VM_CODEC_ERR_PAYLOAD_LIMIT);
    /* Too small an output array says how many are needed. */
    assert_int_equal(vm_codec_encode(in, 100, &one, 1, &got), VM_CODEC_ERR_BUFFER);
    assert_int_equal(got, vm_codec_chunks_for_payload(100));
    free(in);
}

static void test_header_from_first_chunk(void **state)
{
    (void)state;
    static uint8_t in[3000];
    for (size_t n = 0; n <= 2100; n++) {
        fill_random(in, n);
        if (n % 3 == 1)
            memset(in, n % 2 ? 0xff : 0, n);
        vm_chunk *c;
        size_t nc = enc(in, n, &c);
        uint32_t len;
        size_t want;
        assert_int_equal(vm_codec_read_header(&c[0], &len, &want), VM_CODEC_OK);
        assert_int_equal(len, n);
        assert_int_equal(want, nc);
        free(c);
    }
    vm_chunk junk;
    memcpy(junk.text, "123456789012345678901234567890", 31);
    uint32_t len;
    size_t want;
    assert_int_equal(vm_codec_read_header(&junk, &len, &want), VM_CODEC_ERR_BAD_MAGIC);
}

static int cmp_range(const void *a, const void *b)
{
    const smn_u128 *x = a, *y = b;
    return smn_u128_cmp(x[0], y[0]);
}

/* No first chunk can belong to two lengths: the header is unambiguous for
 * every length up to the limit. */
static void test_first_chunk_ranges_disjoint(void **state)
{
    (void)state;
    size_t cap = VM_CODEC_MAX_PAYLOAD + 1;
    smn_u128 *r = malloc(cap * 2 * sizeof *r);
    vm_first_chunk_iter it;
    vm_first_chunk_iter_init(&it);
    size_t k = 0;
    smn_u128 lo99 = smn_u128_from_u64(1), hi99;
    for (int i = 0; i < 14; i++)
        lo99 = smn_u128_mul_wrap(lo99, smn_u128_from_u64(99));
    hi99 = smn_u128_mul_wrap(lo99, smn_u128_from_u64(99));
    for (;;) {
        vm_first_chunk_iter_range(&it, &r[2 * k], &r[2 * k + 1]);
        assert_true(smn_u128_ge(r[2 * k], smn_u128_sub_wrap(lo99, smn_u128_from_u64(1))) &&
                    smn_u128_le(r[2 * k + 1], hi99));
        assert_true(smn_u128_lt(r[2 * k], r[2 * k + 1]));
        k++;
        if (it.len == VM_CODEC_MAX_PAYLOAD)
            break;
        vm_first_chunk_iter_next(&it);
    }
    qsort(r, k, 2 * sizeof *r, cmp_range);
    for (size_t i = 1; i < k; i++)
        assert_true(smn_u128_lt(r[2 * (i - 1) + 1], r[2 * i]));
    free(r);
}

static void corrupt_digit(vm_chunk *c, size_t i, const char two[2])
{
    c->text[2 * i] = two[0];
    c->text[2 * i + 1] = two[1];
}

/* A payload length whose frame fills its last chunk exactly. */
static size_t unpadded_len(void)
{
    for (size_t n = 10;; n++)
        if (vm_codec_digits_for_payload(n) % 15 == 0)
            return n;
}

static void test_strict_rejections(void **state)
{
    (void)state;
    static uint8_t in[200];
    fill_random(in, sizeof in);
    size_t len;
    vm_chunk *c;
    size_t nc = enc(in, 100, &c); /* 9 chunks */
    assert_true(nc >= 3);

    assert_int_equal(dec(c, 0, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_NO_CHUNKS);

    vm_chunk save = c[1];
    c[1].text[7] = 'x';
    assert_int_equal(dec(c, nc, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_NON_DIGIT);
    c[1] = save;
    corrupt_digit(&c[1], 4, "99");
    assert_int_equal(dec(c, nc, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_PAD_MISPLACED);
    c[1] = save;

    save = c[0];
    corrupt_digit(&c[0], 0, "00");
    assert_int_equal(dec(c, nc, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_LEADING_ZERO);
    c[0] = save;

    /* Last chunk: "...99 05 99..." */
    save = c[nc - 1];
    size_t first_pad = 0;
    while (memcmp(&c[nc - 1].text[2 * first_pad], "99", 2) != 0)
        first_pad++;
    assert_true(first_pad < 14);
    corrupt_digit(&c[nc - 1], first_pad + 1, "05");
    assert_int_equal(dec(c, nc, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_DIGIT_AFTER_PAD);
    c[nc - 1] = save;

    /* Dropping a chunk, or adding one. */
    assert_int_equal(dec(c, nc - 1, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_TOO_FEW_CHUNKS);
    assert_int_equal(dec(c, 1, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_TOO_FEW_CHUNKS);
    free(c);

    size_t un = unpadded_len();
    nc = enc(in, un, &c);
    c = realloc(c, (nc + 1) * sizeof *c);
    memset(c[nc].text, '9', 30);
    c[nc].text[30] = '\0';
    assert_int_equal(dec(c, nc + 1, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_EMPTY_CHUNK);
    memcpy(c[nc].text, "010101010101010101010101010101", 31);
    assert_int_equal(dec(c, nc + 1, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_TOO_MANY_CHUNKS);
    free(c);

    /* Frame-level faults. */
    uint8_t f[64];
    vm_chunk fc[8];
    size_t fl = make_frame(f, "NVM2", 4, 4);
    size_t fn = frame_chunks(f, fl, fc);
    assert_int_equal(dec(fc, fn, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_BAD_MAGIC);
    assert_int_equal(dec(fc, fn, VM_CODEC_LENIENT, big_out, &len), VM_CODEC_ERR_BAD_MAGIC);
    fn = frame_chunks((const uint8_t *)"NVM1", 4, fc);
    assert_int_equal(dec(fc, fn, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_TOO_SHORT);
    fl = make_frame(f, "NVM1", 20, 10);
    fn = frame_chunks(f, fl, fc);
    assert_int_equal(dec(fc, fn, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_TRUNCATED);
    assert_int_equal(dec(fc, fn, VM_CODEC_LENIENT, big_out, &len), VM_CODEC_ERR_TRUNCATED);
    fl = make_frame(f, "NVM1", 5, 7);
    fn = frame_chunks(f, fl, fc);
    assert_int_equal(dec(fc, fn, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_TRAILING_BYTES);
    assert_int_equal(dec(fc, fn, VM_CODEC_LENIENT, big_out, &len), VM_CODEC_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(big_out, "ABCDE", 5);
    fl = make_frame(f, "NVM1", 70000, 3);
    fn = frame_chunks(f, fl, fc);
    assert_int_equal(dec(fc, fn, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_PAYLOAD_LIMIT);

    /* Output buffer too small reports the needed length. */
    nc = enc(in, 50, &c);
    assert_int_equal(vm_codec_decode(c, nc, VM_CODEC_STRICT, big_out, 10, &len),
                     VM_CODEC_ERR_BUFFER);
    assert_int_equal(len, 50);
    free(c);
    assert_string_equal(vm_codec_strerror(VM_CODEC_ERR_LEADING_ZERO),
                        "first chunk starts with a leading zero digit (00)");
}

/* Lenient reads what converter.js reads. */
static void test_lenient(void **state)
{
    (void)state;
    size_t len = 99;
    assert_int_equal(dec(NULL, 0, VM_CODEC_LENIENT, big_out, &len), VM_CODEC_OK);
    assert_int_equal(len, 0);
    vm_chunk z;
    vm_chunk_from_raw(smn_amount_from_u64(0), &z);
    assert_int_equal(dec(&z, 1, VM_CODEC_LENIENT, big_out, &len), VM_CODEC_OK);
    assert_int_equal(len, 0);
    assert_int_equal(dec(&z, 1, VM_CODEC_STRICT, big_out, &len), VM_CODEC_ERR_LEADING_ZERO);

    vm_chunk *c;
    size_t nc = enc((const uint8_t *)"hello", 5, &c);
    /* A leading all-zero chunk and a 99 inside a digit run. */
    vm_chunk l[4];
    memcpy(l[0].text, "000000000000000000000000000099", 31);
    memcpy(l[1].text, "990721417080338805115277329392", 31);
    memcpy(l[2].text, "363599999999999999999999999999", 31);
    assert_int_equal(dec(l, 3, VM_CODEC_LENIENT, big_out, &len), VM_CODEC_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(big_out, "hello", 5);
    assert_int_not_equal(dec(l, 3, VM_CODEC_STRICT, big_out, &len), VM_CODEC_OK);
    free(c);
    (void)nc;
}

static void test_chunk_text_forms(void **state)
{
    (void)state;
    vm_chunk c;
    const char *full = "072141708033880511527732939236";
    assert_int_equal(vm_chunk_parse(full, 30, VM_CODEC_STRICT, &c), VM_CODEC_OK);
    assert_string_equal(c.text, full);
    assert_int_equal(vm_chunk_parse("0.072141708033880511527732939236", 32, VM_CODEC_STRICT, &c),
                     VM_CODEC_OK);
    assert_string_equal(c.text, full);
    /* Raw without its leading zero, and a whole smn on top. */
    assert_int_equal(vm_chunk_parse("72141708033880511527732939236", 29, VM_CODEC_STRICT, &c),
                     VM_CODEC_OK);
    assert_string_equal(c.text, full);
    assert_int_equal(vm_chunk_parse("5072141708033880511527732939236", 31, VM_CODEC_STRICT, &c),
                     VM_CODEC_OK);
    assert_string_equal(c.text, full);
    assert_int_equal(vm_chunk_parse("12.07214170803388051152773293923", 32, VM_CODEC_STRICT, &c),
                     VM_CODEC_OK);
    assert_string_equal(c.text, "072141708033880511527732939230");
    assert_int_equal(vm_chunk_parse("0.5", 3, VM_CODEC_STRICT, &c), VM_CODEC_OK);
    assert_string_equal(c.text, "500000000000000000000000000000");
    assert_int_equal(vm_chunk_parse("", 0, VM_CODEC_STRICT, &c), VM_CODEC_ERR_CHUNK_SYNTAX);
    assert_int_equal(vm_chunk_parse("12a", 3, VM_CODEC_STRICT, &c), VM_CODEC_ERR_CHUNK_SYNTAX);
    assert_int_equal(vm_chunk_parse("1.", 2, VM_CODEC_STRICT, &c), VM_CODEC_ERR_CHUNK_SYNTAX);
    assert_int_equal(vm_chunk_parse("0.0721417080338805115277329392361", 33, VM_CODEC_STRICT, &c),
                     VM_CODEC_ERR_CHUNK_SYNTAX);
    assert_int_equal(
        vm_chunk_parse("9999999999999999999999999999999999999999", 40, VM_CODEC_STRICT, &c),
        VM_CODEC_ERR_CHUNK_RANGE);
    const char *loose = "amount: 0.072141708033880511527732939236 NANO";
    assert_int_equal(vm_chunk_parse(loose, strlen(loose), VM_CODEC_STRICT, &c),
                     VM_CODEC_ERR_CHUNK_SYNTAX);
    assert_int_equal(vm_chunk_parse(loose, strlen(loose), VM_CODEC_LENIENT, &c), VM_CODEC_OK);
    assert_string_equal(c.text, full);
    vm_chunk r;
    vm_chunk_from_raw(c.raw, &r);
    assert_string_equal(r.text, full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_digit_count_formula),
        cmocka_unit_test(test_max_payload),
        cmocka_unit_test(test_header_from_first_chunk),
        cmocka_unit_test(test_first_chunk_ranges_disjoint),
        cmocka_unit_test(test_strict_rejections),
        cmocka_unit_test(test_lenient),
        cmocka_unit_test(test_chunk_text_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
