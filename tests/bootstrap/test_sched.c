/* The bootstrap's pull scheduler (procs/bootstrap/sched.h), no sockets:
 * queue order (scan at the back, next pages and dependencies at the front,
 * no duplicates, bounded), peer choice (free, rate-limited, best score,
 * not one that refused the account), scoring and dropping, chains pulled
 * in step (append), hints forgotten. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/block.h"
#include "procs/bootstrap/sched.h"

static void acct(uint8_t out[32], uint32_t i)
{
    memset(out, 0, 32);
    out[0] = 0xAC;
    out[28] = (uint8_t)(i >> 24);
    out[29] = (uint8_t)(i >> 16);
    out[30] = (uint8_t)(i >> 8);
    out[31] = (uint8_t)i;
}

static void peers(boot_sched *s, size_t n)
{
    uint8_t ids[BOOT_MAX_PEERS][32];
    for (size_t i = 0; i < n; i++) {
        memset(ids[i], 0, 32);
        ids[i][0] = (uint8_t)(0x10 + i);
    }
    boot_sched_set_peers(s, (const uint8_t(*)[32])ids, n);
}

static int setup(void **state)
{
    static boot_sched s;
    assert_int_equal(boot_sched_init(&s), 0);
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    boot_sched_free(*state);
    return 0;
}

static void test_queue_order(void **state)
{
    boot_sched *s = *state;
    peers(s, 1);
    uint8_t a[32];
    for (uint32_t i = 1; i <= 3; i++) {
        acct(a, i);
        assert_true(boot_sched_push(s, a, false, 0));
    }
    acct(a, 2);
    assert_true(boot_sched_push(s, a, false, 0)); /* already queued: stays where it is */
    assert_int_equal(boot_sched_queued(s), 3);
    acct(a, 3);
    assert_true(boot_sched_push(s, a, true, 1)); /* a dependency: to the front */
    assert_int_equal(boot_sched_queued(s), 3);
    boot_item it;
    uint32_t want[] = {3, 1, 2};
    for (size_t k = 0; k < 3; k++) {
        int p = boot_sched_next(s, 1000, &it);
        assert_int_equal(p, 0);
        acct(a, want[k]);
        assert_memory_equal(it.account, a, 32);
        /* one request per peer: busy until done */
        assert_int_equal(boot_sched_next(s, 1000, &it), -1);
        boot_sched_done(s, p, BOOT_OK, 0, 1000);
    }
    assert_int_equal(boot_sched_queued(s), 0);
    assert_int_equal(boot_sched_next(s, 1000, &it), -1);
}

static void test_requeue_keeps_hint(void **state)
{
    boot_sched *s = *state;
    peers(s, 1);
    uint8_t a[32];
    acct(a, 7);
    assert_true(boot_sched_push(s, a, false, 0));
    acct(a, 8);
    assert_true(boot_sched_push(s, a, false, 0));
    boot_item it;
    assert_int_equal(boot_sched_next(s, 0, &it), 0);
    boot_sched_done(s, 0, BOOT_OK, 0, 0);
    memset(it.hint, 0x55, 32);
    it.hint_height = 512;
    assert_true(boot_sched_requeue(s, &it)); /* its next page: before account 8 */
    boot_item again;
    assert_int_equal(boot_sched_next(s, 0, &again), 0);
    acct(a, 7);
    assert_memory_equal(again.account, a, 32);
    assert_int_equal(again.hint_height, 512);
    assert_int_equal(again.hint[0], 0x55);
}

static void test_bounded(void **state)
{
    boot_sched *s = *state;
    uint8_t a[32];
    for (uint32_t i = 0; i < BOOT_QUEUE_MAX; i++) {
        acct(a, i);
        assert_true(boot_sched_push(s, a, false, 0));
    }
    acct(a, BOOT_QUEUE_MAX);
    assert_false(boot_sched_push(s, a, false, 0));
    assert_false(boot_sched_push(s, a, true, 0));
    assert_int_equal(s->full, 2);
    assert_int_equal(boot_sched_queued(s), BOOT_QUEUE_MAX);
}

