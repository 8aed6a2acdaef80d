/* Cementing in bounded slices (confirm.h ledger_confirm_job): the same
 * blocks in the same cementing order and seq as one ledger_confirm, each
 * slice at most its bound, idempotent, and a SIGKILL between slices loses
 * nothing that was committed: a repeated confirm finishes the rest. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "procs/ledger/confirm.h"
#include "ipc/ledgerdb/ro.h"
#include "tests/ledger/helpers.h"

enum { ACCOUNTS = 20, BLOCKS = 4 * ACCOUNTS - 2, SLICE = 7 };

/* Genesis funds ACCOUNTS accounts; each then sends to the next, which
 * receives: the last account's frontier depends on every block. */
static smn_block blocks[BLOCKS];
static smn_amount_t amounts[BLOCKS]; /* what each block sends or receives */
static uint8_t root[32];

static void build_workload(void)
{
    tl_account g, a[ACCOUNTS];
    tl_genesis(&g);
    size_t n = 0;
    uint8_t h[32];
    for (int i = 0; i < ACCOUNTS; i++) {
        tl_account_new(&a[i], 100 + (uint32_t)i);
        tl_send(&g, a[i].kp.pub, tl_smn(10), &blocks[n]);
        amounts[n] = amounts[n + 1] = tl_smn(10);
        tl_hash(&blocks[n++], h);
        tl_receive(&a[i], h, tl_smn(10), &blocks[n++]);
    }
    for (int i = 1; i < ACCOUNTS; i++) {
        tl_send(&a[i - 1], a[i].kp.pub, tl_smn(1), &blocks[n]);
        amounts[n] = amounts[n + 1] = tl_smn(1);
        tl_hash(&blocks[n++], h);
        tl_receive(&a[i], h, tl_smn(1), &blocks[n++]);
    }
    assert_int_equal(n, BLOCKS);
    memcpy(root, a[ACCOUNTS - 1].frontier, 32);
}

static ledger_store *open_loaded(char dir[256])
{
    tl_tmpdir(dir);
    ledger_store *s = tl_open(dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(s, NULL, &p), LEDGER_STATUS_OK);
    ledger_result r[BLOCKS];
    assert_int_equal(ledger_processor_process(p, blocks, BLOCKS, r), LEDGER_STATUS_OK);
    for (size_t i = 0; i < BLOCKS; i++)
        assert_int_equal(r[i], LEDGER_ACCEPTED);
    ledger_processor_destroy(p);
    return s;
}

typedef struct {
    ledger_cemented c[BLOCKS + 1];
    size_t n;
} order;

static void on_cemented(void *user, const ledger_cemented *c)
{
    order *o = user;
    assert_true(o->n < BLOCKS + 1);
    o->c[o->n++] = *c;
}

static void assert_same_order(const order *a, const order *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_memory_equal(a->c[i].hash, b->c[i].hash, 32);
        assert_int_equal(a->c[i].seq, b->c[i].seq);
        assert_int_equal(a->c[i].height, b->c[i].height);
        assert_true(smn_amount_eq(a->c[i].amount, b->c[i].amount));
    }
}

/* Every cemented block carries the amount it moved (schema 6 stores none:
 * the chain cursor derives it from the previous row, or looks the
 * previous block up where a slice starts). */
static void assert_amounts(const order *o)
{
    for (size_t i = 0; i < o->n; i++) {
        size_t k = 0;
        uint8_t h[32];
        for (; k < BLOCKS; k++) {
            tl_hash(&blocks[k], h);
            if (memcmp(h, o->c[i].hash, 32) == 0)
                break;
        }
        assert_true(k < BLOCKS);
        assert_true(smn_amount_eq(o->c[i].amount, amounts[k]));
    }
}

/* The persisted cementing log after genesis (seq 1). */
static void read_log(const char *dir, uint8_t (*out)[32], size_t *n)
{
    char path[300];
    tl_dbpath(dir, path);
    ledger_ro *ro;
    char err[200];
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    ledger_ro_cemented *e = calloc(BLOCKS + 1, sizeof *e);
    assert_int_equal(ledger_ro_cemented_after(ro, 1, e, BLOCKS + 1, n), LEDGER_STATUS_OK);
    for (size_t i = 0; i < *n; i++) {
        assert_int_equal(e[i].seq, 2 + i);
        memcpy(out[i], e[i].hash, 32);
    }
    free(e);
    ledger_ro_close(ro);
}

