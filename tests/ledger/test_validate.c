/* Every validation rule: the valid case accepted, the invalid one rejected
 * with its own code. Blocks go through the real processor and store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/work.h"
#include "procs/ledger/prune.h"
#include "procs/ledger/confirm.h"
#include "procs/ledger/validate.h"
#include "tests/ledger/helpers.h"

typedef struct {
    char dir[256];
    ledger_store *s;
    ledger_processor *p;
    tl_account g; /* genesis */
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    tl_tmpdir(f->dir);
    f->s = tl_open(f->dir, NULL);
    assert_int_equal(ledger_processor_create(f->s, NULL, &f->p), LEDGER_STATUS_OK);
    tl_genesis(&f->g);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ledger_processor_destroy(f->p);
    ledger_store_close(f->s);
    tl_cleanup(f->dir);
    free(f);
    return 0;
}

/* Genesis sends `amount` to a new account and it opens. */
static void fund(fx *f, tl_account *a, uint32_t key, smn_amount_t amount)
{
    smn_block send, open;
    uint8_t h[32];
    tl_account_new(a, key);
    tl_send(&f->g, a->kp.pub, amount, &send);
    assert_int_equal(tl_process1(f->p, &send), LEDGER_ACCEPTED);
    tl_hash(&send, h);
    tl_receive(a, h, amount, &open);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_ACCEPTED);
}

static void test_send_and_signature(void **state)
{
    fx *f = *state;
    tl_account a;
    tl_account_new(&a, 1);
    smn_block send;
    tl_account g2 = f->g;
    tl_send(&g2, a.kp.pub, tl_smn(5), &send);
    smn_block bad = send;
    bad.signature[10] ^= 1;
    assert_int_equal(tl_process1(f->p, &bad), LEDGER_BAD_SIGNATURE);
    /* A signature by another key over the same fields. */
    smn_block other = send;
    smn_keypair k;
    tl_key(77, &k);
    uint8_t h[32];
    tl_hash(&other, h);
    smn_sign(&k, h, 32, other.signature);
    assert_int_equal(tl_process1(f->p, &other), LEDGER_BAD_SIGNATURE);
    assert_int_equal(tl_process1(f->p, &send), LEDGER_ACCEPTED);
}

static void test_old(void **state)
{
    fx *f = *state;
    tl_account a;
    fund(f, &a, 1, tl_smn(3));
    smn_block s;
    tl_send(&a, f->g.kp.pub, tl_smn(1), &s);
    assert_int_equal(tl_process1(f->p, &s), LEDGER_ACCEPTED);
    assert_int_equal(tl_process1(f->p, &s), LEDGER_OLD);
    /* The genesis block itself is known. */
    assert_int_equal(tl_process1(f->p, &tl_dev()->genesis), LEDGER_OLD);
}

static void test_work(void **state)
{
    fx *f = *state;
    const smn_network *net = tl_dev();
    tl_account a;
    tl_account_new(&a, 1);
    tl_account g2 = f->g;
    smn_block send;
    tl_send(&g2, a.kp.pub, tl_smn(5), &send);
    smn_block weak = send;
    /* Enough for a receive, not for a send. */
    tl_work_between(&weak, net->work_receive, net->work_send);
    assert_int_equal(tl_process1(f->p, &weak), LEDGER_INSUFFICIENT_WORK);
    tl_work_between(&weak, 0, net->work_receive);
    assert_int_equal(tl_process1(f->p, &weak), LEDGER_INSUFFICIENT_WORK);
    assert_int_equal(tl_process1(f->p, &send), LEDGER_ACCEPTED);

    /* An open (receive subtype) only needs the receive threshold. */
    uint8_t sh[32];
    tl_hash(&send, sh);
    smn_block open;
    tl_receive(&a, sh, tl_smn(5), &open);
    smn_block low = open;
    tl_work_between(&low, 0, net->work_receive);
    assert_int_equal(tl_process1(f->p, &low), LEDGER_INSUFFICIENT_WORK);
    tl_work_between(&open, net->work_receive, net->work_send);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_ACCEPTED);

    /* A change needs the send threshold. */
    tl_account b;
    tl_account_new(&b, 2);
    smn_block ch;
    tl_change(&a, b.kp.pub, &ch);
    smn_block weakch = ch;
    tl_work_between(&weakch, net->work_receive, net->work_send);
    assert_int_equal(tl_process1(f->p, &weakch), LEDGER_INSUFFICIENT_WORK);
    assert_int_equal(tl_process1(f->p, &ch), LEDGER_ACCEPTED);
}

