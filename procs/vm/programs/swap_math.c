/* Integer math of the constant-product pool. */
#include "procs/vm/programs/swap_math.h"

typedef struct {
    smn_amount_t hi, lo;
} u256;

static u256 mul(smn_amount_t a, smn_amount_t b)
{
    smn_u128 ua = smn_amount_u128(a), ub = smn_amount_u128(b);
    smn_u128 p00 = smn_u128_mul_64x64(ua.lo, ub.lo), p01 = smn_u128_mul_64x64(ua.lo, ub.hi);
    smn_u128 p10 = smn_u128_mul_64x64(ua.hi, ub.lo), p11 = smn_u128_mul_64x64(ua.hi, ub.hi);
    /* three terms below 2^64 each: no wrap */
    smn_u128 mid =
        smn_u128_add_wrap(smn_u128_from_u64(p00.hi),
                          smn_u128_add_wrap(smn_u128_from_u64(p01.lo), smn_u128_from_u64(p10.lo)));
    smn_u128 hi = smn_u128_add_wrap(p11, smn_u128_from_u64(p01.hi));
    hi = smn_u128_add_wrap(hi, smn_u128_from_u64(p10.hi));
    hi = smn_u128_add_wrap(hi, smn_u128_from_u64(mid.hi));
    u256 r;
    r.lo = smn_amount_make(mid.lo, p00.lo);
    r.hi = smn_amount_of_u128(hi);
    return r;
}

static int cmp(u256 a, u256 b)
{
    int c = smn_amount_cmp(a.hi, b.hi);
    return c ? c : smn_amount_cmp(a.lo, b.lo);
}

/* n / d with remainder; false if the quotient exceeds u128. */
static bool divmod(u256 n, smn_amount_t d, smn_amount_t *q, smn_amount_t *r)
{
    if (smn_amount_is_zero(d) || smn_amount_ge(n.hi, d))
        return false;
    smn_amount_t rem = n.hi, quo = smn_amount_zero();
    const smn_amount_t one = smn_amount_from_u64(1);
    for (int i = 127; i >= 0; i--) {
        bool carry = smn_amount_hi64(rem) >> 63;
        rem = smn_amount_or(
            smn_amount_shl(rem, 1),
            smn_amount_from_u64(smn_amount_lo64(smn_amount_shr(n.lo, (unsigned)i)) & 1));
        quo = smn_amount_shl(quo, 1);
        if (carry || smn_amount_ge(rem, d)) {
            rem = smn_amount_sub_wrap(
                rem, d); /* wraps correctly when carry: the true value is below 2d */
            quo = smn_amount_or(quo, one);
        }
    }
    *q = quo;
    *r = rem;
    return true;
}

bool vm_swap_muldiv_floor(smn_amount_t a, smn_amount_t b, smn_amount_t d, smn_amount_t *out)
{
    smn_amount_t r;
    return divmod(mul(a, b), d, out, &r);
}

bool vm_swap_muldiv_ceil(smn_amount_t a, smn_amount_t b, smn_amount_t d, smn_amount_t *out)
{
    smn_amount_t q, r;
    if (!divmod(mul(a, b), d, &q, &r))
        return false;
    if (!smn_amount_is_zero(r)) {
        if (smn_amount_eq(q, SMN_AMOUNT_MAX))
            return false;
        q = smn_amount_add_wrap(q, smn_amount_from_u64(1));
    }
    *out = q;
    return true;
}

smn_amount_t vm_swap_isqrt_mul(smn_amount_t a, smn_amount_t b)
{
    u256 n = mul(a, b);
    /* Largest r with r*r <= n, built bit by bit from the top; r < 2^128. */
    smn_amount_t r = smn_amount_zero();
    for (int i = 127; i >= 0; i--) {
        smn_amount_t c = smn_amount_or(r, smn_amount_shl(smn_amount_from_u64(1), (unsigned)i));
        if (cmp(mul(c, c), n) <= 0)
            r = c;
    }
    return r;
}

bool vm_swap_out(smn_amount_t r_in, smn_amount_t r_out, smn_amount_t amount_in, smn_amount_t *out)
{
    smn_amount_t fee, in_eff, denom, sum;
    if (smn_amount_is_zero(r_in) || smn_amount_is_zero(r_out))
        return false;
    if (!smn_amount_add(r_in, amount_in, &sum))
        return false;
    if (!vm_swap_muldiv_ceil(amount_in, smn_amount_from_u64(VM_SWAP_FEE_NUM),
                             smn_amount_from_u64(VM_SWAP_FEE_DEN), &fee))
        return false;
    in_eff = smn_amount_sub_wrap(amount_in, fee);
    denom = smn_amount_add_wrap(r_in, in_eff); /* <= sum, no overflow */
    return vm_swap_muldiv_floor(r_out, in_eff, denom, out);
}

bool vm_swap_add(smn_amount_t x, smn_amount_t y, smn_amount_t supply, smn_amount_t a,
                 smn_amount_t b, smn_amount_t *shares, smn_amount_t *used_a, smn_amount_t *used_b)
{
    if (smn_amount_is_zero(supply)) {
        *shares = vm_swap_isqrt_mul(a, b);
        *used_a = a;
        *used_b = b;
        return smn_amount_gt(*shares, smn_amount_from_u64(VM_SWAP_MIN_LIQUIDITY));
    }
    smn_amount_t sa, sb, s;
    if (smn_amount_is_zero(x) || smn_amount_is_zero(y))
        return false;
    if (!vm_swap_muldiv_floor(a, supply, x, &sa) || !vm_swap_muldiv_floor(b, supply, y, &sb))
        return false;
    s = smn_amount_min(sa, sb);
    if (smn_amount_is_zero(s))
        return false;
    if (!vm_swap_muldiv_ceil(s, x, supply, used_a) || !vm_swap_muldiv_ceil(s, y, supply, used_b))
        return false;
    *shares = s;
    return smn_amount_le(*used_a, a) && smn_amount_le(*used_b, b);
}

bool vm_swap_remove(smn_amount_t x, smn_amount_t y, smn_amount_t supply, smn_amount_t shares,
                    smn_amount_t *out_a, smn_amount_t *out_b)
{
    if (smn_amount_is_zero(supply) || smn_amount_gt(shares, supply))
        return false;
    return vm_swap_muldiv_floor(shares, x, supply, out_a) &&
           vm_swap_muldiv_floor(shares, y, supply, out_b);
}
