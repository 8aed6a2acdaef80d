/* Randomized: 2,000 accounts and ~10,000 blocks of sends, receives and
 * representative changes, processed in order into one ledger and shuffled
 * into another. Final balances, receivables and weights must equal each
 * other and the model, and the supply stays exactly 10,000,000 smn.
 * SMN_TEST_SEED overrides the seed; the seed is printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/ledgerdb/ro.h"
#include "tests/ledger/helpers.h"

enum { ACCOUNTS = 2000, EXTRA_OPS = 7000, REPS = 16, BATCH = 500 };

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

typedef struct {
    uint8_t hash[32];
    uint32_t dest;
    smn_amount_t amount;
} pending;

typedef struct {
    tl_account acc[ACCOUNTS + 1]; /* index ACCOUNTS = genesis */
    bool opened[ACCOUNTS + 1];
    pending *pend;
    size_t npend;
    smn_block *blocks;
    size_t nblocks;
    uint8_t reps[REPS][32];
} model;

static void emit_send(model *m, uint32_t from, uint32_t to, smn_amount_t amount)
{
    smn_block *b = &m->blocks[m->nblocks++];
    tl_send(&m->acc[from], m->acc[to].kp.pub, amount, b);
    pending *p = &m->pend[m->npend++];
    tl_hash(b, p->hash);
    p->dest = to;
    p->amount = amount;
}

static void emit_receive(model *m, size_t pi)
{
    pending p = m->pend[pi];
    m->pend[pi] = m->pend[--m->npend];
    tl_receive(&m->acc[p.dest], p.hash, p.amount, &m->blocks[m->nblocks++]);
    m->opened[p.dest] = true;
}

static void build(model *m)
{
    m->blocks = malloc((2 * ACCOUNTS + EXTRA_OPS + 16) * sizeof *m->blocks);
    m->pend = malloc((2 * ACCOUNTS + EXTRA_OPS + 16) * sizeof *m->pend);
    for (uint32_t i = 0; i < ACCOUNTS; i++) {
        tl_account_new(&m->acc[i], 1000 + i);
        memcpy(m->acc[i].rep, m->acc[i % REPS].kp.pub, 32);
    }
    for (int r = 0; r < REPS; r++)
        memcpy(m->reps[r], m->acc[r].kp.pub, 32);
    tl_genesis(&m->acc[ACCOUNTS]);
    m->opened[ACCOUNTS] = true;
    /* Genesis funds every account; each opens at some later point. */
    for (uint32_t i = 0; i < ACCOUNTS; i++) {
        smn_amount_t amt = smn_amount_add_wrap(tl_smn(1 + rnd() % 1000),
                                               smn_amount_from_u64((uint64_t)(rnd() % 1000000)));
        emit_send(m, ACCOUNTS, i, amt);
        if (rnd() % 2)
            emit_receive(m, (size_t)(rnd() % m->npend));
    }
    for (int k = 0; k < EXTRA_OPS; k++) {
        unsigned what = (unsigned)(rnd() % 10);
        if (what < 4 && m->npend) {
            emit_receive(m, (size_t)(rnd() % m->npend));
            continue;
        }
        uint32_t a = (uint32_t)(rnd() % ACCOUNTS);
        if (!m->opened[a] || smn_amount_is_zero(m->acc[a].balance)) {
            if (m->npend)
                emit_receive(m, (size_t)(rnd() % m->npend));
            continue;
        }
        if (what < 8) {
            uint32_t to = (uint32_t)(rnd() % (ACCOUNTS + 1));
            smn_amount_t amt = smn_amount_add_wrap(
                smn_amount_from_u64(1),
                smn_amount_mul_wrap(smn_amount_from_u64((uint64_t)(rnd() % 1000)),
                                    smn_amount_div(m->acc[a].balance, smn_amount_from_u64(1000))));
            if (smn_amount_gt(amt, m->acc[a].balance))
                amt = m->acc[a].balance;
            emit_send(m, a, to, amt);
        } else {
            tl_change(&m->acc[a], m->reps[rnd() % REPS], &m->blocks[m->nblocks++]);
        }
    }
    /* Receive whatever is left for a few accounts, to end mixed. */
    while (m->npend > 500)
        emit_receive(m, (size_t)(rnd() % m->npend));
}

static ledger_store *run(const model *m, const smn_block *order, const char *dir)
{
    ledger_store_config scfg = {.unchecked_max = 2 * ACCOUNTS + EXTRA_OPS};
    ledger_store *s = tl_open(dir, &scfg);
    ledger_processor *p;
    ledger_processor_config pcfg = {.batch_max = BATCH};
    assert_int_equal(ledger_processor_create(s, &pcfg, &p), LEDGER_STATUS_OK);
    ledger_result *r = malloc(m->nblocks * sizeof *r);
    assert_int_equal(ledger_processor_process(p, order, m->nblocks, r), LEDGER_STATUS_OK);
    for (size_t i = 0; i < m->nblocks; i++)
        assert_true(r[i] == LEDGER_ACCEPTED || r[i] == LEDGER_GAP_PREVIOUS ||
                    r[i] == LEDGER_GAP_SOURCE);
    free(r);
    ledger_processor_destroy(p);
    ledger_counts c;
    ledger_store_counts(s, &c);
    assert_int_equal(c.unchecked, 0);
    assert_int_equal(c.blocks, m->nblocks + 1);
    return s;
}

