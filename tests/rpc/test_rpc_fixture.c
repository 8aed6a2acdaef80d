/* See test_rpc_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/ledger/confirm.h"
#include "ipc/ledgerdb/schema.h"
#include "tests/rpc/test_rpc_fixture.h"

static void submit_to_ledger(void *user, const smn_block *b, rpc_submission *s)
{
    rpcf *f = user;
    ledger_result r = LEDGER_ERROR;
    f->submits++;
    ledger_processor_process(f->proc, b, 1, &r);
    rpc_submission_done(s, rpc_process_from_ledger(r));
}

void rpcf_setup(rpcf *f, bool control)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(smn_crypto_init(), 0);
    const char *base = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/smn-rpc-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    f->net = smn_network_get(SMN_NET_DEV);
    char path[400], err[256];
    snprintf(path, sizeof path, "%s/%s", f->dir, LEDGER_DB_FILENAME);
    assert_int_equal(ledger_store_open(path, f->net, NULL, &f->store, err, sizeof err),
                     LEDGER_STATUS_OK);
    assert_int_equal(ledger_processor_create(f->store, NULL, &f->proc), LEDGER_STATUS_OK);
    f->control = control;
    rpc_config cfg = {.net = f->net,
                      .data_dir = f->dir,
                      .enable_control = control,
                      .wallet_kdf = wallet_kdf_light()};
    f->ctx = rpc_ctx_new(&cfg);
    assert_non_null(f->ctx);
    f->base = event_base_new();
    assert_non_null(f->base);
    rpc_work_pool_opts wo = {.threads = 1};
    f->pool = rpc_work_pool_new(f->base, &wo);
    assert_non_null(f->pool);
    rpc_ctx_set_work_pool(f->ctx, f->pool);
    f->kdf = rpc_kdf_pool_new(f->base, NULL);
    assert_non_null(f->kdf);
    rpc_ctx_set_kdf_pool(f->ctx, f->kdf);
    rpc_ctx_set_submit(f->ctx, submit_to_ledger, f);
}

void rpcf_restart_rpc(rpcf *f)
{
    rpc_ctx_free(f->ctx);
    rpc_config cfg = {.net = f->net,
                      .data_dir = f->dir,
                      .enable_control = f->control,
                      .wallet_kdf = wallet_kdf_light()};
    f->ctx = rpc_ctx_new(&cfg);
    assert_non_null(f->ctx);
    rpc_ctx_set_work_pool(f->ctx, f->pool);
    rpc_ctx_set_kdf_pool(f->ctx, f->kdf);
    rpc_ctx_set_submit(f->ctx, submit_to_ledger, f);
}

void rpcf_teardown(rpcf *f)
{
    rpc_ctx_free(f->ctx);
    rpc_work_pool_free(f->pool);
    rpc_kdf_pool_free(f->kdf);
    event_base_free(f->base);
    ledger_processor_destroy(f->proc);
    ledger_store_close(f->store);
    static const char *names[] = {"ledger.db",  "ledger.db-wal",  "ledger.db-shm",
                                  "wallets.db", "wallets.db-wal", "wallets.db-shm"};
    char p[400];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", f->dir, names[i]);
        unlink(p);
    }
    rmdir(f->dir);
}

typedef struct {
    bool done;
    int status;
    char *text;
} answer;

static void on_answer(void *arg, int status, char *text)
{
    answer *a = arg;
    a->done = true;
    a->status = status;
    a->text = text;
}

static json_t *vcall(rpcf *f, int *status, const char *fmt, va_list ap)
{
    char *body = NULL;
    assert_true(vasprintf(&body, fmt, ap) >= 0);
    answer a = {0};
    assert_int_equal(rpc_handle_async(f->ctx, body, strlen(body), on_answer, &a), 0);
    free(body);
    while (!a.done)
        assert_true(event_base_loop(f->base, EVLOOP_ONCE) >= 0);
    int st = a.status;
    char *out = a.text;
    json_error_t e;
    json_t *j = json_loads(out, 0, &e);
    if (!j)
        fail_msg("answer is not JSON: %s", out);
    free(out);
    if (status)
        *status = st;
    return j;
}

json_t *rpcf_call(rpcf *f, int *status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *j = vcall(f, status, fmt, ap);
    va_end(ap);
    return j;
}

void rpcf_expect_error(rpcf *f, const char *msg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st;
    json_t *j = vcall(f, &st, fmt, ap);
    va_end(ap);
    json_t *e = json_object_get(j, "error");
    if (!json_is_string(e)) {
        char *t = json_dumps(j, 0);
        fail_msg("expected error \"%s\", got %s", msg, t);
    }
    assert_string_equal(json_string_value(e), msg);
    assert_int_equal(st, 200);
    json_decref(j);
}

const char *rpcf_str(const json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    if (!json_is_string(v)) {
        char *t = json_dumps(j, 0);
        fail_msg("no string \"%s\" in %s", key, t);
    }
    return json_string_value(v);
}

void rpcf_genesis(rpcf_acct *a)
{
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    memset(a, 0, sizeof *a);
    smn_key_expand(smn_network_dev_genesis_key(), &a->kp);
    smn_block_hash(&net->genesis, a->st.frontier);
    a->st.balance = net->genesis.balance;
    memcpy(a->st.representative, net->genesis.representative, 32);
}

void rpcf_acct_new(rpcf_acct *a, uint32_t index)
{
    static const uint8_t seed[32] = {0x52, 0x50, 0x43}; /* "RPC" */
    memset(a, 0, sizeof *a);
    smn_key_from_seed(seed, index, &a->kp);
}

