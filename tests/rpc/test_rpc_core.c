/* The RPC core without HTTP: dispatch, request errors, the actions that need
 * no ledger, and the `process` submission path (sync and async). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/block_json.h"
#include "common/hex.h"
#include "common/keys.h"
#include "common/network.h"
#include "common/work.h"
#include "procs/rpc/rpc.h"

#include <event2/event.h>

/* The loop and work pool every context here uses (work_generate). */
static struct event_base *g_base;
static rpc_work_pool *g_pool;

static rpc_ctx *new_ctx(bool control)
{
    rpc_config cfg = {.net = smn_network_get(SMN_NET_DEV), .enable_control = control};
    rpc_ctx *ctx = rpc_ctx_new(&cfg);
    assert_non_null(ctx);
    rpc_ctx_set_work_pool(ctx, g_pool);
    return ctx;
}

typedef struct {
    bool done;
    int status;
    char *text;
} reply;

static void on_reply(void *arg, int status, char *text)
{
    reply *r = arg;
    r->done = true;
    r->status = status;
    r->text = text;
}

/* Runs one request, and the loop until it is answered; returns the parsed
 * answer (caller decrefs). */
static json_t *call(rpc_ctx *ctx, const char *body, int *status)
{
    reply r = {0};
    assert_int_equal(rpc_handle_async(ctx, body, strlen(body), on_reply, &r), 0);
    while (!r.done)
        assert_true(event_base_loop(g_base, EVLOOP_ONCE) >= 0);
    int st = r.status;
    char *out = r.text;
    assert_non_null(out);
    json_error_t e;
    json_t *j = json_loads(out, 0, &e);
    assert_non_null(j);
    free(out);
    if (status)
        *status = st;
    return j;
}

static const char *str(const json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void expect_error(rpc_ctx *ctx, const char *body, int status, const char *error)
{
    int st;
    json_t *j = call(ctx, body, &st);
    assert_int_equal(st, status);
    assert_string_equal(str(j, "error"), error);
    json_decref(j);
}

static void test_table_sorted(void **state)
{
    (void)state;
    size_t n;
    const rpc_action *t = rpc_actions(&n);
    assert_true(n > 20);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(t[i - 1].name, t[i].name) < 0);
    for (size_t i = 0; i < n; i++)
        assert_ptr_equal(rpc_action_find(t[i].name), &t[i]);
    assert_null(rpc_action_find("nope"));
    assert_null(rpc_action_find(""));
}

static void test_request_errors(void **state)
{
    (void)state;
    rpc_ctx *ctx = new_ctx(false);
    expect_error(ctx, "{", 400, "Unable to parse JSON");
    expect_error(ctx, "", 400, "Unable to parse JSON");
    expect_error(ctx, "\"action\"", 400, "Unable to parse JSON");
    expect_error(ctx, "{\"action\": 5}", 400, "Unable to parse JSON");
    expect_error(ctx, "{\"foo\": \"bar\"}", 400, "Unable to parse JSON");
    expect_error(ctx, "{\"action\":\"version\",\"action\":\"uptime\"}", 400,
                 "Unable to parse JSON");
    expect_error(ctx, "{\"action\":\"no_such_thing\"}", 200, "Unknown command");
    expect_error(ctx, "{\"action\":\"wallet_create\"}", 200, "RPC control is disabled");
    expect_error(ctx, "{\"action\":\"send\"}", 200, "RPC control is disabled");
    expect_error(ctx, "{\"action\":\"work_generate\",\"hash\":\"00\"}", 200,
                 "RPC control is disabled");
    /* bodies with an embedded NUL are not JSON */
    int st;
    char *out;
    assert_int_equal(rpc_handle(ctx, "{\"action\":\0}", 12, &st, &out), 0);
    assert_int_equal(st, 400);
    free(out);
    /* over the size limit, refused before parsing */
    size_t big = RPC_MAX_BODY_BYTES + 1;
    char *b = malloc(big);
    assert_non_null(b);
    memset(b, ' ', big);
    assert_int_equal(rpc_handle(ctx, b, big, &st, &out), 0);
    assert_int_equal(st, 413);
    free(out);
    free(b);
    rpc_ctx_free(ctx);
}

