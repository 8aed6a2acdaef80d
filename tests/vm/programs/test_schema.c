/* vm_schema: the schema v2 indexes serve the RPC's reads by program
 * without a full table scan, and a v1 file opens and migrates in steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "procs/vm/programs/migrate.h"
#include "procs/vm/programs/store.h"
#include "sim.h"

/* The reads of query.c that select by program or holder on tables keyed
 * otherwise, and the index each must use at v2 (NULL: its primary key);
 * the primary key's program range is not enough where one program (the
 * token program, a busy host) holds most rows. */
static const struct {
    const char *sql, *index;
} reads[] = {
    {"SELECT count(*), coalesce(sum(result='mismatch'),0) FROM commits WHERE program=?",
     "commits_program"},
    {"SELECT c.block_hash, a.height, c.published_height, c.published, c.computed,"
     " c.result FROM commits c JOIN applied a ON a.hash = c.block_hash"
     " WHERE c.program=? ORDER BY a.height DESC LIMIT 1",
     "commits_program"},
    {"SELECT c.block_hash, a.height FROM commits c JOIN applied a ON a.hash = c.block_hash"
     " WHERE c.program=? AND c.result='mismatch' ORDER BY a.height LIMIT 1",
     "commits_program"},
    {"SELECT 1 FROM commits WHERE program=? AND result='mismatch' LIMIT 1", "commits_program"},
    {"SELECT c.program, c.block_hash, a.height FROM commits c"
     " JOIN applied a ON a.hash = c.block_hash"
     " JOIN events e ON e.block_hash = c.block_hash AND e.type = 'commit'"
     " WHERE c.result = 'mismatch' ORDER BY e.cursor LIMIT 1",
     "commits_result"},
    {"SELECT key, amount FROM balances WHERE +program=? AND length(key)=65"
     " AND substr(key,33,1)=x'02' AND substr(key,34)=? ORDER BY key",
     "balances_holder"},
    {"SELECT key, value FROM storage WHERE program=? AND key > ? ORDER BY key LIMIT ?", NULL},
    {"SELECT key, amount FROM boxes WHERE program=? AND key >= ? ORDER BY key", NULL},
    {"SELECT seq, valid, data, block FROM pstate WHERE program=? AND session=? AND valid=1"
     " ORDER BY seq DESC LIMIT 1",
     NULL},
    {"SELECT cursor, block_hash, height, account, idx, program, session, type, topic, data"
     " FROM events WHERE cursor > ?1 AND cursor <= ?2 ORDER BY cursor LIMIT ?3",
     NULL},
};

/* The plan's faults: steps that scan a whole table, and a missing use of
 * the index the read needs. */
static int plan_faults(sqlite3 *db, const char *sql, const char *index)
{
    char eqp[1200];
    snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &st, NULL), SQLITE_OK);
    int faults = 0;
    bool used = index == NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(st, 3);
        if (d && strncmp(d, "SCAN ", 5) == 0 && !strstr(d, "USING")) {
            print_message("full scan: %s\n  in %s\n", d, sql);
            faults++;
        }
        if (d && index && strstr(d, index))
            used = true;
    }
    sqlite3_finalize(st);
    if (!used) {
        print_message("%s not used by %s\n", index, sql);
        faults++;
    }
    return faults;
}

static int count_scans(sqlite3 *db)
{
    int n = 0;
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        n += plan_faults(db, reads[i].sql, reads[i].index);
    return n;
}

static void fresh_db_has_no_full_scans(void **state)
{
    (void)state;
    char path[256];
    sim_tmp_db(path, sizeof path, "schema");
    vm_store *s = NULL;
    assert_int_equal(vm_store_open(path, &s), VM_IDX_OK);
    assert_int_equal(count_scans(vm_store_db(s)), 0);
    bool done = false;
    assert_int_equal(vm_migrate_step(s, &done), VM_IDX_OK);
    assert_true(done);
    vm_store_close(s);
    remove(path);
}

/* A v1 file is the v2 schema without the v2 indexes, at version 1. */
static void make_v1(const char *path)
{
    vm_store *s = NULL;
    assert_int_equal(vm_store_open(path, &s), VM_IDX_OK);
    assert_int_equal(vm_store_exec(s, "DROP INDEX commits_program; DROP INDEX commits_result;"
                                      " DROP INDEX events_block;"
                                      " DROP INDEX balances_holder;"
                                      " UPDATE meta SET value=1 WHERE key='schema_version'"),
                     VM_IDX_OK);
    vm_store_close(s);
}

static void v1_migrates_in_steps(void **state)
{
    (void)state;
    char path[256];
    sim_tmp_db(path, sizeof path, "schema_v1");
    make_v1(path);
    vm_store *s = NULL;
    assert_int_equal(vm_store_open(path, &s), VM_IDX_OK);
    assert_true(count_scans(vm_store_db(s)) > 0); /* the v1 plans do scan */
    vm_store *ro = NULL;
    assert_int_equal(vm_store_open_ro(path, &ro), VM_IDX_OK); /* readers open v1 too */
    vm_store_close(ro);
    size_t n_idx = 0;
    while (vm_migrate_v2_indexes[n_idx])
        n_idx++;
    size_t steps = 0;
    bool done = false;
    while (!done) {
        assert_int_equal(vm_migrate_step(s, &done), VM_IDX_OK);
        steps++;
        assert_true(steps <= n_idx + 1);
    }
    assert_int_equal(steps, n_idx + 1); /* one per index, then the version */
    assert_int_equal(count_scans(vm_store_db(s)), 0);
    vm_store_close(s);
    assert_int_equal(vm_store_open(path, &s), VM_IDX_OK);
    assert_int_equal(vm_migrate_step(s, &done), VM_IDX_OK);
    assert_true(done);
    vm_store_close(s);
    remove(path);
}

static void other_versions_are_refused(void **state)
{
    (void)state;
    char path[256];
    sim_tmp_db(path, sizeof path, "schema_v9");
    vm_store *s = NULL;
    assert_int_equal(vm_store_open(path, &s), VM_IDX_OK);
    assert_int_equal(vm_store_exec(s, "UPDATE meta SET value=9 WHERE key='schema_version'"),
                     VM_IDX_OK);
    vm_store_close(s);
    assert_int_equal(vm_store_open(path, &s), VM_IDX_ERR_SCHEMA);
    assert_int_equal(vm_store_open_ro(path, &s), VM_IDX_ERR_SCHEMA);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fresh_db_has_no_full_scans),
        cmocka_unit_test(v1_migrates_in_steps),
        cmocka_unit_test(other_versions_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
