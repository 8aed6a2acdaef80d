/* The RPC's NanoVM read actions (procs/rpc/actions_vm.c) without a node: a
 * vm.db built from a simulated transcript in a temp data dir, the RPC core
 * called directly. Answers' shapes and values, paging, and the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/network.h"
#include "procs/rpc/rpc.h"
#include "procs/vm/interp/asm.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"
#include "tests/vm/programs/gen.h"
#include "tests/vm/programs/sim.h"

static char g_dir[256];
static uint8_t g_token[32], g_prog[32];
static sim *g_sim;

static const char *const counter_src = ".method 0 inc state\n"
                                       ".method 1 get view\n"
                                       "inc:\n"
                                       "    call load\n"
                                       "    addi r6, r6, 1\n"
                                       "    st r6, r15, 16, 16\n"
                                       "    li r1, 0\n"
                                       "    li r2, 1\n"
                                       "    li r3, 16\n"
                                       "    li r4, 16\n"
                                       "    hcall storage_put\n"
                                       "    halt r6\n"
                                       "get:\n"
                                       "    call load\n"
                                       "    halt r6\n"
                                       "load:\n"
                                       "    li r7, 0x63\n"
                                       "    st r7, r15, 0, 1\n"
                                       "    li r1, 0\n"
                                       "    li r2, 1\n"
                                       "    li r3, 16\n"
                                       "    li r4, 16\n"
                                       "    hcall storage_get\n"
                                       "    li r6, 0\n"
                                       "    jnz r0, done\n"
                                       "    ld r6, r15, 16, 16\n"
                                       "done:\n"
                                       "    ret\n";

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/smn-rpcvm-%ld", (long)getpid());
    mkdir(g_dir, 0700);
    char path[300];
    snprintf(path, sizeof path, "%s/vm.db", g_dir);
    sim *s = sim_new(4, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    int n;
    smn_amount_t etch[4] = {smn_amount_from_u64(0x476f6c64), smn_amount_from_u64(0x474c44),
                            smn_amount_from_u64(2), smn_amount_from_u64(1000000)};
    int first = gen_call(s, 1, sim_pub(s, 1), vm_pid_token, VM_TOKEN_ETCH, 4, etch, &n);
    memcpy(g_token, s->blk[first + n - 1].b.hash, 32);
    smn_amount_t mint[2] = {vm_token_ref(g_token), smn_amount_from_u64(5000)};
    gen_call(s, 1, sim_pub(s, 1), vm_pid_token, VM_TOKEN_MINT, 2, mint, &n);
    smn_amount_t tr[2] = {vm_token_ref(g_token), smn_amount_from_u64(1200)};
    gen_call(s, 1, sim_pub(s, 2), vm_pid_token, VM_ASSET_TRANSFER, 2, tr, &n);
    uint8_t *code, env[512];
    size_t code_len;
    vm_asm_error err;
    assert_int_equal(vm_asm(counter_src, strlen(counter_src), &code, &code_len, &err), VM_ASM_OK);
    size_t len = env_deploy(VM_CODE_BYTECODE, code, code_len, env, sizeof env);
    free(code);
    first = sim_message(s, 3, sim_pub(s, 3), env, len, &n);
    memcpy(g_prog, s->blk[first + n - 1].b.hash, 32);
    for (int i = 0; i < 3; i++)
        gen_call(s, 1, sim_pub(s, 3), g_prog, 0, 0, NULL, &n);
    uint8_t bad_root[32];
    memset(bad_root, 0x11, 32);
    len = env_commit(g_prog, bad_root, 9, env, sizeof env);
    sim_message(s, 3, sim_pub(s, 3), env, len, &n);
    for (int i = 0; i < 4; i++)
        sim_receive_all(s, i);
    vm_indexer *ix;
    assert_int_equal(vm_indexer_open(path, &ix), VM_IDX_OK);
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    vm_indexer_close(ix);
    g_sim = s;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/vm.db", g_dir);
    sim_rm_db(path);
    rmdir(g_dir);
    sim_free(g_sim);
    return 0;
}

/* One call; the answer (caller decrefs). */
static json_t *call(const char *dir, const char *fmt, ...)
{
    char body[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    rpc_config cfg = {.net = smn_network_get(SMN_NET_DEV), .data_dir = dir};
    rpc_ctx *ctx = rpc_ctx_new(&cfg);
    assert_non_null(ctx);
    int status = 0;
    char *out = NULL;
    assert_int_equal(rpc_handle(ctx, body, strlen(body), &status, &out), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    free(out);
    rpc_ctx_free(ctx);
    return j;
}

static const char *s_(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    assert_non_null(v);
    return v;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    smn_hex_encode(b, n, out);
}

static void test_programs_and_info(void **state)
{
    (void)state;
    char prog[65];
    hex(g_prog, 32, prog);
    json_t *r = call(g_dir, "{\"action\":\"vm_programs\"}");
    json_t *ps = json_object_get(r, "programs");
    assert_int_equal(json_array_size(ps), 3);
    assert_string_equal(s_(r, "next"), "");
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_programs\",\"count\":\"1\"}");
    assert_int_equal(json_array_size(json_object_get(r, "programs")), 1);
    assert_true(strlen(s_(r, "next")) == 64);
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_program_info\",\"program\":\"%s\"}", prog);
    assert_string_equal(s_(r, "kind"), "bytecode");
    assert_true(json_is_true(json_object_get(r, "fraud")));
    assert_string_equal(s_(json_object_get(r, "last_commit"), "result"), "mismatch");
    assert_non_null(json_object_get(r, "first_mismatch"));
    char addr[SMN_ADDRESS_STRLEN];
    smn_address_encode(sim_pub(g_sim, 3), addr);
    assert_string_equal(s_(r, "host"), addr);
    json_decref(r);
    /* by its 16-digit prefix */
    r = call(g_dir, "{\"action\":\"vm_program_info\",\"program\":\"%.16s\"}", prog);
    assert_string_equal(s_(r, "id"), prog);
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_program_info\",\"program\":\"%064d\"}", 0);
    assert_string_equal(s_(r, "error"), "Program not found");
    json_decref(r);
}

