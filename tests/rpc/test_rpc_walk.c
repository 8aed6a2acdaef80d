/* The walking actions (delegators, delegators_count, unopened, ledger),
 * receivable_exists past the list cap, receive_minimum, account_move and
 * wallet_change_seed,
 * against a real ledger DB written through the ledger library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "tests/rpc/test_rpc_fixture.h"

/* genesis G (rep G): send 100 smn to A, A opens naming G; send 50 to B, B
 * opens naming itself; send 5 to C and 3 + 4 to D (C and D unopened). */
typedef struct {
    rpcf f;
    rpcf_acct g, a, b, c, d;
    char G[65], A[65], B[65], C[65], D[65];
} world;

static smn_amount_t smn(uint64_t n)
{
    smn_amount_t v = smn_amount_zero();
    for (uint64_t i = 0; i < n; i++)
        assert_true(smn_amount_add(v, smn_amount_one_smn(), &v));
    return v;
}

static void receive_naming(rpcf *f, rpcf_acct *to, const uint8_t send[32], smn_amount_t amount,
                           const uint8_t rep[32])
{
    wallet_work_opts w = {.net = f->net, .threads = 1};
    smn_block b;
    assert_int_equal(wallet_build_receive(&to->kp, &to->st, send, amount, rep, &w, &b), WALLET_OK);
    ledger_result r;
    assert_int_equal(ledger_processor_process(f->proc, &b, 1, &r), LEDGER_STATUS_OK);
    assert_int_equal(r, LEDGER_ACCEPTED);
    smn_block_hash(&b, to->st.frontier);
    to->st.balance = b.balance;
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    rpcf_setup(&w->f, true);
    rpcf_genesis(&w->g);
    rpcf_acct_new(&w->a, 0);
    rpcf_acct_new(&w->b, 1);
    rpcf_acct_new(&w->c, 2);
    rpcf_acct_new(&w->d, 3);
    uint8_t h[32];
    rpcf_send(&w->f, &w->g, w->a.kp.pub, smn(100), h);
    receive_naming(&w->f, &w->a, h, smn(100), w->g.kp.pub);
    rpcf_send(&w->f, &w->g, w->b.kp.pub, smn(50), h);
    receive_naming(&w->f, &w->b, h, smn(50), w->b.kp.pub);
    rpcf_send(&w->f, &w->g, w->c.kp.pub, smn(5), h);
    rpcf_send(&w->f, &w->g, w->d.kp.pub, smn(3), h);
    rpcf_send(&w->f, &w->g, w->d.kp.pub, smn(4), h);
    rpcf_addr(w->g.kp.pub, w->G);
    rpcf_addr(w->a.kp.pub, w->A);
    rpcf_addr(w->b.kp.pub, w->B);
    rpcf_addr(w->c.kp.pub, w->C);
    rpcf_addr(w->d.kp.pub, w->D);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    rpcf_teardown(&w->f);
    free(w);
    return 0;
}

static const char *amount_str(smn_amount_t v, char buf[SMN_AMOUNT_RAW_STRLEN])
{
    return smn_amount_format_raw(v, buf);
}

/* Collects every page of `action` (count 1 each), following `next`. */
static json_t *all_pages(rpcf *f, const char *action, const char *map, const char *start_key,
                         const char *extra, size_t *pages)
{
    json_t *all = json_object();
    char start[80] = "";
    *pages = 0;
    for (;;) {
        json_t *j = rpcf_call(f, NULL, "{\"action\":\"%s\",\"count\":\"1\"%s%s%s%s}", action, extra,
                              start[0] ? ",\"" : "", start[0] ? start_key : "", start);
        json_t *m = json_object_get(j, map);
        assert_non_null(m);
        assert_true(json_object_size(m) <= 1);
        json_object_update(all, m);
        (*pages)++;
        const char *next = json_string_value(json_object_get(j, "next"));
        if (!next) {
            json_decref(j);
            return all;
        }
        snprintf(start, sizeof start, "\":\"%s\"", next);
        json_decref(j);
        assert_true(*pages < 10);
    }
}

