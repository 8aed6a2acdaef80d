/* The ledger follower against a real ledger DB: catch-up from the cementing
 * log, the notification fast path, gaps, idempotence, persistence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "ipc/builder.h"
#include "ipc/msg.h"
#include "ipc/schema_ledger.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/service/follow.h"
#include "procs/vm/service/progress.h"

static vm_indexer *open_ix(const char *path)
{
    vm_indexer *ix = NULL;
    assert_int_equal(vm_indexer_open(path, &ix), VM_IDX_OK);
    return ix;
}

static int count_type(vm_indexer *ix, const char *type)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(vm_indexer_db(ix),
                                        "SELECT count(*) FROM events WHERE type = ?", -1, &st,
                                        NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* a and b hold the same event log (count and digest); returns its count. */
static uint64_t same_events(vm_indexer *a, vm_indexer *b)
{
    uint8_t da[32], db[32];
    uint64_t ca, cb;
    assert_int_equal(vm_indexer_event_digest(a, da, &ca), VM_IDX_OK);
    assert_int_equal(vm_indexer_event_digest(b, db, &cb), VM_IDX_OK);
    assert_int_equal(ca, cb);
    assert_memory_equal(da, db, 32);
    return ca;
}

/* Everything from the DB in small steps; the result has the events the
 * messages imply and the progress is the ledger's last seq. */
static void test_catch_up_from_db(void **state)
{
    (void)state;
    fx f;
    fx_open(&f);
    fx_burns(&f, 3);
    fx_token(&f);
    fx_pay_dest(&f);
    fx_confirm(&f);
    vm_indexer *ix = open_ix(f.vm_path);
    vm_follow *fl = vm_follow_new(ix, f.ledger_path, tl_dev());
    assert_non_null(fl);
    assert_int_equal(vm_follow_seq(fl), 0);
    size_t total = 0, n, steps = 0;
    bool more = true;
    while (more) {
        assert_int_equal(vm_follow_catch_up(fl, 4, &n, &more), VM_FOLLOW_OK);
        total += n;
        steps++;
    }
    assert_true(steps >= 3);
    assert_int_equal(vm_follow_seq(fl), fx_ledger_seq(&f));
    assert_int_equal(total, fx_ledger_seq(&f)); /* genesis included */
    assert_int_equal(count_type(ix, "vsmn.mint"), 3);
    assert_int_equal(count_type(ix, "token.etch"), 1);
    assert_int_equal(count_type(ix, "token.mint"), 1);
    smn_amount_t bal;
    assert_int_equal(vm_indexer_token(ix, f.token_id, &(vm_token_info){0}), VM_IDX_OK);
    assert_int_equal(vm_indexer_balance(ix, vm_pid_token, f.token_id, 2, f.g.kp.pub, &bal),
                     VM_IDX_OK);
    assert_true(smn_amount_eq(bal, smn_amount_from_u64(5000)));
    /* Nothing new: a no-op. */
    assert_int_equal(vm_follow_catch_up(fl, 0, &n, &more), VM_FOLLOW_OK);
    assert_int_equal(n, 0);
    assert_false(more);
    vm_follow_free(fl);
    vm_indexer_close(ix);
    fx_close(&f);
}

/* The notifications alone give the same state as the DB; stale ones are
 * dropped; a skipped seq is a gap that the DB fills. */
