/* procs/elections/rep_keys.c: where a representative's voting keys come
 * from (key file, password file, systemd credential, the dev genesis key),
 * driven without sockets on real key files. */
#include <setjmp.h>
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
#include "common/keys.h"
#include "ipc/config.h"
#include "procs/elections/rep_keys.h"

typedef struct {
    char dir[64];
    ipc_config cfg;
    smn_keypair kp[2];
} fx;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/smn-repkeys-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    ipc_config_defaults(&f->cfg);
    snprintf(f->cfg.network, sizeof f->cfg.network, "test");
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", f->dir);
    uint8_t seed[32];
    memset(seed, 0x42, sizeof seed);
    smn_key_from_seed(seed, 0, &f->kp[0]);
    smn_key_from_seed(seed, 1, &f->kp[1]);
    unsetenv("CREDENTIALS_DIRECTORY");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    if (system(cmd) != 0)
        return -1;
    unsetenv("CREDENTIALS_DIRECTORY");
    free(f);
    return 0;
}

static void write_keys(fx *f, const char *password)
{
    char path[128];
    snprintf(path, sizeof path, "%s/representative.key", f->dir);
    assert_int_equal(smn_keyfile_write(path, f->kp, 2, password, smn_keyfile_kdf_min()),
                     SMN_KEYFILE_OK);
}

static size_t load(fx *f, smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS])
{
    return elections_rep_keys_load(&f->cfg, smn_network_by_name(f->cfg.network), keys);
}

static void assert_ours(const smn_keypair *keys, const fx *f)
{
    assert_memory_equal(keys[0].pub, f->kp[0].pub, 32);
    assert_memory_equal(keys[1].pub, f->kp[1].pub, 32);
    assert_memory_equal(keys[1].priv, f->kp[1].priv, sizeof f->kp[1].priv);
}

static void no_file_no_keys(void **state)
{
    fx *f = *state;
    smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS];
    assert_int_equal(load(f, keys), 0);
}

static void dev_votes_with_genesis(void **state)
{
    fx *f = *state;
    snprintf(f->cfg.network, sizeof f->cfg.network, "dev");
    smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS], g;
    assert_int_equal(load(f, keys), 1);
    smn_key_expand(smn_network_dev_genesis_key(), &g);
    assert_memory_equal(keys[0].pub, g.pub, 32);
    /* ... and with its key file too, genesis first. */
    write_keys(f, "");
    assert_int_equal(load(f, keys), 3);
    assert_memory_equal(keys[0].pub, g.pub, 32);
    assert_ours(keys + 1, f);
}

static void empty_password_by_default(void **state)
{
    fx *f = *state;
    smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS];
    write_keys(f, "");
    assert_int_equal(load(f, keys), 2);
    assert_ours(keys, f);
}

static void password_file(void **state)
{
    fx *f = *state;
    smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS];
    write_keys(f, "s3cret");
    assert_int_equal(load(f, keys), 0); /* locked: the empty password does not open it */
    snprintf(f->cfg.elections_rep_password_file, sizeof f->cfg.elections_rep_password_file, "%s/pw",
             f->dir);
    write_file(f->cfg.elections_rep_password_file, "s3cret\n");
    assert_int_equal(load(f, keys), 2);
    assert_ours(keys, f);
    write_file(f->cfg.elections_rep_password_file, "wrong\n");
    assert_int_equal(load(f, keys), 0);
    unlink(f->cfg.elections_rep_password_file); /* configured but missing: an error */
    assert_int_equal(load(f, keys), 0);
}

static void systemd_credential(void **state)
{
    fx *f = *state;
    smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS];
    write_keys(f, "from-systemd");
    char creds[128], pw[160];
    snprintf(creds, sizeof creds, "%s/creds", f->dir);
    assert_int_equal(mkdir(creds, 0700), 0);
    setenv("CREDENTIALS_DIRECTORY", creds, 1);
    assert_int_equal(load(f, keys), 0); /* no credential file: the empty password */
    snprintf(pw, sizeof pw, "%s/representative-password", creds);
    write_file(pw, "from-systemd");
    assert_int_equal(load(f, keys), 2);
    assert_ours(keys, f);
}

static void key_file_elsewhere(void **state)
{
    fx *f = *state;
    smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS];
    write_keys(f, "");
    char moved[128], from[128];
    snprintf(from, sizeof from, "%s/representative.key", f->dir);
    snprintf(moved, sizeof moved, "%s/other.key", f->dir);
    assert_int_equal(rename(from, moved), 0);
    assert_int_equal(load(f, keys), 0);
    snprintf(f->cfg.elections_rep_key, sizeof f->cfg.elections_rep_key, "%s", moved);
    assert_int_equal(load(f, keys), 2);
    assert_ours(keys, f);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(no_file_no_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(dev_votes_with_genesis, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_password_by_default, setup, teardown),
        cmocka_unit_test_setup_teardown(password_file, setup, teardown),
        cmocka_unit_test_setup_teardown(systemd_credential, setup, teardown),
        cmocka_unit_test_setup_teardown(key_file_elsewhere, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
