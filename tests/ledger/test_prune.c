/* Pruning keeps the last N cemented blocks per account, never touches an
 * unconfirmed block, and leaves later validation intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "procs/ledger/confirm.h"
#include "procs/ledger/prune.h"
#include "ipc/ledgerdb/ro.h"
#include "tests/ledger/helpers.h"

static void test_prune(void **state)
{
    (void)state;
    char dir[256], path[300], err[256];
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    ledger_store *s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    tl_account g, a;
    tl_genesis(&g);
    tl_account_new(&a, 1);
    /* genesis chain: heights 1 (genesis) .. 11 */
    smn_block sends[10];
    uint8_t hs[10][32];
    for (int i = 0; i < 10; i++) {
        tl_send(&g, a.kp.pub, tl_smn(1), &sends[i]);
        tl_hash(&sends[i], hs[i]);
        assert_int_equal(tl_process1(p, &sends[i]), LEDGER_ACCEPTED);
    }
    ledger_prune_stats ps;
    /* Nothing cemented beyond genesis: nothing to prune. */
    assert_int_equal(ledger_prune(s, 3, 100, &ps), LEDGER_STATUS_OK);
    assert_int_equal(ps.blocks, 0);
    /* Cement up to height 7 (sends[5]); heights 8..11 stay unconfirmed. */
    assert_int_equal(ledger_confirm(s, hs[5], NULL, NULL, NULL), LEDGER_STATUS_OK);
    /* keep == 0: pruning off. */
    assert_int_equal(ledger_prune(s, 0, 100, &ps), LEDGER_STATUS_OK);
    assert_int_equal(ps.blocks, 0);
    assert_int_equal(ledger_prune(s, 3, 100, &ps), LEDGER_STATUS_OK);
    assert_int_equal(ps.accounts, 1);
    assert_int_equal(ps.blocks, 4); /* heights 1..4 */
    /* Again: nothing more. */
    assert_int_equal(ledger_prune(s, 3, 100, &ps), LEDGER_STATUS_OK);
    assert_int_equal(ps.blocks, 0);

    ledger_block_record rec;
    uint64_t wm;
    assert_int_equal(ledger_store_pruned_height(s, g.kp.pub, &wm), LEDGER_STATUS_OK);
    assert_int_equal(wm, 4);
    for (int i = 0; i < 10; i++) {
        /* sends[i] is at height i + 2 */
        ledger_status want = i + 2 <= 4 ? LEDGER_STATUS_NOT_FOUND : LEDGER_STATUS_OK;
        assert_int_equal(ledger_store_block(s, hs[i], &rec), want);
        bool pruned;
        assert_int_equal(ledger_store_is_pruned(s, hs[i], &pruned), LEDGER_STATUS_OK);
        assert_int_equal(pruned, i + 2 <= 4);
    }
    ledger_account_info ai;
    assert_int_equal(ledger_store_account(s, g.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_int_equal(ai.height, 11);
    assert_int_equal(ai.conf_height, 7);
    assert_true(smn_amount_eq(ai.balance, smn_amount_sub_wrap(smn_network_supply(), tl_smn(10))));

    /* Later validation: new send on the frontier, receive of pruned sends. */
    smn_block b;
    tl_send(&g, a.kp.pub, tl_smn(1), &b);
    assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
    tl_receive(&a, hs[0], tl_smn(1), &b);
    assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
    tl_receive(&a, hs[1], tl_smn(1), &b);
    assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
    /* Confirming a receive whose source was pruned works. */
    size_t count;
    assert_int_equal(ledger_confirm(s, a.frontier, NULL, NULL, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 2);
    /* Confirming a pruned block is a no-op. */
    assert_int_equal(ledger_confirm(s, hs[0], NULL, NULL, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 0);
    ledger_counts c;
    ledger_store_counts(s, &c);
    assert_int_equal(c.pruned, 4);
    assert_int_equal(c.blocks, 14);

    ledger_processor_destroy(p);
    ledger_store_close(s);

    /* History through the read-only API stops at the watermark; the pruned
     * state survives restart. */
    ledger_ro *ro;
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    ledger_block_record hist[20];
    size_t n;
    assert_int_equal(ledger_ro_history(ro, g.kp.pub, 0, hist, 20, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 8); /* heights 12..5 */
    assert_int_equal(hist[n - 1].height, 5);
    assert_int_equal(ledger_ro_pruned_height(ro, g.kp.pub, &wm), LEDGER_STATUS_OK);
    assert_int_equal(wm, 4);
    ledger_ro_close(ro);
    s = tl_open(dir, NULL);
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    assert_int_equal(tl_process1(p, &sends[0]), LEDGER_OLD);
    ledger_processor_destroy(p);
    ledger_store_close(s);
    tl_cleanup(dir);
}

/* The store refuses to prune at or above the confirmation height. */
static void test_never_unconfirmed(void **state)
{
    (void)state;
    char dir[256];
    tl_tmpdir(dir);
    ledger_store *s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    tl_account g, a;
    tl_genesis(&g);
    tl_account_new(&a, 1);
    smn_block b;
    for (int i = 0; i < 4; i++) {
        tl_send(&g, a.kp.pub, smn_amount_from_u64(1), &b);
        assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
    }
    uint64_t removed;
    assert_int_equal(ledger_store_begin(s), LEDGER_STATUS_OK);
    assert_int_equal(ledger_store_prune_account(s, g.kp.pub, 2, &removed), LEDGER_STATUS_INVALID);
    assert_int_equal(ledger_store_prune_account(s, g.kp.pub, 1, &removed), LEDGER_STATUS_INVALID);
    ledger_store_rollback(s);
    ledger_prune_stats ps;
    assert_int_equal(ledger_prune(s, 1, 100, &ps), LEDGER_STATUS_OK);
    assert_int_equal(ps.blocks, 0);
    ledger_processor_destroy(p);
    ledger_store_close(s);
    tl_cleanup(dir);
}

#define CURSOR_ACCOUNTS 30

static int key_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* The candidate scan keeps its place: with more accounts than one pass looks
 * at, and more candidates than one pass returns, consecutive passes return
 * every candidate once, in key order, before the scan wraps; the next round
 * returns them again. ledger_prune's passes then prune each account once. */
static void test_prune_cursor(void **state)
{
    (void)state;
    char dir[256];
    tl_tmpdir(dir);
    ledger_store *s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    tl_account g, a[CURSOR_ACCOUNTS];
    tl_genesis(&g);
    smn_block b;
    uint8_t h[32];
    /* candidates (keep = 1): the genesis and the even accounts (three
     * blocks each); the odd ones (one block) are looked at and passed */
    uint8_t want[CURSOR_ACCOUNTS + 1][32];
    size_t nwant = 0;
    for (uint32_t i = 0; i < CURSOR_ACCOUNTS; i++) {
        tl_account_new(&a[i], 200 + i);
        tl_send(&g, a[i].kp.pub, tl_smn(1), &b);
        assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
        tl_hash(&b, h);
        tl_receive(&a[i], h, tl_smn(1), &b);
        assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
        for (int k = 0; k < 2 && i % 2 == 0; k++) {
            tl_change(&a[i], g.kp.pub, &b);
            assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
        }
        if (i % 2 == 0)
            memcpy(want[nwant++], a[i].kp.pub, 32);
    }
    memcpy(want[nwant++], g.kp.pub, 32);
    qsort(want, nwant, 32, key_cmp);
    for (uint32_t i = 0; i < CURSOR_ACCOUNTS; i++)
        assert_int_equal(ledger_confirm(s, a[i].frontier, NULL, NULL, NULL), LEDGER_STATUS_OK);
    assert_int_equal(ledger_confirm(s, g.frontier, NULL, NULL, NULL), LEDGER_STATUS_OK);

    /* The store's scan: 5 accounts looked at, 3 candidates at most, a pass. */
    assert_int_equal(ledger_store_begin(s), LEDGER_STATUS_OK);
    for (int round = 0; round < 2; round++) {
        uint8_t got[CURSOR_ACCOUNTS + 1][32];
        size_t ngot = 0, passes = 0;
        bool wrapped = false;
        while (!wrapped) {
            ledger_prune_candidate c[3];
            size_t n;
            assert_int_equal(ledger_store_prune_candidates(s, 1, 5, c, 3, &n, &wrapped),
                             LEDGER_STATUS_OK);
            assert_true(n <= 3);
            for (size_t k = 0; k < n; k++) {
                assert_true(ngot < nwant);
                memcpy(got[ngot++], c[k].account, 32);
            }
            passes++;
            assert_true(passes <= CURSOR_ACCOUNTS + 1);
        }
        /* 31 accounts, at most 5 a pass: at least 7 passes in a round */
        assert_true(passes >= (CURSOR_ACCOUNTS + 1 + 4) / 5);
        assert_int_equal(ngot, nwant);
        for (size_t k = 0; k < ngot; k++)
            assert_memory_equal(got[k], want[k], 32); /* key order: none twice */
    }
    ledger_store_rollback(s);

    /* ledger_prune: at most 4 accounts a pass; the first round prunes each
     * candidate once, the second finds nothing. */
    size_t pruned = 0, passes = 0;
    ledger_prune_stats ps;
    do {
        assert_int_equal(ledger_prune(s, 1, 4, &ps), LEDGER_STATUS_OK);
        assert_true(ps.accounts <= 4);
        pruned += ps.accounts;
        passes++;
        assert_true(passes <= nwant);
    } while (!ps.wrapped);
    assert_int_equal(pruned, nwant);
    assert_true(passes >= (nwant + 3) / 4);
    do {
        assert_int_equal(ledger_prune(s, 1, 4, &ps), LEDGER_STATUS_OK);
        assert_int_equal(ps.accounts, 0);
    } while (!ps.wrapped);
    for (uint32_t i = 0; i < CURSOR_ACCOUNTS; i++) {
        uint64_t wm;
        assert_int_equal(ledger_store_pruned_height(s, a[i].kp.pub, &wm), LEDGER_STATUS_OK);
        assert_int_equal(wm, i % 2 == 0 ? 2 : 0);
    }
    ledger_processor_destroy(p);
    ledger_store_close(s);
    tl_cleanup(dir);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prune),
        cmocka_unit_test(test_never_unconfirmed),
        cmocka_unit_test(test_prune_cursor),
    };
    return cmocka_run_group_tests_name("ledger_prune", tests, NULL, NULL);
}