static void test_fork(void **state)
{
    fx *f = *state;
    tl_account a, b;
    tl_account_new(&a, 1);
    tl_account_new(&b, 2);
    tl_account g1 = f->g, g2 = f->g;
    smn_block s1, s2;
    tl_send(&g1, a.kp.pub, tl_smn(1), &s1);
    tl_send(&g2, b.kp.pub, tl_smn(2), &s2);
    assert_int_equal(tl_process1(f->p, &s1), LEDGER_ACCEPTED);
    assert_int_equal(tl_process1(f->p, &s2), LEDGER_FORK);

    /* A second, different open of an existing account. */
    uint8_t h1[32];
    tl_hash(&s1, h1);
    tl_account a2 = a;
    smn_block open1, open2;
    tl_receive(&a, h1, tl_smn(1), &open1);
    assert_int_equal(tl_process1(f->p, &open1), LEDGER_ACCEPTED);
    tl_build(&open2, &a2.kp, (uint8_t[32]){0}, f->g.kp.pub, tl_smn(1), h1, tl_dev()->work_send);
    assert_int_equal(tl_process1(f->p, &open2), LEDGER_FORK);
}

static void test_gap_previous(void **state)
{
    fx *f = *state;
    tl_account a;
    tl_account_new(&a, 1);
    tl_account g2 = f->g;
    smn_block s1, s2;
    tl_send(&g2, a.kp.pub, tl_smn(1), &s1);
    tl_send(&g2, a.kp.pub, tl_smn(1), &s2);
    assert_int_equal(tl_process1(f->p, &s2), LEDGER_GAP_PREVIOUS);
    assert_int_equal(tl_process1(f->p, &s1), LEDGER_ACCEPTED);
    /* s2 was held and released when s1 landed. */
    assert_int_equal(tl_process1(f->p, &s2), LEDGER_OLD);
}

static void test_gap_source(void **state)
{
    fx *f = *state;
    tl_account a;
    tl_account_new(&a, 1);
    tl_account g2 = f->g;
    smn_block s1, open;
    tl_send(&g2, a.kp.pub, tl_smn(4), &s1);
    uint8_t h[32];
    tl_hash(&s1, h);
    tl_receive(&a, h, tl_smn(4), &open);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_GAP_SOURCE);
    assert_int_equal(tl_process1(f->p, &s1), LEDGER_ACCEPTED);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_OLD);
}

static void test_already_received(void **state)
{
    fx *f = *state;
    tl_account a;
    tl_account_new(&a, 1);
    smn_block s1, open, again;
    tl_send(&f->g, a.kp.pub, tl_smn(4), &s1);
    assert_int_equal(tl_process1(f->p, &s1), LEDGER_ACCEPTED);
    uint8_t h[32];
    tl_hash(&s1, h);
    tl_receive(&a, h, tl_smn(4), &open);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_ACCEPTED);
    tl_account a2 = a;
    tl_receive(&a2, h, tl_smn(4), &again);
    assert_int_equal(tl_process1(f->p, &again), LEDGER_ALREADY_RECEIVED);
    /* Receiving a block that is not a send (the open itself). */
    uint8_t oh[32];
    tl_hash(&open, oh);
    tl_account a3 = a;
    smn_block notsend;
    tl_receive(&a3, oh, tl_smn(1), &notsend);
    assert_int_equal(tl_process1(f->p, &notsend), LEDGER_ALREADY_RECEIVED);
}

static void test_wrong_destination(void **state)
{
    fx *f = *state;
    tl_account a, b;
    fund(f, &a, 1, tl_smn(10));
    tl_account_new(&b, 2);
    smn_block s, steal, open_b;
    tl_send(&f->g, b.kp.pub, tl_smn(3), &s);
    assert_int_equal(tl_process1(f->p, &s), LEDGER_ACCEPTED);
    uint8_t h[32];
    tl_hash(&s, h);
    tl_account a2 = a;
    tl_receive(&a2, h, tl_smn(3), &steal);
    assert_int_equal(tl_process1(f->p, &steal), LEDGER_WRONG_DESTINATION);
    /* Also an open by the wrong account. */
    tl_account c;
    tl_account_new(&c, 3);
    smn_block open_c;
    tl_receive(&c, h, tl_smn(3), &open_c);
    assert_int_equal(tl_process1(f->p, &open_c), LEDGER_WRONG_DESTINATION);
    tl_receive(&b, h, tl_smn(3), &open_b);
    assert_int_equal(tl_process1(f->p, &open_b), LEDGER_ACCEPTED);
}

