/* Rollback and fork settlement: a block and everything built on it go,
 * newest first; accounts, weights, receivables, counts and the supply come
 * back exactly; cemented blocks and the bound refuse with nothing changed;
 * a settled fork's winner is applied and cemented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/amount.h"
#include "procs/ledger/confirm.h"
#include "procs/ledger/prune.h"
#include "procs/ledger/rollback.h"
#include "procs/ledger/settle.h"
#include "ipc/ledgerdb/schema.h"
#include "tests/ledger/helpers.h"

/* ---- checks straight on the database, through a connection of its own ---- */

static sqlite3 *reader(const char *dir)
{
    char path[300];
    tl_dbpath(dir, path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(ledger_schema_functions(db, NULL, 0), LEDGER_STATUS_OK); /* blocks.hash */
    return db;
}

static smn_amount_t col_amount(sqlite3_stmt *st, int i)
{
    assert_int_equal(sqlite3_column_bytes(st, i), 16);
    return smn_amount_from_be(sqlite3_column_blob(st, i));
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The ledger's invariants: balances + receivables = supply; each
 * representative's weight is exactly the sum of its accounts' balances (and
 * no row for zero); count_blocks = blocks stored + pruned; every account's
 * frontier is the block at its height and its chain has no holes; the
 * receivable totals are the brute-force sums. */
static void check_invariants(const char *dir)
{
    sqlite3 *db = reader(dir);
    sqlite3_stmt *st;
    smn_amount_t total = smn_amount_from_u64(0);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT balance FROM accounts", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        total = smn_amount_add_wrap(total, col_amount(st, 0));
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT amount FROM receivables", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        total = smn_amount_add_wrap(total, col_amount(st, 0));
    sqlite3_finalize(st);
    assert_true(smn_amount_eq(total, smn_network_supply()));

    /* Weights: per representative, from the accounts. */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT a.representative, a.balance, w.weight FROM "
                                        "accounts a LEFT JOIN rep_weights w ON "
                                        "w.representative = a.representative ORDER BY 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    uint8_t cur[32] = {0};
    smn_amount_t sum = smn_amount_zero(), want = smn_amount_zero();
    bool any = false;
    int64_t reps = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const void *rep = sqlite3_column_blob(st, 0);
        if (!any || memcmp(rep, cur, 32) != 0) {
            if (any)
                assert_true(smn_amount_eq(sum, want));
            if (any && !smn_amount_is_zero(sum))
                reps++;
            memcpy(cur, rep, 32);
            sum = smn_amount_from_u64(0);
            want =
                sqlite3_column_type(st, 2) == SQLITE_NULL ? smn_amount_zero() : col_amount(st, 2);
            any = true;
        }
        sum = smn_amount_add_wrap(sum, col_amount(st, 1));
    }
    sqlite3_finalize(st);
    if (any) {
        assert_true(smn_amount_eq(sum, want));
        if (!smn_amount_is_zero(sum))
            reps++;
    }
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM rep_weights"), reps);

    assert_int_equal(scalar(db, "SELECT value FROM meta WHERE key = 'count_blocks'"),
                     scalar(db, "SELECT COUNT(*) FROM blocks") +
                         scalar(db, "SELECT COUNT(*) FROM pruned_blocks"));
    /* Frontiers and chains. */
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM accounts a LEFT JOIN blocks b ON "
                                "b.account = a.account AND b.height = a.height "
                                "WHERE b.hash IS NULL OR b.hash != a.frontier"),
                     0);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM accounts a LEFT JOIN prune_watermarks w "
                                "ON w.account = a.account WHERE a.height - "
                                "COALESCE(w.pruned_height, 0) != (SELECT COUNT(*) FROM blocks b "
                                "WHERE b.account = a.account)"),
                     0);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM blocks b WHERE NOT EXISTS (SELECT 1 "
                                "FROM accounts a WHERE a.account = b.account AND "
                                "b.height <= a.height)"),
                     0);
    sqlite3_close(db);
    /* receivable_totals follows every send, receive, rollback and settlement */
    char path[300];
    tl_dbpath(dir, path);
    tl_check_receivable_totals(path, NULL);
}

/* Every row of the ledger's tables as text, to compare "nothing changed". */
static char *snapshot(const char *dir)
{
    static const char *const sql[] = {
        "SELECT * FROM accounts ORDER BY account",
        "SELECT hash, account, height, subtype, amount, block FROM blocks ORDER BY hash",
        "SELECT * FROM receivables ORDER BY send_hash",
        "SELECT * FROM rep_weights ORDER BY representative",
        "SELECT hash, dependency FROM unchecked ORDER BY hash",
        "SELECT * FROM meta ORDER BY key",
        "SELECT * FROM cement_log ORDER BY seq",
        "SELECT * FROM receivable_totals ORDER BY destination",
    };
    sqlite3 *db = reader(dir);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (size_t q = 0; q < sizeof sql / sizeof *sql; q++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, sql[q], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(st); i++) {
                const unsigned char *p = sqlite3_column_blob(st, i);
                int n = sqlite3_column_bytes(st, i);
                while (len + 2 * (size_t)n + 4 > cap) {
                    cap *= 2;
                    out = realloc(out, cap);
                    assert_non_null(out);
                }
                for (int k = 0; k < n; k++)
                    len += (size_t)sprintf(out + len, "%02x", p[k]);
                out[len++] = i + 1 < sqlite3_column_count(st) ? ',' : '\n';
            }
        }
        sqlite3_finalize(st);
        out[len++] = '|';
    }
    out[len] = 0;
    sqlite3_close(db);
    return out;
}

