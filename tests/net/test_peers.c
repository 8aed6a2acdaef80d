/* The peer table: bounds, dedup, last-seen, expiry, deterministic
 * selection, bans with expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "procs/net/peers.h"

static net_endpoint ep(int i)
{
    net_endpoint e;
    char host[32];
    snprintf(host, sizeof host, "10.0.%d.%d", i / 250, i % 250 + 1);
    if (!net_endpoint_parse(host, 7075, &e))
        fail();
    return e;
}

static void test_bounds_and_dedup(void **state)
{
    (void)state;
    assert_null(net_peers_new(0, 4));
    assert_null(net_peers_new(4, 0));
    net_peers *p = net_peers_new(3, 2);
    assert_non_null(p);
    net_endpoint a = ep(1), b = ep(2), c = ep(3), d = ep(4);
    assert_int_equal(net_peers_touch(p, &b, 10), NET_PEERS_ADDED);
    assert_int_equal(net_peers_touch(p, &a, 11), NET_PEERS_ADDED);
    assert_int_equal(net_peers_touch(p, &b, 12), NET_PEERS_UPDATED);
    assert_int_equal(net_peers_count(p), 2);
    assert_int_equal(net_peers_touch(p, &c, 13), NET_PEERS_ADDED);
    assert_int_equal(net_peers_touch(p, &d, 14), NET_PEERS_FULL);
    assert_int_equal(net_peers_count(p), 3);
    assert_int_equal(net_peers_capacity(p), 3);
    /* Same address, other port: another endpoint. */
    net_endpoint a2 = a;
    a2.port = 7076;
    assert_int_equal(net_peers_touch(p, &a2, 14), NET_PEERS_FULL);

    uint64_t seen;
    assert_true(net_peers_last_seen(p, &b, &seen));
    assert_int_equal(seen, 12);
    assert_int_equal(net_peers_touch(p, &b, 5), NET_PEERS_UPDATED); /* never backwards */
    assert_true(net_peers_last_seen(p, &b, &seen));
    assert_int_equal(seen, 12);
    assert_false(net_peers_last_seen(p, &d, &seen));

    net_endpoint list[8];
    assert_int_equal(net_peers_list(p, list, 8), 3);
    assert_true(net_endpoint_equal(&list[0], &a)); /* endpoint order */
    assert_true(net_endpoint_equal(&list[1], &b));
    assert_true(net_endpoint_equal(&list[2], &c));
    assert_int_equal(net_peers_list(p, list, 2), 2);

    assert_true(net_peers_remove(p, &b));
    assert_false(net_peers_remove(p, &b));
    assert_int_equal(net_peers_touch(p, &d, 15), NET_PEERS_ADDED);

    net_endpoint z;
    assert_true(net_endpoint_parse("0.0.0.0", 7075, &z));
    assert_int_equal(net_peers_touch(p, &z, 1), NET_PEERS_UNUSABLE);
    net_peers_free(p);
}

static void test_expire(void **state)
{
    (void)state;
    net_peers *p = net_peers_new(100, 4);
    for (int i = 0; i < 50; i++) {
        net_endpoint e = ep(i);
        assert_int_equal(net_peers_touch(p, &e, (uint64_t)i), NET_PEERS_ADDED);
    }
    assert_int_equal(net_peers_expire(p, 20), 20); /* 0..19 */
    assert_int_equal(net_peers_count(p), 30);
    net_endpoint e19 = ep(19), e20 = ep(20);
    uint64_t seen;
    assert_false(net_peers_last_seen(p, &e19, &seen));
    assert_true(net_peers_last_seen(p, &e20, &seen));
    assert_int_equal(net_peers_touch(p, &e20, 100), NET_PEERS_UPDATED);
    assert_int_equal(net_peers_expire(p, 100), 29);
    assert_int_equal(net_peers_count(p), 1);
    assert_int_equal(net_peers_expire(p, 100), 0);
    /* Dedup still works after compaction. */
    assert_int_equal(net_peers_touch(p, &e20, 101), NET_PEERS_UPDATED);
    assert_int_equal(net_peers_touch(p, &e19, 101), NET_PEERS_ADDED);
    net_peers_free(p);
}

