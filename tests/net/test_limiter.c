/* The gossip token bucket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "procs/net/limiter.h"

static void test_burst_then_refill(void **state)
{
    (void)state;
    net_limiter l;
    net_limiter_init(&l, 1000, 500, 10000); /* 1000 B/s, 500 B bucket */
    assert_true(net_limiter_take(&l, 300, 10000));
    assert_true(net_limiter_take(&l, 200, 10000));
    assert_false(net_limiter_take(&l, 1, 10000)); /* empty */
    assert_false(net_limiter_take(&l, 2, 10001)); /* 1 ms = 1 byte */
    assert_true(net_limiter_take(&l, 2, 10002));
    assert_true(net_limiter_take(&l, 100, 10102));
    assert_false(net_limiter_take(&l, 1, 10102));
    /* A long pause refills only up to the burst. */
    assert_false(net_limiter_take(&l, 501, 99999999));
    assert_true(net_limiter_take(&l, 500, 99999999));
    assert_false(net_limiter_take(&l, 1, 99999999));
    /* Time going backwards gives nothing. */
    assert_false(net_limiter_take(&l, 1, 5));
}

static void test_fractional_rate(void **state)
{
    (void)state;
    net_limiter l;
    net_limiter_init(&l, 300, 10, 0); /* 0.3 byte per ms */
    assert_true(net_limiter_take(&l, 10, 0));
    assert_false(net_limiter_take(&l, 1, 3)); /* 0.9 byte */
    assert_true(net_limiter_take(&l, 1, 4));  /* 1.2 byte: fractions accumulate */
    assert_false(net_limiter_take(&l, 1, 4));
}

static void test_unlimited_and_extremes(void **state)
{
    (void)state;
    net_limiter l;
    net_limiter_init(&l, 0, 0, 0);
    for (int i = 0; i < 100; i++)
        assert_true(net_limiter_take(&l, UINT64_MAX, 0));
    net_limiter_init(&l, UINT64_MAX, UINT64_MAX, 0);
    assert_true(net_limiter_take(&l, 1000000, UINT64_MAX));
    assert_true(net_limiter_take(&l, 1000000, UINT64_MAX));
    net_limiter_init(&l, 1, 0, 0); /* burst raised to 1 */
    assert_true(net_limiter_take(&l, 1, 0));
    assert_false(net_limiter_take(&l, 1, 999));
    assert_true(net_limiter_take(&l, 1, 1000));
    assert_false(net_limiter_take(&l, 2, UINT64_MAX)); /* above the burst: never */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_refill),
        cmocka_unit_test(test_fractional_rate),
        cmocka_unit_test(test_unlimited_and_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