static void test_notes_and_gaps(void **state)
{
    (void)state;
    fx f;
    fx_open(&f);
    fx_burns(&f, 2);
    fx_token(&f);
    fx_confirm(&f);
    char path2[320];
    snprintf(path2, sizeof path2, "%s/vm2.db", f.dir);
    /* A: the DB only. */
    vm_indexer *a = open_ix(f.vm_path);
    vm_follow *fa = vm_follow_new(a, f.ledger_path, tl_dev());
    size_t n;
    bool more;
    assert_int_equal(vm_follow_catch_up(fa, 0, &n, &more), VM_FOLLOW_OK);
    /* B: genesis from the DB (it is cemented at creation: no notification),
     * then the notifications. */
    vm_indexer *b = open_ix(path2);
    vm_follow *fb = vm_follow_new(b, f.ledger_path, tl_dev());
    assert_int_equal(vm_follow_catch_up(fb, 1, &n, &more), VM_FOLLOW_OK);
    assert_int_equal(vm_follow_seq(fb), 1);
    assert_true(f.nnotes > 4 && f.notes[0].seq == 2);
    for (size_t i = 0; i < f.nnotes; i++)
        vm_follow_push(fb, &f.notes[i]);
    vm_follow_push(fb, &f.notes[0]); /* stale: dropped */
    assert_int_equal(vm_follow_flush(fb, 0, &n, NULL), VM_FOLLOW_OK);
    assert_int_equal(n, f.nnotes);
    assert_int_equal(vm_follow_seq(fb), vm_follow_seq(fa));
    same_events(a, b);

    /* More blocks; the first notification is lost: a gap. */
    size_t first = f.nnotes;
    fx_burns(&f, 3);
    fx_confirm(&f);
    assert_int_equal(f.nnotes, first + 3);
    vm_follow_push(fb, &f.notes[first + 1]);
    vm_follow_push(fb, &f.notes[first + 2]);
    assert_int_equal(vm_follow_flush(fb, 0, &n, NULL), VM_FOLLOW_GAP);
    assert_int_equal(n, 0);
    assert_int_equal(vm_follow_seq(fb), f.notes[first - 1].seq);
    assert_int_equal(vm_follow_catch_up(fb, 0, &n, &more), VM_FOLLOW_OK);
    assert_int_equal(n, 3);
    assert_int_equal(vm_follow_seq(fb), fx_ledger_seq(&f));
    assert_int_equal(count_type(b, "vsmn.mint"), 5);
    /* A receive that names no source (pruned send) is left to the DB. */
    fx_pay_dest(&f);
    fx_confirm(&f);
    vm_cemented open = f.notes[f.nnotes - 1];
    assert_true(open.b.height == 1 && !smn_amount_is_zero(open.b.balance));
    vm_follow_push(fb, &f.notes[f.nnotes - 2]); /* the send */
    memset(open.b.source_account, 0, 32);
    vm_follow_push(fb, &open);
    assert_int_equal(vm_follow_flush(fb, 0, &n, NULL), VM_FOLLOW_GAP);
    assert_int_equal(n, 1);
    assert_int_equal(vm_follow_catch_up(fb, 0, &n, &more), VM_FOLLOW_OK);
    assert_int_equal(n, 1);
    assert_int_equal(vm_follow_seq(fb), fx_ledger_seq(&f));
    /* Late notifications after the catch-up are stale. */
    vm_follow_push(fb, &f.notes[first + 2]);
    assert_int_equal(vm_follow_flush(fb, 0, &n, NULL), VM_FOLLOW_OK);
    assert_int_equal(n, 0);
    vm_follow_free(fa);
    vm_follow_free(fb);
    vm_indexer_close(a);
    vm_indexer_close(b);
    fx_close(&f);
}

/* Flushing in steps of a few blocks gives the same state as the DB, in
 * cementing order; a full queue drops the rest and says GAP only once
 * what it kept is applied, and the DB fills the gap. */
