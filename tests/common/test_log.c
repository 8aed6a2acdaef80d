/* common/log.c: line format, one line per call, truncation, and the rate
 * limit (per call site, per process, bounded table, threads) on a fake clock. */
#include <pthread.h>
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

static uint64_t fake_now;
static uint64_t fake_clock(void)
{
    return fake_now;
}

static void tick(int i)
{
    smn_warn("tick %d", i);
}

static void emit_burst(void)
{
    smn_log_set_clock(fake_clock);
    fake_now = 5000;
    smn_log_init("net", SMN_LOG_INFO);
    for (int i = 0; i < 100; i++)
        tick(i);
    fake_now += 999; /* still the same second */
    tick(100);
    fake_now += 1; /* a new second: the count comes first */
    tick(101);
    smn_log_set_clock(NULL);
}

static void test_rate_limit(void **state)
{
    (void)state;
    static char out[8192];
    capture(emit_burst, out, sizeof out);
    char want[8192];
    size_t off = 0;
    for (int i = 0; i < SMN_LOG_BURST; i++)
        off += (size_t)snprintf(want + off, sizeof want - off, "warn net: tick %d\n", i);
    snprintf(want + off, sizeof want - off,
             "warn net: ... suppressed %d similar messages (last shown: \"tick %d\")\n"
             "warn net: tick 101\n",
             101 - SMN_LOG_BURST, SMN_LOG_BURST - 1);
    assert_string_equal(out, want);
}

static void other(int i)
{
    smn_info("other %d", i);
}

static void emit_two_sites(void)
{
    smn_log_set_clock(fake_clock);
    fake_now = 1;
    smn_log_init("rpc", SMN_LOG_INFO);
    for (int i = 0; i < 30; i++) {
        tick(i);
        other(i);
    }
    /* Nothing more from tick: the next line of any kind after the second
     * reports what tick dropped. */
    for (int i = 30; i < 40; i++)
        other(i);
    fake_now += 1500;
    smn_error("later");
    smn_log_set_clock(NULL);
}

static int count_lines(const char *out, const char *prefix)
{
    int n = 0;
    for (const char *p = out; *p;) {
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            n++;
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

static void test_sites_independent(void **state)
{
    (void)state;
    static char out[8192];
    capture(emit_two_sites, out, sizeof out);
    assert_int_equal(count_lines(out, "warn rpc: tick "), SMN_LOG_BURST);
    assert_int_equal(count_lines(out, "info rpc: other "), SMN_LOG_BURST);
    assert_non_null(strstr(out, "warn rpc: ... suppressed 10 similar messages (last shown: "
                                "\"tick 19\")\n"));
    assert_non_null(strstr(out, "info rpc: ... suppressed 20 similar messages (last shown: "
                                "\"other 19\")\n"));
    /* Both reports come before the line that triggered them. */
    const char *later = strstr(out, "error rpc: later\n");
    assert_non_null(later);
    assert_true(strstr(out, "... suppressed 10") < later);
    assert_true(strstr(out, "... suppressed 20") < later);
    assert_string_equal(later, "error rpc: later\n");
}

static void emit_text(void)
{
    smn_log_set_clock(fake_clock);
    fake_now = 77;
    smn_log_init("vm", SMN_LOG_DEBUG);
    for (int i = 0; i < 50; i++)
        smn_log_text(SMN_LOG_ERROR, "epoll_wait: Bad file descriptor");
    smn_log_text(SMN_LOG_WARN, "another text");
    smn_log_flush();
    smn_log_set_clock(NULL);
}

static void test_text_keyed(void **state)
{
    (void)state;
    static char out[8192];
    capture(emit_text, out, sizeof out);
    assert_int_equal(count_lines(out, "error vm: epoll_wait: Bad file descriptor\n"),
                     SMN_LOG_BURST);
    assert_int_equal(count_lines(out, "warn vm: another text\n"), 1);
    assert_non_null(strstr(out, "error vm: ... suppressed 30 similar messages"));
}

static void emit_many_sites(void)
{
    smn_log_set_clock(fake_clock);
    fake_now = 10;
    smn_log_init("ledger", SMN_LOG_INFO);
    char msg[32];
    /* More distinct texts than the table has slots, and more lines than the
     * process may write in a second. */
    for (int i = 0; i < SMN_LOG_MAX_PER_S + 100; i++) {
        snprintf(msg, sizeof msg, "distinct %d", i);
        smn_log_text(SMN_LOG_INFO, msg);
    }
    fake_now += 1000;
    smn_info("after");
    smn_log_set_clock(NULL);
}

static void test_process_cap_and_table(void **state)
{
    (void)state;
    static char out[65536];
    capture(emit_many_sites, out, sizeof out);
    assert_int_equal(count_lines(out, "info ledger: distinct "), SMN_LOG_MAX_PER_S);
    char want[128];
    snprintf(want, sizeof want,
             "warn ledger: ... suppressed 100 messages (more than %d lines a second)\n"
             "info ledger: after\n",
             SMN_LOG_MAX_PER_S);
    const char *tail = strstr(out, "warn ledger: ... suppressed 100");
    assert_non_null(tail);
    assert_string_equal(tail, want);
}

#define NTHREADS 4
#define PER_THREAD 2000

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < PER_THREAD; i++)
        smn_warn("from a thread %d", i);
    return NULL;
}

static void emit_threads(void)
{
    smn_log_set_clock(fake_clock);
    fake_now = 3;
    smn_log_init("rpc", SMN_LOG_INFO);
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    smn_log_flush();
    smn_log_set_clock(NULL);
}

static void test_threads(void **state)
{
    (void)state;
    static char out[8192];
    capture(emit_threads, out, sizeof out);
    assert_int_equal(count_lines(out, "warn rpc: from a thread "), SMN_LOG_BURST);
    char want[96];
    snprintf(want, sizeof want, "warn rpc: ... suppressed %d similar messages",
             NTHREADS * PER_THREAD - SMN_LOG_BURST);
    assert_non_null(strstr(out, want));
    assert_int_equal(count_lines(out, "warn rpc: "), SMN_LOG_BURST + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_level),
        cmocka_unit_test(test_one_line),
        cmocka_unit_test(test_truncates),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_sites_independent),
        cmocka_unit_test(test_text_keyed),
        cmocka_unit_test(test_process_cap_and_table),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