static smn_amount_t weight(ledger_store *s, const uint8_t rep[32])
{
    smn_amount_t w;
    assert_int_equal(ledger_store_weight(s, rep, &w), LEDGER_STATUS_OK);
    return w;
}

static bool stored(ledger_store *s, const smn_block *b)
{
    uint8_t h[32];
    ledger_block_record rec;
    tl_hash(b, h);
    ledger_status r = ledger_store_block(s, h, &rec);
    assert_true(r == LEDGER_STATUS_OK || r == LEDGER_STATUS_NOT_FOUND);
    return r == LEDGER_STATUS_OK;
}

static bool receivable(ledger_store *s, const smn_block *send, ledger_receivable *out)
{
    uint8_t h[32];
    ledger_receivable rv;
    tl_hash(send, h);
    ledger_status r = ledger_store_receivable(s, h, out ? out : &rv);
    assert_true(r == LEDGER_STATUS_OK || r == LEDGER_STATUS_NOT_FOUND);
    return r == LEDGER_STATUS_OK;
}

static void expect_order(const ledger_rollback_list *l, const smn_block *const *want, size_t n)
{
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t h[32];
        tl_hash(want[i], h);
        assert_memory_equal(l->v[i].hash, h, 32);
        assert_memory_equal(l->v[i].account, want[i]->account, 32);
    }
}

typedef struct {
    char dir[256];
    ledger_store *s;
    ledger_processor *p;
    tl_account g;
} fixture;

static void fx_open(fixture *f, const ledger_processor_config *pcfg)
{
    tl_tmpdir(f->dir);
    f->s = tl_open(f->dir, NULL);
    assert_int_equal(ledger_processor_create(f->s, pcfg, &f->p), LEDGER_STATUS_OK);
    tl_genesis(&f->g);
}

static void fx_close(fixture *f)
{
    ledger_processor_destroy(f->p);
    ledger_store_close(f->s);
    tl_cleanup(f->dir);
}

static void accept(fixture *f, const smn_block *b)
{
    assert_int_equal(tl_process1(f->p, b), LEDGER_ACCEPTED);
}

/* ---- rollback ---- */

static void test_single_block(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL);
    tl_account a;
    tl_account_new(&a, 1);
    char *before = snapshot(f.dir);
    smn_block send;
    tl_send(&f.g, a.kp.pub, tl_smn(10), &send);
    accept(&f, &send);
    assert_true(smn_amount_eq(weight(f.s, f.g.kp.pub),
                              smn_amount_sub_wrap(smn_network_supply(), tl_smn(10))));

    ledger_rollback_list l = {0};
    uint8_t h[32];
    tl_hash(&send, h);
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_OK);
    const smn_block *want[] = {&send};
    expect_order(&l, want, 1);
    assert_int_equal(l.v[0].height, 2);
    assert_int_equal(l.v[0].subtype, LEDGER_SUBTYPE_SEND);
    assert_false(stored(f.s, &send));
    assert_false(receivable(f.s, &send, NULL));
    ledger_account_info ai;
    assert_int_equal(ledger_store_account(f.s, f.g.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_memory_equal(ai.frontier, send.previous, 32);
    assert_int_equal(ai.height, 1);
    assert_true(smn_amount_eq(ai.balance, smn_network_supply()));
    assert_true(smn_amount_eq(weight(f.s, f.g.kp.pub), smn_network_supply()));
    ledger_counts c;
    ledger_store_counts(f.s, &c);
    assert_int_equal(c.blocks, 1);
    check_invariants(f.dir);
    /* Exactly the state before the send. */
    char *after = snapshot(f.dir);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* The chain grows again on the restored frontier; the old send is just
     * unknown (it can be processed again). */
    accept(&f, &send);
    check_invariants(f.dir);
    /* Unknown and missing arguments. */
    h[0] ^= 1;
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_NOT_FOUND);
    assert_int_equal(l.n, 0);
    ledger_rollback_list_free(&l);
    fx_close(&f);
}

/* A chain: the block and its successors go, newest first, with the
 * representative changes undone. */