static void test_flush_in_steps(void **state)
{
    (void)state;
    fx f;
    fx_open(&f);
    fx_burns(&f, 9);
    fx_token(&f);
    fx_confirm(&f);
    char path2[320];
    snprintf(path2, sizeof path2, "%s/vm2.db", f.dir);
    vm_indexer *a = open_ix(f.vm_path);
    vm_follow *fa = vm_follow_new(a, f.ledger_path, tl_dev());
    size_t n;
    bool more;
    assert_int_equal(vm_follow_catch_up(fa, 0, &n, &more), VM_FOLLOW_OK);
    vm_indexer *b = open_ix(path2);
    vm_follow *fb = vm_follow_new(b, f.ledger_path, tl_dev());
    assert_int_equal(vm_follow_catch_up(fb, 1, &n, &more), VM_FOLLOW_OK);
    for (size_t i = 0; i < f.nnotes; i++)
        vm_follow_push(fb, &f.notes[i]);
    assert_int_equal(vm_follow_queued(fb), f.nnotes);
    size_t total = 0, steps = 0;
    more = true;
    while (more) {
        uint64_t before = vm_follow_seq(fb);
        assert_int_equal(vm_follow_flush(fb, 3, &n, &more), VM_FOLLOW_OK);
        assert_true(n <= 3);
        assert_int_equal(vm_follow_seq(fb), before + n); /* the next seqs, none skipped */
        total += n;
        steps++;
        /* More arrive between steps: queued behind the rest. */
        if (steps == 2)
            vm_follow_push(fb, &f.notes[0]); /* stale by now: skipped */
    }
    assert_int_equal(total, f.nnotes);
    assert_true(steps >= f.nnotes / 3);
    assert_int_equal(vm_follow_queued(fb), 0);
    same_events(a, b);

    /* Overflow: 4096 queued, the next ones dropped (and so is everything
     * after them, even with room again); the kept ones apply first. */
    size_t first = f.nnotes;
    fx_burns(&f, 4);
    fx_confirm(&f);
    vm_follow_push(fb, &f.notes[first]);
    for (int i = 1; i < 4096; i++)
        vm_follow_push(fb, &f.notes[0]); /* stale filler */
    assert_int_equal(vm_follow_queued(fb), 4096);
    vm_follow_push(fb, &f.notes[first + 1]); /* dropped: the queue is full */
    assert_int_equal(vm_follow_queued(fb), 4096);
    assert_int_equal(vm_follow_flush(fb, 1, &n, &more), VM_FOLLOW_OK);
    assert_true(more && n == 1);
    vm_follow_push(fb, &f.notes[first + 2]); /* room now, but after the drop */
    assert_int_equal(vm_follow_queued(fb), 4095);
    assert_int_equal(vm_follow_flush(fb, 0, &n, &more), VM_FOLLOW_GAP);
    assert_false(more);
    assert_int_equal(n, 0);
    assert_int_equal(vm_follow_queued(fb), 0);
    assert_int_equal(vm_follow_seq(fb), f.notes[first].seq);
    assert_int_equal(vm_follow_catch_up(fb, 0, &n, &more), VM_FOLLOW_OK);
    assert_int_equal(n, 3);
    assert_int_equal(vm_follow_seq(fb), fx_ledger_seq(&f));
    /* The queue takes notifications again. */
    vm_follow_push(fb, &f.notes[first + 3]);
    assert_int_equal(vm_follow_queued(fb), 1);
    assert_int_equal(vm_follow_flush(fb, 0, &n, &more), VM_FOLLOW_OK);
    assert_int_equal(n, 0);
    assert_int_equal(count_type(b, "vsmn.mint"), 13);
    vm_follow_free(fa);
    vm_follow_free(fb);
    vm_indexer_close(a);
    vm_indexer_close(b);
    fx_close(&f);
}

/* A tiny step budget: the stop predicate says "over" on every k-th call
 * (the service asks the monotonic clock; a count keeps the test exact). */
typedef struct {
    unsigned calls, every;
} budget;

static bool budget_over(void *ud)
{
    budget *b = ud;
    return ++b->calls % b->every == 0;
}

/* With a stop predicate, a catch-up asked for 128 blocks and a flush asked
 * for all of them are split into many short steps, each applying the next
 * seqs, and end with the same event log (digest) as one unbounded step. */