static void test_delegators(void **state)
{
    world *w = *state;
    char buf[SMN_AMOUNT_RAW_STRLEN];
    json_t *j = rpcf_call(&w->f, NULL, "{\"action\":\"delegators\",\"account\":\"%s\"}", w->G);
    json_t *d = json_object_get(j, "delegators");
    assert_int_equal(json_object_size(d), 2);
    assert_string_equal(rpcf_str(d, w->A), amount_str(smn(100), buf));
    assert_string_equal(rpcf_str(d, w->G), amount_str(w->g.st.balance, buf));
    assert_null(json_object_get(j, "next"));
    json_decref(j);

    /* one at a time, following next: the same two */
    size_t pages;
    char extra[120];
    snprintf(extra, sizeof extra, ",\"account\":\"%s\"", w->G);
    json_t *all = all_pages(&w->f, "delegators", "delegators", "start", extra, &pages);
    assert_int_equal(json_object_size(all), 2);
    assert_non_null(json_object_get(all, w->A));
    assert_true(pages >= 2);
    json_decref(all);

    /* threshold: A's 100 smn is below G's remaining balance */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"delegators\",\"account\":\"%s\",\"threshold\":\"%s\"}", w->G,
                  amount_str(smn(101), buf));
    d = json_object_get(j, "delegators");
    assert_int_equal(json_object_size(d), 1);
    assert_non_null(json_object_get(d, w->G));
    json_decref(j);

    j = rpcf_call(&w->f, NULL, "{\"action\":\"delegators_count\",\"account\":\"%s\"}", w->G);
    assert_string_equal(rpcf_str(j, "count"), "2");
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"delegators_count\",\"account\":\"%s\"}", w->B);
    assert_string_equal(rpcf_str(j, "count"), "1");
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"delegators\",\"account\":\"%s\"}", w->C);
    assert_int_equal(json_object_size(json_object_get(j, "delegators")), 0);
    json_decref(j);

    rpcf_expect_error(&w->f, "Missing field: account", "{\"action\":\"delegators\"}");
    rpcf_expect_error(&w->f, "Bad account number",
                      "{\"action\":\"delegators_count\",\"account\":\"smn_1\"}");
    rpcf_expect_error(&w->f, "Bad amount number",
                      "{\"action\":\"delegators\",\"account\":\"%s\",\"threshold\":\"-1\"}", w->G);
    rpcf_expect_error(&w->f, "Invalid count limit",
                      "{\"action\":\"delegators\",\"account\":\"%s\",\"count\":\"x\"}", w->G);
}

static void test_unopened(void **state)
{
    world *w = *state;
    char buf[SMN_AMOUNT_RAW_STRLEN];
    json_t *j = rpcf_call(&w->f, NULL, "{\"action\":\"unopened\"}");
    json_t *a = json_object_get(j, "accounts");
    assert_int_equal(json_object_size(a), 2);
    assert_string_equal(rpcf_str(a, w->C), amount_str(smn(5), buf));
    assert_string_equal(rpcf_str(a, w->D), amount_str(smn(7), buf));
    json_decref(j);

    j = rpcf_call(&w->f, NULL, "{\"action\":\"unopened\",\"threshold\":\"%s\"}",
                  amount_str(smn(6), buf));
    a = json_object_get(j, "accounts");
    assert_int_equal(json_object_size(a), 1);
    assert_non_null(json_object_get(a, w->D));
    json_decref(j);

    size_t pages;
    json_t *all = all_pages(&w->f, "unopened", "accounts", "account", "", &pages);
    assert_int_equal(json_object_size(all), 2);
    assert_int_equal(pages, 2);
    json_decref(all);

    /* starting at D's key: D, and C only if it sorts after */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"unopened\",\"account\":\"%s\"}", w->D);
    a = json_object_get(j, "accounts");
    assert_non_null(json_object_get(a, w->D));
    assert_int_equal(json_object_size(a), strcmp(w->C, w->D) > 0 ? 2 : 1);
    json_decref(j);

    rpcf_expect_error(&w->f, "Bad account number", "{\"action\":\"unopened\",\"account\":\"x\"}");
    /* Nano's unopened needs enable_control */
    rpc_config cfg = {.net = w->f.net, .data_dir = w->f.dir};
    rpc_ctx *ctx = rpc_ctx_new(&cfg);
    const char *body = "{\"action\":\"unopened\"}";
    int st;
    char *out;
    assert_int_equal(rpc_handle(ctx, body, strlen(body), &st, &out), 0);
    assert_string_equal(out, "{\"error\":\"RPC control is disabled\"}");
    free(out);
    rpc_ctx_free(ctx);
}

