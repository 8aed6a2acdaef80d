/* The store: creation with genesis, refusal of foreign data, WAL, and the
 * read-only API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

#include "ipc/ledgerdb/ro.h"
#include "ipc/ledgerdb/schema.h"
#include "tests/ledger/helpers.h"

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_create_genesis(void **state)
{
    (void)state;
    char dir[256], path[300];
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    ledger_store *s = tl_open(dir, NULL);
    const smn_block *gb = &tl_dev()->genesis;
    uint8_t gh[32];
    tl_hash(gb, gh);
    ledger_block_record rec;
    assert_int_equal(ledger_store_block(s, gh, &rec), LEDGER_STATUS_OK);
    assert_true(rec.confirmed);
    assert_int_equal(rec.height, 1);
    assert_int_equal(rec.subtype, LEDGER_SUBTYPE_OPEN);
    assert_true(smn_amount_eq(rec.amount, smn_network_supply()));
    ledger_account_info ai;
    assert_int_equal(ledger_store_account(s, gb->account, &ai), LEDGER_STATUS_OK);
    assert_int_equal(ai.conf_height, 1);
    assert_true(smn_amount_eq(ai.balance, smn_network_supply()));
    ledger_counts c;
    ledger_store_counts(s, &c);
    assert_int_equal(c.blocks, 1);
    assert_int_equal(c.cemented, 1);
    ledger_store_close(s);
    /* Reopening does not insert it again. */
    s = tl_open(dir, NULL);
    ledger_store_counts(s, &c);
    assert_int_equal(c.blocks, 1);
    /* WAL mode. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    ledger_store_close(s);
    tl_cleanup(dir);
}

static void test_refusals(void **state)
{
    (void)state;
    char dir[256], path[300], err[256];
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    ledger_store_close(tl_open(dir, NULL));
    ledger_store *s = NULL;
    ledger_ro *ro = NULL;

    /* Another network. */
    assert_int_equal(
        ledger_store_open(path, smn_network_get(SMN_NET_TEST), NULL, &s, err, sizeof err),
        LEDGER_STATUS_WRONG_NETWORK);
    assert_null(s);
    assert_non_null(strstr(err, "'dev'"));
    assert_non_null(strstr(err, "'test'"));
    assert_int_equal(ledger_ro_open(path, smn_network_get(SMN_NET_LIVE), &ro, err, sizeof err),
                     LEDGER_STATUS_WRONG_NETWORK);
    assert_null(ro);

    /* Another genesis under the same network name. */
    exec_sql(path, "UPDATE meta SET value = zeroblob(32) WHERE key = 'genesis_hash'");
    assert_int_equal(ledger_store_open(path, tl_dev(), NULL, &s, err, sizeof err),
                     LEDGER_STATUS_WRONG_GENESIS);
    tl_cleanup(dir);

    /* A newer schema. */
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    ledger_store_close(tl_open(dir, NULL));
    exec_sql(path, "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
    assert_int_equal(ledger_store_open(path, tl_dev(), NULL, &s, err, sizeof err),
                     LEDGER_STATUS_NEWER_SCHEMA);
    assert_non_null(strstr(err, "99"));
    assert_int_equal(ledger_ro_open(path, NULL, &ro, err, sizeof err), LEDGER_STATUS_NEWER_SCHEMA);
    tl_cleanup(dir);

    /* Not a ledger database at all. */
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    exec_sql(path, "CREATE TABLE other (x)");
    assert_int_equal(ledger_ro_open(path, NULL, &ro, err, sizeof err), LEDGER_STATUS_CORRUPT);
    FILE *fp = fopen(path, "w");
    fputs("this is not sqlite, just some text long enough to be a header......", fp);
    fclose(fp);
    assert_int_not_equal(ledger_store_open(path, tl_dev(), NULL, &s, err, sizeof err),
                         LEDGER_STATUS_OK);
    assert_null(s);
    tl_cleanup(dir);

    /* A missing file is not created by a reader. */
    assert_int_not_equal(ledger_ro_open("/nonexistent/ledger.db", NULL, &ro, err, sizeof err),
                         LEDGER_STATUS_OK);
}

