/* The reserved-slot probe of the net process (procs/net/service_probe.c):
 * when it asks, when it gives up, which votes prove a representative. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "procs/net/service_probe.h"

static const uint8_t genesis[32] = {0x47, [31] = 0x11};

static smn_vote vote_for(uint8_t account0, const uint8_t *hash, const uint8_t *other)
{
    smn_vote v = {.timestamp = SMN_VOTE_FINAL};
    v.account[0] = account0;
    if (other)
        memcpy(v.hashes[v.count++], other, 32);
    if (hash)
        memcpy(v.hashes[v.count++], hash, 32);
    return v;
}

static void listed(net_reps *r)
{
    uint8_t keys[2][32] = {{1}, {2}};
    net_reps_init(r);
    assert_int_equal(net_reps_set(r, (const uint8_t(*)[32])keys, 2), 2);
}

static void test_asks_resends_expires(void **state)
{
    (void)state;
    net_probe p = {0};
    assert_int_equal(net_probe_step_at(&p, 0), NET_PROBE_WAIT); /* never started */
    net_probe_start(&p, 1000);
    assert_int_equal(net_probe_step_at(&p, 1000), NET_PROBE_SEND);
    assert_int_equal(net_probe_step_at(&p, 1000), NET_PROBE_WAIT);
    assert_int_equal(net_probe_step_at(&p, 1000 + NET_PROBE_RESEND_MS - 1), NET_PROBE_WAIT);
    assert_int_equal(net_probe_step_at(&p, 1000 + NET_PROBE_RESEND_MS), NET_PROBE_SEND);
    assert_int_equal(net_probe_step_at(&p, 1000 + NET_PROBE_TIMEOUT_MS - 1), NET_PROBE_SEND);
    assert_int_equal(net_probe_step_at(&p, 1000 + NET_PROBE_TIMEOUT_MS), NET_PROBE_EXPIRED);
    /* reported once */
    assert_int_equal(net_probe_step_at(&p, 1000 + NET_PROBE_TIMEOUT_MS + 1), NET_PROBE_WAIT);
    assert_false(p.proven);
}

static void test_listed_vote_for_genesis_proves(void **state)
{
    (void)state;
    net_reps r;
    listed(&r);
    uint8_t other[32] = {9};
    net_probe p;
    net_probe_start(&p, 0);
    smn_vote unlisted = vote_for(3, genesis, NULL);
    smn_vote wrong_hash = vote_for(1, other, NULL);
    assert_false(net_probe_vote(&p, &r, genesis, &unlisted));
    assert_false(net_probe_vote(&p, &r, genesis, &wrong_hash));
    smn_vote good = vote_for(2, genesis, other); /* genesis among others */
    assert_true(net_probe_vote(&p, &r, genesis, &good));
    assert_true(p.proven);
    assert_false(net_probe_vote(&p, &r, genesis, &good)); /* once */
    /* proven: never expires */
    assert_int_equal(net_probe_step_at(&p, NET_PROBE_TIMEOUT_MS * 10), NET_PROBE_WAIT);
}

static void test_empty_table_and_no_probe_prove_nothing(void **state)
{
    (void)state;
    net_reps empty;
    net_reps_init(&empty);
    net_probe p;
    net_probe_start(&p, 0);
    smn_vote v = vote_for(1, genesis, NULL);
    assert_false(net_probe_vote(&p, &empty, genesis, &v));
    net_reps r;
    listed(&r);
    net_probe idle = {0}; /* an ordinary channel is never probed */
    assert_false(net_probe_vote(&idle, &r, genesis, &v));
    assert_false(idle.proven);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asks_resends_expires),
        cmocka_unit_test(test_listed_vote_for_genesis_proves),
        cmocka_unit_test(test_empty_table_and_no_probe_prove_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
