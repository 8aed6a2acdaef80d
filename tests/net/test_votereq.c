/* Vote requests and flood gates without sockets (service_votereq.h,
 * service_flood.h): the
 * confirm_req budgets both ways, the flood verdict, which seen votes are
 * re-delivered as answers, and the confirm_req <-> net.sock pairs
 * conversions (a confirm_req frame from a peer becomes a vote_request the
 * net family accepts; a request_votes becomes a confirm_req frame). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/network.h"
#include "ipc/builder.h"
#include "ipc/msg.h"
#include "ipc/schema_net.h"
#include "procs/net/message.h"
#include "procs/net/service_flood.h"
#include "procs/net/service_votereq.h"

static void fill_req(net_confirm_req *q, uint8_t count, uint8_t seed)
{
    memset(q, 0, sizeof *q);
    q->count = count;
    for (uint8_t i = 0; i < count; i++) {
        memset(q->hashes[i], seed + i, 32);
        q->hashes[i][0] = 0xA0;
        memset(q->roots[i], seed + i, 32);
        q->roots[i][0] = 0xB0;
    }
}

static smn_vote vote_for(const uint8_t hash[32])
{
    smn_vote v;
    memset(&v, 0, sizeof v);
    v.count = 1;
    memcpy(v.hashes[0], hash, 32);
    return v;
}

static void test_ask_budget(void **state)
{
    (void)state;
    net_vreq r;
    net_vreq_init(&r, 1000);
    net_confirm_req q;
    fill_req(&q, 12, 1);
    unsigned sent = 0;
    while (net_vreq_ask(&r, &q, 1000))
        sent++;
    assert_int_equal(sent, NET_VREQ_OUT_BURST / 12);
    /* 100 ms refills 12 pairs: exactly one more full request. */
    assert_true(net_vreq_ask(&r, &q, 1100));
    assert_false(net_vreq_ask(&r, &q, 1100));
    /* A smaller request fits where a full one does not. */
    net_confirm_req one;
    fill_req(&one, 1, 100);
    assert_false(net_vreq_ask(&r, &q, 1150));
    assert_true(net_vreq_ask(&r, &one, 1150));
    /* A refused ask awaits nothing: no answer to it gets through. */
    net_vreq r2;
    net_vreq_init(&r2, 0);
    for (int i = 0; i < 20; i++)
        assert_true(net_vreq_ask(&r2, &q, 0));
    net_confirm_req other;
    fill_req(&other, 1, 200);
    assert_false(net_vreq_ask(&r2, &other, 0));
    smn_vote v = vote_for(other.hashes[0]);
    assert_false(net_vreq_redeliver(&r2, &v, 1));
    /* Out-of-range counts are refused. */
    net_confirm_req bad;
    fill_req(&bad, 1, 1);
    bad.count = 0;
    assert_false(net_vreq_ask(&r2, &bad, 10000));
    bad.count = NET_CONFIRM_REQ_MAX_PAIRS + 1;
    assert_false(net_vreq_ask(&r2, &bad, 10000));
}

/* Requests of 12 pairs every `every_ms` for `ms`: the first flood verdict's
 * time (UINT64_MAX: none), and how many were accepted / throttled. */
static uint64_t drive(unsigned every_ms, uint64_t ms, unsigned *accepted, unsigned *throttled)
{
    net_vreq r;
    net_vreq_init(&r, 0);
    *accepted = *throttled = 0;
    for (uint64_t t = 0; t < ms; t += every_ms) {
        net_vreq_verdict v = net_vreq_incoming(&r, 12, t);
        if (v == NET_VREQ_FLOOD)
            return t;
        if (v == NET_VREQ_ACCEPT)
            (*accepted)++;
        else
            (*throttled)++;
    }
    return UINT64_MAX;
}

