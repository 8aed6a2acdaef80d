/* Schema migrations on a database written by the previous schema: a real
 * ledger (accepted, cemented, pruned and unconfirmed blocks, a receivable,
 * unchecked) exported in the version-2 and version-4 layouts (tl_export_old_schema) is
 * opened by this build, which migrates it. Everything the read API shows
 * must be what it showed before, and the ledger must go on working. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "procs/ledger/confirm.h"
#include "procs/ledger/prune.h"
#include "ipc/ledgerdb/ro.h"
#include "ipc/ledgerdb/schema.h"
#include "tests/ledger/helpers.h"

#define NACC 6

typedef struct {
    tl_account g, a[NACC];
    uint8_t hashes[64][32];
    size_t nh;
    smn_block missing; /* not processed: the unchecked block waits for it */
} world;

static void push(world *w, ledger_processor *p, const smn_block *b)
{
    assert_int_equal(tl_process1(p, b), LEDGER_ACCEPTED);
    tl_hash(b, w->hashes[w->nh++]);
}

/* genesis -> every account (opened), transfers around the ring twice, a
 * representative change; cement most of it, prune, then leave a tail
 * unconfirmed, a send unreceived and a gap block in unchecked. */
static void build(const char *dir, world *w)
{
    ledger_store *s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    tl_genesis(&w->g);
    smn_block b;
    uint8_t h[32];
    for (uint32_t i = 0; i < NACC; i++) {
        tl_account_new(&w->a[i], 100 + i);
        tl_send(&w->g, w->a[i].kp.pub, tl_smn(100), &b);
        push(w, p, &b);
        tl_hash(&b, h);
        tl_receive(&w->a[i], h, tl_smn(100), &b);
        push(w, p, &b);
    }
    /* Sends never received: these end up cemented and pruned (the ring
     * below buries them), and the one after the ring cemented only. */
    for (uint32_t i = 0; i < NACC; i += 2) {
        tl_send(&w->a[i], w->a[(i + 3) % NACC].kp.pub, tl_smn(1 + i), &b);
        push(w, p, &b);
    }
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < NACC; i++) {
            tl_account *to = &w->a[(i + 1) % NACC];
            tl_send(&w->a[i], to->kp.pub, tl_smn(1), &b);
            push(w, p, &b);
            tl_hash(&b, h);
            tl_receive(to, h, tl_smn(1), &b);
            push(w, p, &b);
        }
    tl_change(&w->a[0], w->a[1].kp.pub, &b);
    push(w, p, &b);
    tl_send(&w->a[5], w->a[3].kp.pub, tl_smn(7), &b);
    push(w, p, &b);
    for (int i = 0; i < NACC; i++)
        assert_int_equal(ledger_confirm(s, w->a[i].frontier, NULL, NULL, NULL), LEDGER_STATUS_OK);
    ledger_prune_stats ps;
    assert_int_equal(ledger_prune(s, 2, 100, &ps), LEDGER_STATUS_OK);
    assert_true(ps.blocks > 0);
    /* Unconfirmed tail, an unreceived send, a gap in unchecked. */
    tl_send(&w->a[2], w->a[3].kp.pub, tl_smn(2), &b);
    push(w, p, &b);
    tl_send(&w->a[2], w->a[4].kp.pub, tl_smn(2), &w->missing);
    smn_block gap;
    tl_send(&w->a[2], w->a[4].kp.pub, tl_smn(2), &gap);
    assert_int_equal(tl_process1(p, &gap), LEDGER_GAP_PREVIOUS);
    ledger_processor_destroy(p);
    ledger_store_close(s);
}

