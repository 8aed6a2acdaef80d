/* common/u128: the portable implementation checked against the compiler's
 * unsigned __int128 on every operation, over edge values and a fixed-seed
 * pseudo-random sweep; and the build's selected API checked against the
 * portable one. Where the compiler has no __int128 (armhf) only the
 * algebraic identities and the API/portable agreement are checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/u128.h"

#define SWEEP 20000

/* xorshift64*: deterministic, seeded once, no clocks. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

/* Random values of varied magnitude: full width, 64-bit, small, near the
 * top, and powers of two, so carries and divisor sizes all get hit. */
static smn_u128 rnd(void)
{
    uint64_t kind = rng() % 8, a = rng(), b = rng();
    switch (kind) {
    case 0:
        return smn_u128_from_u64(a);
    case 1:
        return smn_u128_from_u64(a % 1000);
    case 2:
        return smn_u128_make(UINT64_MAX, UINT64_MAX - (b % 16));
    case 3:
        return smn_u128_portable_shl(smn_u128_from_u64(1), (unsigned)(a % 128));
    case 4:
        return smn_u128_make(a >> (b % 64), b);
    case 5:
        return smn_u128_make(0, UINT64_MAX - (a % 4));
    default:
        return smn_u128_make(a, b);
    }
}

static const smn_u128 *edges(size_t *n)
{
    static smn_u128 e[16];
    e[0] = smn_u128_zero();
    e[1] = smn_u128_from_u64(1);
    e[2] = smn_u128_from_u64(2);
    e[3] = smn_u128_from_u64(10);
    e[4] = smn_u128_from_u64(UINT32_MAX);
    e[5] = smn_u128_from_u64((uint64_t)UINT32_MAX + 1);
    e[6] = smn_u128_from_u64(UINT64_MAX);
    e[7] = smn_u128_make(1, 0);
    e[8] = smn_u128_make(1, 1);
    e[9] = smn_u128_make(UINT64_MAX, 0);
    e[10] = smn_u128_make((uint64_t)1 << 63, 0);
    e[11] = smn_u128_make(((uint64_t)1 << 63) - 1, UINT64_MAX);
    e[12] = smn_u128_max();
    e[13] = smn_u128_make(UINT64_MAX, UINT64_MAX - 1);
    e[14] = smn_u128_make(0x4b3b4ca85a86c47au, 0x098a224000000000u); /* 10^38 */
    e[15] = smn_u128_make(0, 0x8000000000000001u);
    *n = sizeof e / sizeof e[0];
    return e;
}

static void expect_eq(smn_u128 got, smn_u128 want, const char *what, smn_u128 a, smn_u128 b)
{
    if (!smn_u128_eq(got, want))
        fail_msg("%s(%016llx%016llx, %016llx%016llx): got %016llx%016llx want %016llx%016llx", what,
                 (unsigned long long)a.hi, (unsigned long long)a.lo, (unsigned long long)b.hi,
                 (unsigned long long)b.lo, (unsigned long long)got.hi, (unsigned long long)got.lo,
                 (unsigned long long)want.hi, (unsigned long long)want.lo);
}

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 nat;
static nat N(smn_u128 a)
{
    return ((nat)a.hi << 64) | a.lo;
}
static smn_u128 U(nat v)
{
    return smn_u128_make((uint64_t)(v >> 64), (uint64_t)v);
}
static void ref_format(nat v, char *buf)
{
    char tmp[SMN_U128_DEC_STRLEN];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
}
#endif

