/* The peer-message test vectors of docs/protocol.md ("Peer messages"):
 * one fixed message per type, built from the protocol's published values,
 * shared by the unit tests and the fuzz seeds. */
#ifndef TESTS_NET_FIXTURES_H
#define TESTS_NET_FIXTURES_H

#include <stdlib.h>
#include <string.h>

#include "common/amount.h"
#include "common/hex.h"
#include "common/keys.h"
#include "common/network.h"
#include "procs/net/handshake.h"
#include "procs/net/message.h"
#include "tests/common/vectors.h"

#define FX_COUNT 12
#define FX_TIMESTAMP 1700000000000ull

static inline void fx_hex(const char *hex, uint8_t *out, size_t len)
{
    if (!smn_hex_decode(hex, out, len))
        abort();
}

/* Node key of the vectors: seed 00..00, index 0 (public 8636B347...). */
static inline void fx_node_key(smn_keypair *kp)
{
    uint8_t seed[32] = {0};
    smn_key_from_seed(seed, 0, kp);
}

static inline void fx_dev_key(smn_keypair *kp)
{
    uint8_t priv[32];
    fx_hex(DEV_PRIV, priv, 32);
    smn_key_expand(priv, kp);
}

/* The send block of the block vectors (dev genesis sends 1 smn). */
static inline void fx_send_block(smn_block *b)
{
    memset(b, 0, sizeof *b);
    fx_hex(DEV_PUB, b->account, 32);
    fx_hex(SEND_PREVIOUS, b->previous, 32);
    memcpy(b->representative, b->account, 32);
    if (smn_amount_parse_raw(SEND_BALANCE, &b->balance) != SMN_AMOUNT_OK)
        abort();
    fx_hex(SEND_LINK, b->link, 32);
    fx_hex(SEND_SIG, b->signature, 64);
    b->work = SEND_WORK;
}

static inline void fx_cookie(uint8_t c[32], uint8_t first)
{
    for (int i = 0; i < 32; i++)
        c[i] = (uint8_t)(first + i);
}

/* Vector i (0..FX_COUNT-1), in the order of docs/protocol.md. */
static inline void fx_message(int i, net_message *m)
{
    const smn_network *dev = smn_network_get(SMN_NET_DEV);
    smn_keypair node, genesis;
    fx_node_key(&node);
    fx_dev_key(&genesis);
    memset(m, 0, sizeof *m);
    switch (i) {
    case 0: /* handshake query: cookie 00..1F */
        m->type = NET_MSG_HANDSHAKE;
        m->u.handshake.has_query = true;
        fx_cookie(m->u.handshake.cookie, 0x00);
        break;
    case 1: { /* the responder's query (cookie 20..3F) + its proof over 00..1F */
        m->type = NET_MSG_HANDSHAKE;
        m->u.handshake.has_query = true;
        fx_cookie(m->u.handshake.cookie, 0x20);
        m->u.handshake.has_response = true;
        uint8_t peer_cookie[32];
        fx_cookie(peer_cookie, 0x00);
        memcpy(m->u.handshake.node_id, node.pub, 32);
        net_handshake_sign(dev, &node, peer_cookie, m->u.handshake.signature);
        break;
    }
    case 2: /* keepalive: 127.0.0.1:17075 and [::1]:17076 */
        m->type = NET_MSG_KEEPALIVE;
        m->u.keepalive.count = 2;
        if (!net_endpoint_parse("127.0.0.1", 17075, &m->u.keepalive.peers[0]) ||
            !net_endpoint_parse("::1", 17076, &m->u.keepalive.peers[1]))
            abort();
        break;
    case 3:
        m->type = NET_MSG_PUBLISH;
        fx_send_block(&m->u.publish);
        break;
    case 4: /* confirm_req: (send hash, its root = previous) */
        m->type = NET_MSG_CONFIRM_REQ;
        m->u.confirm_req.count = 1;
        fx_hex(SEND_HASH, m->u.confirm_req.hashes[0], 32);
        fx_hex(SEND_PREVIOUS, m->u.confirm_req.roots[0], 32);
        break;
    case 5: { /* confirm_ack: the dev genesis key votes for the send, timestamp 1 */
        m->type = NET_MSG_CONFIRM_ACK;
        uint8_t h[1][32];
        fx_hex(SEND_HASH, h[0], 32);
        if (smn_vote_sign(&m->u.confirm_ack, &genesis, 1, (const uint8_t(*)[32])h, 1) !=
            SMN_VOTE_OK)
            abort();
        break;
    }
    case 6: /* frontier_req: everything, confirmed only */
        m->type = NET_MSG_FRONTIER_REQ;
        m->u.frontier_req.age = NET_FRONTIER_AGE_ANY;
        m->u.frontier_req.count = NET_FRONTIER_COUNT_ALL;
        m->u.frontier_req.confirmed_only = true;
        break;
    case 7: /* frontier_resp: (dev genesis account, send hash), terminator */
        m->type = NET_MSG_FRONTIER_RESP;
        m->u.frontier_resp.count = 1;
        m->u.frontier_resp.end = true;
        fx_hex(DEV_PUB, m->u.frontier_resp.entries[0].account, 32);
        fx_hex(SEND_HASH, m->u.frontier_resp.entries[0].frontier, 32);
        break;
    case 8: /* bulk_pull: the dev genesis account's chain, no end, at most 16 */
        m->type = NET_MSG_BULK_PULL;
        fx_hex(DEV_PUB, m->u.bulk_pull.start, 32);
        m->u.bulk_pull.count = 16;
        break;
    case 9: /* bulk_pull_resp: the send, then the end tag */
        m->type = NET_MSG_BULK_PULL_RESP;
        m->u.bulk_pull_resp.count = 1;
        m->u.bulk_pull_resp.end = true;
        fx_send_block(&m->u.bulk_pull_resp.blocks[0]);
        break;
    case 10:
        m->type = NET_MSG_TELEMETRY_REQ;
        break;
    case 11: {
        m->type = NET_MSG_TELEMETRY_ACK;
        net_telemetry *t = &m->u.telemetry_ack;
        t->block_count = 2;
        t->cemented_count = 1;
        t->account_count = 2;
        t->peer_count = 3;
        t->protocol_version = NET_PROTOCOL_VERSION;
        t->uptime = 60;
        fx_hex(DEV_GENESIS_HASH, t->genesis, 32);
        t->timestamp = FX_TIMESTAMP;
        net_telemetry_sign(dev, t, &node);
        break;
    }
    default:
        abort();
    }
    smn_keypair_wipe(&node);
    smn_keypair_wipe(&genesis);
}

#endif
