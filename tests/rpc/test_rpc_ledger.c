/* The read actions and `process` against a real ledger DB written through
 * the ledger library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/block_json.h"
#include "common/hex.h"
#include "tests/rpc/test_rpc_fixture.h"

/* The scenario every test reads:
 *   genesis: open(1)  send 100 smn to A(2)  send 5 to A(3)  send 7 to B(4)
 *   A:       open from the first send(1), change rep to C(2)
 *   cemented: A's open (and with it genesis 1-2). */
typedef struct {
    rpcf f;
    rpcf_acct g, a, b, c;
    uint8_t gen[32], s1[32], s2[32], s3[32], a_open[32], a_change[32];
    char G[65], A[65], B[65], C[65];
} world;

static smn_amount_t smn(uint64_t n)
{
    return smn_amount_mul_wrap(smn_amount_one_smn(), smn_amount_from_u64(n));
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    rpcf_setup(&w->f, false);
    rpcf_genesis(&w->g);
    memcpy(w->gen, w->g.st.frontier, 32);
    rpcf_acct_new(&w->a, 0);
    rpcf_acct_new(&w->b, 1);
    rpcf_acct_new(&w->c, 2);
    rpcf_send(&w->f, &w->g, w->a.kp.pub, smn(100), w->s1);
    rpcf_receive(&w->f, &w->a, w->s1, smn(100), w->a_open);
    rpcf_send(&w->f, &w->g, w->a.kp.pub, smn(5), w->s2);
    rpcf_send(&w->f, &w->g, w->b.kp.pub, smn(7), w->s3);
    rpcf_change(&w->f, &w->a, w->c.kp.pub, w->a_change);
    rpcf_confirm(&w->f, w->a_open);
    rpcf_addr(w->g.kp.pub, w->G);
    rpcf_addr(w->a.kp.pub, w->A);
    rpcf_addr(w->b.kp.pub, w->B);
    rpcf_addr(w->c.kp.pub, w->C);
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

static void assert_amount(const json_t *j, const char *key, smn_amount_t v)
{
    char buf[SMN_AMOUNT_RAW_STRLEN];
    assert_string_equal(rpcf_str(j, key), smn_amount_format_raw(v, buf));
}

static void assert_hash(const json_t *j, const char *key, const uint8_t h[32])
{
    char hex[65];
    rpcf_hex(h, hex);
    assert_string_equal(rpcf_str(j, key), hex);
}

static void test_account_info(void **state)
{
    world *w = *state;
    json_t *j = rpcf_call(&w->f, NULL,
                          "{\"action\":\"account_info\",\"account\":\"%s\",\"representative\":"
                          "\"true\",\"weight\":true,\"receivable\":\"true\"}",
                          w->A);
    assert_hash(j, "frontier", w->a_change);
    assert_hash(j, "open_block", w->a_open);
    assert_amount(j, "balance", smn(100));
    assert_string_equal(rpcf_str(j, "block_count"), "2");
    assert_string_equal(rpcf_str(j, "confirmation_height"), "1");
    assert_hash(j, "confirmation_height_frontier", w->a_open);
    assert_string_equal(rpcf_str(j, "representative"), w->C);
    assert_amount(j, "weight", smn_amount_from_u64(0));
    assert_amount(j, "receivable", smn(5));
    json_decref(j);

    /* C represents A's 100 smn now */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_weight\",\"account\":\"%s\"}", w->C);
    assert_amount(j, "weight", smn(100));
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_representative\",\"account\":\"%s\"}", w->A);
    assert_string_equal(rpcf_str(j, "representative"), w->C);
    json_decref(j);

    rpcf_expect_error(&w->f, "Account not found",
                      "{\"action\":\"account_info\",\"account\":\"%s\"}", w->B);
    rpcf_expect_error(&w->f, "Account not found",
                      "{\"action\":\"account_representative\",\"account\":\"%s\"}", w->B);
    rpcf_expect_error(&w->f, "Bad account number",
                      "{\"action\":\"account_info\",\"account\":\"smn_nope\"}");
    rpcf_expect_error(&w->f, "Bad account number",
                      "{\"action\":\"account_weight\",\"account\":\"%.63s\"}", w->A);
    rpcf_expect_error(&w->f, "Missing field: account", "{\"action\":\"account_info\"}");
    rpcf_expect_error(&w->f, "Bad weight (expected true or false)",
                      "{\"action\":\"account_info\",\"account\":\"%s\",\"weight\":\"maybe\"}",
                      w->A);
}