static void test_ro_api(void **state)
{
    (void)state;
    char dir[256], path[300], err[256];
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    ledger_store *s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    ledger_ro *ro;
    /* Opened while the writer is live: a WAL reader. */
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);

    tl_account g, a, b;
    tl_genesis(&g);
    tl_account_new(&a, 1);
    tl_account_new(&b, 2);
    smn_block blk[6];
    uint8_t h[6][32];
    tl_send(&g, a.kp.pub, tl_smn(10), &blk[0]);
    tl_hash(&blk[0], h[0]);
    tl_receive(&a, h[0], tl_smn(10), &blk[1]);
    tl_send(&a, b.kp.pub, tl_smn(1), &blk[2]);
    tl_send(&a, b.kp.pub, tl_smn(3), &blk[3]);
    tl_send(&a, b.kp.pub, tl_smn(2), &blk[4]);
    tl_change(&a, b.kp.pub, &blk[5]);
    for (int i = 1; i < 6; i++)
        tl_hash(&blk[i], h[i]);
    ledger_result r[6];
    assert_int_equal(ledger_processor_process(p, blk, 6, r), LEDGER_STATUS_OK);

    ledger_account_info ai;
    assert_int_equal(ledger_ro_account_info(ro, a.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_int_equal(ai.height, 5);
    assert_memory_equal(ai.frontier, h[5], 32);
    assert_memory_equal(ai.representative, b.kp.pub, 32);
    assert_true(smn_amount_eq(ai.balance, tl_smn(4)));
    assert_int_equal(ledger_ro_account_info(ro, b.kp.pub, &ai), LEDGER_STATUS_NOT_FOUND);

    smn_amount_t bal, pend;
    assert_int_equal(ledger_ro_balance(ro, b.kp.pub, &bal, &pend), LEDGER_STATUS_OK);
    assert_true(smn_amount_eq(bal, smn_amount_from_u64(0)));
    assert_true(smn_amount_eq(pend, tl_smn(6)));

    ledger_block_record rec;
    assert_int_equal(ledger_ro_block(ro, h[2], &rec), LEDGER_STATUS_OK);
    assert_int_equal(rec.height, 2);
    assert_int_equal(rec.subtype, LEDGER_SUBTYPE_SEND);
    assert_true(smn_amount_eq(rec.amount, tl_smn(1)));
    assert_memory_equal(rec.successor, h[3], 32);
    assert_false(rec.confirmed);
    uint8_t w1[SMN_BLOCK_WIRE_BYTES], w2[SMN_BLOCK_WIRE_BYTES];
    smn_block_serialize(&rec.block, w1);
    smn_block_serialize(&blk[2], w2);
    assert_memory_equal(w1, w2, sizeof w1);
    assert_int_equal(ledger_ro_block(ro, h[5], &rec), LEDGER_STATUS_OK);
    assert_true(smn_is_zero32(rec.successor));
    assert_int_equal(rec.subtype, LEDGER_SUBTYPE_CHANGE);

    /* History, paged: newest first. */
    ledger_block_record hist[3];
    size_t n;
    assert_int_equal(ledger_ro_history(ro, a.kp.pub, 0, hist, 3, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(hist[0].hash, h[5], 32);
    assert_memory_equal(hist[2].hash, h[3], 32);
    assert_int_equal(ledger_ro_history(ro, a.kp.pub, hist[2].height, hist, 3, &n),
                     LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(hist[0].hash, h[2], 32);
    assert_memory_equal(hist[1].hash, h[1], 32);
    assert_int_equal(hist[1].subtype, LEDGER_SUBTYPE_OPEN);

    /* Receivables, largest first. */
    ledger_receivable rv[5];
    assert_int_equal(ledger_ro_receivables(ro, b.kp.pub, rv, 5, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(rv[0].send_hash, h[3], 32);
    assert_memory_equal(rv[2].send_hash, h[2], 32);
    assert_memory_equal(rv[0].source, a.kp.pub, 32);
    assert_true(smn_amount_eq(rv[1].amount, tl_smn(2)));

    /* Chain from the frontier down to the open. */
    uint8_t chain[10][32];
    assert_int_equal(ledger_ro_chain(ro, h[4], chain, 10, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(chain[0], h[4], 32);
    assert_memory_equal(chain[3], h[1], 32);
    assert_int_equal(ledger_ro_chain(ro, h[4], chain, 2, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 2);

    /* Frontiers in key order. */
    uint8_t accs[4][32], fronts[4][32];
    assert_int_equal(ledger_ro_frontiers(ro, NULL, accs, fronts, 4, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    assert_true(memcmp(accs[0], accs[1], 32) < 0);
    assert_int_equal(ledger_ro_frontiers(ro, accs[1], accs, fronts, 4, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 1);
    /* Confirmed only: the genesis account alone (a has no cemented block),
     * at its confirmation height (the open), not its head. */
    assert_int_equal(ledger_ro_frontiers_filtered(ro, NULL, true, 0, accs, fronts, 4, &n),
                     LEDGER_STATUS_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(accs[0], g.kp.pub, 32);
    uint8_t genesis_hash[32];
    smn_block_hash(&tl_dev()->genesis, genesis_hash);
    assert_memory_equal(fronts[0], genesis_hash, 32);
    assert_int_equal(ledger_ro_frontiers_filtered(ro, NULL, false, 0, accs, fronts, 4, &n),
                     LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    /* Age: heads stored now are listed from a second ago, none from later
     * on; genesis's head (the send) was stored now too. */
    uint64_t t = (uint64_t)time(NULL);
    assert_int_equal(ledger_ro_frontiers_filtered(ro, NULL, false, t - 60, accs, fronts, 4, &n),
                     LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ledger_ro_frontiers_filtered(ro, NULL, false, t + 3600, accs, fronts, 4, &n),
                     LEDGER_STATUS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ledger_ro_frontiers_filtered(ro, NULL, true, t + 3600, accs, fronts, 4, &n),
                     LEDGER_STATUS_OK);
    assert_int_equal(n, 0);

    ledger_counts c;
    assert_int_equal(ledger_ro_counts(ro, &c), LEDGER_STATUS_OK);
    assert_int_equal(c.blocks, 7);
    assert_int_equal(c.cemented, 1);
    assert_int_equal(c.unchecked, 0);

    /* Unknown hash. */
    uint8_t unknown[32] = {1, 2, 3};
    assert_int_equal(ledger_ro_block(ro, unknown, &rec), LEDGER_STATUS_NOT_FOUND);
    assert_int_equal(ledger_ro_chain(ro, unknown, chain, 10, &n), LEDGER_STATUS_NOT_FOUND);

    ledger_ro_close(ro);
    ledger_processor_destroy(p);
    ledger_store_close(s);
    /* After the writer closed, a reader still opens. */
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    assert_int_equal(ledger_ro_counts(ro, &c), LEDGER_STATUS_OK);
    assert_int_equal(c.blocks, 7);
    ledger_ro_close(ro);
    tl_cleanup(dir);
}

/* WAL checkpoints run on the store's thread, not in the commits: with a
 * threshold of 8 pages, processing a few hundred blocks kicks it, the
 * WAL's frames are copied into the database file, and everything reads
 * back after a reopen. */
static void test_checkpoint_thread(void **state)
{
    (void)state;
    char dir[256], path[300], wal[310];
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    ledger_store_config cfg = {.checkpoint_pages = 8};
    ledger_store *s = tl_open(dir, &cfg);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    tl_account g;
    tl_genesis(&g);
    struct stat st0;
    assert_int_equal(stat(path, &st0), 0);
    for (int round = 0; round < 20; round++) {
        smn_block b[16];
        ledger_result r[16];
        for (int i = 0; i < 16; i++) {
            tl_account a;
            tl_account_new(&a, (uint32_t)(1000 + round * 16 + i));
            tl_send(&g, a.kp.pub, tl_smn(1), &b[i]);
        }
        assert_int_equal(ledger_processor_process(p, b, 16, r), LEDGER_STATUS_OK);
    }
    /* The thread runs when it is scheduled: wait for its first checkpoint
     * (a bound, not a timing assertion: it fails only if none ever runs). */
    for (int i = 0; i < 1000 && ledger_store_checkpoints(s) == 0; i++)
        usleep(10000);
    assert_true(ledger_store_checkpoints(s) > 0);
    struct stat st1;
    assert_int_equal(stat(path, &st1), 0);
    assert_true(st1.st_size > st0.st_size); /* pages reached the database file */
    ledger_processor_destroy(p);
    ledger_store_close(s);
    s = tl_open(dir, NULL);
    ledger_counts c;
    ledger_store_counts(s, &c);
    assert_int_equal(c.blocks, 1 + 20 * 16);
    ledger_store_close(s);
    tl_cleanup(dir);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_genesis),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_ro_api),
        cmocka_unit_test(test_checkpoint_thread),
    };
    return cmocka_run_group_tests_name("ledger_store", tests, NULL, NULL);
}
