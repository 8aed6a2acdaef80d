/* The subscription filter, cursor and buffer rules (subscriber.h), apart
 * from any socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "procs/vm/service/subscriber.h"

static vm_evrow row(uint64_t cursor, const char *type, uint8_t prog, uint32_t session,
                    uint8_t account)
{
    vm_evrow e = {0};
    e.cursor = cursor;
    strcpy(e.type, type);
    memset(e.program, prog, 32);
    e.session = session;
    memset(e.account, account, 32);
    e.height = cursor;
    return e;
}

static void test_filter_fields(void **state)
{
    (void)state;
    vm_evrow e = row(1, "token.mint", 7, 3, 9);
    vm_evfilter f = {0};
    assert_true(vm_evfilter_match(&f, &e)); /* no filter: everything */

    f.has_program = true;
    memset(f.program, 7, 32);
    assert_true(vm_evfilter_match(&f, &e));
    f.program[31] = 8;
    assert_false(vm_evfilter_match(&f, &e));
    f.has_program = false;

    f.has_session = true;
    f.session = 3;
    assert_true(vm_evfilter_match(&f, &e));
    f.session = 4;
    assert_false(vm_evfilter_match(&f, &e));
    f.has_session = false;

    f.has_account = true;
    memset(f.account, 9, 32);
    assert_true(vm_evfilter_match(&f, &e));
    f.account[0] = 1;
    assert_false(vm_evfilter_match(&f, &e));
    f.has_account = false;

    /* All given fields must match at once. */
    f.has_program = f.has_session = true;
    memset(f.program, 7, 32);
    f.session = 3;
    assert_true(vm_evfilter_match(&f, &e));
    f.session = 2;
    assert_false(vm_evfilter_match(&f, &e));
}

static void test_filter_type_family(void **state)
{
    (void)state;
    vm_evfilter f = {.has_kind = true};
    vm_evrow mint = row(1, "token.mint", 0, 0, 0), tok = row(2, "tokens.x", 0, 0, 0),
             plain = row(3, "commit", 0, 0, 0), vs = row(4, "vsmn.mint", 0, 0, 0);
    strcpy(f.kind, "token");
    assert_true(vm_evfilter_match(&f, &mint));
    assert_false(vm_evfilter_match(&f, &tok)); /* a family ends at the dot */
    assert_false(vm_evfilter_match(&f, &vs));
    strcpy(f.kind, "token.mint");
    assert_true(vm_evfilter_match(&f, &mint));
    strcpy(f.kind, "token.min");
    assert_false(vm_evfilter_match(&f, &mint));
    strcpy(f.kind, "commit");
    assert_true(vm_evfilter_match(&f, &plain));
    strcpy(f.kind, "commits");
    assert_false(vm_evfilter_match(&f, &plain));
}

/* The cursor only moves forward: past filtered rows, to sent rows, never
 * back for a row at or below it. */
static void test_cursor(void **state)
{
    (void)state;
    vm_evfilter f = {.has_kind = true};
    strcpy(f.kind, "vsmn");
    vm_sub s;
    vm_sub_init(&s, &f, 10, 1000);
    vm_evrow old = row(10, "vsmn.mint", 0, 0, 0), other = row(11, "token.mint", 0, 0, 0),
             mine = row(12, "vsmn.mint", 0, 0, 0);
    assert_false(vm_sub_wants(&s, &old)); /* at the resume cursor: already had it */
    assert_int_equal(s.cursor, 10);
    assert_false(vm_sub_wants(&s, &other)); /* filtered: skipped past */
    assert_int_equal(s.cursor, 11);
    assert_true(vm_sub_wants(&s, &mine));
    assert_int_equal(s.cursor, 11); /* not sent yet */
    assert_int_equal(vm_sub_admit(&s, &mine, 0, 100), VM_SUB_SEND);
    assert_int_equal(s.cursor, 12);
    assert_false(vm_sub_wants(&s, &mine)); /* a duplicate is not sent twice */
    assert_false(vm_sub_wants(&s, &old));
    assert_int_equal(s.cursor, 12);
}

/* Backlog: a full buffer means wait (the same row again later); the
 * low-water mark decides when to read more; one row always goes out. */
static void test_backlog_buffer(void **state)
{
    (void)state;
    vm_sub s;
    vm_sub_init(&s, NULL, 0, 1000);
    assert_int_equal(s.phase, VM_SUB_BACKLOG);
    assert_true(vm_sub_wants_backlog(&s, 0));
    assert_true(vm_sub_wants_backlog(&s, 500));
    assert_false(vm_sub_wants_backlog(&s, 501));
    vm_evrow a = row(1, "x", 0, 0, 0), b = row(2, "x", 0, 0, 0);
    assert_true(vm_sub_wants(&s, &a));
    assert_int_equal(vm_sub_admit(&s, &a, 900, 101), VM_SUB_WAIT);
    assert_int_equal(s.cursor, 0);
    assert_int_equal(s.phase, VM_SUB_BACKLOG);
    assert_int_equal(vm_sub_admit(&s, &a, 900, 100), VM_SUB_SEND); /* exactly the bound */
    assert_int_equal(s.cursor, 1);
    /* A frame above the whole bound still goes when nothing is queued. */
    assert_int_equal(vm_sub_admit(&s, &b, 0, 5000), VM_SUB_SEND);
    assert_int_equal(s.cursor, 2);
    /* Done through head 7: live, cursor at head, only once. */
    assert_true(vm_sub_backlog_done(&s, 7));
    assert_int_equal(s.phase, VM_SUB_LIVE);
    assert_int_equal(s.cursor, 7);
    assert_false(vm_sub_backlog_done(&s, 9));
    assert_int_equal(s.cursor, 7);
    assert_false(vm_sub_wants_backlog(&s, 0));
}

/* Live: a full buffer is an overflow, after which nothing is wanted. */
static void test_live_overflow(void **state)
{
    (void)state;
    vm_sub s;
    vm_sub_init(&s, NULL, 5, 1000);
    assert_true(vm_sub_backlog_done(&s, 3)); /* resumed past the head: keeps its cursor */
    assert_int_equal(s.cursor, 5);
    vm_evrow a = row(6, "x", 0, 0, 0), b = row(7, "x", 0, 0, 0), c = row(8, "x", 0, 0, 0);
    assert_true(vm_sub_wants(&s, &a));
    assert_int_equal(vm_sub_admit(&s, &a, 0, 600), VM_SUB_SEND);
    assert_true(vm_sub_wants(&s, &b));
    assert_int_equal(vm_sub_admit(&s, &b, 600, 400), VM_SUB_SEND);
    assert_true(vm_sub_wants(&s, &c));
    assert_int_equal(vm_sub_admit(&s, &c, 1000, 1), VM_SUB_OVERFLOW);
    assert_int_equal(s.phase, VM_SUB_CLOSED);
    assert_int_equal(s.cursor, 7); /* the resume point: the last row sent */
    vm_evrow d = row(9, "x", 0, 0, 0);
    assert_false(vm_sub_wants(&s, &d));
    assert_int_equal(vm_sub_admit(&s, &d, 0, 1), VM_SUB_OVERFLOW);
    assert_int_equal(s.cursor, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_fields), cmocka_unit_test(test_filter_type_family),
        cmocka_unit_test(test_cursor),        cmocka_unit_test(test_backlog_buffer),
        cmocka_unit_test(test_live_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