static void test_balances(void **state)
{
    world *w = *state;
    /* Nano's default include_only_confirmed = true: B's 7 smn come from an
     * uncemented send, so they are not receivable yet; genesis's balance is
     * the one at its confirmation height (after the first send only). */
    json_t *j = rpcf_call(&w->f, NULL, "{\"action\":\"account_balance\",\"account\":\"%s\"}", w->B);
    assert_amount(j, "balance", smn_amount_from_u64(0));
    assert_amount(j, "receivable", smn_amount_from_u64(0));
    assert_amount(j, "pending", smn_amount_from_u64(0));
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_balance\",\"account\":\"%s\"}", w->G);
    assert_amount(j, "balance", smn_amount_sub_wrap(smn_network_supply(), smn(100)));
    json_decref(j);
    /* include_only_confirmed false: what the ledger holds, cemented or not */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_balance\",\"account\":\"%s\","
                  "\"include_only_confirmed\":\"false\"}",
                  w->B);
    assert_amount(j, "balance", smn_amount_from_u64(0));
    assert_amount(j, "receivable", smn(7));
    assert_amount(j, "pending", smn(7));
    json_decref(j);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_balance\",\"account\":\"%s\","
                  "\"include_only_confirmed\":false}",
                  w->G);
    assert_amount(j, "balance", smn_amount_sub_wrap(smn_network_supply(), smn(112)));
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad account number",
                      "{\"action\":\"account_balance\",\"account\":\"xrb_1111\"}");
    rpcf_expect_error(&w->f, "Bad include_only_confirmed (expected true or false)",
                      "{\"action\":\"account_balance\",\"account\":\"%s\","
                      "\"include_only_confirmed\":\"maybe\"}",
                      w->B);

    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"accounts_balances\",\"accounts\":[\"%s\",\"%s\",\"bogus\",7]}",
                  w->A, w->B);
    json_t *bal = json_object_get(j, "balances");
    assert_int_equal(json_object_size(bal), 2);
    assert_amount(json_object_get(bal, w->A), "balance", smn(100));
    assert_amount(json_object_get(bal, w->A), "receivable",
                  smn_amount_from_u64(0)); /* s2 not cemented */
    assert_amount(json_object_get(bal, w->B), "receivable", smn_amount_from_u64(0));
    json_t *errs = json_object_get(j, "errors");
    assert_string_equal(rpcf_str(errs, "bogus"), "Bad account number");
    assert_string_equal(rpcf_str(errs, "#3"), "Bad account number");
    json_decref(j);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"accounts_balances\",\"accounts\":[\"%s\",\"%s\"],"
                  "\"include_only_confirmed\":\"false\"}",
                  w->A, w->B);
    bal = json_object_get(j, "balances");
    assert_amount(json_object_get(bal, w->A), "receivable", smn(5));
    assert_amount(json_object_get(bal, w->B), "receivable", smn(7));
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad accounts (expected a list)",
                      "{\"action\":\"accounts_balances\",\"accounts\":\"%s\"}", w->A);

    /* cementing the sends makes them count */
    rpcf_confirm(&w->f, w->s3);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_balance\",\"account\":\"%s\"}", w->B);
    assert_amount(j, "receivable", smn(7));
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_balance\",\"account\":\"%s\"}", w->G);
    assert_amount(j, "balance", smn_amount_sub_wrap(smn_network_supply(), smn(112)));
    json_decref(j);
}

static void test_history(void **state)
{
    world *w = *state;
    json_t *j = rpcf_call(&w->f, NULL, "{\"action\":\"account_history\",\"account\":\"%s\"}", w->G);
    json_t *h = json_object_get(j, "history");
    assert_int_equal(json_array_size(h), 4);
    json_t *e0 = json_array_get(h, 0), *e3 = json_array_get(h, 3);
    assert_string_equal(rpcf_str(e0, "type"), "send");
    assert_string_equal(rpcf_str(e0, "account"), w->B);
    assert_amount(e0, "amount", smn(7));
    assert_hash(e0, "hash", w->s3);
    assert_string_equal(rpcf_str(e0, "height"), "4");
    assert_string_equal(rpcf_str(e0, "confirmed"), "false");
    assert_string_equal(rpcf_str(e3, "type"), "receive"); /* genesis open */
    assert_string_equal(rpcf_str(e3, "confirmed"), "true");
    assert_null(json_object_get(j, "previous"));
    json_decref(j);

    /* paging: two, then the next page from "previous" */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":\"2\"}", w->G);
    assert_int_equal(json_array_size(json_object_get(j, "history")), 2);
    assert_hash(j, "previous", w->s1);
    json_decref(j);
    char s1[65];
    rpcf_hex(w->s1, s1);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":2,\"head\":\"%s\"}",
                  w->G, s1);
    h = json_object_get(j, "history");
    assert_int_equal(json_array_size(h), 2);
    assert_hash(json_array_get(h, 0), "hash", w->s1);
    assert_hash(json_array_get(h, 1), "hash", w->gen);
    assert_null(json_object_get(j, "previous"));
    json_decref(j);

    /* offset and reverse */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_history\",\"account\":\"%s\",\"offset\":1,\"count\":1}",
                  w->G);
    assert_hash(json_array_get(json_object_get(j, "history"), 0), "hash", w->s2);
    json_decref(j);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_history\",\"account\":\"%s\",\"reverse\":true,"
                  "\"count\":3}",
                  w->G);
    h = json_object_get(j, "history");
    assert_int_equal(json_array_size(h), 3);
    assert_hash(json_array_get(h, 0), "hash", w->gen);
    assert_hash(json_array_get(h, 2), "hash", w->s2);
    assert_hash(j, "next", w->s3);
    json_decref(j);

    /* A: receive names its source account; change names the new rep; raw */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_history\",\"account\":\"%s\"}", w->A);
    h = json_object_get(j, "history");
    assert_string_equal(rpcf_str(json_array_get(h, 0), "type"), "change");
    assert_string_equal(rpcf_str(json_array_get(h, 0), "account"), w->C);
    assert_string_equal(rpcf_str(json_array_get(h, 1), "type"), "receive");
    assert_string_equal(rpcf_str(json_array_get(h, 1), "account"), w->G);
    json_decref(j);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_history\",\"account\":\"%s\",\"raw\":\"true\"}", w->A);
    json_t *r0 = json_array_get(json_object_get(j, "history"), 0);
    assert_string_equal(rpcf_str(r0, "type"), "state");
    assert_string_equal(rpcf_str(r0, "subtype"), "change");
    assert_string_equal(rpcf_str(r0, "representative"), w->C);
    assert_hash(r0, "previous", w->a_open);
    json_decref(j);

    /* an account without blocks has an empty history */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_history\",\"account\":\"%s\"}", w->B);
    assert_int_equal(json_array_size(json_object_get(j, "history")), 0);
    json_decref(j);

    char a_open[65];
    rpcf_hex(w->a_open, a_open);
    rpcf_expect_error(&w->f, "Block not found",
                      "{\"action\":\"account_history\",\"account\":\"%s\",\"head\":\"%s\"}", w->G,
                      a_open);
    rpcf_expect_error(&w->f, "Invalid count limit",
                      "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":\"-3\"}", w->G);
    rpcf_expect_error(&w->f, "Invalid count limit",
                      "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":999999}", w->G);
    rpcf_expect_error(&w->f, "Bad block hash",
                      "{\"action\":\"account_history\",\"account\":\"%s\",\"head\":\"XYZ\"}", w->G);
}