static void test_incoming_limits(void **state)
{
    (void)state;
    unsigned acc, thr;
    /* At our own outbound rate (10 full requests/s): never throttled. */
    assert_int_equal(drive(1000 * 12 / NET_VREQ_OUT_PAIRS_PER_S, 120000, &acc, &thr), UINT64_MAX);
    assert_int_equal(thr, 0);
    /* At the inbound limit (20/s): still never throttled. */
    assert_int_equal(drive(50, 120000, &acc, &thr), UINT64_MAX);
    assert_int_equal(thr, 0);
    /* Twice the limit (40/s): half dropped, but not a flood, even for long. */
    assert_int_equal(drive(25, 120000, &acc, &thr), UINT64_MAX);
    assert_true(thr > 0);
    assert_true(acc >= 20u * 120u && acc <= 20u * 120u + NET_VREQ_IN_BURST / 12 + 1);
    /* Five times the limit (100/s): throttled at once, a flood within about
     * ten seconds but not in the first two. */
    uint64_t t = drive(10, 120000, &acc, &thr);
    assert_true(t != UINT64_MAX);
    assert_true(t >= 2000 && t <= 12000);
    assert_true(thr > 0);
    /* A burst all at once: the inbound burst passes, then throttled, then flood. */
    net_vreq r;
    net_vreq_init(&r, 0);
    unsigned n = 0;
    while (net_vreq_incoming(&r, 12, 0) == NET_VREQ_ACCEPT)
        n++;
    assert_int_equal(n, NET_VREQ_IN_BURST / 12);
    unsigned k = 1;
    while (net_vreq_incoming(&r, 12, 0) == NET_VREQ_THROTTLE)
        k++;
    assert_int_equal(k, NET_VREQ_FLOOD_BURST / 12);
    assert_int_equal(net_vreq_incoming(&r, 12, 0), NET_VREQ_FLOOD);
    /* Time heals: a quiet peer is welcome again. */
    assert_int_equal(net_vreq_incoming(&r, 12, 60000), NET_VREQ_ACCEPT);
}

static void test_redeliver(void **state)
{
    (void)state;
    net_vreq r;
    net_vreq_init(&r, 0);
    net_confirm_req q;
    fill_req(&q, 1, 1);
    smn_vote v = vote_for(q.hashes[0]);
    /* Nothing asked: a seen vote is not delivered again. */
    assert_false(net_vreq_window_open(&r, 0));
    assert_false(net_vreq_redeliver(&r, &v, 0));
    assert_true(net_vreq_ask(&r, &q, 1000));
    assert_true(net_vreq_window_open(&r, 1000));
    /* Answers to that pair: NET_VREQ_ANSWERS_PER_PAIR of them. */
    for (unsigned i = 0; i < NET_VREQ_ANSWERS_PER_PAIR; i++)
        assert_true(net_vreq_redeliver(&r, &v, 1001 + i));
    assert_false(net_vreq_redeliver(&r, &v, 1010));
    /* A vote for something we did not ask for: never. */
    assert_true(net_vreq_ask(&r, &q, 2000));
    net_confirm_req other;
    fill_req(&other, 1, 50);
    smn_vote w = vote_for(other.hashes[0]);
    assert_false(net_vreq_redeliver(&r, &w, 2001));
    /* A vote with the asked hash among others counts. */
    smn_vote multi = w;
    multi.count = 2;
    memcpy(multi.hashes[1], q.hashes[0], 32);
    assert_true(net_vreq_redeliver(&r, &multi, 2002));
    /* After the window: no more, and the window is closed. */
    assert_true(net_vreq_redeliver(&r, &v, 2000 + NET_VREQ_WINDOW_MS - 1));
    assert_false(net_vreq_redeliver(&r, &v, 2000 + NET_VREQ_WINDOW_MS));
    assert_false(net_vreq_window_open(&r, 2000 + NET_VREQ_WINDOW_MS));
    /* Credit lapses with the window; a new ask starts afresh. */
    assert_true(net_vreq_ask(&r, &q, 20000));
    for (unsigned i = 0; i < NET_VREQ_ANSWERS_PER_PAIR; i++)
        assert_true(net_vreq_redeliver(&r, &v, 20001));
    assert_false(net_vreq_redeliver(&r, &v, 20001));
}

static void test_redeliver_bounds(void **state)
{
    (void)state;
    net_vreq r;
    net_vreq_init(&r, 0);
    /* Many asks: the credit is capped, however much was asked. */
    net_confirm_req q;
    uint64_t t = 0;
    for (uint8_t k = 0; k < 20; k++) {
        fill_req(&q, 12, (uint8_t)(k * 12));
        assert_true(net_vreq_ask(&r, &q, t));
    }
    smn_vote v = vote_for(q.hashes[0]);
    unsigned n = 0;
    while (net_vreq_redeliver(&r, &v, t + 1))
        n++;
    assert_int_equal(n, NET_VREQ_MAX_CREDIT);
    /* Only the last NET_VREQ_ASKED hashes are remembered. */
    net_vreq_init(&r, 100000);
    net_confirm_req first;
    fill_req(&first, 1, 7);
    first.hashes[0][1] = 0xEE;
    assert_true(net_vreq_ask(&r, &first, 100000));
    for (uint8_t k = 0; k < NET_VREQ_ASKED / 12; k++) {
        fill_req(&q, 12, (uint8_t)(k * 12));
        assert_true(net_vreq_ask(&r, &q, 100000));
    }
    smn_vote old = vote_for(first.hashes[0]);
    assert_false(net_vreq_redeliver(&r, &old, 100001));
    smn_vote recent = vote_for(q.hashes[11]);
    assert_true(net_vreq_redeliver(&r, &recent, 100001));
}

