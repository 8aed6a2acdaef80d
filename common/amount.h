/* Amounts: u128 raw, 1 smn = 10^30 raw. */
#ifndef SMN_AMOUNT_H
#define SMN_AMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 smn_amount_t;

#define SMN_AMOUNT_MAX (~(smn_amount_t)0)
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

/* Construction, comparison and conversion. New code uses these rather than
 * C operators on smn_amount_t: the type becomes a portable two-word u128 on
 * targets without __int128 (issue 19), where the operators do not exist. */
static inline smn_amount_t smn_amount_from_u64(uint64_t v)
{
    return (smn_amount_t)v;
}
static inline smn_amount_t smn_amount_zero(void)
{
    return (smn_amount_t)0;
}
static inline bool smn_amount_is_zero(smn_amount_t a)
{
    return a == 0;
}
static inline bool smn_amount_eq(smn_amount_t a, smn_amount_t b)
{
    return a == b;
}
static inline bool smn_amount_lt(smn_amount_t a, smn_amount_t b)
{
    return a < b;
}
/* -1, 0 or 1 as a < b, a == b, a > b. */
static inline int smn_amount_cmp(smn_amount_t a, smn_amount_t b)
{
    return (a > b) - (a < b);
}
/* true and *out = a when a fits in 64 bits. */
static inline bool smn_amount_to_u64(smn_amount_t a, uint64_t *out)
{
    if (a >> 64)
        return false;
    *out = (uint64_t)a;
    return true;
}

#endif
