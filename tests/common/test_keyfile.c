/* Representative key files: round trip, wrong password, permissions,
 * damage, hostile limits, password files. */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/keyfile.h"

static char dir[64], path[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/smn-keyfile-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/representative.key", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[160];
    unlink(path);
    snprintf(p, sizeof p, "%s/pw", dir);
    unlink(p);
    rmdir(dir);
    return 0;
}

static void two_keys(smn_keypair k[2])
{
    uint8_t seed[32];
    memset(seed, 0x33, 32);
    smn_key_from_seed(seed, 0, &k[0]);
    smn_key_from_seed(seed, 1, &k[1]);
}

static void round_trip(void **state)
{
    (void)state;
    smn_keypair k[2], got[SMN_KEYFILE_MAX_KEYS];
    two_keys(k);
    assert_int_equal(smn_keyfile_write(path, k, 2, "secret", smn_keyfile_kdf_min()),
                     SMN_KEYFILE_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    size_t n = 99;
    assert_int_equal(smn_keyfile_read(path, "secret", got, &n), SMN_KEYFILE_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(got[0].priv, k[0].priv, 32);
    assert_memory_equal(got[1].pub, k[1].pub, 32);
    assert_int_equal(smn_keyfile_read(path, "Secret", got, &n), SMN_KEYFILE_WRONG_PASSWORD);
    assert_int_equal(n, 0);
    assert_int_equal(smn_keyfile_read(path, "", got, &n), SMN_KEYFILE_WRONG_PASSWORD);
    /* the empty password is a password like any other */
    assert_int_equal(smn_keyfile_write(path, k, 1, "", smn_keyfile_kdf_min()), SMN_KEYFILE_OK);
    assert_int_equal(smn_keyfile_read(path, "", got, &n), SMN_KEYFILE_OK);
    assert_int_equal(n, 1);
}

static void refusals(void **state)
{
    (void)state;
    smn_keypair k[2], got[SMN_KEYFILE_MAX_KEYS];
    two_keys(k);
    size_t n;
    assert_int_equal(smn_keyfile_read(path, "x", got, &n), SMN_KEYFILE_NOT_FOUND);
    assert_int_equal(smn_keyfile_write(path, k, 0, "x", smn_keyfile_kdf_min()),
                     SMN_KEYFILE_INVALID);
    smn_keyfile_kdf weak = {0, 8};
    assert_int_equal(smn_keyfile_write(path, k, 1, "x", weak), SMN_KEYFILE_INVALID);
    assert_int_equal(smn_keyfile_write(path, k, 2, "x", smn_keyfile_kdf_min()), SMN_KEYFILE_OK);
    /* readable by others: refused before anything is derived */
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(smn_keyfile_read(path, "x", got, &n), SMN_KEYFILE_PERMISSIONS);
    assert_int_equal(chmod(path, 0600), 0);
    /* damage: a flipped ciphertext byte fails authentication; a truncated
     * file or hostile limits are malformed */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    uint8_t buf[512];
    size_t len = fread(buf, 1, sizeof buf, f);
    buf[len - 1] ^= 1;
    rewind(f);
    fwrite(buf, 1, len, f);
    fclose(f);
    assert_int_equal(smn_keyfile_read(path, "x", got, &n), SMN_KEYFILE_WRONG_PASSWORD);
    assert_int_equal(truncate(path, (off_t)len - 1), 0);
    assert_int_equal(smn_keyfile_read(path, "x", got, &n), SMN_KEYFILE_MALFORMED);
    buf[len - 1] ^= 1;
    buf[8] = 0xFF; /* opslimit in the billions */
    f = fopen(path, "wb");
    fwrite(buf, 1, len, f);
    fclose(f);
    assert_int_equal(smn_keyfile_read(path, "x", got, &n), SMN_KEYFILE_MALFORMED);
    memcpy(buf, "NOTAKEY!", 8);
    f = fopen(path, "wb");
    fwrite(buf, 1, len, f);
    fclose(f);
    assert_int_equal(smn_keyfile_read(path, "x", got, &n), SMN_KEYFILE_MALFORMED);
}

static void password_files(void **state)
{
    (void)state;
    char p[160], out[16];
    snprintf(p, sizeof p, "%s/pw", dir);
    FILE *f = fopen(p, "w");
    fputs("hunter2\nsecond line\n", f);
    fclose(f);
    assert_int_equal(smn_keyfile_read_password(p, out, sizeof out), 0);
    assert_string_equal(out, "hunter2");
    f = fopen(p, "w");
    fclose(f);
    assert_int_equal(smn_keyfile_read_password(p, out, sizeof out), 0);
    assert_string_equal(out, "");
    f = fopen(p, "w");
    fputs("0123456789abcdefXYZ", f);
    fclose(f);
    assert_int_equal(smn_keyfile_read_password(p, out, sizeof out), -EFBIG);
    unlink(p);
    assert_true(smn_keyfile_read_password(p, out, sizeof out) < 0);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(password_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
