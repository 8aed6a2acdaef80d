/* The whole point: a generated transcript applied in many random
 * topological orders gives identical roots and identical (canonical)
 * event streams; replay from scratch and re-application agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "procs/vm/programs/native.h"
#include "procs/vm/programs/swap_math.h"
#include "tutil.h"

#define MAXP 64

typedef struct {
    size_t nprog;
    uint8_t ids[MAXP][32];
    uint8_t roots[MAXP][32];
    uint8_t digest[32];
    uint64_t events;
} snapshot;

static void snap(vm_indexer *ix, snapshot *out)
{
    memset(out, 0, sizeof *out);
    assert_int_equal(vm_indexer_programs(ix, out->ids, MAXP, &out->nprog), VM_IDX_OK);
    assert_true(out->nprog <= MAXP);
    for (size_t i = 0; i < out->nprog; i++)
        assert_int_equal(vm_indexer_state_root(ix, out->ids[i], out->roots[i]), VM_IDX_OK);
    assert_int_equal(vm_indexer_event_digest(ix, out->digest, &out->events), VM_IDX_OK);
}

static void assert_same(const snapshot *a, const snapshot *b)
{
    assert_int_equal(a->nprog, b->nprog);
    assert_memory_equal(a->ids, b->ids, a->nprog * 32);
    assert_memory_equal(a->roots, b->roots, a->nprog * 32);
    assert_memory_equal(a->digest, b->digest, 32);
    assert_true(a->events == b->events);
}

static void test_random_orders(void **state)
{
    (void)state;
    sim *s = gen_transcript(20240601, 12, 400);
    size_t *order = malloc(s->n * sizeof *order);
    char path[256];
    snapshot ref, cur;
    vm_indexer *ix;

    /* creation order, in one batch */
    sim_tmp_db(path, sizeof path, "det0");
    assert_int_equal(vm_indexer_open(path, &ix), VM_IDX_OK);
    assert_int_equal(vm_indexer_begin_batch(ix), VM_IDX_OK);
    assert_int_equal(sim_apply_all(s, ix), VM_IDX_OK);
    assert_int_equal(vm_indexer_commit_batch(ix), VM_IDX_OK);
    snap(ix, &ref);
    /* the transcript exercised what it should */
    assert_true(ref.nprog >= 4); /* token, vsmn and pools */
    assert_true(count_events(ix, "token.receive", 0) > 10);
    assert_true(count_events(ix, "token.send", VM_N_INSUFFICIENT) > 0);
    assert_true(count_events(ix, "swap.add", 0) > 0);
    assert_true(count_events(ix, "swap.swap_a_b", 0) + count_events(ix, "swap.swap_b_a", 0) > 0);
    assert_true(count_events(ix, "vsmn.mint", 0) > 0);
    /* idempotent re-apply in another order */
    sim_order(s, 99, order);
    for (size_t i = 0; i < s->n; i++)
        assert_int_equal(vm_indexer_apply(ix, &s->blk[order[i]].b), VM_IDX_ALREADY);
    snap(ix, &cur);
    assert_same(&ref, &cur);
    vm_indexer_close(ix);
    sim_rm_db(path);

    for (uint64_t seed = 1; seed <= 4; seed++) {
        sim_order(s, seed, order);
        sim_tmp_db(path, sizeof path, "detN");
        assert_int_equal(vm_indexer_open(path, &ix), VM_IDX_OK);
        /* half of the orders one block per transaction */
        if (seed & 1)
            assert_int_equal(vm_indexer_begin_batch(ix), VM_IDX_OK);
        assert_int_equal(sim_apply_order(s, ix, order), VM_IDX_OK);
        if (seed & 1)
            assert_int_equal(vm_indexer_commit_batch(ix), VM_IDX_OK);
        snap(ix, &cur);
        assert_same(&ref, &cur);
        vm_indexer_close(ix);
        sim_rm_db(path);
    }
    free(order);
    sim_free(s);
}

/* A different transcript gives different roots: the comparison can fail. */
static void test_roots_sensitive(void **state)
{
    (void)state;
    sim *a = gen_transcript(5, 6, 80), *b = gen_transcript(6, 6, 80);
    char path[256];
    snapshot sa, sb;
    vm_indexer *ix;
    sim_tmp_db(path, sizeof path, "sensA");
    assert_int_equal(vm_indexer_open(path, &ix), VM_IDX_OK);
    assert_int_equal(sim_apply_all(a, ix), VM_IDX_OK);
    snap(ix, &sa);
    vm_indexer_close(ix);
    sim_rm_db(path);
    sim_tmp_db(path, sizeof path, "sensB");
    assert_int_equal(vm_indexer_open(path, &ix), VM_IDX_OK);
    assert_int_equal(sim_apply_all(b, ix), VM_IDX_OK);
    snap(ix, &sb);
    vm_indexer_close(ix);
    sim_rm_db(path);
    assert_memory_not_equal(sa.roots[0], sb.roots[0], 32);
    assert_memory_not_equal(sa.digest, sb.digest, 32);
    sim_free(a);
    sim_free(b);
}

