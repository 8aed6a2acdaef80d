/* Exact muldiv by splitting a = q*den + r: a*num/den = q*num + r*num/den,
 * where r*num < den*num < 2^64 always fits, and only q*num can overflow
 * (and only when num > den). */
#include "procs/elections/weight.h"

smn_amount_t elections_weight_add_sat(smn_amount_t a, smn_amount_t b)
{
    smn_amount_t s = a + b;
    return s < a ? SMN_AMOUNT_MAX : s;
}

smn_amount_t elections_weight_muldiv(smn_amount_t a, uint32_t num, uint32_t den)
{
    if (den == 0)
        return 0;
    smn_amount_t q = a / den;
    smn_amount_t r = a % den;
    if (num != 0 && q > SMN_AMOUNT_MAX / num)
        return SMN_AMOUNT_MAX;
    smn_amount_t hi = q * num;
    smn_amount_t lo = (r * num) / den; /* r < den, so r*num < 2^64 */
    return elections_weight_add_sat(hi, lo);
}

smn_amount_t elections_weight_quorum_delta(smn_amount_t online, smn_amount_t minimum,
                                           uint32_t percent)
{
    if (percent > 100)
        percent = 100;
    smn_amount_t base = online > minimum ? online : minimum;
    return elections_weight_muldiv(base, percent, 100);
}
