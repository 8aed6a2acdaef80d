/* Confirmation cursors (procs/ws/cursor.h): the ring, and a subscriber's
 * steps from the DB into the ring and live, with no gap and no duplicate.
 * The "DB" here is an array of cementing-log rows behind the same
 * ws_conf_source the process reads ledger.db with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "procs/ws/cursor.h"

#define LOG_MAX 64

typedef struct {
    ws_confirmation rows[LOG_MAX];
    size_t n;
    size_t reads;
} fake_log;

static int src(void *user, uint64_t after, ws_confirmation *out, size_t max, size_t *n)
{
    fake_log *l = user;
    l->reads++;
    *n = 0;
    for (size_t i = 0; i < l->n && *n < max; i++)
        if (l->rows[i].seq > after)
            out[(*n)++] = l->rows[i];
    return 0;
}

static ws_confirmation row(uint64_t seq, uint8_t account)
{
    ws_confirmation c;
    memset(&c, 0, sizeof c);
    c.seq = seq;
    c.hash[0] = (uint8_t)seq;
    memset(c.block.account, account, 32);
    c.subtype = LEDGER_SUBTYPE_CHANGE;
    return c;
}

/* seqs from..to cemented: into the log, and into the ring unless r is NULL */
static void cement(fake_log *l, ws_ring *r, uint64_t from, uint64_t to)
{
    for (uint64_t s = from; s <= to; s++) {
        l->rows[l->n++] = row(s, 1);
        if (r)
            assert_true(ws_ring_append(r, &l->rows[l->n - 1], 0));
    }
}

/* seqs in q, in order */
static size_t drain(ws_outq *q, uint64_t *out, size_t max)
{
    size_t n = 0;
    ws_item it;
    while (ws_outq_pop(q, &it)) {
        if (n < max)
            out[n++] = it.cursor;
        ws_buf_unref(it.buf);
    }
    return n;
}

static void test_ring(void **st)
{
    (void)st;
    ws_ring r;
    assert_true(ws_ring_init(&r, 4, 10));
    assert_int_equal(r.base, 10);
    assert_int_equal(r.last, 10);
    for (uint64_t s = 11; s <= 16; s++) {
        ws_confirmation c = row(s, 1);
        assert_true(ws_ring_append(&r, &c, 0));
    }
    ws_confirmation old = row(16, 1);
    assert_false(ws_ring_append(&r, &old, 0)); /* not after last */
    assert_int_equal(ws_ring_count(&r), 4);
    assert_int_equal(r.base, 12); /* 11 and 12 made room: (12, 16] is held */
    assert_int_equal(r.last, 16);
    assert_int_equal(ws_ring_get(&r, 0)->c.seq, 13);
    assert_int_equal(ws_ring_first_after(&r, 12), 0);
    assert_int_equal(ws_ring_first_after(&r, 14), 2);
    assert_int_equal(ws_ring_first_after(&r, 16), 4);
    ws_confirmation pr = row(17, 1);
    pr.pruned = true;
    assert_true(ws_ring_append(&r, &pr, 0));
    assert_int_equal(r.last, 17);
    assert_int_equal(ws_ring_count(&r), 4);
    ws_ring_free(&r);
}

/* A reset ring (no subscriber) holds nothing and starts after the head it
 * was given, never before its last; a client from before it reads the DB,
 * then what the ring appends after the head. */
static void test_ring_reset(void **st)
{
    (void)st;
    fake_log l = {0};
    ws_ring r;
    assert_true(ws_ring_init(&r, 4, 0));
    cement(&l, &r, 1, 6);
    ws_ring_reset(&r, 3); /* behind last: last stays */
    assert_int_equal(ws_ring_count(&r), 0);
    assert_int_equal(r.base, 6);
    assert_int_equal(r.last, 6);
    cement(&l, NULL, 7, 9); /* while nobody listened */
    ws_ring_reset(&r, 9);
    assert_int_equal(r.base, 9);
    assert_int_equal(r.last, 9);
    cement(&l, &r, 10, 10);
    assert_int_equal(ws_ring_get(&r, 0)->c.seq, 10);
    ws_conf_sub sub = {.on = true, .scan = 4};
    ws_outq q;
    ws_outq_init(&q, 1 << 20);
    ws_confirmation page[4];
    while (ws_conf_step(&sub, &q, &r, src, &l, page, 4, 100, 0) == WS_STEP_MORE)
        ;
    uint64_t got[16];
    size_t n = drain(&q, got, 16);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], 5 + i);
    ws_outq_free(&q);
    ws_ring_free(&r);
}

