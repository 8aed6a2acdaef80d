/* The order the ledger serves confirms in (confirm_order.h): a fresh
 * election's confirm enqueued behind many backlog ones goes first, and
 * the backlog still progresses while big fresh confirms keep coming.
 * sim_batch mirrors the service's run_batch: one slice of SLICE blocks
 * shared in order, each confirm taking what it still needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "procs/ledger/confirm_order.h"

enum { SLICE = 256, MAXT = 256, BATCH = 64 };

typedef struct {
    ledger_confirm_rank r[MAXT];
    size_t left[MAXT]; /* blocks still to cement */
    int id[MAXT];      /* who the confirm is, for the test */
    size_t n;
    ledger_confirm_order_state st;
} sim;

static void sim_add(sim *s, bool backlog, size_t blocks, int id)
{
    assert_true(s->n < MAXT);
    s->r[s->n] = (ledger_confirm_rank){.eligible = true, .backlog = backlog};
    s->left[s->n] = blocks;
    s->id[s->n] = id;
    s->n++;
}

/* One batch; the ids of the confirms it finished go to done (returns how
 * many), the blocks it gave each class to *fresh and *backlog. */
static size_t sim_batch(sim *s, int *done, size_t *fresh, size_t *backlog)
{
    size_t order[BATCH];
    size_t n = ledger_confirm_order(&s->st, s->r, s->n, order, BATCH);
    size_t used = 0, nd = 0;
    bool gone[MAXT] = {false};
    for (size_t k = 0; k < n && used < SLICE; k++) {
        size_t i = order[k];
        size_t take = s->left[i] < SLICE - used ? s->left[i] : SLICE - used;
        used += take;
        s->left[i] -= take;
        *(s->r[i].backlog ? backlog : fresh) += take;
        s->r[i].started = true;
        if (!s->left[i]) {
            done[nd++] = s->id[i];
            gone[i] = true;
        }
    }
    size_t w = 0; /* remove the finished, keeping arrival order */
    for (size_t i = 0; i < s->n; i++)
        if (!gone[i]) {
            s->r[w] = s->r[i];
            s->left[w] = s->left[i];
            s->id[w] = s->id[i];
            w++;
        }
    s->n = w;
    return nd;
}

/* Every confirm once, each class new before started, arrival order within. */
static void test_groups(void **state)
{
    (void)state;
    ledger_confirm_rank r[6] = {
        {.eligible = true, .started = true, .backlog = true},    /* 0 */
        {.eligible = true, .started = false, .backlog = true},   /* 1 */
        {.eligible = true, .started = true, .backlog = false},   /* 2 */
        {.eligible = false, .started = false, .backlog = false}, /* 3: settling */
        {.eligible = true, .started = false, .backlog = false},  /* 4 */
        {.eligible = true, .started = false, .backlog = true},   /* 5 */
    };
    ledger_confirm_order_state st = {0};
    size_t order[8];
    assert_int_equal(ledger_confirm_order(&st, r, 6, order, 8), 5);
    size_t want[5] = {4, 2, 1, 5, 0};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(order[i], want[i]);
    /* the bound is kept, the first ones kept */
    st = (ledger_confirm_order_state){0};
    assert_int_equal(ledger_confirm_order(&st, r, 6, order, 2), 2);
    assert_int_equal(order[0], 4);
    assert_int_equal(order[1], 2);
}

/* Absent a fresh confirm, the backlog's order is the old one: new first. */
static void test_backlog_only(void **state)
{
    (void)state;
    ledger_confirm_rank r[3] = {
        {.eligible = true, .started = true, .backlog = true},
        {.eligible = true, .started = false, .backlog = true},
        {.eligible = true, .started = true, .backlog = true},
    };
    ledger_confirm_order_state st = {0};
    size_t order[3];
    for (int round = 0; round < 10; round++) {
        assert_int_equal(ledger_confirm_order(&st, r, 3, order, 3), 3);
        assert_int_equal(order[0], 1);
        assert_int_equal(order[1], 0);
        assert_int_equal(order[2], 2);
    }
}

/* 200 backlog confirms of 300 blocks each, one slice already given to
 * the oldest; then a 1-block fresh send arrives behind them all: the
 * very next batch finishes it. And a fresh send on top of a long chain
 * (5,000 blocks) finishes within ceil(5000 / 256 * 4 / 3) + 1 batches. */
static void test_fresh_first(void **state)
{
    (void)state;
    static sim s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 200; i++)
        sim_add(&s, true, 300, i);
    int done[BATCH];
    size_t f = 0, b = 0;
    (void)sim_batch(&s, done, &f, &b);
    assert_int_equal(b, SLICE);
    sim_add(&s, false, 1, 1000);
    size_t nd = sim_batch(&s, done, &f, &b);
    assert_true(nd >= 1);
    assert_int_equal(done[0], 1000);
    assert_int_equal(f, 1);

    sim_add(&s, false, 5000, 2000);
    bool finished = false;
    size_t batches = 0;
    while (!finished) {
        assert_true(batches < 5000 / SLICE * 4 / 3 + 2);
        nd = sim_batch(&s, done, &f, &b);
        batches++;
        for (size_t i = 0; i < nd; i++)
            finished |= done[i] == 2000;
    }
}

/* Fresh confirms of a whole slice each keep arriving, one per batch: the
 * backlog still gets every fourth slice, and its confirms finish. */
static void test_backlog_progresses(void **state)
{
    (void)state;
    static sim s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 10; i++)
        sim_add(&s, true, 2 * SLICE, i);
    int done[BATCH];
    size_t f = 0, b = 0, backlog_done = 0;
    for (int round = 0; round < 200; round++) {
        sim_add(&s, false, SLICE, 100 + round);
        size_t nd = sim_batch(&s, done, &f, &b);
        for (size_t i = 0; i < nd; i++)
            backlog_done += done[i] < 100;
    }
    assert_int_equal(backlog_done, 10);
    assert_int_equal(b, 10 * 2 * SLICE);
    /* and the fresh ones had the rest: 3 of every 4 slices until then */
    assert_true(f >= 200 * SLICE - b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_backlog_only),
        cmocka_unit_test(test_fresh_first),
        cmocka_unit_test(test_backlog_progresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
