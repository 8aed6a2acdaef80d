/* The bootstrap cursor file: round trip, absent file, malformed files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "procs/bootstrap/state.h"

static char dir[64];

static int setup(void **st)
{
    (void)st;
    strcpy(dir, "/tmp/smn-bootstate-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, BOOTSTRAP_STATE_FILENAME);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s", dir, BOOTSTRAP_STATE_DIR);
    rmdir(path); /* made by the first save */
    return rmdir(dir);
}

static void write_file(const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, BOOTSTRAP_STATE_DIR);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/%s", dir, BOOTSTRAP_STATE_FILENAME);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_absent_is_zero(void **st)
{
    (void)st;
    uint8_t c[32];
    memset(c, 0xAA, sizeof c);
    assert_int_equal(bootstrap_state_load(dir, c), 0);
    uint8_t zero[32] = {0};
    assert_memory_equal(c, zero, 32);
}

static void test_round_trip(void **st)
{
    (void)st;
    uint8_t c[32], back[32];
    for (int i = 0; i < 32; i++)
        c[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(bootstrap_state_save(dir, c), 0);
    assert_int_equal(bootstrap_state_load(dir, back), 0);
    assert_memory_equal(c, back, 32);
    /* Overwrite: the newest cursor wins. */
    c[0] ^= 0xFF;
    assert_int_equal(bootstrap_state_save(dir, c), 0);
    assert_int_equal(bootstrap_state_load(dir, back), 0);
    assert_memory_equal(c, back, 32);
}

static void test_malformed(void **st)
{
    (void)st;
    const char *bad[] = {
        "",
        "zz\n",
        "0123\n",
        "000000000000000000000000000000000000000000000000000000000000000G\n",
        "00000000000000000000000000000000000000000000000000000000000000000\n",
    };
    uint8_t zero[32] = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t c[32];
        memset(c, 0x55, sizeof c);
        write_file(bad[i]);
        assert_int_equal(bootstrap_state_load(dir, c), -EINVAL);
        assert_memory_equal(c, zero, 32);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_absent_is_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