static void test_ledger(void **state)
{
    world *w = *state;
    char buf[SMN_AMOUNT_RAW_STRLEN];
    json_t *j = rpcf_call(&w->f, NULL,
                          "{\"action\":\"ledger\",\"representative\":true,\"weight\":true,"
                          "\"receivable\":true}");
    json_t *a = json_object_get(j, "accounts");
    assert_int_equal(json_object_size(a), 3); /* G, A, B: C and D have no blocks */
    json_t *ea = json_object_get(a, w->A);
    assert_string_equal(rpcf_str(ea, "balance"), amount_str(smn(100), buf));
    assert_string_equal(rpcf_str(ea, "block_count"), "1");
    assert_string_equal(rpcf_str(ea, "representative"), w->G);
    assert_string_equal(rpcf_str(ea, "weight"), "0");
    assert_string_equal(rpcf_str(ea, "receivable"), "0");
    assert_string_equal(rpcf_str(ea, "open_block"), rpcf_str(ea, "frontier"));
    assert_non_null(json_object_get(ea, "modified_timestamp"));
    json_t *eg = json_object_get(a, w->G);
    assert_string_equal(rpcf_str(eg, "block_count"), "6");
    assert_null(json_object_get(j, "next"));
    json_decref(j);

    size_t pages;
    json_t *all = all_pages(&w->f, "ledger", "accounts", "account", "", &pages);
    assert_int_equal(json_object_size(all), 3);
    assert_int_equal(pages, 3);
    json_decref(all);

    /* filters */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"ledger\",\"modified_since\":\"99999999999\"}");
    assert_int_equal(json_object_size(json_object_get(j, "accounts")), 0);
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"ledger\",\"threshold\":\"%s\"}",
                  amount_str(smn(60), buf));
    a = json_object_get(j, "accounts");
    assert_int_equal(json_object_size(a), 2); /* G and A */
    assert_null(json_object_get(a, w->B));
    json_decref(j);

    rpcf_expect_error(&w->f, "Unsupported field: sorting (not an option of ledger)",
                      "{\"action\":\"ledger\",\"sorting\":true}");
    rpcf_expect_error(&w->f, "Invalid modified_since",
                      "{\"action\":\"ledger\",\"modified_since\":\"soon\"}");
}

/* More receivables for one account than any list the RPC reads (the cap):
 * receivable_exists still finds the smallest one, by its hash. */
static void test_receivable_exists_past_cap(void **state)
{
    world *w = *state;
    const size_t n = RPC_MAX_COUNT + 1;
    smn_block *blocks = malloc(sizeof *blocks * n);
    ledger_result *res = malloc(sizeof *res * n);
    assert_non_null(blocks);
    assert_non_null(res);
    wallet_work_opts wo = {.net = w->f.net, .threads = 1};
    uint8_t last[32];
    /* every send 2 raw but the last, 1 raw: largest-first it comes last */
    for (size_t i = 0; i < n; i++) {
        smn_amount_t amount = smn_amount_from_u64(i + 1 < n ? 2 : 1);
        assert_int_equal(
            wallet_build_send(&w->g.kp, &w->g.st, w->c.kp.pub, amount, &wo, &blocks[i]), WALLET_OK);
        smn_block_hash(&blocks[i], w->g.st.frontier);
        w->g.st.balance = blocks[i].balance;
    }
    memcpy(last, w->g.st.frontier, 32);
    for (size_t i = 0; i < n; i += 1000) {
        size_t k = n - i < 1000 ? n - i : 1000;
        assert_int_equal(ledger_processor_process(w->f.proc, &blocks[i], k, &res[i]),
                         LEDGER_STATUS_OK);
        for (size_t x = 0; x < k; x++)
            assert_int_equal(res[i + x], LEDGER_ACCEPTED);
    }
    free(blocks);
    free(res);
    char hex[65];
    rpcf_hex(last, hex);
    json_t *j = rpcf_call(
        &w->f, NULL,
        "{\"action\":\"receivable_exists\",\"hash\":\"%s\",\"include_only_confirmed\":false}", hex);
    assert_string_equal(rpcf_str(j, "exists"), "1");
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"receivable_exists\",\"hash\":\"%s\"}", hex);
    assert_string_equal(rpcf_str(j, "exists"), "0"); /* not cemented yet */
    json_decref(j);
    rpcf_confirm(&w->f, last);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"pending_exists\",\"hash\":\"%s\"}", hex);
    assert_string_equal(rpcf_str(j, "exists"), "1");
    json_decref(j);
    /* C now can receive 5 smn and 10,001 small sends: unopened sums them all */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"unopened\",\"account\":\"%s\",\"count\":\"1\"}",
                  w->C);
    smn_amount_t want = smn(5);
    assert_true(smn_amount_add(want, smn_amount_from_u64(2 * (n - 1) + 1), &want));
    char buf[SMN_AMOUNT_RAW_STRLEN];
    assert_string_equal(rpcf_str(json_object_get(j, "accounts"), w->C), amount_str(want, buf));
    json_decref(j);
    /* an unknown hash is not a block */
    rpcf_expect_error(&w->f, "Block not found",
                      "{\"action\":\"receivable_exists\",\"hash\":\"%064d\"}", 0);
}

