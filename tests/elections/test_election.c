#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "procs/elections/election.h"
#include "common/vote.h"

static void rep_id(uint32_t i, uint8_t out[32])
{
    memset(out, 0, 32);
    out[0] = 0xEE;
    out[28] = (uint8_t)(i >> 24);
    out[29] = (uint8_t)(i >> 16);
    out[30] = (uint8_t)(i >> 8);
    out[31] = (uint8_t)i;
}

static void replacement_rules(void **state)
{
    (void)state;
    smn_block a = th_block(1, 100), b = th_block(1, 200);
    uint8_t ha[32], hb[32], r[32];
    th_hash(&a, ha);
    th_hash(&b, hb);
    rep_id(1, r);
    elections_election *e = elections_election_new(&a, 0);
    assert_non_null(e);
    assert_int_equal(elections_election_add(e, &b), ELECTIONS_ADD_OK);

    assert_int_equal(elections_election_vote(e, r, 10, ha, smn_amount_from_u64(5)),
                     ELECTIONS_BALLOT_NEW);
    assert_int_equal(elections_election_vote(e, r, 10, ha, smn_amount_from_u64(5)),
                     ELECTIONS_BALLOT_DUPLICATE);
    /* same timestamp, other block: the first stays */
    assert_int_equal(elections_election_vote(e, r, 10, hb, smn_amount_from_u64(5)),
                     ELECTIONS_BALLOT_DUPLICATE);
    assert_int_equal(elections_election_vote(e, r, 9, hb, smn_amount_from_u64(5)),
                     ELECTIONS_BALLOT_STALE);
    elections_election_update(e, smn_amount_from_u64(1000));
    assert_true(smn_amount_eq(elections_election_tally(e, 0), smn_amount_from_u64(5)));
    assert_true(smn_amount_eq(elections_election_tally(e, 1), smn_amount_from_u64(0)));

    /* newer: the rep moves to b and counts once */
    assert_int_equal(elections_election_vote(e, r, 11, hb, smn_amount_from_u64(5)),
                     ELECTIONS_BALLOT_REPLACED);
    elections_election_update(e, smn_amount_from_u64(1000));
    assert_true(smn_amount_eq(elections_election_tally(e, 0), smn_amount_from_u64(0)));
    assert_true(smn_amount_eq(elections_election_tally(e, 1), smn_amount_from_u64(5)));
    assert_int_equal(elections_election_voters(e), 1);

    /* final replaces non-final, and then nothing replaces it */
    assert_int_equal(elections_election_vote(e, r, SMN_VOTE_FINAL, ha, smn_amount_from_u64(5)),
                     ELECTIONS_BALLOT_REPLACED);
    assert_int_equal(elections_election_vote(e, r, SMN_VOTE_FINAL, hb, smn_amount_from_u64(5)),
                     ELECTIONS_BALLOT_FINAL_LOCKED);
    assert_int_equal(elections_election_vote(e, r, 12, hb, smn_amount_from_u64(5)),
                     ELECTIONS_BALLOT_FINAL_LOCKED);
    elections_election_update(e, smn_amount_from_u64(1000));
    assert_true(smn_amount_eq(elections_election_tally(e, 0), smn_amount_from_u64(5)));
    assert_true(smn_amount_eq(elections_election_final_tally(e, 0), smn_amount_from_u64(5)));
    assert_true(smn_amount_eq(elections_election_tally(e, 1), smn_amount_from_u64(0)));
    uint64_t ts;
    uint8_t h[32];
    assert_true(elections_election_ballot(e, r, &ts, h));
    assert_true(ts == SMN_VOTE_FINAL);
    assert_memory_equal(h, ha, 32);

    /* weight 0 never counts */
    uint8_t r2[32];
    rep_id(2, r2);
    assert_int_equal(elections_election_vote(e, r2, 1, ha, smn_amount_from_u64(0)),
                     ELECTIONS_BALLOT_NO_WEIGHT);
    assert_false(elections_election_ballot(e, r2, NULL, NULL));
    elections_election_free(e);
}