/* A client 30 behind a ring of 8 reads the DB in pages, then the ring, then
 * waits: every seq once, in order. */
static void test_db_then_ring_then_live(void **st)
{
    (void)st;
    fake_log l = {0};
    ws_ring r;
    assert_true(ws_ring_init(&r, 8, 0));
    cement(&l, &r, 1, 40);
    assert_int_equal(r.base, 32);
    ws_conf_sub sub = {.on = true, .scan = 10, .include_block = true};
    ws_outq q;
    ws_outq_init(&q, 1 << 20);
    ws_confirmation page[5];
    ws_step s;
    int steps = 0;
    while ((s = ws_conf_step(&sub, &q, &r, src, &l, page, 5, 100, 0)) == WS_STEP_MORE)
        steps++;
    assert_int_equal(s, WS_STEP_IDLE);
    assert_true(l.reads >= 5); /* (10, 32] came from the DB in pages of 5 */
    assert_int_equal(sub.scan, 40);
    uint64_t got[64];
    size_t n = drain(&q, got, 64);
    assert_int_equal(n, 30);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], 11 + i);
    /* live: two more cemented */
    for (uint64_t x = 41; x <= 42; x++) {
        l.rows[l.n++] = row(x, 1);
        assert_true(ws_ring_append(&r, &l.rows[l.n - 1], 0));
    }
    size_t reads = l.reads;
    assert_int_equal(ws_conf_step(&sub, &q, &r, src, &l, page, 5, 100, 0), WS_STEP_IDLE);
    assert_int_equal(l.reads, reads); /* from the ring, no DB read */
    n = drain(&q, got, 64);
    assert_int_equal(n, 2);
    assert_int_equal(got[0], 41);
    assert_int_equal(got[1], 42);
    ws_outq_free(&q);
    ws_ring_free(&r);
}

/* The DB is ahead of the ring (a notification not read yet): the rows come
 * from the DB once, and the ring does not repeat them. */
static void test_db_ahead_of_ring(void **st)
{
    (void)st;
    fake_log l = {0};
    ws_ring r;
    assert_true(ws_ring_init(&r, 4, 20));
    for (uint64_t s = 1; s <= 30; s++)
        l.rows[l.n++] = row(s, 1);
    for (uint64_t s = 21; s <= 24; s++)
        assert_true(ws_ring_append(&r, &l.rows[s - 1], 0));
    ws_conf_sub sub = {.on = true, .scan = 18};
    ws_outq q;
    ws_outq_init(&q, 1 << 20);
    ws_confirmation page[16];
    assert_int_equal(ws_conf_step(&sub, &q, &r, src, &l, page, 16, 100, 0), WS_STEP_MORE);
    assert_int_equal(sub.scan, 30); /* the DB page went past the ring's last */
    for (uint64_t s = 25; s <= 30; s++)
        assert_true(ws_ring_append(&r, &l.rows[s - 1], 0));
    assert_int_equal(ws_conf_step(&sub, &q, &r, src, &l, page, 16, 100, 0), WS_STEP_IDLE);
    uint64_t got[64];
    size_t n = drain(&q, got, 64);
    assert_int_equal(n, 12);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], 19 + i);
    ws_outq_free(&q);
    ws_ring_free(&r);
}

/* A full queue stops the step at the last queued seq; after draining, the
 * next step goes on from there. */
