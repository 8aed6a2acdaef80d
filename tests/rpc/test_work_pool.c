/* The rpc work pool: results come back on the loop, cancel by root, the
 * global and per-client bounds, abandon. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>

#include "common/work.h"
#include "procs/rpc/work_pool.h"

#define HARD 0xffffffffffffffffull /* never found in a test's lifetime */

typedef struct {
    int calls;
    int status;
    uint64_t nonce;
} result;

static void on_done(void *user, int status, uint64_t nonce)
{
    result *r = user;
    r->calls++;
    r->status = status;
    r->nonce = nonce;
}

static void root_of(uint8_t root[32], uint8_t tag)
{
    memset(root, tag, 32);
}

static void run_until(struct event_base *b, const int *calls, int want)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (*calls < want) {
        struct timeval tv = {0, 10000};
        event_base_loopexit(b, &tv);
        event_base_dispatch(b);
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 20)
            fail_msg("no answer within 20 s");
    }
}

static void test_generates_off_loop(void **state)
{
    (void)state;
    struct event_base *b = event_base_new();
    rpc_work_pool_opts o = {.threads = 2};
    rpc_work_pool *p = rpc_work_pool_new(b, &o);
    assert_non_null(p);
    assert_int_equal(rpc_work_pool_threads(p), 2);
    uint8_t root[32];
    root_of(root, 7);
    const uint64_t d = 0xff00000000000000ull;
    result r = {0};
    assert_int_equal(rpc_work_pool_submit(p, root, d, "a", on_done, &r, NULL), 0);
    assert_int_equal(r.calls, 0); /* never inside submit */
    run_until(b, &r.calls, 1);
    assert_int_equal(r.status, 0);
    assert_true(smn_work_value(root, r.nonce) >= d);
    assert_int_equal(rpc_work_pool_jobs(p), 0);
    rpc_work_pool_free(p);
    event_base_free(b);
}

static void test_cancel_root(void **state)
{
    (void)state;
    struct event_base *b = event_base_new();
    rpc_work_pool_opts o = {.threads = 2, .queue_max = 16, .per_client_max = 16};
    rpc_work_pool *p = rpc_work_pool_new(b, &o);
    uint8_t r1[32], r2[32];
    root_of(r1, 1);
    root_of(r2, 2);
    result a[6] = {0}, other = {0};
    for (int i = 0; i < 6; i++) /* two run, four wait */
        assert_int_equal(rpc_work_pool_submit(p, r1, HARD, "c", on_done, &a[i], NULL), 0);
    assert_int_equal(rpc_work_pool_submit(p, r2, HARD, "c", on_done, &other, NULL), 0);
    assert_int_equal(rpc_work_pool_jobs(p), 7);
    assert_int_equal(rpc_work_pool_cancel_root(p, r1), 6);
    assert_int_equal(rpc_work_pool_cancel_root(p, r1), 0); /* already cancelled */
    int total = 0;
    while (total < 6) {
        run_until(b, &a[0].calls, 1);
        total = 0;
        for (int i = 0; i < 6; i++)
            total += a[i].calls;
        if (total < 6) {
            struct timeval tv = {0, 10000};
            event_base_loopexit(b, &tv);
            event_base_dispatch(b);
        }
    }
    for (int i = 0; i < 6; i++) {
        assert_int_equal(a[i].calls, 1);
        assert_int_equal(a[i].status, -ECANCELED);
    }
    /* the other root runs on, and is cancelled by its own root */
    assert_int_equal(other.calls, 0);
    assert_int_equal(rpc_work_pool_jobs(p), 1);
    assert_int_equal(rpc_work_pool_cancel_root(p, r2), 1);
    run_until(b, &other.calls, 1);
    assert_int_equal(other.status, -ECANCELED);
    assert_int_equal(rpc_work_pool_jobs(p), 0);
    rpc_work_pool_free(p);
    event_base_free(b);
}

static void test_limits(void **state)
{
    (void)state;
    struct event_base *b = event_base_new();
    rpc_work_pool_opts o = {.threads = 1, .queue_max = 4, .per_client_max = 2};
    rpc_work_pool *p = rpc_work_pool_new(b, &o);
    uint8_t root[32];
    root_of(root, 3);
    result r[6] = {0};
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "x", on_done, &r[0], NULL), 0);
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "x", on_done, &r[1], NULL), 0);
    /* a third from the same client: refused, nothing queued */
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "x", on_done, &r[2], NULL), -EAGAIN);
    assert_int_equal(rpc_work_pool_jobs(p), 2);
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "y", on_done, &r[3], NULL), 0);
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "z", on_done, &r[4], NULL), 0);
    /* the whole queue is full, whoever asks */
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "w", on_done, &r[5], NULL), -EBUSY);
    assert_int_equal(rpc_work_pool_jobs(p), 4);
    assert_int_equal(rpc_work_pool_cancel_root(p, root), 4);
    int n = 0;
    while (n < 4) {
        run_until(b, &r[0].calls, 1);
        n = r[0].calls + r[1].calls + r[3].calls + r[4].calls;
        struct timeval tv = {0, 10000};
        event_base_loopexit(b, &tv);
        event_base_dispatch(b);
    }
    assert_int_equal(r[2].calls + r[5].calls, 0);
    /* room again */
    assert_int_equal(
        rpc_work_pool_submit(p, root, 0xf000000000000000ull, "x", on_done, &r[2], NULL), 0);
    run_until(b, &r[2].calls, 1);
    assert_int_equal(r[2].status, 0);
    rpc_work_pool_free(p);
    event_base_free(b);
}

