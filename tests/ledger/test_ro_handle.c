/* ipc/ledgerdb/ro_handle.h: the lazily opened, self-reopening read-only
 * ledger.db every reader process uses. Exact open/retry/reopen timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/ledgerdb/ro_handle.h"
#include "tests/ledger/helpers.h"

static void test_path_from_data_dir(void **state)
{
    (void)state;
    ledger_ro_handle h;
    ledger_ro_handle_opts o = {.data_dir = "/some/dir", .net = tl_dev()};
    assert_int_equal(ledger_ro_handle_init(&h, &o), LEDGER_STATUS_OK);
    assert_string_equal(ledger_ro_handle_path(&h), "/some/dir/ledger.db");
    ledger_ro_handle_opts p = {.path = "/x/other.db", .data_dir = "/some/dir"};
    assert_int_equal(ledger_ro_handle_init(&h, &p), LEDGER_STATUS_OK);
    assert_string_equal(ledger_ro_handle_path(&h), "/x/other.db");
    ledger_ro_handle_opts none = {.net = tl_dev()};
    assert_int_equal(ledger_ro_handle_init(&h, &none), LEDGER_STATUS_INVALID);
    char longdir[5000];
    memset(longdir, 'a', sizeof longdir - 1);
    longdir[sizeof longdir - 1] = '\0';
    ledger_ro_handle_opts lg = {.data_dir = longdir};
    assert_int_equal(ledger_ro_handle_init(&h, &lg), LEDGER_STATUS_INVALID);
}

static void test_retry_after_failed_open(void **state)
{
    (void)state;
    char dir[256];
    tl_tmpdir(dir);
    ledger_ro_handle h;
    ledger_ro_handle_opts o = {.data_dir = dir, .net = tl_dev(), .retry_ms = 2000, .who = "t"};
    assert_int_equal(ledger_ro_handle_init(&h, &o), LEDGER_STATUS_OK);
    /* No ledger.db yet: NULL with a reason. */
    assert_null(ledger_ro_handle_get(&h, 1000));
    assert_true(ledger_ro_handle_error(&h)[0] != '\0');
    /* The writer creates it; the handle waits out retry_ms first. */
    ledger_store *w = tl_open(dir, NULL);
    assert_null(ledger_ro_handle_get(&h, 2999));
    ledger_ro *r = ledger_ro_handle_get(&h, 3000);
    assert_non_null(r);
    assert_string_equal(ledger_ro_handle_error(&h), "");
    assert_ptr_equal(ledger_ro_handle_get(&h, 3001), r); /* kept open */
    ledger_counts c;
    assert_int_equal(ledger_ro_counts(r, &c), LEDGER_STATUS_OK);
    assert_int_equal(c.blocks, 1); /* genesis */
    ledger_ro_handle_close(&h);
    ledger_store_close(w);
    tl_cleanup(dir);
}

static void test_failed_read_reopens_at_once(void **state)
{
    (void)state;
    char dir[256];
    tl_tmpdir(dir);
    ledger_store *w = tl_open(dir, NULL);
    ledger_ro_handle h;
    ledger_ro_handle_opts o = {.data_dir = dir, .net = tl_dev(), .retry_ms = 60000};
    assert_int_equal(ledger_ro_handle_init(&h, &o), LEDGER_STATUS_OK);
    assert_non_null(ledger_ro_handle_get(&h, 5));
    ledger_ro_handle_failed(&h, LEDGER_STATUS_IO);
    assert_string_equal(ledger_ro_handle_error(&h), "database error");
    /* retry_ms is for failed opens; after a failed read the next get reopens. */
    ledger_ro *r = ledger_ro_handle_get(&h, 6);
    assert_non_null(r);
    ledger_counts c;
    assert_int_equal(ledger_ro_counts(r, &c), LEDGER_STATUS_OK);
    ledger_ro_handle_close(&h);
    /* Usable again after close. */
    assert_non_null(ledger_ro_handle_get(&h, 7));
    ledger_ro_handle_close(&h);
    ledger_store_close(w);
    tl_cleanup(dir);
}

static void test_refuses_other_network(void **state)
{
    (void)state;
    char dir[256];
    tl_tmpdir(dir);
    ledger_store *w = tl_open(dir, NULL); /* dev */
    ledger_ro_handle h;
    ledger_ro_handle_opts o = {.data_dir = dir, .net = smn_network_get(SMN_NET_TEST)};
    assert_int_equal(ledger_ro_handle_init(&h, &o), LEDGER_STATUS_OK);
    assert_null(ledger_ro_handle_get(&h, 0));
    assert_non_null(strstr(ledger_ro_handle_error(&h), "network"));
    ledger_ro_handle_close(&h);
    ledger_store_close(w);
    tl_cleanup(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_from_data_dir),
        cmocka_unit_test(test_retry_after_failed_open),
        cmocka_unit_test(test_failed_read_reopens_at_once),
        cmocka_unit_test(test_refuses_other_network),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