static void test_receive_minimum(void **state)
{
    world *w = *state;
    json_t *j = rpcf_call(&w->f, NULL, "{\"action\":\"receive_minimum\"}");
    assert_string_equal(rpcf_str(j, "amount"), "0");
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"receive_minimum_set\",\"amount\":\"1000000\"}");
    assert_string_equal(rpcf_str(j, "success"), "");
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"receive_minimum\"}");
    assert_string_equal(rpcf_str(j, "amount"), "1000000");
    json_decref(j);
    assert_true(smn_amount_eq(rpc_ctx_receive_minimum(w->f.ctx), smn_amount_from_u64(1000000)));
    rpcf_expect_error(&w->f, "Bad amount number",
                      "{\"action\":\"receive_minimum_set\",\"amount\":\"1.5\"}");
    rpcf_expect_error(&w->f, "Missing field: amount", "{\"action\":\"receive_minimum_set\"}");
}

static char *take(rpcf *f, const char *key, const char *body)
{
    json_t *j = rpcf_call(f, NULL, "%s", body);
    const char *v = rpcf_str(j, key);
    assert_non_null(v);
    char *out = strdup(v);
    json_decref(j);
    return out;
}

static void test_account_move(void **state)
{
    world *w = *state;
    char *src = take(&w->f, "wallet", "{\"action\":\"wallet_create\"}");
    char *dst = take(&w->f, "wallet", "{\"action\":\"wallet_create\"}");
    char body[512];
    snprintf(body, sizeof body, "{\"action\":\"account_create\",\"wallet\":\"%s\"}", src);
    char *acc = take(&w->f, "account", body);
    json_t *j;

    rpcf_expect_error(&w->f, "Source wallet not found",
                      "{\"action\":\"account_move\",\"wallet\":\"%s\",\"source\":\"%064d\","
                      "\"accounts\":[\"%s\"]}",
                      dst, 0, acc);
    rpcf_expect_error(&w->f, "Account not found in wallet",
                      "{\"action\":\"account_move\",\"wallet\":\"%s\",\"source\":\"%s\","
                      "\"accounts\":[\"%s\",\"%s\"]}",
                      dst, src, acc, w->A);
    rpcf_expect_error(&w->f, "Source and target wallet are the same",
                      "{\"action\":\"account_move\",\"wallet\":\"%s\",\"source\":\"%s\","
                      "\"accounts\":[\"%s\"]}",
                      src, src, acc);
    rpcf_expect_error(&w->f, "Missing field: accounts",
                      "{\"action\":\"account_move\",\"wallet\":\"%s\",\"source\":\"%s\"}", dst,
                      src);
    /* nothing moved by the refused calls */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_list\",\"wallet\":\"%s\"}", src);
    assert_int_equal(json_array_size(json_object_get(j, "accounts")), 1);
    json_decref(j);

    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_move\",\"wallet\":\"%s\",\"source\":\"%s\","
                  "\"accounts\":[\"%s\"]}",
                  dst, src, acc);
    assert_string_equal(rpcf_str(j, "moved"), "1");
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_list\",\"wallet\":\"%s\"}", dst);
    json_t *l = json_object_get(j, "accounts");
    assert_int_equal(json_array_size(l), 1);
    assert_string_equal(json_string_value(json_array_get(l, 0)), acc);
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_list\",\"wallet\":\"%s\"}", src);
    assert_int_equal(json_array_size(json_object_get(j, "accounts")), 0);
    json_decref(j);
    /* the target can sign for it: its key moved, not only its name */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"wallet_contains\",\"wallet\":\"%s\",\"account\":\"%s\"}", dst,
                  acc);
    assert_string_equal(rpcf_str(j, "exists"), "1");
    json_decref(j);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"block_create\",\"type\":\"state\",\"wallet\":\"%s\","
                  "\"account\":\"%s\",\"representative\":\"%s\",\"balance\":\"1\","
                  "\"link\":\"%064d\",\"work\":\"0000000000000000\"}",
                  dst, acc, acc, 0);
    assert_non_null(json_object_get(j, "hash"));
    json_decref(j);
    free(src);
    free(dst);
    free(acc);
}

