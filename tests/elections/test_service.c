/* The elections service driven without sockets: a real ledger.db (the
 * ledger library writes it, the service reads it read-only), a real
 * wallets.db holding the dev genesis key, and the hooks recorded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "procs/elections/service.h"
#include "procs/ledger/confirm.h"
#include "tests/ledger/helpers.h"

typedef struct {
    size_t confirms, votes, replies, requested, backlog_confirms;
    uint8_t confirmed[16][32];
    smn_block last_block; /* the last confirm's winner */
    smn_vote reply[16];
    uint8_t reply_peer[32];
    elections_pair pairs[64];
    bool refuse;                /* the confirm queue is "full" */
    size_t started, stopped[5]; /* by elections_stop_reason */
    elections_stop last_stop;
} rec;

static void on_started(void *ctx, const uint8_t hash[32])
{
    (void)hash;
    ((rec *)ctx)->started++;
}

static void on_stopped(void *ctx, const elections_stop *st)
{
    rec *r = ctx;
    assert_true(st->reason < 5);
    r->stopped[st->reason]++;
    r->last_stop = *st;
}

static bool on_confirm(void *ctx, const uint8_t hash[32], const smn_block *block, bool backlog)
{
    rec *r = ctx;
    uint8_t h[32];
    smn_block_hash(block, h);
    assert_memory_equal(h, hash, 32);
    if (r->refuse)
        return false;
    r->backlog_confirms += backlog;
    r->last_block = *block;
    if (r->confirms < 16)
        memcpy(r->confirmed[r->confirms], hash, 32);
    r->confirms++;
    return true;
}

static void on_vote(void *ctx, const smn_vote *v)
{
    (void)v;
    ((rec *)ctx)->votes++;
}

static void on_reply(void *ctx, const smn_vote *v, const uint8_t peer[32])
{
    rec *r = ctx;
    if (r->replies < 16)
        r->reply[r->replies] = *v;
    memcpy(r->reply_peer, peer, 32);
    r->replies++;
}

static void on_request(void *ctx, const elections_pair *pairs, size_t n)
{
    rec *r = ctx;
    for (size_t i = 0; i < n && r->requested < 64; i++)
        r->pairs[r->requested++] = pairs[i];
}

typedef struct {
    char dir[256];
    ledger_store *store;
    uint8_t frontier_g[32], frontier_a[32], send2[32];
    smn_keypair keys[2]; /* what the process would read from its key file */
    size_t nkeys;
    tl_account g; /* genesis as it stands after make_world */
} world;

/* genesis sends to A twice and to B once; A receives the first send. No
 * block but genesis is cemented: 4 unconfirmed blocks on 2 accounts. */
static void make_world(world *w, bool with_key)
{
    tl_tmpdir(w->dir);
    w->store = tl_open(w->dir, NULL);
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(w->store, NULL, &p), LEDGER_STATUS_OK);
    tl_account g, a, b;
    tl_genesis(&g);
    tl_account_new(&a, 1);
    tl_account_new(&b, 2);
    smn_block blk;
    uint8_t s1[32];
    tl_send(&g, a.kp.pub, tl_smn(10), &blk);
    tl_hash(&blk, s1);
    assert_int_equal(tl_process1(p, &blk), LEDGER_ACCEPTED);
    tl_send(&g, a.kp.pub, tl_smn(5), &blk);
    tl_hash(&blk, w->send2);
    assert_int_equal(tl_process1(p, &blk), LEDGER_ACCEPTED);
    tl_send(&g, b.kp.pub, tl_smn(1), &blk);
    assert_int_equal(tl_process1(p, &blk), LEDGER_ACCEPTED);
    tl_hash(&blk, w->frontier_g);
    tl_receive(&a, s1, tl_smn(10), &blk);
    assert_int_equal(tl_process1(p, &blk), LEDGER_ACCEPTED);
    tl_hash(&blk, w->frontier_a);
    ledger_processor_destroy(p);
    w->g = g;
    /* a key without weight is given too: it must stay silent */
    w->keys[0] = b.kp;
    w->nkeys = 1;
    if (with_key)
        w->keys[w->nkeys++] = g.kp;
}

static void free_world(world *w)
{
    ledger_store_close(w->store);
    tl_cleanup(w->dir);
}

static elections_service *make_service(world *w, rec *r, uint32_t request_ticks)
{
    memset(r, 0, sizeof *r);
    elections_service_config cfg = {
        .data_dir = w->dir,
        .keys = w->keys,
        .nkeys = w->nkeys,
        .net = tl_dev(),
        .request_ticks = request_ticks,
        .ticks_per_second = 10,
        .max_active = 100,
    };
    elections_service_hooks hooks = {r, on_confirm, on_vote, on_reply, on_request};
    hooks.started = on_started;
    hooks.stopped = on_stopped;
    elections_service *s = elections_service_new(&cfg, &hooks);
    assert_non_null(s);
    return s;
}

