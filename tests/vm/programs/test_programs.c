/* Native programs, message assembly and the ordering rules, end to end
 * through vm_indexer_apply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "procs/vm/codec/codec.h"
#include "procs/vm/interp/asm.h"
#include "procs/vm/programs/evlayout.h"
#include "procs/vm/programs/native.h"
#include "procs/vm/programs/query.h"
#include "procs/vm/programs/swap_math.h"
#include "sim.h"
#include "tutil.h"

static const uint8_t zero32[32] = {0};

static vm_indexer *fresh(char *path, size_t cap, const char *tag)
{
    vm_indexer *ix = NULL;
    sim_tmp_db(path, cap, tag);
    assert_int_equal(vm_indexer_open(path, &ix), VM_IDX_OK);
    return ix;
}

/* Every stored event has exactly the data its type's layout describes
 * (procs/vm/programs/evlayout.c, docs/vm.md "Events"): the decoders of the
 * RPC, CLI and docs cannot drift from the writers. */
static void check_layouts(vm_indexer *ix)
{
    sqlite3_stmt *st;
    sqlite3 *db = (sqlite3 *)vm_indexer_db(ix);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT type, data FROM events", -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const uint8_t *d = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        if (!vm_evlayout_fits(type, d, len))
            fail_msg("event %s with %zu data bytes does not fit its layout", type, len);
    }
    sqlite3_finalize(st);
}

static void done(vm_indexer *ix, const char *path)
{
    check_layouts(ix);
    vm_indexer_close(ix);
    sim_rm_db(path);
}

/* Apply blocks [from, to) in creation order. */
static void apply_range(const sim *s, vm_indexer *ix, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        assert_int_equal(vm_indexer_apply(ix, &s->blk[i].b), VM_IDX_OK);
}

static int etch(sim *s, int who, smn_amount_t cap, uint8_t id[32])
{
    int n;
    smn_amount_t args[4] = {smn_amount_from_u64(0x476f6c64) /* "Gold" */,
                            smn_amount_from_u64(0x474c44) /* "GLD" */, smn_amount_from_u64(2), cap};
    int first = gen_call(s, who, sim_pub(s, who), vm_pid_token, VM_TOKEN_ETCH, 4, args, &n);
    memcpy(id, s->blk[first + n - 1].b.hash, 32);
    return first;
}

static void mint(sim *s, int who, const uint8_t id[32], smn_amount_t amount)
{
    int n;
    smn_amount_t args[2] = {vm_token_ref(id), amount};
    gen_call(s, who, sim_pub(s, who), vm_pid_token, VM_TOKEN_MINT, 2, args, &n);
}

/* A token transfer message; returns the first send, *n the number of sends. */
static int transfer(sim *s, int from, int to, const uint8_t id[32], smn_amount_t amount, int *n)
{
    smn_amount_t args[2] = {vm_token_ref(id), amount};
    return gen_call(s, from, sim_pub(s, to), vm_pid_token, VM_ASSET_TRANSFER, 2, args, n);
}

static void test_token_etch_mint_transfer(void **state)
{
    (void)state;
    char path[256];
    sim *s = sim_new(5, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    uint8_t id[32];
    etch(s, 1, smn_amount_from_u64(1000000), id);
    mint(s, 1, id, smn_amount_from_u64(5000));
    int n;
    transfer(s, 1, 2, id, smn_amount_from_u64(1200), &n);
    size_t before_receive = s->n;
    sim_receive_all(s, 2);
    size_t after_receive = s->n;
    mint(s, 3, id, smn_amount_from_u64(10));              /* not the etcher */
    mint(s, 1, id, smn_amount_from_u64(999999));          /* above the cap (5000 minted) */
    transfer(s, 2, 3, id, smn_amount_from_u64(5000), &n); /* above B's 1200 */
    sim_receive_all(s, 3);
    smn_amount_t bad_ref = smn_amount_xor(vm_token_ref(id), smn_amount_from_u64(1));
    smn_amount_t args[2] = {bad_ref, smn_amount_from_u64(1)};
    gen_call(s, 1, sim_pub(s, 2), vm_pid_token, VM_ASSET_TRANSFER, 2, args, &n);
    smn_amount_t bad_etch[4] = {smn_amount_from_u64(0x476f6c64),
                                smn_amount_from_u64(0) /* no symbol */, smn_amount_from_u64(2),
                                smn_amount_from_u64(100)};
    gen_call(s, 4, sim_pub(s, 4), vm_pid_token, VM_TOKEN_ETCH, 4, bad_etch, &n);
    smn_amount_t ctl_etch[4] = {smn_amount_from_u64(0x0141) /* control byte */,
                                smn_amount_from_u64(0x41), smn_amount_from_u64(2),
                                smn_amount_from_u64(100)};
    gen_call(s, 4, sim_pub(s, 4), vm_pid_token, VM_TOKEN_ETCH, 4, ctl_etch, &n);
    sim_receive_all(s, 2);

    vm_indexer *ix = fresh(path, sizeof path, "token");
    apply_range(s, ix, 0, before_receive);
    /* Rule 1: debited at the send, not yet credited before the receive. */
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 1)), smn_amount_from_u64(3800)));
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 2)), smn_amount_from_u64(0)));
    apply_range(s, ix, before_receive, after_receive);
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 2)), smn_amount_from_u64(1200)));
    apply_range(s, ix, after_receive, s->n);
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 1)), smn_amount_from_u64(3800)));
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 2)), smn_amount_from_u64(1200)));
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 3)), smn_amount_from_u64(0)));

    vm_token_info ti;
    assert_int_equal(vm_indexer_token(ix, id, &ti), VM_IDX_OK);
    assert_string_equal(ti.name, "Gold");
    assert_string_equal(ti.symbol, "GLD");
    assert_int_equal(ti.decimals, 2);
    assert_true(smn_amount_eq(ti.cap, smn_amount_from_u64(1000000)) &&
                smn_amount_eq(ti.minted, smn_amount_from_u64(5000)));
    assert_memory_equal(ti.etcher, sim_pub(s, 1), 32);

    assert_int_equal(count_events(ix, "token.etch", VM_N_OK), 1);
    assert_int_equal(count_events(ix, "token.etch", VM_N_BAD_ARGS), 2);
    assert_int_equal(count_events(ix, "token.mint", VM_N_OK), 1);
    assert_int_equal(count_events(ix, "token.mint", VM_N_NOT_ETCHER), 1);
    assert_int_equal(count_events(ix, "token.mint", VM_N_CAP), 1);
    /* above the balance, and an unknown token (nobody holds one) */
    assert_int_equal(count_events(ix, "token.send", VM_N_INSUFFICIENT), 2);
    /* one credited receive; the failed transfer's receive credits nothing */
    assert_int_equal(count_events(ix, "token.receive", -1), 1);
    done(ix, path);
    sim_free(s);
}