static void test_full_queue(void **st)
{
    (void)st;
    fake_log l = {0};
    ws_ring r;
    assert_true(ws_ring_init(&r, 16, 0));
    for (uint64_t s = 1; s <= 10; s++) {
        l.rows[l.n++] = row(s, 1);
        assert_true(ws_ring_append(&r, &l.rows[l.n - 1], 0));
    }
    size_t one = ws_ring_get(&r, 0)->with_block->len;
    ws_conf_sub sub = {.on = true, .scan = 0, .include_block = true};
    ws_outq q;
    ws_outq_init(&q, 3 * one); /* three messages */
    ws_confirmation page[4];
    assert_int_equal(ws_conf_step(&sub, &q, &r, src, &l, page, 4, 100, 0), WS_STEP_FULL);
    assert_int_equal(sub.scan, 3);
    uint64_t got[16], all[16];
    size_t n = drain(&q, got, 16), k = 0;
    memcpy(all, got, n * sizeof *got);
    k = n;
    while (ws_conf_step(&sub, &q, &r, src, &l, page, 4, 100, 0) != WS_STEP_IDLE) {
        n = drain(&q, got, 16);
        memcpy(all + k, got, n * sizeof *got);
        k += n;
    }
    n = drain(&q, got, 16);
    memcpy(all + k, got, n * sizeof *got);
    k += n;
    assert_int_equal(k, 10);
    for (size_t i = 0; i < k; i++)
        assert_int_equal(all[i], i + 1);
    assert_int_equal(l.reads, 0); /* all of it was in the ring */
    ws_outq_free(&q);
    ws_ring_free(&r);
}

/* Filters: the scan moves over what does not match; a send matches its
 * destination; pruned rows and the two never-served types match nothing. */
static void test_filter(void **st)
{
    (void)st;
    fake_log l = {0};
    ws_ring r;
    assert_true(ws_ring_init(&r, 16, 0));
    uint8_t acc[32];
    memset(acc, 7, 32);
    l.rows[l.n++] = row(1, 1);
    l.rows[l.n++] = row(2, 7);
    ws_confirmation send = row(3, 1);
    send.subtype = LEDGER_SUBTYPE_SEND;
    memcpy(send.block.link, acc, 32);
    l.rows[l.n++] = send;
    ws_confirmation pr = row(4, 7);
    pr.pruned = true;
    l.rows[l.n++] = pr;
    l.rows[l.n++] = row(5, 2);
    for (size_t i = 0; i < l.n; i++)
        assert_true(ws_ring_append(&r, &l.rows[i], 0));
    ws_conf_sub sub = {.on = true, .scan = 0, .filtered = true};
    sub.accounts.v = &acc;
    sub.accounts.n = 1;
    ws_outq q;
    ws_outq_init(&q, 1 << 20);
    ws_confirmation page[4];
    assert_int_equal(ws_conf_step(&sub, &q, &r, src, &l, page, 4, 100, 0), WS_STEP_IDLE);
    assert_int_equal(sub.scan, 5);
    uint64_t got[8];
    size_t n = drain(&q, got, 8);
    assert_int_equal(n, 2);
    assert_int_equal(got[0], 2);
    assert_int_equal(got[1], 3);
    /* the same from the DB (the ring does not hold these any more) */
    ws_ring_free(&r);
    assert_true(ws_ring_init(&r, 16, 5));
    sub.scan = 0;
    while (ws_conf_step(&sub, &q, &r, src, &l, page, 2, 100, 0) == WS_STEP_MORE)
        ;
    n = drain(&q, got, 8);
    assert_int_equal(n, 2);
    assert_int_equal(got[0], 2);
    assert_int_equal(got[1], 3);
    sub.type = WS_CONF_INACTIVE;
    assert_false(ws_conf_sub_matches(&sub, &l.rows[1]));
    sub.type = WS_CONF_ACTIVE;
    assert_true(ws_conf_sub_matches(&sub, &l.rows[1]));
    ws_outq_free(&q);
    ws_ring_free(&r);
}

/* Missing seqs in the log (the DB has nothing up to the ring's base): the
 * scan jumps to the base instead of spinning. */