static sqlite3_int64 scalar(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(ledger_schema_functions(db, NULL, 0), LEDGER_STATUS_OK); /* blocks.hash */
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    sqlite3_int64 v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static ledger_ro *ro_open(const char *path)
{
    ledger_ro *ro;
    char err[256];
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    return ro;
}

static void same_record(const ledger_block_record *x, const ledger_block_record *y)
{
    assert_memory_equal(x->hash, y->hash, 32);
    assert_int_equal(x->height, y->height);
    assert_int_equal(x->subtype, y->subtype);
    assert_true(smn_amount_eq(x->amount, y->amount));
    assert_memory_equal(x->successor, y->successor, 32);
    assert_int_equal(x->confirmed, y->confirmed);
    uint8_t a[SMN_BLOCK_WIRE_BYTES], b[SMN_BLOCK_WIRE_BYTES];
    smn_block_serialize(&x->block, a);
    smn_block_serialize(&y->block, b);
    assert_memory_equal(a, b, sizeof a);
}

/* Everything the read API shows of the two databases is the same. */
static void same_view(const char *orig, const char *migrated, const world *w)
{
    ledger_ro *x = ro_open(orig), *y = ro_open(migrated);
    ledger_counts cx, cy;
    assert_int_equal(ledger_ro_counts(x, &cx), LEDGER_STATUS_OK);
    assert_int_equal(ledger_ro_counts(y, &cy), LEDGER_STATUS_OK);
    assert_memory_equal(&cx, &cy, sizeof cx);
    size_t found = 0;
    for (size_t i = 0; i < w->nh; i++) {
        ledger_block_record rx, ry;
        ledger_status sx = ledger_ro_block(x, w->hashes[i], &rx);
        assert_int_equal(ledger_ro_block(y, w->hashes[i], &ry), sx);
        if (sx == LEDGER_STATUS_OK) {
            same_record(&rx, &ry);
            found++;
        }
    }
    assert_true(found > 0 && found < w->nh); /* some were pruned */
    for (int i = 0; i < NACC; i++) {
        ledger_block_record hx[64], hy[64];
        size_t nx, ny;
        assert_int_equal(ledger_ro_history(x, w->a[i].kp.pub, 0, hx, 64, &nx), LEDGER_STATUS_OK);
        assert_int_equal(ledger_ro_history(y, w->a[i].kp.pub, 0, hy, 64, &ny), LEDGER_STATUS_OK);
        assert_int_equal(nx, ny);
        assert_true(nx > 0);
        for (size_t k = 0; k < nx; k++)
            same_record(&hx[k], &hy[k]);
    }
    ledger_ro_cemented lx[128], ly[128];
    size_t nx, ny;
    assert_int_equal(ledger_ro_cemented_after(x, 0, lx, 128, &nx), LEDGER_STATUS_OK);
    assert_int_equal(ledger_ro_cemented_after(y, 0, ly, 128, &ny), LEDGER_STATUS_OK);
    assert_int_equal(nx, ny);
    size_t pruned = 0;
    for (size_t k = 0; k < nx; k++) {
        assert_int_equal(lx[k].seq, k + 1);
        assert_int_equal(ly[k].seq, k + 1);
        assert_memory_equal(lx[k].hash, ly[k].hash, 32);
        assert_int_equal(lx[k].pruned, ly[k].pruned);
        if (lx[k].pruned)
            pruned++;
        else
            same_record(&lx[k].rec, &ly[k].rec);
    }
    assert_true(pruned > 0);
    ledger_ro_close(x);
    ledger_ro_close(y);
}

/* Exports the ledger of build() as a database of `version`, opens (migrates)
 * it and checks that it reads as before and goes on. */
static void migrate_from(int version)
{
    char cur[256], dir[256], src[300], path[300];
    tl_tmpdir(cur);
    tl_tmpdir(dir);
    tl_dbpath(cur, src);
    tl_dbpath(dir, path);
    world *w = calloc(1, sizeof *w);
    build(cur, w);
    tl_export_old_schema(src, path, version);
    assert_int_equal(scalar(path, "SELECT value FROM meta WHERE key = 'schema_version'"), version);
    /* The old layouts store every amount. */
    assert_int_equal(scalar(path, "SELECT COUNT(*) FROM blocks WHERE amount IS NULL"), 0);

    ledger_store *s = tl_open(dir, NULL); /* migrates */
    assert_int_equal(scalar(path, "SELECT value FROM meta WHERE key = 'schema_version'"),
                     LEDGER_SCHEMA_VERSION);
    same_view(src, path, w);
    /* Schema 6 stores an amount only where the previous block is pruned:
     * the lowest kept block of each pruned account, in the ledger written
     * by this build and in the migrated one alike. */
    sqlite3_int64 pruned_accounts =
        scalar(path, "SELECT COUNT(*) FROM prune_watermarks WHERE pruned_height > 0");
    assert_true(pruned_accounts > 0);
    assert_int_equal(scalar(path, "SELECT COUNT(*) FROM blocks WHERE amount IS NOT NULL"),
                     pruned_accounts);
    assert_int_equal(scalar(src, "SELECT COUNT(*) FROM blocks WHERE amount IS NOT NULL"),
                     pruned_accounts);
    /* the totals the step built from the receivables: cemented ones
     * (pruned or not) and the unconfirmed one, over several destinations */
    tl_receivable_stats rs;
    tl_check_receivable_totals(path, &rs);
    assert_int_equal(rs.destinations, 3);
    assert_int_equal(rs.cemented, NACC / 2 + 1);
    assert_int_equal(rs.unconfirmed, 1);
    assert_int_equal(scalar(path, "SELECT COUNT(*) FROM receivables r WHERE NOT EXISTS (SELECT 1 "
                                  "FROM blocks b WHERE b.hash = r.send_hash)"),
                     NACC / 2);
    /* The migrated database goes on: the unchecked gap block is released by
     * its previous, the tail cements with the next seqs. */
    uint64_t seq0;
    assert_int_equal(ledger_store_cement_seq(s, &seq0), LEDGER_STATUS_OK);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    ledger_counts c;
    ledger_store_counts(s, &c);
    assert_int_equal(c.unchecked, 1);
    push(w, p, &w->missing);
    ledger_store_counts(s, &c);
    assert_int_equal(c.unchecked, 0);
    assert_int_equal(c.blocks, w->nh + 2); /* + genesis + the released gap block */
    ledger_processor_destroy(p);
    size_t count;
    /* The tail: the unconfirmed send and the one just processed. */
    assert_int_equal(ledger_confirm(s, w->hashes[w->nh - 1], NULL, NULL, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, 2);
    uint64_t seq1;
    assert_int_equal(ledger_store_cement_seq(s, &seq1), LEDGER_STATUS_OK);
    assert_int_equal(seq1, seq0 + 2);
    ledger_store_close(s);
    ledger_ro *ro = ro_open(path);
    ledger_ro_cemented last[4];
    size_t n;
    assert_int_equal(ledger_ro_cemented_after(ro, seq0, last, 4, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(last[0].hash, w->hashes[w->nh - 2], 32);
    assert_memory_equal(last[1].hash, w->hashes[w->nh - 1], 32);
    assert_false(last[1].pruned);
    ledger_ro_close(ro);
    /* the migrated totals went on with cementing: the tail's two sends are
     * cemented, the released gap block (a send too) is not */
    tl_check_receivable_totals(path, &rs);
    assert_int_equal(rs.unconfirmed, 1);
    assert_int_equal(rs.cemented, NACC / 2 + 3);
    free(w);
    tl_cleanup(cur);
    tl_cleanup(dir);
}

static void test_migration_from_v2(void **state)
{
    (void)state;
    migrate_from(2);
}

/* Schema 4 -> 5: hash and (most) amounts no longer stored. */
static void test_migration_from_v4(void **state)
{
    (void)state;
    migrate_from(4);
}

/* A newer schema is refused, the file left alone. */
static void test_newer_refused(void **state)
{
    (void)state;
    char dir[256], path[300];
    tl_tmpdir(dir);
    tl_dbpath(dir, path);
    ledger_store_close(tl_open(dir, NULL));
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE meta SET value = %d WHERE key = 'schema_version'",
             LEDGER_SCHEMA_VERSION + 1);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ledger_store *s = NULL;
    char err[256];
    assert_int_equal(ledger_store_open(path, tl_dev(), NULL, &s, err, sizeof err),
                     LEDGER_STATUS_NEWER_SCHEMA);
    assert_non_null(strstr(err, "newer"));
    tl_cleanup(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migration_from_v2),
        cmocka_unit_test(test_migration_from_v4),
        cmocka_unit_test(test_newer_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