static void test_vsmn_burn_and_transfer(void **state)
{
    (void)state;
    char path[256];
    sim *s = sim_new(3, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    sim_send(s, 1, zero32, smn_amount_from_u64(700000)); /* plain burn, no message */
    int n;
    smn_amount_t args[1] = {smn_amount_from_u64(250000)};
    gen_call(s, 1, sim_pub(s, 2), vm_pid_vsmn, VM_ASSET_TRANSFER, 1, args, &n);
    smn_amount_t too_much[1] = {smn_amount_from_u64(450001)};
    gen_call(s, 1, sim_pub(s, 2), vm_pid_vsmn, VM_ASSET_TRANSFER, 1, too_much, &n);
    /* a burn that is itself a message: every chunk send burns its amount */
    smn_amount_t a2[1] = {smn_amount_from_u64(1)};
    int first = gen_call(s, 2, zero32, vm_pid_vsmn, VM_ASSET_TRANSFER, 1, a2, &n);
    smn_amount_t burned = smn_amount_from_u64(0);
    for (int i = 0; i < n; i++)
        burned = smn_amount_add_wrap(burned, smn_amount_sub_wrap(s->blk[first + i].b.prev_balance,
                                                                 s->blk[first + i].b.balance));
    sim_receive_all(s, 2);

    vm_indexer *ix = fresh(path, sizeof path, "vsmn");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    assert_true(smn_amount_eq(acct_bal(ix, vm_pid_vsmn, zero32, sim_pub(s, 1)),
                              smn_amount_from_u64(450000)));
    /* account 2: 250000 received, burned its chunk amounts, then sent 1 to
     * the burn account (debited; never received) */
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_vsmn, zero32, sim_pub(s, 2)),
                      smn_amount_sub_wrap(smn_amount_add_wrap(smn_amount_from_u64(250000), burned),
                                          smn_amount_from_u64(1))));
    assert_int_equal(count_events(ix, "vsmn.mint", VM_N_OK), 1 + n);
    assert_int_equal(count_events(ix, "vsmn.send", VM_N_INSUFFICIENT), 1);
    done(ix, path);
    sim_free(s);
}

static int deploy_swap(sim *s, int host, const uint8_t a[32], const uint8_t b[32], uint8_t id[32])
{
    uint8_t code[69], env[256];
    memcpy(code, "swap", 5);
    memcpy(code + 5, a, 32);
    memcpy(code + 37, b, 32);
    size_t len = env_deploy(VM_CODE_NATIVE, code, sizeof code, env, sizeof env);
    int n;
    int first = sim_message(s, host, sim_pub(s, host), env, len, &n);
    memcpy(id, s->blk[first + n - 1].b.hash, 32);
    return first;
}

static void transfer_call(sim *s, int from, int host, const uint8_t tok[32], smn_amount_t amount,
                          const uint8_t pool[32], uint8_t method, smn_amount_t arg)
{
    smn_amount_t args[5] = {vm_token_ref(tok), amount, smn_amount_from_u64(gen_prefix(pool)),
                            smn_amount_from_u64(method), arg};
    int n;
    gen_call(s, from, sim_pub(s, host), vm_pid_token, VM_ASSET_TRANSFER_CALL, 5, args, &n);
}

static smn_amount_t pool_bal(vm_indexer *ix, const uint8_t pool[32], const uint8_t asset[32],
                             uint8_t kind, const uint8_t *holder)
{
    smn_amount_t v = smn_amount_from_u64(0);
    assert_int_equal(vm_indexer_balance(ix, pool, asset, kind, holder, &v), VM_IDX_OK);
    return v;
}

