/* Amounts: u128 raw, 1 smn = 10^30 raw. */
#include "common/amount.h"

#include <string.h>

#define SMN_DECIMALS 30

smn_amount_t smn_amount_one_smn(void)
{
    smn_amount_t v = 1;
    for (int i = 0; i < SMN_DECIMALS; i++)
        v *= 10;
    return v;
}

/* v = v*10 + d, false on overflow. */
static bool mul10_add(smn_amount_t *v, unsigned d)
{
    if (*v > (SMN_AMOUNT_MAX - d) / 10)
        return false;
    *v = *v * 10 + d;
    return true;
}

smn_amount_status smn_amount_parse_raw(const char *s, smn_amount_t *out)
{
    if (!s || !*s)
        return SMN_AMOUNT_EMPTY;
    if (*s == '-')
        return SMN_AMOUNT_NEGATIVE;
    smn_amount_t v = 0;
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
    smn_amount_t v = 0;
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
    char tmp[SMN_AMOUNT_RAW_STRLEN];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

char *smn_amount_format_smn(smn_amount_t v, char *buf)
{
    smn_amount_t one = smn_amount_one_smn();
    smn_amount_t whole = v / one, frac = v % one;
    smn_amount_format_raw(whole, buf);
    if (frac == 0)
        return buf;
    size_t n = strlen(buf);
    buf[n++] = '.';
    char digits[SMN_DECIMALS];
    for (int i = SMN_DECIMALS - 1; i >= 0; i--) {
        digits[i] = (char)('0' + (unsigned)(frac % 10));
        frac /= 10;
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
    if (a > SMN_AMOUNT_MAX - b)
        return false;
    *out = a + b;
    return true;
}

bool smn_amount_sub(smn_amount_t a, smn_amount_t b, smn_amount_t *out)
{
    if (b > a)
        return false;
    *out = a - b;
    return true;
}

void smn_amount_to_be(smn_amount_t v, uint8_t out[16])
{
    for (int i = 15; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

smn_amount_t smn_amount_from_be(const uint8_t in[16])
{
    smn_amount_t v = 0;
    for (int i = 0; i < 16; i++)
        v = (v << 8) | in[i];
    return v;
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
