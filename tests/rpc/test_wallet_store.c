#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/network.h"
#include "procs/rpc/wallet_store.h"
#include "wallet_testutil.h"

static wallet_create_opts light(const char *password, const uint8_t *seed)
{
    wallet_create_opts o = {password, wallet_kdf_light(), seed, NULL};
    return o;
}

static int setup(void **state)
{
    *state = wt_tempdir();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    wt_rmdir(*state);
    return 0;
}

static void create_lock_unlock(void **state)
{
    wallet_store *ws;
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    wallet_create_opts o = light("correct horse", NULL);
    uint8_t id[32], pub[32];
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    assert_true(wallet_is_unlocked(ws, id));
    assert_int_equal(wallet_account_create(ws, id, pub), WALLET_OK);
    assert_int_equal(wallet_lock(ws, id), WALLET_OK);
    assert_false(wallet_is_unlocked(ws, id));
    uint8_t pub2[32];
    smn_keypair kp;
    assert_int_equal(wallet_account_create(ws, id, pub2), WALLET_ERR_LOCKED);
    assert_int_equal(wallet_keypair(ws, id, pub, &kp), WALLET_ERR_LOCKED);
    uint8_t seed[32];
    assert_int_equal(wallet_seed(ws, id, seed), WALLET_ERR_LOCKED);
    /* public data stays readable while locked */
    uint8_t(*pubs)[32];
    size_t n;
    assert_int_equal(wallet_accounts(ws, id, &pubs, &n), WALLET_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(pubs[0], pub, 32);
    free(pubs);
    assert_int_equal(wallet_unlock(ws, id, "correct horse "), WALLET_ERR_BAD_PASSWORD);
    assert_int_equal(wallet_unlock(ws, id, ""), WALLET_ERR_BAD_PASSWORD);
    assert_false(wallet_is_unlocked(ws, id));
    assert_int_equal(wallet_unlock(ws, id, "correct horse"), WALLET_OK);
    assert_int_equal(wallet_keypair(ws, id, pub, &kp), WALLET_OK);
    assert_memory_equal(kp.pub, pub, 32);
    smn_keypair_wipe(&kp);
    /* unknown wallet */
    uint8_t nope[32] = {1};
    assert_int_equal(wallet_unlock(ws, nope, "x"), WALLET_ERR_NOT_FOUND);
    assert_int_equal(wallet_lock(ws, nope), WALLET_ERR_NOT_FOUND);
    assert_int_equal(wallet_exists(ws, nope), WALLET_ERR_NOT_FOUND);
    assert_int_equal(wallet_exists(ws, id), WALLET_OK);
    wallet_store_close(ws);
}

static void derivation_matches_common(void **state)
{
    wallet_store *ws;
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    uint8_t seed[32];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)(i * 7 + 3);
    wallet_create_opts o = light("pw", seed);
    uint8_t id[32];
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    for (uint32_t i = 0; i < 4; i++) {
        uint8_t pub[32];
        smn_keypair want, got;
        assert_int_equal(wallet_account_create(ws, id, pub), WALLET_OK);
        smn_key_from_seed(seed, i, &want);
        assert_memory_equal(pub, want.pub, 32);
        assert_int_equal(wallet_keypair(ws, id, pub, &got), WALLET_OK);
        assert_memory_equal(got.priv, want.priv, 32);
        smn_keypair_wipe(&want);
        smn_keypair_wipe(&got);
    }
    uint8_t back[32];
    assert_int_equal(wallet_seed(ws, id, back), WALLET_OK);
    assert_memory_equal(back, seed, 32);
    wallet_store_close(ws);
}