static void test_swap_flow(void **state)
{
    (void)state;
    char path[256];
    /* 1 = liquidity provider and etcher, 2 = trader, 3 = pool host */
    sim *s = sim_new(4, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    uint8_t x[32], y[32], pool[32];
    etch(s, 1, smn_amount_from_u64(10000000), x);
    etch(s, 1, smn_amount_from_u64(10000000), y);
    mint(s, 1, x, smn_amount_from_u64(2000000));
    mint(s, 1, y, smn_amount_from_u64(2000000));
    deploy_swap(s, 3, x, y, pool);
    transfer_call(s, 1, 3, x, smn_amount_from_u64(1000000), pool, VM_SWAP_DEPOSIT,
                  smn_amount_from_u64(0));
    transfer_call(s, 1, 3, y, smn_amount_from_u64(400000), pool, VM_SWAP_DEPOSIT,
                  smn_amount_from_u64(0));
    sim_receive_all(s, 3);
    int n;
    smn_amount_t add[3] = {smn_amount_from_u64(1000000), smn_amount_from_u64(400000),
                           smn_amount_from_u64(1)};
    gen_call(s, 1, sim_pub(s, 3), pool, VM_SWAP_ADD, 3, add, &n);
    sim_receive_all(s, 3);
    transfer(s, 1, 2, x, smn_amount_from_u64(50000), &n);
    sim_receive_all(s, 2);
    /* trader sells 10000 x; then tries one with an impossible minimum */
    transfer_call(s, 2, 3, x, smn_amount_from_u64(10000), pool, VM_SWAP_SWAP,
                  smn_amount_from_u64(1));
    size_t before_host_receives = s->n;
    sim_receive_all(s, 3);
    transfer_call(s, 2, 3, x, smn_amount_from_u64(10000), pool, VM_SWAP_SWAP,
                  smn_amount_from_u64(1000000));
    /* a call to a prefix the host does not have: tokens stay with the host */
    uint8_t nopool[32] = {0xEE, 1, 2, 3, 4, 5, 6, 7};
    transfer_call(s, 2, 3, x, smn_amount_from_u64(7), nopool, VM_SWAP_SWAP, smn_amount_from_u64(0));
    sim_receive_all(s, 3);

    smn_amount_t expect_out;
    assert_true(vm_swap_out(smn_amount_from_u64(1000000), smn_amount_from_u64(400000),
                            smn_amount_from_u64(10000), &expect_out));
    /* host pays the trader's y out and the refunded x */
    smn_amount_t w1[3] = {vm_token_ref(y), expect_out, smn_amount_from_u64(gen_prefix(pool))};
    gen_call(s, 3, sim_pub(s, 2), vm_pid_token, VM_ASSET_WITHDRAW, 3, w1, &n);
    smn_amount_t w2[3] = {vm_token_ref(x), smn_amount_from_u64(10000),
                          smn_amount_from_u64(gen_prefix(pool))};
    gen_call(s, 3, sim_pub(s, 2), vm_pid_token, VM_ASSET_WITHDRAW, 3, w2, &n);
    smn_amount_t w3[3] = {vm_token_ref(x), smn_amount_from_u64(1),
                          smn_amount_from_u64(gen_prefix(pool))}; /* nothing more owed */
    gen_call(s, 3, sim_pub(s, 2), vm_pid_token, VM_ASSET_WITHDRAW, 3, w3, &n);
    sim_receive_all(s, 2);
    /* the provider removes half of its shares */
    smn_amount_t shares = smn_amount_sub_wrap(
        vm_swap_isqrt_mul(smn_amount_from_u64(1000000), smn_amount_from_u64(400000)),
        smn_amount_from_u64(VM_SWAP_MIN_LIQUIDITY));
    smn_amount_t rem[3] = {smn_amount_shr(shares, 1), smn_amount_from_u64(1),
                           smn_amount_from_u64(1)};
    gen_call(s, 1, sim_pub(s, 3), pool, VM_SWAP_REMOVE, 3, rem, &n);
    sim_receive_all(s, 3);

    vm_indexer *ix = fresh(path, sizeof path, "swap");
    apply_range(s, ix, 0, before_host_receives);
    /* Rule 2: nothing happens to the pool until its host receives */
    assert_true(smn_amount_eq(pool_bal(ix, pool, y, 2, sim_pub(s, 2)), smn_amount_from_u64(0)));
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, x, sim_pub(s, 2)), smn_amount_from_u64(40000)));
    apply_range(s, ix, before_host_receives, s->n);

    assert_true(smn_amount_eq(acct_bal(ix, vm_pid_token, y, sim_pub(s, 2)), expect_out));
    assert_true(smn_amount_eq(acct_bal(ix, vm_pid_token, x, sim_pub(s, 2)),
                              smn_amount_from_u64(50000 - 20000 - 7 + 10000)));
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, x, sim_pub(s, 3)), smn_amount_from_u64(7)));
    assert_true(smn_amount_eq(pool_bal(ix, pool, x, 2, sim_pub(s, 2)), smn_amount_from_u64(0)));
    assert_true(smn_amount_eq(pool_bal(ix, pool, pool, 2, sim_pub(s, 1)),
                              smn_amount_sub_wrap(shares, smn_amount_shr(shares, 1))));
    assert_true(smn_amount_eq(pool_bal(ix, pool, pool, 0, pool),
                              smn_amount_from_u64(VM_SWAP_MIN_LIQUIDITY)));
    /* conservation: the pool holds reserves + owed; nothing created */
    smn_amount_t rx = pool_bal(ix, pool, x, 0, pool), ry = pool_bal(ix, pool, y, 0, pool);
    smn_amount_t ox = pool_bal(ix, pool, x, 2, sim_pub(s, 1)),
                 oy = pool_bal(ix, pool, y, 2, sim_pub(s, 1));
    assert_true(smn_amount_eq(smn_amount_add_wrap(rx, ox), smn_amount_from_u64(1000000 + 10000)));
    assert_true(smn_amount_eq(smn_amount_add_wrap(ry, oy),
                              smn_amount_sub_wrap(smn_amount_from_u64(400000), expect_out)));
    assert_int_equal(count_events(ix, "swap.add", VM_N_OK), 1);
    assert_int_equal(count_events(ix, "swap.swap_a_b", VM_N_OK), 1);
    assert_int_equal(count_events(ix, "swap.remove", VM_N_OK), 1);
    assert_int_equal(count_events(ix, "call", VM_N_SLIPPAGE), 1);
    assert_int_equal(count_events(ix, "call", VM_N_NO_PROGRAM), 1);
    assert_int_equal(count_events(ix, "token.send", VM_N_INSUFFICIENT), 1); /* w3 */
    done(ix, path);
    sim_free(s);
}

