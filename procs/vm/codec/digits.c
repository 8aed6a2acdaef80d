/* Digit counts and first-chunk ranges, from fixed-point logarithms and a
 * fixed-point mantissa of 256^len in base 99; no floating point. */
#include "procs/vm/codec/digits.h"

#include "common/u128.h"
#include "procs/vm/codec/codec.h"

/* log_99(256) and log_99(0x4E564D31 << 32) (the header of an empty
 * payload) in 64.64 fixed point, rounded down; computed with 80-digit
 * decimal arithmetic by tests/vm/codec/ref_converter.py, which also checks
 * that for every len <= VM_CODEC_MAX_PAYLOAD the frames' log_99 stays at
 * least 1.3e-6 away from an integer, far beyond this formula's error
 * (below 2^-47), so the floor below is exact. */
static const smn_u128 LOG99_256 = {.hi = 0x1u, .lo = 0x34edcde3bb952e62u};
static const smn_u128 LOG99_H0 = {.hi = 0x9u, .lo = 0x6575e616db3ae2b3u};

#define H0 (0x4E564D31ull << 32)

size_t vm_digits_for_len(uint32_t len)
{
    smn_u128 l = smn_u128_add_wrap(LOG99_H0, smn_u128_mul_wrap(smn_u128_from_u64(len), LOG99_256));
    return (size_t)l.hi + 1;
}

/* s *= 256 in 64.128 fixed point. */
static void mul256(uint64_t s[3])
{
    s[2] = (s[2] << 8) | (s[1] >> 56);
    s[1] = (s[1] << 8) | (s[0] >> 56);
    s[0] <<= 8;
}

/* s /= 99, rounding down; 32-bit steps keep every division in 64 bits. */
static void div99(uint64_t s[3])
{
    uint64_t r = 0;
    for (int i = 2; i >= 0; i--) {
        uint64_t hi = (r << 32) | (s[i] >> 32);
        uint64_t qh = hi / 99;
        r = hi % 99;
        uint64_t lo = (r << 32) | (s[i] & 0xffffffffu);
        uint64_t ql = lo / 99;
        r = lo % 99;
        s[i] = (qh << 32) | ql;
    }
}

void vm_first_chunk_iter_init(vm_first_chunk_iter *it)
{
    uint32_t len = 0;
    while (vm_digits_for_len(len) < VM_CODEC_DIGITS_PER_CHUNK)
        len++;
    /* len is 4 here: 256^4 still fits the 64-bit integer part. */
    it->len = len;
    it->digits = vm_digits_for_len(len);
    it->s[0] = 0;
    it->s[1] = 0;
    it->s[2] = (uint64_t)1 << (8 * len);
    for (size_t e = 15; e < it->digits; e++)
        div99(it->s);
}

/* s = floor(s * c) with both in 64.128 fixed point (c as 3 limbs, low first). */
static void mul_fixed(uint64_t s[3], const uint64_t c[3])
{
    uint64_t p[6] = {0};
    for (int i = 0; i < 3; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 3; j++) {
            /* (2^64-1)^2 + 2(2^64-1) = 2^128-1: never wraps */
            smn_u128 t =
                smn_u128_add_wrap(smn_u128_mul_64x64(s[i], c[j]), smn_u128_from_u64(p[i + j]));
            t = smn_u128_add_wrap(t, smn_u128_from_u64(carry));
            p[i + j] = t.lo;
            carry = t.hi;
        }
        p[i + 3] = carry;
    }
    s[0] = p[2];
    s[1] = p[3];
    s[2] = p[4];
}

void vm_first_chunk_iter_next(vm_first_chunk_iter *it)
{
    /* 256/99 and 256/99^2, rounded down: one step multiplies by one of
     * them, since log_99(256) = 1.2068 adds one or two digits per byte.
     * Multiplying instead of dividing keeps the walk at a few ns per
     * length; the rounding stays far below the one-unit margin of
     * vm_first_chunk_iter_range (relative error < 2^-106 at the limit). */
    static const uint64_t c1[3] = {0x5fad40a57eb50295u, 0x95fad40a57eb5029u, 0x2u};
    static const uint64_t c2[3] = {0x96f23c20b3b440acu, 0x06afc940c03dda05u, 0x0u};
    size_t next = vm_digits_for_len(it->len + 1);
    size_t step = next - it->digits;
    if (step == 1) {
        mul_fixed(it->s, c1);
    } else if (step == 2) {
        mul_fixed(it->s, c2);
    } else {
        mul256(it->s);
        for (size_t e = it->digits; e < next; e++)
            div99(it->s);
    }
    it->len++;
    it->digits = next;
}

/* floor(h * s) for s in 64.128 fixed point. */
static smn_u128 mul_floor(uint64_t h, const uint64_t s[3])
{
    smn_u128 t0 = smn_u128_mul_64x64(h, s[0]);
    smn_u128 t1 = smn_u128_add_wrap(smn_u128_mul_64x64(h, s[1]), smn_u128_from_u64(t0.hi));
    return smn_u128_add_wrap(smn_u128_mul_64x64(h, s[2]), smn_u128_from_u64(t1.hi));
}

void vm_first_chunk_iter_range(const vm_first_chunk_iter *it, smn_u128 *lo, smn_u128 *hi)
{
    uint64_t h = H0 + it->len;
    /* s is truncated, so floor(h * s) may be one below the exact bound; the
     * upper bound gets the unit instead. */
    *lo = mul_floor(h, it->s);
    *hi = smn_u128_add_wrap(mul_floor(h + 1, it->s), smn_u128_from_u64(1));
}
