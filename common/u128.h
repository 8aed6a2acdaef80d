/* Portable unsigned 128-bit integers (issue 19).
 *
 * smn_u128 is always a struct of two u64 halves, on every target, so C
 * operators on it fail to compile everywhere: code that still uses + or <
 * on a 128-bit value is caught on x86-64 too, not only on armhf.
 *
 * Two implementations sit behind one API and give identical results:
 *  - native: the halves are joined into unsigned __int128 for each
 *    operation (selected when the compiler has __int128 and the meson
 *    option u128 is "auto" or "native");
 *  - portable: plain u64 arithmetic (selected with -Du128=portable, and
 *    automatically where __int128 does not exist, e.g. 32-bit GCC).
 * The portable functions (smn_u128_portable_*) are always compiled so the
 * unit test can check them against __int128 whatever the build chose.
 *
 * Everything here is deterministic: no floats, no platform-dependent
 * results. */
#ifndef SMN_U128_H
#define SMN_U128_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t hi; /* bits 127..64 */
    uint64_t lo; /* bits 63..0 */
} smn_u128;

/* Longest decimal rendering of a u128 is 39 digits, plus NUL. */
#define SMN_U128_DEC_STRLEN 40

typedef enum {
    SMN_U128_OK = 0,
    SMN_U128_EMPTY,    /* empty string or NULL */
    SMN_U128_BAD_CHAR, /* a character other than '0'..'9' */
    SMN_U128_OVERFLOW, /* value above 2^128-1 */
} smn_u128_status;

/* "native" or "portable": the implementation this build uses. */
const char *smn_u128_impl(void);

/* Construction and inspection (the same in both implementations). */
static inline smn_u128 smn_u128_make(uint64_t hi, uint64_t lo)
{
    smn_u128 v = {hi, lo};
    return v;
}
static inline smn_u128 smn_u128_from_u64(uint64_t v)
{
    return smn_u128_make(0, v);
}
static inline smn_u128 smn_u128_zero(void)
{
    return smn_u128_make(0, 0);
}
static inline smn_u128 smn_u128_max(void)
{
    return smn_u128_make(UINT64_MAX, UINT64_MAX);
}
static inline bool smn_u128_is_zero(smn_u128 a)
{
    return (a.hi | a.lo) == 0;
}
static inline bool smn_u128_eq(smn_u128 a, smn_u128 b)
{
    return a.hi == b.hi && a.lo == b.lo;
}
static inline bool smn_u128_lt(smn_u128 a, smn_u128 b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}
static inline bool smn_u128_le(smn_u128 a, smn_u128 b)
{
    return !smn_u128_lt(b, a);
}
static inline bool smn_u128_gt(smn_u128 a, smn_u128 b)
{
    return smn_u128_lt(b, a);
}
static inline bool smn_u128_ge(smn_u128 a, smn_u128 b)
{
    return !smn_u128_lt(a, b);
}
/* -1, 0 or 1 as a < b, a == b, a > b. */
static inline int smn_u128_cmp(smn_u128 a, smn_u128 b)
{
    return smn_u128_lt(b, a) - smn_u128_lt(a, b);
}
/* true and *out = a when a fits in 64 bits; *out untouched otherwise. */
static inline bool smn_u128_to_u64(smn_u128 a, uint64_t *out)
{
    if (a.hi)
        return false;
    *out = a.lo;
    return true;
}
static inline smn_u128 smn_u128_and(smn_u128 a, smn_u128 b)
{
    return smn_u128_make(a.hi & b.hi, a.lo & b.lo);
}
static inline smn_u128 smn_u128_or(smn_u128 a, smn_u128 b)
{
    return smn_u128_make(a.hi | b.hi, a.lo | b.lo);
}
static inline smn_u128 smn_u128_xor(smn_u128 a, smn_u128 b)
{
    return smn_u128_make(a.hi ^ b.hi, a.lo ^ b.lo);
}
static inline smn_u128 smn_u128_not(smn_u128 a)
{
    return smn_u128_make(~a.hi, ~a.lo);
}

/* 16 bytes, big-endian. */
void smn_u128_to_be(smn_u128 v, uint8_t out[16]);
smn_u128 smn_u128_from_be(const uint8_t in[16]);
/* Decimal digits only, leading zeros allowed; *out written only on OK.
 * A bad character anywhere wins over overflow ("999...9x" is BAD_CHAR). */