static void test_balance_rules(void **state)
{
    fx *f = *state;
    tl_account a;
    fund(f, &a, 1, tl_smn(10));
    smn_block s, recv;
    tl_send(&f->g, a.kp.pub, tl_smn(3), &s);
    assert_int_equal(tl_process1(f->p, &s), LEDGER_ACCEPTED);
    uint8_t h[32];
    tl_hash(&s, h);
    /* Receive claiming more or less than the send. */
    tl_account a2 = a;
    tl_receive(&a2, h, smn_amount_add_wrap(tl_smn(3), smn_amount_from_u64(1)), &recv);
    assert_int_equal(tl_process1(f->p, &recv), LEDGER_BALANCE_MISMATCH);
    a2 = a;
    tl_receive(&a2, h, smn_amount_sub_wrap(tl_smn(3), smn_amount_from_u64(1)), &recv);
    assert_int_equal(tl_process1(f->p, &recv), LEDGER_BALANCE_MISMATCH);
    /* A "send" that raises the balance: the link (an account) is no
     * receivable send, so it can only be a gap. */
    smn_block raise;
    tl_build(&raise, &a.kp, a.frontier, a.rep,
             smn_amount_add_wrap(a.balance, smn_amount_from_u64(1)), f->g.kp.pub,
             tl_dev()->work_send);
    assert_int_equal(tl_process1(f->p, &raise), LEDGER_GAP_SOURCE);
    /* A rise with no link at all. */
    tl_build(&raise, &a.kp, a.frontier, a.rep,
             smn_amount_add_wrap(a.balance, smn_amount_from_u64(1)), (uint8_t[32]){0},
             tl_dev()->work_send);
    assert_int_equal(tl_process1(f->p, &raise), LEDGER_BALANCE_MISMATCH);
    /* Exact amount: accepted. */
    tl_receive(&a, h, tl_smn(3), &recv);
    assert_int_equal(tl_process1(f->p, &recv), LEDGER_ACCEPTED);
}

static void test_change_link(void **state)
{
    fx *f = *state;
    tl_account a;
    fund(f, &a, 1, tl_smn(10));
    smn_block bad, ch;
    tl_build(&bad, &a.kp, a.frontier, f->g.kp.pub, a.balance, f->g.kp.pub, tl_dev()->work_send);
    assert_int_equal(tl_process1(f->p, &bad), LEDGER_BAD_CHANGE_LINK);
    tl_change(&a, f->g.kp.pub, &ch);
    assert_int_equal(tl_process1(f->p, &ch), LEDGER_ACCEPTED);
}

static void test_open_rules(void **state)
{
    fx *f = *state;
    tl_account a;
    tl_account_new(&a, 1);
    smn_block s, open;
    tl_send(&f->g, a.kp.pub, tl_smn(2), &s);
    assert_int_equal(tl_process1(f->p, &s), LEDGER_ACCEPTED);
    uint8_t h[32];
    tl_hash(&s, h);
    /* Zero link. */
    tl_build(&open, &a.kp, (uint8_t[32]){0}, a.rep, tl_smn(2), (uint8_t[32]){0},
             tl_dev()->work_send);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_BAD_OPEN);
    /* Balance differs from the amount received. */
    tl_build(&open, &a.kp, (uint8_t[32]){0}, a.rep, tl_smn(1), h, tl_dev()->work_send);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_BALANCE_MISMATCH);
    tl_build(&open, &a.kp, (uint8_t[32]){0}, a.rep, smn_amount_from_u64(0), h, tl_dev()->work_send);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_BALANCE_MISMATCH);
    tl_receive(&a, h, tl_smn(2), &open);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_ACCEPTED);
}

static void test_previous_account(void **state)
{
    fx *f = *state;
    tl_account a, b;
    fund(f, &a, 1, tl_smn(10));
    fund(f, &b, 2, tl_smn(10));
    /* b signs a block on top of a's frontier. */
    smn_block x;
    tl_build(&x, &b.kp, a.frontier, b.rep, tl_smn(9), f->g.kp.pub, tl_dev()->work_send);
    assert_int_equal(tl_process1(f->p, &x), LEDGER_PREVIOUS_ACCOUNT);
}

