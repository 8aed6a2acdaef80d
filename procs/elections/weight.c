/* Exact muldiv by splitting a = q*den + r: a*num/den = q*num + r*num/den,
 * where r*num < den*num < 2^64 always fits, and only q*num can overflow
 * (and only when num > den). */
#include "procs/elections/weight.h"

smn_amount_t elections_weight_add_sat(smn_amount_t a, smn_amount_t b)
{
    smn_amount_t s;
    return smn_amount_add(a, b, &s) ? s : SMN_AMOUNT_MAX;
}

smn_amount_t elections_weight_muldiv(smn_amount_t a, uint32_t num, uint32_t den)
{
    if (den == 0)
        return smn_amount_zero();
    smn_u128 q, hi;
    uint64_t r;
    smn_u128_divmod_u64(smn_amount_u128(a), den, &q, &r);
    if (!smn_u128_mul_u64(q, num, &hi))
        return SMN_AMOUNT_MAX;
    uint64_t lo = r * num / den; /* r < den, so r*num < 2^64 */
    return elections_weight_add_sat(smn_amount_of_u128(hi), smn_amount_from_u64(lo));
}

smn_amount_t elections_weight_quorum_delta(smn_amount_t online, smn_amount_t minimum,
                                           uint32_t percent)
{
    if (percent > 100)
        percent = 100;
    smn_amount_t base = smn_amount_gt(online, minimum) ? online : minimum;
    return elections_weight_muldiv(base, percent, 100);
}
