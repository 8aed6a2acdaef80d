/* Schoolbook radix conversion with 64-bit limbs; see radix.h for the cost. */
#include "procs/vm/codec/radix.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/u128.h"

#define P9 913517247483640899ull /* 99^9 < 2^60 */
#define P9_SHIFT 4               /* clz(99^9): P9 << 4 has its top bit set */
#define P9_NORM (P9 << P9_SHIFT)

/* floor((2^128 - 1) / P9_NORM) - 2^64, the inverse used by Moller and
 * Granlund's "division by invariant integers" (2011), algorithm 4. */
static uint64_t p9_inverse(void)
{
    smn_u128 q;
    uint64_t r;
    smn_u128_divmod_u64(smn_u128_make(~P9_NORM, ~0ull), P9_NORM, &q, &r);
    return q.lo;
}

/* (hi:lo) / P9 with hi < P9: quotient returned, remainder in *rem. */
static inline uint64_t div_p9(uint64_t hi, uint64_t lo, uint64_t inv, uint64_t *rem)
{
    uint64_t u1 = (hi << P9_SHIFT) | (lo >> (64 - P9_SHIFT));
    uint64_t u0 = lo << P9_SHIFT;
    smn_u128 p = smn_u128_add_wrap(smn_u128_mul_64x64(inv, u1), smn_u128_make(u1, u0));
    uint64_t q = p.hi + 1;
    uint64_t r = u0 - q * P9_NORM;
    if (r > p.lo) {
        q--;
        r += P9_NORM;
    }
    if (r >= P9_NORM) {
        q++;
        r -= P9_NORM;
    }
    *rem = r >> P9_SHIFT;
    return q;
}

size_t vm_radix_max_digits(size_t n)
{
    /* An n-byte number has at most floor(n * 8 / log2(99)) + 1 digits, and
     * 8 / log2(99) = 1.2068 < 1.25. */
    return n + n / 4 + 2;
}

int vm_radix_bytes_to_base99(const uint8_t *in, size_t n, uint8_t *digits, size_t cap,
                             size_t *n_digits)
{
    if ((!in && n) || !digits || !n_digits)
        return -EINVAL;
    while (n && in[0] == 0) {
        in++;
        n--;
    }
    *n_digits = 0;
    if (n == 0)
        return 0;
    size_t m = (n + 7) / 8;
    size_t max_groups = vm_radix_max_digits(n) / 9 + 2;
    uint64_t *limb = malloc((m + max_groups) * sizeof *limb);
    if (!limb)
        return -ENOMEM;
    uint64_t *group = limb + m;
    /* Little-endian limbs of the big-endian input. */
    for (size_t i = 0; i < m; i++) {
        uint64_t v = 0;
        size_t end = n - 8 * i; /* one past this limb's last byte */
        size_t start = end >= 8 ? end - 8 : 0;
        for (size_t j = start; j < end; j++)
            v = (v << 8) | in[j];
        limb[i] = v;
    }
    const uint64_t inv = p9_inverse();
    size_t g = 0;
    while (m) {
        uint64_t r = 0;
        for (size_t i = m; i-- > 0;)
            limb[i] = div_p9(r, limb[i], inv, &r);
        group[g++] = r;
        while (m && limb[m - 1] == 0)
            m--;
    }
    /* Most significant group without leading zeros, then 9 digits each. */
    uint8_t top[9];
    size_t nt = 0;
    for (uint64_t x = group[g - 1]; x; x /= 99)
        top[nt++] = (uint8_t)(x % 99);
    size_t total = nt + 9 * (g - 1);
    if (total > cap) {
        free(limb);
        return -EINVAL;
    }
    size_t k = 0;
    while (nt)
        digits[k++] = top[--nt];
    for (size_t gi = g - 1; gi-- > 0;) {
        uint64_t x = group[gi];
        for (int j = 8; j >= 0; j--) {
            digits[k + (size_t)j] = (uint8_t)(x % 99);
            x /= 99;
        }
        k += 9;
    }
    free(limb);
    *n_digits = total;
    return 0;
}

int vm_radix_base99_to_bytes(const uint8_t *digits, size_t d, uint8_t *out, size_t cap,
                             size_t *n_out)
{
    if ((!digits && d) || !out || !n_out)
        return -EINVAL;
    *n_out = 0;
    for (size_t i = 0; i < d; i++)
        if (digits[i] > 98)
            return -EINVAL;
    if (d == 0)
        return 0;
    size_t groups = (d + 8) / 9;
    uint64_t *res = malloc((groups + 1) * sizeof *res);
    if (!res)
        return -ENOMEM;
    size_t first = d - 9 * (groups - 1);
    size_t pos = 0, m = 1;
    uint64_t v = 0;
    for (; pos < first; pos++)
        v = v * 99 + digits[pos];
    res[0] = v;
    while (pos < d) {
        uint64_t carry = 0;
        for (size_t j = 0; j < 9; j++)
            carry = carry * 99 + digits[pos + j];
        pos += 9;
        for (size_t i = 0; i < m; i++) {
            smn_u128 t =
                smn_u128_add_wrap(smn_u128_mul_64x64(res[i], P9), smn_u128_from_u64(carry));
            res[i] = t.lo;
            carry = t.hi;
        }
        if (carry)
            res[m++] = carry;
    }
    while (m > 1 && res[m - 1] == 0)
        m--;
    /* Big-endian bytes without leading zeros. */
    size_t nb = 8 * m;
    for (int s = 56; s >= 0 && ((res[m - 1] >> s) & 0xff) == 0; s -= 8)
        nb--;
    if (nb > cap) {
        free(res);
        return -EINVAL;
    }
    for (size_t b = 0; b < nb; b++) {
        size_t bit = 8 * (nb - 1 - b);
        out[b] = (uint8_t)(res[bit / 64] >> (bit % 64));
    }
    free(res);
    *n_out = nb;
    return 0;
}
