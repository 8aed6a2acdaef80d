/* The bootstrap's hold (procs/bootstrap/hold.h), no sockets: pages handed
 * out in dependency order (a send before its receive, whatever order the
 * pages came in), a segment blocked on a missing source until it is handed
 * out or lands, the bounds, spilling a stuck hold, dropping a segment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "procs/bootstrap/hold.h"

static void acct(uint8_t out[32], uint32_t i)
{
    memset(out, 0, 32);
    out[0] = 0xAC;
    out[31] = (uint8_t)i;
}

/* A block of account i after prev (zero: an open) at balance, link. */
static void blk(smn_block *b, uint32_t i, const uint8_t prev[32], uint64_t balance,
                const uint8_t link[32])
{
    memset(b, 0, sizeof *b);
    acct(b->account, i);
    memcpy(b->previous, prev, 32);
    b->balance = smn_amount_from_u64(balance);
    memcpy(b->link, link, 32);
}

static uint8_t known_hash[4][32];
static size_t nknown;

static bool known(void *ud, const uint8_t h[32])
{
    (void)ud;
    for (size_t i = 0; i < nknown; i++)
        if (memcmp(known_hash[i], h, 32) == 0)
            return true;
    return false;
}

static boot_item done_items[8];
static bool done_more[8];
static size_t ndone;

static bool done_needed[8], done_funds[8];

static void done(void *ud, const boot_item *it, bool more, bool needed, bool funds)
{
    (void)ud;
    done_items[ndone] = *it;
    done_funds[ndone] = funds;
    done_needed[ndone] = needed;
    done_more[ndone++] = more;
}

static const boot_hold_cb cb = {.known = known, .done = done};

static int setup(void **state)
{
    static boot_hold h;
    assert_int_equal(boot_hold_init(&h), 0);
    nknown = ndone = 0;
    *state = &h;
    return 0;
}

static int teardown(void **state)
{
    boot_hold_free(*state);
    return 0;
}

static boot_item item_of(uint32_t i)
{
    boot_item it = {0};
    acct(it.account, i);
    return it;
}

/* Account 1 opens from a known send and sends to account 2; account 2's
 * page (its open from that send) comes first: it is handed out after. */
static void test_dependency_order(void **state)
{
    boot_hold *h = *state;
    static const uint8_t zero[32];
    uint8_t g[32] = {0x66};
    memcpy(known_hash[nknown++], g, 32);
    smn_block a[2], b[1];
    blk(&a[0], 1, zero, 100, g); /* open from g */
    uint8_t h1[32], s1[32], dest[32];
    smn_block_hash(&a[0], h1);
    acct(dest, 2);
    blk(&a[1], 1, h1, 60, dest); /* send 40 to account 2 */
    smn_block_hash(&a[1], s1);
    blk(&b[0], 2, zero, 40, s1); /* open from s1 */
    boot_item i1 = item_of(1), i2 = item_of(2);
    assert_true(boot_hold_add(h, &i2, b, 1, 3, false));
    assert_true(boot_hold_add(h, &i1, a, 2, 4, true));
    assert_false(boot_hold_add(h, &i1, a, 2, 4, true)); /* held already */
    assert_int_equal(boot_hold_blocks(h), 3);
    assert_int_equal(boot_hold_accounts(h), 2);
    smn_block out[8];
    int8_t peers[8];
    /* one at a time: account 2 blocks on s1 first */
    assert_int_equal(boot_hold_take(h, out, peers, 1, &cb), 1);
    assert_memory_equal(&out[0], &a[0], sizeof a[0]);
    assert_int_equal(peers[0], 4);
    assert_int_equal(boot_hold_blocked(h), 1);
    assert_int_equal(boot_hold_take(h, out, peers, 8, &cb), 2);
    assert_memory_equal(&out[0], &a[1], sizeof a[1]);
    assert_memory_equal(&out[1], &b[0], sizeof b[0]);
    assert_int_equal(peers[1], 3);
    assert_int_equal(boot_hold_blocked(h), 0);
    assert_int_equal(boot_hold_blocks(h), 0);
    assert_int_equal(boot_hold_accounts(h), 0);
    /* both segments done, each with its new hint */
    assert_int_equal(ndone, 2);
    assert_memory_equal(done_items[0].hint, s1, 32);
    assert_int_equal(done_items[0].hint_height, 2);
    assert_true(smn_amount_eq(done_items[0].hint_balance, smn_amount_from_u64(60)));
    assert_true(done_more[0]);
    assert_false(done_more[1]);
    assert_true(done_needed[0]); /* its send woke account 2 */
    assert_false(done_funds[0]); /* an open and a send: not sends only */
    assert_false(done_needed[1]);
    assert_int_equal(done_items[1].hint_height, 1);
}

/* A receive of a send nobody holds: blocked until it lands (sweep) or is
 * woken; spilling hands it out anyway; dropping forgets it. */
