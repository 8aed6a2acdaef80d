#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"

/* Runs fn with stderr redirected to a temporary file; returns what it wrote. */
static void capture(void (*fn)(void), char *out, size_t outlen)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(fileno(stderr));
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), fileno(stderr)) >= 0);
    fn();
    fflush(stderr);
    assert_true(dup2(saved, fileno(stderr)) >= 0);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, outlen - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
}

static void emit_levels(void)
{
    smn_log_init("ledger", SMN_LOG_INFO);
    smn_debug("hidden %d", 1);
    smn_info("block %s processed", "ABC");
    smn_warn("slow: %d ms", 12);
    smn_error("disk full");
}

static void test_format_and_level(void **state)
{
    (void)state;
    char out[512];
    capture(emit_levels, out, sizeof out);
    assert_string_equal(out, "info ledger: block ABC processed\n"
                             "warn ledger: slow: 12 ms\n"
                             "error ledger: disk full\n");
}

static void emit_newline(void)
{
    smn_log_init("rpc", SMN_LOG_DEBUG);
    smn_debug("a\nerror forged: b");
}

static void test_one_line(void **state)
{
    (void)state;
    char out[256];
    capture(emit_newline, out, sizeof out);
    assert_string_equal(out, "debug rpc: a error forged: b\n");
}

static void emit_long(void)
{
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    smn_log_init("net", SMN_LOG_DEBUG);
    smn_info("%s", big);
}

static void test_truncates(void **state)
{
    (void)state;
    char out[4096];
    capture(emit_long, out, sizeof out);
    size_t n = strlen(out);
    assert_true(n <= 1024);
    assert_int_equal(out[n - 1], '\n');
    assert_memory_equal(out, "info net: xxx", 13);
    assert_ptr_equal(strchr(out, '\n'), out + n - 1); /* exactly one newline */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_level),
        cmocka_unit_test(test_one_line),
        cmocka_unit_test(test_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