/* A confirm_req frame as a peer sends it, through the peer decoder, the
 * inbound budget and the vote_request the subscribers get. */
static void test_confirm_req_to_vote_request(void **state)
{
    (void)state;
    const smn_network *net = smn_network_by_name("dev");
    assert_non_null(net);
    net_message in = {.type = NET_MSG_CONFIRM_REQ};
    fill_req(&in.u.confirm_req, 3, 9);
    uint8_t frame[NET_MAX_MESSAGE];
    size_t n = net_msg_encode(net, &in, frame, sizeof frame);
    assert_int_equal(n, NET_HEADER_BYTES + 3 * 64);
    net_message got;
    size_t used;
    assert_int_equal(net_msg_decode(net, frame, n, &got, &used), NET_OK);
    assert_int_equal(got.type, NET_MSG_CONFIRM_REQ);

    net_vreq r;
    net_vreq_init(&r, 0);
    assert_int_equal(net_vreq_incoming(&r, got.u.confirm_req.count, 0), NET_VREQ_ACCEPT);

    uint8_t peer[32];
    memset(peer, 0x5A, sizeof peer);
    ipc_builder b;
    ipc_build_begin(&b, "vote_request");
    net_vreq_put_pairs(&b, &got.u.confirm_req);
    ipc_put_bin(&b, "peer", peer, 32);
    ipc_error err;
    assert_int_equal(ipc_build_finish(&b, &ipc_family_net, 0, 0, &err), IPC_OK);
    ipc_msg m;
    assert_int_equal(ipc_decode(&ipc_family_net, b.buf + 4, b.len - 4, &m, &err), IPC_OK);
    assert_int_equal(ipc_net_kind_of(&m), IPC_NET_K_VOTE_REQUEST);
    net_confirm_req back;
    assert_true(net_vreq_read_pairs(m.body, &back));
    assert_int_equal(back.count, 3);
    assert_memory_equal(back.hashes, in.u.confirm_req.hashes, 3 * 32);
    assert_memory_equal(back.roots, in.u.confirm_req.roots, 3 * 32);
    const uint8_t *p;
    size_t plen;
    assert_true(ipc_get_bin(m.body, "peer", &p, &plen));
    assert_int_equal(plen, 32);
    assert_memory_equal(p, peer, 32);
    ipc_msg_free(&m);
    ipc_build_free(&b);
}