/* Portable against __int128 for one pair. */
static void check_portable_vs_native(smn_u128 a, smn_u128 b)
{
#ifdef __SIZEOF_INT128__
    nat x = N(a), y = N(b), r;
    smn_u128 out = smn_u128_make(0xdead, 0xbeef), q, rem;
    const smn_u128 sentinel = out;

    bool ok = smn_u128_portable_add(a, b, &out);
    assert_int_equal(ok, !__builtin_add_overflow(x, y, &r));
    expect_eq(out, ok ? U(r) : sentinel, "add", a, b);
    out = sentinel;
    ok = smn_u128_portable_sub(a, b, &out);
    assert_int_equal(ok, !__builtin_sub_overflow(x, y, &r));
    expect_eq(out, ok ? U(r) : sentinel, "sub", a, b);
    out = sentinel;
    ok = smn_u128_portable_mul(a, b, &out);
    assert_int_equal(ok, !__builtin_mul_overflow(x, y, &r));
    expect_eq(out, ok ? U(r) : sentinel, "mul", a, b);
    out = sentinel;
    ok = smn_u128_portable_mul_u64(a, b.lo, &out);
    assert_int_equal(ok, !__builtin_mul_overflow(x, (nat)b.lo, &r));
    expect_eq(out, ok ? U(r) : sentinel, "mul_u64", a, b);

    expect_eq(smn_u128_portable_add_wrap(a, b), U(x + y), "add_wrap", a, b);
    expect_eq(smn_u128_portable_sub_wrap(a, b), U(x - y), "sub_wrap", a, b);
    expect_eq(smn_u128_portable_mul_wrap(a, b), U(x * y), "mul_wrap", a, b);
    expect_eq(smn_u128_portable_mul_64x64(a.lo, b.lo), U((nat)a.lo * b.lo), "mul_64x64", a, b);

    q = rem = sentinel;
    ok = smn_u128_portable_divmod(a, b, &q, &rem);
    assert_int_equal(ok, y != 0);
    expect_eq(q, y ? U(x / y) : sentinel, "div", a, b);
    expect_eq(rem, y ? U(x % y) : sentinel, "mod", a, b);
    uint64_t r64 = 0x77;
    q = sentinel;
    ok = smn_u128_portable_divmod_u64(a, b.lo, &q, &r64);
    assert_int_equal(ok, b.lo != 0);
    expect_eq(q, b.lo ? U(x / b.lo) : sentinel, "div_u64", a, b);
    assert_true(r64 == (b.lo ? (uint64_t)(x % b.lo) : 0x77));

    unsigned sh = (unsigned)(b.lo % 130);
    expect_eq(smn_u128_portable_shl(a, sh), sh >= 128 ? U(0) : U(x << sh), "shl", a, b);
    expect_eq(smn_u128_portable_shr(a, sh), sh >= 128 ? U(0) : U(x >> sh), "shr", a, b);

    assert_int_equal(smn_u128_lt(a, b), x < y);
    assert_int_equal(smn_u128_le(a, b), x <= y);
    assert_int_equal(smn_u128_gt(a, b), x > y);
    assert_int_equal(smn_u128_ge(a, b), x >= y);
    assert_int_equal(smn_u128_eq(a, b), x == y);
    assert_int_equal(smn_u128_cmp(a, b), (x > y) - (x < y));
    expect_eq(smn_u128_and(a, b), U(x & y), "and", a, b);
    expect_eq(smn_u128_or(a, b), U(x | y), "or", a, b);
    expect_eq(smn_u128_xor(a, b), U(x ^ y), "xor", a, b);
    expect_eq(smn_u128_not(a), U(~x), "not", a, b);

    uint8_t be[16], want_be[16];
    smn_u128_portable_to_be(a, be);
    for (int i = 0; i < 16; i++)
        want_be[i] = (uint8_t)(x >> (8 * (15 - i)));
    assert_memory_equal(be, want_be, 16);
    expect_eq(smn_u128_portable_from_be(want_be), a, "from_be", a, b);

    char got[SMN_U128_DEC_STRLEN], want[SMN_U128_DEC_STRLEN];
    smn_u128_portable_format_dec(a, got);
    ref_format(x, want);
    assert_string_equal(got, want);
    out = sentinel;
    assert_int_equal(smn_u128_portable_parse_dec(want, &out), SMN_U128_OK);
    expect_eq(out, a, "parse_dec", a, b);
#else
    (void)a;
    (void)b;
#endif
}

/* The selected API against the portable one, plus identities that hold
 * without a reference: q*b + r == a with r < b, sub undoes add. */
static void check_api_vs_portable(smn_u128 a, smn_u128 b)
{
    smn_u128 p = smn_u128_make(1, 2), s = p;
    bool okp = smn_u128_portable_add(a, b, &p), oks = smn_u128_add(a, b, &s);
    assert_int_equal(okp, oks);
    expect_eq(s, p, "api add", a, b);
    if (oks) {
        smn_u128 back = smn_u128_zero();
        assert_true(smn_u128_sub(s, b, &back));
        expect_eq(back, a, "sub(add)", a, b);
    }
    p = s = smn_u128_make(1, 2);
    assert_int_equal(smn_u128_portable_sub(a, b, &p), smn_u128_sub(a, b, &s));
    expect_eq(s, p, "api sub", a, b);
    p = s = smn_u128_make(1, 2);
    assert_int_equal(smn_u128_portable_mul(a, b, &p), smn_u128_mul(a, b, &s));
    expect_eq(s, p, "api mul", a, b);
    p = s = smn_u128_make(1, 2);
    assert_int_equal(smn_u128_portable_mul_u64(a, b.lo, &p), smn_u128_mul_u64(a, b.lo, &s));
    expect_eq(s, p, "api mul_u64", a, b);
    expect_eq(smn_u128_add_wrap(a, b), smn_u128_portable_add_wrap(a, b), "api add_wrap", a, b);
    expect_eq(smn_u128_sub_wrap(a, b), smn_u128_portable_sub_wrap(a, b), "api sub_wrap", a, b);
    expect_eq(smn_u128_mul_wrap(a, b), smn_u128_portable_mul_wrap(a, b), "api mul_wrap", a, b);
    expect_eq(smn_u128_mul_64x64(a.lo, b.lo), smn_u128_portable_mul_64x64(a.lo, b.lo),
              "api mul_64x64", a, b);
    unsigned sh = (unsigned)(a.lo % 130);
    expect_eq(smn_u128_shl(b, sh), smn_u128_portable_shl(b, sh), "api shl", b, a);
    expect_eq(smn_u128_shr(b, sh), smn_u128_portable_shr(b, sh), "api shr", b, a);

    smn_u128 q, r, pq, pr;
    bool ok = smn_u128_divmod(a, b, &q, &r);
    assert_int_equal(ok, smn_u128_portable_divmod(a, b, &pq, &pr));
    if (ok) {
        expect_eq(q, pq, "api div", a, b);
        expect_eq(r, pr, "api mod", a, b);
        assert_true(smn_u128_lt(r, b));
        smn_u128 qb = smn_u128_zero(), back = smn_u128_zero();
        assert_true(smn_u128_mul(q, b, &qb));
        assert_true(smn_u128_add(qb, r, &back));
        expect_eq(back, a, "q*b+r", a, b);
    }
    uint64_t r64 = 0, pr64 = 0;
    ok = smn_u128_divmod_u64(a, b.lo, &q, &r64);
    assert_int_equal(ok, smn_u128_portable_divmod_u64(a, b.lo, &pq, &pr64));
    if (ok) {
        expect_eq(q, pq, "api div_u64", a, b);
        assert_true(r64 == pr64 && r64 < b.lo);
    }

    uint8_t x[16], y[16];
    smn_u128_to_be(a, x);
    smn_u128_portable_to_be(a, y);
    assert_memory_equal(x, y, 16);
    expect_eq(smn_u128_from_be(x), a, "api from_be", a, b);
    char d1[SMN_U128_DEC_STRLEN], d2[SMN_U128_DEC_STRLEN];
    assert_string_equal(smn_u128_format_dec(a, d1), smn_u128_portable_format_dec(a, d2));
    smn_u128 parsed = smn_u128_zero();
    assert_int_equal(smn_u128_parse_dec(d1, &parsed), SMN_U128_OK);
    expect_eq(parsed, a, "api parse_dec", a, b);
}

