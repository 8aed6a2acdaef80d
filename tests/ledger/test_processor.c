/* The block processor: mixed batches, events, the bounded queue (BUSY), groups,
 * the unchecked cascade and the unchecked bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/ledgerdb/ro.h"
#include "procs/ledger/confirm.h"
#include "tests/ledger/helpers.h"

typedef struct {
    ledger_event ev[256];
    size_t n;
} event_log;

static void on_event(void *user, const ledger_event *ev)
{
    event_log *l = user;
    if (l->n < 256)
        l->ev[l->n++] = *ev;
}

typedef struct {
    char dir[256];
    ledger_store *s;
    ledger_processor *p;
    event_log log;
    tl_account g;
} fx;

static fx *make(const ledger_store_config *scfg, size_t batch_max, size_t queue_max)
{
    fx *f = calloc(1, sizeof *f);
    tl_tmpdir(f->dir);
    f->s = tl_open(f->dir, scfg);
    ledger_processor_config cfg = {.batch_max = batch_max,
                                   .queue_max = queue_max,
                                   .verify_threads = 2,
                                   .on_event = on_event,
                                   .event_user = &f->log};
    assert_int_equal(ledger_processor_create(f->s, &cfg, &f->p), LEDGER_STATUS_OK);
    tl_genesis(&f->g);
    return f;
}

static void destroy(fx *f)
{
    ledger_processor_destroy(f->p);
    ledger_store_close(f->s);
    tl_cleanup(f->dir);
    free(f);
}

/* n sends from genesis to n new accounts and their opens. */
static void build_pairs(fx *f, size_t n, smn_block *sends, smn_block *opens)
{
    for (size_t i = 0; i < n; i++) {
        tl_account a;
        tl_account_new(&a, (uint32_t)(100 + i));
        tl_send(&f->g, a.kp.pub, tl_smn(1 + i), &sends[i]);
        uint8_t h[32];
        tl_hash(&sends[i], h);
        tl_receive(&a, h, tl_smn(1 + i), &opens[i]);
    }
}

static void test_mixed_batch(void **state)
{
    (void)state;
    fx *f = make(NULL, 3, 16); /* 3 per transaction: several chunks */
    smn_block sends[4], opens[4];
    build_pairs(f, 4, sends, opens);
    smn_block batch[10];
    memcpy(batch, sends, sizeof sends);
    memcpy(batch + 4, opens, sizeof opens);
    batch[8] = sends[0]; /* duplicate */
    batch[9] = opens[1];
    batch[9].signature[0] ^= 0x40;
    ledger_result r[10];
    assert_int_equal(ledger_processor_process(f->p, batch, 10, r), LEDGER_STATUS_OK);
    for (int i = 0; i < 8; i++)
        assert_int_equal(r[i], LEDGER_ACCEPTED);
    assert_int_equal(r[8], LEDGER_OLD);
    assert_int_equal(r[9], LEDGER_BAD_SIGNATURE);
    assert_int_equal(f->log.n, 8);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(f->log.ev[i].kind, LEDGER_EVENT_ACCEPTED);
        uint8_t h[32];
        tl_hash(&batch[i], h);
        assert_memory_equal(f->log.ev[i].hash, h, 32);
    }
    assert_int_equal(f->log.ev[0].subtype, LEDGER_SUBTYPE_SEND);
    assert_int_equal(f->log.ev[4].subtype, LEDGER_SUBTYPE_OPEN);
    assert_true(smn_amount_eq(f->log.ev[5].amount, tl_smn(2)));
    ledger_counts c;
    ledger_store_counts(f->s, &c);
    assert_int_equal(c.blocks, 9);
    destroy(f);
}

static void test_fork_event(void **state)
{
    (void)state;
    fx *f = make(NULL, 0, 0);
    tl_account a;
    tl_account_new(&a, 5);
    tl_account g2 = f->g;
    smn_block s1, s2;
    tl_send(&f->g, a.kp.pub, tl_smn(1), &s1);
    tl_send(&g2, a.kp.pub, tl_smn(2), &s2);
    smn_block both[2] = {s1, s2};
    ledger_result r[2];
    assert_int_equal(ledger_processor_process(f->p, both, 2, r), LEDGER_STATUS_OK);
    assert_int_equal(r[0], LEDGER_ACCEPTED);
    assert_int_equal(r[1], LEDGER_FORK);
    assert_int_equal(f->log.n, 2);
    assert_int_equal(f->log.ev[1].kind, LEDGER_EVENT_FORK);
    uint8_t h1[32], h2[32];
    tl_hash(&s1, h1);
    tl_hash(&s2, h2);
    assert_memory_equal(f->log.ev[1].hash, h2, 32);
    assert_memory_equal(f->log.ev[1].existing, h1, 32);
    destroy(f);
}