static void test_swap_invalid_calls(void **state)
{
    (void)state;
    char path[256];
    sim *s = sim_new(4, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    uint8_t x[32], y[32], pool[32], bad[32];
    etch(s, 1, smn_amount_from_u64(10000000), x);
    etch(s, 1, smn_amount_from_u64(10000000), y);
    mint(s, 1, x, smn_amount_from_u64(100000));
    deploy_swap(s, 3, x, y, pool);
    deploy_swap(s, 3, x, x, bad); /* same asset twice: rejected */
    int n;
    transfer_call(s, 1, 3, x, smn_amount_from_u64(5000), pool, VM_SWAP_SWAP,
                  smn_amount_from_u64(0)); /* empty pool: refund */
    smn_amount_t add[3] = {smn_amount_from_u64(5000), smn_amount_from_u64(5000),
                           smn_amount_from_u64(0)};
    gen_call(s, 1, sim_pub(s, 3), pool, VM_SWAP_ADD, 3, add, &n); /* no y deposited */
    smn_amount_t rem[3] = {smn_amount_from_u64(10), smn_amount_from_u64(0), smn_amount_from_u64(0)};
    gen_call(s, 1, sim_pub(s, 3), pool, VM_SWAP_REMOVE, 3, rem, &n);
    gen_call(s, 1, sim_pub(s, 3), pool, 99, 0, NULL, &n);
    gen_call(s, 1, sim_pub(s, 3), pool, VM_SWAP_DEPOSIT, 0, NULL, &n); /* nothing attached */
    smn_amount_t own[3] = {smn_amount_from_u64(2), smn_amount_from_u64(5), smn_amount_from_u64(0)};
    gen_call(s, 1, sim_pub(s, 3), pool, VM_SWAP_SWAP_OWN, 3, own, &n);
    sim_receive_all(s, 3);
    vm_indexer *ix = fresh(path, sizeof path, "swapbad");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    assert_int_equal(count_events(ix, "deploy", VM_N_OK), 1);
    assert_int_equal(count_events(ix, "deploy", VM_N_BAD_CODE), 1);
    assert_int_equal(count_events(ix, "call", VM_N_EMPTY_POOL), 2);
    assert_int_equal(count_events(ix, "call", VM_N_INSUFFICIENT), 1);
    assert_int_equal(count_events(ix, "call", VM_N_NO_METHOD), 1);
    assert_int_equal(count_events(ix, "call", VM_N_NO_INPUT), 1);
    assert_int_equal(count_events(ix, "call", VM_N_BAD_ARGS), 1);
    /* the refunded 5000 x is owed to the caller inside the pool */
    assert_true(smn_amount_eq(pool_bal(ix, pool, x, 2, sim_pub(s, 1)), smn_amount_from_u64(5000)));
    assert_true(smn_amount_eq(pool_bal(ix, pool, x, 0, pool), smn_amount_from_u64(0)));
    done(ix, path);
    sim_free(s);
}

/* Rule 2: the pool's result depends on its host's receive order only. */
static void test_rule2_host_order(void **state)
{
    (void)state;
    smn_amount_t out_first[2];
    for (int variant = 0; variant < 2; variant++) {
        char path[256];
        sim *s = sim_new(5, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
        uint8_t x[32], y[32], pool[32];
        etch(s, 1, smn_amount_from_u64(10000000), x);
        etch(s, 1, smn_amount_from_u64(10000000), y);
        mint(s, 1, x, smn_amount_from_u64(3000000));
        mint(s, 1, y, smn_amount_from_u64(3000000));
        deploy_swap(s, 3, x, y, pool);
        transfer_call(s, 1, 3, x, smn_amount_from_u64(1000000), pool, VM_SWAP_DEPOSIT,
                      smn_amount_from_u64(0));
        transfer_call(s, 1, 3, y, smn_amount_from_u64(1000000), pool, VM_SWAP_DEPOSIT,
                      smn_amount_from_u64(0));
        sim_receive_all(s, 3);
        int n;
        smn_amount_t add[3] = {smn_amount_from_u64(1000000), smn_amount_from_u64(1000000),
                               smn_amount_from_u64(0)};
        gen_call(s, 1, sim_pub(s, 3), pool, VM_SWAP_ADD, 3, add, &n);
        sim_receive_all(s, 3);
        transfer(s, 1, 2, x, smn_amount_from_u64(100000), &n);
        transfer(s, 1, 4, x, smn_amount_from_u64(100000), &n);
        sim_receive_all(s, 2);
        sim_receive_all(s, 4);
        smn_amount_t a2[5] = {vm_token_ref(x), smn_amount_from_u64(100000),
                              smn_amount_from_u64(gen_prefix(pool)),
                              smn_amount_from_u64(VM_SWAP_SWAP), smn_amount_from_u64(0)};
        int f2 = gen_call(s, 2, sim_pub(s, 3), vm_pid_token, VM_ASSET_TRANSFER_CALL, 5, a2, &n);
        int n2 = n;
        int f4 = gen_call(s, 4, sim_pub(s, 3), vm_pid_token, VM_ASSET_TRANSFER_CALL, 5, a2, &n);
        int n4 = n;
        if (variant == 0) {
            sim_receive_msg(s, 3, f2, n2);
            sim_receive_msg(s, 3, f4, n4);
        } else {
            sim_receive_msg(s, 3, f4, n4);
            sim_receive_msg(s, 3, f2, n2);
        }
        /* any apply order gives the variant's result */
        size_t *order = malloc(s->n * sizeof *order);
        smn_amount_t got2 = smn_amount_from_u64(0);
        for (uint64_t seed = 1; seed <= 3; seed++) {
            vm_indexer *ix = fresh(path, sizeof path, "rule2");
            sim_order(s, seed, order);
            assert_int_equal(sim_apply_order(s, ix, order), VM_IDX_OK);
            smn_amount_t v = pool_bal(ix, pool, y, 2, sim_pub(s, 2));
            if (seed > 1)
                assert_true(smn_amount_eq(v, got2));
            got2 = v;
            done(ix, path);
        }
        out_first[variant] = got2;
        free(order);
        sim_free(s);
    }
    /* selling first gets the better price: the host's order decided it */
    assert_true(smn_amount_gt(out_first[0], out_first[1]));
}

static void test_message_abandoned(void **state)
{
    (void)state;
    char path[256];
    sim *s = sim_new(4, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    uint8_t id[32];
    etch(s, 1, smn_amount_from_u64(1000000), id);
    mint(s, 1, id, smn_amount_from_u64(1000));
    /* encode a transfer but interrupt it after the first chunk */
    uint8_t env[256];
    smn_amount_t args[2] = {vm_token_ref(id), smn_amount_from_u64(100)};
    size_t len = env_call(vm_pid_token, VM_ASSET_TRANSFER, 2, args, env, sizeof env);
    vm_chunk ch[16];
    size_t nch;
    assert_int_equal(vm_codec_encode(env, len, ch, 16, &nch), VM_CODEC_OK);
    assert_true(nch >= 2);
    sim_send(s, 1, sim_pub(s, 2), ch[0].raw);
    sim_change(s, 1); /* any other block abandons the message */
    for (size_t i = 1; i < nch; i++)
        sim_send(s, 1, sim_pub(s, 2), ch[i].raw);
    /* again, interrupted by a send to another destination */
    sim_send(s, 1, sim_pub(s, 2), ch[0].raw);
    sim_send(s, 1, sim_pub(s, 3), smn_amount_one_smn());
    for (size_t i = 1; i < nch; i++)
        sim_send(s, 1, sim_pub(s, 2), ch[i].raw);
    /* and a complete one */
    int n;
    transfer(s, 1, 2, id, smn_amount_from_u64(250), &n);
    sim_receive_all(s, 2);
    sim_receive_all(s, 3);
    vm_indexer *ix = fresh(path, sizeof path, "abandon");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    assert_int_equal(count_events(ix, "message.abandoned", -1), 2);
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 1)), smn_amount_from_u64(750)));
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 2)), smn_amount_from_u64(250)));
    done(ix, path);
    sim_free(s);
}

/* Receives never abandon a message (issue 15): a payment received between
 * two chunks leaves it intact, and a message sent to oneself completes with
 * each chunk received back before the next is sent (auto-receive), costing
 * nothing once the last chunk is received. */