static void test_chain(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL);
    tl_account a, r1, r2;
    tl_account_new(&a, 1);
    tl_account_new(&r1, 50);
    tl_account_new(&r2, 51);
    smn_block b[5];
    tl_send(&f.g, a.kp.pub, tl_smn(10), &b[0]); /* g2 */
    accept(&f, &b[0]);
    tl_change(&f.g, r1.kp.pub, &b[1]); /* g3: rep r1 */
    memcpy(f.g.rep, r2.kp.pub, 32);
    tl_send(&f.g, a.kp.pub, tl_smn(5), &b[2]); /* g4: send + rep r2 */
    tl_change(&f.g, r1.kp.pub, &b[3]);         /* g5 */
    tl_send(&f.g, a.kp.pub, tl_smn(1), &b[4]); /* g6 */
    for (int i = 1; i < 5; i++)
        accept(&f, &b[i]);
    assert_true(smn_amount_eq(weight(f.s, r1.kp.pub),
                              smn_amount_sub_wrap(smn_network_supply(), tl_smn(16))));
    check_invariants(f.dir);

    ledger_rollback_list l = {0};
    uint8_t h[32];
    tl_hash(&b[1], h);
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_OK);
    const smn_block *want[] = {&b[4], &b[3], &b[2], &b[1]};
    expect_order(&l, want, 4);
    for (int i = 1; i < 5; i++)
        assert_false(stored(f.s, &b[i]));
    assert_true(stored(f.s, &b[0]));
    assert_true(receivable(f.s, &b[0], NULL));
    assert_false(receivable(f.s, &b[2], NULL));
    assert_false(receivable(f.s, &b[4], NULL));
    ledger_account_info ai;
    assert_int_equal(ledger_store_account(f.s, f.g.kp.pub, &ai), LEDGER_STATUS_OK);
    tl_hash(&b[0], h);
    assert_memory_equal(ai.frontier, h, 32);
    assert_int_equal(ai.height, 2);
    assert_memory_equal(ai.representative, b[0].representative, 32);
    assert_true(smn_amount_eq(ai.balance, smn_amount_sub_wrap(smn_network_supply(), tl_smn(10))));
    assert_true(smn_amount_eq(weight(f.s, f.g.kp.pub),
                              smn_amount_sub_wrap(smn_network_supply(), tl_smn(10))));
    assert_true(smn_amount_eq(weight(f.s, r1.kp.pub), smn_amount_from_u64(0)));
    assert_true(smn_amount_eq(weight(f.s, r2.kp.pub), smn_amount_from_u64(0)));
    ledger_counts c;
    ledger_store_counts(f.s, &c);
    assert_int_equal(c.blocks, 2);
    check_invariants(f.dir);
    /* The counters survive a restart. */
    ledger_processor_destroy(f.p);
    ledger_store_close(f.s);
    f.s = tl_open(f.dir, NULL);
    assert_int_equal(ledger_processor_create(f.s, NULL, &f.p), LEDGER_STATUS_OK);
    ledger_store_counts(f.s, &c);
    assert_int_equal(c.blocks, 2);
    ledger_rollback_list_free(&l);
    fx_close(&f);
}

/* A received send takes its receive (and what was built on that) with it,
 * across accounts, recursively: g2 -> a1 (open) -> a2 send -> b1 (open) ->
 * b2, a3 receive of g3, c1 receives b2. */
