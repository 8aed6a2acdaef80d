/* Amounts: u128 raw, 1 smn = 10^30 raw. */
#ifndef SMN_AMOUNT_H
#define SMN_AMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/u128.h"

/* Amounts are smn_u128 (common/u128.h) on every target, so C operators on
 * them do not compile anywhere (issue 19): code uses the helpers below. */
typedef smn_u128 smn_amount_t;

/* 2^128 - 1 (not a constant expression). */
#define SMN_AMOUNT_MAX smn_amount_max()
/* Longest decimal rendering of a u128 is 39 digits; smn form adds '.' and NUL. */
#define SMN_AMOUNT_RAW_STRLEN 40
#define SMN_AMOUNT_SMN_STRLEN 42

typedef enum {
    SMN_AMOUNT_OK = 0,
    SMN_AMOUNT_EMPTY,             /* empty string */
    SMN_AMOUNT_BAD_CHAR,          /* not a digit, a second '.', or '.' with no digit after ("1.") */
    SMN_AMOUNT_NEGATIVE,          /* leading '-' */
    SMN_AMOUNT_TOO_MANY_DECIMALS, /* more than 30 places after the point */
    SMN_AMOUNT_OVERFLOW,          /* value above 2^128-1 */
} smn_amount_status;

/* 10^30: raw per smn. */
smn_amount_t smn_amount_one_smn(void);

/* Parsers write *out only on SMN_AMOUNT_OK. */
/* Parse a raw decimal string (digits only). */
smn_amount_status smn_amount_parse_raw(const char *s, smn_amount_t *out);
/* Parse an smn value such as "1", "0.5", ".5", "10000000.000000000000000000000000000001".
 * Leading zeros are allowed; "1." is rejected (SMN_AMOUNT_BAD_CHAR). */
smn_amount_status smn_amount_parse_smn(const char *s, smn_amount_t *out);
/* Raw decimal, no leading zeros; buf at least SMN_AMOUNT_RAW_STRLEN. Returns buf. */
char *smn_amount_format_raw(smn_amount_t v, char *buf);
/* smn with trailing zeros of the fraction trimmed ("1", "0.5"); buf >= SMN_AMOUNT_SMN_STRLEN. */
char *smn_amount_format_smn(smn_amount_t v, char *buf);
/* Checked arithmetic: false (and *out untouched) on overflow / underflow. */
bool smn_amount_add(smn_amount_t a, smn_amount_t b, smn_amount_t *out);
bool smn_amount_sub(smn_amount_t a, smn_amount_t b, smn_amount_t *out);
/* 16 bytes big-endian. */
void smn_amount_to_be(smn_amount_t v, uint8_t out[16]);
smn_amount_t smn_amount_from_be(const uint8_t in[16]);
const char *smn_amount_strerror(smn_amount_status st);

/* Construction, comparison, conversion and arithmetic: thin wrappers over
 * common/u128.h with the amount type's names. */
/* The same value as smn_u128 and back (one type since issue 19; the
 * conversions keep call sites written against either name). */