static void test_message_receives_interleaved(void **state)
{
    (void)state;
    char path[256];
    const smn_amount_t fund = smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn());
    sim *s = sim_new(4, fund);
    uint8_t id[32];
    etch(s, 1, smn_amount_from_u64(1000000), id);
    mint(s, 1, id, smn_amount_from_u64(1000));
    sim_receive_all(s, 1); /* the etch and mint were sent to oneself */
    uint8_t env[256];
    smn_amount_t args[2] = {vm_token_ref(id), smn_amount_from_u64(100)};
    size_t len = env_call(vm_pid_token, VM_ASSET_TRANSFER, 2, args, env, sizeof env);
    vm_chunk ch[16];
    size_t nch;
    assert_int_equal(vm_codec_encode(env, len, ch, 16, &nch), VM_CODEC_OK);
    assert_true(nch >= 2);
    /* to 2, with a payment from 3 received by 1 between the chunks */
    sim_send(s, 1, sim_pub(s, 2), ch[0].raw);
    int pay = sim_send(s, 3, sim_pub(s, 1), smn_amount_from_u64(12345));
    sim_receive(s, 1, pay);
    for (size_t i = 1; i < nch; i++)
        sim_send(s, 1, sim_pub(s, 2), ch[i].raw);
    sim_receive_all(s, 2);
    /* to oneself, each chunk received back at once */
    smn_amount_t args2[2] = {vm_token_ref(id), smn_amount_from_u64(50)};
    len = env_call(vm_pid_token, VM_ASSET_TRANSFER, 2, args2, env, sizeof env);
    assert_int_equal(vm_codec_encode(env, len, ch, 16, &nch), VM_CODEC_OK);
    const smn_amount_t before = s->acct[1].balance;
    for (size_t i = 0; i < nch; i++) {
        int k = sim_send(s, 1, sim_pub(s, 1), ch[i].raw);
        sim_receive(s, 1, k);
    }
    vm_indexer *ix = fresh(path, sizeof path, "interleave");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    assert_int_equal(count_events(ix, "message.abandoned", -1), 0);
    assert_int_equal(count_events(ix, "token.send", VM_N_OK), 2);
    assert_int_equal(count_events(ix, "token.receive", VM_N_OK), 2);
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 1)), smn_amount_from_u64(900)));
    assert_true(
        smn_amount_eq(acct_bal(ix, vm_pid_token, id, sim_pub(s, 2)), smn_amount_from_u64(100)));
    /* the self-sent message cost account 1 nothing in smn */
    assert_true(!smn_amount_is_zero(before) && smn_amount_eq(s->acct[1].balance, before));
    done(ix, path);
    sim_free(s);
}

static void test_contract_errors_and_idempotence(void **state)
{
    (void)state;
    char path[256];
    sim *s = gen_transcript(7, 6, 60);
    vm_indexer *ix = fresh(path, sizeof path, "idem");
    /* a receive before its send; a block past the account's next height */
    size_t recv = 0, gap = 0;
    for (size_t i = 1; i < s->n; i++) {
        if (!recv && s->blk[i].src > 0)
            recv = i;
        if (!gap && s->blk[i].b.height == 3)
            gap = i;
    }
    assert_int_equal(vm_indexer_apply(ix, &s->blk[0].b), VM_IDX_OK);
    assert_int_equal(vm_indexer_apply(ix, &s->blk[gap].b), VM_IDX_ERR_ORDER);
    vm_block forged = s->blk[recv].b;
    forged.height = 1;
    memset(forged.account, 0x77, 32);
    assert_int_equal(vm_indexer_apply(ix, &forged), VM_IDX_ERR_SOURCE);
    vm_block change_link = s->blk[0].b;
    memset(change_link.account, 0x55, 32);
    memset(change_link.hash, 0x56, 32);
    change_link.height = 1;
    change_link.prev_balance = change_link.balance = smn_amount_zero();
    assert_int_equal(vm_indexer_apply(ix, &change_link), VM_IDX_ERR_BLOCK);
    assert_int_equal(vm_indexer_apply(ix, NULL), VM_IDX_ERR_ARG);

    for (size_t i = 1; i < s->n; i++) {
        vm_idx_status rc = vm_indexer_apply(ix, &s->blk[i].b);
        assert_true(rc == VM_IDX_OK);
    }
    uint8_t d1[32], d2[32], r1[32], r2[32];
    uint64_t c1, c2;
    assert_int_equal(vm_indexer_event_digest(ix, d1, &c1), VM_IDX_OK);
    assert_int_equal(vm_indexer_state_root(ix, vm_pid_token, r1), VM_IDX_OK);
    /* re-applying everything is a no-op */
    for (size_t i = 0; i < s->n; i++)
        assert_int_equal(vm_indexer_apply(ix, &s->blk[i].b), VM_IDX_ALREADY);
    /* a receive of an already received send */
    vm_block again = s->blk[recv].b;
    memset(again.hash, 0x42, 32);
    again.height = 1000;
    assert_true(vm_indexer_apply(ix, &again) != VM_IDX_OK);
    assert_int_equal(vm_indexer_event_digest(ix, d2, &c2), VM_IDX_OK);
    assert_int_equal(vm_indexer_state_root(ix, vm_pid_token, r2), VM_IDX_OK);
    assert_memory_equal(d1, d2, 32);
    assert_memory_equal(r1, r2, 32);
    assert_true(c1 == c2 && c1 > 0);
    uint8_t unknown[32] = {9};
    assert_int_equal(vm_indexer_state_root(ix, unknown, r2), VM_IDX_ERR_NOT_FOUND);
    /* reopen: the DB persists and resumes */
    vm_indexer_close(ix);
    assert_int_equal(vm_indexer_open(path, &ix), VM_IDX_OK);
    assert_int_equal(vm_indexer_apply(ix, &s->blk[s->n - 1].b), VM_IDX_ALREADY);
    assert_int_equal(vm_indexer_state_root(ix, vm_pid_token, r2), VM_IDX_OK);
    assert_memory_equal(r1, r2, 32);
    done(ix, path);
    sim_free(s);
}

