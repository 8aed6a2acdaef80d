/* Amounts: u128 raw, 1 smn = 10^30 raw. */
#include "common/amount.h"

#include <string.h>

#define SMN_DECIMALS 30

smn_amount_t smn_amount_one_smn(void)
{
    /* 10^30 = 10^15 * 10^15, both factors below 2^64. */
    return smn_amount_of_u128(smn_u128_mul_64x64(1000000000000000u, 1000000000000000u));
}

/* v = v*10 + d, false on overflow. */
static bool mul10_add(smn_amount_t *v, unsigned d)
{
    smn_u128 r;
    if (!smn_u128_mul_u64(smn_amount_u128(*v), 10, &r) ||
        !smn_u128_add(r, smn_u128_from_u64(d), &r))
        return false;
    *v = smn_amount_of_u128(r);
    return true;
}

smn_amount_status smn_amount_parse_raw(const char *s, smn_amount_t *out)
{
    if (!s || !*s)
        return SMN_AMOUNT_EMPTY;
    if (*s == '-')
        return SMN_AMOUNT_NEGATIVE;
    smn_amount_t v = smn_amount_zero();
    bool overflow = false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return SMN_AMOUNT_BAD_CHAR;
        /* Keep scanning after an overflow so a bad character still wins:
         * "999...9x" is garbage, not a big number. */
        if (!overflow && !mul10_add(&v, (unsigned)(*p - '0')))
            overflow = true;
    }
    if (overflow)
        return SMN_AMOUNT_OVERFLOW;
    *out = v;
    return SMN_AMOUNT_OK;
}

smn_amount_status smn_amount_parse_smn(const char *s, smn_amount_t *out)
{
    if (!s || !*s)
        return SMN_AMOUNT_EMPTY;
    if (*s == '-')
        return SMN_AMOUNT_NEGATIVE;
    const char *dot = NULL;
    size_t int_digits = 0, frac_digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (dot)
                return SMN_AMOUNT_BAD_CHAR;
            dot = p;
        } else if (*p >= '0' && *p <= '9') {
            if (dot)
                frac_digits++;
            else
                int_digits++;
        } else {
            return SMN_AMOUNT_BAD_CHAR;
        }
    }
    /* "1." and "." are typos more often than intent; ".5" is common shorthand. */
    if (dot && frac_digits == 0)
        return SMN_AMOUNT_BAD_CHAR;
    if (frac_digits > SMN_DECIMALS)
        return SMN_AMOUNT_TOO_MANY_DECIMALS;
    smn_amount_t v = smn_amount_zero();
    bool overflow = false;
    for (const char *p = s; *p; p++) {
        if (*p == '.')
            continue;
        if (!overflow && !mul10_add(&v, (unsigned)(*p - '0')))
            overflow = true;
    }
    for (size_t i = frac_digits; i < SMN_DECIMALS && !overflow; i++)
        if (!mul10_add(&v, 0))
            overflow = true;
    if (overflow)
        return SMN_AMOUNT_OVERFLOW;
    *out = v;
    return SMN_AMOUNT_OK;
}

char *smn_amount_format_raw(smn_amount_t v, char *buf)
{
    return smn_u128_format_dec(smn_amount_u128(v), buf);
}

char *smn_amount_format_smn(smn_amount_t v, char *buf)
{
    smn_amount_t whole = smn_amount_zero(), frac = smn_amount_zero();
    smn_amount_divmod(v, smn_amount_one_smn(), &whole, &frac);
    smn_amount_format_raw(whole, buf);
    if (smn_amount_is_zero(frac))
        return buf;
    size_t n = strlen(buf);
    buf[n++] = '.';
    /* frac < 10^30 < 2^100: two decimal halves of 15 digits, each below 2^64. */
    smn_u128 q;
    uint64_t lo15, hi15;
    smn_u128_divmod_u64(smn_amount_u128(frac), 1000000000000000u, &q, &lo15);
    hi15 = q.lo;
    char digits[SMN_DECIMALS];
    for (int i = SMN_DECIMALS - 1; i >= 0; i--) {
        uint64_t *part = i >= SMN_DECIMALS / 2 ? &lo15 : &hi15;
        digits[i] = (char)('0' + (unsigned)(*part % 10));
        *part /= 10;
    }
    int last = SMN_DECIMALS - 1;
    while (digits[last] == '0')
        last--;
    memcpy(buf + n, digits, (size_t)last + 1);
    buf[n + (size_t)last + 1] = '\0';
    return buf;
}

bool smn_amount_add(smn_amount_t a, smn_amount_t b, smn_amount_t *out)
{
    smn_u128 r;
    if (!smn_u128_add(smn_amount_u128(a), smn_amount_u128(b), &r))
        return false;
    *out = smn_amount_of_u128(r);
    return true;
}

bool smn_amount_sub(smn_amount_t a, smn_amount_t b, smn_amount_t *out)
{
    smn_u128 r;
    if (!smn_u128_sub(smn_amount_u128(a), smn_amount_u128(b), &r))
        return false;
    *out = smn_amount_of_u128(r);
    return true;
}

void smn_amount_to_be(smn_amount_t v, uint8_t out[16])
{
    smn_u128_to_be(smn_amount_u128(v), out);
}

smn_amount_t smn_amount_from_be(const uint8_t in[16])
{
    return smn_amount_of_u128(smn_u128_from_be(in));
}

const char *smn_amount_strerror(smn_amount_status st)
{
    switch (st) {
    case SMN_AMOUNT_OK:
        return "ok";
    case SMN_AMOUNT_EMPTY:
        return "empty amount";
    case SMN_AMOUNT_BAD_CHAR:
        return "not a decimal number (digits with at most one '.' followed by digits)";
    case SMN_AMOUNT_NEGATIVE:
        return "amount is negative";
    case SMN_AMOUNT_TOO_MANY_DECIMALS:
        return "more than 30 decimal places";
    case SMN_AMOUNT_OVERFLOW:
        return "amount exceeds 2^128-1 raw";
    }
    return "unknown amount error";
}