static void process_ok(rpcf *f, const smn_block *b, uint8_t hash[32])
{
    ledger_result r;
    assert_int_equal(ledger_processor_process(f->proc, b, 1, &r), LEDGER_STATUS_OK);
    if (r != LEDGER_ACCEPTED)
        fail_msg("block refused: %s", ledger_result_str(r));
    smn_block_hash(b, hash);
}

void rpcf_send(rpcf *f, rpcf_acct *from, const uint8_t to[32], smn_amount_t amount,
               uint8_t hash[32])
{
    wallet_work_opts w = {.net = f->net, .threads = 1};
    smn_block b;
    assert_int_equal(wallet_build_send(&from->kp, &from->st, to, amount, &w, &b), WALLET_OK);
    process_ok(f, &b, hash);
    memcpy(from->st.frontier, hash, 32);
    from->st.balance = b.balance;
}

void rpcf_receive(rpcf *f, rpcf_acct *to, const uint8_t send_hash[32], smn_amount_t amount,
                  uint8_t hash[32])
{
    wallet_work_opts w = {.net = f->net, .threads = 1};
    smn_block b;
    assert_int_equal(wallet_build_receive(&to->kp, &to->st, send_hash, amount, to->kp.pub, &w, &b),
                     WALLET_OK);
    process_ok(f, &b, hash);
    memcpy(to->st.frontier, hash, 32);
    to->st.balance = b.balance;
    memcpy(to->st.representative, b.representative, 32);
}

void rpcf_change(rpcf *f, rpcf_acct *a, const uint8_t rep[32], uint8_t hash[32])
{
    wallet_work_opts w = {.net = f->net, .threads = 1};
    smn_block b;
    assert_int_equal(wallet_build_change(&a->kp, &a->st, rep, &w, &b), WALLET_OK);
    process_ok(f, &b, hash);
    memcpy(a->st.frontier, hash, 32);
    memcpy(a->st.representative, rep, 32);
}

void rpcf_confirm(rpcf *f, const uint8_t hash[32])
{
    assert_int_equal(ledger_confirm(f->store, hash, NULL, NULL, NULL), LEDGER_STATUS_OK);
}

void rpcf_hex(const uint8_t *b, char out[65])
{
    smn_hex_encode(b, 32, out);
}

void rpcf_addr(const uint8_t pub[32], char out[65])
{
    smn_address_encode(pub, out);
}
