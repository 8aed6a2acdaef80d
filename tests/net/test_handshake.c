/* The node-ID handshake state machine: the three-message exchange, and each
 * way it must fail. No sockets: messages are passed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

typedef struct {
    smn_keypair ki, kr;
    net_hs i, r;
} pair;

static const smn_network *dev(void)
{
    return smn_network_get(SMN_NET_DEV);
}

static void setup_pair(pair *p)
{
    uint8_t seed[32];
    memset(seed, 0x42, sizeof seed);
    smn_key_from_seed(seed, 1, &p->ki);
    smn_key_from_seed(seed, 2, &p->kr);
    uint8_t ci[32], cr[32];
    fx_cookie(ci, 0x10);
    fx_cookie(cr, 0x90);
    net_hs_init(&p->i, dev(), &p->ki, NET_HS_INITIATOR, ci);
    net_hs_init(&p->r, dev(), &p->kr, NET_HS_RESPONDER, cr);
}

/* Through the wire codec, so the test also covers the flags mapping. */
static net_handshake through_wire(const net_handshake *h)
{
    net_message m = {.type = NET_MSG_HANDSHAKE};
    m.u.handshake = *h;
    uint8_t buf[NET_MAX_MESSAGE];
    size_t n = net_msg_encode(dev(), &m, buf, sizeof buf);
    assert_true(n > 0);
    net_message back;
    size_t used;
    assert_int_equal(net_msg_decode(dev(), buf, n, &back, &used), NET_OK);
    return back.u.handshake;
}

static void test_success(void **state)
{
    (void)state;
    pair p;
    setup_pair(&p);
    net_handshake q, r1, r2, none;
    bool send;
    net_hs_start(&p.i, &q);
    assert_true(q.has_query && !q.has_response);
    q = through_wire(&q);

    assert_int_equal(net_hs_receive(&p.r, &q, &r1, &send), NET_HS_CONTINUE);
    assert_true(send && r1.has_query && r1.has_response);
    assert_memory_equal(r1.node_id, p.kr.pub, 32);
    assert_false(net_hs_done(&p.r));
    r1 = through_wire(&r1);

    assert_int_equal(net_hs_receive(&p.i, &r1, &r2, &send), NET_HS_DONE);
    assert_true(send && !r2.has_query && r2.has_response);
    assert_true(net_hs_done(&p.i));
    assert_memory_equal(p.i.peer_id, p.kr.pub, 32);
    r2 = through_wire(&r2);

    assert_int_equal(net_hs_receive(&p.r, &r2, &none, &send), NET_HS_DONE);
    assert_false(send);
    assert_true(net_hs_done(&p.r));
    assert_memory_equal(p.r.peer_id, p.ki.pub, 32);

    /* Anything after completion is out of order. */
    assert_int_equal(net_hs_receive(&p.r, &r2, &none, &send), NET_HS_UNEXPECTED);
}

/* The published vector: its response is a valid proof over cookie 00..1F. */
static void test_vector_proof(void **state)
{
    (void)state;
    smn_keypair me;
    uint8_t seed[32];
    memset(seed, 7, sizeof seed);
    smn_key_from_seed(seed, 0, &me);
    uint8_t c0[32];
    fx_cookie(c0, 0);
    net_hs hs;
    net_hs_init(&hs, dev(), &me, NET_HS_INITIATOR, c0);
    net_handshake q, reply;
    net_hs_start(&hs, &q);
    net_message v;
    fx_message(1, &v);
    bool send;
    assert_int_equal(net_hs_receive(&hs, &v.u.handshake, &reply, &send), NET_HS_DONE);
    uint8_t c1[32];
    fx_cookie(c1, 0x20);
    assert_true(net_handshake_verify(dev(), me.pub, c1, reply.signature));
}