/* Nano's options: count "-1", account_filter, the counterparty in raw
 * history, lower-case work, timestamps, include_confirmed, and an option
 * no action implements refused by name. */
static void test_nano_options(void **state)
{
    world *w = *state;
    uint64_t now = (uint64_t)time(NULL);
    json_t *j = rpcf_call(
        &w->f, NULL, "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":\"-1\"}", w->G);
    json_t *h = json_object_get(j, "history");
    assert_int_equal(json_array_size(h), 4);
    uint64_t ts = strtoull(rpcf_str(json_array_get(h, 0), "local_timestamp"), NULL, 10);
    assert_true(ts + 600 >= now && ts <= now + 5);
    json_decref(j);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":-1,"
                  "\"account_filter\":[\"%s\"]}",
                  w->G, w->A);
    h = json_object_get(j, "history");
    assert_int_equal(json_array_size(h), 2); /* the two sends to A, not the one to B */
    assert_string_equal(rpcf_str(json_array_get(h, 0), "account"), w->A);
    assert_hash(json_array_get(h, 0), "hash", w->s2);
    assert_hash(json_array_get(h, 1), "hash", w->s1);
    json_decref(j);
    /* with a filter, count and offset count matching entries */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":1,\"offset\":1,"
                  "\"account_filter\":[\"%s\"]}",
                  w->G, w->A);
    h = json_object_get(j, "history");
    assert_int_equal(json_array_size(h), 1);
    assert_hash(json_array_get(h, 0), "hash", w->s1);
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad account number in account_filter",
                      "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":1,"
                      "\"account_filter\":[\"nope\"]}",
                      w->G);
    rpcf_expect_error(&w->f, "Invalid count limit",
                      "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":\"-2\"}", w->G);
    /* raw: the counterparty in "account", as Nano; work in lower case */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_history\",\"account\":\"%s\",\"count\":1,\"raw\":true}",
                  w->G);
    json_t *e = json_array_get(json_object_get(j, "history"), 0);
    assert_string_equal(rpcf_str(e, "subtype"), "send");
    assert_string_equal(rpcf_str(e, "account"), w->B);
    const char *work = rpcf_str(e, "work");
    assert_int_equal(strlen(work), 16);
    for (const char *p = work; *p; p++)
        assert_false(*p >= 'A' && *p <= 'F');
    json_decref(j);
    /* chain / successors with count -1 */
    char s3[65];
    rpcf_hex(w->s3, s3);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"chain\",\"block\":\"%s\",\"count\":\"-1\"}", s3);
    assert_int_equal(json_array_size(json_object_get(j, "blocks")), 4);
    json_decref(j);
    char gen[65];
    rpcf_hex(w->gen, gen);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"successors\",\"block\":\"%s\",\"count\":-1}", gen);
    assert_int_equal(json_array_size(json_object_get(j, "blocks")), 4);
    json_decref(j);
    /* block_info: local_timestamp and lower-case work in contents */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"block_info\",\"hash\":\"%s\",\"json_block\":true}",
                  s3);
    ts = strtoull(rpcf_str(j, "local_timestamp"), NULL, 10);
    assert_true(ts + 600 >= now && ts <= now + 5);
    work = rpcf_str(json_object_get(j, "contents"), "work");
    for (const char *p = work; *p; p++)
        assert_false(*p >= 'A' && *p <= 'F');
    json_decref(j);
    /* account_info: modified_timestamp, include_confirmed */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_info\",\"account\":\"%s\",\"include_confirmed\":true,"
                  "\"receivable\":true,\"representative\":true}",
                  w->G);
    ts = strtoull(rpcf_str(j, "modified_timestamp"), NULL, 10);
    assert_true(ts + 600 >= now && ts <= now + 5);
    assert_amount(j, "balance", smn_amount_sub_wrap(smn_network_supply(), smn(112)));
    assert_amount(j, "confirmed_balance", smn_amount_sub_wrap(smn_network_supply(), smn(100)));
    assert_string_equal(rpcf_str(j, "confirmed_height"), "2");
    assert_hash(j, "confirmed_frontier", w->s1);
    assert_string_equal(rpcf_str(j, "confirmed_representative"), w->G);
    assert_amount(j, "confirmed_receivable", smn_amount_from_u64(0));
    json_decref(j);
    /* an option we do not implement is refused by name, never ignored */
    rpcf_expect_error(&w->f, "Unsupported field: source (not an option of blocks_info)",
                      "{\"action\":\"blocks_info\",\"hashes\":[\"%s\"],\"source\":true}", s3);
    rpcf_expect_error(&w->f, "Unsupported field: force (not an option of process)",
                      "{\"action\":\"process\",\"block\":{},\"force\":true}");
}