static void vote_before_block(void **state)
{
    (void)state;
    smn_block a = th_block(2, 1), b = th_block(2, 2);
    uint8_t hb[32], r[32];
    th_hash(&b, hb);
    rep_id(7, r);
    elections_election *e = elections_election_new(&a, 0);
    assert_int_equal(elections_election_vote(e, r, 5, hb, smn_amount_from_u64(80)),
                     ELECTIONS_BALLOT_NEW);
    unsigned ev = elections_election_update(e, smn_amount_from_u64(67));
    assert_int_equal(ev, 0); /* b is not a candidate yet: nothing counts */
    assert_true(smn_amount_eq(elections_election_tally(e, 0), smn_amount_from_u64(0)));
    assert_int_equal(elections_election_add(e, &b), ELECTIONS_ADD_OK);
    ev = elections_election_update(e, smn_amount_from_u64(67));
    assert_true(ev & ELECTIONS_EVENT_LEADER_CHANGED);
    assert_true(ev & ELECTIONS_EVENT_QUORUM);
    assert_int_equal(elections_election_leader(e), 1);
    assert_true(smn_amount_eq(elections_election_tally(e, 1), smn_amount_from_u64(80)));
    assert_memory_equal(elections_election_quorum_hash(e), hb, 32);
    elections_election_free(e);
}

static void fork_resolved_by_weight(void **state)
{
    (void)state;
    smn_block a = th_block(3, 1), b = th_block(3, 2), c = th_block(3, 3);
    uint8_t ha[32], hb[32], hc[32], r[4][32];
    th_hash(&a, ha);
    th_hash(&b, hb);
    th_hash(&c, hc);
    for (uint32_t i = 0; i < 4; i++)
        rep_id(i, r[i]);
    elections_election *e = elections_election_new(&a, 0);
    assert_int_equal(elections_election_add(e, &b), ELECTIONS_ADD_OK);
    assert_int_equal(elections_election_add(e, &c), ELECTIONS_ADD_OK);
    assert_int_equal(elections_election_add(e, &b), ELECTIONS_ADD_EXISTS);
    smn_block other = th_block(4, 1);
    assert_int_equal(elections_election_add(e, &other), ELECTIONS_ADD_WRONG_ROOT);

    const smn_amount_t delta = smn_amount_from_u64(67); /* online 100 */
    elections_election_vote(e, r[0], 1, ha, smn_amount_from_u64(20));
    elections_election_vote(e, r[1], 1, hb, smn_amount_from_u64(20));
    /* a tie keeps the current leader (the first seen) */
    assert_int_equal(elections_election_update(e, delta), 0);
    assert_int_equal(elections_election_leader(e), 0);
    elections_election_vote(e, r[2], 1, hb, smn_amount_from_u64(30));
    assert_int_equal(elections_election_update(e, delta), ELECTIONS_EVENT_LEADER_CHANGED);
    assert_int_equal(elections_election_leader(e), 1);
    assert_int_equal(elections_election_state(e), ELECTIONS_STATE_ACTIVE);
    elections_election_vote(e, r[3], 1, hc, smn_amount_from_u64(15));
    assert_int_equal(elections_election_update(e, delta), 0);
    /* r0 switches to b: 70 >= 67, quorum */
    elections_election_vote(e, r[0], 2, hb, smn_amount_from_u64(20));
    assert_int_equal(elections_election_update(e, delta), ELECTIONS_EVENT_QUORUM);
    assert_int_equal(elections_election_state(e), ELECTIONS_STATE_QUORUM);
    assert_true(smn_amount_eq(elections_election_tally(e, 1), smn_amount_from_u64(70)));
    assert_int_equal(elections_election_winner(e), -1);
    /* final votes for b: 20 + 30 = 50 < 67, then + 20 = 70 */
    elections_election_vote(e, r[1], SMN_VOTE_FINAL, hb, smn_amount_from_u64(20));
    elections_election_vote(e, r[2], SMN_VOTE_FINAL, hb, smn_amount_from_u64(30));
    assert_int_equal(elections_election_update(e, delta), 0);
    assert_true(smn_amount_eq(elections_election_final_tally(e, 1), smn_amount_from_u64(50)));
    elections_election_vote(e, r[0], SMN_VOTE_FINAL, hb, smn_amount_from_u64(20));
    assert_int_equal(elections_election_update(e, delta), ELECTIONS_EVENT_CONFIRMED);
    assert_int_equal(elections_election_winner(e), 1);
    assert_int_equal(elections_election_state(e), ELECTIONS_STATE_CONFIRMED);
    /* closed */
    assert_int_equal(elections_election_vote(e, r[3], 9, hc, smn_amount_from_u64(15)),
                     ELECTIONS_BALLOT_CLOSED);
    assert_int_equal(elections_election_add(e, &other), ELECTIONS_ADD_CLOSED);
    assert_int_equal(elections_election_update(e, delta), 0);
    elections_election_free(e);
}