/* Pool math never creates value: k never falls on a swap, the value of a
 * share never falls, and an add followed by a remove returns no more than
 * was put in. */
static void test_swap_math_invariants(void **state)
{
    (void)state;
    uint64_t r = 12345;
    const smn_amount_t one = smn_amount_from_u64(1);
    for (int iter = 0; iter < 20000; iter++) {
        unsigned bits = 8 + (unsigned)(sim_rand(&r) % 100);
        smn_amount_t m = bits >= 127 ? smn_amount_shr(SMN_AMOUNT_MAX, 1)
                                     : smn_amount_sub_wrap(smn_amount_shl(one, bits), one);
        smn_amount_t v[3];
        for (int k = 0; k < 3; k++) { /* 1 + (hi:lo) % m */
            uint64_t hi = sim_rand(&r);
            v[k] = smn_amount_add_wrap(one, smn_amount_mod(smn_amount_make(hi, sim_rand(&r)), m));
        }
        smn_amount_t x = v[0], y = v[1], in = v[2];
        smn_amount_t out;
        if (vm_swap_out(x, y, in, &out)) {
            assert_true(smn_amount_lt(out, y));
            /* (x+in)(y-out) >= x*y, compared exactly: isqrt-free 256-bit via
             * muldiv: (x+in)*(y-out)/x >= y  <=>  floor(...) >= y when exact */
            smn_amount_t q;
            if (vm_swap_muldiv_floor(smn_amount_add_wrap(x, in), smn_amount_sub_wrap(y, out), x,
                                     &q))
                assert_true(smn_amount_ge(q, y));
        }
        smn_amount_t s0 = vm_swap_isqrt_mul(x, y);
        /* isqrt exactness: s0^2 <= x*y < (s0+1)^2, checked through muldiv */
        smn_amount_t q1;
        if (!smn_amount_is_zero(s0) && vm_swap_muldiv_floor(x, y, s0, &q1))
            assert_true(smn_amount_ge(q1, s0));
        if (smn_amount_le(s0, smn_amount_from_u64(VM_SWAP_MIN_LIQUIDITY)))
            continue;
        smn_amount_t a = smn_amount_from_u64(1 + sim_rand(&r) % 1000000000);
        smn_amount_t b = smn_amount_from_u64(1 + sim_rand(&r) % 1000000000);
        smn_amount_t sh, ua, ub, oa, ob, xa, yb, ss;
        if (!vm_swap_add(x, y, s0, a, b, &sh, &ua, &ub))
            continue;
        assert_true(smn_amount_le(ua, a) && smn_amount_le(ub, b));
        if (!smn_amount_add(x, ua, &xa) || !smn_amount_add(y, ub, &yb) ||
            !smn_amount_add(s0, sh, &ss))
            continue;
        assert_true(vm_swap_remove(xa, yb, ss, sh, &oa, &ob));
        assert_true(smn_amount_le(oa, ua) && smn_amount_le(ob, ub));
        /* per-share value did not fall: (x+ua)/(s0+sh) >= x/s0 */
        smn_amount_t lhs, rhs;
        if (vm_swap_muldiv_floor(xa, s0, one, &lhs) && vm_swap_muldiv_floor(x, ss, one, &rhs))
            assert_true(smn_amount_ge(lhs, rhs));
    }
    /* edge cases */
    smn_amount_t o;
    assert_false(
        vm_swap_out(smn_amount_from_u64(0), smn_amount_from_u64(10), smn_amount_from_u64(5), &o));
    assert_false(vm_swap_out(SMN_AMOUNT_MAX, smn_amount_from_u64(10), smn_amount_from_u64(5), &o));
    assert_true(smn_amount_eq(vm_swap_isqrt_mul(SMN_AMOUNT_MAX, SMN_AMOUNT_MAX), SMN_AMOUNT_MAX));
    assert_true(
        smn_amount_eq(vm_swap_isqrt_mul(smn_amount_from_u64(1000000), smn_amount_from_u64(1000000)),
                      smn_amount_from_u64(1000000)));
    assert_true(smn_amount_eq(vm_swap_isqrt_mul(smn_amount_from_u64(2), smn_amount_from_u64(2)),
                              smn_amount_from_u64(2)) &&
                smn_amount_eq(vm_swap_isqrt_mul(smn_amount_from_u64(2), smn_amount_from_u64(4)),
                              smn_amount_from_u64(2)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_orders),
        cmocka_unit_test(test_roots_sensitive),
        cmocka_unit_test(test_swap_math_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