static void adhoc_keys(void **state)
{
    wallet_store *ws;
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    uint8_t seed[32];
    memset(seed, 0x42, sizeof seed);
    wallet_create_opts o = light("", seed);
    uint8_t id[32], pub[32];
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    /* the dev demo wallet: the published genesis key, imported ad hoc */
    const uint8_t *gkey = smn_network_dev_genesis_key();
    assert_non_null(gkey);
    assert_int_equal(wallet_adhoc_insert(ws, id, gkey, pub), WALLET_OK);
    assert_memory_equal(pub, smn_network_get(SMN_NET_DEV)->genesis.account, 32);
    assert_int_equal(wallet_adhoc_insert(ws, id, gkey, NULL), WALLET_ERR_EXISTS);
    smn_keypair kp;
    assert_int_equal(wallet_keypair(ws, id, pub, &kp), WALLET_OK);
    assert_memory_equal(kp.priv, gkey, 32);
    smn_keypair_wipe(&kp);
    /* import the key that index 0 would derive: account_create skips it */
    smn_keypair k0, k1;
    smn_key_from_seed(seed, 0, &k0);
    smn_key_from_seed(seed, 1, &k1);
    assert_int_equal(wallet_adhoc_insert(ws, id, k0.priv, NULL), WALLET_OK);
    uint8_t next[32];
    assert_int_equal(wallet_account_create(ws, id, next), WALLET_OK);
    assert_memory_equal(next, k1.pub, 32);
    assert_int_equal(wallet_contains(ws, id, k0.pub), WALLET_OK);
    uint8_t stranger[32];
    memset(stranger, 9, sizeof stranger);
    assert_int_equal(wallet_contains(ws, id, stranger), WALLET_ERR_ACCOUNT_NOT_FOUND);
    assert_int_equal(wallet_keypair(ws, id, stranger, &kp), WALLET_ERR_ACCOUNT_NOT_FOUND);
    /* creation order: genesis, k0, k1 */
    uint8_t(*pubs)[32];
    size_t n;
    assert_int_equal(wallet_accounts(ws, id, &pubs, &n), WALLET_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(pubs[0], pub, 32);
    assert_memory_equal(pubs[1], k0.pub, 32);
    assert_memory_equal(pubs[2], k1.pub, 32);
    free(pubs);
    assert_int_equal(wallet_account_remove(ws, id, k0.pub), WALLET_OK);
    assert_int_equal(wallet_account_remove(ws, id, k0.pub), WALLET_ERR_ACCOUNT_NOT_FOUND);
    smn_keypair_wipe(&k0);
    smn_keypair_wipe(&k1);
    wallet_store_close(ws);
}

/* wallet_holders: every wallet holding an account, in creation order, and
 * none for a stranger; a removed account or destroyed wallet leaves it. */
static void holders_of_an_account(void **state)
{
    wallet_store *ws;
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    uint8_t seed1[32], seed2[32], id1[32], id2[32], id3[32];
    memset(seed1, 0x11, sizeof seed1);
    memset(seed2, 0x22, sizeof seed2);
    wallet_create_opts o1 = light("", seed1), o2 = light("", seed2);
    assert_int_equal(wallet_create(ws, &o1, id1), WALLET_OK);
    assert_int_equal(wallet_create(ws, &o2, id2), WALLET_OK);
    assert_int_equal(wallet_create(ws, &o2, id3), WALLET_OK);
    uint8_t a1[32], a2[32], stranger[32];
    assert_int_equal(wallet_account_create(ws, id1, a1), WALLET_OK);
    assert_int_equal(wallet_account_create(ws, id2, a2), WALLET_OK);
    smn_keypair k;
    smn_key_from_seed(seed1, 0, &k);
    assert_int_equal(wallet_adhoc_insert(ws, id3, k.priv, NULL), WALLET_OK); /* a1 again */
    smn_keypair_wipe(&k);
    memset(stranger, 9, sizeof stranger);
    uint8_t(*ids)[WALLET_ID_BYTES];
    size_t n;
    assert_int_equal(wallet_holders(ws, a1, &ids, &n), WALLET_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(ids[0], id1, 32);
    assert_memory_equal(ids[1], id3, 32);
    free(ids);
    assert_int_equal(wallet_holders(ws, a2, &ids, &n), WALLET_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(ids[0], id2, 32);
    free(ids);
    assert_int_equal(wallet_holders(ws, stranger, &ids, &n), WALLET_OK);
    assert_int_equal(n, 0);
    assert_null(ids);
    assert_int_equal(wallet_account_remove(ws, id1, a1), WALLET_OK);
    assert_int_equal(wallet_destroy(ws, id2), WALLET_OK);
    assert_int_equal(wallet_holders(ws, a1, &ids, &n), WALLET_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(ids[0], id3, 32);
    free(ids);
    assert_int_equal(wallet_holders(ws, a2, &ids, &n), WALLET_OK);
    assert_int_equal(n, 0);
    wallet_store_close(ws);
}

static void persists_across_reopen(void **state)
{
    wallet_store *ws;
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    wallet_create_opts o = light("pw1", NULL);
    uint8_t id[32], ids2[32], rep[32], a[3][32];
    memset(rep, 0x33, sizeof rep);
    o.representative = rep;
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(wallet_account_create(ws, id, a[i]), WALLET_OK);
    wallet_create_opts o2 = light(NULL, NULL); /* the dev demo wallet: empty password */
    assert_int_equal(wallet_create(ws, &o2, ids2), WALLET_OK);
    wallet_store_close(ws);

    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    uint8_t(*ids)[32];
    size_t n;
    assert_int_equal(wallet_list(ws, &ids, &n), WALLET_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(ids[0], id, 32); /* creation order */
    assert_memory_equal(ids[1], ids2, 32);
    free(ids);
    assert_false(wallet_is_unlocked(ws, id));
    uint8_t(*pubs)[32];
    assert_int_equal(wallet_accounts(ws, id, &pubs, &n), WALLET_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(pubs, a, sizeof a);
    free(pubs);
    uint8_t got[32];
    assert_int_equal(wallet_representative(ws, id, got), WALLET_OK);
    assert_memory_equal(got, rep, 32);
    /* the node unlocks password-less wallets at start */
    assert_int_equal(wallet_unlock_all(ws, ""), 1);
    assert_true(wallet_is_unlocked(ws, ids2));
    assert_false(wallet_is_unlocked(ws, id));
    assert_int_equal(wallet_unlock(ws, id, "pw1"), WALLET_OK);
    smn_keypair kp;
    assert_int_equal(wallet_keypair(ws, id, a[2], &kp), WALLET_OK);
    smn_keypair_wipe(&kp);
    /* the next index continues after the persisted ones */
    uint8_t a3[32];
    assert_int_equal(wallet_account_create(ws, id, a3), WALLET_OK);
    uint8_t seed[32];
    assert_int_equal(wallet_seed(ws, id, seed), WALLET_OK);
    smn_key_from_seed(seed, 3, &kp);
    assert_memory_equal(a3, kp.pub, 32);
    smn_keypair_wipe(&kp);
    uint8_t rep2[32];
    memset(rep2, 0x44, sizeof rep2);
    assert_int_equal(wallet_set_representative(ws, id, rep2), WALLET_OK);
    assert_int_equal(wallet_representative(ws, id, got), WALLET_OK);
    assert_memory_equal(got, rep2, 32);
    assert_int_equal(wallet_destroy(ws, ids2), WALLET_OK);
    assert_int_equal(wallet_destroy(ws, ids2), WALLET_ERR_NOT_FOUND);
    assert_false(wallet_is_unlocked(ws, ids2));
    assert_int_equal(wallet_list(ws, &ids, &n), WALLET_OK);
    assert_int_equal(n, 1);
    free(ids);
    wallet_store_close(ws);
}

static void change_password(void **state)
{
    wallet_store *ws;
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    wallet_create_opts o = light("old", NULL);
    uint8_t id[32], pub[32];
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    assert_int_equal(wallet_account_create(ws, id, pub), WALLET_OK);
    wallet_kdf k = wallet_kdf_light();
    assert_int_equal(wallet_lock(ws, id), WALLET_OK);
    assert_int_equal(wallet_change_password(ws, id, "new", &k), WALLET_ERR_LOCKED);
    assert_int_equal(wallet_unlock(ws, id, "old"), WALLET_OK);
    wallet_kdf bad = {0, 0};
    assert_int_equal(wallet_change_password(ws, id, "new", &bad), WALLET_ERR_BAD_KDF);
    assert_int_equal(wallet_change_password(ws, id, "new", &k), WALLET_OK);
    wallet_store_close(ws);
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    assert_int_equal(wallet_unlock(ws, id, "old"), WALLET_ERR_BAD_PASSWORD);
    assert_int_equal(wallet_unlock(ws, id, "new"), WALLET_OK);
    smn_keypair kp;
    assert_int_equal(wallet_keypair(ws, id, pub, &kp), WALLET_OK); /* same master key */
    smn_keypair_wipe(&kp);
    wallet_store_close(ws);
}

/* Neither the seed nor an ad-hoc key may appear in the database file. */
static void encrypted_at_rest(void **state)
{
    wallet_store *ws;
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    uint8_t seed[32], priv[32], id[32];
    memset(seed, 0xA5, sizeof seed);
    memset(priv, 0x5A, sizeof priv);
    wallet_create_opts o = light("", seed);
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    assert_int_equal(wallet_adhoc_insert(ws, id, priv, NULL), WALLET_OK);
    wallet_store_close(ws); /* checkpoints the WAL into the file */
    char path[600];
    snprintf(path, sizeof path, "%s/wallets.db", (char *)*state);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(len > 0);
    for (size_t i = 0; i + 32 <= len; i++) {
        assert_false(memcmp(buf + i, seed, 32) == 0);
        assert_false(memcmp(buf + i, priv, 32) == 0);
    }
}

static void readonly_and_bad_files(void **state)
{
    wallet_store *ws;
    assert_int_equal(wallet_store_open(*state, true, &ws), WALLET_ERR_NOT_FOUND);
    assert_null(ws);
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    wallet_create_opts o = light("", NULL);
    uint8_t id[32];
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    wallet_create_opts bad = light("", NULL);
    bad.kdf.memlimit = 1; /* below libsodium's minimum */
    assert_int_equal(wallet_create(ws, &bad, id), WALLET_ERR_BAD_KDF);
    wallet_store_close(ws);

    assert_int_equal(wallet_store_open(*state, true, &ws), WALLET_OK);
    uint8_t(*ids)[32];
    size_t n;
    assert_int_equal(wallet_list(ws, &ids, &n), WALLET_OK);
    assert_int_equal(n, 1);
    assert_int_equal(wallet_create(ws, &o, ids[0]), WALLET_ERR_READONLY);
    assert_int_equal(wallet_unlock(ws, ids[0], ""), WALLET_OK);
    uint8_t pub[32];
    assert_int_equal(wallet_account_create(ws, ids[0], pub), WALLET_ERR_READONLY);
    wallet_store_close(ws);

    /* limits tampered in the file are refused before Argon2 runs */
    char path[600];
    snprintf(path, sizeof path, "%s/wallets.db", (char *)*state);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE wallets SET kdf_mem = 1099511627776", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    assert_int_equal(wallet_unlock(ws, ids[0], ""), WALLET_ERR_BAD_KDF);
    assert_int_equal(wallet_exists(ws, ids[0]), WALLET_ERR_CORRUPT);
    wallet_store_close(ws);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE wallets SET kdf_mem = 8192, seed_box = x'00'", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    assert_int_equal(wallet_unlock(ws, ids[0], ""), WALLET_ERR_CORRUPT);
    wallet_store_close(ws);
    free(ids);

    /* not a database at all */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 4096; i++)
        fputc(i * 31, f);
    fclose(f);
    char wal[620];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    wallet_status st = wallet_store_open(*state, false, &ws);
    assert_true(st == WALLET_ERR_DB || st == WALLET_ERR_CORRUPT);
    assert_null(ws);
    assert_non_null(wallet_strerror(st));
}

/* The real limits once, to show the default is usable (about 0.1-0.5 s). */
static void interactive_kdf_roundtrip(void **state)
{
    wallet_store *ws;
    assert_int_equal(wallet_store_open(*state, false, &ws), WALLET_OK);
    wallet_create_opts o = {"", wallet_kdf_interactive(), NULL, NULL};
    uint8_t id[32];
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    assert_int_equal(wallet_lock(ws, id), WALLET_OK);
    assert_int_equal(wallet_unlock(ws, id, ""), WALLET_OK);
    wallet_store_close(ws);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_lock_unlock, setup, teardown),
        cmocka_unit_test_setup_teardown(derivation_matches_common, setup, teardown),
        cmocka_unit_test_setup_teardown(adhoc_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(holders_of_an_account, setup, teardown),
        cmocka_unit_test_setup_teardown(persists_across_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(change_password, setup, teardown),
        cmocka_unit_test_setup_teardown(encrypted_at_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(readonly_and_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(interactive_kdf_roundtrip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