/* The accounts family and the lookups beside it: a valid call and an
 * error each. */
static void test_accounts_family(void **state)
{
    world *w = *state;
    json_t *j = rpcf_call(&w->f, NULL,
                          "{\"action\":\"accounts_frontiers\",\"accounts\":[\"%s\",\"%s\",\"x\"]}",
                          w->A, w->C);
    assert_hash(json_object_get(j, "frontiers"), w->A, w->a_change);
    json_t *errs = json_object_get(j, "errors");
    assert_string_equal(rpcf_str(errs, w->C), "Account not found");
    assert_string_equal(rpcf_str(errs, "x"), "Bad account number");
    json_decref(j);
    rpcf_expect_error(&w->f, "Missing field: accounts", "{\"action\":\"accounts_frontiers\"}");

    j = rpcf_call(&w->f, NULL, "{\"action\":\"accounts_representatives\",\"accounts\":[\"%s\"]}",
                  w->A);
    assert_string_equal(rpcf_str(json_object_get(j, "representatives"), w->A), w->C);
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad accounts (expected a list)",
                      "{\"action\":\"accounts_representatives\",\"accounts\":\"%s\"}", w->A);

    /* confirmed only by default: nothing yet; then everything */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"accounts_receivable\",\"accounts\":[\"%s\",\"%s\"]}",
                  w->A, w->B);
    assert_int_equal(json_object_size(json_object_get(j, "blocks")), 0);
    json_decref(j);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"accounts_pending\",\"accounts\":[\"%s\",\"%s\"],"
                  "\"include_only_confirmed\":false,\"threshold\":\"1\"}",
                  w->A, w->B);
    char s2[65], s3[65];
    rpcf_hex(w->s2, s2);
    rpcf_hex(w->s3, s3);
    json_t *bl = json_object_get(j, "blocks");
    assert_amount(json_object_get(bl, w->A), s2, smn(5));
    assert_amount(json_object_get(bl, w->B), s3, smn(7));
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad amount number",
                      "{\"action\":\"accounts_receivable\",\"accounts\":[],\"threshold\":\"x\"}");

    j = rpcf_call(&w->f, NULL, "{\"action\":\"receivable_exists\",\"hash\":\"%s\"}", s3);
    assert_string_equal(rpcf_str(j, "exists"), "0"); /* not cemented */
    json_decref(j);
    j = rpcf_call(
        &w->f, NULL,
        "{\"action\":\"pending_exists\",\"hash\":\"%s\",\"include_only_confirmed\":false}", s3);
    assert_string_equal(rpcf_str(j, "exists"), "1");
    json_decref(j);
    char open[65];
    rpcf_hex(w->a_open, open);
    j = rpcf_call(
        &w->f, NULL,
        "{\"action\":\"receivable_exists\",\"hash\":\"%s\",\"include_only_confirmed\":false}",
        open);
    assert_string_equal(rpcf_str(j, "exists"), "0"); /* not a send */
    json_decref(j);
    rpcf_expect_error(&w->f, "Block not found",
                      "{\"action\":\"receivable_exists\",\"hash\":\"%064d\"}", 0);

    /* block_confirm: a cemented block needs no election; an uncemented one
     * goes to elections (none in this fixture: 503) */
    char gen[65];
    rpcf_hex(w->gen, gen);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"block_confirm\",\"hash\":\"%s\"}", gen);
    assert_string_equal(rpcf_str(j, "started"), "0");
    assert_string_equal(rpcf_str(j, "confirmed"), "true");
    json_decref(j);
    int http = 0;
    j = rpcf_call(&w->f, &http, "{\"action\":\"block_confirm\",\"hash\":\"%s\"}", s3);
    assert_int_equal(http, 503);
    assert_string_equal(rpcf_str(j, "error"), "Node control unavailable");
    json_decref(j);
    rpcf_expect_error(&w->f, "Block not found", "{\"action\":\"block_confirm\",\"hash\":\"%064d\"}",
                      0);

    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_block_count\",\"account\":\"%s\"}", w->G);
    assert_string_equal(rpcf_str(j, "block_count"), "4");
    json_decref(j);
    rpcf_expect_error(&w->f, "Account not found",
                      "{\"action\":\"account_block_count\",\"account\":\"%s\"}", w->C);

    j = rpcf_call(&w->f, NULL, "{\"action\":\"block_account\",\"hash\":\"%s\"}", s3);
    assert_string_equal(rpcf_str(j, "account"), w->G);
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad block hash", "{\"action\":\"block_account\",\"hash\":\"zz\"}");

    j = rpcf_call(&w->f, NULL, "{\"action\":\"blocks\",\"hashes\":[\"%s\"],\"json_block\":true}",
                  s3);
    assert_string_equal(rpcf_str(json_object_get(json_object_get(j, "blocks"), s3), "account"),
                        w->G);
    json_decref(j);
    rpcf_expect_error(&w->f, "Block not found", "{\"action\":\"blocks\",\"hashes\":[\"%064d\"]}",
                      0);

    j = rpcf_call(&w->f, NULL, "{\"action\":\"available_supply\"}");
    assert_amount(j, "available", smn(112)); /* what genesis gave away */
    json_decref(j);
    rpcf_expect_error(&w->f, "Unsupported field: x (not an option of available_supply)",
                      "{\"action\":\"available_supply\",\"x\":1}");

    /* Nano's unit names work too */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"nano_to_raw\",\"amount\":\"1.5\"}");
    assert_string_equal(rpcf_str(j, "amount"), "1500000000000000000000000000000");
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad amount number", "{\"action\":\"raw_to_nano\",\"amount\":\"-1\"}");

    /* keys */
    char pub[65];
    rpcf_hex(w->a.kp.pub, pub);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_get\",\"key\":\"%s\"}", pub);
    assert_string_equal(rpcf_str(j, "account"), w->A);
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad public key", "{\"action\":\"account_get\",\"key\":\"12\"}");
    j = rpcf_call(&w->f, NULL, "{\"action\":\"account_key\",\"account\":\"%s\"}", w->A);
    assert_string_equal(rpcf_str(j, "key"), pub);
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad account number",
                      "{\"action\":\"account_key\",\"account\":\"smn_1\"}");
    char seed[65];
    memset(seed, '0', 64);
    seed[64] = '\0';
    j = rpcf_call(&w->f, NULL, "{\"action\":\"deterministic_key\",\"seed\":\"%s\",\"index\":\"1\"}",
                  seed);
    smn_keypair kp;
    uint8_t zs[32] = {0};
    smn_key_from_seed(zs, 1, &kp);
    char kpub[65];
    rpcf_hex(kp.pub, kpub);
    assert_string_equal(rpcf_str(j, "public"), kpub);
    json_decref(j);
    rpcf_expect_error(&w->f, "Missing field: index",
                      "{\"action\":\"deterministic_key\",\"seed\":\"%s\"}", seed);
    rpcf_expect_error(&w->f, "Bad seed",
                      "{\"action\":\"deterministic_key\",\"seed\":\"00\",\"index\":0}");
}