static void test_rate_limit_and_score(void **state)
{
    boot_sched *s = *state;
    peers(s, 2);
    uint8_t a[32];
    acct(a, 1);
    boot_sched_push(s, a, false, 0);
    boot_item it;
    int p = boot_sched_next(s, 0, &it);
    assert_true(p == 0 || p == 1);
    /* 3000 blocks at BOOT_PEER_BLOCKS_PER_S: not asked again for 100 ms */
    boot_sched_done(s, p, BOOT_OK, 3000, 0);
    assert_int_equal(s->peers[p].next_ms, 3000u * 1000u / BOOT_PEER_BLOCKS_PER_S);
    /* 32 parts: at least 32 / BOOT_PEER_PULLS_PER_S later (rounded up) */
    boot_sched_pace(s, p, 32, 0);
    assert_int_equal(s->peers[p].next_ms, 3000u * 1000u / BOOT_PEER_BLOCKS_PER_S);
    boot_sched_pace(s, p, 32, 100);
    assert_int_equal(s->peers[p].next_ms, 106u);
    boot_sched_push(s, a, false, 0);
    int q = boot_sched_next(s, 50, &it);
    assert_int_equal(q, 1 - p); /* the other one */
    /* the good peer outranks the other once both are free */
    boot_sched_done(s, q, BOOT_STALL, 0, 50);
    boot_sched_push(s, a, false, 0);
    assert_int_equal(boot_sched_pick_peer(s, NULL, 1000), p);
}

static void test_invalid_drops(void **state)
{
    boot_sched *s = *state;
    peers(s, 2);
    uint8_t a[32];
    acct(a, 1);
    /* peer 1 lies: one invalid answer drops it (score <= BOOT_SCORE_DROP) */
    boot_sched_done(s, 1, BOOT_INVALID, 0, 10);
    assert_true(s->peers[1].dropped_until == 10 + BOOT_DROP_MS);
    assert_int_equal(boot_sched_usable_peers(s, 20), 1);
    boot_sched_push(s, a, false, 0);
    boot_item it;
    for (int k = 0; k < 3; k++) {
        int p = boot_sched_next(s, 20 + (uint64_t)k, &it);
        assert_int_equal(p, 0); /* only the honest one */
        boot_sched_done(s, p, BOOT_OK, 0, 20 + (uint64_t)k);
        boot_sched_push(s, a, false, 0);
    }
    /* after BOOT_DROP_MS it gets another chance */
    assert_int_equal(boot_sched_usable_peers(s, 10 + BOOT_DROP_MS), 2);
    /* a late verdict (the ledger rejected the blocks) also counts: its
     * three good answers absorb one, not two */
    boot_sched_penalize(s, 0, BOOT_INVALID, 100);
    assert_int_equal(s->peers[0].dropped_until, 0);
    boot_sched_penalize(s, 0, BOOT_INVALID, 100);
    assert_int_equal(s->peers[0].dropped_until, 100 + BOOT_DROP_MS);
}

static void test_refused_goes_elsewhere(void **state)
{
    boot_sched *s = *state;
    peers(s, 2);
    uint8_t a[32];
    acct(a, 5);
    boot_sched_push(s, a, false, 0);
    boot_item it;
    int p = boot_sched_next(s, 0, &it);
    boot_sched_done(s, p, BOOT_UNAVAILABLE, 0, 0);
    assert_true(boot_sched_refused(s, &it, p, 0)); /* the other may have it */
    int q = boot_sched_next(s, 0, &it);
    assert_int_equal(q, 1 - p);
    boot_sched_done(s, q, BOOT_UNAVAILABLE, 0, 0);
    assert_false(boot_sched_refused(s, &it, q, 0)); /* nobody: given up */
    assert_int_equal(s->dropped_items, 1);
    assert_int_equal(boot_sched_queued(s), 0);
}