static void test_received_sends(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL);
    tl_account a, b, c;
    tl_account_new(&a, 1);
    tl_account_new(&b, 2);
    tl_account_new(&c, 3);
    smn_block g2, g3, a1, a2, a3, b1, b2, c1, g4;
    uint8_t h[32];
    tl_send(&f.g, a.kp.pub, tl_smn(100), &g2);
    tl_hash(&g2, h);
    tl_receive(&a, h, tl_smn(100), &a1);
    tl_send(&a, b.kp.pub, tl_smn(40), &a2);
    tl_hash(&a2, h);
    tl_receive(&b, h, tl_smn(40), &b1);
    tl_send(&b, c.kp.pub, tl_smn(15), &b2);
    tl_hash(&b2, h);
    tl_receive(&c, h, tl_smn(15), &c1);
    tl_send(&f.g, a.kp.pub, tl_smn(7), &g3);
    tl_hash(&g3, h);
    tl_receive(&a, h, tl_smn(7), &a3);
    tl_send(&f.g, c.kp.pub, tl_smn(1), &g4); /* not received */
    const smn_block *all[] = {&g2, &a1, &a2, &b1, &b2, &c1, &g3, &a3, &g4};
    for (size_t i = 0; i < 9; i++)
        accept(&f, all[i]);
    check_invariants(f.dir);

    /* First only a receive: its send is receivable again, from g. */
    ledger_rollback_list l = {0};
    tl_hash(&c1, h);
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_OK);
    const smn_block *w1[] = {&c1};
    expect_order(&l, w1, 1);
    ledger_receivable rv;
    assert_true(receivable(f.s, &b2, &rv));
    assert_memory_equal(rv.source, b.kp.pub, 32);
    assert_memory_equal(rv.destination, c.kp.pub, 32);
    assert_true(smn_amount_eq(rv.amount, tl_smn(15)));
    ledger_account_info ai;
    assert_int_equal(ledger_store_account(f.s, c.kp.pub, &ai), LEDGER_STATUS_NOT_FOUND);
    assert_true(smn_amount_eq(weight(f.s, c.kp.pub), smn_amount_from_u64(0)));
    check_invariants(f.dir);
    accept(&f, &c1); /* and back */

    /* Now g2: a's and b's and c's chains go (a receive of a receive of a
     * receive), g's blocks above g2 too. */
    tl_hash(&g2, h);
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_OK);
    /* g4 (frontier, unreceived), g3 (received by a3: a's chain down to a3),
     * then g2 (received by a1: a's chain down to a1; a2 was received by b1:
     * b's chain down to b1; b2 was received by c1). */
    const smn_block *w2[] = {&g4, &a3, &g3, &c1, &b2, &b1, &a2, &a1, &g2};
    expect_order(&l, w2, 9);
    for (size_t i = 0; i < 9; i++)
        assert_false(stored(f.s, all[i]));
    assert_int_equal(ledger_store_account(f.s, a.kp.pub, &ai), LEDGER_STATUS_NOT_FOUND);
    assert_int_equal(ledger_store_account(f.s, b.kp.pub, &ai), LEDGER_STATUS_NOT_FOUND);
    assert_int_equal(ledger_store_account(f.s, c.kp.pub, &ai), LEDGER_STATUS_NOT_FOUND);
    assert_int_equal(ledger_store_account(f.s, f.g.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_int_equal(ai.height, 1);
    assert_true(smn_amount_eq(weight(f.s, f.g.kp.pub), smn_network_supply()));
    assert_true(smn_amount_is_zero(weight(f.s, a.kp.pub)) &&
                smn_amount_is_zero(weight(f.s, b.kp.pub)));
    for (size_t i = 0; i < 9; i++)
        assert_false(receivable(f.s, all[i], NULL));
    ledger_counts cnt;
    ledger_store_counts(f.s, &cnt);
    assert_int_equal(cnt.blocks, 1);
    check_invariants(f.dir);

    /* Everything applies again, in order. */
    for (size_t i = 0; i < 9; i++)
        accept(&f, all[i]);
    check_invariants(f.dir);
    ledger_rollback_list_free(&l);
    fx_close(&f);
}

/* A cemented block is never rolled back; a refusal partway (after some
 * blocks went in the transaction) changes nothing either. */
static void test_cemented_refused(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL);
    tl_account a, r;
    tl_account_new(&a, 1);
    tl_account_new(&r, 50);
    smn_block g2, a1, a2, g3;
    uint8_t h[32];
    tl_send(&f.g, a.kp.pub, tl_smn(10), &g2);
    tl_hash(&g2, h);
    tl_receive(&a, h, tl_smn(10), &a1);
    tl_change(&a, r.kp.pub, &a2);
    tl_send(&f.g, a.kp.pub, tl_smn(1), &g3);
    accept(&f, &g2);
    accept(&f, &a1);
    accept(&f, &a2);
    accept(&f, &g3);

    /* a's open cemented by hand (its send is not): rolling back g2 reaches
     * a2 (removed in the transaction), then a1: refused, all undone. */
    assert_int_equal(ledger_store_begin(f.s), LEDGER_STATUS_OK);
    assert_int_equal(ledger_store_set_conf_height(f.s, a.kp.pub, 1), LEDGER_STATUS_OK);
    assert_int_equal(ledger_store_commit(f.s), LEDGER_STATUS_OK);
    char *before = snapshot(f.dir);
    ledger_rollback_list l = {0};
    tl_hash(&g2, h);
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_CEMENTED);
    assert_int_equal(l.n, 0);
    char *after = snapshot(f.dir);
    assert_string_equal(before, after);
    free(after);
    assert_true(stored(f.s, &a2) && stored(f.s, &g3));
    ledger_counts c;
    ledger_store_counts(f.s, &c);
    assert_int_equal(c.blocks, 5);
    assert_true(smn_amount_eq(weight(f.s, r.kp.pub), tl_smn(10)));

    /* Confirmation proper: cementing a2 cements g2 too. */
    tl_hash(&a2, h);
    assert_int_equal(ledger_confirm(f.s, h, NULL, NULL, NULL), LEDGER_STATUS_OK);
    free(before);
    before = snapshot(f.dir);
    tl_hash(&g2, h);
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_CEMENTED);
    tl_hash(&a2, h);
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_CEMENTED);
    after = snapshot(f.dir);
    assert_string_equal(before, after);
    free(after);
    free(before);
    /* Above the confirmation height is fair game. */
    tl_hash(&g3, h);
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_OK);
    assert_int_equal(l.n, 1);
    check_invariants(f.dir);
    ledger_rollback_list_free(&l);
    fx_close(&f);
}