static void test_time_bounded_steps(void **state)
{
    (void)state;
    fx f;
    fx_open(&f);
    fx_burns(&f, 6);
    fx_token(&f);
    fx_pay_dest(&f);
    fx_confirm(&f);
    char path2[320], path3[320];
    snprintf(path2, sizeof path2, "%s/vm2.db", f.dir);
    snprintf(path3, sizeof path3, "%s/vm3.db", f.dir);
    size_t n, total = 0, steps = 0;
    bool more;
    /* A: one unbounded step. */
    vm_indexer *a = open_ix(f.vm_path);
    vm_follow *fa = vm_follow_new(a, f.ledger_path, tl_dev());
    assert_int_equal(vm_follow_catch_up(fa, 128, &n, &more), VM_FOLLOW_OK);
    assert_false(more);
    uint64_t last = fx_ledger_seq(&f);
    assert_true(last > 8);
    assert_int_equal(vm_follow_seq(fa), last);
    /* B: the same catch-up, over budget after every block. */
    vm_indexer *b = open_ix(path2);
    vm_follow *fb = vm_follow_new(b, f.ledger_path, tl_dev());
    budget bb = {.every = 1};
    vm_follow_set_stop(fb, budget_over, &bb);
    more = true;
    while (more) {
        uint64_t before = vm_follow_seq(fb);
        assert_int_equal(vm_follow_catch_up(fb, 128, &n, &more), VM_FOLLOW_OK);
        assert_int_equal(n, 1); /* at least one block: a step always progresses */
        assert_int_equal(vm_follow_seq(fb), before + 1);
        assert_true(more == (vm_follow_seq(fb) < last));
        total += n;
        steps++;
    }
    assert_int_equal(steps, last);
    assert_int_equal(total, last);
    /* C: genesis from the DB, then the notifications, over budget every
     * third call: steps of at most 3, in seq order. */
    vm_indexer *c = open_ix(path3);
    vm_follow *fc = vm_follow_new(c, f.ledger_path, tl_dev());
    assert_int_equal(vm_follow_catch_up(fc, 1, &n, &more), VM_FOLLOW_OK);
    budget bc = {.every = 3};
    vm_follow_set_stop(fc, budget_over, &bc);
    for (size_t i = 0; i < f.nnotes; i++)
        vm_follow_push(fc, &f.notes[i]);
    total = steps = 0;
    more = true;
    while (more) {
        uint64_t before = vm_follow_seq(fc);
        assert_int_equal(vm_follow_flush(fc, 0, &n, &more), VM_FOLLOW_OK);
        assert_true(n >= 1 && n <= 3);
        assert_int_equal(vm_follow_seq(fc), before + n);
        assert_int_equal(vm_follow_queued(fc), f.nnotes - total - n);
        total += n;
        steps++;
    }
    assert_int_equal(total, f.nnotes);
    assert_true(steps >= f.nnotes / 3);
    assert_int_equal(vm_follow_seq(fc), last);
    assert_true(same_events(a, b) > 0);
    same_events(a, c);
    vm_follow_free(fa);
    vm_follow_free(fb);
    vm_follow_free(fc);
    vm_indexer_close(a);
    vm_indexer_close(b);
    vm_indexer_close(c);
    fx_close(&f);
}