static void test_pruned(void **state)
{
    fx *f = *state;
    tl_account a;
    tl_account_new(&a, 1);
    smn_block sends[6];
    tl_account snapshot[6];
    for (int i = 0; i < 6; i++) {
        snapshot[i] = f->g;
        tl_send(&f->g, a.kp.pub, tl_smn(1), &sends[i]);
        assert_int_equal(tl_process1(f->p, &sends[i]), LEDGER_ACCEPTED);
    }
    uint8_t fh[32];
    tl_hash(&sends[5], fh);
    assert_int_equal(ledger_confirm(f->s, fh, NULL, NULL, NULL), LEDGER_STATUS_OK);
    ledger_prune_stats ps;
    assert_int_equal(ledger_prune(f->s, 2, 100, &ps), LEDGER_STATUS_OK);
    /* genesis chain: heights 1..7, cemented to 7, keep 2 -> heights 1..5 gone */
    assert_int_equal(ps.blocks, 5);
    /* A pruned block resubmitted: old. */
    assert_int_equal(tl_process1(f->p, &sends[1]), LEDGER_OLD);
    /* A block on a pruned previous forks cemented history. */
    smn_block fork;
    tl_account g = snapshot[2];
    tl_send(&g, f->g.kp.pub, tl_smn(7), &fork);
    assert_int_equal(tl_process1(f->p, &fork), LEDGER_PRUNED);
    /* The kept part still validates: a fork of the last block is a fork. */
    g = snapshot[5];
    tl_send(&g, f->g.kp.pub, tl_smn(7), &fork);
    assert_int_equal(tl_process1(f->p, &fork), LEDGER_FORK);
    /* Receivables of pruned sends are intact: a opens with the first. */
    uint8_t h0[32];
    tl_hash(&sends[0], h0);
    smn_block open;
    tl_receive(&a, h0, tl_smn(1), &open);
    assert_int_equal(tl_process1(f->p, &open), LEDGER_ACCEPTED);
    /* And a receive of an already received, pruned send is not a gap. */
    smn_block again;
    tl_account a2 = a;
    tl_receive(&a2, h0, tl_smn(1), &again);
    assert_int_equal(tl_process1(f->p, &again), LEDGER_ALREADY_RECEIVED);
}

/* ledger_validate is a pure function: same state, same answer, no writes. */
static void test_pure(void **state)
{
    fx *f = *state;
    tl_account a;
    tl_account_new(&a, 1);
    smn_block s;
    tl_send(&f->g, a.kp.pub, tl_smn(1), &s);
    ledger_view v;
    ledger_store_view(f->s, &v);
    uint8_t h[32];
    tl_hash(&s, h);
    ledger_validation out1, out2;
    assert_int_equal(ledger_validate(tl_dev(), &v, &s, h, LEDGER_SIG_UNCHECKED, &out1),
                     LEDGER_ACCEPTED);
    assert_int_equal(ledger_validate(tl_dev(), &v, &s, h, LEDGER_SIG_GOOD, &out2), LEDGER_ACCEPTED);
    assert_int_equal(out1.subtype, out2.subtype);
    assert_true(smn_amount_eq(out1.amount, out2.amount));
    assert_int_equal(out1.height, out2.height);
    assert_memory_equal(out1.before.frontier, out2.before.frontier, 32);
    assert_true(smn_amount_eq(out1.before.balance, out2.before.balance));
    assert_int_equal(out1.subtype, LEDGER_SUBTYPE_SEND);
    assert_true(smn_amount_eq(out1.amount, tl_smn(1)));
    assert_int_equal(out1.height, 2);
    assert_int_equal(ledger_validate(tl_dev(), &v, &s, h, LEDGER_SIG_BAD, &out2),
                     LEDGER_BAD_SIGNATURE);
    ledger_counts c;
    ledger_store_counts(f->s, &c);
    assert_int_equal(c.blocks, 1);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_send_and_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_work, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_previous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_already_received, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_destination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_balance_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_previous_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pruned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pure, setup, teardown),
    };
    return cmocka_run_group_tests_name("ledger_validate", tests, NULL, NULL);
}
