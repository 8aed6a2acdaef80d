#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/argv_split.h"

static char buf[256];
static char *argv[SMN_ARGV_SPLIT_MAX + 1];

static int split(const char *s)
{
    return smn_argv_split(s, buf, sizeof buf, argv, SMN_ARGV_SPLIT_MAX);
}

static void test_words(void **state)
{
    (void)state;
    assert_int_equal(split("qemu-arm -L /root/.cache/sysroot"), 3);
    assert_string_equal(argv[0], "qemu-arm");
    assert_string_equal(argv[1], "-L");
    assert_string_equal(argv[2], "/root/.cache/sysroot");
    assert_null(argv[3]);
    assert_int_equal(split("  \tvalgrind\t --tool=memcheck  "), 2);
    assert_string_equal(argv[0], "valgrind");
    assert_string_equal(argv[1], "--tool=memcheck");
    assert_null(argv[2]);
}

static void test_blank(void **state)
{
    (void)state;
    argv[0] = buf;
    assert_int_equal(split(""), 0);
    assert_null(argv[0]);
    assert_int_equal(split(" \t "), 0);
    assert_null(argv[0]);
}

static void test_quotes(void **state)
{
    (void)state;
    /* literal inside quotes: no escapes, no expansion, the other quote kept */
    assert_int_equal(split("strace -o '/tmp/a b/$HOME' \"it's\" a'b c'd"), 5);
    assert_string_equal(argv[0], "strace");
    assert_string_equal(argv[1], "-o");
    assert_string_equal(argv[2], "/tmp/a b/$HOME");
    assert_string_equal(argv[3], "it's");
    assert_string_equal(argv[4], "ab cd");
    assert_int_equal(split("x a''"), 2); /* an empty quote inside a word */
    assert_string_equal(argv[1], "a");
    assert_int_equal(split("a \\b"), 2); /* a backslash is an ordinary byte */
    assert_string_equal(argv[1], "\\b");
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(split("env 'x"), SMN_ARGV_SPLIT_QUOTE);
    assert_int_equal(split("env \"x y"), SMN_ARGV_SPLIT_QUOTE);
    assert_int_equal(split("env\nx"), SMN_ARGV_SPLIT_CONTROL);
    assert_int_equal(split("env 'a\rb'"), SMN_ARGV_SPLIT_CONTROL);
    assert_int_equal(split("env ''"), SMN_ARGV_SPLIT_EMPTY_WORD);
    assert_int_equal(split("\"\" env"), SMN_ARGV_SPLIT_EMPTY_WORD);
    assert_int_equal(split("a b c d e f g h i j k l m n o p"), 16);
    assert_int_equal(split("a b c d e f g h i j k l m n o p q"), SMN_ARGV_SPLIT_TOO_MANY);
    char small[8];
    assert_int_equal(smn_argv_split("abc def", small, sizeof small, argv, 4), 2);
    assert_int_equal(smn_argv_split("abc defg", small, sizeof small, argv, 4),
                     SMN_ARGV_SPLIT_TOO_LONG);
    assert_int_equal(smn_argv_split("abc 'defg'", small, sizeof small, argv, 4),
                     SMN_ARGV_SPLIT_TOO_LONG);
    assert_string_equal(smn_argv_split_strerror(SMN_ARGV_SPLIT_QUOTE), "a quote is not closed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_blank),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
