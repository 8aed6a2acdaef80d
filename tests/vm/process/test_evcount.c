/* procs/vm/service/evcount: events per type, counted in bounded steps from
 * an event log (a real SQLite table of the vm.db shape). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "procs/vm/service/evcount.h"

static sqlite3 *log_db(void)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE events(cursor INTEGER PRIMARY KEY AUTOINCREMENT,"
                                  " type TEXT NOT NULL)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

static void put(sqlite3 *db, const char *type, int times)
{
    for (int i = 0; i < times; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO events(type) VALUES('%s')", type);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
}

static uint64_t count_of(const vm_evcount *ec, const char *type)
{
    for (size_t i = 0; i < ec->n; i++)
        if (strcmp(ec->type[i], type) == 0)
            return ec->count[i];
    return 0;
}

static void counts_in_bounded_steps(void **state)
{
    (void)state;
    sqlite3 *db = log_db();
    put(db, "token.mint", 5);
    put(db, "call", 3);
    put(db, "token.mint", 2);
    vm_evcount ec = {0};
    assert_int_equal(vm_evcount_step(&ec, db, 4), SQLITE_OK);
    assert_int_equal(ec.cursor, 4);
    assert_int_equal(count_of(&ec, "token.mint"), 4);
    assert_int_equal(count_of(&ec, "call"), 0);
    assert_int_equal(vm_evcount_step(&ec, db, 4), SQLITE_OK);
    assert_int_equal(vm_evcount_step(&ec, db, 4), SQLITE_OK);
    assert_int_equal(ec.cursor, 10);
    assert_int_equal(count_of(&ec, "token.mint"), 7);
    assert_int_equal(count_of(&ec, "call"), 3);
    /* nothing new: nothing changes */
    assert_int_equal(vm_evcount_step(&ec, db, 4), SQLITE_OK);
    assert_int_equal(ec.cursor, 10);
    put(db, "call", 1);
    assert_int_equal(vm_evcount_step(&ec, db, 100), SQLITE_OK);
    assert_int_equal(count_of(&ec, "call"), 4);
    assert_int_equal(ec.n, 2);
    assert_int_equal(ec.other, 0);
    sqlite3_close(db);
}

static void odd_names_and_a_full_table_count_as_other(void **state)
{
    (void)state;
    sqlite3 *db = log_db();
    put(db, "Bad Name", 1);
    put(db, "x\"y", 1);
    for (int i = 0; i < VM_EVCOUNT_TYPES + 3; i++) {
        char t[16];
        snprintf(t, sizeof t, "t%d", i);
        put(db, t, 1);
    }
    vm_evcount ec = {0};
    assert_int_equal(vm_evcount_step(&ec, db, 1000), SQLITE_OK);
    assert_int_equal(ec.n, VM_EVCOUNT_TYPES);
    assert_int_equal(ec.other, 2 + 3);
    sqlite3_close(db);
}

static void an_error_counts_nothing(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    vm_evcount ec = {.cursor = 7};
    assert_int_not_equal(vm_evcount_step(&ec, db, 10), SQLITE_OK); /* no events table */
    assert_int_equal(ec.cursor, 7);
    assert_int_equal(ec.n, 0);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_in_bounded_steps),
        cmocka_unit_test(odd_names_and_a_full_table_count_as_other),
        cmocka_unit_test(an_error_counts_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
