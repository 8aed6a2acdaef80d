/* Representative weights follow every accepted block and survive restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/ledgerdb/ro.h"
#include "tests/ledger/helpers.h"

static smn_amount_t weight(ledger_store *s, const uint8_t rep[32])
{
    smn_amount_t w;
    assert_int_equal(ledger_store_weight(s, rep, &w), LEDGER_STATUS_OK);
    return w;
}

static void test_weights(void **state)
{
    (void)state;
    char dir[256];
    tl_tmpdir(dir);
    ledger_store *s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    const smn_amount_t supply = smn_network_supply();
    tl_account g, a, r1, r2;
    tl_genesis(&g);
    tl_account_new(&a, 1);
    tl_account_new(&r1, 50);
    tl_account_new(&r2, 51);
    assert_true(smn_amount_eq(weight(s, g.kp.pub), supply));

    smn_block b;
    uint8_t h[32];
    tl_send(&g, a.kp.pub, tl_smn(100), &b);
    assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
    /* A receivable carries no weight until it is received. */
    assert_true(smn_amount_eq(weight(s, g.kp.pub), smn_amount_sub_wrap(supply, tl_smn(100))));
    tl_hash(&b, h);
    memcpy(a.rep, r1.kp.pub, 32);
    tl_receive(&a, h, tl_smn(100), &b);
    assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
    assert_true(smn_amount_eq(weight(s, r1.kp.pub), tl_smn(100)));

    tl_change(&a, r2.kp.pub, &b);
    assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
    assert_true(smn_amount_eq(weight(s, r1.kp.pub), smn_amount_from_u64(0)));
    assert_true(smn_amount_eq(weight(s, r2.kp.pub), tl_smn(100)));

    /* A send that also changes the representative. */
    memcpy(a.rep, r1.kp.pub, 32);
    tl_send(&a, g.kp.pub, tl_smn(30), &b);
    assert_int_equal(tl_process1(p, &b), LEDGER_ACCEPTED);
    assert_true(smn_amount_eq(weight(s, r1.kp.pub), tl_smn(70)));
    assert_true(smn_amount_eq(weight(s, r2.kp.pub), smn_amount_from_u64(0)));
    /* A rejected block changes nothing. */
    smn_block bad = b;
    bad.balance = smn_amount_sub_wrap(bad.balance, smn_amount_from_u64(1));
    assert_int_equal(tl_process1(p, &bad), LEDGER_BAD_SIGNATURE);
    assert_true(smn_amount_eq(weight(s, r1.kp.pub), tl_smn(70)));

    ledger_processor_destroy(p);
    ledger_store_close(s);
    s = tl_open(dir, NULL);
    assert_true(smn_amount_eq(weight(s, r1.kp.pub), tl_smn(70)));
    assert_true(smn_amount_eq(weight(s, g.kp.pub), smn_amount_sub_wrap(supply, tl_smn(100))));
    ledger_store_close(s);

    /* And through the read-only API, heaviest first. */
    char path[300], err[256];
    tl_dbpath(dir, path);
    ledger_ro *ro;
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    ledger_rep_weight reps[8];
    size_t n;
    assert_int_equal(ledger_ro_representatives(ro, reps, 8, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(reps[0].account, g.kp.pub, 32);
    assert_memory_equal(reps[1].account, r1.kp.pub, 32);
    assert_true(smn_amount_eq(reps[1].weight, tl_smn(70)));
    smn_amount_t w;
    assert_int_equal(ledger_ro_weight(ro, r2.kp.pub, &w), LEDGER_STATUS_OK);
    assert_true(smn_amount_eq(w, smn_amount_from_u64(0)));
    ledger_ro_close(ro);
    tl_cleanup(dir);
}

/* One batch moving the whole supply many times over (every genesis send
 * re-weights ~10^37 raw) still sums to the exact weights. */
static void test_batch_of_whale_moves(void **state)
{
    (void)state;
    char dir[256];
    tl_tmpdir(dir);
    ledger_store *s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    tl_account g, r1;
    tl_genesis(&g);
    tl_account_new(&r1, 50);
    enum { N = 120 };
    smn_block blk[N];
    smn_amount_t sent = smn_amount_from_u64(0);
    for (int i = 0; i < N; i++) {
        tl_account a;
        tl_account_new(&a, (uint32_t)(200 + i));
        if (i % 2)
            memcpy(g.rep, i % 4 == 1 ? r1.kp.pub : g.kp.pub, 32);
        tl_send(&g, a.kp.pub, smn_amount_add_wrap(tl_smn(1), smn_amount_from_u64((uint64_t)i)),
                &blk[i]);
        sent = smn_amount_add_wrap(
            sent, smn_amount_add_wrap(tl_smn(1), smn_amount_from_u64((uint64_t)i)));
    }
    ledger_result r[N];
    assert_int_equal(ledger_processor_process(p, blk, N, r), LEDGER_STATUS_OK);
    for (int i = 0; i < N; i++)
        assert_int_equal(r[i], LEDGER_ACCEPTED);
    /* The last block (i = 119, odd, 119 % 4 == 3) delegates to genesis itself. */
    assert_true(
        smn_amount_eq(weight(s, g.kp.pub), smn_amount_sub_wrap(smn_network_supply(), sent)));
    assert_true(smn_amount_eq(weight(s, r1.kp.pub), smn_amount_from_u64(0)));
    ledger_processor_destroy(p);
    ledger_store_close(s);
    tl_cleanup(dir);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_batch_of_whale_moves),
    };
    return cmocka_run_group_tests_name("ledger_weights", tests, NULL, NULL);
}