/* The progress survives a restart; re-applying is idempotent. */
static void test_restart(void **state)
{
    (void)state;
    fx f;
    fx_open(&f);
    fx_burns(&f, 4);
    fx_confirm(&f);
    vm_indexer *ix = open_ix(f.vm_path);
    vm_follow *fl = vm_follow_new(ix, f.ledger_path, tl_dev());
    size_t n;
    bool more;
    assert_int_equal(vm_follow_catch_up(fl, 0, &n, &more), VM_FOLLOW_OK);
    uint64_t seq = vm_follow_seq(fl);
    vm_follow_free(fl);
    vm_indexer_close(ix);

    ix = open_ix(f.vm_path);
    uint64_t stored;
    assert_int_equal(vm_progress_get(vm_indexer_db(ix), &stored), SQLITE_OK);
    assert_int_equal(stored, seq);
    fl = vm_follow_new(ix, f.ledger_path, tl_dev());
    assert_int_equal(vm_follow_seq(fl), seq);
    assert_int_equal(vm_follow_catch_up(fl, 0, &n, &more), VM_FOLLOW_OK);
    assert_int_equal(n, 0);
    /* A progress lost (crash between blocks and progress is impossible, but
     * an operator may reset it): the blocks are ALREADY, nothing doubles. */
    assert_int_equal(vm_progress_set(vm_indexer_db(ix), 0), SQLITE_OK);
    vm_follow_free(fl);
    fl = vm_follow_new(ix, f.ledger_path, tl_dev());
    assert_int_equal(vm_follow_catch_up(fl, 0, &n, &more), VM_FOLLOW_OK);
    assert_int_equal(n, 0);
    assert_int_equal(vm_follow_seq(fl), seq);
    assert_int_equal(count_type(ix, "vsmn.mint"), 4);
    vm_follow_free(fl);
    vm_indexer_close(ix);
    fx_close(&f);
}

static void test_ledger_missing(void **state)
{
    (void)state;
    fx f;
    fx_open(&f);
    vm_indexer *ix = open_ix(f.vm_path);
    char bad[320];
    snprintf(bad, sizeof bad, "%s/nope/ledger.db", f.dir);
    vm_follow *fl = vm_follow_new(ix, bad, tl_dev());
    size_t n;
    bool more;
    assert_int_equal(vm_follow_catch_up(fl, 0, &n, &more), VM_FOLLOW_ERR_LEDGER);
    assert_non_null(strstr(vm_follow_error(fl), bad));
    vm_follow_free(fl);
    /* Another network's ledger is refused. */
    fl = vm_follow_new(ix, f.ledger_path, smn_network_by_name("live"));
    assert_int_equal(vm_follow_catch_up(fl, 0, &n, &more), VM_FOLLOW_ERR_LEDGER);
    vm_follow_free(fl);
    vm_indexer_close(ix);
    fx_close(&f);
}

/* A notification whose numbers disagree is refused before the indexer. */
static void test_bad_note(void **state)
{
    (void)state;
    static const char *const subtypes[] = {"send", "receive", "change", "bogus"};
    for (int k = 0; k < 4; k++) {
        uint8_t z[32] = {0}, amt[16] = {0}, prev[16] = {0}, bal[16] = {0};
        amt[15] = 5;
        prev[15] = 10;
        bal[15] = 9; /* send of 1, receive of -1, change of -1: all wrong with amount 5 */
        ipc_builder b;
        ipc_build_begin(&b, "block_cemented");
        ipc_put_bin(&b, "hash", z, 32);
        ipc_put_bin(&b, "account", z, 32);
        ipc_put_uint(&b, "height", 2);
        ipc_put_str(&b, "subtype", subtypes[k]);
        ipc_put_bin(&b, "amount", amt, 16);
        ipc_put_bin(&b, "prev_balance", prev, 16);
        ipc_put_bin(&b, "balance", bal, 16);
        ipc_put_bin(&b, "link", z, 32);
        ipc_put_bin(&b, "source_account", z, 32);
        ipc_put_uint(&b, "seq", 9);
        assert_int_equal(ipc_build_finish(&b, &ipc_family_ledger, 0, 0, NULL), IPC_OK);
        ipc_msg m;
        assert_int_equal(ipc_decode(&ipc_family_ledger, b.buf + 4, b.len - 4, &m, NULL), IPC_OK);
        vm_cemented c;
        assert_int_equal(vm_cemented_from_note(&m, &c), VM_CEM_BAD_NOTE);
        ipc_msg_free(&m);
        ipc_build_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catch_up_from_db),
        cmocka_unit_test(test_notes_and_gaps),
        cmocka_unit_test(test_restart),
        cmocka_unit_test(test_ledger_missing),
        cmocka_unit_test(test_bad_note),
        cmocka_unit_test(test_flush_in_steps),
        cmocka_unit_test(test_time_bounded_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
