/* The per-child restart policy (streak, failing verdict, capped backoff),
 * on synthetic timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "supervisor/restart_policy.h"

static void test_streak_and_failing(void **state)
{
    (void)state;
    sup_policy p = {.max_restarts = 3, .window_ms = 10000, .base_ms = 100, .max_ms = 1000};
    sup_history h = {0};
    assert_false(sup_history_failing(&h, &p));
    assert_int_equal(sup_history_record(&h, &p, 1000, 50), 1);
    assert_int_equal(h.first_ms, 1000);
    assert_int_equal(sup_history_record(&h, &p, 2000, 9999), 2);
    assert_int_equal(sup_history_record(&h, &p, 3000, 0), 3);
    assert_false(sup_history_failing(&h, &p));
    /* The fourth quick crash in a row is one more than max_restarts. */
    assert_int_equal(sup_history_record(&h, &p, 4000, 10), 4);
    assert_true(sup_history_failing(&h, &p));
    assert_int_equal(h.first_ms, 1000);
    /* A run of window_ms is stable: the next crash starts a new streak. */
    assert_int_equal(sup_history_record(&h, &p, 90000, 10000), 1);
    assert_false(sup_history_failing(&h, &p));
    assert_int_equal(h.first_ms, 90000);
    /* Many crashes, each after a long run, never make it failing. */
    for (uint64_t t = 0; t < 100; t++)
        sup_history_record(&h, &p, 100000 + t * 20000, 15000);
    assert_int_equal(h.streak, 1);
    sup_history_reset(&h);
    assert_int_equal(h.streak, 0);
}

static void test_zero_restarts_allowed(void **state)
{
    (void)state;
    sup_policy p = {.max_restarts = 0, .window_ms = 1000};
    sup_history h = {0};
    sup_history_record(&h, &p, 50, 0);
    assert_true(sup_history_failing(&h, &p));
}

static void test_backoff(void **state)
{
    (void)state;
    sup_policy p = {.max_restarts = 3, .window_ms = 60000, .base_ms = 100, .max_ms = 1000};
    sup_history h = {0};
    assert_int_equal(sup_backoff_ms(&h, &p), 100);
    uint64_t t = 10;
    /* Keeps growing past max_restarts, up to the cap, and stays there. */
    uint32_t want[] = {100, 200, 400, 800, 1000, 1000, 1000};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        sup_history_record(&h, &p, t, 5);
        assert_int_equal(sup_backoff_ms(&h, &p), want[i]);
        t += 10;
    }
    for (int i = 0; i < 100000; i++)
        sup_history_record(&h, &p, t++, 5);
    assert_int_equal(sup_backoff_ms(&h, &p), 1000);
    /* After a stable run, the backoff is small again. */
    sup_history_record(&h, &p, t + 100000, 60000);
    assert_int_equal(sup_backoff_ms(&h, &p), 100);
    sup_history_reset(&h);
    assert_int_equal(sup_backoff_ms(&h, &p), 100);

    sup_policy zero = {.max_restarts = 5, .window_ms = 1000, .base_ms = 0, .max_ms = 0};
    sup_history z = {0};
    sup_history_record(&z, &zero, 1, 0);
    assert_int_equal(sup_backoff_ms(&z, &zero), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streak_and_failing),
        cmocka_unit_test(test_zero_restarts_allowed),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