static const char *const bytecode_src = ".method 0 deposit state\n"
                                        ".method 1 boom state\n"
                                        ".method 2 spin state\n"
                                        ".method 3 get view\n"
                                        "deposit:\n"
                                        "    mov r8, r1\n"
                                        "    li r7, 3\n"
                                        "    st r7, r15, 64, 1\n" /* holder at 64: INPUT */
                                        "    li r1, 133\n" /* holder at 128: PROGRAM, id at 133 */
                                        "    hcall self\n"
                                        "    li r1, 0\n" /* asset at 0: 32 zero bytes = vSMN */
                                        "    li r2, 64\n"
                                        "    li r3, 128\n"
                                        "    mov r4, r8\n"
                                        "    hcall transfer\n"
                                        "    jnz r0, bad\n"
                                        "    call bump\n"
                                        "    halt r6\n"
                                        "bad:\n"
                                        "    fail\n"
                                        "boom:\n"
                                        "    call bump\n"
                                        "    fail\n"
                                        "spin:\n"
                                        "    call bump\n"
                                        "loop:\n"
                                        "    jmp loop\n"
                                        "get:\n"
                                        "    call load\n"
                                        "    halt r6\n"
                                        "bump:\n"
                                        "    call load\n"
                                        "    addi r6, r6, 1\n"
                                        "    st r6, r15, 16, 16\n"
                                        "    li r1, 0\n"
                                        "    li r2, 5\n"
                                        "    li r3, 16\n"
                                        "    li r4, 16\n"
                                        "    hcall storage_put\n"
                                        "    li r1, 7\n"
                                        "    li r2, 16\n"
                                        "    li r3, 16\n"
                                        "    hcall emit\n"
                                        "    ret\n"
                                        "load:\n"
                                        "    li r7, 0x636f756e74\n"
                                        "    st r7, r15, 0, 5\n"
                                        "    li r1, 0\n"
                                        "    li r2, 5\n"
                                        "    li r3, 16\n"
                                        "    li r4, 16\n"
                                        "    hcall storage_get\n"
                                        "    li r6, 0\n"
                                        "    jnz r0, load_done\n"
                                        "    ld r6, r15, 16, 16\n"
                                        "load_done:\n"
                                        "    li r7, 0\n"
                                        "    st r7, r15, 0, 16\n" /* leave the asset bytes zero */
                                        "    ret\n";

static void test_bytecode_program(void **state)
{
    (void)state;
    char path[256];
    uint8_t *code;
    size_t code_len;
    vm_asm_error err;
    assert_int_equal(vm_asm(bytecode_src, strlen(bytecode_src), &code, &code_len, &err), VM_ASM_OK);
    sim *s = sim_new(4, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    uint8_t env[512], prog[32];
    size_t len = env_deploy(VM_CODE_BYTECODE, code, code_len, env, sizeof env);
    int n;
    int first = sim_message(s, 3, sim_pub(s, 3), env, len, &n);
    memcpy(prog, s->blk[first + n - 1].b.hash, 32);
    uint8_t badcode[3] = {1, 2, 3};
    len = env_deploy(VM_CODE_BYTECODE, badcode, 3, env, sizeof env);
    sim_message(s, 3, sim_pub(s, 3), env, len, &n);
    sim_send(s, 1, zero32, smn_amount_from_u64(1000000)); /* 1000000 vSMN for account 1 */
    smn_amount_t a[5] = {smn_amount_from_u64(600), smn_amount_from_u64(gen_prefix(prog)),
                         smn_amount_from_u64(0), smn_amount_from_u64(600)};
    gen_call(s, 1, sim_pub(s, 3), vm_pid_vsmn, VM_ASSET_TRANSFER_CALL, 4, a, &n);
    smn_amount_t b[5] = {smn_amount_from_u64(50), smn_amount_from_u64(gen_prefix(prog)),
                         smn_amount_from_u64(1), smn_amount_from_u64(0)};
    gen_call(s, 1, sim_pub(s, 3), vm_pid_vsmn, VM_ASSET_TRANSFER_CALL, 4, b, &n);
    gen_call(s, 1, sim_pub(s, 3), prog, 2, 0, NULL, &n); /* spin: out of gas */
    gen_call(s, 1, sim_pub(s, 3), prog, 3, 0, NULL, &n); /* a view: no change */
    smn_amount_t c[5] = {smn_amount_from_u64(100), smn_amount_from_u64(gen_prefix(prog)),
                         smn_amount_from_u64(0),
                         smn_amount_from_u64(5000)}; /* asks for more than attached */
    gen_call(s, 1, sim_pub(s, 3), vm_pid_vsmn, VM_ASSET_TRANSFER_CALL, 4, c, &n);
    sim_receive_all(s, 3);
    /* the host pays the refunds back out */
    smn_amount_t w[2] = {smn_amount_from_u64(150), smn_amount_from_u64(gen_prefix(prog))};
    gen_call(s, 3, sim_pub(s, 1), vm_pid_vsmn, VM_ASSET_WITHDRAW, 2, w, &n);
    sim_receive_all(s, 1);

    vm_indexer *ix = fresh(path, sizeof path, "bytecode");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    assert_int_equal(count_events(ix, "deploy", VM_N_OK), 1);
    assert_int_equal(count_events(ix, "deploy", VM_N_BAD_CODE), 1);
    assert_int_equal(count_events(ix, "call", VM_N_OK), 2);    /* deposit, view */
    assert_int_equal(count_events(ix, "call", VM_N_FAULT), 3); /* boom, spin, c */
    assert_int_equal(count_events(ix, "emit", -1), 1);         /* only the kept bump */
    sqlite3_stmt *st;
    sqlite3 *db = (sqlite3 *)vm_indexer_db(ix);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT value FROM storage WHERE program=?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_bytes(st, 0), 16);
    assert_int_equal(((const uint8_t *)sqlite3_column_blob(st, 0))[15], 1); /* count = 1 */
    sqlite3_finalize(st);
    assert_true(smn_amount_eq(pool_bal(ix, prog, zero32, 0, prog), smn_amount_from_u64(600)));
    /* 50 + 100 refunded to the caller inside the program, then withdrawn */
    assert_true(
        smn_amount_eq(pool_bal(ix, prog, zero32, 2, sim_pub(s, 1)), smn_amount_from_u64(0)));
    assert_true(smn_amount_eq(acct_bal(ix, vm_pid_vsmn, zero32, sim_pub(s, 1)),
                              smn_amount_from_u64(1000000 - 750 + 150)));
    /* the out-of-gas call used exactly the cap */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT data FROM events WHERE type='call' ORDER BY cursor",
                                        -1, &st, NULL),
                     SQLITE_OK);
    int k = 0, oog = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const uint8_t *d = sqlite3_column_blob(st, 0);
        uint64_t gas = 0;
        for (int i = 0; i < 8; i++)
            gas = gas << 8 | d[35 + i];
        if (d[34] == 1 /* VM_FAULT_OUT_OF_GAS */) {
            oog++;
            assert_true(gas == VM_CALL_GAS_CAP);
        }
        k++;
    }
    sqlite3_finalize(st);
    assert_int_equal(k, 5);
    assert_int_equal(oog, 1);
    done(ix, path);
    sim_free(s);
    free(code);
}