static void check_against_model(const model *m, ledger_store *s, const char *dir)
{
    const smn_amount_t supply = smn_network_supply();
    smn_amount_t total = smn_amount_from_u64(0);
    smn_amount_t weights[REPS + 1] = {0}; /* REPS = genesis rep */
    for (uint32_t i = 0; i <= ACCOUNTS; i++) {
        ledger_account_info ai;
        ledger_status st = ledger_store_account(s, m->acc[i].kp.pub, &ai);
        if (!m->opened[i]) {
            assert_int_equal(st, LEDGER_STATUS_NOT_FOUND);
            continue;
        }
        assert_int_equal(st, LEDGER_STATUS_OK);
        assert_true(smn_amount_eq(ai.balance, m->acc[i].balance));
        assert_memory_equal(ai.frontier, m->acc[i].frontier, 32);
        assert_memory_equal(ai.representative, m->acc[i].rep, 32);
        assert_int_equal(ai.height, m->acc[i].height);
        total = smn_amount_add_wrap(total, ai.balance);
        int r = REPS;
        for (int k = 0; k < REPS; k++)
            if (memcmp(m->acc[i].rep, m->reps[k], 32) == 0)
                r = k;
        if (r == REPS)
            assert_memory_equal(m->acc[i].rep, m->acc[ACCOUNTS].rep, 32);
        weights[r] = smn_amount_add_wrap(weights[r], m->acc[i].balance);
    }
    for (int k = 0; k <= REPS; k++) {
        smn_amount_t w;
        const uint8_t *rep = k < REPS ? m->reps[k] : m->acc[ACCOUNTS].rep;
        assert_int_equal(ledger_store_weight(s, rep, &w), LEDGER_STATUS_OK);
        assert_true(smn_amount_eq(w, weights[k]));
    }
    /* Receivables, through the read-only API. */
    char path[300], err[256];
    tl_dbpath(dir, path);
    ledger_ro *ro;
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    ledger_receivable *rv = malloc(m->npend * sizeof *rv + sizeof *rv);
    size_t seen = 0;
    for (uint32_t i = 0; i <= ACCOUNTS; i++) {
        size_t n;
        assert_int_equal(ledger_ro_receivables(ro, m->acc[i].kp.pub, rv, m->npend + 1, &n),
                         LEDGER_STATUS_OK);
        smn_amount_t listed = smn_amount_zero(), bal, recv;
        for (size_t j = 0; j < n; j++) {
            /* largest first, ties by send hash */
            if (j > 0)
                assert_true(smn_amount_gt(rv[j - 1].amount, rv[j].amount) ||
                            (smn_amount_eq(rv[j - 1].amount, rv[j].amount) &&
                             memcmp(rv[j - 1].send_hash, rv[j].send_hash, 32) < 0));
            listed = smn_amount_add_wrap(listed, rv[j].amount);
            bool found = false;
            for (size_t q = 0; q < m->npend && !found; q++)
                if (memcmp(m->pend[q].hash, rv[j].send_hash, 32) == 0) {
                    assert_int_equal(m->pend[q].dest, i);
                    assert_true(smn_amount_eq(m->pend[q].amount, rv[j].amount));
                    found = true;
                }
            assert_true(found);
            total = smn_amount_add_wrap(total, rv[j].amount);
        }
        seen += n;
        /* the running total (receivable_totals) is the sum of the list */
        assert_int_equal(ledger_ro_balance(ro, m->acc[i].kp.pub, &bal, &recv), LEDGER_STATUS_OK);
        assert_true(smn_amount_eq(recv, listed));
    }
    assert_int_equal(seen, m->npend);
    tl_check_receivable_totals(path, NULL);
    assert_true(smn_amount_eq(total, supply));
    free(rv);
    ledger_ro_close(ro);
}

static void test_random(void **state)
{
    (void)state;
    const char *e = getenv("SMN_TEST_SEED");
    rng_state = e ? strtoull(e, NULL, 0) : 0x243F6A8885A308D3ull;
    if (!rng_state)
        rng_state = 1;
    printf("seed 0x%llx\n", (unsigned long long)rng_state);
    model *m = calloc(1, sizeof *m);
    build(m);
    printf("%zu blocks, %zu receivables left\n", m->nblocks, m->npend);
    assert_true(m->nblocks >= 9500);

    char dir_a[256], dir_b[256];
    tl_tmpdir(dir_a);
    tl_tmpdir(dir_b);
    ledger_store *a = run(m, m->blocks, dir_a);

    smn_block *shuffled = malloc(m->nblocks * sizeof *shuffled);
    memcpy(shuffled, m->blocks, m->nblocks * sizeof *shuffled);
    for (size_t i = m->nblocks - 1; i > 0; i--) {
        size_t j = (size_t)(rnd() % (i + 1));
        smn_block t = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = t;
    }
    ledger_store *b = run(m, shuffled, dir_b);

    check_against_model(m, a, dir_a);
    check_against_model(m, b, dir_b);
    ledger_store_close(a);
    ledger_store_close(b);
    tl_cleanup(dir_a);
    tl_cleanup(dir_b);
    free(shuffled);
    free(m->blocks);
    free(m->pend);
    free(m);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests_name("ledger_random", tests, NULL, NULL);
}
