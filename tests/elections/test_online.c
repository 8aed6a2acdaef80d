#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "procs/elections/online.h"

static void id(uint8_t i, uint8_t out[32])
{
    memset(out, i, 32);
}

static void window_and_sum(void **state)
{
    (void)state;
    elections_online *o = elections_online_new(10, smn_amount_from_u64(0), 8);
    assert_non_null(o);
    uint8_t r[32];
    id(1, r);
    assert_int_equal(elections_online_observe(o, r, smn_amount_from_u64(100), 0), 0);
    id(2, r);
    assert_int_equal(elections_online_observe(o, r, smn_amount_from_u64(50), 5), 0);
    assert_true(smn_amount_eq(elections_online_weight(o), smn_amount_from_u64(150)));
    assert_int_equal(elections_online_count(o), 2);
    /* a newer weight replaces the stored one, counted once */
    id(1, r);
    elections_online_observe(o, r, smn_amount_from_u64(120), 6);
    assert_true(smn_amount_eq(elections_online_weight(o), smn_amount_from_u64(170)));
    assert_int_equal(elections_online_count(o), 2);
    elections_online_expire(o, 16); /* rep1 at 6 (10 ago) stays, rep2 at 5 goes */
    assert_true(smn_amount_eq(elections_online_weight(o), smn_amount_from_u64(120)));
    elections_online_expire(o, 17);
    assert_true(smn_amount_eq(elections_online_weight(o), smn_amount_from_u64(0)));
    assert_int_equal(elections_online_count(o), 0);
    /* weight 0 is not online */
    elections_online_observe(o, r, smn_amount_from_u64(0), 17);
    assert_int_equal(elections_online_count(o), 0);
    elections_online_free(o);
}

static void floor_applies(void **state)
{
    (void)state;
    elections_online *o = elections_online_new(10, smn_amount_from_u64(1000), 8);
    uint8_t r[32];
    id(1, r);
    elections_online_observe(o, r, smn_amount_from_u64(100), 0);
    assert_true(smn_amount_eq(elections_online_trended(o), smn_amount_from_u64(1000)));
    assert_true(smn_amount_eq(elections_online_delta(o, 67), smn_amount_from_u64(670)));
    elections_online_set_minimum(o, smn_amount_from_u64(10));
    assert_true(smn_amount_eq(elections_online_trended(o), smn_amount_from_u64(100)));
    assert_true(smn_amount_eq(elections_online_delta(o, 67), smn_amount_from_u64(67)));
    assert_true(smn_amount_eq(elections_online_minimum(o), smn_amount_from_u64(10)));
    elections_online_free(o);
}

static void bounded_keeps_heaviest(void **state)
{
    (void)state;
    elections_online *o = elections_online_new(10, smn_amount_from_u64(0), 3);
    uint8_t r[32];
    for (uint8_t i = 1; i <= 3; i++) {
        id(i, r);
        elections_online_observe(o, r, smn_amount_from_u64(i * 10u), 0);
    }
    id(9, r);
    elections_online_observe(o, r, smn_amount_from_u64(5), 0); /* lighter than all: not kept */
    assert_true(smn_amount_eq(elections_online_weight(o), smn_amount_from_u64(60)));
    elections_online_observe(o, r, smn_amount_from_u64(25), 0); /* displaces the 10 */
    assert_true(smn_amount_eq(elections_online_weight(o), smn_amount_from_u64(75)));
    assert_int_equal(elections_online_count(o), 3);
    assert_null(elections_online_new(10, smn_amount_from_u64(0), 0));
    elections_online_free(o);
}

static void supply_sized_weights(void **state)
{
    (void)state;
    const smn_amount_t supply =
        smn_amount_mul_wrap(smn_amount_one_smn(), smn_amount_from_u64(10000000u)); /* 10^37 */
    elections_online *o = elections_online_new(10, smn_amount_from_u64(0), 8);
    uint8_t r[32];
    id(1, r);
    elections_online_observe(o, r, smn_amount_shr(supply, 1), 0);
    id(2, r);
    elections_online_observe(o, r, smn_amount_shr(supply, 1), 0);
    assert_true(smn_amount_eq(elections_online_weight(o), supply));
    assert_true(smn_amount_eq(elections_online_delta(o, 67),
                              smn_amount_mul_wrap(smn_amount_div(supply, smn_amount_from_u64(100)),
                                                  smn_amount_from_u64(67))));
    elections_online_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(window_and_sum),
        cmocka_unit_test(floor_applies),
        cmocka_unit_test(bounded_keeps_heaviest),
        cmocka_unit_test(supply_sized_weights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