/* Steps job until finished, max slices at most; returns the slices run. */
static size_t run_slices(ledger_store *s, ledger_confirm_job *j, size_t max_slices, order *o)
{
    size_t slices = 0;
    bool finished = false;
    while (!finished && slices < max_slices) {
        ledger_cemented_list l = {0};
        assert_int_equal(ledger_confirm_job_step(s, j, SLICE, &l, &finished), LEDGER_STATUS_OK);
        assert_true(l.n <= SLICE);
        assert_true(finished || l.n == SLICE);
        for (size_t i = 0; i < l.n; i++)
            on_cemented(o, &l.v[i]);
        ledger_cemented_list_free(&l);
        slices++;
    }
    return slices;
}

static void test_sliced_same_as_unsliced(void **state)
{
    (void)state;
    char d1[256], d2[256];
    ledger_store *s1 = open_loaded(d1);
    order whole = {0};
    size_t count;
    assert_int_equal(ledger_confirm(s1, root, on_cemented, &whole, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, BLOCKS);
    ledger_store_close(s1);

    ledger_store *s2 = open_loaded(d2);
    ledger_confirm_job *j;
    assert_int_equal(ledger_confirm_job_new(root, &j), LEDGER_STATUS_OK);
    order sliced = {0};
    size_t slices = run_slices(s2, j, SIZE_MAX, &sliced);
    assert_int_equal(slices, (BLOCKS + SLICE - 1) / SLICE);
    assert_same_order(&whole, &sliced);
    assert_amounts(&whole);
    assert_amounts(&sliced);
    /* Idempotent: finished at once, nothing more. */
    order again = {0};
    assert_int_equal(run_slices(s2, j, SIZE_MAX, &again), 1);
    assert_int_equal(again.n, 0);
    ledger_confirm_job_free(j);
    ledger_counts c;
    ledger_store_counts(s2, &c);
    assert_int_equal(c.cemented, BLOCKS + 1);
    ledger_store_close(s2);

    uint8_t(*l1)[32] = calloc(BLOCKS + 1, 32), (*l2)[32] = calloc(BLOCKS + 1, 32);
    size_t n1, n2;
    read_log(d1, l1, &n1);
    read_log(d2, l2, &n2);
    assert_int_equal(n1, BLOCKS);
    assert_int_equal(n2, BLOCKS);
    assert_memory_equal(l1, l2, BLOCKS * 32);
    free(l1);
    free(l2);
    tl_cleanup(d1);
    tl_cleanup(d2);
}

/* Another confirm between slices cements part of the job's work: the job
 * skips it and still cements everything, dependencies first. */
static void test_interleaved_confirm(void **state)
{
    (void)state;
    char d[256];
    ledger_store *s = open_loaded(d);
    ledger_confirm_job *j;
    assert_int_equal(ledger_confirm_job_new(root, &j), LEDGER_STATUS_OK);
    order o = {0};
    run_slices(s, j, 1, &o);
    uint8_t mid[32];
    tl_hash(&blocks[BLOCKS - 3], mid); /* the second-to-last account's send */
    assert_int_equal(ledger_confirm(s, mid, on_cemented, &o, NULL), LEDGER_STATUS_OK);
    run_slices(s, j, SIZE_MAX, &o);
    ledger_confirm_job_free(j);
    assert_int_equal(o.n, BLOCKS);
    for (size_t i = 1; i < o.n; i++)
        assert_true(o.c[i].seq == o.c[i - 1].seq + 1);
    /* every receive after its send, every block after its previous */
    for (size_t i = 0; i < o.n; i++) {
        ssize_t prev = -1, src = -1;
        for (size_t k = 0; k < o.n; k++) {
            if (memcmp(o.c[k].hash, o.c[i].block.previous, 32) == 0)
                prev = (ssize_t)k;
            if ((o.c[i].subtype == LEDGER_SUBTYPE_RECEIVE ||
                 o.c[i].subtype == LEDGER_SUBTYPE_OPEN) &&
                memcmp(o.c[k].hash, o.c[i].block.link, 32) == 0)
                src = (ssize_t)k;
        }
        assert_true(prev < (ssize_t)i);
        assert_true(src < (ssize_t)i);
    }
    ledger_store_close(s);
    tl_cleanup(d);
}

/* SIGKILLed between slices: the committed slices stay cemented, and a
 * repeated confirm cements the rest in the order of an unsliced one. */
static void test_crash_between_slices(void **state)
{
    (void)state;
    char d1[256], d2[256];
    ledger_store *s1 = open_loaded(d1);
    order whole = {0};
    assert_int_equal(ledger_confirm(s1, root, on_cemented, &whole, NULL), LEDGER_STATUS_OK);
    ledger_store_close(s1);

    ledger_store *s2 = open_loaded(d2);
    ledger_store_close(s2);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ledger_store *cs = tl_open(d2, NULL);
        ledger_confirm_job *j;
        if (ledger_confirm_job_new(root, &j) != LEDGER_STATUS_OK)
            _exit(2);
        for (int k = 0; k < 3; k++) {
            ledger_cemented_list l = {0};
            bool finished;
            if (ledger_confirm_job_step(cs, j, SLICE, &l, &finished) != LEDGER_STATUS_OK ||
                l.n != SLICE)
                _exit(3);
            ledger_cemented_list_free(&l);
        }
        raise(SIGKILL);
        _exit(4);
    }
    int wst;
    assert_int_equal(waitpid(pid, &wst, 0), pid);
    assert_true(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);

    s2 = tl_open(d2, NULL);
    ledger_counts c;
    ledger_store_counts(s2, &c);
    assert_int_equal(c.cemented, 1 + 3 * SLICE);
    order rest = {0};
    size_t count;
    assert_int_equal(ledger_confirm(s2, root, on_cemented, &rest, &count), LEDGER_STATUS_OK);
    assert_int_equal(count, BLOCKS - 3 * SLICE);
    for (size_t i = 0; i < rest.n; i++) {
        assert_memory_equal(rest.c[i].hash, whole.c[3 * SLICE + i].hash, 32);
        assert_int_equal(rest.c[i].seq, whole.c[3 * SLICE + i].seq);
    }
    ledger_store_close(s2);
    uint8_t(*l1)[32] = calloc(BLOCKS + 1, 32), (*l2)[32] = calloc(BLOCKS + 1, 32);
    size_t n1, n2;
    read_log(d1, l1, &n1);
    read_log(d2, l2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(l1, l2, BLOCKS * 32);
    free(l1);
    free(l2);
    tl_cleanup(d1);
    tl_cleanup(d2);
}

/* Unknown hash; a reset job descends again; bad arguments. */
static void test_errors(void **state)
{
    (void)state;
    char d[256];
    ledger_store *s = open_loaded(d);
    uint8_t h[32];
    memcpy(h, root, 32);
    h[0] ^= 0xff;
    ledger_confirm_job *j;
    assert_int_equal(ledger_confirm_job_new(h, &j), LEDGER_STATUS_OK);
    ledger_cemented_list l = {0};
    bool finished;
    assert_int_equal(ledger_confirm_job_step(s, j, SLICE, &l, &finished), LEDGER_STATUS_NOT_FOUND);
    assert_int_equal(l.n, 0);
    assert_int_equal(ledger_confirm_job_step(s, j, 0, &l, &finished), LEDGER_STATUS_INVALID);
    ledger_confirm_job_free(j);

    assert_int_equal(ledger_confirm_job_new(root, &j), LEDGER_STATUS_OK);
    order o = {0};
    run_slices(s, j, 2, &o);
    ledger_confirm_job_reset(j);
    run_slices(s, j, SIZE_MAX, &o);
    assert_int_equal(o.n, BLOCKS);
    ledger_confirm_job_free(j);
    ledger_store_close(s);
    tl_cleanup(d);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    build_workload();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sliced_same_as_unsliced),
        cmocka_unit_test(test_interleaved_confirm),
        cmocka_unit_test(test_crash_between_slices),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("ledger_confirm_slices", tests, NULL, NULL);
}