static char *process_body(const smn_block *b);

/* A block whose previous is unknown waits in unchecked. */
static void test_unchecked(void **state)
{
    world *w = *state;
    wallet_work_opts wo = {.net = w->f.net, .threads = 1};
    wallet_account_state gst = w->g.st;
    memset(gst.frontier, 0x5A, 32); /* a previous nobody has */
    smn_block b;
    assert_int_equal(
        wallet_build_send(&w->g.kp, &gst, w->c.kp.pub, smn_amount_from_u64(1), &wo, &b), WALLET_OK);
    char *body = process_body(&b);
    rpcf_expect_error(&w->f, "Gap previous block", "%s", body);
    free(body);
    uint8_t h[32];
    smn_block_hash(&b, h);
    char hex[65], dep[65];
    rpcf_hex(h, hex);
    rpcf_hex(gst.frontier, dep);

    json_t *j = rpcf_call(&w->f, NULL, "{\"action\":\"unchecked\",\"json_block\":true}");
    json_t *bl = json_object_get(j, "blocks");
    assert_int_equal(json_object_size(bl), 1);
    assert_string_equal(rpcf_str(json_object_get(bl, hex), "account"), w->G);
    json_decref(j);
    rpcf_expect_error(&w->f, "Invalid count limit", "{\"action\":\"unchecked\",\"count\":\"x\"}");

    j = rpcf_call(&w->f, NULL, "{\"action\":\"unchecked_get\",\"hash\":\"%s\"}", hex);
    assert_string_equal(rpcf_str(j, "key"), dep);
    assert_true(json_is_string(json_object_get(j, "contents")));
    json_decref(j);
    rpcf_expect_error(&w->f, "Unchecked block not found",
                      "{\"action\":\"unchecked_get\",\"hash\":\"%064d\"}", 0);

    j = rpcf_call(&w->f, NULL, "{\"action\":\"unchecked_keys\",\"key\":\"%s\"}", dep);
    json_t *list = json_object_get(j, "unchecked");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(rpcf_str(json_array_get(list, 0), "hash"), hex);
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"unchecked_keys\",\"key\":\"%s\"}", hex);
    assert_int_equal(json_array_size(json_object_get(j, "unchecked")), 0);
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad block hash", "{\"action\":\"unchecked_keys\",\"key\":\"1\"}");

    j = rpcf_call(&w->f, NULL, "{\"action\":\"frontier_count\"}");
    assert_string_equal(rpcf_str(j, "count"), "2"); /* genesis and A (B has no blocks) */
    json_decref(j);
    rpcf_expect_error(&w->f, "Unsupported field: account (not an option of frontier_count)",
                      "{\"action\":\"frontier_count\",\"account\":\"%s\"}", w->A);
}

