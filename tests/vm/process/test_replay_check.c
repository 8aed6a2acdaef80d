/* vm verify: a faithful vm.db verifies; each kind of tampering is found and
 * named with its program, block and height; unusable inputs are errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/service/follow.h"
#include "procs/vm/service/progress.h"
#include "procs/vm/service/replay_check.h"

/* A ledger with burns, a token, a payment; vm.db following it. */
static void build(fx *f)
{
    fx_open(f);
    fx_burns(f, 3);
    fx_token(f);
    fx_pay_dest(f);
    fx_confirm(f);
    vm_indexer *ix = NULL;
    assert_int_equal(vm_indexer_open(f->vm_path, &ix), VM_IDX_OK);
    vm_follow *fl = vm_follow_new(ix, f->ledger_path, tl_dev());
    size_t n;
    bool more = true;
    while (more)
        assert_int_equal(vm_follow_catch_up(fl, 0, &n, &more), VM_FOLLOW_OK);
    vm_follow_free(fl);
    vm_indexer_close(ix);
}

/* Runs sql on the live vm.db; it must change exactly `rows` rows (a
 * tampering that matched nothing would let the check pass untested). */
static void tamper(fx *f, const char *sql, int rows)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->vm_path, &db), SQLITE_OK);
    char *err = NULL;
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, &err), SQLITE_OK);
    assert_int_equal(sqlite3_changes(db), rows);
    sqlite3_close(db);
}

static vm_replay_status run(fx *f, vm_replay_report *r, char *err)
{
    return vm_replay_check_run(f->dir, tl_dev(), f->dir, r, err, 300);
}

static void test_ok(void **state)
{
    (void)state;
    fx f;
    build(&f);
    vm_replay_report r;
    char err[300];
    assert_int_equal(run(&f, &r, err), VM_REPLAY_MATCH);
    assert_int_equal(r.seq, fx_ledger_seq(&f));
    assert_int_equal(r.blocks, r.seq);
    assert_int_equal(r.programs, 2); /* smn.token, smn.vsmn */
    assert_int_equal(r.events, 5);   /* 3 vsmn.mint, token.etch, token.mint */
    /* Blocks cemented after vm.db's progress are not part of the check. */
    fx_burns(&f, 2);
    fx_confirm(&f);
    assert_int_equal(run(&f, &r, err), VM_REPLAY_MATCH);
    assert_int_equal(r.blocks, fx_ledger_seq(&f) - 2);
    /* The replay directory was removed. */
    char again[400];
    snprintf(again, sizeof again, "ls -d %s/smn-verify-* >/dev/null 2>&1", f.dir);
    assert_int_not_equal(system(again), 0);
    fx_close(&f);
}

static void test_tampered_balance(void **state)
{
    (void)state;
    fx f;
    build(&f);
    tamper(&f,
           "UPDATE balances SET amount = x'000000000000000000000000000000ff'"
           " WHERE program = (SELECT id FROM programs ORDER BY id DESC LIMIT 1)",
           1);
    vm_replay_report r;
    char err[300];
    assert_int_equal(run(&f, &r, err), VM_REPLAY_MISMATCH);
    assert_string_equal(r.what, "state root differs");
    assert_true(r.has_program && r.has_block);
    assert_memory_equal(r.program, vm_pid_vsmn, 32);
    /* The last block that touched vSMN: the third burn (genesis height 4). */
    assert_int_equal(r.height, 4);
    fx_close(&f);
}

static void test_tampered_event(void **state)
{
    (void)state;
    fx f;
    build(&f);
    tamper(&f, "UPDATE events SET data = x'ff' WHERE type = 'token.mint'", 1);
    vm_replay_report r;
    char err[300];
    assert_int_equal(run(&f, &r, err), VM_REPLAY_MISMATCH);
    assert_string_equal(r.what, "events differ");
    assert_true(r.has_block);
    assert_memory_equal(r.block_hash, f.mint_hash, 32);
    assert_memory_equal(r.program, vm_pid_token, 32);
    fx_close(&f);
}

static void test_missing_block(void **state)
{
    (void)state;
    fx f;
    build(&f);
    /* An extra event the ledger does not imply, on the first burn. */
    tamper(&f,
           "INSERT INTO events(block_hash, height, account, idx, program, session, type,"
           " topic, data) SELECT block_hash, height, account, 9, program, 0, 'emit', 0, x''"
           " FROM events WHERE type = 'vsmn.mint' ORDER BY cursor LIMIT 1",
           1);
    vm_replay_report r;
    char err[300];
    assert_int_equal(run(&f, &r, err), VM_REPLAY_MISMATCH);
    assert_string_equal(r.what, "events differ");
    assert_int_equal(r.height, 2);
    fx_close(&f);
}

static void test_errors(void **state)
{
    (void)state;
    fx f;
    build(&f);
    vm_replay_report r;
    char err[300];
    /* vm.db claims more than the ledger has. */
    tamper(&f, "UPDATE meta SET value = 100000 WHERE key = 'ledger_seq'", 1);
    assert_int_equal(run(&f, &r, err), VM_REPLAY_ERROR);
    assert_non_null(strstr(err, "100000"));
    /* Another network's ledger. */
    assert_int_equal(
        vm_replay_check_run(f.dir, smn_network_by_name("test"), f.dir, &r, err, sizeof err),
        VM_REPLAY_ERROR);
    /* No vm.db. */
    unlink(f.vm_path);
    char p[400];
    snprintf(p, sizeof p, "%s-wal", f.vm_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f.vm_path);
    unlink(p);
    assert_int_equal(run(&f, &r, err), VM_REPLAY_ERROR);
    assert_non_null(strstr(err, "vm.db"));
    assert_int_equal(access(f.vm_path, F_OK), -1); /* not created by the check */
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok),
        cmocka_unit_test(test_tampered_balance),
        cmocka_unit_test(test_tampered_event),
        cmocka_unit_test(test_missing_block),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