static void test_keys(void **state)
{
    (void)state;
    rpc_ctx *ctx = new_ctx(false);
    json_t *j = call(ctx, "{\"action\":\"key_create\"}", NULL);
    uint8_t priv[32], pub[32], apub[32];
    assert_true(smn_hex_decode(str(j, "private"), priv, 32));
    assert_true(smn_hex_decode(str(j, "public"), pub, 32));
    assert_int_equal(smn_address_decode(str(j, "account"), apub), SMN_ADDRESS_OK);
    assert_memory_equal(pub, apub, 32);
    smn_keypair kp;
    smn_key_expand(priv, &kp);
    assert_memory_equal(kp.pub, pub, 32);
    json_decref(j);

    char body[200], hex[65];
    smn_hex_encode(priv, 32, hex);
    snprintf(body, sizeof body, "{\"action\":\"key_expand\",\"key\":\"%s\"}", hex);
    j = call(ctx, body, NULL);
    char pubhex[65];
    smn_hex_encode(pub, 32, pubhex);
    assert_string_equal(str(j, "public"), pubhex);
    assert_string_equal(str(j, "private"), hex);
    json_decref(j);

    expect_error(ctx, "{\"action\":\"key_expand\"}", 200, "Missing field: key");
    expect_error(ctx, "{\"action\":\"key_expand\",\"key\":\"12\"}", 200, "Bad private key");
    expect_error(ctx, "{\"action\":\"key_expand\",\"key\":7}", 200, "Bad key");

    char acc[SMN_ADDRESS_STRLEN];
    smn_address_encode(pub, acc);
    snprintf(body, sizeof body, "{\"action\":\"validate_account_number\",\"account\":\"%s\"}", acc);
    j = call(ctx, body, NULL);
    assert_string_equal(str(j, "valid"), "1");
    json_decref(j);
    acc[10] = acc[10] == '1' ? '3' : '1'; /* breaks the checksum */
    snprintf(body, sizeof body, "{\"action\":\"validate_account_number\",\"account\":\"%s\"}", acc);
    j = call(ctx, body, NULL);
    assert_string_equal(str(j, "valid"), "0");
    json_decref(j);
    rpc_ctx_free(ctx);
}

static void test_work(void **state)
{
    (void)state;
    rpc_ctx *ctx = new_ctx(true);
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    uint8_t root[32];
    for (int i = 0; i < 32; i++)
        root[i] = (uint8_t)(i * 7 + 1);
    char roothex[65], body[300];
    smn_hex_encode(root, 32, roothex);

    snprintf(body, sizeof body, "{\"action\":\"work_generate\",\"hash\":\"%s\"}", roothex);
    json_t *j = call(ctx, body, NULL);
    uint64_t nonce;
    assert_true(smn_work_parse(str(j, "work"), &nonce));
    assert_true(smn_work_valid(root, nonce, smn_work_threshold(net, false)));
    assert_string_equal(str(j, "hash"), roothex);
    uint64_t diff;
    assert_true(smn_work_parse(str(j, "difficulty"), &diff));
    assert_true(diff == smn_work_value(root, nonce));
    const char *mult = str(j, "multiplier");
    assert_true(strtoul(mult, NULL, 10) >= 1);
    assert_non_null(strchr(mult, '.'));
    char work[17];
    snprintf(work, sizeof work, "%s", str(j, "work"));
    json_decref(j);

    snprintf(body, sizeof body, "{\"action\":\"work_validate\",\"hash\":\"%s\",\"work\":\"%s\"}",
             roothex, work);
    j = call(ctx, body, NULL);
    assert_string_equal(str(j, "valid_all"), "1");
    assert_string_equal(str(j, "valid_receive"), "1");
    assert_null(json_object_get(j, "valid"));
    json_decref(j);

    /* find a nonce below the receive threshold: invalid for both */
    uint64_t bad = 0;
    while (smn_work_value(root, bad) >= smn_work_threshold(net, true))
        bad++;
    smn_work_format(bad, work);
    snprintf(body, sizeof body,
             "{\"action\":\"work_validate\",\"hash\":\"%s\",\"work\":\"%s\","
             "\"difficulty\":\"0000000000000001\"}",
             roothex, work);
    j = call(ctx, body, NULL);
    assert_string_equal(str(j, "valid_all"), "0");
    assert_string_equal(str(j, "valid_receive"), "0");
    assert_string_equal(str(j, "valid"), "1");
    json_decref(j);

    snprintf(body, sizeof body, "{\"action\":\"work_validate\",\"hash\":\"%s\",\"work\":\"xyz\"}",
             roothex);
    expect_error(ctx, body, 200, "Bad work");
    expect_error(ctx, "{\"action\":\"work_validate\",\"hash\":\"ABC\",\"work\":\"0\"}", 200,
                 "Bad block hash");
    snprintf(body, sizeof body,
             "{\"action\":\"work_generate\",\"hash\":\"%s\",\"difficulty\":\"0000000000000001\"}",
             roothex);
    expect_error(ctx, body, 200, "Difficulty below the network minimum");
    snprintf(body, sizeof body,
             "{\"action\":\"work_generate\",\"hash\":\"%s\",\"difficulty\":\"nothex\"}", roothex);
    expect_error(ctx, body, 200, "Bad difficulty");
    rpc_ctx_free(ctx);
}

