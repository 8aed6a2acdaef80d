/* Argon2id off the loop: the KDF pool on its own (keys come back on the
 * loop, never inside submit; the bound; abandon), and the wallet actions
 * through it (password_enter, wallet_create, password_change answer only
 * after the loop ran the pool's answer, the store changes then, other
 * requests are answered meanwhile, a full pool answers busy, a context
 * freed mid-derivation answers "Shutting down"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "common/hex.h"
#include "procs/rpc/kdf_pool.h"
#include "tests/rpc/test_rpc_fixture.h"

/* Slow enough that every check below runs while it derives (tens of ms),
 * cheap enough for a unit test. */
static wallet_kdf kdf_slow(void)
{
    wallet_kdf k = {3, 32u << 20};
    return k;
}

typedef struct {
    int calls;
    int status;
    uint8_t key[WALLET_KEY_BYTES];
} kresult;

static void on_key(void *user, int status, const uint8_t key[WALLET_KEY_BYTES])
{
    kresult *r = user;
    r->calls++;
    r->status = status;
    if (status == 0)
        memcpy(r->key, key, WALLET_KEY_BYTES);
}

static void loop_until(struct event_base *base, const int *calls, int n)
{
    while (*calls < n)
        assert_true(event_base_loop(base, EVLOOP_ONCE) >= 0);
}

static void test_pool_derives_on_loop(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    struct event_base *base = event_base_new();
    assert_non_null(base);
    rpc_kdf_pool_opts o = {.threads = 1, .queue_max = 2};
    rpc_kdf_pool *p = rpc_kdf_pool_new(base, &o);
    assert_non_null(p);
    uint8_t salt[WALLET_SALT_BYTES] = {1, 2, 3};
    wallet_kdf k = kdf_slow(), light = wallet_kdf_light();
    kresult a = {0}, b = {0}, c = {0};
    rpc_kdf_job *ja = NULL, *jb = NULL, *jc = NULL;
    assert_int_equal(rpc_kdf_pool_submit(p, "pw", salt, &k, on_key, &a, &ja), 0);
    assert_int_equal(rpc_kdf_pool_submit(p, "pw", salt, &light, on_key, &b, &jb), 0);
    assert_int_equal(a.calls + b.calls, 0); /* never inside submit */
    assert_int_equal(rpc_kdf_pool_jobs(p), 2);
    /* the bound: a third is refused at once */
    assert_int_equal(rpc_kdf_pool_submit(p, "pw", salt, &light, on_key, &c, &jc), -EBUSY);
    assert_null(jc);
    /* bad input */
    wallet_kdf bad = {0, 0};
    assert_int_equal(rpc_kdf_pool_submit(p, "pw", salt, &bad, on_key, &c, NULL), -EINVAL);
    char *huge = malloc(RPC_KDF_PASSWORD_MAX + 2);
    assert_non_null(huge);
    memset(huge, 'x', RPC_KDF_PASSWORD_MAX + 1);
    huge[RPC_KDF_PASSWORD_MAX + 1] = '\0';
    assert_int_equal(rpc_kdf_pool_submit(p, huge, salt, &light, on_key, &c, NULL), -EINVAL);
    free(huge);
    /* b is queued behind a (one thread): abandoned, it never answers */
    rpc_kdf_pool_abandon(p, jb);
    loop_until(base, &a.calls, 1);
    assert_int_equal(a.status, 0);
    uint8_t want[WALLET_KEY_BYTES];
    assert_int_equal(wallet_crypto_derive("pw", salt, &k, want), 0);
    assert_memory_equal(a.key, want, WALLET_KEY_BYTES);
    /* drain the pipe: b's slot comes back without a callback */
    for (int i = 0; i < 20 && rpc_kdf_pool_jobs(p) > 0; i++)
        event_base_loop(base, EVLOOP_NONBLOCK);
    assert_int_equal(b.calls, 0);
    assert_int_equal(rpc_kdf_pool_jobs(p), 0);
    assert_int_equal(rpc_kdf_pool_submit(p, "pw", salt, &light, on_key, &c, NULL), 0);
    loop_until(base, &c.calls, 1);
    assert_int_equal(c.status, 0);
    /* freeing with a running job waits for it, and calls nobody */
    kresult d = {0};
    rpc_kdf_job *jd;
    assert_int_equal(rpc_kdf_pool_submit(p, "pw", salt, &k, on_key, &d, &jd), 0);
    rpc_kdf_pool_abandon(p, jd);
    rpc_kdf_pool_free(p);
    assert_int_equal(d.calls, 0);
    event_base_free(base);
}

/* ---- through the rpc context ---- */

typedef struct {
    int calls;
    int status;
    char *text;
} answer;

static void on_answer(void *arg, int status, char *text)
{
    answer *a = arg;
    a->calls++;
    a->status = status;
    a->text = text;
}

static void post(rpcf *f, answer *a, const char *fmt, const char *wid, const char *pw)
{
    char body[512];
    snprintf(body, sizeof body, fmt, wid, pw);
    assert_int_equal(rpc_handle_async(f->ctx, body, strlen(body), on_answer, a), 0);
}

