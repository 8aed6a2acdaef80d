/* procs/bootstrap/plan.c: what the bootstrap process pulls, decided from
 * a frontiers answer and a real ledger.db read-only (no sockets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/ledgerdb/ro.h"
#include "procs/bootstrap/plan.h"
#include "tests/ledger/helpers.h"

typedef struct {
    char dir[256];
    ledger_store *w;
    ledger_ro *ro;
    tl_account g, a;
    smn_block local[2]; /* g -> a, a opens: in our ledger */
    smn_block ahead;    /* g's next send: only the peer has it */
    uint8_t g_frontier[32], a_frontier[32], ahead_hash[32];
} fx;

static int setup(void **state)
{
    static fx f;
    memset(&f, 0, sizeof f);
    tl_tmpdir(f.dir);
    f.w = tl_open(f.dir, NULL);
    ledger_processor *p;
    if (ledger_processor_create(f.w, NULL, &p) != LEDGER_STATUS_OK)
        return -1;
    tl_genesis(&f.g);
    tl_account_new(&f.a, 1);
    uint8_t h[32];
    tl_send(&f.g, f.a.kp.pub, tl_smn(10), &f.local[0]);
    tl_hash(&f.local[0], h);
    tl_receive(&f.a, h, tl_smn(10), &f.local[1]);
    ledger_result r[2];
    if (ledger_processor_process(p, f.local, 2, r) != LEDGER_STATUS_OK || r[0] != LEDGER_ACCEPTED ||
        r[1] != LEDGER_ACCEPTED)
        return -1;
    ledger_processor_destroy(p);
    tl_hash(&f.local[0], f.g_frontier);
    tl_hash(&f.local[1], f.a_frontier);
    tl_send(&f.g, f.a.kp.pub, tl_smn(1), &f.ahead);
    tl_hash(&f.ahead, f.ahead_hash);
    char path[300], err[256];
    tl_dbpath(f.dir, path);
    if (ledger_ro_open(path, tl_dev(), &f.ro, err, sizeof err) != LEDGER_STATUS_OK)
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ledger_ro_close(f->ro);
    ledger_store_close(f->w);
    tl_cleanup(f->dir);
    return 0;
}

static void behind_accounts_become_jobs(void **state)
{
    fx *f = *state;
    bootstrap_frontier e[3];
    memcpy(e[0].account, f->a.kp.pub, 32); /* same frontier as ours */
    memcpy(e[0].hash, f->a_frontier, 32);
    memcpy(e[1].account, f->g.kp.pub, 32); /* the peer is one block ahead */
    memcpy(e[1].hash, f->ahead_hash, 32);
    memset(e[2].account, 0x33, 32); /* an account we have never seen */
    memset(e[2].hash, 0x44, 32);
    bootstrap_job jobs[3];
    size_t n = 99;
    uint8_t cursor[32];
    memset(cursor, 0xEE, 32);
    bool end = false;
    assert_int_equal(bootstrap_plan_frontiers(f->ro, e, 3, false, jobs, &n, cursor, &end),
                     LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(jobs[0].start, f->g.kp.pub, 32);
    assert_memory_equal(jobs[0].end, f->g_frontier, 32); /* pull down to our frontier */
    assert_int_equal(jobs[0].depth, 0);
    assert_memory_equal(jobs[1].start, e[2].account, 32);
    uint8_t zero[32] = {0};
    assert_memory_equal(jobs[1].end, zero, 32); /* the whole chain */
    /* Not a full answer: the round ends and the cursor restarts. */
    assert_true(end);
    assert_memory_equal(cursor, zero, 32);
}

static void peer_behind_us_is_not_pulled(void **state)
{
    fx *f = *state;
    /* The peer's frontier of g is a block we hold: nothing to pull. */
    bootstrap_frontier e;
    memcpy(e.account, f->g.kp.pub, 32);
    tl_hash(&f->local[0], e.hash);
    bootstrap_job jobs[1];
    size_t n = 5;
    uint8_t cursor[32];
    bool end;
    assert_int_equal(bootstrap_plan_frontiers(f->ro, &e, 1, false, jobs, &n, cursor, &end),
                     LEDGER_STATUS_OK);
    assert_int_equal(n, 0);
}

static void full_answer_moves_the_cursor(void **state)
{
    fx *f = *state;
    bootstrap_frontier e[2];
    memset(e, 0, sizeof e);
    memcpy(e[0].hash, f->a_frontier, 32);
    memcpy(e[1].hash, f->a_frontier, 32);
    memset(e[1].account, 0x10, 32);
    e[1].account[31] = 0xFF; /* the next account carries */
    bootstrap_job jobs[2];
    size_t n;
    uint8_t cursor[32], want[32];
    bool end = true;
    assert_int_equal(bootstrap_plan_frontiers(f->ro, e, 2, true, jobs, &n, cursor, &end),
                     LEDGER_STATUS_OK);
    assert_false(end);
    memset(want, 0x10, 32);
    want[30] = 0x11;
    want[31] = 0x00;
    assert_memory_equal(cursor, want, 32);
    /* The last possible account: the round is over. */
    memset(e[1].account, 0xFF, 32);
    assert_int_equal(bootstrap_plan_frontiers(f->ro, e, 2, true, jobs, &n, cursor, &end),
                     LEDGER_STATUS_OK);
    assert_true(end);
    uint8_t zero[32] = {0};
    assert_memory_equal(cursor, zero, 32);
}

static void older_part_of_a_chain(void **state)
{
    fx *f = *state;
    bootstrap_job cur = {.retries = 2, .depth = 3}, older;
    memcpy(cur.start, f->g.kp.pub, 32);
    /* The pull reached our frontier (cur.end): nothing below it. */
    memcpy(cur.end, f->g_frontier, 32);
    assert_false(bootstrap_plan_older(f->ro, &f->ahead, &cur, &older));
    /* No end given, but the block below is ours: nothing either. */
    memset(cur.end, 0, 32);
    assert_false(bootstrap_plan_older(f->ro, &f->ahead, &cur, &older));
    /* The block below is unknown: pull from it next, one part deeper. */
    smn_block gap = f->ahead;
    memset(gap.previous, 0x5A, 32);
    assert_true(bootstrap_plan_older(f->ro, &gap, &cur, &older));
    assert_memory_equal(older.start, gap.previous, 32);
    assert_int_equal(older.depth, 4);
    assert_int_equal(older.retries, 0);
    /* Too deep: the next round continues. */
    cur.depth = BOOTSTRAP_MAX_DEPTH;
    assert_false(bootstrap_plan_older(f->ro, &gap, &cur, &older));
    /* An open block has nothing below it. */
    cur.depth = 0;
    assert_false(bootstrap_plan_older(f->ro, &f->local[1], &cur, &older));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(behind_accounts_become_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(peer_behind_us_is_not_pulled, setup, teardown),
        cmocka_unit_test_setup_teardown(full_answer_moves_the_cursor, setup, teardown),
        cmocka_unit_test_setup_teardown(older_part_of_a_chain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
