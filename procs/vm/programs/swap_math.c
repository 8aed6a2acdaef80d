/* Integer math of the constant-product pool. */
#include "procs/vm/programs/swap_math.h"

typedef struct {
    smn_amount_t hi, lo;
} u256;

static u256 mul(smn_amount_t a, smn_amount_t b)
{
    const smn_amount_t m = ((smn_amount_t)1 << 64) - 1;
    smn_amount_t a0 = a & m, a1 = a >> 64, b0 = b & m, b1 = b >> 64;
    smn_amount_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    smn_amount_t mid = (p00 >> 64) + (p01 & m) + (p10 & m);
    u256 r;
    r.lo = (p00 & m) | (mid << 64);
    r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    return r;
}

static int cmp(u256 a, u256 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo)
        return a.lo < b.lo ? -1 : 1;
    return 0;
}

/* n / d with remainder; false if the quotient exceeds u128. */
static bool divmod(u256 n, smn_amount_t d, smn_amount_t *q, smn_amount_t *r)
{
    if (d == 0 || n.hi >= d)
        return false;
    smn_amount_t rem = n.hi, quo = 0;
    for (int i = 127; i >= 0; i--) {
        bool carry = rem >> 127;
        rem = (rem << 1) | ((n.lo >> i) & 1);
        quo <<= 1;
        if (carry || rem >= d) {
            rem -= d; /* wraps correctly when carry: the true value is below 2d */
            quo |= 1;
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
    if (r) {
        if (q == SMN_AMOUNT_MAX)
            return false;
        q++;
    }
    *out = q;
    return true;
}

smn_amount_t vm_swap_isqrt_mul(smn_amount_t a, smn_amount_t b)
{
    u256 n = mul(a, b);
    /* Largest r with r*r <= n, built bit by bit from the top; r < 2^128. */
    smn_amount_t r = 0;
    for (int i = 127; i >= 0; i--) {
        smn_amount_t c = r | ((smn_amount_t)1 << i);
        if (cmp(mul(c, c), n) <= 0)
            r = c;
    }
    return r;
}

bool vm_swap_out(smn_amount_t r_in, smn_amount_t r_out, smn_amount_t amount_in, smn_amount_t *out)
{
    smn_amount_t fee, in_eff, denom, sum;
    if (r_in == 0 || r_out == 0)
        return false;
    if (!smn_amount_add(r_in, amount_in, &sum))
        return false;
    if (!vm_swap_muldiv_ceil(amount_in, VM_SWAP_FEE_NUM, VM_SWAP_FEE_DEN, &fee))
        return false;
    in_eff = amount_in - fee;
    denom = r_in + in_eff; /* <= sum, no overflow */
    return vm_swap_muldiv_floor(r_out, in_eff, denom, out);
}

static smn_amount_t min128(smn_amount_t a, smn_amount_t b)
{
    return a < b ? a : b;
}

bool vm_swap_add(smn_amount_t x, smn_amount_t y, smn_amount_t supply, smn_amount_t a,
                 smn_amount_t b, smn_amount_t *shares, smn_amount_t *used_a, smn_amount_t *used_b)
{
    if (supply == 0) {
        *shares = vm_swap_isqrt_mul(a, b);
        *used_a = a;
        *used_b = b;
        return *shares > VM_SWAP_MIN_LIQUIDITY;
    }
    smn_amount_t sa, sb, s;
    if (x == 0 || y == 0)
        return false;
    if (!vm_swap_muldiv_floor(a, supply, x, &sa) || !vm_swap_muldiv_floor(b, supply, y, &sb))
        return false;
    s = min128(sa, sb);
    if (s == 0)
        return false;
    if (!vm_swap_muldiv_ceil(s, x, supply, used_a) || !vm_swap_muldiv_ceil(s, y, supply, used_b))
        return false;
    *shares = s;
    return *used_a <= a && *used_b <= b;
}

bool vm_swap_remove(smn_amount_t x, smn_amount_t y, smn_amount_t supply, smn_amount_t shares,
                    smn_amount_t *out_a, smn_amount_t *out_b)
{
    if (supply == 0 || shares > supply)
        return false;
    return vm_swap_muldiv_floor(shares, x, supply, out_a) &&
           vm_swap_muldiv_floor(shares, y, supply, out_b);
}