static void test_bad_signature(void **state)
{
    (void)state;
    pair p;
    setup_pair(&p);
    net_handshake q, r1, r2;
    bool send;
    net_hs_start(&p.i, &q);
    assert_int_equal(net_hs_receive(&p.r, &q, &r1, &send), NET_HS_CONTINUE);
    net_handshake bad = r1;
    bad.signature[5] ^= 1;
    assert_int_equal(net_hs_receive(&p.i, &bad, &r2, &send), NET_HS_BAD_SIGNATURE);
    assert_false(send);
    /* A failed machine stays failed, even if the right answer comes later. */
    assert_int_equal(net_hs_receive(&p.i, &r1, &r2, &send), NET_HS_UNEXPECTED);

    /* A proof over another cookie (replayed from another connection). */
    setup_pair(&p);
    net_hs_start(&p.i, &q);
    net_handshake replay = r1;
    net_handshake_sign(dev(), &p.kr, (const uint8_t *)"0123456789abcdef0123456789abcdef",
                       replay.signature);
    assert_int_equal(net_hs_receive(&p.r, &q, &r1, &send), NET_HS_CONTINUE);
    assert_int_equal(net_hs_receive(&p.i, &replay, &r2, &send), NET_HS_BAD_SIGNATURE);

    /* A proof made for another network. */
    setup_pair(&p);
    net_hs_start(&p.i, &q);
    assert_int_equal(net_hs_receive(&p.r, &q, &r1, &send), NET_HS_CONTINUE);
    net_handshake other = r1;
    net_handshake_sign(smn_network_get(SMN_NET_TEST), &p.kr, p.i.cookie, other.signature);
    assert_int_equal(net_hs_receive(&p.i, &other, &r2, &send), NET_HS_BAD_SIGNATURE);

    /* Someone else's node id with our responder's signature. */
    setup_pair(&p);
    net_hs_start(&p.i, &q);
    assert_int_equal(net_hs_receive(&p.r, &q, &r1, &send), NET_HS_CONTINUE);
    assert_int_equal(net_hs_receive(&p.i, &r1, &r2, &send), NET_HS_DONE);
    r2.node_id[0] ^= 0x40;
    assert_int_equal(net_hs_receive(&p.r, &r2, &q, &send), NET_HS_BAD_SIGNATURE);
}

static void test_self(void **state)
{
    (void)state;
    smn_keypair k;
    uint8_t seed[32] = {1};
    smn_key_from_seed(seed, 0, &k);
    uint8_t ci[32], cr[32];
    fx_cookie(ci, 1);
    fx_cookie(cr, 2);
    net_hs i, r;
    net_hs_init(&i, dev(), &k, NET_HS_INITIATOR, ci);
    net_hs_init(&r, dev(), &k, NET_HS_RESPONDER, cr);
    net_handshake q, r1, r2;
    bool send;
    net_hs_start(&i, &q);
    assert_int_equal(net_hs_receive(&r, &q, &r1, &send), NET_HS_CONTINUE);
    assert_int_equal(net_hs_receive(&i, &r1, &r2, &send), NET_HS_SELF);
    assert_false(send);
}

static void test_out_of_order(void **state)
{
    (void)state;
    pair p;
    net_handshake q, r1, r2;
    bool send;

    /* Responder: a response before any query it sent. */
    setup_pair(&p);
    net_hs_start(&p.i, &q);
    assert_int_equal(net_hs_receive(&p.r, &q, &r1, &send), NET_HS_CONTINUE);
    net_hs fresh;
    uint8_t c[32] = {0};
    net_hs_init(&fresh, dev(), &p.kr, NET_HS_RESPONDER, c);
    net_handshake only_resp = r1;
    only_resp.has_query = false;
    assert_int_equal(net_hs_receive(&fresh, &only_resp, &r2, &send), NET_HS_UNEXPECTED);
    net_hs_init(&fresh, dev(), &p.kr, NET_HS_RESPONDER, c);
    assert_int_equal(net_hs_receive(&fresh, &r1, &r2, &send), NET_HS_UNEXPECTED); /* q + r */

    /* Responder: a second query instead of the response. */
    setup_pair(&p);
    net_hs_start(&p.i, &q);
    assert_int_equal(net_hs_receive(&p.r, &q, &r1, &send), NET_HS_CONTINUE);
    assert_int_equal(net_hs_receive(&p.r, &q, &r2, &send), NET_HS_UNEXPECTED);

    /* Initiator: an answer without the peer's own query (no mutual proof). */
    setup_pair(&p);
    net_hs_start(&p.i, &q);
    assert_int_equal(net_hs_receive(&p.r, &q, &r1, &send), NET_HS_CONTINUE);
    only_resp = r1;
    only_resp.has_query = false;
    assert_int_equal(net_hs_receive(&p.i, &only_resp, &r2, &send), NET_HS_UNEXPECTED);

    /* Initiator: a bare query back. */
    setup_pair(&p);
    net_hs_start(&p.i, &q);
    assert_int_equal(net_hs_receive(&p.i, &q, &r2, &send), NET_HS_UNEXPECTED);

    /* Initiator that never sent its query. */
    setup_pair(&p);
    net_hs_start(&p.r, &q); /* misuse on the other object to get a query */
    assert_int_equal(net_hs_receive(&p.i, &r1, &r2, &send), NET_HS_UNEXPECTED);

    assert_string_equal(net_hs_strerror(NET_HS_SELF), "connected to self");
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success),       cmocka_unit_test(test_vector_proof),
        cmocka_unit_test(test_bad_signature), cmocka_unit_test(test_self),
        cmocka_unit_test(test_out_of_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