static void test_wallet_change_seed(void **state)
{
    world *w = *state;
    char *wid = take(&w->f, "wallet",
                     "{\"action\":\"wallet_create\",\"seed\":\""
                     "11111111"
                     "11111111111111111111111111111111111111111111111111111111\"}");
    char body[512];
    snprintf(body, sizeof body, "{\"action\":\"account_create\",\"wallet\":\"%s\"}", wid);
    free(take(&w->f, "account", body));
    free(take(&w->f, "account", body));
    char dkey[65];
    rpcf_hex(w->d.kp.priv, dkey);
    snprintf(body, sizeof body, "{\"action\":\"wallet_add\",\"wallet\":\"%s\",\"key\":\"%s\"}", wid,
             dkey);
    free(take(&w->f, "account", body));

    /* the new seed's first account can receive: it is restored, the next is not */
    uint8_t seed2[32];
    memset(seed2, 0x22, 32);
    char seed2hex[65];
    rpcf_hex(seed2, seed2hex);
    smn_keypair k0;
    smn_key_from_seed(seed2, 0, &k0);
    uint8_t h[32];
    rpcf_send(&w->f, &w->g, k0.pub, smn(1), h);
    char a0[65];
    rpcf_addr(k0.pub, a0);
    json_t *j = rpcf_call(&w->f, NULL,
                          "{\"action\":\"wallet_change_seed\",\"wallet\":\"%s\",\"seed\":\"%s\"}",
                          wid, seed2hex);
    assert_string_equal(rpcf_str(j, "success"), "");
    assert_string_equal(rpcf_str(j, "restored_count"), "1");
    assert_string_equal(rpcf_str(j, "last_restored_account"), a0);
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_list\",\"wallet\":\"%s\"}", wid);
    json_t *l = json_object_get(j, "accounts");
    assert_int_equal(json_array_size(l), 2); /* D's ad-hoc key stays, the old seed's go */
    bool has_d = false, has_a0 = false;
    for (size_t i = 0; i < json_array_size(l); i++) {
        has_d |= strcmp(json_string_value(json_array_get(l, i)), w->D) == 0;
        has_a0 |= strcmp(json_string_value(json_array_get(l, i)), a0) == 0;
    }
    assert_true(has_d && has_a0);
    json_decref(j);
    /* with count: at least that many, from index 0 again */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"wallet_change_seed\",\"wallet\":\"%s\",\"seed\":\"%s\","
                  "\"count\":\"3\"}",
                  wid, seed2hex);
    assert_string_equal(rpcf_str(j, "restored_count"), "3");
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_list\",\"wallet\":\"%s\"}", wid);
    assert_int_equal(json_array_size(json_object_get(j, "accounts")), 4);
    json_decref(j);
    smn_keypair_wipe(&k0);

    rpcf_expect_error(&w->f, "Bad seed",
                      "{\"action\":\"wallet_change_seed\",\"wallet\":\"%s\",\"seed\":\"12\"}", wid);
    rpcf_expect_error(&w->f, "Missing field: seed",
                      "{\"action\":\"wallet_change_seed\",\"wallet\":\"%s\"}", wid);
    rpcf_expect_error(&w->f, "Wallet not found",
                      "{\"action\":\"wallet_change_seed\",\"wallet\":\"%064d\",\"seed\":\"%s\"}", 0,
                      seed2hex);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"wallet_lock\",\"wallet\":\"%s\"}", wid);
    json_decref(j);
    rpcf_expect_error(&w->f, "Wallet is locked",
                      "{\"action\":\"wallet_change_seed\",\"wallet\":\"%s\",\"seed\":\"%s\"}", wid,
                      seed2hex);
    free(wid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_delegators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unopened, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receivable_exists_past_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_minimum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_move, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wallet_change_seed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
