#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/network.h"
#include "common/work.h"
#include "procs/rpc/wallet_blocks.h"
#include "wallet_testutil.h"

static const smn_network *dev(void)
{
    return smn_network_get(SMN_NET_DEV);
}

static wallet_work_opts work_opts(void)
{
    wallet_work_opts w = {dev(), 1, NULL};
    return w;
}

static void key(uint8_t tag, smn_keypair *kp)
{
    uint8_t priv[32];
    memset(priv, tag, sizeof priv);
    smn_key_expand(priv, kp);
}

static wallet_account_state opened(smn_amount_t balance)
{
    wallet_account_state st;
    memset(&st, 0, sizeof st);
    memset(st.frontier, 0xF1, 32);
    st.balance = balance;
    memset(st.representative, 0x77, 32);
    return st;
}

static void assert_valid(const smn_block *b, bool receive_or_open)
{
    assert_true(smn_block_verify_signature(b));
    assert_true(
        smn_work_valid(smn_block_root(b), b->work, smn_work_threshold(dev(), receive_or_open)));
}

static void send_block(void **state)
{
    (void)state;
    smn_keypair kp;
    key(1, &kp);
    wallet_account_state st = opened(smn_amount_from_u64(1000));
    uint8_t dest[32];
    memset(dest, 0xDE, sizeof dest);
    wallet_work_opts w = work_opts();
    smn_block b;
    assert_int_equal(wallet_build_send(&kp, &st, dest, smn_amount_from_u64(300), &w, &b),
                     WALLET_OK);
    assert_valid(&b, false);
    assert_true(smn_amount_eq(b.balance, smn_amount_from_u64(700)));
    assert_memory_equal(b.account, kp.pub, 32);
    assert_memory_equal(b.previous, st.frontier, 32);
    assert_memory_equal(b.link, dest, 32);
    assert_memory_equal(b.representative, st.representative, 32);
    /* the whole balance may go */
    assert_int_equal(wallet_build_send(&kp, &st, dest, smn_amount_from_u64(1000), &w, &b),
                     WALLET_OK);
    assert_true(smn_amount_eq(b.balance, smn_amount_from_u64(0)));
    assert_valid(&b, false);
}

static void send_rejects(void **state)
{
    (void)state;
    smn_keypair kp;
    key(1, &kp);
    wallet_account_state st = opened(smn_amount_from_u64(1000));
    uint8_t dest[32] = {1};
    wallet_work_opts w = work_opts();
    smn_block b, before;
    memset(&b, 0xCC, sizeof b);
    before = b;
    assert_int_equal(wallet_build_send(&kp, &st, dest, smn_amount_from_u64(1001), &w, &b),
                     WALLET_ERR_INSUFFICIENT_BALANCE);
    assert_memory_equal(&b, &before, sizeof b); /* untouched */
    assert_string_equal(wallet_strerror(WALLET_ERR_INSUFFICIENT_BALANCE), "Insufficient balance");
    assert_int_equal(wallet_build_send(&kp, &st, dest, smn_amount_from_u64(0), &w, &b),
                     WALLET_ERR_ZERO_AMOUNT);
    wallet_account_state fresh;
    memset(&fresh, 0, sizeof fresh);
    assert_int_equal(wallet_build_send(&kp, &fresh, dest, smn_amount_from_u64(1), &w, &b),
                     WALLET_ERR_NOT_OPENED);
    wallet_work_opts nonet = {NULL, 1, NULL};
    assert_int_equal(wallet_build_send(&kp, &st, dest, smn_amount_from_u64(1), &nonet, &b),
                     WALLET_ERR_BAD_ARGUMENT);
}

static void receive_and_open(void **state)
{
    (void)state;
    smn_keypair kp;
    key(2, &kp);
    uint8_t src[32], rep[32];
    memset(src, 0x5C, sizeof src);
    memset(rep, 0x88, sizeof rep);
    wallet_work_opts w = work_opts();
    smn_block b;
    /* open: no blocks yet */
    wallet_account_state fresh;
    memset(&fresh, 0, sizeof fresh);
    assert_int_equal(wallet_build_receive(&kp, &fresh, src, smn_amount_from_u64(500), rep, &w, &b),
                     WALLET_OK);
    assert_valid(&b, true);
    assert_true(smn_block_is_open(&b));
    assert_memory_equal(smn_block_root(&b), kp.pub, 32);
    assert_true(smn_amount_eq(b.balance, smn_amount_from_u64(500)));
    assert_memory_equal(b.link, src, 32);
    assert_memory_equal(b.representative, rep, 32);
    assert_int_equal(wallet_build_receive(&kp, &fresh, src, smn_amount_from_u64(500), NULL, &w, &b),
                     WALLET_ERR_BAD_ARGUMENT);
    /* receive on an opened account */
    wallet_account_state st = opened(smn_amount_from_u64(500));
    assert_int_equal(wallet_build_receive(&kp, &st, src, smn_amount_from_u64(250), rep, &w, &b),
                     WALLET_OK);
    assert_valid(&b, true);
    assert_true(smn_amount_eq(b.balance, smn_amount_from_u64(750)));
    assert_memory_equal(b.previous, st.frontier, 32);
    assert_memory_equal(b.representative, st.representative, 32); /* open_rep unused */
    /* overflow, zero, missing source */
    st.balance = SMN_AMOUNT_MAX;
    assert_int_equal(wallet_build_receive(&kp, &st, src, smn_amount_from_u64(1), rep, &w, &b),
                     WALLET_ERR_BALANCE_OVERFLOW);
    assert_int_equal(wallet_build_receive(&kp, &st, src, smn_amount_from_u64(0), rep, &w, &b),
                     WALLET_ERR_ZERO_AMOUNT);
    uint8_t zero[32] = {0};
    assert_int_equal(wallet_build_receive(&kp, &st, zero, smn_amount_from_u64(1), rep, &w, &b),
                     WALLET_ERR_BAD_ARGUMENT);
}