static void test_blocks(void **state)
{
    world *w = *state;
    char s1[65], s2[65], s3[65], gen[65];
    rpcf_hex(w->s1, s1);
    rpcf_hex(w->s2, s2);
    rpcf_hex(w->s3, s3);
    rpcf_hex(w->gen, gen);
    json_t *j = rpcf_call(
        &w->f, NULL, "{\"action\":\"block_info\",\"hash\":\"%s\",\"json_block\":\"true\"}", s1);
    assert_string_equal(rpcf_str(j, "block_account"), w->G);
    assert_amount(j, "amount", smn(100));
    assert_string_equal(rpcf_str(j, "height"), "2");
    assert_string_equal(rpcf_str(j, "confirmed"), "true");
    assert_string_equal(rpcf_str(j, "subtype"), "send");
    assert_hash(j, "successor", w->s2);
    json_t *contents = json_object_get(j, "contents");
    assert_true(json_is_object(contents));
    assert_string_equal(rpcf_str(contents, "link_as_account"), w->A);
    json_decref(j);
    /* default: contents as a string holding JSON (Nano) */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"block_info\",\"hash\":\"%s\"}", s3);
    json_t *parsed = json_loads(rpcf_str(j, "contents"), 0, NULL);
    assert_non_null(parsed);
    smn_block b;
    char err[100];
    assert_int_equal(smn_block_from_json(parsed, &b, err, sizeof err), 0);
    uint8_t h[32];
    smn_block_hash(&b, h);
    assert_memory_equal(h, w->s3, 32);
    json_decref(parsed);
    assert_string_equal(rpcf_str(j, "confirmed"), "false");
    json_decref(j);
    rpcf_expect_error(&w->f, "Block not found", "{\"action\":\"block_info\",\"hash\":\"%064d\"}",
                      0);
    rpcf_expect_error(&w->f, "Bad block hash", "{\"action\":\"block_info\",\"hash\":\"%.63s\"}",
                      s1);

    j = rpcf_call(&w->f, NULL, "{\"action\":\"blocks_info\",\"hashes\":[\"%s\",\"%s\"]}", s1, s2);
    assert_int_equal(json_object_size(json_object_get(j, "blocks")), 2);
    json_decref(j);
    rpcf_expect_error(&w->f, "Block not found",
                      "{\"action\":\"blocks_info\",\"hashes\":[\"%s\",\"%064d\"]}", s1, 0);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"blocks_info\",\"hashes\":[\"%s\",\"%064d\"],"
                  "\"include_not_found\":\"true\"}",
                  s1, 0);
    assert_int_equal(json_object_size(json_object_get(j, "blocks")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "blocks_not_found")), 1);
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad block hash", "{\"action\":\"blocks_info\",\"hashes\":[1]}");

    /* chain walks back, successors forward */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"chain\",\"block\":\"%s\",\"count\":10}", s3);
    json_t *bl = json_object_get(j, "blocks");
    assert_int_equal(json_array_size(bl), 4);
    assert_string_equal(json_string_value(json_array_get(bl, 0)), s3);
    assert_string_equal(json_string_value(json_array_get(bl, 3)), gen);
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"chain\",\"block\":\"%s\",\"count\":2,\"offset\":1}",
                  s3);
    bl = json_object_get(j, "blocks");
    assert_int_equal(json_array_size(bl), 2);
    assert_string_equal(json_string_value(json_array_get(bl, 0)), s2);
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"successors\",\"block\":\"%s\"}", s1);
    bl = json_object_get(j, "blocks");
    assert_int_equal(json_array_size(bl), 3);
    assert_string_equal(json_string_value(json_array_get(bl, 0)), s1);
    assert_string_equal(json_string_value(json_array_get(bl, 2)), s3);
    json_decref(j);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"chain\",\"block\":\"%s\",\"reverse\":\"true\",\"count\":2}", gen);
    bl = json_object_get(j, "blocks");
    assert_int_equal(json_array_size(bl), 2);
    assert_string_equal(json_string_value(json_array_get(bl, 1)), s1);
    json_decref(j);
    rpcf_expect_error(&w->f, "Block not found", "{\"action\":\"chain\",\"block\":\"%064d\"}", 0);
}

