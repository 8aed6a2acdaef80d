/* Restart intensity (MaxR in MaxT) and backoff, on synthetic timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "supervisor/restart_policy.h"

static void test_intensity_window(void **state)
{
    (void)state;
    sup_policy p = {.max_restarts = 3, .window_ms = 10000, .base_ms = 100, .max_ms = 1000};
    sup_history h;
    assert_int_equal(sup_history_init(&h, &p), 0);
    uint32_t recent;
    uint64_t span;
    assert_false(sup_history_record(&h, &p, 1000, &recent, &span));
    assert_int_equal(recent, 1);
    assert_false(sup_history_record(&h, &p, 2000, &recent, &span));
    assert_false(sup_history_record(&h, &p, 3000, &recent, &span));
    assert_int_equal(recent, 3);
    /* The fourth crash within 10 s is one too many. */
    assert_true(sup_history_record(&h, &p, 4000, &recent, &span));
    assert_int_equal(recent, 4);
    assert_int_equal(span, 3000);
    sup_history_free(&h);

    /* Spread out, the same number of crashes never trips it. */
    assert_int_equal(sup_history_init(&h, &p), 0);
    for (uint64_t t = 0; t < 100; t++)
        assert_false(sup_history_record(&h, &p, 1 + t * 4000, &recent, NULL));
    assert_int_equal(recent, 3);
    /* Crashes exactly window_ms apart are outside the window. */
    sup_history_free(&h);
    assert_int_equal(sup_history_init(&h, &p), 0);
    for (uint64_t t = 0; t < 10; t++)
        assert_false(sup_history_record(&h, &p, 5 + t * 3334, &recent, NULL));
    sup_history_free(&h);
}

static void test_zero_restarts_allowed(void **state)
{
    (void)state;
    sup_policy p = {.max_restarts = 0, .window_ms = 1000};
    sup_history h;
    assert_int_equal(sup_history_init(&h, &p), 0);
    assert_true(sup_history_record(&h, &p, 50, NULL, NULL));
    sup_history_free(&h);
}

static void test_backoff(void **state)
{
    (void)state;
    sup_policy p = {.max_restarts = 100, .window_ms = 60000, .base_ms = 100, .max_ms = 1000};
    sup_history h;
    assert_int_equal(sup_history_init(&h, &p), 0);
    assert_int_equal(sup_backoff_ms(&h, &p, 0), 100);
    uint64_t t = 10;
    uint32_t want[] = {100, 200, 400, 800, 1000, 1000};
    for (size_t i = 0; i < 6; i++) {
        sup_history_record(&h, &p, t, NULL, NULL);
        assert_int_equal(sup_backoff_ms(&h, &p, t), want[i]);
        t += 10;
    }
    /* Once the crashes age out of the window, the backoff is small again. */
    assert_int_equal(sup_backoff_ms(&h, &p, t + 60000), 100);
    sup_history_free(&h);

    sup_policy zero = {.max_restarts = 5, .window_ms = 1000, .base_ms = 0, .max_ms = 0};
    assert_int_equal(sup_history_init(&h, &zero), 0);
    sup_history_record(&h, &zero, 1, NULL, NULL);
    assert_int_equal(sup_backoff_ms(&h, &zero, 1), 0);
    sup_history_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intensity_window),
        cmocka_unit_test(test_zero_restarts_allowed),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