/* The bound: more than max blocks to remove is refused with nothing
 * changed; exactly max is fine. Also: unchecked blocks waiting for a
 * removed block are dropped. */
static void test_bound_and_unchecked(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL);
    tl_account a;
    tl_account_new(&a, 1);
    smn_block b[6];
    for (int i = 0; i < 6; i++) {
        tl_send(&f.g, a.kp.pub, tl_smn(1), &b[i]);
        accept(&f, &b[i]);
    }
    /* A receive of b[3] waits in unchecked for it (put there directly:
     * normally it would have been released when b[3] arrived). */
    smn_block wait;
    uint8_t h[32];
    tl_hash(&b[3], h);
    tl_receive(&a, h, tl_smn(1), &wait);
    assert_int_equal(ledger_store_begin(f.s), LEDGER_STATUS_OK);
    uint8_t wh[32];
    tl_hash(&wait, wh);
    assert_int_equal(ledger_store_unchecked_put(f.s, &wait, wh, h), LEDGER_STATUS_OK);
    assert_int_equal(ledger_store_commit(f.s), LEDGER_STATUS_OK);
    assert_int_equal(ledger_store_unchecked_count(f.s), 1);

    char *before = snapshot(f.dir);
    ledger_rollback_list l = {0};
    tl_hash(&b[1], h);
    assert_int_equal(ledger_rollback(f.s, h, 4, &l), LEDGER_STATUS_TOO_LARGE);
    assert_int_equal(l.n, 0);
    char *after = snapshot(f.dir);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(ledger_store_unchecked_count(f.s), 1);

    assert_int_equal(ledger_rollback(f.s, h, 5, &l), LEDGER_STATUS_OK);
    assert_int_equal(l.n, 5);
    assert_int_equal(ledger_store_unchecked_count(f.s), 0);
    ledger_counts c;
    ledger_store_counts(f.s, &c);
    assert_int_equal(c.unchecked, 0);
    assert_int_equal(c.blocks, 2);
    check_invariants(f.dir);
    ledger_rollback_list_free(&l);
    fx_close(&f);
}

/* A receive of a pruned send: the send is receivable again with a zero
 * source account (the send's block is gone), and the amount is exact. */
static void test_receive_of_pruned_send(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL);
    tl_account a;
    tl_account_new(&a, 1);
    smn_block g2, g3, g4, a1;
    uint8_t h[32];
    tl_send(&f.g, a.kp.pub, tl_smn(3), &g2);
    tl_send(&f.g, a.kp.pub, tl_smn(4), &g3);
    tl_send(&f.g, a.kp.pub, tl_smn(5), &g4);
    accept(&f, &g2);
    accept(&f, &g3);
    accept(&f, &g4);
    tl_hash(&g4, h);
    assert_int_equal(ledger_confirm(f.s, h, NULL, NULL, NULL), LEDGER_STATUS_OK);
    ledger_prune_stats ps;
    assert_int_equal(ledger_prune(f.s, 1, 16, &ps), LEDGER_STATUS_OK);
    assert_int_equal(ps.blocks, 3); /* genesis, g2, g3 */
    tl_hash(&g2, h);
    tl_receive(&a, h, tl_smn(3), &a1);
    accept(&f, &a1);
    check_invariants(f.dir);

    ledger_rollback_list l = {0};
    tl_hash(&a1, h);
    assert_int_equal(ledger_rollback(f.s, h, 0, &l), LEDGER_STATUS_OK);
    assert_int_equal(l.n, 1);
    ledger_receivable rv;
    assert_true(receivable(f.s, &g2, &rv));
    uint8_t zero[32] = {0};
    assert_memory_equal(rv.source, zero, 32);
    assert_memory_equal(rv.destination, a.kp.pub, 32);
    assert_true(smn_amount_eq(rv.amount, tl_smn(3)));
    check_invariants(f.dir);
    accept(&f, &a1); /* still receivable */
    check_invariants(f.dir);
    ledger_rollback_list_free(&l);
    fx_close(&f);
}

/* ---- settlement ---- */

typedef struct {
    char log[64][16]; /* "rb:<i>", "acc:<i>", "cem:<i>" by block index */
    size_t n;
    const smn_block *const *blocks;
    size_t nblocks;
} trace;

static int index_of(const trace *t, const uint8_t hash[32])
{
    for (size_t i = 0; i < t->nblocks; i++) {
        uint8_t h[32];
        tl_hash(t->blocks[i], h);
        if (memcmp(h, hash, 32) == 0)
            return (int)i;
    }
    return -1;
}

static void trace_add(trace *t, const char *what, const uint8_t hash[32])
{
    if (t->n < 64)
        snprintf(t->log[t->n++], 16, "%s:%d", what, index_of(t, hash));
}