static void test_node(void **state)
{
    world *w = *state;
    json_t *j = rpcf_call(&w->f, NULL, "{\"action\":\"block_count\"}");
    assert_string_equal(rpcf_str(j, "count"), "6");
    assert_string_equal(rpcf_str(j, "cemented"), "3");
    assert_string_equal(rpcf_str(j, "unchecked"), "0");
    json_decref(j);

    uint8_t zero[32] = {0};
    char first[65];
    rpcf_addr(zero, first);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"frontiers\",\"account\":\"%s\",\"count\":\"10\"}",
                  first);
    json_t *fr = json_object_get(j, "frontiers");
    assert_int_equal(json_object_size(fr), 2);
    assert_hash(fr, w->A, w->a_change);
    assert_hash(fr, w->G, w->s3);
    json_decref(j);

    /* include_only_confirmed (default true): s3 is not cemented yet */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"receivable\",\"account\":\"%s\"}", w->B);
    json_t *bl = json_object_get(j, "blocks");
    assert_true(json_is_array(bl));
    assert_int_equal(json_array_size(bl), 0);
    json_decref(j);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"receivable\",\"account\":\"%s\",\"include_only_confirmed\":false}",
                  w->B);
    bl = json_object_get(j, "blocks");
    assert_int_equal(json_array_size(bl), 1);
    char s3[65], s2[65];
    rpcf_hex(w->s3, s3);
    rpcf_hex(w->s2, s2);
    assert_string_equal(json_string_value(json_array_get(bl, 0)), s3);
    json_decref(j);
    rpcf_expect_error(&w->f, "Unsupported field: include_active (not an option of receivable)",
                      "{\"action\":\"receivable\",\"account\":\"%s\",\"include_active\":true}",
                      w->B);
    rpcf_confirm(&w->f, w->s3); /* cements s2 too (same chain) */
    j = rpcf_call(&w->f, NULL, "{\"action\":\"receivable\",\"account\":\"%s\"}", w->B);
    assert_int_equal(json_array_size(json_object_get(j, "blocks")), 1);
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"receivable\",\"account\":\"%s\",\"threshold\":\"1\"}",
                  w->A);
    assert_amount(json_object_get(j, "blocks"), s2, smn(5));
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"receivable\",\"account\":\"%s\",\"source\":\"true\"}",
                  w->A);
    json_t *one = json_object_get(json_object_get(j, "blocks"), s2);
    assert_string_equal(rpcf_str(one, "source"), w->G);
    json_decref(j);
    char big[SMN_AMOUNT_RAW_STRLEN];
    smn_amount_format_raw(smn(6), big);
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"receivable\",\"account\":\"%s\",\"threshold\":\"%s\"}", w->A, big);
    assert_int_equal(json_object_size(json_object_get(j, "blocks")), 0);
    json_decref(j);
    rpcf_expect_error(&w->f, "Bad amount number",
                      "{\"action\":\"receivable\",\"account\":\"%s\",\"threshold\":\"1e5\"}", w->A);

    j = rpcf_call(&w->f, NULL, "{\"action\":\"representatives\",\"sorting\":true}");
    json_t *reps = json_object_get(j, "representatives");
    assert_int_equal(json_object_size(reps), 2);
    assert_amount(reps, w->C, smn(100));
    assert_amount(
        reps, w->G,
        smn_amount_sub_wrap(smn_amount_sub_wrap(smn_network_supply(), smn(100)), smn(12)));
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"representatives\",\"count\":1}");
    assert_int_equal(json_object_size(json_object_get(j, "representatives")), 1);
    json_decref(j);

    j = rpcf_call(&w->f, NULL, "{\"action\":\"telemetry\"}");
    assert_string_equal(rpcf_str(j, "block_count"), "6");
    assert_string_equal(rpcf_str(j, "network"), "dev");
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"version\"}");
    assert_string_equal(rpcf_str(j, "network"), "dev");
    assert_hash(j, "network_identifier", w->gen);
    assert_true(strncmp(rpcf_str(j, "node_vendor"), "smallnano ", 10) == 0);
    json_decref(j);
    j = rpcf_call(&w->f, NULL, "{\"action\":\"uptime\"}");
    assert_true(strtoul(rpcf_str(j, "seconds"), NULL, 10) < 600);
    json_decref(j);
}

static char *process_body(const smn_block *b)
{
    json_t *req = json_pack("{s:s,s:s,s:o}", "action", "process", "json_block", "true", "block",
                            smn_block_to_json(b));
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return body;
}