static void zero_delta_needs_a_vote(void **state)
{
    (void)state;
    smn_block a = th_block(5, 1);
    elections_election *e = elections_election_new(&a, 0);
    assert_int_equal(elections_election_update(e, smn_amount_from_u64(0)), 0);
    assert_int_equal(elections_election_state(e), ELECTIONS_STATE_ACTIVE);
    elections_election_free(e);
}

/* Quorum is tally >= delta: 66 of 67 is short, 67 is enough. */
static void exact_quorum_boundary(void **state)
{
    (void)state;
    smn_block a = th_block(9, 1);
    uint8_t ha[32], r[32];
    th_hash(&a, ha);
    elections_election *e = elections_election_new(&a, 0);
    rep_id(1, r);
    elections_election_vote(e, r, SMN_VOTE_FINAL, ha, smn_amount_from_u64(66));
    assert_int_equal(elections_election_update(e, smn_amount_from_u64(67)), 0);
    rep_id(2, r);
    elections_election_vote(e, r, SMN_VOTE_FINAL, ha, smn_amount_from_u64(1));
    assert_int_equal(elections_election_update(e, smn_amount_from_u64(67)),
                     ELECTIONS_EVENT_QUORUM | ELECTIONS_EVENT_CONFIRMED);
    elections_election_free(e);
}

static void candidate_bound(void **state)
{
    (void)state;
    smn_block first = th_block(6, 0);
    elections_election *e = elections_election_new(&first, 0);
    for (uint64_t i = 1; i < ELECTIONS_MAX_CANDIDATES; i++) {
        smn_block f = th_block(6, i);
        assert_int_equal(elections_election_add(e, &f), ELECTIONS_ADD_OK);
    }
    smn_block extra = th_block(6, 999);
    assert_int_equal(elections_election_add(e, &extra), ELECTIONS_ADD_FULL);
    assert_int_equal(elections_election_candidates(e), ELECTIONS_MAX_CANDIDATES);
    elections_election_free(e);
}

static void voter_bound_keeps_heavy(void **state)
{
    (void)state;
    smn_block a = th_block(7, 0);
    uint8_t ha[32], r[32];
    th_hash(&a, ha);
    elections_election *e = elections_election_new(&a, 0);
    for (uint32_t i = 0; i < ELECTIONS_MAX_VOTERS; i++) {
        rep_id(i, r);
        assert_int_equal(elections_election_vote(e, r, 1, ha, smn_amount_from_u64(1)),
                         ELECTIONS_BALLOT_NEW);
    }
    rep_id(ELECTIONS_MAX_VOTERS, r);
    assert_int_equal(elections_election_vote(e, r, 1, ha, smn_amount_from_u64(1)),
                     ELECTIONS_BALLOT_FULL);
    assert_int_equal(elections_election_vote(e, r, 1, ha, smn_amount_from_u64(1000)),
                     ELECTIONS_BALLOT_NEW);
    assert_int_equal(elections_election_voters(e), ELECTIONS_MAX_VOTERS);
    elections_election_update(e, smn_amount_from_u64(1));
    assert_true(smn_amount_eq(elections_election_tally(e, 0),
                              smn_amount_from_u64(ELECTIONS_MAX_VOTERS - 1 + 1000)));
    /* the lightest, first in rep order, was displaced */
    rep_id(0, r);
    assert_false(elections_election_ballot(e, r, NULL, NULL));
    elections_election_free(e);
}

static void open_block_root_is_account(void **state)
{
    (void)state;
    smn_block o = th_block(8, 5);
    memset(o.previous, 0, 32);
    elections_election *e = elections_election_new(&o, 3);
    assert_memory_equal(elections_election_root(e), o.account, 32);
    assert_true(elections_election_start_tick(e) == 3);
    elections_election_free(e);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replacement_rules),       cmocka_unit_test(vote_before_block),
        cmocka_unit_test(fork_resolved_by_weight), cmocka_unit_test(zero_delta_needs_a_vote),
        cmocka_unit_test(exact_quorum_boundary),   cmocka_unit_test(candidate_bound),
        cmocka_unit_test(voter_bound_keeps_heavy), cmocka_unit_test(open_block_root_is_account),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