static inline smn_u128 smn_amount_u128(smn_amount_t a)
{
    return a;
}
static inline smn_amount_t smn_amount_of_u128(smn_u128 u)
{
    return u;
}
static inline smn_amount_t smn_amount_from_u64(uint64_t v)
{
    return smn_amount_of_u128(smn_u128_from_u64(v));
}
static inline smn_amount_t smn_amount_make(uint64_t hi, uint64_t lo)
{
    return smn_amount_of_u128(smn_u128_make(hi, lo));
}
static inline smn_amount_t smn_amount_zero(void)
{
    return smn_amount_from_u64(0);
}
static inline smn_amount_t smn_amount_max(void)
{
    return smn_amount_of_u128(smn_u128_max());
}
static inline bool smn_amount_is_zero(smn_amount_t a)
{
    return smn_u128_is_zero(smn_amount_u128(a));
}
static inline bool smn_amount_eq(smn_amount_t a, smn_amount_t b)
{
    return smn_u128_eq(smn_amount_u128(a), smn_amount_u128(b));
}
static inline bool smn_amount_lt(smn_amount_t a, smn_amount_t b)
{
    return smn_u128_lt(smn_amount_u128(a), smn_amount_u128(b));
}
static inline bool smn_amount_le(smn_amount_t a, smn_amount_t b)
{
    return smn_u128_le(smn_amount_u128(a), smn_amount_u128(b));
}
static inline bool smn_amount_gt(smn_amount_t a, smn_amount_t b)
{
    return smn_u128_gt(smn_amount_u128(a), smn_amount_u128(b));
}
static inline bool smn_amount_ge(smn_amount_t a, smn_amount_t b)
{
    return smn_u128_ge(smn_amount_u128(a), smn_amount_u128(b));
}
/* -1, 0 or 1 as a < b, a == b, a > b. */
static inline int smn_amount_cmp(smn_amount_t a, smn_amount_t b)
{
    return smn_u128_cmp(smn_amount_u128(a), smn_amount_u128(b));
}
static inline smn_amount_t smn_amount_min(smn_amount_t a, smn_amount_t b)
{
    return smn_amount_lt(b, a) ? b : a;
}
/* true and *out = a when a fits in 64 bits; *out untouched otherwise. */
static inline bool smn_amount_to_u64(smn_amount_t a, uint64_t *out)
{
    return smn_u128_to_u64(smn_amount_u128(a), out);
}
/* The low 64 bits (a truncating cast). */
static inline uint64_t smn_amount_lo64(smn_amount_t a)
{
    return smn_amount_u128(a).lo;
}
/* The high 64 bits. */
static inline uint64_t smn_amount_hi64(smn_amount_t a)
{
    return smn_amount_u128(a).hi;
}
/* Modulo 2^128. */
static inline smn_amount_t smn_amount_add_wrap(smn_amount_t a, smn_amount_t b)
{
    return smn_amount_of_u128(smn_u128_add_wrap(smn_amount_u128(a), smn_amount_u128(b)));
}
static inline smn_amount_t smn_amount_sub_wrap(smn_amount_t a, smn_amount_t b)
{
    return smn_amount_of_u128(smn_u128_sub_wrap(smn_amount_u128(a), smn_amount_u128(b)));
}
static inline smn_amount_t smn_amount_mul_wrap(smn_amount_t a, smn_amount_t b)
{
    return smn_amount_of_u128(smn_u128_mul_wrap(smn_amount_u128(a), smn_amount_u128(b)));
}
/* Checked product: false (and *out untouched) on overflow. */
static inline bool smn_amount_mul(smn_amount_t a, smn_amount_t b, smn_amount_t *out)
{
    smn_u128 r;
    if (!smn_u128_mul(smn_amount_u128(a), smn_amount_u128(b), &r))
        return false;
    *out = smn_amount_of_u128(r);
    return true;
}
/* a / b and, when rem is not NULL, a % b; false (outputs untouched) when b is 0. */
static inline bool smn_amount_divmod(smn_amount_t a, smn_amount_t b, smn_amount_t *q,
                                     smn_amount_t *rem)
{
    smn_u128 uq, ur;
    if (!smn_u128_divmod(smn_amount_u128(a), smn_amount_u128(b), &uq, &ur))
        return false;
    *q = smn_amount_of_u128(uq);
    if (rem)
        *rem = smn_amount_of_u128(ur);
    return true;
}
/* a / b for a non-zero b (0 when b is 0: callers check b first). */
static inline smn_amount_t smn_amount_div(smn_amount_t a, smn_amount_t b)
{
    smn_amount_t q = smn_amount_zero();
    smn_amount_divmod(a, b, &q, NULL);
    return q;
}
/* a % b for a non-zero b (0 when b is 0: callers check b first). */
static inline smn_amount_t smn_amount_mod(smn_amount_t a, smn_amount_t b)
{
    smn_amount_t q, r = smn_amount_zero();
    smn_amount_divmod(a, b, &q, &r);
    return r;
}
static inline smn_amount_t smn_amount_and(smn_amount_t a, smn_amount_t b)
{
    return smn_amount_of_u128(smn_u128_and(smn_amount_u128(a), smn_amount_u128(b)));
}
static inline smn_amount_t smn_amount_or(smn_amount_t a, smn_amount_t b)
{
    return smn_amount_of_u128(smn_u128_or(smn_amount_u128(a), smn_amount_u128(b)));
}
static inline smn_amount_t smn_amount_xor(smn_amount_t a, smn_amount_t b)
{
    return smn_amount_of_u128(smn_u128_xor(smn_amount_u128(a), smn_amount_u128(b)));
}
static inline smn_amount_t smn_amount_not(smn_amount_t a)
{
    return smn_amount_of_u128(smn_u128_not(smn_amount_u128(a)));
}
/* Shifts by n in 0..127; n >= 128 gives 0. */
static inline smn_amount_t smn_amount_shl(smn_amount_t a, unsigned n)
{
    return smn_amount_of_u128(smn_u128_shl(smn_amount_u128(a), n));
}
static inline smn_amount_t smn_amount_shr(smn_amount_t a, unsigned n)
{
    return smn_amount_of_u128(smn_u128_shr(smn_amount_u128(a), n));
}

#endif
