#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "procs/elections/weight.h"

static const smn_amount_t E30 = (smn_amount_t)1000000000000000ull * 1000000000000000ull;

static void muldiv_small_exact(void **state)
{
    (void)state;
    assert_true(elections_weight_muldiv(100, 67, 100) == 67);
    assert_true(elections_weight_muldiv(99, 67, 100) == 66); /* 66.33 floors */
    assert_true(elections_weight_muldiv(1, 67, 100) == 0);
    assert_true(elections_weight_muldiv(0, 67, 100) == 0);
    assert_true(elections_weight_muldiv(7, 3, 0) == 0);
    for (uint64_t a = 0; a < 5000; a += 7)
        assert_true(elections_weight_muldiv(a, 67, 100) == (smn_amount_t)(a * 67 / 100));
}

/* The supply is 10^7 smn = 10^37 raw; 10^37 * 67 does not fit in 128 bits,
 * so a naive product would wrap. The split form must be exact. */
static void muldiv_supply_sized(void **state)
{
    (void)state;
    smn_amount_t supply = E30 * 10000000u;
    smn_amount_t wrapped = supply * 67 / 100; /* what the naive code gives */
    smn_amount_t want = supply / 100 * 67;    /* exact: supply divisible by 100 */
    assert_true(elections_weight_muldiv(supply, 67, 100) == want);
    assert_true(wrapped != want);
    /* Non-divisible value: (supply + 99) * 67 / 100 = supply*67/100 + 66. */
    assert_true(elections_weight_muldiv(supply + 99, 67, 100) == want + 66);
    /* The largest value: floor((2^128-1) * 67 / 100). */
    smn_amount_t m = SMN_AMOUNT_MAX;
    smn_amount_t expect = (m / 100) * 67 + ((m % 100) * 67) / 100;
    assert_true(elections_weight_muldiv(m, 67, 100) == expect);
    assert_true(elections_weight_muldiv(m, 100, 100) == m);
}

static void muldiv_saturates(void **state)
{
    (void)state;
    assert_true(elections_weight_muldiv(SMN_AMOUNT_MAX, 2, 1) == SMN_AMOUNT_MAX);
    assert_true(elections_weight_muldiv(SMN_AMOUNT_MAX / 2 + 1, 2, 1) == SMN_AMOUNT_MAX);
    assert_true(elections_weight_muldiv(SMN_AMOUNT_MAX / 2, 2, 1) == SMN_AMOUNT_MAX - 1);
    assert_true(elections_weight_add_sat(SMN_AMOUNT_MAX, 1) == SMN_AMOUNT_MAX);
    assert_true(elections_weight_add_sat(2, 3) == 5);
}

static void quorum_delta_floor(void **state)
{
    (void)state;
    /* online above the floor: 67% of online */
    assert_true(elections_weight_quorum_delta(1000, 500, 67) == 670);
    /* online below the floor: 67% of the floor */
    assert_true(elections_weight_quorum_delta(100, 500, 67) == 335);
    assert_true(elections_weight_quorum_delta(0, 0, 67) == 0);
    assert_true(elections_weight_quorum_delta(1000, 0, 250) == 1000); /* clamped to 100% */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(muldiv_small_exact),
        cmocka_unit_test(muldiv_supply_sized),
        cmocka_unit_test(muldiv_saturates),
        cmocka_unit_test(quorum_delta_floor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