static void test_balances_token_storage_view(void **state)
{
    (void)state;
    char a1[SMN_ADDRESS_STRLEN], a2[SMN_ADDRESS_STRLEN], tok[65], prog[65];
    smn_address_encode(sim_pub(g_sim, 1), a1);
    smn_address_encode(sim_pub(g_sim, 2), a2);
    hex(g_token, 32, tok);
    hex(g_prog, 32, prog);
    json_t *r = call(g_dir, "{\"action\":\"vm_balances\",\"account\":\"%s\"}", a1);
    json_t *b = json_array_get(json_object_get(r, "balances"), 0);
    assert_string_equal(s_(b, "amount"), "3800");
    assert_string_equal(s_(b, "symbol"), "GLD");
    assert_string_equal(s_(b, "asset"), tok);
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_balances\",\"account\":\"%s\"}", a2);
    assert_string_equal(s_(json_array_get(json_object_get(r, "balances"), 0), "amount"), "1200");
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_token\",\"token\":\"%.32s\"}", tok);
    assert_string_equal(s_(r, "minted"), "5000");
    assert_string_equal(s_(r, "name"), "Gold");
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_storage\",\"program\":\"%s\"}", prog);
    json_t *kv = json_array_get(json_object_get(r, "storage"), 0);
    assert_string_equal(s_(kv, "key"), "63");
    assert_string_equal(s_(kv, "value"), "00000000000000000000000000000003");
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_view\",\"program\":\"%s\",\"method\":1}", prog);
    assert_string_equal(s_(r, "status"), "ok");
    assert_string_equal(s_(r, "return"), "3");
    assert_true(atoi(s_(r, "gas_used")) > 0);
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_view\",\"program\":\"%s\",\"method\":0}", prog);
    assert_string_equal(s_(r, "status"), "view_state");
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_view\",\"program\":\"%s\",\"method\":9}", prog);
    assert_string_equal(s_(r, "status"), "no_method");
    json_decref(r);
}

static void test_events(void **state)
{
    (void)state;
    json_t *r = call(g_dir, "{\"action\":\"vm_events\",\"type\":\"token.mint\"}");
    json_t *e = json_array_get(json_object_get(r, "events"), 0);
    assert_string_equal(s_(json_object_get(e, "fields"), "amount"), "5000");
    assert_string_equal(s_(json_object_get(e, "fields"), "code"), "ok");
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_events\",\"type\":\"commit\"}");
    e = json_array_get(json_object_get(r, "events"), 0);
    assert_string_equal(s_(json_object_get(e, "fields"), "result"), "mismatch");
    json_decref(r);
    /* paging: two pages of 2 are the first 4 events */
    r = call(g_dir, "{\"action\":\"vm_events\",\"count\":\"2\"}");
    json_int_t next = json_integer_value(json_object_get(r, "next"));
    json_int_t c1 = json_integer_value(
        json_object_get(json_array_get(json_object_get(r, "events"), 1), "cursor"));
    assert_int_equal(next, c1);
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_events\",\"count\":\"2\",\"from\":\"%lld\"}",
             (long long)next);
    assert_true(json_integer_value(json_object_get(json_array_get(json_object_get(r, "events"), 0),
                                                   "cursor")) > next);
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_events\",\"type\":\"tokens\"}");
    assert_non_null(strstr(s_(r, "error"), "Bad type"));
    json_decref(r);
    r = call(g_dir, "{\"action\":\"vm_events\",\"from\":\"999999\"}");
    assert_non_null(strstr(s_(r, "error"), "beyond"));
    json_decref(r);
}

static void test_no_db(void **state)
{
    (void)state;
    json_t *r = call("/nonexistent-smn-dir", "{\"action\":\"vm_programs\"}");
    assert_string_equal(s_(r, "error"), "VM database unavailable");
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_programs_and_info),
        cmocka_unit_test(test_balances_token_storage_view),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_no_db),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