static void run_until_idle(elections_service *s)
{
    for (int i = 0; i < 1000 && elections_service_step(s); i++)
        ;
    assert_false(elections_service_step(s));
}

static bool confirmed_hash(const rec *r, const uint8_t h[32])
{
    for (size_t i = 0; i < r->confirms && i < 16; i++)
        if (memcmp(r->confirmed[i], h, 32) == 0)
            return true;
    return false;
}

/* The scan elects only frontiers: 4 unconfirmed blocks on 2 accounts cost
 * 2 elections, and our genesis representative confirms both at once. */
static void scan_elects_frontiers(void **state)
{
    (void)state;
    world w;
    make_world(&w, true);
    rec r;
    elections_service *s = make_service(&w, &r, 5);
    assert_int_equal(elections_service_load_reps(s), 1);
    run_until_idle(s);
    assert_int_equal(r.confirms, 2);
    assert_int_equal(r.backlog_confirms, 2); /* both came from the scan */
    assert_true(confirmed_hash(&r, w.frontier_g));
    assert_true(confirmed_hash(&r, w.frontier_a));
    assert_int_equal(elections_service_active(s), 0);
    assert_true(r.votes >= 4); /* a vote and a final vote per election */
    elections_service_free(s);
    free_world(&w);
}

/* Without a representative nothing confirms: the elections ask for votes
 * once they are due, and a refused confirm is elected again later. */
static void requests_and_refused_confirms(void **state)
{
    (void)state;
    world w;
    make_world(&w, false);
    rec r;
    elections_service *s = make_service(&w, &r, 5);
    assert_int_equal(elections_service_load_reps(s), 0);
    run_until_idle(s);
    assert_int_equal(elections_service_active(s), 2);
    assert_int_equal(r.started, 2); /* reported, for the websocket */
    assert_int_equal(r.requested, 0);
    elections_service_tick(s, 5);
    (void)elections_service_step(s);
    assert_int_equal(r.requested, 2);
    bool g = false, a = false;
    for (size_t i = 0; i < r.requested; i++) {
        g = g || memcmp(r.pairs[i].hash, w.frontier_g, 32) == 0;
        a = a || memcmp(r.pairs[i].hash, w.frontier_a, 32) == 0;
    }
    assert_true(g && a);
    /* the vote feed reconnected: everything is due again at once */
    elections_service_votes_lost(s);
    (void)elections_service_step(s);
    assert_int_equal(r.requested, 4);
    /* the ledger cemented A's frontier (a dependency of something else):
     * when its election is next due, it ends instead of asking */
    size_t cem = 0;
    assert_int_equal(ledger_confirm(w.store, w.frontier_a, NULL, NULL, &cem), LEDGER_STATUS_OK);
    assert_true(cem >= 2);
    elections_service_tick(s, 5 + 10);
    (void)elections_service_step(s);
    assert_int_equal(elections_service_active(s), 1);
    assert_int_equal(r.stopped[ELECTIONS_STOP_CEMENTED], 1);
    assert_memory_equal(r.last_stop.hash, w.frontier_a, 32);
    assert_false(r.last_stop.has_info);
    assert_int_equal(r.requested, 5); /* only G's frontier was asked about */
    assert_memory_equal(r.pairs[4].hash, w.frontier_g, 32);
    elections_service_free(s);

    /* a representative, but the confirm queue refuses: elected again */
    tl_account gen;
    tl_genesis(&gen);
    w.keys[w.nkeys++] = gen.kp;
    s = make_service(&w, &r, 5);
    r.refuse = true;
    assert_int_equal(elections_service_load_reps(s), 1);
    run_until_idle(s);
    assert_int_equal(r.confirms, 0);
    r.refuse = false;
    elections_service_tick(s, 100); /* a new pass is planned within a few seconds */
    run_until_idle(s);
    assert_int_equal(r.confirms, 1); /* G's frontier: A's is cemented by now */
    assert_true(confirmed_hash(&r, w.frontier_g));
    /* every confirmation was reported with its figures, also the one the
     * confirm queue refused (it was elected again: a second report) */
    assert_true(r.stopped[ELECTIONS_STOP_CONFIRMED] >= 2);
    assert_true(r.last_stop.has_info);
    assert_memory_equal(r.last_stop.hash, w.frontier_g, 32);
    assert_int_equal(r.last_stop.voters, 1);
    assert_int_equal(r.last_stop.blocks, 1);
    assert_false(smn_amount_is_zero(r.last_stop.tally));
    /* queued, then refused by the ledger (its reply comes later): the
     * block is still unconfirmed in the DB, so it is elected again */
    size_t before = r.confirms;
    smn_block winner = r.last_block;
    elections_service_confirm_refused(s, w.frontier_g, &winner);
    elections_service_tick(s, 200);
    run_until_idle(s);
    assert_int_equal(r.confirms, before + 1);
    assert_true(confirmed_hash(&r, w.frontier_g));
    elections_service_free(s);
    free_world(&w);
}