static void expect_answer(answer *a, int status, const char *text)
{
    assert_int_equal(a->calls, 1);
    assert_int_equal(a->status, status);
    assert_string_equal(a->text, text);
    free(a->text);
    a->text = NULL;
}

static int setup(void **state)
{
    rpcf *f = calloc(1, sizeof *f);
    assert_non_null(f);
    rpcf_setup(f, true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    rpcf_teardown(*state);
    free(*state);
    return 0;
}

/* A wallet with password `pw` and kdf_slow(), locked in the context's store. */
static void locked_wallet(rpcf *f, const char *pw, uint8_t id[WALLET_ID_BYTES], char hex[65])
{
    wallet_store *ws = rpc_ctx_wallets(f->ctx);
    assert_non_null(ws);
    wallet_create_opts o = {.password = pw, .kdf = kdf_slow()};
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    assert_int_equal(wallet_lock(ws, id), WALLET_OK);
    smn_hex_encode(id, WALLET_ID_BYTES, hex);
}

static const char enter_fmt[] =
    "{\"action\":\"password_enter\",\"wallet\":\"%s\",\"password\":\"%s\"}";

static void test_password_enter_async(void **state)
{
    rpcf *f = *state;
    uint8_t id[WALLET_ID_BYTES];
    char hex[65];
    locked_wallet(f, "secret", id, hex);
    wallet_store *ws = rpc_ctx_wallets(f->ctx);

    answer good = {0}, bad = {0}, other = {0};
    post(f, &good, enter_fmt, hex, "secret");
    post(f, &bad, enter_fmt, hex, "wrong");
    /* Both derive in the pool: nothing answered, nothing unlocked yet. */
    assert_int_equal(good.calls + bad.calls, 0);
    assert_false(wallet_is_unlocked(ws, id));
    assert_int_equal(rpc_kdf_pool_jobs(f->kdf), 2);
    /* Other requests are answered meanwhile, synchronously. */
    post(f, &other, "{\"action\":\"version\"%s%s}", "", "");
    assert_int_equal(other.calls, 1);
    assert_int_equal(other.status, 200);
    free(other.text);
    assert_int_equal(good.calls + bad.calls, 0);

    loop_until(f->base, &good.calls, 1);
    expect_answer(&good, 200, "{\"valid\":\"1\"}");
    assert_true(wallet_is_unlocked(ws, id));
    loop_until(f->base, &bad.calls, 1);
    expect_answer(&bad, 200, "{\"valid\":\"0\"}"); /* the same answer as before */
    assert_true(wallet_is_unlocked(ws, id));       /* a wrong password locks nothing */

    /* Errors found before any derivation are answered at once. */
    answer nf = {0};
    post(f, &nf, enter_fmt, "0000000000000000000000000000000000000000000000000000000000000000",
         "x");
    expect_answer(&nf, 200, "{\"error\":\"Wallet not found\"}");
    answer missing = {0};
    post(f, &missing, "{\"action\":\"password_enter\",\"wallet\":\"%s\"%s}", hex, "");
    expect_answer(&missing, 200, "{\"error\":\"Missing field: password\"}");
}

static void test_busy_and_shutdown(void **state)
{
    rpcf *f = *state;
    /* a pool of one job */
    rpc_kdf_pool_free(f->kdf);
    rpc_kdf_pool_opts o = {.threads = 1, .queue_max = 1};
    f->kdf = rpc_kdf_pool_new(f->base, &o);
    assert_non_null(f->kdf);
    rpc_ctx_set_kdf_pool(f->ctx, f->kdf);
    uint8_t id[WALLET_ID_BYTES];
    char hex[65];
    locked_wallet(f, "secret", id, hex);

    answer first = {0}, second = {0}, create = {0};
    post(f, &first, enter_fmt, hex, "secret");
    assert_int_equal(first.calls, 0);
    post(f, &second, enter_fmt, hex, "secret");
    expect_answer(&second, 503, "{\"error\":\"Key derivation queue full, retry later\"}");
    post(f, &create, "{\"action\":\"wallet_create\"%s%s}", "", "");
    expect_answer(&create, 503, "{\"error\":\"Key derivation queue full, retry later\"}");

    /* The context goes away mid-derivation: answered now, never again. */
    rpc_ctx_free(f->ctx);
    f->ctx = NULL;
    expect_answer(&first, 503, "{\"error\":\"Shutting down\"}");
    rpc_kdf_pool_free(f->kdf); /* waits for the running derivation */
    f->kdf = NULL;
    assert_int_equal(first.calls, 1);
}

static void test_no_pool(void **state)
{
    rpcf *f = *state;
    rpc_ctx_set_kdf_pool(f->ctx, NULL);
    answer a = {0};
    post(f, &a, "{\"action\":\"wallet_create\"%s%s}", "", "");
    expect_answer(&a, 503, "{\"error\":\"Key derivation unavailable\"}");
    rpc_ctx_set_kdf_pool(f->ctx, f->kdf);
}

static void test_create_and_change_async(void **state)
{
    rpcf *f = *state;
    wallet_store *ws = rpc_ctx_wallets(f->ctx);
    uint8_t(*ids)[WALLET_ID_BYTES] = NULL;
    size_t before = 0, after = 0;
    assert_int_equal(wallet_list(ws, &ids, &before), WALLET_OK);
    free(ids);

    answer c = {0};
    post(f, &c, "{\"action\":\"wallet_create\"%s%s}", "", "");
    assert_int_equal(c.calls, 0);
    assert_int_equal(rpc_kdf_pool_jobs(f->kdf), 1);
    loop_until(f->base, &c.calls, 1);
    assert_int_equal(c.status, 200);
    json_t *j = json_loads(c.text, 0, NULL);
    free(c.text);
    assert_non_null(j);
    const char *wid = rpcf_str(j, "wallet");
    uint8_t id[WALLET_ID_BYTES];
    assert_true(smn_hex_decode(wid, id, WALLET_ID_BYTES));
    char hex[65];
    snprintf(hex, sizeof hex, "%s", wid);
    json_decref(j);
    /* the row exists only now, unlocked */
    assert_int_equal(wallet_list(ws, &ids, &after), WALLET_OK);
    free(ids);
    assert_int_equal(after, before + 1);
    assert_true(wallet_is_unlocked(ws, id));

    static const char change_fmt[] =
        "{\"action\":\"password_change\",\"wallet\":\"%s\",\"password\":\"%s\"}";
    answer ch = {0};
    post(f, &ch, change_fmt, hex, "new pw");
    assert_int_equal(ch.calls, 0);
    loop_until(f->base, &ch.calls, 1);
    expect_answer(&ch, 200, "{\"changed\":\"1\"}");
    assert_int_equal(wallet_lock(ws, id), WALLET_OK);
    /* locked: password_change refuses before deriving anything */
    answer lk = {0};
    post(f, &lk, change_fmt, hex, "other");
    expect_answer(&lk, 200, "{\"error\":\"Wallet is locked\"}");
    answer old = {0}, neu = {0};
    post(f, &old, enter_fmt, hex, "");
    loop_until(f->base, &old.calls, 1);
    expect_answer(&old, 200, "{\"valid\":\"0\"}");
    post(f, &neu, enter_fmt, hex, "new pw");
    loop_until(f->base, &neu.calls, 1);
    expect_answer(&neu, 200, "{\"valid\":\"1\"}");

    /* A password changed while an unlock derived: the stale key is not
     * taken for a wrong password. */
    assert_int_equal(wallet_lock(ws, id), WALLET_OK);
    answer stale = {0};
    post(f, &stale, enter_fmt, hex, "new pw");
    assert_int_equal(wallet_unlock(ws, id, "new pw"), WALLET_OK);
    wallet_kdf k = wallet_kdf_light();
    assert_int_equal(wallet_change_password(ws, id, "third", &k), WALLET_OK);
    assert_int_equal(wallet_lock(ws, id), WALLET_OK);
    loop_until(f->base, &stale.calls, 1);
    expect_answer(&stale, 503, "{\"error\":\"Wallet password changed meanwhile, retry\"}");
    assert_false(wallet_is_unlocked(ws, id));
}

/* Opening the store unlocks password-less wallets on the loop, but only
 * those whose limits cost at most the interactive ones; a heavier one
 * stays locked, and password_enter "" unlocks it off the loop. */
static void test_open_unlocks_only_cheap(void **state)
{
    rpcf *f = *state;
    assert_null(f->ctx->wallets); /* not opened yet */
    wallet_store *ws;
    assert_int_equal(wallet_store_open(f->dir, false, &ws), WALLET_OK);
    uint8_t cheap[WALLET_ID_BYTES], heavy[WALLET_ID_BYTES];
    wallet_create_opts o = {.password = "", .kdf = wallet_kdf_light()};
    assert_int_equal(wallet_create(ws, &o, cheap), WALLET_OK);
    o.kdf = (wallet_kdf){3, 64u << 20}; /* 3 x 64 MiB > interactive's 2 x 64 MiB */
    assert_int_equal(wallet_create(ws, &o, heavy), WALLET_OK);
    wallet_store_close(ws);

    ws = rpc_ctx_wallets(f->ctx);
    assert_non_null(ws);
    assert_true(wallet_is_unlocked(ws, cheap));
    assert_false(wallet_is_unlocked(ws, heavy));
    char hex[65];
    smn_hex_encode(heavy, WALLET_ID_BYTES, hex);
    answer a = {0};
    post(f, &a, enter_fmt, hex, "");
    assert_int_equal(a.calls, 0);
    loop_until(f->base, &a.calls, 1);
    expect_answer(&a, 200, "{\"valid\":\"1\"}");
    assert_true(wallet_is_unlocked(ws, heavy));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_derives_on_loop),
        cmocka_unit_test_setup_teardown(test_password_enter_async, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_and_shutdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_and_change_async, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_unlocks_only_cheap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