static void check_pair(smn_u128 a, smn_u128 b)
{
    check_portable_vs_native(a, b);
    check_api_vs_portable(a, b);
}

static void test_edges(void **state)
{
    (void)state;
    size_t n;
    const smn_u128 *e = edges(&n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            check_pair(e[i], e[j]);
}

static void test_sweep(void **state)
{
    (void)state;
    size_t n;
    const smn_u128 *e = edges(&n);
    for (int i = 0; i < SWEEP; i++) {
        smn_u128 a = rnd(), b = rnd();
        check_pair(a, b);
        check_pair(b, a);
        check_pair(a, e[(size_t)i % n]);
        check_pair(e[(size_t)i % n], a);
    }
}

static void test_known_values(void **state)
{
    (void)state;
    char buf[SMN_U128_DEC_STRLEN];
    assert_string_equal(smn_u128_portable_format_dec(smn_u128_max(), buf),
                        "340282366920938463463374607431768211455");
    assert_string_equal(smn_u128_format_dec(smn_u128_zero(), buf), "0");
    smn_u128 v = smn_u128_from_u64(7);
    assert_int_equal(smn_u128_parse_dec("340282366920938463463374607431768211456", &v),
                     SMN_U128_OVERFLOW);
    assert_int_equal(smn_u128_portable_parse_dec("340282366920938463463374607431768211456", &v),
                     SMN_U128_OVERFLOW);
    assert_int_equal(smn_u128_parse_dec("99999999999999999999999999999999999999999x", &v),
                     SMN_U128_BAD_CHAR);
    assert_int_equal(smn_u128_parse_dec("", &v), SMN_U128_EMPTY);
    assert_int_equal(smn_u128_parse_dec(NULL, &v), SMN_U128_EMPTY);
    assert_int_equal(smn_u128_parse_dec("-1", &v), SMN_U128_BAD_CHAR);
    assert_true(smn_u128_eq(v, smn_u128_from_u64(7))); /* untouched on error */
    assert_int_equal(smn_u128_parse_dec("000340282366920938463463374607431768211455", &v),
                     SMN_U128_OK);
    assert_true(smn_u128_eq(v, smn_u128_max()));
    /* Division by zero fails in both implementations and writes nothing. */
    smn_u128 q = smn_u128_from_u64(3);
    assert_false(smn_u128_divmod(v, smn_u128_zero(), &q, NULL));
    assert_false(smn_u128_portable_divmod(v, smn_u128_zero(), &q, NULL));
    assert_false(smn_u128_divmod_u64(v, 0, &q, NULL));
    assert_false(smn_u128_portable_divmod_u64(v, 0, &q, NULL));
    assert_true(smn_u128_eq(q, smn_u128_from_u64(3)));
    /* Division by 1 is the identity; rem may be NULL. */
    assert_true(smn_u128_portable_divmod(v, smn_u128_from_u64(1), &q, NULL));
    assert_true(smn_u128_eq(q, v));
    assert_true(smn_u128_portable_divmod_u64(v, 1, &q, NULL));
    assert_true(smn_u128_eq(q, v));
    assert_true(strcmp(smn_u128_impl(), "native") == 0 || strcmp(smn_u128_impl(), "portable") == 0);
#ifdef SMN_U128_PORTABLE
    assert_string_equal(smn_u128_impl(), "portable");
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
