/* Portable unsigned 128-bit integers: the portable implementation (always
 * compiled), the native one on __int128 (when the compiler has it and the
 * build did not ask for portable), and the public API dispatching to the
 * one this build selected. */
#include "common/u128.h"

/* ---- portable: u64 halves only ---- */

bool smn_u128_portable_add(smn_u128 a, smn_u128 b, smn_u128 *out)
{
    smn_u128 r = smn_u128_portable_add_wrap(a, b);
    if (smn_u128_lt(r, a))
        return false;
    *out = r;
    return true;
}

bool smn_u128_portable_sub(smn_u128 a, smn_u128 b, smn_u128 *out)
{
    if (smn_u128_lt(a, b))
        return false;
    *out = smn_u128_portable_sub_wrap(a, b);
    return true;
}

smn_u128 smn_u128_portable_add_wrap(smn_u128 a, smn_u128 b)
{
    uint64_t lo = a.lo + b.lo;
    uint64_t carry = lo < a.lo;
    return smn_u128_make(a.hi + b.hi + carry, lo);
}

smn_u128 smn_u128_portable_sub_wrap(smn_u128 a, smn_u128 b)
{
    uint64_t borrow = a.lo < b.lo;
    return smn_u128_make(a.hi - b.hi - borrow, a.lo - b.lo);
}

smn_u128 smn_u128_portable_mul_64x64(uint64_t a, uint64_t b)
{
    /* Schoolbook on 32-bit limbs; every partial product fits in 64 bits. */
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32;
    uint64_t b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    /* Middle column: three terms below 2^32 each, so no overflow. */
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    uint64_t lo = (mid << 32) | (p00 & 0xffffffffu);
    uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return smn_u128_make(hi, lo);
}

smn_u128 smn_u128_portable_mul_wrap(smn_u128 a, smn_u128 b)
{
    smn_u128 r = smn_u128_portable_mul_64x64(a.lo, b.lo);
    r.hi += a.hi * b.lo + a.lo * b.hi;
    return r;
}

bool smn_u128_portable_mul(smn_u128 a, smn_u128 b, smn_u128 *out)
{
    if (a.hi && b.hi)
        return false; /* both >= 2^64: product >= 2^128 */
    smn_u128 r = smn_u128_portable_mul_64x64(a.lo, b.lo);
    /* At most one cross term is non-zero; it must fit in the high half. */
    smn_u128 cross =
        a.hi ? smn_u128_portable_mul_64x64(a.hi, b.lo) : smn_u128_portable_mul_64x64(a.lo, b.hi);
    if (cross.hi)
        return false;
    uint64_t hi = r.hi + cross.lo;
    if (hi < r.hi)
        return false;
    *out = smn_u128_make(hi, r.lo);
    return true;
}

bool smn_u128_portable_mul_u64(smn_u128 a, uint64_t b, smn_u128 *out)
{
    return smn_u128_portable_mul(a, smn_u128_from_u64(b), out);
}

smn_u128 smn_u128_portable_shl(smn_u128 a, unsigned n)
{
    if (n == 0)
        return a;
    if (n >= 128)
        return smn_u128_zero();
    if (n >= 64)
        return smn_u128_make(a.lo << (n - 64), 0);
    return smn_u128_make((a.hi << n) | (a.lo >> (64 - n)), a.lo << n);
}

smn_u128 smn_u128_portable_shr(smn_u128 a, unsigned n)
{
    if (n == 0)
        return a;
    if (n >= 128)
        return smn_u128_zero();
    if (n >= 64)
        return smn_u128_make(0, a.hi >> (n - 64));
    return smn_u128_make(a.hi >> n, (a.lo >> n) | (a.hi << (64 - n)));
}

static unsigned bit_length(smn_u128 a)
{
    unsigned n = 0;
    uint64_t w = a.hi ? a.hi : a.lo;
    while (w) {
        n++;
        w >>= 1;
    }
    return a.hi ? n + 64 : n;
}

bool smn_u128_portable_divmod(smn_u128 a, smn_u128 b, smn_u128 *q, smn_u128 *rem)
{
    if (smn_u128_is_zero(b))
        return false;
    if (!a.hi && !b.hi) {
        *q = smn_u128_from_u64(a.lo / b.lo);
        if (rem)
            *rem = smn_u128_from_u64(a.lo % b.lo);
        return true;
    }
    /* Restoring binary long division, from a's top bit down. */
    smn_u128 quo = smn_u128_zero(), r = smn_u128_zero();
    for (unsigned i = bit_length(a); i-- > 0;) {
        /* r holds the bits of a above bit i, so r < 2^127 before the
         * shift: shifting it never loses a bit. */
        r = smn_u128_portable_shl(r, 1);
        r.lo |= (i >= 64 ? a.hi >> (i - 64) : a.lo >> i) & 1u;
        if (smn_u128_ge(r, b)) {
            r = smn_u128_portable_sub_wrap(r, b);
            if (i >= 64)
                quo.hi |= (uint64_t)1 << (i - 64);
            else
                quo.lo |= (uint64_t)1 << i;
        }
    }
    *q = quo;
    if (rem)
        *rem = r;
    return true;
}