static void on_rb(void *user, const ledger_rolled_back *rb)
{
    trace_add(user, "rb", rb->hash);
}

static void on_cem(void *user, const ledger_cemented *c)
{
    trace_add(user, "cem", c->hash);
}

static void on_event(void *user, const ledger_event *ev)
{
    trace_add(user, ev->kind == LEDGER_EVENT_ACCEPTED ? "acc" : "fork", ev->hash);
}

static void expect_trace(const trace *t, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n && i < t->n; i++)
        assert_string_equal(t->log[i], want[i]);
    assert_int_equal(t->n, n);
}

/* The ledger holds A (g2: send to a) and a's open; the network confirmed B
 * (g2': send to c). A and the open go, B is applied and cemented, and B's
 * successor waiting in unchecked is released. */
static void test_settle(void **state)
{
    (void)state;
    trace t = {0};
    ledger_processor_config pcfg = {.on_event = on_event, .event_user = &t};
    fixture f;
    fx_open(&f, &pcfg);
    tl_account a, c, g2;
    tl_account_new(&a, 1);
    tl_account_new(&c, 3);
    smn_block A, a1, B, B2, g3;
    uint8_t h[32];
    tl_genesis(&g2); /* the genesis model forks here */
    tl_send(&f.g, a.kp.pub, tl_smn(10), &A);
    tl_hash(&A, h);
    tl_receive(&a, h, tl_smn(10), &a1);
    tl_send(&f.g, a.kp.pub, tl_smn(1), &g3);
    tl_send(&g2, c.kp.pub, tl_smn(20), &B);
    tl_send(&g2, c.kp.pub, tl_smn(2), &B2); /* built on B */
    const smn_block *blocks[] = {&A, &a1, &B, &B2, &g3};
    t.blocks = blocks;
    t.nblocks = 5;
    accept(&f, &A);
    accept(&f, &a1);
    accept(&f, &g3);
    assert_int_equal(tl_process1(f.p, &B), LEDGER_FORK);
    assert_int_equal(tl_process1(f.p, &B2), LEDGER_GAP_PREVIOUS);
    t.n = 0;

    /* No competitor: a block on an unknown root, or a plain next block. */
    ledger_settle_stats st;
    smn_block stray;
    tl_account x;
    tl_account_new(&x, 77);
    uint8_t unknown[32];
    memset(unknown, 0x11, 32);
    tl_build(&stray, &x.kp, unknown, x.kp.pub, smn_amount_from_u64(5), a.kp.pub, 0);
    assert_int_equal(ledger_settle(f.s, f.p, &stray, 0, on_rb, on_cem, &t, &st),
                     LEDGER_STATUS_NOT_FOUND);
    /* A bad signature is refused before anything is touched. */
    smn_block forged = B;
    forged.signature[5] ^= 1;
    char *before = snapshot(f.dir);
    assert_int_equal(ledger_settle(f.s, f.p, &forged, 0, on_rb, on_cem, &t, &st),
                     LEDGER_STATUS_REJECTED);
    assert_int_equal(st.result, LEDGER_BAD_SIGNATURE);
    /* Too many dependents for the bound: A, a1 and g3 would go. */
    assert_int_equal(ledger_settle(f.s, f.p, &B, 2, on_rb, on_cem, &t, &st),
                     LEDGER_STATUS_TOO_LARGE);
    char *after = snapshot(f.dir);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(t.n, 0);

    assert_int_equal(ledger_settle(f.s, f.p, &B, 0, on_rb, on_cem, &t, &st), LEDGER_STATUS_OK);
    assert_int_equal(st.rolled_back, 3);
    assert_int_equal(st.cemented, 1);
    assert_int_equal(st.result, LEDGER_ACCEPTED);
    tl_hash(&A, h);
    assert_memory_equal(st.loser, h, 32);
    const char *want[] = {"rb:4", "rb:1", "rb:0", "acc:2", "acc:3", "cem:2"};
    expect_trace(&t, want, 6);
    assert_false(stored(f.s, &A) || stored(f.s, &a1) || stored(f.s, &g3));
    assert_true(stored(f.s, &B) && stored(f.s, &B2));
    ledger_account_info ai;
    assert_int_equal(ledger_store_account(f.s, f.g.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_int_equal(ai.height, 3);
    assert_int_equal(ai.conf_height, 2);
    assert_true(smn_amount_eq(ai.balance, smn_amount_sub_wrap(smn_network_supply(), tl_smn(22))));
    assert_int_equal(ledger_store_account(f.s, a.kp.pub, &ai), LEDGER_STATUS_NOT_FOUND);
    assert_true(receivable(f.s, &B, NULL) && receivable(f.s, &B2, NULL));
    assert_true(smn_amount_eq(weight(f.s, f.g.kp.pub),
                              smn_amount_sub_wrap(smn_network_supply(), tl_smn(22))));
    assert_true(smn_amount_eq(weight(f.s, a.kp.pub), smn_amount_from_u64(0)));
    ledger_counts cnt;
    ledger_store_counts(f.s, &cnt);
    assert_int_equal(cnt.blocks, 3);
    assert_int_equal(cnt.cemented, 2);
    assert_int_equal(cnt.unchecked, 0);
    uint64_t seq;
    assert_int_equal(ledger_store_cement_seq(f.s, &seq), LEDGER_STATUS_OK);
    assert_int_equal(seq, 2);
    check_invariants(f.dir);

    /* The loser is now a fork of cemented history; settling it is refused. */
    t.n = 0;
    assert_int_equal(tl_process1(f.p, &A), LEDGER_FORK);
    t.n = 0;
    before = snapshot(f.dir);
    assert_int_equal(ledger_settle(f.s, f.p, &A, 0, on_rb, on_cem, &t, &st),
                     LEDGER_STATUS_CEMENTED);
    after = snapshot(f.dir);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(t.n, 0);
    /* Settling the stored winner again only confirms (nothing to do). */
    assert_int_equal(ledger_settle(f.s, f.p, &B, 0, on_rb, on_cem, &t, &st), LEDGER_STATUS_OK);
    assert_int_equal(st.rolled_back + st.cemented, 0);
    fx_close(&f);
}

/* A winner that is invalid even without its competitor (its source is
 * unknown) is rejected and the competitor stays: nothing changed. Two opens
 * of one account compete too. */
static void test_settle_rejected_and_opens(void **state)
{
    (void)state;
    trace t = {0};
    ledger_processor_config pcfg = {.on_event = on_event, .event_user = &t};
    fixture f;
    fx_open(&f, &pcfg);
    tl_account a, a_alt;
    tl_account_new(&a, 1);
    smn_block s1, s2, open1, open2, ghost_open;
    uint8_t h[32];
    tl_send(&f.g, a.kp.pub, tl_smn(10), &s1);
    tl_send(&f.g, a.kp.pub, tl_smn(3), &s2);
    accept(&f, &s1);
    accept(&f, &s2);
    a_alt = a;
    tl_hash(&s1, h);
    tl_receive(&a, h, tl_smn(10), &open1);
    accept(&f, &open1);
    tl_hash(&s2, h);
    tl_account a_ghost = a_alt;
    tl_receive(&a_alt, h, tl_smn(3), &open2);
    uint8_t nowhere[32];
    memset(nowhere, 0x42, 32);
    tl_receive(&a_ghost, nowhere, tl_smn(3), &ghost_open);
    const smn_block *blocks[] = {&s1, &s2, &open1, &open2, &ghost_open};
    t.blocks = blocks;
    t.nblocks = 5;

    char *before = snapshot(f.dir);
    ledger_settle_stats st;
    assert_int_equal(ledger_settle(f.s, f.p, &ghost_open, 0, NULL, NULL, NULL, &st),
                     LEDGER_STATUS_REJECTED);
    assert_int_equal(st.result, LEDGER_GAP_SOURCE);
    char *after = snapshot(f.dir);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_true(stored(f.s, &open1));
    /* (The rejected winner is not left in unchecked either.) */
    assert_int_equal(ledger_store_unchecked_count(f.s), 0);

    t.n = 0;
    assert_int_equal(ledger_settle(f.s, f.p, &open2, 0, on_rb, on_cem, &t, &st), LEDGER_STATUS_OK);
    /* The open's source s2 is cemented first, and s1 below it. */
    const char *want[] = {"rb:2", "acc:3", "cem:0", "cem:1", "cem:3"};
    expect_trace(&t, want, 5);
    assert_int_equal(st.rolled_back, 1);
    assert_int_equal(st.cemented, 3);
    ledger_account_info ai;
    assert_int_equal(ledger_store_account(f.s, a.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_int_equal(ai.conf_height, 1);
    assert_true(smn_amount_eq(ai.balance, tl_smn(3)));
    assert_true(receivable(f.s, &s1, NULL));
    assert_false(receivable(f.s, &s2, NULL));
    assert_true(smn_amount_eq(weight(f.s, a.kp.pub), tl_smn(3)));
    check_invariants(f.dir);
    fx_close(&f);
}

/* ---- a random lattice: rollback, check, re-apply, byte-identical ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
    uint64_t x = rng_state; /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

enum { R_ACCOUNTS = 12, R_STEPS = 160, R_ROUNDS = 40 };

typedef struct {
    uint8_t hash[32];
    uint8_t to; /* account index (R_ACCOUNTS = genesis) */
    smn_amount_t amount;
    bool received;
} r_send;

static void test_random_roundtrip(void **state)
{
    (void)state;
    const char *e = getenv("SMN_TEST_SEED");
    rng_state = e ? strtoull(e, NULL, 0) : 0x9E3779B97F4A7C15ull;
    if (!rng_state)
        rng_state = 1;
    printf("seed 0x%llx\n", (unsigned long long)rng_state);
    fixture f;
    fx_open(&f, NULL);
    tl_account acc[R_ACCOUNTS + 1];
    for (uint32_t i = 0; i < R_ACCOUNTS; i++)
        tl_account_new(&acc[i], 100 + i);
    acc[R_ACCOUNTS] = f.g;
    smn_block *blocks = calloc(R_STEPS, sizeof *blocks);
    r_send *sends = calloc(R_STEPS, sizeof *sends);
    assert_non_null(blocks);
    assert_non_null(sends);
    size_t nb = 0, ns = 0;
    for (int step = 0; step < R_STEPS; step++) {
        /* Receive a pending send half of the time, else send. */
        size_t pick = ns ? (size_t)(rng() % ns) : 0;
        smn_block *b = &blocks[nb];
        if (ns && !sends[pick].received && rng() % 2) {
            r_send *sd = &sends[pick];
            tl_receive(&acc[sd->to], sd->hash, sd->amount, b);
            sd->received = true;
        } else {
            /* From an account with funds, to any account (itself too). */
            size_t from = R_ACCOUNTS;
            for (int tries = 0; tries < 4; tries++) {
                size_t c = (size_t)(rng() % (R_ACCOUNTS + 1));
                if (smn_amount_gt(acc[c].balance, tl_smn(1)) && acc[c].height) {
                    from = c;
                    break;
                }
            }
            size_t to = (size_t)(rng() % (R_ACCOUNTS + 1));
            smn_amount_t amount =
                smn_amount_add_wrap(smn_amount_shr(acc[from].balance, 2), smn_amount_from_u64(1));
            if (rng() % 3 == 0 && from != R_ACCOUNTS) {
                uint8_t rep[32];
                memcpy(rep, acc[rng() % R_ACCOUNTS].kp.pub, 32);
                memcpy(acc[from].rep, rep, 32); /* a send that changes the rep */
            }
            tl_send(&acc[from], acc[to].kp.pub, amount, b);
            r_send *sd = &sends[ns++];
            tl_hash(b, sd->hash);
            sd->to = (uint8_t)to;
            sd->amount = amount;
            sd->received = false;
        }
        accept(&f, b);
        nb++;
    }
    /* Cement a few blocks (and their dependencies). */
    for (int i = 0; i < 3; i++) {
        uint8_t h[32];
        tl_hash(&blocks[rng() % (nb / 2)], h);
        assert_int_equal(ledger_confirm(f.s, h, NULL, NULL, NULL), LEDGER_STATUS_OK);
    }
    check_invariants(f.dir);

    size_t ok = 0, refused = 0, removed = 0;
    ledger_rollback_list l = {0};
    for (int round = 0; round < R_ROUNDS; round++) {
        const smn_block *victim = &blocks[rng() % nb];
        uint8_t h[32];
        tl_hash(victim, h);
        char *before = snapshot(f.dir);
        ledger_status r = ledger_rollback(f.s, h, 0, &l);
        assert_true(r == LEDGER_STATUS_OK || r == LEDGER_STATUS_CEMENTED);
        if (r == LEDGER_STATUS_CEMENTED) {
            refused++;
        } else {
            ok++;
            removed += l.n;
            assert_memory_equal(l.v[l.n - 1].hash, h, 32); /* the victim goes last */
            check_invariants(f.dir);
            /* Re-apply oldest first: each send before its receive. */
            for (size_t i = l.n; i-- > 0;) {
                size_t k = 0;
                for (; k < nb; k++) {
                    uint8_t bh[32];
                    tl_hash(&blocks[k], bh);
                    if (memcmp(bh, l.v[i].hash, 32) == 0)
                        break;
                }
                assert_true(k < nb);
                accept(&f, &blocks[k]);
            }
        }
        char *after = snapshot(f.dir);
        assert_string_equal(before, after);
        free(before);
        free(after);
        /* Now and then cement more, so later rounds roll back receives of
         * cemented sends (their receivables count as confirmed again). */
        if (rng() % 4 == 0) {
            tl_hash(&blocks[rng() % nb], h);
            assert_int_equal(ledger_confirm(f.s, h, NULL, NULL, NULL), LEDGER_STATUS_OK);
            check_invariants(f.dir);
        }
    }
    printf("%zu rollbacks (%zu blocks), %zu refused as cemented\n", ok, removed, refused);
    assert_true(ok > 0 && refused > 0);
    ledger_rollback_list_free(&l);
    free(blocks);
    free(sends);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_block),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_received_sends),
        cmocka_unit_test(test_cemented_refused),
        cmocka_unit_test(test_bound_and_unchecked),
        cmocka_unit_test(test_receive_of_pruned_send),
        cmocka_unit_test(test_settle),
        cmocka_unit_test(test_settle_rejected_and_opens),
        cmocka_unit_test(test_random_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