static void test_units_and_block_hash(void **state)
{
    (void)state;
    rpc_ctx *ctx = new_ctx(false);
    json_t *j = call(
        ctx, "{\"action\":\"raw_to_smn\",\"amount\":\"1500000000000000000000000000000\"}", NULL);
    assert_string_equal(str(j, "amount"), "1.5");
    json_decref(j);
    j = call(ctx, "{\"action\":\"smn_to_raw\",\"amount\":\"2\"}", NULL);
    assert_string_equal(str(j, "amount"), "2000000000000000000000000000000");
    json_decref(j);
    expect_error(ctx, "{\"action\":\"raw_to_smn\",\"amount\":\"-1\"}", 200, "Bad amount number");
    expect_error(ctx, "{\"action\":\"raw_to_smn\",\"amount\":12}", 200, "Bad amount number");
    expect_error(
        ctx, "{\"action\":\"raw_to_smn\",\"amount\":\"340282366920938463463374607431768211456\"}",
        200, "Bad amount number");
    expect_error(ctx, "{\"action\":\"smn_to_raw\",\"amount\":\"1.2.3\"}", 200, "Bad amount number");

    const smn_network *net = smn_network_get(SMN_NET_DEV);
    json_t *blk = smn_block_to_json(&net->genesis);
    json_t *req = json_pack("{s:s,s:O}", "action", "block_hash", "block", blk);
    char *body = json_dumps(req, JSON_COMPACT);
    j = call(ctx, body, NULL);
    uint8_t h[32];
    char hex[65];
    smn_block_hash(&net->genesis, h);
    smn_hex_encode(h, 32, hex);
    assert_string_equal(str(j, "hash"), hex);
    json_decref(j);
    free(body);
    /* the same block as a string holding JSON (Nano's default form) */
    char *blktext = json_dumps(blk, JSON_COMPACT);
    json_object_set_new(req, "block", json_string(blktext));
    body = json_dumps(req, JSON_COMPACT);
    j = call(ctx, body, NULL);
    assert_string_equal(str(j, "hash"), hex);
    json_decref(j);
    free(body);
    free(blktext);
    json_decref(req);
    json_decref(blk);

    int st;
    j = call(ctx, "{\"action\":\"block_hash\",\"block\":{\"type\":\"state\"}}", &st);
    assert_int_equal(st, 200);
    assert_true(strncmp(str(j, "error"), "Block is invalid: ", 18) == 0);
    json_decref(j);
    expect_error(ctx, "{\"action\":\"block_hash\",\"block\":\"{not json\"}", 200,
                 "Block is invalid: not JSON");
    expect_error(ctx, "{\"action\":\"block_hash\"}", 200, "Missing field: block");
    rpc_ctx_free(ctx);
}

/* ---- process ---- */

typedef struct {
    int calls;
    rpc_process_status answer;
    bool defer;
    rpc_submission *held;
    smn_block last;
} fake_ledger_link;

/* Test double for the IPC link only: the real ledger is exercised in
 * test_rpc_ledger.c. This one checks the core's submission contract. */
static void submit_cb(void *user, const smn_block *b, rpc_submission *s)
{
    fake_ledger_link *f = user;
    f->calls++;
    f->last = *b;
    if (f->defer)
        f->held = s;
    else
        rpc_submission_done(s, f->answer);
}

