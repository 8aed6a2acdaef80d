#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "procs/elections/rep.h"

static void first_seen_switch_final(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(0, &kp);
    elections_rep *r = elections_rep_new(&kp, smn_amount_from_u64(100), 1000, 16);
    assert_non_null(r);
    uint8_t root[32], ha[32], hb[32];
    memset(root, 1, 32);
    memset(ha, 0xA, 32);
    memset(hb, 0xB, 32);
    smn_vote v;
    assert_int_equal(elections_rep_vote(r, root, ha, &v), ELECTIONS_REP_VOTED);
    assert_int_equal(smn_vote_verify(&v), SMN_VOTE_OK);
    assert_memory_equal(v.account, kp.pub, 32);
    assert_memory_equal(v.hashes[0], ha, 32);
    assert_true(v.timestamp == 1000);
    /* fork of the same root: first seen wins */
    assert_int_equal(elections_rep_vote(r, root, hb, &v), ELECTIONS_REP_DECLINED);
    assert_int_equal(elections_rep_vote(r, root, ha, &v), ELECTIONS_REP_UNCHANGED);
    /* the election's leader becomes b: switch with a newer timestamp */
    assert_int_equal(elections_rep_switch(r, root, hb, &v), ELECTIONS_REP_VOTED);
    assert_true(v.timestamp == 1001);
    assert_memory_equal(v.hashes[0], hb, 32);
    assert_int_equal(elections_rep_switch(r, root, hb, &v), ELECTIONS_REP_UNCHANGED);
    /* quorum on b: the final vote, once */
    assert_int_equal(elections_rep_final(r, root, hb, &v), ELECTIONS_REP_VOTED);
    assert_true(smn_vote_is_final(&v));
    assert_int_equal(smn_vote_verify(&v), SMN_VOTE_OK);
    assert_int_equal(elections_rep_final(r, root, hb, &v), ELECTIONS_REP_FINAL_DONE);
    assert_int_equal(elections_rep_switch(r, root, ha, &v), ELECTIONS_REP_FINAL_DONE);
    assert_int_equal(elections_rep_vote(r, root, ha, &v), ELECTIONS_REP_FINAL_DONE);
    assert_int_equal(elections_rep_roots(r), 1);
    /* the election expired and the root is elected again: the final choice
     * stays, so no second final vote for another block of the root */
    elections_rep_forget(r, root, true);
    assert_int_equal(elections_rep_roots(r), 1);
    assert_int_equal(elections_rep_final(r, root, ha, &v), ELECTIONS_REP_FINAL_DONE);
    assert_int_equal(elections_rep_vote(r, root, ha, &v), ELECTIONS_REP_FINAL_DONE);
    /* confirmed: the root is done for good */
    elections_rep_forget(r, root, false);
    assert_int_equal(elections_rep_roots(r), 0);
    elections_rep_free(r);
}

static void no_weight_is_silent(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(1, &kp);
    elections_rep *r = elections_rep_new(&kp, smn_amount_from_u64(0), 1, 4);
    uint8_t root[32] = {1}, h[32] = {2};
    smn_vote v;
    assert_int_equal(elections_rep_vote(r, root, h, &v), ELECTIONS_REP_NO_WEIGHT);
    assert_int_equal(elections_rep_final(r, root, h, &v), ELECTIONS_REP_NO_WEIGHT);
    elections_rep_set_weight(r, smn_amount_from_u64(5));
    assert_true(smn_amount_eq(elections_rep_weight(r), smn_amount_from_u64(5)));
    assert_int_equal(elections_rep_vote(r, root, h, &v), ELECTIONS_REP_VOTED);
    elections_rep_free(r);
}

static void timestamps_grow(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(2, &kp);
    elections_rep *r = elections_rep_new(&kp, smn_amount_from_u64(1), 50, 4);
    uint8_t root[32] = {1}, h[32] = {2};
    smn_vote v;
    elections_rep_advance(r, 10); /* never lowers */
    elections_rep_vote(r, root, h, &v);
    assert_true(v.timestamp == 50);
    elections_rep_advance(r, 5000);
    root[0] = 2;
    elections_rep_vote(r, root, h, &v);
    assert_true(v.timestamp == 5000);
    /* the counter stops below the final marker */
    elections_rep_advance(r, UINT64_MAX);
    root[0] = 3;
    elections_rep_vote(r, root, h, &v);
    assert_true(v.timestamp == UINT64_MAX - 1);
    root[0] = 4;
    elections_rep_vote(r, root, h, &v);
    assert_true(v.timestamp == UINT64_MAX - 1);
    assert_false(smn_vote_is_final(&v));
    elections_rep_free(r);
}

static void bounded_roots(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(3, &kp);
    elections_rep *r = elections_rep_new(&kp, smn_amount_from_u64(1), 1, 4);
    uint8_t root[32] = {0}, h[32] = {9};
    smn_vote v;
    for (uint8_t i = 0; i < 10; i++) {
        root[0] = i;
        assert_int_equal(elections_rep_vote(r, root, h, &v), ELECTIONS_REP_VOTED);
    }
    assert_int_equal(elections_rep_roots(r), 4);
    /* the newest are remembered, the oldest forgotten */
    root[0] = 9;
    assert_int_equal(elections_rep_vote(r, root, h, &v), ELECTIONS_REP_UNCHANGED);
    assert_null(elections_rep_new(&kp, smn_amount_from_u64(1), 1, 0));
    elections_rep_free(r);
}