static void test_peers_come_and_go(void **state)
{
    boot_sched *s = *state;
    peers(s, 3);
    assert_int_equal(boot_sched_usable_peers(s, 0), 3);
    peers(s, 1); /* two went away */
    assert_int_equal(boot_sched_usable_peers(s, 0), 1);
    uint8_t id[32] = {0x10};
    assert_int_equal(boot_sched_peer_index(s, id), 0);
    /* a full table: a new peer takes an absent one's place */
    uint8_t ids[BOOT_MAX_PEERS + 1][32];
    memset(ids, 0, sizeof ids);
    for (size_t i = 0; i <= BOOT_MAX_PEERS; i++)
        ids[i][0] = (uint8_t)(0x40 + i);
    boot_sched_set_peers(s, (const uint8_t(*)[32])ids, BOOT_MAX_PEERS);
    assert_int_equal(boot_sched_usable_peers(s, 0), BOOT_MAX_PEERS);
    boot_sched_set_peers(s, (const uint8_t(*)[32]) & ids[1], BOOT_MAX_PEERS);
    assert_int_equal(boot_sched_usable_peers(s, 0), BOOT_MAX_PEERS);
    assert_int_equal(boot_sched_peer_index(s, ids[0]), -1);
    assert_true(boot_sched_peer_index(s, ids[BOOT_MAX_PEERS]) >= 0);
    boot_item it;
    assert_int_equal(boot_sched_next(s, 0, &it), -1); /* nothing queued */
}

/* A chain's next page goes behind every other queued account (in step),
 * keeping its hint; a hint the ledger did not take is forgotten. */
static void test_append_and_forget(void **state)
{
    boot_sched *s = *state;
    peers(s, 1);
    uint8_t a[32];
    for (uint32_t i = 1; i <= 2; i++) {
        acct(a, i);
        boot_sched_push(s, a, false, 0);
    }
    boot_item it = {0};
    acct(it.account, 1);
    it.hint[0] = 0x77;
    it.hint_height = 9;
    it.hint_balance = smn_amount_from_u64(5);
    assert_true(boot_sched_append(s, &it)); /* already queued: moved to the back */
    assert_int_equal(boot_sched_queued(s), 2);
    boot_item got;
    assert_int_equal(boot_sched_next(s, 0, &got), 0);
    acct(a, 2);
    assert_memory_equal(got.account, a, 32);
    boot_sched_done(s, 0, BOOT_OK, 0, 0);
    assert_int_equal(boot_sched_next(s, 1000, &got), 0);
    assert_int_equal(got.hint_height, 9);
    assert_true(smn_amount_eq(got.hint_balance, smn_amount_from_u64(5)));
    boot_sched_done(s, 0, BOOT_OK, 0, 1000);
    assert_true(boot_sched_append(s, &it));
    boot_sched_forget_hint(s, it.account);
    assert_int_equal(boot_sched_next(s, 2000, &got), 0);
    assert_int_equal(got.hint_height, 0);
    assert_true(smn_is_zero32(got.hint));
}

static void test_take_for(void **state)
{
    boot_sched *s = *state;
    peers(s, 2);
    uint8_t a[32];
    for (uint32_t i = 1; i <= 3; i++) {
        acct(a, i);
        boot_sched_push(s, a, false, 0);
    }
    boot_item first, more;
    int p = boot_sched_next(s, 0, &first);
    assert_true(p >= 0);
    /* account 2 refused p: it does not join; account 3 continues a chain:
     * it joins (chains are pulled in step, several in one round trip) */
    boot_item two;
    assert_true(boot_sched_take_for(s, p, 0, &two));
    two.refused = (uint8_t)(1u << p);
    boot_sched_requeue(s, &two);
    boot_item three;
    assert_true(boot_sched_take_for(s, p, 0, &three));
    three.hint_height = 5;
    boot_sched_requeue(s, &three);
    assert_true(boot_sched_take_for(s, p, 0, &more));
    assert_int_equal(more.hint_height, 5);
    assert_false(boot_sched_take_for(s, p, 0, &more));
    assert_int_equal(boot_sched_queued(s), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queue_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requeue_keeps_hint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit_and_score, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_drops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_goes_elsewhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peers_come_and_go, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_and_forget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_take_for, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