/* A peer asks: blocks the ledger cemented get one final vote from our
 * representative, to that peer; the same question within a second gets
 * nothing new; an unknown block gets nothing. */
static void answers_vote_requests(void **state)
{
    (void)state;
    world w;
    make_world(&w, true);
    size_t n = 0;
    assert_int_equal(ledger_confirm(w.store, w.send2, NULL, NULL, &n), LEDGER_STATUS_OK);
    assert_true(n >= 1);
    rec r;
    elections_service *s = make_service(&w, &r, 5);
    assert_int_equal(elections_service_load_reps(s), 1);
    uint8_t peer[32];
    memset(peer, 0x42, 32);
    elections_pair q[2];
    memcpy(q[0].hash, w.send2, 32);
    memset(q[0].root, 0x01, 32);
    memset(q[1].hash, 0xEE, 32); /* unknown */
    memset(q[1].root, 0xEF, 32);
    elections_service_vote_request(s, q, 2, peer);
    assert_int_equal(r.replies, 1);
    assert_memory_equal(r.reply_peer, peer, 32);
    assert_true(smn_vote_is_final(&r.reply[0]));
    assert_int_equal(r.reply[0].count, 1);
    assert_memory_equal(r.reply[0].hashes[0], w.send2, 32);
    assert_int_equal(smn_vote_verify(&r.reply[0]), SMN_VOTE_OK);
    tl_account g;
    tl_genesis(&g);
    assert_memory_equal(r.reply[0].account, g.kp.pub, 32);
    elections_service_vote_request(s, q, 2, peer);
    assert_int_equal(r.replies, 1);
    elections_service_tick(s, 10); /* a second later it answers again */
    elections_service_vote_request(s, q, 1, peer);
    assert_int_equal(r.replies, 2);
    /* an unconfirmed block the ledger holds gets an election, which our
     * representative settles at once (votes broadcast, confirm sent) */
    size_t before = r.confirms;
    memcpy(q[0].hash, w.frontier_a, 32);
    elections_service_vote_request(s, q, 1, peer);
    assert_int_equal(r.confirms, before + 1);
    assert_int_equal(r.backlog_confirms, 0); /* not from the scan: goes first */
    elections_service_free(s);
    free_world(&w);
}

/* A vote's weight is read from the ledger at most once a tick per voter:
 * an account that becomes a representative counts from the next tick. */
static void vote_weight_read_once_a_tick(void **state)
{
    (void)state;
    world w;
    make_world(&w, false);
    rec r;
    elections_service *s = make_service(&w, &r, 0);
    run_until_idle(s);
    assert_int_equal(elections_service_active(s), 2);
    smn_keypair x;
    tl_key(7, &x);
    smn_vote v;
    assert_int_equal(smn_vote_sign(&v, &x, 1, (const uint8_t(*)[32])w.frontier_g, 1), SMN_VOTE_OK);
    assert_int_equal(elections_service_vote(s, &v), ELECTIONS_VOTE_UNWEIGHTED);
    /* genesis makes x its representative: x now holds the weight */
    ledger_processor *p;
    assert_int_equal(ledger_processor_create(w.store, NULL, &p), LEDGER_STATUS_OK);
    smn_block blk;
    tl_change(&w.g, x.pub, &blk);
    assert_int_equal(tl_process1(p, &blk), LEDGER_ACCEPTED);
    ledger_processor_destroy(p);
    assert_int_equal(smn_vote_sign(&v, &x, 2, (const uint8_t(*)[32])w.frontier_g, 1), SMN_VOTE_OK);
    assert_int_equal(elections_service_vote(s, &v), ELECTIONS_VOTE_UNWEIGHTED); /* same tick */
    elections_service_tick(s, 1);
    assert_int_equal(smn_vote_sign(&v, &x, 3, (const uint8_t(*)[32])w.frontier_g, 1), SMN_VOTE_OK);
    assert_int_equal(elections_service_vote(s, &v), ELECTIONS_VOTE_ACCEPTED); /* counted */
    elections_service_free(s);
    free_world(&w);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scan_elects_frontiers),
        cmocka_unit_test(requests_and_refused_confirms),
        cmocka_unit_test(answers_vote_requests),
        cmocka_unit_test(vote_weight_read_once_a_tick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