static void change_block(void **state)
{
    (void)state;
    smn_keypair kp;
    key(3, &kp);
    wallet_account_state st = opened(smn_amount_from_u64(42));
    uint8_t rep[32];
    memset(rep, 0x99, sizeof rep);
    wallet_work_opts w = work_opts();
    smn_block b;
    assert_int_equal(wallet_build_change(&kp, &st, rep, &w, &b), WALLET_OK);
    assert_valid(&b, false);
    assert_true(smn_amount_eq(b.balance, smn_amount_from_u64(42)));
    assert_true(smn_is_zero32(b.link));
    assert_memory_equal(b.representative, rep, 32);
    wallet_account_state fresh;
    memset(&fresh, 0, sizeof fresh);
    assert_int_equal(wallet_build_change(&kp, &fresh, rep, &w, &b), WALLET_ERR_NOT_OPENED);
}

static void work_cancel(void **state)
{
    (void)state;
    smn_network hard = *dev();
    hard.work_send = UINT64_MAX; /* unreachable in practice */
    atomic_bool cancel = true;
    wallet_work_opts w = {&hard, 1, &cancel};
    smn_keypair kp;
    key(4, &kp);
    wallet_account_state st = opened(smn_amount_from_u64(10));
    uint8_t dest[32] = {1};
    smn_block b;
    assert_int_equal(wallet_build_send(&kp, &st, dest, smn_amount_from_u64(1), &w, &b),
                     WALLET_ERR_WORK_CANCELLED);
}

/* Through the store: the demo wallet's genesis key sends, a derived account
 * opens with the wallet's representative (or itself when unset). */
static void via_wallet(void **state)
{
    (void)state;
    char *dir = wt_tempdir();
    assert_non_null(dir);
    wallet_store *ws;
    assert_int_equal(wallet_store_open(dir, false, &ws), WALLET_OK);
    wallet_create_opts o = {"", wallet_kdf_light(), NULL, NULL};
    uint8_t id[32], genesis[32], acct[32];
    assert_int_equal(wallet_create(ws, &o, id), WALLET_OK);
    assert_int_equal(wallet_adhoc_insert(ws, id, smn_network_dev_genesis_key(), genesis),
                     WALLET_OK);
    assert_int_equal(wallet_account_create(ws, id, acct), WALLET_OK);
    const smn_block *g = &dev()->genesis;
    wallet_account_state gst;
    smn_block_hash(g, gst.frontier);
    gst.balance = g->balance;
    memcpy(gst.representative, g->representative, 32);
    wallet_work_opts w = work_opts();
    smn_amount_t amount = smn_amount_one_smn();
    smn_block send;
    assert_int_equal(wallet_sign_send(ws, id, genesis, &gst, acct, amount, &w, &send), WALLET_OK);
    assert_valid(&send, false);
    assert_true(smn_amount_eq(send.balance, smn_amount_sub_wrap(g->balance, amount)));
    uint8_t send_hash[32];
    smn_block_hash(&send, send_hash);
    wallet_account_state fresh;
    memset(&fresh, 0, sizeof fresh);
    smn_block open;
    assert_int_equal(wallet_sign_receive(ws, id, acct, &fresh, send_hash, amount, &w, &open),
                     WALLET_OK);
    assert_valid(&open, true);
    assert_memory_equal(open.representative, acct, 32); /* no wallet rep: itself */
    assert_int_equal(wallet_set_representative(ws, id, genesis), WALLET_OK);
    assert_int_equal(wallet_sign_receive(ws, id, acct, &fresh, send_hash, amount, &w, &open),
                     WALLET_OK);
    assert_memory_equal(open.representative, genesis, 32);
    uint8_t stranger[32];
    memset(stranger, 3, sizeof stranger);
    assert_int_equal(
        wallet_sign_send(ws, id, stranger, &gst, acct, smn_amount_from_u64(1), &w, &send),
        WALLET_ERR_ACCOUNT_NOT_FOUND);
    assert_int_equal(wallet_sign_change(ws, id, genesis, &gst, acct, &w, &send), WALLET_OK);
    assert_valid(&send, false);
    assert_int_equal(wallet_lock(ws, id), WALLET_OK);
    assert_int_equal(
        wallet_sign_send(ws, id, genesis, &gst, acct, smn_amount_from_u64(1), &w, &send),
        WALLET_ERR_LOCKED);
    wallet_store_close(ws);
    wt_rmdir(dir);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(send_block),       cmocka_unit_test(send_rejects),
        cmocka_unit_test(receive_and_open), cmocka_unit_test(change_block),
        cmocka_unit_test(work_cancel),      cmocka_unit_test(via_wallet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