typedef struct {
    uint64_t tags[64];
    ledger_result res[64];
    uint8_t hashes[64][32];
    size_t n;
} result_log;

static void on_result(void *user, uint64_t tag, const uint8_t hash[32], ledger_result r)
{
    result_log *l = user;
    l->tags[l->n] = tag;
    memcpy(l->hashes[l->n], hash, 32);
    l->res[l->n++] = r;
}

static ledger_result enqueue(ledger_processor *p, const smn_block *b, uint64_t tag)
{
    uint8_t h[32];
    smn_block_hash(b, h);
    return ledger_processor_enqueue(p, b, h, tag);
}

static void test_queue_busy(void **state)
{
    (void)state;
    fx *f = make(NULL, 2, 4);
    smn_block sends[5], opens[5];
    build_pairs(f, 5, sends, opens);
    size_t ev0 = f->log.n;
    for (int i = 0; i < 4; i++)
        assert_int_equal(enqueue(f->p, &sends[i], 10 + (uint64_t)i), LEDGER_QUEUED);
    assert_int_equal(enqueue(f->p, &sends[4], 14), LEDGER_BUSY);
    assert_int_equal(ledger_processor_queued(f->p), 4);
    result_log rl = {0};
    size_t n;
    assert_int_equal(ledger_processor_drain(f->p, on_result, &rl, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 2); /* one batch of batch_max */
    assert_int_equal(enqueue(f->p, &sends[4], 14), LEDGER_QUEUED);
    do {
        assert_int_equal(ledger_processor_drain(f->p, on_result, &rl, &n), LEDGER_STATUS_OK);
    } while (n);
    assert_int_equal(rl.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(rl.tags[i], 10 + i);
        assert_int_equal(rl.res[i], LEDGER_ACCEPTED);
        /* the hash enqueue was given comes back with the result */
        uint8_t h[32];
        smn_block_hash(&sends[i], h);
        assert_memory_equal(rl.hashes[i], h, 32);
        /* and its event carries the tag it was queued with */
        assert_int_equal(f->log.ev[ev0 + i].tag, 10 + i);
    }
    assert_int_equal(f->log.n, ev0 + 5);
    destroy(f);
}

static uint64_t committed_blocks(const char *dir)
{
    char path[300], err[200];
    tl_dbpath(dir, path);
    ledger_ro *ro;
    assert_int_equal(ledger_ro_open(path, tl_dev(), &ro, err, sizeof err), LEDGER_STATUS_OK);
    ledger_counts c;
    assert_int_equal(ledger_ro_counts(ro, &c), LEDGER_STATUS_OK);
    ledger_ro_close(ro);
    return c.blocks;
}

/* A group: drains of batch_max blocks share one transaction, and nothing
 * of it (results, events, rows another connection sees) shows before its
 * commit; it commits when the queue is empty, when another batch would
 * not fit group_max, and before another writer's transaction. */
static void test_group(void **state)
{
    (void)state;
    fx *f = calloc(1, sizeof *f);
    tl_tmpdir(f->dir);
    f->s = tl_open(f->dir, NULL);
    ledger_processor_config cfg = {.batch_max = 2,
                                   .group_max = 5,
                                   .queue_max = 16,
                                   .verify_threads = 2,
                                   .on_event = on_event,
                                   .event_user = &f->log};
    assert_int_equal(ledger_processor_create(f->s, &cfg, &f->p), LEDGER_STATUS_OK);
    tl_genesis(&f->g);
    smn_block sends[5], opens[5];
    build_pairs(f, 5, sends, opens);
    for (int i = 0; i < 5; i++)
        assert_int_equal(enqueue(f->p, &sends[i], 10 + (uint64_t)i), LEDGER_QUEUED);
    result_log rl = {0};
    size_t n;
    assert_int_equal(ledger_processor_drain(f->p, on_result, &rl, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    /* 2 blocks applied, none committed: held */
    assert_true(ledger_processor_group_open(f->p));
    assert_int_equal(rl.n, 0);
    assert_int_equal(f->log.n, 0);
    assert_int_equal(committed_blocks(f->dir), 1);
    /* Another writer: the group commits first, then the confirm runs. */
    uint8_t h[32];
    tl_hash(&sends[1], h);
    size_t cemented = 0;
    assert_int_equal(ledger_confirm(f->s, h, NULL, NULL, &cemented), LEDGER_STATUS_OK);
    assert_int_equal(cemented, 2);
    assert_false(ledger_processor_group_open(f->p));
    assert_int_equal(rl.n, 2);
    assert_int_equal(f->log.n, 2);
    assert_int_equal(committed_blocks(f->dir), 3);
    /* Two more held; the last one empties the queue: committed at once. */
    assert_int_equal(ledger_processor_drain(f->p, on_result, &rl, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 2);
    assert_true(ledger_processor_group_open(f->p));
    assert_int_equal(rl.n, 2);
    assert_int_equal(ledger_processor_drain(f->p, on_result, &rl, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 1);
    assert_false(ledger_processor_group_open(f->p));
    assert_int_equal(rl.n, 5);
    /* group_max: 2 + 2 held, then a third batch would not fit 5. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(enqueue(f->p, &opens[i], 20 + (uint64_t)i), LEDGER_QUEUED);
    assert_int_equal(ledger_processor_drain(f->p, on_result, &rl, &n), LEDGER_STATUS_OK);
    assert_int_equal(rl.n, 5);
    assert_int_equal(ledger_processor_drain(f->p, on_result, &rl, &n), LEDGER_STATUS_OK);
    assert_int_equal(rl.n, 9);
    assert_int_equal(committed_blocks(f->dir), 10);
    assert_int_equal(ledger_processor_drain(f->p, on_result, &rl, &n), LEDGER_STATUS_OK);
    assert_int_equal(rl.n, 10);
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(rl.tags[i], (i < 5 ? 10 : 15) + i);
        assert_int_equal(rl.res[i], LEDGER_ACCEPTED);
        assert_int_equal(f->log.ev[i].tag, rl.tags[i]);
    }
    assert_int_equal(f->log.n, 10);
    assert_int_equal(committed_blocks(f->dir), 11);
    ledger_processor_stats st;
    ledger_processor_get_stats(f->p, &st);
    assert_int_equal(st.groups, 4);
    assert_true(st.step_us_max > 0);
    destroy(f);
}

static void test_unchecked_cascade(void **state)
{
    (void)state;
    fx *f = make(NULL, 0, 0);
    /* A chain: genesis -> a (send, open), a sends to b twice, b opens and
     * receives; submitted newest first, so every block waits. */
    tl_account a, b;
    tl_account_new(&a, 1);
    tl_account_new(&b, 2);
    smn_block blk[6];
    uint8_t h[32];
    tl_send(&f->g, a.kp.pub, tl_smn(10), &blk[0]);
    tl_hash(&blk[0], h);
    tl_receive(&a, h, tl_smn(10), &blk[1]);
    tl_send(&a, b.kp.pub, tl_smn(3), &blk[2]);
    tl_send(&a, b.kp.pub, tl_smn(4), &blk[3]);
    tl_hash(&blk[2], h);
    tl_receive(&b, h, tl_smn(3), &blk[4]);
    tl_hash(&blk[3], h);
    tl_receive(&b, h, tl_smn(4), &blk[5]);
    ledger_result r;
    for (int i = 5; i >= 1; i--) {
        r = tl_process1(f->p, &blk[i]);
        assert_true(r == LEDGER_GAP_PREVIOUS || r == LEDGER_GAP_SOURCE);
    }
    ledger_counts c;
    ledger_store_counts(f->s, &c);
    assert_int_equal(c.unchecked, 5);
    assert_int_equal(f->log.n, 0);
    /* the missing block comes through the queue: its event has its tag,
     * those of the blocks it releases from unchecked have none */
    assert_int_equal(enqueue(f->p, &blk[0], 77), LEDGER_QUEUED);
    result_log rl = {0};
    size_t n;
    assert_int_equal(ledger_processor_drain(f->p, on_result, &rl, &n), LEDGER_STATUS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rl.res[0], LEDGER_ACCEPTED);
    ledger_store_counts(f->s, &c);
    assert_int_equal(c.unchecked, 0);
    assert_int_equal(c.blocks, 7);
    assert_int_equal(f->log.n, 6);
    assert_int_equal(f->log.ev[0].tag, 77);
    for (size_t i = 1; i < 6; i++)
        assert_int_equal(f->log.ev[i].tag, 0);
    ledger_account_info ai;
    assert_int_equal(ledger_store_account(f->s, b.kp.pub, &ai), LEDGER_STATUS_OK);
    assert_true(smn_amount_eq(ai.balance, tl_smn(7)));
    assert_int_equal(ai.height, 2);
    destroy(f);
}

static void test_unchecked_bound(void **state)
{
    (void)state;
    ledger_store_config scfg = {.unchecked_max = 3};
    fx *f = make(&scfg, 0, 0);
    smn_block sends[5], opens[5];
    build_pairs(f, 5, sends, opens);
    /* Five opens waiting for their sends: only the newest three are kept. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(tl_process1(f->p, &opens[i]), LEDGER_GAP_SOURCE);
    ledger_counts c;
    ledger_store_counts(f->s, &c);
    assert_int_equal(c.unchecked, 3);
    /* A block already held is not added twice and drops nothing. */
    assert_int_equal(tl_process1(f->p, &opens[4]), LEDGER_GAP_SOURCE);
    ledger_store_counts(f->s, &c);
    assert_int_equal(c.unchecked, 3);
    ledger_result r[5];
    assert_int_equal(ledger_processor_process(f->p, sends, 5, r), LEDGER_STATUS_OK);
    ledger_store_counts(f->s, &c);
    assert_int_equal(c.unchecked, 0);
    assert_int_equal(c.blocks, 1 + 5 + 3);
    ledger_account_info ai;
    for (int i = 0; i < 5; i++) {
        ledger_status want = i < 2 ? LEDGER_STATUS_NOT_FOUND : LEDGER_STATUS_OK;
        assert_int_equal(ledger_store_account(f->s, opens[i].account, &ai), want);
    }
    /* The dropped ones are simply processed again. */
    assert_int_equal(tl_process1(f->p, &opens[0]), LEDGER_ACCEPTED);
    destroy(f);
}

static void test_unchecked_survives_restart(void **state)
{
    (void)state;
    fx *f = make(NULL, 0, 0);
    smn_block sends[1], opens[1];
    build_pairs(f, 1, sends, opens);
    assert_int_equal(tl_process1(f->p, &opens[0]), LEDGER_GAP_SOURCE);
    ledger_processor_destroy(f->p);
    ledger_store_close(f->s);
    f->s = tl_open(f->dir, NULL);
    assert_int_equal(ledger_processor_create(f->s, NULL, &f->p), LEDGER_STATUS_OK);
    ledger_counts c;
    ledger_store_counts(f->s, &c);
    assert_int_equal(c.unchecked, 1);
    assert_int_equal(tl_process1(f->p, &sends[0]), LEDGER_ACCEPTED);
    ledger_store_counts(f->s, &c);
    assert_int_equal(c.unchecked, 0);
    assert_int_equal(c.blocks, 3);
    destroy(f);
}

/* A large batch crosses several chunks and the verification pipeline. */
static void test_large_batch(void **state)
{
    (void)state;
    fx *f = make(NULL, 64, 0);
    enum { N = 300 };
    smn_block *sends = malloc(N * sizeof *sends), *opens = malloc(N * sizeof *opens);
    build_pairs(f, N, sends, opens);
    smn_block *all = malloc(2 * N * sizeof *all);
    memcpy(all, sends, N * sizeof *sends);
    memcpy(all + N, opens, N * sizeof *opens);
    all[N + 17].signature[3] ^= 1;
    ledger_result *r = malloc(2 * N * sizeof *r);
    assert_int_equal(ledger_processor_process(f->p, all, 2 * N, r), LEDGER_STATUS_OK);
    for (int i = 0; i < 2 * N; i++)
        assert_int_equal(r[i], i == N + 17 ? LEDGER_BAD_SIGNATURE : LEDGER_ACCEPTED);
    free(sends);
    free(opens);
    free(all);
    free(r);
    destroy(f);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_batch),     cmocka_unit_test(test_fork_event),
        cmocka_unit_test(test_queue_busy),      cmocka_unit_test(test_unchecked_cascade),
        cmocka_unit_test(test_unchecked_bound), cmocka_unit_test(test_unchecked_survives_restart),
        cmocka_unit_test(test_large_batch),     cmocka_unit_test(test_group),
    };
    return cmocka_run_group_tests_name("ledger_processor", tests, NULL, NULL);
}