smn_u128_status smn_u128_parse_dec(const char *s, smn_u128 *out);
/* Decimal without leading zeros; buf at least SMN_U128_DEC_STRLEN. Returns buf. */
char *smn_u128_format_dec(smn_u128 v, char *buf);

/* The portable implementation under its own names, compiled in every
 * build; same contracts as the functions above. For the unit test. */
bool smn_u128_portable_add(smn_u128 a, smn_u128 b, smn_u128 *out);
bool smn_u128_portable_sub(smn_u128 a, smn_u128 b, smn_u128 *out);
bool smn_u128_portable_mul(smn_u128 a, smn_u128 b, smn_u128 *out);
bool smn_u128_portable_mul_u64(smn_u128 a, uint64_t b, smn_u128 *out);
smn_u128 smn_u128_portable_add_wrap(smn_u128 a, smn_u128 b);
smn_u128 smn_u128_portable_sub_wrap(smn_u128 a, smn_u128 b);
smn_u128 smn_u128_portable_mul_wrap(smn_u128 a, smn_u128 b);
smn_u128 smn_u128_portable_mul_64x64(uint64_t a, uint64_t b);
bool smn_u128_portable_divmod(smn_u128 a, smn_u128 b, smn_u128 *q, smn_u128 *rem);
bool smn_u128_portable_divmod_u64(smn_u128 a, uint64_t b, smn_u128 *q, uint64_t *rem);
smn_u128 smn_u128_portable_shl(smn_u128 a, unsigned n);
smn_u128 smn_u128_portable_shr(smn_u128 a, unsigned n);
void smn_u128_portable_to_be(smn_u128 v, uint8_t out[16]);
smn_u128 smn_u128_portable_from_be(const uint8_t in[16]);
smn_u128_status smn_u128_portable_parse_dec(const char *s, smn_u128 *out);
char *smn_u128_portable_format_dec(smn_u128 v, char *buf);

/* Arithmetic. The checked forms return false on overflow, underflow or
 * division by zero and then leave *out (and *rem) untouched. The wrap
 * forms compute modulo 2^128. Shifts take n in 0..127; n >= 128 gives 0.
 * mul_64x64 is the full 64x64 -> 128 product (never overflows); divmod
 * sets *q = a / b and, when rem is not NULL, *rem = a % b.
 * Inline, so the VM's instructions and the ledger's sums cost no call:
 * on __int128 where the build has it, else the portable functions. */
#if defined(__SIZEOF_INT128__) && !defined(SMN_U128_PORTABLE)
#define SMN_U128_USE_NATIVE 1