static void test_select_deterministic(void **state)
{
    (void)state;
    net_peers *p = net_peers_new(64, 4), *q = net_peers_new(64, 4);
    for (int i = 0; i < 40; i++) {
        net_endpoint e = ep(i), f = ep(39 - i);
        net_peers_touch(p, &e, 1);
        net_peers_touch(q, &f, (uint64_t)i); /* other order, other times */
    }
    net_endpoint a[8], b[8];
    assert_int_equal(net_peers_select(p, 7, a, 8), 8);
    assert_int_equal(net_peers_select(q, 7, b, 8), 8);
    assert_memory_equal(a, b, sizeof a); /* a function of the set and the salt */
    for (int i = 0; i < 8; i++)
        for (int j = i + 1; j < 8; j++)
            assert_false(net_endpoint_equal(&a[i], &a[j]));

    /* Rotation: over many salts every peer gets picked. */
    bool picked[40] = {false};
    for (uint64_t salt = 0; salt < 60; salt++) {
        net_endpoint out[8];
        size_t n = net_peers_select(p, salt, out, 8);
        assert_int_equal(n, 8);
        for (size_t k = 0; k < n; k++)
            for (int i = 0; i < 40; i++) {
                net_endpoint e = ep(i);
                if (net_endpoint_equal(&out[k], &e))
                    picked[i] = true;
            }
    }
    for (int i = 0; i < 40; i++)
        assert_true(picked[i]);

    /* The first k of a larger selection are the smaller selection. */
    net_endpoint big[20];
    assert_int_equal(net_peers_select(p, 7, big, 20), 20);
    assert_memory_equal(big, a, sizeof a);
    /* More than the table: everyone once. */
    net_endpoint all[64];
    assert_int_equal(net_peers_select(p, 3, all, 64), 40);
    assert_int_equal(net_peers_select(p, 3, all, 0), 0);
    net_peers_free(p);
    net_peers_free(q);
}

static void test_bans(void **state)
{
    (void)state;
    net_peers *p = net_peers_new(16, 2);
    net_endpoint a = ep(1), a2 = ep(1), b = ep(2), c = ep(3);
    a2.port = 9999;
    net_peers_touch(p, &a, 1);
    net_peers_touch(p, &a2, 1);
    net_peers_touch(p, &b, 1);
    net_peers_ban(p, a.addr, 100, 10);
    assert_int_equal(net_peers_count(p), 1); /* both ports of a dropped */
    assert_true(net_peers_is_banned(p, a.addr, 10));
    assert_true(net_peers_is_banned(p, a.addr, 99));
    assert_int_equal(net_peers_touch(p, &a2, 50), NET_PEERS_BANNED);
    assert_false(net_peers_is_banned(p, a.addr, 100)); /* expired */
    assert_int_equal(net_peers_touch(p, &a, 100), NET_PEERS_ADDED);

    net_peers_ban(p, a.addr, 50, 60); /* shorter re-ban does not shorten */
    assert_true(net_peers_is_banned(p, a.addr, 99));
    net_peers_ban(p, a.addr, 200, 60);
    assert_true(net_peers_is_banned(p, a.addr, 150));

    /* Full ban list: the ban ending soonest gives way to a longer one. */
    net_peers_ban(p, b.addr, 120, 60);
    assert_int_equal(net_peers_ban_count(p, 60), 2);
    net_peers_ban(p, c.addr, 110, 60); /* shorter than both: not kept */
    assert_false(net_peers_is_banned(p, c.addr, 60));
    net_peers_ban(p, c.addr, 300, 60); /* replaces b (ends at 120) */
    assert_true(net_peers_is_banned(p, c.addr, 60));
    assert_false(net_peers_is_banned(p, b.addr, 60));
    assert_true(net_peers_is_banned(p, a.addr, 60));
    /* Expired bans make room first. */
    net_peers_ban(p, b.addr, 400, 250); /* a ended at 200 */
    assert_true(net_peers_is_banned(p, b.addr, 250));
    assert_true(net_peers_is_banned(p, c.addr, 250));
    assert_int_equal(net_peers_ban_count(p, 250), 2);
    assert_int_equal(net_peers_ban_count(p, 1000), 0);
    net_peers_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_and_dedup),
        cmocka_unit_test(test_expire),
        cmocka_unit_test(test_select_deterministic),
        cmocka_unit_test(test_bans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
