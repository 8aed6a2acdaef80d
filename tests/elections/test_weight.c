#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "procs/elections/weight.h"

#define E30 smn_amount_one_smn() /* 10^30 */

static void muldiv_small_exact(void **state)
{
    (void)state;
    assert_true(smn_amount_eq(elections_weight_muldiv(smn_amount_from_u64(100), 67, 100),
                              smn_amount_from_u64(67)));
    assert_true(smn_amount_eq(elections_weight_muldiv(smn_amount_from_u64(99), 67, 100),
                              smn_amount_from_u64(66))); /* 66.33 floors */
    assert_true(smn_amount_eq(elections_weight_muldiv(smn_amount_from_u64(1), 67, 100),
                              smn_amount_from_u64(0)));
    assert_true(smn_amount_eq(elections_weight_muldiv(smn_amount_from_u64(0), 67, 100),
                              smn_amount_from_u64(0)));
    assert_true(smn_amount_eq(elections_weight_muldiv(smn_amount_from_u64(7), 3, 0),
                              smn_amount_from_u64(0)));
    for (uint64_t a = 0; a < 5000; a += 7)
        assert_true(smn_amount_eq(elections_weight_muldiv(smn_amount_from_u64(a), 67, 100),
                                  smn_amount_from_u64((uint64_t)(a * 67 / 100))));
}

/* The supply is 10^7 smn = 10^37 raw; 10^37 * 67 does not fit in 128 bits,
 * so a naive product would wrap. The split form must be exact. */
static void muldiv_supply_sized(void **state)
{
    (void)state;
    smn_amount_t supply = smn_amount_mul_wrap(E30, smn_amount_from_u64(10000000u));
    smn_amount_t wrapped = smn_amount_div(smn_amount_mul_wrap(supply, smn_amount_from_u64(67)),
                                          smn_amount_from_u64(100)); /* what the naive code gives */
    smn_amount_t want =
        smn_amount_mul_wrap(smn_amount_div(supply, smn_amount_from_u64(100)),
                            smn_amount_from_u64(67)); /* exact: supply divisible by 100 */
    assert_true(smn_amount_eq(elections_weight_muldiv(supply, 67, 100), want));
    assert_true(!smn_amount_eq(wrapped, want));
    /* Non-divisible value: (supply + 99) * 67 / 100 = supply*67/100 + 66. */
    assert_true(smn_amount_eq(
        elections_weight_muldiv(smn_amount_add_wrap(supply, smn_amount_from_u64(99)), 67, 100),
        smn_amount_add_wrap(want, smn_amount_from_u64(66))));
    /* The largest value: floor((2^128-1) * 67 / 100). */
    smn_amount_t m = SMN_AMOUNT_MAX;
    smn_amount_t expect = smn_amount_add_wrap(
        smn_amount_mul_wrap(smn_amount_div(m, smn_amount_from_u64(100)), smn_amount_from_u64(67)),
        smn_amount_div(smn_amount_mul_wrap(smn_amount_mod(m, smn_amount_from_u64(100)),
                                           smn_amount_from_u64(67)),
                       smn_amount_from_u64(100)));
    assert_true(smn_amount_eq(elections_weight_muldiv(m, 67, 100), expect));
    assert_true(smn_amount_eq(elections_weight_muldiv(m, 100, 100), m));
}

static void muldiv_saturates(void **state)
{
    (void)state;
    assert_true(smn_amount_eq(elections_weight_muldiv(SMN_AMOUNT_MAX, 2, 1), SMN_AMOUNT_MAX));
    assert_true(smn_amount_eq(
        elections_weight_muldiv(
            smn_amount_add_wrap(smn_amount_shr(SMN_AMOUNT_MAX, 1), smn_amount_from_u64(1)), 2, 1),
        SMN_AMOUNT_MAX));
    assert_true(smn_amount_eq(elections_weight_muldiv(smn_amount_shr(SMN_AMOUNT_MAX, 1), 2, 1),
                              smn_amount_sub_wrap(SMN_AMOUNT_MAX, smn_amount_from_u64(1))));
    assert_true(smn_amount_eq(elections_weight_add_sat(SMN_AMOUNT_MAX, smn_amount_from_u64(1)),
                              SMN_AMOUNT_MAX));
    assert_true(
        smn_amount_eq(elections_weight_add_sat(smn_amount_from_u64(2), smn_amount_from_u64(3)),
                      smn_amount_from_u64(5)));
}

static void quorum_delta_floor(void **state)
{
    (void)state;
    /* online above the floor: 67% of online */
    assert_true(smn_amount_eq(
        elections_weight_quorum_delta(smn_amount_from_u64(1000), smn_amount_from_u64(500), 67),
        smn_amount_from_u64(670)));
    /* online below the floor: 67% of the floor */
    assert_true(smn_amount_eq(
        elections_weight_quorum_delta(smn_amount_from_u64(100), smn_amount_from_u64(500), 67),
        smn_amount_from_u64(335)));
    assert_true(smn_amount_eq(
        elections_weight_quorum_delta(smn_amount_from_u64(0), smn_amount_from_u64(0), 67),
        smn_amount_from_u64(0)));
    assert_true(smn_amount_eq(
        elections_weight_quorum_delta(smn_amount_from_u64(1000), smn_amount_from_u64(0), 250),
        smn_amount_from_u64(1000))); /* clamped to 100% */
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