/* request_votes from elections -> the confirm_req we put on the wire. */
static void test_request_votes_to_confirm_req(void **state)
{
    (void)state;
    net_confirm_req q;
    fill_req(&q, NET_CONFIRM_REQ_MAX_PAIRS, 30);
    ipc_builder b;
    ipc_build_begin(&b, "request_votes");
    net_vreq_put_pairs(&b, &q);
    ipc_error err;
    assert_int_equal(ipc_build_finish(&b, &ipc_family_net, 0, 0, &err), IPC_OK);
    ipc_msg m;
    assert_int_equal(ipc_decode(&ipc_family_net, b.buf + 4, b.len - 4, &m, &err), IPC_OK);
    net_message out = {.type = NET_MSG_CONFIRM_REQ};
    assert_true(net_vreq_read_pairs(m.body, &out.u.confirm_req));
    ipc_msg_free(&m);
    ipc_build_free(&b);
    assert_memory_equal(&out.u.confirm_req, &q, sizeof q);
    const smn_network *net = smn_network_by_name("dev");
    uint8_t frame[NET_MAX_MESSAGE];
    assert_int_equal(net_msg_encode(net, &out, frame, sizeof frame),
                     NET_HEADER_BYTES + NET_CONFIRM_REQ_MAX_PAIRS * 64);

    /* More than IPC_NET_MAX_VOTE_REQ pairs, or none: the schema refuses
     * them at the sender. */
    ipc_build_begin(&b, "request_votes");
    ipc_put_array_begin(&b, "pairs");
    for (unsigned i = 0; i <= IPC_NET_MAX_VOTE_REQ; i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_bin(&b, "hash", q.hashes[0], 32);
        ipc_put_bin(&b, "root", q.roots[0], 32);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    assert_int_not_equal(ipc_build_finish(&b, &ipc_family_net, 0, 0, &err), IPC_OK);
    ipc_build_free(&b);
    net_confirm_req empty = {0};
    ipc_build_begin(&b, "request_votes");
    net_vreq_put_pairs(&b, &empty);
    assert_int_not_equal(ipc_build_finish(&b, &ipc_family_net, 0, 0, &err), IPC_OK);
    ipc_build_free(&b);

    /* The reader's own checks: no pairs array, a pair of the wrong shape. */
    ipc_build_begin(&b, "pong");
    ipc_put_uint(&b, "seq", 1);
    assert_int_equal(ipc_build_finish(&b, &ipc_family_net, 0, 0, &err), IPC_OK);
    assert_int_equal(ipc_decode(&ipc_family_net, b.buf + 4, b.len - 4, &m, &err), IPC_OK);
    assert_false(net_vreq_read_pairs(m.body, &out.u.confirm_req));
    assert_false(net_vreq_read_pairs(NULL, &out.u.confirm_req));
    ipc_msg_free(&m);
    ipc_build_free(&b);
}

/* The per-type flood gates (service_flood.h) the other peer messages pass. */
static void test_flood_gate(void **state)
{
    (void)state;
    net_flood_gate g;
    net_flood_gate_init(&g, NET_GATE_FRONTIER_REQ, 0);
    /* An honest frontier scan: one request per 250 ms for ten minutes. */
    for (uint64_t t = 0; t < 600000; t += 250)
        assert_int_equal(net_flood_gate_check(&g, 1, t), NET_GATE_PASS);
    /* A burst: 20 pass, then throttled, then after the excess allowance a flood. */
    net_flood_gate_init(&g, NET_GATE_FRONTIER_REQ, 0);
    unsigned pass = 0, thr = 0;
    net_gate_verdict v;
    while ((v = net_flood_gate_check(&g, 1, 0)) != NET_GATE_FLOOD) {
        pass += v == NET_GATE_PASS;
        thr += v == NET_GATE_THROTTLE;
    }
    assert_int_equal(pass, 20);
    assert_int_equal(thr, 100);
    /* Twice the rate for long: throttled, never a flood. */
    net_flood_gate_init(&g, NET_GATE_FRONTIER_REQ, 0);
    thr = 0;
    for (uint64_t t = 0; t < 120000; t += 50) {
        v = net_flood_gate_check(&g, 1, t);
        assert_int_not_equal(v, NET_GATE_FLOOD);
        thr += v == NET_GATE_THROTTLE;
    }
    assert_true(thr > 1000);
    /* bulk_pull: a bootstrap pulling 6,000 times a second (its pacing)
     * passes for a minute; a burst of 16,000 passes, 80,000 more are
     * throttled, then a flood. */
    net_flood_gate_init(&g, NET_GATE_BULK_PULL, 0);
    for (uint64_t t = 0; t < 60000; t++)
        for (int k = 0; k < 6; k++)
            assert_int_equal(net_flood_gate_check(&g, 1, t), NET_GATE_PASS);
    net_flood_gate_init(&g, NET_GATE_BULK_PULL, 0);
    pass = thr = 0;
    while ((v = net_flood_gate_check(&g, 1, 0)) != NET_GATE_FLOOD) {
        pass += v == NET_GATE_PASS;
        thr += v == NET_GATE_THROTTLE;
    }
    assert_int_equal(pass, 16000);
    assert_int_equal(thr, 80000);
    /* Publish at 10k blocks/s from one peer: fine. */
    net_flood_gate_init(&g, NET_GATE_PUBLISH, 0);
    for (uint64_t t = 0; t < 10000; t++)
        for (int k = 0; k < 10; k++)
            assert_int_equal(net_flood_gate_check(&g, 1, t), NET_GATE_PASS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ask_budget),
        cmocka_unit_test(test_incoming_limits),
        cmocka_unit_test(test_redeliver),
        cmocka_unit_test(test_redeliver_bounds),
        cmocka_unit_test(test_confirm_req_to_vote_request),
        cmocka_unit_test(test_request_votes_to_confirm_req),
        cmocka_unit_test(test_flood_gate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