/* A vote request is answered with the vote the representative stands by,
 * byte for byte the one it sent (Ed25519 is deterministic); blocks the
 * ledger cemented get a final vote over up to 12 hashes. */
static void answers_requests(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(1, &kp);
    elections_rep *r = elections_rep_new(&kp, smn_amount_from_u64(100), 1000, 16);
    uint8_t root[32], ha[32], hb[32];
    memset(root, 0x11, 32);
    memset(ha, 0xA1, 32);
    memset(hb, 0xB2, 32);
    smn_vote v, again;
    assert_int_equal(elections_rep_current(r, root, &again), ELECTIONS_REP_NO_CHOICE);
    assert_int_equal(elections_rep_vote(r, root, ha, &v), ELECTIONS_REP_VOTED);
    assert_int_equal(elections_rep_current(r, root, &again), ELECTIONS_REP_VOTED);
    assert_memory_equal(&v, &again, sizeof v);
    assert_int_equal(elections_rep_final(r, root, ha, &v), ELECTIONS_REP_VOTED);
    assert_int_equal(elections_rep_current(r, root, &again), ELECTIONS_REP_VOTED);
    assert_true(smn_vote_is_final(&again));
    assert_memory_equal(&v, &again, sizeof v);
    uint8_t hs[2][32];
    memcpy(hs[0], ha, 32);
    memcpy(hs[1], hb, 32);
    assert_int_equal(elections_rep_final_cemented(r, (const uint8_t(*)[32])hs, 2, &v),
                     ELECTIONS_REP_VOTED);
    assert_int_equal(v.count, 2);
    assert_true(smn_vote_is_final(&v));
    assert_int_equal(smn_vote_verify(&v), SMN_VOTE_OK);
    memcpy(hs[1], ha, 32); /* a repeated hash signs nothing */
    assert_int_equal(elections_rep_final_cemented(r, (const uint8_t(*)[32])hs, 2, &v),
                     ELECTIONS_REP_NO_CHOICE);
    elections_rep_set_weight(r, smn_amount_from_u64(0));
    assert_int_equal(elections_rep_current(r, root, &again), ELECTIONS_REP_NO_WEIGHT);
    elections_rep_free(r);
}

/* A vote request over several roots is answered in at most two votes: the
 * non-final choices under the newest of their timestamps, the final ones
 * as one final vote; roots without a choice are skipped. */
static void answers_many_roots(void **state)
{
    (void)state;
    smn_keypair kp;
    th_rep(2, &kp);
    elections_rep *r = elections_rep_new(&kp, smn_amount_from_u64(100), 1000, 64);
    uint8_t roots[14][32], hashes[14][32];
    smn_vote v, out[2];
    for (int i = 0; i < 14; i++) {
        memset(roots[i], 0x40 + i, 32);
        memset(hashes[i], 0x80 + i, 32);
    }
    for (int i = 0; i < 5; i++) /* ts 1000..1004 */
        assert_int_equal(elections_rep_vote(r, roots[i], hashes[i], &v), ELECTIONS_REP_VOTED);
    for (int i = 5; i < 8; i++)
        assert_int_equal(elections_rep_final(r, roots[i], hashes[i], &v), ELECTIONS_REP_VOTED);
    /* roots 8..13 have no choice; root 2 asked twice */
    uint8_t ask[11][32];
    memcpy(ask[0], roots[2], 32);
    memcpy(ask[1], roots[2], 32);
    for (int i = 0; i < 9; i++)
        memcpy(ask[2 + i], roots[i == 2 ? 13 : i], 32);
    assert_int_equal(elections_rep_current_many(r, (const uint8_t(*)[32])ask, 11, out), 2);
    assert_false(smn_vote_is_final(&out[0]));
    assert_int_equal(out[0].count, 5);
    assert_true(out[0].timestamp == 1004);
    assert_int_equal(smn_vote_verify(&out[0]), SMN_VOTE_OK);
    assert_true(smn_vote_is_final(&out[1]));
    assert_int_equal(out[1].count, 3);
    assert_memory_equal(out[1].hashes[0], hashes[5], 32);
    assert_int_equal(smn_vote_verify(&out[1]), SMN_VOTE_OK);
    /* a later switch is still newer than the answer */
    assert_int_equal(elections_rep_switch(r, roots[0], hashes[13], &v), ELECTIONS_REP_VOTED);
    assert_true(v.timestamp > out[0].timestamp);
    /* nothing known: nothing signed; no weight: silent */
    assert_int_equal(elections_rep_current_many(r, (const uint8_t(*)[32]) & roots[8], 5, out), 0);
    elections_rep_set_weight(r, smn_amount_zero());
    assert_int_equal(elections_rep_current_many(r, (const uint8_t(*)[32])roots, 8, out), 0);
    elections_rep_free(r);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_seen_switch_final), cmocka_unit_test(no_weight_is_silent),
        cmocka_unit_test(timestamps_grow),         cmocka_unit_test(bounded_roots),
        cmocka_unit_test(answers_requests),        cmocka_unit_test(answers_many_roots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
