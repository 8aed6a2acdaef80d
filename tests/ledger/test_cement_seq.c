/* The cementing log: genesis is seq 1, every newly cemented block gets the
 * next seq in cementing order, seqs survive reopening, the read-only API
 * lists them for a resuming subscriber, and a version-1 database is
 * migrated with its cemented blocks numbered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "procs/ledger/confirm.h"
#include "procs/ledger/prune.h"
#include "ipc/ledgerdb/ro.h"
#include "tests/ledger/helpers.h"

typedef struct {
    ledger_cemented c[64];
    size_t n;
} seen;

static void on_cemented(void *user, const ledger_cemented *c)
{
    seen *l = user;
    if (l->n < 64)
        l->c[l->n++] = *c;
}

/* g -> a (send), a opens, g -> a (send), a receives: 4 blocks + genesis. */
static void build(ledger_store *s, smn_block blk[4])
{
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    tl_account g, a;
    tl_genesis(&g);
    tl_account_new(&a, 1);
    uint8_t h[32];
    tl_send(&g, a.kp.pub, tl_smn(10), &blk[0]);
    tl_hash(&blk[0], h);
    tl_receive(&a, h, tl_smn(10), &blk[1]);
    tl_send(&g, a.kp.pub, tl_smn(3), &blk[2]);
    tl_hash(&blk[2], h);
    tl_receive(&a, h, tl_smn(3), &blk[3]);
    ledger_result r[4];
    assert_int_equal(ledger_processor_process(p, blk, 4, r), LEDGER_STATUS_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(r[i], LEDGER_ACCEPTED);
    ledger_processor_destroy(p);
}

static void test_seq_order_and_persistence(void **state)
{
    (void)state;
    char dir[256], path[300];
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    ledger_store *s = tl_open(dir, NULL);
    uint64_t seq;
    assert_int_equal(ledger_store_cement_seq(s, &seq), LEDGER_STATUS_OK);
    assert_int_equal(seq, 1); /* genesis */
    smn_block blk[4];
    build(s, blk);
    assert_int_equal(ledger_store_cement_seq(s, &seq), LEDGER_STATUS_OK);
    assert_int_equal(seq, 1); /* accepting cements nothing */

    /* The open: its send first. */
    seen l = {0};
    uint8_t h[32];
    tl_hash(&blk[1], h);
    size_t count;
    assert_int_equal(ledger_confirm(s, h, on_cemented, &l, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 2);
    assert_int_equal(l.n, 2);
    tl_hash(&blk[0], h);
    assert_memory_equal(l.c[0].hash, h, 32);
    assert_int_equal(l.c[0].seq, 2);
    assert_int_equal(l.c[1].seq, 3);
    /* Again: nothing new, no seq used. */
    tl_hash(&blk[1], h);
    assert_int_equal(ledger_confirm(s, h, on_cemented, &l, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 0);
    ledger_store_close(s);

    /* Reopened: numbering continues. */
    s = tl_open(dir, NULL);
    assert_int_equal(ledger_store_cement_seq(s, &seq), LEDGER_STATUS_OK);
    assert_int_equal(seq, 3);
    l.n = 0;
    tl_hash(&blk[3], h);
    assert_int_equal(ledger_confirm(s, h, on_cemented, &l, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 2);
    assert_int_equal(l.c[0].seq, 4);
    assert_int_equal(l.c[1].seq, 5);
    tl_hash(&blk[2], h);
    assert_memory_equal(l.c[0].hash, h, 32);

    /* A resuming subscriber reads the same log. */
    ledger_ro *ro;
    char err[256];
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    ledger_ro_cemented out[8];
    size_t n;
    assert_int_equal(ledger_ro_cemented_after(ro, 2, out, 8, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(out[i].seq, 3 + i);
        assert_false(out[i].pruned);
        tl_hash(&blk[1 + i], h);
        assert_memory_equal(out[i].hash, h, 32);
        assert_memory_equal(out[i].rec.hash, h, 32);
        assert_true(out[i].rec.confirmed);
    }
    assert_int_equal(out[0].rec.subtype, LEDGER_SUBTYPE_OPEN);
    assert_int_equal(out[1].rec.subtype, LEDGER_SUBTYPE_SEND);
    assert_int_equal(out[2].rec.height, 2);
    assert_int_equal(ledger_ro_cemented_after(ro, 0, out, 2, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].seq, 1);
    assert_int_equal(ledger_ro_cemented_after(ro, 5, out, 8, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 0);

    /* Pruned blocks stay in the log, marked. */
    ledger_prune_stats ps;
    assert_int_equal(ledger_prune(s, 1, 100, &ps), LEDGER_STATUS_OK);
    assert_true(ps.blocks > 0);
    assert_int_equal(ledger_ro_cemented_after(ro, 0, out, 8, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 5);
    assert_true(out[0].pruned); /* genesis */
    tl_hash(&tl_dev()->genesis, h);
    assert_memory_equal(out[0].hash, h, 32);
    assert_false(out[4].pruned); /* a frontier */
    ledger_ro_close(ro);
    ledger_store_close(s);
    tl_cleanup(dir);
}

static void test_migration_from_v1(void **state)
{
    (void)state;
    char cur[256], dir[256], src[300], path[300];
    tl_tmpdir(cur);
    tl_tmpdir(dir);
    tl_dbpath(cur, src);
    tl_dbpath(dir, path);
    ledger_store *s = tl_open(cur, NULL);
    smn_block blk[4];
    build(s, blk);
    uint8_t h[32];
    tl_hash(&blk[1], h);
    assert_int_equal(ledger_confirm(s, h, NULL, NULL, NULL), LEDGER_STATUS_OK);
    ledger_store_close(s);
    /* What a version-1 build wrote for this ledger: no log. */
    tl_export_old_schema(src, path, 1);
    tl_cleanup(cur);

    s = tl_open(dir, NULL);
    uint64_t seq;
    assert_int_equal(ledger_store_cement_seq(s, &seq), LEDGER_STATUS_OK);
    assert_int_equal(seq, 3); /* genesis, the send, the open */
    ledger_ro *ro;
    char err[256];
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    ledger_ro_cemented out[8];
    size_t n;
    assert_int_equal(ledger_ro_cemented_after(ro, 0, out, 8, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 3);
    tl_hash(&tl_dev()->genesis, h);
    assert_memory_equal(out[0].hash, h, 32);
    tl_hash(&blk[0], h);
    assert_memory_equal(out[1].hash, h, 32);
    tl_hash(&blk[1], h);
    assert_memory_equal(out[2].hash, h, 32);
    ledger_ro_close(ro);

    seen l = {0};
    tl_hash(&blk[3], h);
    assert_int_equal(ledger_confirm(s, h, on_cemented, &l, NULL), LEDGER_STATUS_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.c[0].seq, 4);
    assert_int_equal(l.c[1].seq, 5);
    ledger_store_close(s);
    tl_cleanup(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seq_order_and_persistence),
        cmocka_unit_test(test_migration_from_v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