static void test_commit_and_state(void **state)
{
    (void)state;
    char path[256];
    sim *s = sim_new(3, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    uint8_t x[32], y[32], pool[32], env[512];
    etch(s, 1, smn_amount_from_u64(100), x);
    etch(s, 1, smn_amount_from_u64(100), y);
    deploy_swap(s, 2, x, y, pool);
    /* the pool root right after deployment, computed in a scratch indexer */
    vm_indexer *ix = fresh(path, sizeof path, "commit0");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    uint8_t root[32], wrong[32];
    assert_int_equal(vm_indexer_state_root(ix, pool, root), VM_IDX_OK);
    done(ix, path);
    memcpy(wrong, root, 32);
    wrong[0] ^= 1;
    int n;
    size_t len = env_commit(pool, root, 5, env, sizeof env);
    sim_message(s, 2, sim_pub(s, 2), env, len, &n);
    len = env_commit(pool, wrong, 5, env, sizeof env);
    sim_message(s, 2, sim_pub(s, 2), env, len, &n);
    len = env_commit(vm_pid_token, wrong, 5, env, sizeof env);
    sim_message(s, 2, sim_pub(s, 2), env, len, &n);
    len = env_commit(pool, root, 5, env, sizeof env); /* not the host */
    sim_message(s, 1, sim_pub(s, 1), env, len, &n);
    const uint8_t d1[] = "v1", d2[] = "v2";
    len = env_state(pool, 7, 1, VM_STATE_SET, 0, d1, 2, env, sizeof env);
    sim_message(s, 2, sim_pub(s, 2), env, len, &n);
    len = env_state(pool, 7, 1, VM_STATE_SET, 0, d1, 2, env, sizeof env); /* duplicate */
    sim_message(s, 2, sim_pub(s, 2), env, len, &n);
    len = env_state(pool, 7, 2, VM_STATE_SUPERSEDE, 1, d2, 2, env, sizeof env);
    sim_message(s, 2, sim_pub(s, 2), env, len, &n);
    len = env_state(pool, 7, 3, VM_STATE_INVALIDATE, 2, NULL, 0, env, sizeof env);
    sim_message(s, 2, sim_pub(s, 2), env, len, &n);
    len = env_state(pool, 7, 9, VM_STATE_INVALIDATE, 8, NULL, 0, env, sizeof env); /* no target */
    sim_message(s, 2, sim_pub(s, 2), env, len, &n);

    ix = fresh(path, sizeof path, "commit");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    sqlite3 *db = (sqlite3 *)vm_indexer_db(ix);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT group_concat(result, ',') FROM commits", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *res = (const char *)sqlite3_column_text(st, 0);
    assert_non_null(res);
    assert_non_null(strstr(res, "match"));
    assert_non_null(strstr(res, "mismatch"));
    assert_non_null(strstr(res, "unsequenced"));
    assert_non_null(strstr(res, "no_program"));
    sqlite3_finalize(st);
    assert_int_equal(count_events(ix, "commit", 0), 1);
    assert_int_equal(count_events(ix, "commit", 1), 1);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT seq, valid FROM pstate WHERE program=? AND"
                                        " session=7 ORDER BY seq",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(st, 1, pool, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_int_equal(sqlite3_column_int(st, 1), 0); /* superseded */
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    assert_int_equal(sqlite3_column_int(st, 1), 0); /* invalidated */
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(count_events(ix, "state", VM_N_OK), 3);
    assert_int_equal(count_events(ix, "state", VM_N_DUPLICATE), 1);
    assert_int_equal(count_events(ix, "state", VM_N_BAD_ARGS), 1);
    /* the published versions are part of the root */
    uint8_t after[32];
    assert_int_equal(vm_indexer_state_root(ix, pool, after), VM_IDX_OK);
    assert_memory_not_equal(after, root, 32);
    done(ix, path);
    sim_free(s);
}

static void test_invalid_and_opaque_messages(void **state)
{
    (void)state;
    char path[256];
    sim *s = sim_new(3, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    int n;
    uint8_t junk[5] = {0xff, 1, 2, 3, 4}; /* not an envelope */
    sim_message(s, 1, sim_pub(s, 2), junk, sizeof junk, &n);
    vm_envelope e = {0};
    e.kind = VM_KIND_CALL;
    memcpy(e.program_id, vm_pid_token, 8);
    e.body.call.method = VM_ASSET_TRANSFER;
    uint8_t key[32] = {1}, nonce[24] = {2}, env[256];
    size_t len;
    assert_int_equal(vm_envelope_encode_encrypted(&e, key, nonce, env, sizeof env, &len),
                     VM_ENV_OK);
    sim_message(s, 1, sim_pub(s, 2), env, len, &n);
    sim_receive_all(s, 2);
    vm_indexer *ix = fresh(path, sizeof path, "invalid");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    assert_int_equal(count_events(ix, "message.invalid", -1), 1);
    assert_int_equal(count_events(ix, "message.opaque", -1), 1);
    done(ix, path);
    sim_free(s);
}

/* keep (state): stores its five arguments r1..r5 (16 bytes each) under key
 * "k"; arg (view) i: returns stored argument r1 (0..4). */
static const char *const keep_src = ".method 0 keep state\n"
                                    ".method 1 arg view\n"
                                    "keep:\n"
                                    "    st r1, r15, 0, 16\n"
                                    "    st r2, r15, 16, 16\n"
                                    "    st r3, r15, 32, 16\n"
                                    "    st r4, r15, 48, 16\n"
                                    "    st r5, r15, 64, 16\n"
                                    "    li r7, 0x6b\n"
                                    "    st r7, r15, 128, 1\n"
                                    "    li r1, 128\n"
                                    "    li r2, 1\n"
                                    "    li r3, 0\n"
                                    "    li r4, 80\n"
                                    "    hcall storage_put\n"
                                    "    halt r0\n"
                                    "arg:\n"
                                    "    mov r8, r1\n"
                                    "    li r7, 0x6b\n"
                                    "    st r7, r15, 128, 1\n"
                                    "    li r1, 128\n"
                                    "    li r2, 1\n"
                                    "    li r3, 0\n"
                                    "    li r4, 80\n"
                                    "    hcall storage_get\n"
                                    "    li r9, 16\n"
                                    "    mul r8, r8, r9\n"
                                    "    ld r6, r8, 0, 16\n"
                                    "    halt r6\n";

/* transfer_call hands the callee every argument after the method: two for
 * vSMN, one for a token (issue 15: the fifth was dropped). And a view call
 * on the live state (vm_query_view) reads what the calls stored. */
static void test_transfer_call_args(void **state)
{
    (void)state;
    char path[256];
    uint8_t *code;
    size_t code_len;
    vm_asm_error err;
    assert_int_equal(vm_asm(keep_src, strlen(keep_src), &code, &code_len, &err), VM_ASM_OK);
    sim *s = sim_new(4, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    uint8_t env[512], prog[32], tok[32];
    size_t len = env_deploy(VM_CODE_BYTECODE, code, code_len, env, sizeof env);
    int n;
    int first = sim_message(s, 3, sim_pub(s, 3), env, len, &n);
    memcpy(prog, s->blk[first + n - 1].b.hash, 32);
    sim_send(s, 1, zero32, smn_amount_from_u64(1000000));
    const smn_amount_t hi = smn_amount_make(0x0102030405060708u, 0x090a0b0c0d0e0f10u);
    const smn_amount_t lo = smn_amount_make(0x1112131415161718u, 0x191a1b1c1d1e1f20u);
    smn_amount_t a[5] = {smn_amount_from_u64(600), smn_amount_from_u64(gen_prefix(prog)),
                         smn_amount_from_u64(0), hi, lo};
    gen_call(s, 1, sim_pub(s, 3), vm_pid_vsmn, VM_ASSET_TRANSFER_CALL, 5, a, &n);
    sim_receive_all(s, 3);

    vm_indexer *ix = fresh(path, sizeof path, "tcall");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    assert_int_equal(count_events(ix, "call", VM_N_OK), 1);
    vm_query *q;
    assert_int_equal(vm_query_open(path, &q), VM_IDX_OK);
    assert_int_equal(vm_query_begin(q), VM_IDX_OK);
    vm_query_view_result r;
    smn_amount_t i0 = smn_amount_from_u64(0), i1 = smn_amount_from_u64(1),
                 i2 = smn_amount_from_u64(2);
    assert_int_equal(vm_query_view(q, prog, NULL, 1, &i0, 1, 100000, &r), VM_IDX_OK);
    assert_int_equal(r.status, 0);
    assert_true(smn_amount_eq(r.ret, hi));
    assert_true(r.gas_used > 0);
    assert_int_equal(vm_query_view(q, prog, NULL, 1, &i1, 1, 100000, &r), VM_IDX_OK);
    assert_true(smn_amount_eq(r.ret, lo)); /* the fifth argument arrived */
    assert_int_equal(vm_query_view(q, prog, NULL, 1, &i2, 1, 100000, &r), VM_IDX_OK);
    assert_true(smn_amount_eq(r.ret, smn_amount_from_u64(0)));
    /* a state method in view mode faults, and gas is bounded */
    assert_int_equal(vm_query_view(q, prog, NULL, 0, NULL, 0, 100000, &r), VM_IDX_OK);
    assert_int_equal(r.status, VM_FAULT_VIEW_STATE);
    assert_int_equal(vm_query_view(q, prog, NULL, 1, &i0, 1, 5, &r), VM_IDX_OK);
    assert_int_equal(r.status, VM_FAULT_OUT_OF_GAS);
    vm_query_proginfo pi;
    assert_int_equal(vm_query_program(q, prog, &pi), VM_IDX_OK);
    assert_int_equal(pi.kind, VM_PROG_BYTECODE);
    assert_int_equal(pi.version, 1);
    vm_query_close(q);
    vm_indexer_close(ix);

    /* token: ref, amount, prefix, method, one argument */
    sim *t = sim_new(4, smn_amount_mul_wrap(smn_amount_from_u64(1000), smn_amount_one_smn()));
    len = env_deploy(VM_CODE_BYTECODE, code, code_len, env, sizeof env);
    first = sim_message(t, 3, sim_pub(t, 3), env, len, &n);
    memcpy(prog, t->blk[first + n - 1].b.hash, 32);
    etch(t, 1, smn_amount_from_u64(1000), tok);
    mint(t, 1, tok, smn_amount_from_u64(1000));
    smn_amount_t b[5] = {vm_token_ref(tok), smn_amount_from_u64(10),
                         smn_amount_from_u64(gen_prefix(prog)), smn_amount_from_u64(0), lo};
    gen_call(t, 1, sim_pub(t, 3), vm_pid_token, VM_ASSET_TRANSFER_CALL, 5, b, &n);
    sim_receive_all(t, 3);
    sim_rm_db(path);
    ix = fresh(path, sizeof path, "tcall2");
    assert_int_equal(sim_apply_all(t, ix), VM_IDX_OK);
    assert_int_equal(count_events(ix, "call", VM_N_OK), 1);
    assert_int_equal(vm_query_open(path, &q), VM_IDX_OK);
    assert_int_equal(vm_query_begin(q), VM_IDX_OK);
    assert_int_equal(vm_query_view(q, prog, NULL, 1, &i0, 1, 100000, &r), VM_IDX_OK);
    assert_true(smn_amount_eq(r.ret, lo));
    vm_query_close(q);
    done(ix, path);
    sim_free(s);
    sim_free(t);
    free(code);
}

/* The generated transcript's events fit their layouts too. */
static void test_event_layouts_generated(void **state)
{
    (void)state;
    char path[256];
    sim *s = gen_transcript(77, 10, 300);
    vm_indexer *ix = fresh(path, sizeof path, "layouts");
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    assert_true(count_events(ix, "token.etch", -1) > 0 && count_events(ix, "swap.add", -1) >= 0);
    done(ix, path); /* checks the layouts */
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_etch_mint_transfer),
        cmocka_unit_test(test_vsmn_burn_and_transfer),
        cmocka_unit_test(test_swap_flow),
        cmocka_unit_test(test_swap_invalid_calls),
        cmocka_unit_test(test_rule2_host_order),
        cmocka_unit_test(test_message_abandoned),
        cmocka_unit_test(test_message_receives_interleaved),
        cmocka_unit_test(test_contract_errors_and_idempotence),
        cmocka_unit_test(test_bytecode_program),
        cmocka_unit_test(test_commit_and_state),
        cmocka_unit_test(test_invalid_and_opaque_messages),
        cmocka_unit_test(test_transfer_call_args),
        cmocka_unit_test(test_event_layouts_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