static void test_blocked_sweep_spill_drop(void **state)
{
    boot_hold *h = *state;
    static const uint8_t zero[32];
    uint8_t x[32] = {0x55}, y[32] = {0x44};
    smn_block c[2], d[1], e[1];
    blk(&c[0], 3, zero, 10, x);
    uint8_t hc[32];
    smn_block_hash(&c[0], hc);
    blk(&c[1], 3, hc, 5, zero); /* a send after it: waits behind it */
    blk(&d[0], 4, zero, 7, y);
    blk(&e[0], 5, zero, 9, y); /* a lying peer: a second receive of y */
    boot_item i3 = item_of(3), i4 = item_of(4), i5 = item_of(5);
    assert_true(boot_hold_add(h, &i3, c, 2, 0, false));
    assert_true(boot_hold_add(h, &i4, d, 1, 0, false));
    assert_true(boot_hold_add(h, &i5, e, 1, 0, false));
    smn_block out[8];
    assert_int_equal(boot_hold_take(h, out, NULL, 8, &cb), 0);
    assert_int_equal(boot_hold_blocked(h), 3);
    uint8_t need[32];
    assert_true(boot_hold_some_need(h, need));
    assert_true(memcmp(need, x, 32) == 0 || memcmp(need, y, 32) == 0);
    /* x lands some other way */
    memcpy(known_hash[nknown++], x, 32);
    assert_int_equal(boot_hold_sweep(h, BOOT_HOLD_SEGS, &cb), 1);
    assert_int_equal(boot_hold_take(h, out, NULL, 8, &cb), 2);
    assert_memory_equal(&out[0], &c[0], sizeof c[0]);
    /* y woken by hand: one of the two waiting for it */
    assert_true(boot_hold_wake(h, y));
    assert_int_equal(boot_hold_take(h, out, NULL, 8, &cb), 1);
    assert_int_equal(boot_hold_blocked(h), 1);
    /* the other is spilled */
    assert_int_equal(boot_hold_spill(h, 100), 1);
    assert_int_equal(boot_hold_blocked(h), 0);
    assert_int_equal(boot_hold_take(h, out, NULL, 8, &cb), 1);
    assert_int_equal(boot_hold_accounts(h), 0);
    /* evict: a blocked segment is forgotten, its item handed back */
    assert_true(boot_hold_add(h, &i4, d, 1, 0, false));
    assert_int_equal(boot_hold_take(h, out, NULL, 8, &cb), 0);
    boot_item ev;
    assert_true(boot_hold_evict_blocked(h, &ev));
    assert_memory_equal(ev.account, i4.account, 32);
    assert_false(boot_hold_evict_blocked(h, &ev));
    assert_int_equal(boot_hold_accounts(h), 0);
    /* drop */
    assert_true(boot_hold_add(h, &i4, d, 1, 0, false));
    assert_int_equal(boot_hold_take(h, out, NULL, 8, &cb), 0);
    boot_item back;
    assert_true(boot_hold_drop(h, i4.account, &back));
    assert_memory_equal(back.account, i4.account, 32);
    assert_false(boot_hold_drop(h, i4.account, NULL));
    assert_int_equal(boot_hold_blocks(h), 0);
    assert_int_equal(boot_hold_blocked(h), 0);
    assert_false(boot_hold_wake(h, y));
}

/* Trimming a blocked chain: only the receive it waits on stays held, the
 * chain stays held (no second pull of it is taken meanwhile) and, once
 * woken and handed out, it is done with `more` (its tail is pulled again
 * from there). */
static void test_trim(void **state)
{
    boot_hold *h = *state;
    static const uint8_t zero[32];
    uint8_t x[32] = {0x66};
    smn_block c[4];
    uint8_t prev[32];
    blk(&c[0], 6, zero, 10, x); /* an open from x, not known */
    for (int k = 1; k < 4; k++) {
        smn_block_hash(&c[k - 1], prev);
        blk(&c[k], 6, prev, (uint64_t)(10 - k), zero); /* sends */
    }
    boot_item i6 = item_of(6);
    assert_true(boot_hold_add(h, &i6, c, 4, 0, false));
    smn_block out[8];
    assert_int_equal(boot_hold_take(h, out, NULL, 8, &cb), 0);
    assert_int_equal(boot_hold_trim_blocked(h, 100), 3);
    assert_int_equal(boot_hold_blocks(h), 1);
    assert_true(boot_hold_has(h, i6.account));
    assert_false(boot_hold_add(h, &i6, &c[1], 3, 0, true)); /* held: no second page */
    assert_int_equal(boot_hold_trim_blocked(h, 100), 0);    /* nothing left to cut */
    assert_true(boot_hold_wake(h, x));
    assert_int_equal(boot_hold_take(h, out, NULL, 8, &cb), 1);
    assert_memory_equal(&out[0], &c[0], sizeof c[0]);
    assert_int_equal(ndone, 1);
    assert_true(done_more[0]);
    assert_int_equal(done_items[0].hint_height, 1);
    assert_int_equal(boot_hold_accounts(h), 0);
}

/* BOOT_HOLD_BLOCKS blocks at most. */
static void test_bound(void **state)
{
    boot_hold *h = *state;
    static const uint8_t zero[32];
    enum { PAGE = 512 };
    static smn_block page[PAGE];
    for (size_t i = 0; i < PAGE; i++)
        blk(&page[i], 0, zero, 1, zero);
    size_t added = 0;
    for (uint32_t i = 0; i < BOOT_HOLD_BLOCKS / PAGE + 2; i++) {
        boot_item it = {0};
        it.account[0] = 0xAA;
        it.account[1] = (uint8_t)(i >> 8);
        it.account[2] = (uint8_t)i;
        added += boot_hold_add(h, &it, page, PAGE, 0, false);
    }
    assert_int_equal(added, BOOT_HOLD_BLOCKS / PAGE);
    assert_int_equal(boot_hold_room(h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dependency_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocked_sweep_spill_drop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