bool smn_u128_portable_divmod_u64(smn_u128 a, uint64_t b, smn_u128 *q, uint64_t *rem)
{
    if (b == 0)
        return false;
    if (b <= 0xffffffffu) {
        /* Four 32-bit limbs: each step divides a value < b * 2^32 <= 2^64. */
        uint64_t limbs[4] = {a.hi >> 32, a.hi & 0xffffffffu, a.lo >> 32, a.lo & 0xffffffffu};
        uint64_t r = 0, out[4];
        for (int i = 0; i < 4; i++) {
            uint64_t cur = (r << 32) | limbs[i];
            out[i] = cur / b;
            r = cur % b;
        }
        *q = smn_u128_make((out[0] << 32) | out[1], (out[2] << 32) | out[3]);
        if (rem)
            *rem = r;
        return true;
    }
    smn_u128 r128;
    smn_u128_portable_divmod(a, smn_u128_from_u64(b), q, &r128);
    if (rem)
        *rem = r128.lo;
    return true;
}

void smn_u128_portable_to_be(smn_u128 v, uint8_t out[16])
{
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(v.hi >> (56 - 8 * i));
        out[8 + i] = (uint8_t)(v.lo >> (56 - 8 * i));
    }
}

smn_u128 smn_u128_portable_from_be(const uint8_t in[16])
{
    smn_u128 v = smn_u128_zero();
    for (int i = 0; i < 8; i++) {
        v.hi = (v.hi << 8) | in[i];
        v.lo = (v.lo << 8) | in[8 + i];
    }
    return v;
}

/* Parse and format on top of a chosen mul/divmod, so each implementation's
 * decimal code exercises its own arithmetic. */
typedef bool (*mul_u64_fn)(smn_u128, uint64_t, smn_u128 *);
typedef bool (*add_fn)(smn_u128, smn_u128, smn_u128 *);
typedef bool (*divmod_u64_fn)(smn_u128, uint64_t, smn_u128 *, uint64_t *);

static smn_u128_status parse_dec_with(const char *s, smn_u128 *out, mul_u64_fn mul, add_fn add)
{
    if (!s || !*s)
        return SMN_U128_EMPTY;
    smn_u128 v = smn_u128_zero();
    bool overflow = false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return SMN_U128_BAD_CHAR;
        if (!overflow && !(mul(v, 10, &v) && add(v, smn_u128_from_u64((uint64_t)(*p - '0')), &v)))
            overflow = true;
    }
    if (overflow)
        return SMN_U128_OVERFLOW;
    *out = v;
    return SMN_U128_OK;
}

static char *format_dec_with(smn_u128 v, char *buf, divmod_u64_fn divmod)
{
    char tmp[SMN_U128_DEC_STRLEN];
    size_t n = 0;
    do {
        uint64_t d = 0;
        divmod(v, 10, &v, &d);
        tmp[n++] = (char)('0' + d);
    } while (!smn_u128_is_zero(v));
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

smn_u128_status smn_u128_portable_parse_dec(const char *s, smn_u128 *out)
{
    return parse_dec_with(s, out, smn_u128_portable_mul_u64, smn_u128_portable_add);
}

char *smn_u128_portable_format_dec(smn_u128 v, char *buf)
{
    return format_dec_with(v, buf, smn_u128_portable_divmod_u64);
}

/* ---- public API ---- */

/* The arithmetic API is inline in u128.h (native or portable). */
const char *smn_u128_impl(void)
{
#ifdef SMN_U128_USE_NATIVE
    return "native";
#else
    return "portable";
#endif
}

/* Encoding needs no wide arithmetic: one implementation for both. */
void smn_u128_to_be(smn_u128 v, uint8_t out[16])
{
    smn_u128_portable_to_be(v, out);
}
smn_u128 smn_u128_from_be(const uint8_t in[16])
{
    return smn_u128_portable_from_be(in);
}
smn_u128_status smn_u128_parse_dec(const char *s, smn_u128 *out)
{
    return parse_dec_with(s, out, smn_u128_mul_u64, smn_u128_add);
}
char *smn_u128_format_dec(smn_u128 v, char *buf)
{
    return format_dec_with(v, buf, smn_u128_divmod_u64);
}