typedef struct {
    int calls;
    int status;
    char *text;
} answer;

static void on_done(void *arg, int status, char *text)
{
    answer *a = arg;
    a->calls++;
    a->status = status;
    free(a->text);
    a->text = text;
}

static char *process_body(const smn_block *b)
{
    json_t *req = json_pack("{s:s,s:s,s:o}", "action", "process", "json_block", "true", "block",
                            smn_block_to_json(b));
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return body;
}

static void test_process_submission(void **state)
{
    (void)state;
    rpc_ctx *ctx = new_ctx(false);
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    char *body = process_body(&net->genesis);

    /* no ledger link at all */
    int st;
    json_t *j = call(ctx, body, &st);
    assert_int_equal(st, 503);
    assert_string_equal(str(j, "error"), "Ledger process unavailable");
    json_decref(j);

    fake_ledger_link f = {.answer = RPC_PROCESS_PROGRESS};
    rpc_ctx_set_submit(ctx, submit_cb, &f);
    j = call(ctx, body, &st);
    assert_int_equal(st, 200);
    uint8_t h[32];
    char hex[65];
    smn_block_hash(&net->genesis, h);
    smn_hex_encode(h, 32, hex);
    assert_string_equal(str(j, "hash"), hex);
    assert_int_equal(f.calls, 1);
    assert_memory_equal(&f.last, &net->genesis, sizeof f.last);
    json_decref(j);

    f.answer = RPC_PROCESS_FORK;
    expect_error(ctx, body, 200, "Fork");
    f.answer = RPC_PROCESS_BUSY;
    expect_error(ctx, body, 503, "Ledger is busy, try again");

    /* asynchronous answer */
    f.defer = true;
    answer a = {0};
    assert_int_equal(rpc_handle_async(ctx, body, strlen(body), on_done, &a), 0);
    assert_int_equal(a.calls, 0);
    assert_non_null(f.held);
    rpc_submission_done(f.held, RPC_PROCESS_PROGRESS);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.text, hex));

    /* the synchronous wrapper reports an asynchronous action */
    char *out = NULL;
    assert_int_equal(rpc_handle(ctx, body, strlen(body), &st, &out), -EINPROGRESS);
    rpc_submission_done(f.held, RPC_PROCESS_PROGRESS); /* late: dropped, no leak */

    /* a call still pending when the context goes away is answered */
    answer b = {0};
    assert_int_equal(rpc_handle_async(ctx, body, strlen(body), on_done, &b), 0);
    rpc_submission *late = f.held;
    rpc_ctx_free(ctx);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.status, 503);
    rpc_submission_done(late, RPC_PROCESS_PROGRESS); /* after free: only frees itself */
    free(a.text);
    free(b.text);
    free(body);
}

static void test_process_rejects_before_submit(void **state)
{
    (void)state;
    rpc_ctx *ctx = new_ctx(false);
    fake_ledger_link f = {.answer = RPC_PROCESS_PROGRESS};
    rpc_ctx_set_submit(ctx, submit_cb, &f);
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    smn_block b = net->genesis;
    /* work below even the receive threshold */
    while (smn_work_valid(smn_block_root(&b), b.work, smn_work_threshold(net, true)))
        b.work++;
    char *body = process_body(&b);
    expect_error(ctx, body, 200, "Block work is less than threshold");
    free(body);
    b = net->genesis;
    b.signature[0] ^= 1;
    body = process_body(&b);
    expect_error(ctx, body, 200, "Bad signature");
    free(body);
    expect_error(ctx, "{\"action\":\"process\",\"block\":{\"type\":\"send\"}}", 200,
                 "Block is invalid: field \"type\" must be \"state\"");
    assert_int_equal(f.calls, 0);
    rpc_ctx_free(ctx);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    g_base = event_base_new();
    rpc_work_pool_opts wo = {.threads = 1};
    g_pool = g_base ? rpc_work_pool_new(g_base, &wo) : NULL;
    if (!g_pool)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted),
        cmocka_unit_test(test_request_errors),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_work),
        cmocka_unit_test(test_units_and_block_hash),
        cmocka_unit_test(test_process_submission),
        cmocka_unit_test(test_process_rejects_before_submit),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rpc_work_pool_free(g_pool);
    event_base_free(g_base);
    return rc;
}
