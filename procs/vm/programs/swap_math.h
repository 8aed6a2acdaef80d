/* Integer math of the constant-product pool: exact 256-bit intermediates,
 * every rounding in the pool's favour, so no operation creates value.
 * All functions are pure and return false when a result does not fit
 * (the caller then fails the call). */
#ifndef VM_PROGRAMS_SWAP_MATH_H
#define VM_PROGRAMS_SWAP_MATH_H

#include <stdbool.h>

#include "common/amount.h"

/* Shares locked in the pool forever at the first deposit, so the share
 * price can never be inflated from a dust pool (Uniswap v2's rule). */
#define VM_SWAP_MIN_LIQUIDITY 1000
/* Fee: 3/1000 of the input, rounded up, stays in the pool. */
#define VM_SWAP_FEE_NUM 3
#define VM_SWAP_FEE_DEN 1000

/* floor(a * b / d) and ceil(a * b / d); false if d is 0 or the result
 * exceeds u128. */
bool vm_swap_muldiv_floor(smn_amount_t a, smn_amount_t b, smn_amount_t d, smn_amount_t *out);
bool vm_swap_muldiv_ceil(smn_amount_t a, smn_amount_t b, smn_amount_t d, smn_amount_t *out);
/* floor(sqrt(a * b)), exact. */
smn_amount_t vm_swap_isqrt_mul(smn_amount_t a, smn_amount_t b);

/* Output of selling amount_in against reserves (r_in, r_out):
 * in_eff = in - ceil(in * fee), out = floor(r_out * in_eff / (r_in + in_eff)).
 * False if a reserve is 0 or r_in + in overflows. */
bool vm_swap_out(smn_amount_t r_in, smn_amount_t r_out, smn_amount_t amount_in, smn_amount_t *out);
/* Shares minted for depositing up to (a, b) into reserves (x, y) with
 * supply shares: min(floor(a*S/x), floor(b*S/y)), and the amounts actually
 * taken: ceil(shares*x/S), ceil(shares*y/S) (never above a, b). For an empty
 * pool (S = 0): isqrt(a*b) shares, all of a and b taken, of which
 * VM_SWAP_MIN_LIQUIDITY are locked (the caller's part is *shares minus it). */
bool vm_swap_add(smn_amount_t x, smn_amount_t y, smn_amount_t supply, smn_amount_t a,
                 smn_amount_t b, smn_amount_t *shares, smn_amount_t *used_a, smn_amount_t *used_b);
/* Amounts paid out for burning shares: floor(shares*x/S), floor(shares*y/S). */
bool vm_swap_remove(smn_amount_t x, smn_amount_t y, smn_amount_t supply, smn_amount_t shares,
                    smn_amount_t *out_a, smn_amount_t *out_b);

#endif
