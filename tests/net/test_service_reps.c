/* The principal-representative table of the net process's vote filter
 * (procs/net/service_reps.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ipc/builder.h"
#include "ipc/frame.h"
#include "procs/net/service_reps.h"

static void key(uint8_t out[32], unsigned i)
{
    memset(out, 0, 32);
    out[0] = (uint8_t)(i >> 8);
    out[1] = (uint8_t)i;
    out[31] = 0xa5;
}

static void test_empty_admits_everyone(void **state)
{
    (void)state;
    net_reps r;
    net_reps_init(&r);
    uint8_t k[32];
    key(k, 7);
    assert_int_equal(net_reps_count(&r), 0);
    assert_false(net_reps_contains(&r, k));
    assert_true(net_reps_admits(&r, k));
}

static void test_listed_only(void **state)
{
    (void)state;
    net_reps r;
    net_reps_init(&r);
    uint8_t keys[3][32];
    key(keys[0], 30);
    key(keys[1], 10);
    key(keys[2], 20);
    assert_int_equal(net_reps_set(&r, (const uint8_t(*)[32])keys, 3), 3);
    for (unsigned i = 0; i < 3; i++)
        assert_true(net_reps_admits(&r, keys[i]));
    uint8_t other[32];
    key(other, 15);
    assert_false(net_reps_contains(&r, other));
    assert_false(net_reps_admits(&r, other));
    /* replaced, not merged; an empty list turns the filter off */
    assert_int_equal(net_reps_set(&r, (const uint8_t(*)[32]) & other, 1), 1);
    assert_false(net_reps_contains(&r, keys[0]));
    assert_true(net_reps_contains(&r, other));
    assert_int_equal(net_reps_set(&r, NULL, 0), 0);
    assert_true(net_reps_admits(&r, keys[0]));
}

static void test_duplicates_and_bound(void **state)
{
    (void)state;
    net_reps r;
    net_reps_init(&r);
    static uint8_t keys[IPC_NET_MAX_REPS + 10][32];
    for (unsigned i = 0; i < IPC_NET_MAX_REPS + 10; i++)
        key(keys[i], i % 2 == 0 && i < 10 ? 0 : i); /* five copies of key 0 */
    size_t n = net_reps_set(&r, (const uint8_t(*)[32])keys, IPC_NET_MAX_REPS + 10);
    assert_int_equal(n, IPC_NET_MAX_REPS - 4);
    uint8_t k[32];
    key(k, 0);
    assert_true(net_reps_contains(&r, k));
    key(k, IPC_NET_MAX_REPS - 1);
    assert_true(net_reps_contains(&r, k));
    key(k, IPC_NET_MAX_REPS); /* beyond the bound: ignored */
    assert_false(net_reps_contains(&r, k));
}

static void test_load_body(void **state)
{
    (void)state;
    net_reps r;
    net_reps_init(&r);
    uint8_t a[32], b[32];
    key(a, 1);
    key(b, 2);
    ipc_builder bl;
    ipc_build_begin(&bl, "reps");
    ipc_put_array_begin(&bl, "reps");
    ipc_put_map_begin(&bl, NULL);
    ipc_put_bin(&bl, "account", a, 32);
    ipc_put_map_end(&bl);
    ipc_put_array_end(&bl);
    ipc_error err;
    assert_int_equal(ipc_build_finish(&bl, &ipc_family_net, 0, 0, &err), IPC_OK);
    ipc_msg m;
    assert_int_equal(
        ipc_decode(&ipc_family_net, bl.buf + IPC_FRAME_HDR, bl.len - IPC_FRAME_HDR, &m, &err),
        IPC_OK);
    assert_int_equal(net_reps_load(&r, m.body), 1);
    assert_true(net_reps_contains(&r, a));
    assert_false(net_reps_admits(&r, b));
    /* no array: unchanged */
    assert_int_equal(net_reps_load(&r, NULL), 1);
    ipc_msg_free(&m);
    ipc_build_free(&bl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_admits_everyone),
        cmocka_unit_test(test_listed_only),
        cmocka_unit_test(test_duplicates_and_bound),
        cmocka_unit_test(test_load_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