static inline unsigned __int128 smn_u128_to_nat_(smn_u128 a)
{
    return ((unsigned __int128)a.hi << 64) | a.lo;
}
static inline smn_u128 smn_u128_from_nat_(unsigned __int128 v)
{
    return smn_u128_make((uint64_t)(v >> 64), (uint64_t)v);
}
static inline bool smn_u128_add(smn_u128 a, smn_u128 b, smn_u128 *out)
{
    unsigned __int128 r;
    if (__builtin_add_overflow(smn_u128_to_nat_(a), smn_u128_to_nat_(b), &r))
        return false;
    *out = smn_u128_from_nat_(r);
    return true;
}
static inline bool smn_u128_sub(smn_u128 a, smn_u128 b, smn_u128 *out)
{
    unsigned __int128 r;
    if (__builtin_sub_overflow(smn_u128_to_nat_(a), smn_u128_to_nat_(b), &r))
        return false;
    *out = smn_u128_from_nat_(r);
    return true;
}
static inline bool smn_u128_mul(smn_u128 a, smn_u128 b, smn_u128 *out)
{
    unsigned __int128 r;
    if (__builtin_mul_overflow(smn_u128_to_nat_(a), smn_u128_to_nat_(b), &r))
        return false;
    *out = smn_u128_from_nat_(r);
    return true;
}
static inline bool smn_u128_mul_u64(smn_u128 a, uint64_t b, smn_u128 *out)
{
    return smn_u128_mul(a, smn_u128_from_u64(b), out);
}
static inline smn_u128 smn_u128_add_wrap(smn_u128 a, smn_u128 b)
{
    return smn_u128_from_nat_(smn_u128_to_nat_(a) + smn_u128_to_nat_(b));
}
static inline smn_u128 smn_u128_sub_wrap(smn_u128 a, smn_u128 b)
{
    return smn_u128_from_nat_(smn_u128_to_nat_(a) - smn_u128_to_nat_(b));
}
static inline smn_u128 smn_u128_mul_wrap(smn_u128 a, smn_u128 b)
{
    return smn_u128_from_nat_(smn_u128_to_nat_(a) * smn_u128_to_nat_(b));
}
static inline smn_u128 smn_u128_mul_64x64(uint64_t a, uint64_t b)
{
    return smn_u128_from_nat_((unsigned __int128)a * b);
}
static inline bool smn_u128_divmod(smn_u128 a, smn_u128 b, smn_u128 *q, smn_u128 *rem)
{
    if (smn_u128_is_zero(b))
        return false;
    unsigned __int128 x = smn_u128_to_nat_(a), y = smn_u128_to_nat_(b);
    *q = smn_u128_from_nat_(x / y);
    if (rem)
        *rem = smn_u128_from_nat_(x % y);
    return true;
}
static inline bool smn_u128_divmod_u64(smn_u128 a, uint64_t b, smn_u128 *q, uint64_t *rem)
{
    if (b == 0)
        return false;
    unsigned __int128 x = smn_u128_to_nat_(a);
    *q = smn_u128_from_nat_(x / b);
    if (rem)
        *rem = (uint64_t)(x % b);
    return true;
}
static inline smn_u128 smn_u128_shl(smn_u128 a, unsigned n)
{
    return n >= 128 ? smn_u128_zero() : smn_u128_from_nat_(smn_u128_to_nat_(a) << n);
}
static inline smn_u128 smn_u128_shr(smn_u128 a, unsigned n)
{
    return n >= 128 ? smn_u128_zero() : smn_u128_from_nat_(smn_u128_to_nat_(a) >> n);
}

#else /* portable: the common cases inline, the rest in u128.c */

static inline smn_u128 smn_u128_add_wrap(smn_u128 a, smn_u128 b)
{
    uint64_t lo = a.lo + b.lo;
    return smn_u128_make(a.hi + b.hi + (lo < a.lo), lo);
}
static inline smn_u128 smn_u128_sub_wrap(smn_u128 a, smn_u128 b)
{
    return smn_u128_make(a.hi - b.hi - (a.lo < b.lo), a.lo - b.lo);
}
static inline bool smn_u128_add(smn_u128 a, smn_u128 b, smn_u128 *out)
{
    smn_u128 r = smn_u128_add_wrap(a, b);
    if (smn_u128_lt(r, a))
        return false;
    *out = r;
    return true;
}
static inline bool smn_u128_sub(smn_u128 a, smn_u128 b, smn_u128 *out)
{
    if (smn_u128_lt(a, b))
        return false;
    *out = smn_u128_sub_wrap(a, b);
    return true;
}
static inline bool smn_u128_mul(smn_u128 a, smn_u128 b, smn_u128 *out)
{
    return smn_u128_portable_mul(a, b, out);
}
static inline bool smn_u128_mul_u64(smn_u128 a, uint64_t b, smn_u128 *out)
{
    return smn_u128_portable_mul_u64(a, b, out);
}
static inline smn_u128 smn_u128_mul_wrap(smn_u128 a, smn_u128 b)
{
    return smn_u128_portable_mul_wrap(a, b);
}
static inline smn_u128 smn_u128_mul_64x64(uint64_t a, uint64_t b)
{
    return smn_u128_portable_mul_64x64(a, b);
}
static inline bool smn_u128_divmod(smn_u128 a, smn_u128 b, smn_u128 *q, smn_u128 *rem)
{
    return smn_u128_portable_divmod(a, b, q, rem);
}
static inline bool smn_u128_divmod_u64(smn_u128 a, uint64_t b, smn_u128 *q, uint64_t *rem)
{
    return smn_u128_portable_divmod_u64(a, b, q, rem);
}
static inline smn_u128 smn_u128_shl(smn_u128 a, unsigned n)
{
    return smn_u128_portable_shl(a, n);
}
static inline smn_u128 smn_u128_shr(smn_u128 a, unsigned n)
{
    return smn_u128_portable_shr(a, n);
}

#endif

#endif