static void test_gap_before_ring(void **st)
{
    (void)st;
    fake_log l = {0};
    ws_ring r;
    assert_true(ws_ring_init(&r, 4, 50));
    ws_confirmation c = row(51, 1);
    l.rows[l.n++] = c;
    assert_true(ws_ring_append(&r, &c, 0));
    ws_conf_sub sub = {.on = true, .scan = 10};
    ws_outq q;
    ws_outq_init(&q, 1 << 20);
    ws_confirmation page[4];
    /* the fake log holds 51 only: the DB page brings it straight away */
    assert_int_equal(ws_conf_step(&sub, &q, &r, src, &l, page, 4, 100, 0), WS_STEP_MORE);
    assert_int_equal(sub.scan, 51);
    l.n = 0; /* a log with nothing after 10 at all */
    sub.scan = 10;
    ws_outq_clear(&q);
    assert_int_equal(ws_conf_step(&sub, &q, &r, src, &l, page, 4, 100, 0), WS_STEP_MORE);
    assert_int_equal(sub.scan, 50);
    assert_int_equal(ws_conf_step(&sub, &q, &r, src, &l, page, 4, 100, 0), WS_STEP_IDLE);
    uint64_t got[4];
    assert_int_equal(drain(&q, got, 4), 1);
    assert_int_equal(got[0], 51);
    ws_outq_free(&q);
    ws_ring_free(&r);
}

static void test_outq(void **st)
{
    (void)st;
    ws_outq q;
    ws_outq_init(&q, 10);
    ws_buf *b = ws_buf_new("0123456789ab", 12);
    assert_true(ws_outq_push(&q, b, WS_STREAM_CONF, 5)); /* empty: takes one oversized */
    assert_false(ws_outq_push(&q, b, WS_STREAM_NONE, 0));
    uint64_t c = 0;
    assert_true(ws_outq_first(&q, WS_STREAM_CONF, &c));
    assert_int_equal(c, 5);
    assert_false(ws_outq_first(&q, WS_STREAM_VM, &c));
    assert_int_equal(b->refs, 2);
    ws_outq_free(&q);
    assert_int_equal(b->refs, 1);
    ws_buf_unref(b);
}

/* include_election_info: the ring's info variants, and the DB path, carry
 * election_info only for confirmations whose election is known, and only
 * to subscribers that asked. */
static bool has_info(const ws_item *it)
{
    return strstr((const char *)it->buf->data + WS_BUF_PRE, "\"election_info\"") != NULL;
}

static void test_election_info(void **st)
{
    (void)st;
    fake_log l = {.n = 0};
    ws_ring r;
    assert_true(ws_ring_init(&r, 2, 0));
    for (uint64_t s = 1; s <= 4; s++) {
        ws_confirmation c = row(s, 1);
        if (s % 2 == 0) {
            c.has_election = true;
            c.election.has_info = true;
            c.election.voters = 1;
        }
        l.rows[l.n++] = c;
        assert_true(ws_ring_append(&r, &c, 0));
    }
    assert_int_equal(r.base, 2); /* 1 and 2 come from the DB, 3 and 4 from the ring */
    for (int want = 0; want < 2; want++) {
        ws_conf_sub sub = {.on = true, .scan = 0, .include_election_info = want};
        ws_outq q;
        ws_outq_init(&q, 1 << 20);
        ws_confirmation page[4];
        while (ws_conf_step(&sub, &q, &r, src, &l, page, 4, 100, 0) == WS_STEP_MORE)
            ;
        ws_item it;
        for (uint64_t s = 1; s <= 4; s++) {
            assert_true(ws_outq_pop(&q, &it));
            assert_int_equal(it.cursor, s);
            assert_int_equal(has_info(&it), want && s % 2 == 0);
            ws_buf_unref(it.buf);
        }
        assert_false(ws_outq_pop(&q, &it));
        ws_outq_free(&q);
    }
    ws_ring_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_ring_reset),
        cmocka_unit_test(test_db_then_ring_then_live),
        cmocka_unit_test(test_db_ahead_of_ring),
        cmocka_unit_test(test_full_queue),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_gap_before_ring),
        cmocka_unit_test(test_outq),
        cmocka_unit_test(test_election_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