static void test_abandon_and_free(void **state)
{
    (void)state;
    struct event_base *b = event_base_new();
    rpc_work_pool_opts o = {.threads = 1, .queue_max = 8, .per_client_max = 8};
    rpc_work_pool *p = rpc_work_pool_new(b, &o);
    uint8_t root[32];
    root_of(root, 9);
    result running = {0}, queued = {0}, kept = {0};
    rpc_work_job *j1 = NULL, *j2 = NULL;
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "a", on_done, &running, &j1), 0);
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "a", on_done, &queued, &j2), 0);
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "a", on_done, &kept, NULL), 0);
    rpc_work_pool_abandon(p, j1);
    rpc_work_pool_abandon(p, j2);
    /* abandoned jobs no longer count against their client */
    assert_int_equal(rpc_work_pool_cancel_root(p, root), 1);
    run_until(b, &kept.calls, 1);
    for (int i = 0; i < 5; i++) {
        struct timeval tv = {0, 10000};
        event_base_loopexit(b, &tv);
        event_base_dispatch(b);
    }
    assert_int_equal(running.calls + queued.calls, 0);
    assert_int_equal(rpc_work_pool_jobs(p), 0);
    /* freeing with a job still running stops it and joins */
    result late = {0};
    assert_int_equal(rpc_work_pool_submit(p, root, HARD, "a", on_done, &late, NULL), 0);
    rpc_work_pool_free(p);
    assert_int_equal(late.calls, 0);
    event_base_free(b);
}

/* The observer (the websocket's work topic) sees every outcome: a nonce
 * found, a cancel, an abandoned job, a refused submit. */
typedef struct {
    int n, ok, cancelled, refused;
    uint64_t last_nonce, last_difficulty;
    uint8_t last_root[32];
} seen;

static void observe(void *ud, const rpc_work_outcome *o)
{
    seen *s = ud;
    s->n++;
    if (o->status == 0)
        s->ok++;
    else if (o->status == -ECANCELED)
        s->cancelled++;
    else
        s->refused++;
    s->last_nonce = o->nonce;
    s->last_difficulty = o->difficulty;
    memcpy(s->last_root, o->root, 32);
}

static void test_observer(void **state)
{
    (void)state;
    struct event_base *b = event_base_new();
    rpc_work_pool_opts o = {.threads = 1, .queue_max = 2, .per_client_max = 2};
    rpc_work_pool *p = rpc_work_pool_new(b, &o);
    seen s = {0};
    rpc_work_pool_observe(p, observe, &s);
    uint8_t root[32], hard[32];
    root_of(root, 9);
    root_of(hard, 10);
    result r[4] = {0};
    const uint64_t d = 0xf000000000000000ull;
    assert_int_equal(rpc_work_pool_submit(p, root, d, "a", on_done, &r[0], NULL), 0);
    run_until(b, &s.n, 1);
    assert_int_equal(s.ok, 1);
    assert_int_equal(r[0].calls, 1);
    assert_int_equal(s.last_nonce, r[0].nonce);
    assert_int_equal(s.last_difficulty, d);
    assert_memory_equal(s.last_root, root, 32);
    /* cancelled, abandoned, refused */
    rpc_work_job *job = NULL;
    assert_int_equal(rpc_work_pool_submit(p, hard, HARD, "a", on_done, &r[1], NULL), 0);
    assert_int_equal(rpc_work_pool_submit(p, hard, HARD, "b", on_done, &r[2], &job), 0);
    assert_int_equal(rpc_work_pool_submit(p, hard, HARD, "c", on_done, &r[3], NULL), -EBUSY);
    assert_int_equal(s.refused, 1);
    rpc_work_pool_abandon(p, job);
    assert_int_equal(rpc_work_pool_cancel_root(p, hard), 1);
    run_until(b, &s.n, 4);
    assert_int_equal(s.cancelled, 2);
    assert_int_equal(r[1].status, -ECANCELED);
    assert_int_equal(r[2].calls, 0); /* abandoned: observed, its done never runs */
    rpc_work_pool_free(p);
    event_base_free(b);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generates_off_loop),
        cmocka_unit_test(test_cancel_root),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_abandon_and_free),
        cmocka_unit_test(test_observer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