static void test_process(void **state)
{
    world *w = *state;
    wallet_work_opts wo = {.net = w->f.net, .threads = 1};
    smn_block b;
    assert_int_equal(wallet_build_receive(&w->b.kp, &w->b.st, w->s3, smn(7), w->b.kp.pub, &wo, &b),
                     WALLET_OK);
    char *body = process_body(&b);
    json_t *j = rpcf_call(&w->f, NULL, "%s", body);
    uint8_t h[32];
    smn_block_hash(&b, h);
    assert_hash(j, "hash", h);
    json_decref(j);
    rpcf_expect_error(&w->f, "Old block", "%s", body);
    free(body);

    /* Nano's optional subtype must match what the block is */
    smn_block sendb;
    wallet_account_state gst = w->g.st;
    assert_int_equal(
        wallet_build_send(&w->g.kp, &gst, w->c.kp.pub, smn_amount_from_u64(1), &wo, &sendb),
        WALLET_OK);
    json_t *req = json_pack("{s:s,s:s,s:o}", "action", "process", "subtype", "receive", "block",
                            smn_block_to_json(&sendb));
    body = json_dumps(req, JSON_COMPACT);
    rpcf_expect_error(&w->f, "Invalid block balance for given subtype", "%s", body);
    free(body);
    json_object_set_new(req, "subtype", json_string("open"));
    body = json_dumps(req, JSON_COMPACT);
    rpcf_expect_error(&w->f, "Invalid previous block for given subtype", "%s", body);
    free(body);
    json_object_set_new(req, "subtype", json_string("sideways"));
    body = json_dumps(req, JSON_COMPACT);
    rpcf_expect_error(&w->f, "Invalid block subtype", "%s", body);
    free(body);
    json_object_set_new(req, "subtype", json_string("send"));
    body = json_dumps(req, JSON_COMPACT);
    j = rpcf_call(&w->f, NULL, "%s", body);
    smn_block_hash(&sendb, h);
    assert_hash(j, "hash", h);
    json_decref(j);
    free(body);
    json_decref(req);
    /* the account now exists (its open is not cemented: the whole truth) */
    j = rpcf_call(&w->f, NULL,
                  "{\"action\":\"account_balance\",\"account\":\"%s\","
                  "\"include_only_confirmed\":false}",
                  w->B);
    assert_amount(j, "balance", smn(7));
    assert_amount(j, "receivable", smn_amount_from_u64(0));
    json_decref(j);

    /* a second open of B: a fork */
    assert_int_equal(wallet_build_receive(&w->b.kp, &w->b.st, w->s3, smn(7), w->c.kp.pub, &wo, &b),
                     WALLET_OK);
    body = process_body(&b);
    rpcf_expect_error(&w->f, "Fork", "%s", body);
    free(body);

    /* a send on top of an unknown previous: gap */
    wallet_account_state ghost = w->a.st;
    memset(ghost.frontier, 0x42, 32);
    assert_int_equal(
        wallet_build_send(&w->a.kp, &ghost, w->b.kp.pub, smn_amount_from_u64(1), &wo, &b),
        WALLET_OK);
    body = process_body(&b);
    rpcf_expect_error(&w->f, "Gap previous block", "%s", body);
    free(body);

    /* receiving the already received send: unreceivable */
    wallet_account_state bst = {.balance = smn(7)};
    smn_block_hash(&b, bst.frontier);
    json_t *info = rpcf_call(&w->f, NULL, "{\"action\":\"account_info\",\"account\":\"%s\"}", w->B);
    uint8_t bf[32];
    assert_true(smn_hex_decode(rpcf_str(info, "frontier"), bf, 32));
    json_decref(info);
    memcpy(bst.frontier, bf, 32);
    memcpy(bst.representative, w->b.kp.pub, 32);
    assert_int_equal(wallet_build_receive(&w->b.kp, &bst, w->s3, smn(7), w->b.kp.pub, &wo, &b),
                     WALLET_OK);
    body = process_body(&b);
    rpcf_expect_error(&w->f, "Unreceivable", "%s", body);
    free(body);
    assert_int_equal(w->f.submits, 6);
}

static void test_ledger_unavailable(void **state)
{
    (void)state;
    rpc_config cfg = {.net = smn_network_get(SMN_NET_DEV), .data_dir = "/nonexistent/smn-rpc"};
    rpc_ctx *ctx = rpc_ctx_new(&cfg);
    const char *body = "{\"action\":\"block_count\"}";
    int st;
    char *out;
    assert_int_equal(rpc_handle(ctx, body, strlen(body), &st, &out), 0);
    assert_int_equal(st, 503);
    assert_string_equal(out, "{\"error\":\"Ledger unavailable\"}");
    free(out);
    rpc_ctx_free(ctx);
    /* a dev ledger read by a context for another network is refused too */
    world *w = *state;
    rpc_config live = {.net = smn_network_get(SMN_NET_LIVE), .data_dir = w->f.dir};
    ctx = rpc_ctx_new(&live);
    assert_int_equal(rpc_handle(ctx, body, strlen(body), &st, &out), 0);
    assert_int_equal(st, 503);
    free(out);
    rpc_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_account_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_balances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nano_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_family, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unchecked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_unavailable, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
