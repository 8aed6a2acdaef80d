/* Confirmation: dependencies first, heights raised per account, cementing
 * order reported, idempotent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "procs/ledger/confirm.h"
#include "tests/ledger/helpers.h"

typedef struct {
    ledger_cemented c[64];
    size_t n;
} cement_log;

static void on_cemented(void *user, const ledger_cemented *c)
{
    cement_log *l = user;
    if (l->n < 64)
        l->c[l->n++] = *c;
}

static ssize_t pos(const cement_log *l, const smn_block *b)
{
    uint8_t h[32];
    tl_hash(b, h);
    for (size_t i = 0; i < l->n; i++)
        if (memcmp(l->c[i].hash, h, 32) == 0)
            return (ssize_t)i;
    return -1;
}

static void test_dependencies_in_order(void **state)
{
    (void)state;
    char dir[256];
    tl_tmpdir(dir);
    ledger_store *s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    tl_account g, a, b;
    tl_genesis(&g);
    tl_account_new(&a, 1);
    tl_account_new(&b, 2);
    smn_block blk[8];
    uint8_t h[32];
    tl_send(&g, a.kp.pub, tl_smn(10), &blk[0]); /* g2 */
    tl_hash(&blk[0], h);
    tl_receive(&a, h, tl_smn(10), &blk[1]);    /* a1 */
    tl_send(&g, b.kp.pub, tl_smn(5), &blk[2]); /* g3 */
    tl_send(&a, b.kp.pub, tl_smn(2), &blk[3]); /* a2 */
    tl_hash(&blk[3], h);
    tl_receive(&b, h, tl_smn(2), &blk[4]); /* b1: opens from a2 */
    tl_hash(&blk[2], h);
    tl_receive(&b, h, tl_smn(5), &blk[5]);     /* b2: receives g3 */
    tl_send(&b, g.kp.pub, tl_smn(1), &blk[6]); /* b3 */
    tl_send(&g, a.kp.pub, tl_smn(1), &blk[7]); /* g4: not a dependency of b3 */
    ledger_result r[8];
    assert_int_equal(ledger_processor_process(p, blk, 8, r), LEDGER_STATUS_OK);
    for (int i = 0; i < 8; i++)
        assert_int_equal(r[i], LEDGER_ACCEPTED);

    cement_log log = {0};
    size_t count;
    uint8_t b3[32];
    tl_hash(&blk[6], b3);
    assert_int_equal(ledger_confirm(s, b3, on_cemented, &log, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 7);
    assert_int_equal(log.n, 7);
    assert_int_equal(pos(&log, &blk[7]), -1);
    /* Each send before its receive, each chain in height order. */
    assert_true(pos(&log, &blk[0]) < pos(&log, &blk[1]));
    assert_true(pos(&log, &blk[1]) < pos(&log, &blk[3]));
    assert_true(pos(&log, &blk[3]) < pos(&log, &blk[4]));
    assert_true(pos(&log, &blk[0]) < pos(&log, &blk[2]));
    assert_true(pos(&log, &blk[2]) < pos(&log, &blk[5]));
    assert_true(pos(&log, &blk[4]) < pos(&log, &blk[5]));
    assert_true(pos(&log, &blk[5]) < pos(&log, &blk[6]));
    assert_int_equal(log.c[log.n - 1].height, 3);

    ledger_account_info ai;
    assert_int_equal(ledger_store_account(s, g.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_int_equal(ai.conf_height, 3);
    assert_int_equal(ai.height, 4);
    assert_int_equal(ledger_store_account(s, a.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_int_equal(ai.conf_height, 2);
    assert_int_equal(ledger_store_account(s, b.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_int_equal(ai.conf_height, 3);

    /* Idempotent: again, or any block below, cements nothing. */
    log.n = 0;
    assert_int_equal(ledger_confirm(s, b3, on_cemented, &log, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 0);
    tl_hash(&blk[1], h);
    assert_int_equal(ledger_confirm(s, h, on_cemented, &log, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 0);
    assert_int_equal(log.n, 0);
    /* The remaining one. */
    tl_hash(&blk[7], h);
    assert_int_equal(ledger_confirm(s, h, on_cemented, &log, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 1);
    ledger_counts c;
    ledger_store_counts(s, &c);
    assert_int_equal(c.cemented, 9);
    assert_int_equal(c.blocks, 9);
    /* Unknown block. */
    h[0] ^= 0xff;
    assert_int_equal(ledger_confirm(s, h, NULL, NULL, &count), LEDGER_STATUS_NOT_FOUND);
    /* Survives a restart. */
    ledger_processor_destroy(p);
    ledger_store_close(s);
    s = tl_open(dir, NULL);
    ledger_store_counts(s, &c);
    assert_int_equal(c.cemented, 9);
    ledger_block_record rec;
    assert_int_equal(ledger_store_block(s, b3, &rec), LEDGER_STATUS_OK);
    assert_true(rec.confirmed);
    ledger_store_close(s);
    tl_cleanup(dir);
}

/* A long chain cements in one call without recursion. */
static void test_long_chain(void **state)
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
    enum { N = 200 };
    smn_block *blk = malloc(2 * N * sizeof *blk);
    for (int i = 0; i < N; i++) {
        uint8_t h[32];
        tl_send(&g, a.kp.pub, smn_amount_from_u64(1000), &blk[2 * i]);
        tl_hash(&blk[2 * i], h);
        tl_receive(&a, h, smn_amount_from_u64(1000), &blk[2 * i + 1]);
    }
    ledger_result *r = malloc(2 * N * sizeof *r);
    assert_int_equal(ledger_processor_process(p, blk, 2 * N, r), LEDGER_STATUS_OK);
    size_t count;
    assert_int_equal(ledger_confirm(s, a.frontier, NULL, NULL, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 2 * N);
    free(blk);
    free(r);
    ledger_processor_destroy(p);
    ledger_store_close(s);
    tl_cleanup(dir);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dependencies_in_order),
        cmocka_unit_test(test_long_chain),
    };
    return cmocka_run_group_tests_name("ledger_confirm", tests, NULL, NULL);
}
