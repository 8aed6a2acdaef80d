/* Representative weight arithmetic on u128 raw amounts, without floating
 * point and without overflow: weights are sums of balances (up to the
 * 10^37-raw supply), and a naive `weight * 67` already exceeds 2^128. */
#ifndef ELECTIONS_WEIGHT_H
#define ELECTIONS_WEIGHT_H

#include <stdint.h>

#include "common/amount.h"

/* a + b, saturating at SMN_AMOUNT_MAX. */
smn_amount_t elections_weight_add_sat(smn_amount_t a, smn_amount_t b);

/* floor(a * num / den), exact for every a (the product is never formed),
 * saturating at SMN_AMOUNT_MAX when the true result does not fit.
 * den must be non-zero; den == 0 returns 0. */
smn_amount_t elections_weight_muldiv(smn_amount_t a, uint32_t num, uint32_t den);

/* The tally a candidate needs: floor(max(online, minimum) * percent / 100).
 * percent above 100 is clamped to 100. */
smn_amount_t elections_weight_quorum_delta(smn_amount_t online, smn_amount_t minimum,
                                           uint32_t percent);

#endif
