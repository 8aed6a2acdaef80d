/* Peer messages: the published vectors, round trips of every type, and each
 * rejection of the decoder and the encoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "fixtures.h"

/* docs/protocol.md, "Peer messages" / "Test vectors": in fx_message order. */
static const char *const vectors[FX_COUNT] = {
    /* handshake query */
    "5344010101000100000020000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C"
    "1D1E1F",
    /* handshake query + response */
    "5344010101000300000080202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C"
    "3D3E3F8636B34786C2262951DC6AC0B881129396F51AA525CBAF37DC3C9D1BE67FB3F27C59231B4C"
    "A0F54B87A87DDF4706686BB6882B448B653A7E82A11A93D94ACDB2A240494390BDA7E1A52F44857C"
    "585CF8A08B0079CC566D631404378E7A43FF07",
    /* keepalive */
    "534401010200000000002400000000000000000000FFFF7F00000142B30000000000000000000000"
    "000000000142B4",
    /* publish */
    "53440101030000000000D8FA462F29A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912"
    "E9745C9C9798C7164BD17644318621236C6F891A24384D3CD4724F1DC019CEFC3EFE89FA462F29A3"
    "8330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912E9745C0785EE0436ADAA08BA7F48B5C0"
    "0000008636B34786C2262951DC6AC0B881129396F51AA525CBAF37DC3C9D1BE67FB3F2DB7463024A"
    "33EB07E67B018398DA75ED50A56D897A2BD6021216ED26F279B9E5FF94A32A899323ABF8D04D79DE"
    "0458165698C5C83539E6B7C10D105B74CED2014E2169C82CC35E29",
    /* confirm_req */
    "53440101040000000000408D5808E16EAA709A29274096C6363F3B96E22EC46419E47596A3A140E2"
    "35F9B89C9798C7164BD17644318621236C6F891A24384D3CD4724F1DC019CEFC3EFE89",
    /* confirm_ack */
    "5344010105000000000089FA462F29A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912"
    "E9745C8F9490D2EB9D2FCDCE0D257BF6D63C480909ED7FD183853DBE68BD3BABFB06016F3C7FB640"
    "2964A1E2ED6D00E11814161C0FCAA0034B7A2FA53A1FEDE32A39070000000000000001018D5808E1"
    "6EAA709A29274096C6363F3B96E22EC46419E47596A3A140E235F9B8",
    /* frontier_req */
    "53440101060001000000280000000000000000000000000000000000000000000000000000000000"
    "000000FFFFFFFFFFFFFFFF",
    /* frontier_resp */
    "5344010107000000000080FA462F29A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912"
    "E9745C8D5808E16EAA709A29274096C6363F3B96E22EC46419E47596A3A140E235F9B80000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000",
    /* bulk_pull */
    "5344010108000000000044FA462F29A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912"
    "E9745C000000000000000000000000000000000000000000000000000000000000000000000010",
    /* bulk_pull_resp */
    "53440101090000000000DA06FA462F29A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D9"
    "12E9745C9C9798C7164BD17644318621236C6F891A24384D3CD4724F1DC019CEFC3EFE89FA462F29"
    "A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912E9745C0785EE0436ADAA08BA7F48B5"
    "C00000008636B34786C2262951DC6AC0B881129396F51AA525CBAF37DC3C9D1BE67FB3F2DB746302"
    "4A33EB07E67B018398DA75ED50A56D897A2BD6021216ED26F279B9E5FF94A32A899323ABF8D04D79"
    "DE0458165698C5C83539E6B7C10D105B74CED2014E2169C82CC35E2901",
    /* telemetry_req */
    "534401010A000000000000",
    /* telemetry_ack */
    "534401010B0000000000AD8636B34786C2262951DC6AC0B881129396F51AA525CBAF37DC3C9D1BE6"
    "7FB3F21C6C182F9F2C6CDBD998979553CA65FEAA915112106BD493429D6CCAC0E2B262281B20B83D"
    "37C6BCC5780DAA903580D324970E64B51E73DD74285F31E95C750300000000000000020000000000"
    "00000100000000000000020000000301000000000000003C9C9798C7164BD17644318621236C6F89"
    "1A24384D3CD4724F1DC019CEFC3EFE890000018BCFE56800",
};

static const smn_network *dev(void)
{
    return smn_network_get(SMN_NET_DEV);
}

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    assert_true(smn_hex_decode(hex, out, n));
    return n;
}

static void assert_same(const net_message *a, const net_message *b)
{
    /* Encodings are canonical, so equal bytes mean equal messages. */
    uint8_t x[NET_MAX_MESSAGE], y[NET_MAX_MESSAGE];
    size_t nx = net_msg_encode(dev(), a, x, sizeof x);
    size_t ny = net_msg_encode(dev(), b, y, sizeof y);
    assert_true(nx > 0);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
}

static void test_vectors_encode(void **state)
{
    (void)state;
    for (int i = 0; i < FX_COUNT; i++) {
        net_message m;
        fx_message(i, &m);
        uint8_t buf[NET_MAX_MESSAGE], want[NET_MAX_MESSAGE];
        size_t n = net_msg_encode(dev(), &m, buf, sizeof buf);
        size_t wn = unhex(vectors[i], want);
        assert_int_equal(n, wn);
        assert_memory_equal(buf, want, n);
    }
}

static void test_vectors_decode(void **state)
{
    (void)state;
    for (int i = 0; i < FX_COUNT; i++) {
        uint8_t in[NET_MAX_MESSAGE];
        size_t n = unhex(vectors[i], in);
        net_message got, want;
        size_t used = 0;
        assert_int_equal(net_msg_decode(dev(), in, n, &got, &used), NET_OK);
        assert_int_equal(used, n);
        fx_message(i, &want);
        assert_int_equal(got.type, want.type);
        assert_same(&got, &want);
    }
}

/* Field-level checks: the decoder fills the struct, not just bytes. */
static void test_vector_fields(void **state)
{
    (void)state;
    uint8_t in[NET_MAX_MESSAGE];
    net_message m;
    size_t used;
    smn_keypair node;
    fx_node_key(&node);

    size_t n = unhex(vectors[1], in);
    assert_int_equal(net_msg_decode(dev(), in, n, &m, &used), NET_OK);
    assert_true(m.u.handshake.has_query && m.u.handshake.has_response);
    assert_memory_equal(m.u.handshake.node_id, node.pub, 32);
    uint8_t c0[32];
    fx_cookie(c0, 0);
    assert_true(net_handshake_verify(dev(), m.u.handshake.node_id, c0, m.u.handshake.signature));
    /* The proof is bound to the network. */
    assert_false(net_handshake_verify(smn_network_get(SMN_NET_TEST), m.u.handshake.node_id, c0,
                                      m.u.handshake.signature));

    n = unhex(vectors[2], in);
    assert_int_equal(net_msg_decode(dev(), in, n, &m, &used), NET_OK);
    assert_int_equal(m.u.keepalive.count, 2);
    assert_true(net_endpoint_is_v4(&m.u.keepalive.peers[0]));
    char s[NET_ENDPOINT_STR_BYTES];
    net_endpoint_format(&m.u.keepalive.peers[0], s);
    assert_string_equal(s, "127.0.0.1:17075");
    net_endpoint_format(&m.u.keepalive.peers[1], s);
    assert_string_equal(s, "[::1]:17076");

    n = unhex(vectors[3], in);
    assert_int_equal(net_msg_decode(dev(), in, n, &m, &used), NET_OK);
    assert_true(smn_block_verify_signature(&m.u.publish));
    uint8_t h[32], want[32];
    smn_block_hash(&m.u.publish, h);
    fx_hex(SEND_HASH, want, 32);
    assert_memory_equal(h, want, 32);

    n = unhex(vectors[5], in);
    assert_int_equal(net_msg_decode(dev(), in, n, &m, &used), NET_OK);
    assert_int_equal(smn_vote_verify(&m.u.confirm_ack), SMN_VOTE_OK);
    assert_int_equal(m.u.confirm_ack.timestamp, 1);

    n = unhex(vectors[6], in);
    assert_int_equal(net_msg_decode(dev(), in, n, &m, &used), NET_OK);
    assert_true(m.u.frontier_req.confirmed_only);
    assert_int_equal(m.u.frontier_req.age, NET_FRONTIER_AGE_ANY);

    n = unhex(vectors[7], in);
    assert_int_equal(net_msg_decode(dev(), in, n, &m, &used), NET_OK);
    assert_int_equal(m.u.frontier_resp.count, 1);
    assert_true(m.u.frontier_resp.end);

    n = unhex(vectors[9], in);
    assert_int_equal(net_msg_decode(dev(), in, n, &m, &used), NET_OK);
    assert_int_equal(m.u.bulk_pull_resp.count, 1);
    assert_true(m.u.bulk_pull_resp.end);
    assert_true(smn_block_verify_signature(&m.u.bulk_pull_resp.blocks[0]));

    n = unhex(vectors[11], in);
    assert_int_equal(net_msg_decode(dev(), in, n, &m, &used), NET_OK);
    assert_true(net_telemetry_verify(dev(), &m.u.telemetry_ack));
    assert_int_equal(m.u.telemetry_ack.timestamp, FX_TIMESTAMP);
    assert_int_equal(m.u.telemetry_ack.uptime, 60);
    assert_int_equal(m.u.telemetry_ack.peer_count, 3);
    net_telemetry t = m.u.telemetry_ack;
    t.block_count++;
    assert_false(net_telemetry_verify(dev(), &t));
    t = m.u.telemetry_ack;
    assert_false(net_telemetry_verify(smn_network_get(SMN_NET_TEST), &t));
    smn_keypair_wipe(&node);
}

/* Round trips at the edges: full and empty variants of each type. */
static void roundtrip(const net_message *m)
{
    uint8_t buf[NET_MAX_MESSAGE];
    size_t n = net_msg_encode(dev(), m, buf, sizeof buf);
    assert_true(n >= NET_HEADER_BYTES);
    assert_true(n - NET_HEADER_BYTES <= net_msg_max_payload((int)m->type));
    net_message back;
    size_t used;
    assert_int_equal(net_msg_decode(dev(), buf, n, &back, &used), NET_OK);
    assert_int_equal(used, n);
    assert_same(m, &back);
    /* Every strict prefix is incomplete, never an error or a message. */
    for (size_t k = 0; k < n; k += (n > 200 ? 37 : 1)) {
        size_t u;
        assert_int_equal(net_msg_decode(dev(), buf, k, &back, &u), NET_INCOMPLETE);
        assert_int_equal(u, k < NET_HEADER_BYTES ? NET_HEADER_BYTES : n);
    }
}

/* docs/protocol.md must show exactly these vectors, in this order. */
static const char *doc_path;

static void test_vectors_match_doc(void **state)
{
    (void)state;
    assert_non_null(doc_path);
    FILE *f = fopen(doc_path, "r");
    assert_non_null(f);
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *p = strstr(text, "### Peer message test vectors");
    assert_non_null(p);
    char *end = strstr(p, "\n## ");
    if (end)
        *end = '\0';
    int found = 0;
    static char hex[2 * NET_MAX_MESSAGE + 1];
    while ((p = strstr(p, "```\n#")) != NULL) {
        p += 4;
        char *close = strstr(p, "```");
        assert_non_null(close);
        size_t h = 0;
        for (char *line = p; line < close;) {
            char *eol = strchr(line, '\n');
            if (line[0] != '#')
                for (char *c = line; c < eol; c++)
                    if (*c != ' ' && h < sizeof hex - 1)
                        hex[h++] = *c;
            line = eol + 1;
        }
        hex[h] = '\0';
        assert_true(found < FX_COUNT);
        assert_string_equal(hex, vectors[found]);
        found++;
        p = close + 3;
    }
    assert_int_equal(found, FX_COUNT);
}

static void test_roundtrip_extremes(void **state)
{
    (void)state;
    net_message m;
    memset(&m, 0, sizeof m);

    m.type = NET_MSG_HANDSHAKE;
    m.u.handshake.has_response = true; /* response alone */
    memset(m.u.handshake.node_id, 0x11, 32);
    memset(m.u.handshake.signature, 0x22, 64);
    roundtrip(&m);

    memset(&m, 0, sizeof m);
    m.type = NET_MSG_KEEPALIVE; /* zero peers */
    roundtrip(&m);
    m.u.keepalive.count = NET_KEEPALIVE_MAX_PEERS;
    for (int i = 0; i < NET_KEEPALIVE_MAX_PEERS; i++) {
        memset(m.u.keepalive.peers[i].addr, 0x20 + i, 16);
        m.u.keepalive.peers[i].port = (uint16_t)(65535 - i);
    }
    roundtrip(&m);

    memset(&m, 0, sizeof m);
    m.type = NET_MSG_CONFIRM_REQ;
    m.u.confirm_req.count = NET_CONFIRM_REQ_MAX_PAIRS;
    for (int i = 0; i < NET_CONFIRM_REQ_MAX_PAIRS; i++) {
        memset(m.u.confirm_req.hashes[i], i + 1, 32);
        memset(m.u.confirm_req.roots[i], 0x80 + i, 32);
    }
    roundtrip(&m);

    memset(&m, 0, sizeof m);
    m.type = NET_MSG_CONFIRM_ACK; /* a final vote on 12 hashes */
    uint8_t hs[SMN_VOTE_MAX_HASHES][32];
    for (int i = 0; i < SMN_VOTE_MAX_HASHES; i++)
        memset(hs[i], i + 1, 32);
    smn_keypair kp;
    fx_dev_key(&kp);
    assert_int_equal(smn_vote_sign(&m.u.confirm_ack, &kp, SMN_VOTE_FINAL, (const uint8_t(*)[32])hs,
                                   SMN_VOTE_MAX_HASHES),
                     SMN_VOTE_OK);
    roundtrip(&m);

    memset(&m, 0, sizeof m);
    m.type = NET_MSG_FRONTIER_REQ; /* no flag */
    memset(m.u.frontier_req.start, 0xAB, 32);
    m.u.frontier_req.age = 3600;
    m.u.frontier_req.count = 1000;
    roundtrip(&m);

    memset(&m, 0, sizeof m);
    m.type = NET_MSG_FRONTIER_RESP; /* full, with and without terminator; terminator alone */
    m.u.frontier_resp.count = NET_FRONTIER_MAX_ENTRIES;
    for (int i = 0; i < NET_FRONTIER_MAX_ENTRIES; i++) {
        memset(m.u.frontier_resp.entries[i].account, i + 1, 32);
        memset(m.u.frontier_resp.entries[i].frontier, 255 - i, 32);
    }
    roundtrip(&m);
    m.u.frontier_resp.end = true;
    roundtrip(&m);
    m.u.frontier_resp.count = 0;
    roundtrip(&m);

    memset(&m, 0, sizeof m);
    m.type = NET_MSG_BULK_PULL;
    memset(m.u.bulk_pull.start, 1, 32);
    memset(m.u.bulk_pull.end, 2, 32);
    m.u.bulk_pull.count = UINT32_MAX;
    roundtrip(&m);

    memset(&m, 0, sizeof m);
    m.type = NET_MSG_BULK_PULL_RESP;
    m.u.bulk_pull_resp.count = NET_BULK_MAX_BLOCKS;
    for (int i = 0; i < NET_BULK_MAX_BLOCKS; i++) {
        fx_send_block(&m.u.bulk_pull_resp.blocks[i]);
        m.u.bulk_pull_resp.blocks[i].work = (uint64_t)i;
    }
    roundtrip(&m);
    m.u.bulk_pull_resp.end = true;
    roundtrip(&m);
    m.u.bulk_pull_resp.count = 0;
    roundtrip(&m);

    memset(&m, 0, sizeof m);
    m.type = NET_MSG_TELEMETRY_ACK;
    m.u.telemetry_ack.block_count = UINT64_MAX;
    m.u.telemetry_ack.peer_count = UINT32_MAX;
    net_telemetry_sign(dev(), &m.u.telemetry_ack, &kp);
    assert_true(net_telemetry_verify(dev(), &m.u.telemetry_ack));
    roundtrip(&m);
    smn_keypair_wipe(&kp);
}

/* A frame built by hand: header fields and a payload of len bytes of fill. */
static size_t frame(uint8_t *out, const char magic[2], uint8_t ver, uint8_t ver_min, uint8_t type,
                    uint16_t flags, uint32_t len, uint8_t fill)
{
    out[0] = (uint8_t)magic[0];
    out[1] = (uint8_t)magic[1];
    out[2] = ver;
    out[3] = ver_min;
    out[4] = type;
    out[5] = (uint8_t)(flags >> 8);
    out[6] = (uint8_t)flags;
    out[7] = (uint8_t)(len >> 24);
    out[8] = (uint8_t)(len >> 16);
    out[9] = (uint8_t)(len >> 8);
    out[10] = (uint8_t)len;
    memset(out + NET_HEADER_BYTES, fill, len);
    return NET_HEADER_BYTES + len;
}

static net_status dec(const uint8_t *in, size_t n)
{
    static net_message m;
    size_t used;
    return net_msg_decode(dev(), in, n, &m, &used);
}

static void test_header_rejections(void **state)
{
    (void)state;
    static uint8_t b[NET_MAX_MESSAGE + 64];
    size_t n;
    assert_int_equal(dec(b, 0), NET_INCOMPLETE);
    n = frame(b, "SD", 1, 1, NET_MSG_TELEMETRY_REQ, 0, 0, 0);
    assert_int_equal(dec(b, n), NET_OK);
    assert_int_equal(dec(b, n - 1), NET_INCOMPLETE);

    n = frame(b, "ST", 1, 1, NET_MSG_TELEMETRY_REQ, 0, 0, 0);
    assert_int_equal(dec(b, n), NET_BAD_MAGIC);
    n = frame(b, "DS", 1, 1, NET_MSG_TELEMETRY_REQ, 0, 0, 0);
    assert_int_equal(dec(b, n), NET_BAD_MAGIC);

    n = frame(b, "SD", 1, 2, NET_MSG_TELEMETRY_REQ, 0, 0, 0); /* min above version */
    assert_int_equal(dec(b, n), NET_BAD_VERSION);
    n = frame(b, "SD", 0, 0, NET_MSG_TELEMETRY_REQ, 0, 0, 0); /* older than our min */
    assert_int_equal(dec(b, n), NET_BAD_VERSION);
    n = frame(b, "SD", 3, 2, NET_MSG_TELEMETRY_REQ, 0, 0, 0); /* needs a newer node */
    assert_int_equal(dec(b, n), NET_BAD_VERSION);
    n = frame(b, "SD", 7, 1, NET_MSG_TELEMETRY_REQ, 0, 0, 0); /* newer, still speaks 1 */
    assert_int_equal(dec(b, n), NET_OK);

    n = frame(b, "SD", 1, 1, 0, 0, 0, 0);
    assert_int_equal(dec(b, n), NET_UNKNOWN_TYPE);
    n = frame(b, "SD", 1, 1, NET_MSG_TYPE_MAX + 1, 0, 0, 0);
    assert_int_equal(dec(b, n), NET_UNKNOWN_TYPE);
    n = frame(b, "SD", 1, 1, 255, 0, 0, 0);
    assert_int_equal(dec(b, n), NET_UNKNOWN_TYPE);

    n = frame(b, "SD", 1, 1, NET_MSG_KEEPALIVE, 1, 0, 0);
    assert_int_equal(dec(b, n), NET_BAD_FLAGS);
    n = frame(b, "SD", 1, 1, NET_MSG_HANDSHAKE, 0, 0, 0); /* neither part */
    assert_int_equal(dec(b, n), NET_BAD_FLAGS);
    n = frame(b, "SD", 1, 1, NET_MSG_HANDSHAKE, 4 | 1, 32, 0);
    assert_int_equal(dec(b, n), NET_BAD_FLAGS);
    n = frame(b, "SD", 1, 1, NET_MSG_FRONTIER_REQ, 2, 40, 0);
    assert_int_equal(dec(b, n), NET_BAD_FLAGS);

    /* Too long is known from the header alone, before the payload arrives. */
    n = frame(b, "SD", 1, 1, NET_MSG_KEEPALIVE, 0, 0, 0);
    b[10] = 9 * NET_ENDPOINT_WIRE_BYTES;
    assert_int_equal(dec(b, NET_HEADER_BYTES), NET_TOO_LONG);
    memset(b + 7, 0xFF, 4);
    assert_int_equal(dec(b, NET_HEADER_BYTES), NET_TOO_LONG);
    n = frame(b, "SD", 1, 1, NET_MSG_TELEMETRY_REQ, 0, 1, 0);
    assert_int_equal(dec(b, n), NET_TOO_LONG);
    for (int t = 1; t <= NET_MSG_TYPE_MAX; t++) {
        uint16_t flags = t == NET_MSG_HANDSHAKE ? 3 : 0;
        n = frame(b, "SD", 1, 1, (uint8_t)t, flags, net_msg_max_payload(t) + 1, 0);
        assert_int_equal(dec(b, n), NET_TOO_LONG);
    }
    net_header h;
    n = frame(b, "SD", 1, 1, NET_MSG_PUBLISH, 0, 216, 0);
    assert_int_equal(net_header_decode(dev(), b, n, &h), NET_OK);
    assert_int_equal(h.type, NET_MSG_PUBLISH);
    assert_int_equal(h.length, 216);
}

static void test_payload_rejections(void **state)
{
    (void)state;
    static uint8_t b[NET_MAX_MESSAGE + 64];
    size_t n;
    n = frame(b, "SD", 1, 1, NET_MSG_HANDSHAKE, NET_FLAG_HS_QUERY, 128, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_HANDSHAKE, NET_FLAG_HS_RESPONSE, 32, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_HANDSHAKE, 3, 127, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_KEEPALIVE, 0, 17, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_PUBLISH, 0, 215, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_PUBLISH, 0, 0, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_CONFIRM_REQ, 0, 0, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_CONFIRM_REQ, 0, 65, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_CONFIRM_ACK, 0, 104, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_FRONTIER_REQ, 0, 39, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_BULK_PULL, 0, 67, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_TELEMETRY_ACK, 0, 172, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_FRONTIER_RESP, 0, 0, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_FRONTIER_RESP, 0, 63, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_FRONTIER_RESP, 0, 129 * 64, 1); /* 129 entries, no end */
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    memset(b + n - 64, 0, 64); /* 128 entries + terminator: fine */
    assert_int_equal(dec(b, n), NET_OK);
    n = frame(b, "SD", 1, 1, NET_MSG_BULK_PULL_RESP, 0, 0, 1);
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_BULK_PULL_RESP, 0, 216, 6); /* tag + 215 bytes */
    assert_int_equal(dec(b, n), NET_BAD_LENGTH);

    /* Votes: wrong count, duplicate hashes. */
    uint8_t vote[NET_MAX_MESSAGE];
    net_message m;
    fx_message(5, &m);
    size_t vn = net_msg_encode(dev(), &m, vote, sizeof vote);
    memcpy(b, vote, vn);
    b[NET_HEADER_BYTES + 104] = 0; /* n = 0 */
    assert_int_equal(dec(b, vn), NET_BAD_VOTE);
    b[NET_HEADER_BYTES + 104] = 2; /* n = 2 but one hash */
    assert_int_equal(dec(b, vn), NET_BAD_LENGTH);
    n = frame(b, "SD", 1, 1, NET_MSG_CONFIRM_ACK, 0, 105 + 64, 0);
    memcpy(b + NET_HEADER_BYTES, vote + NET_HEADER_BYTES, 105 + 32); /* header + hash */
    b[NET_HEADER_BYTES + 104] = 2;
    memcpy(b + NET_HEADER_BYTES + 137, vote + NET_HEADER_BYTES + 105, 32); /* same hash */
    assert_int_equal(dec(b, n), NET_BAD_VOTE);

    /* Frontier entries: half-zero entry, terminator not last. */
    n = frame(b, "SD", 1, 1, NET_MSG_FRONTIER_RESP, 0, 128, 7);
    memset(b + NET_HEADER_BYTES, 0, 32); /* zero account, non-zero hash */
    assert_int_equal(dec(b, n), NET_BAD_ENTRY);
    n = frame(b, "SD", 1, 1, NET_MSG_FRONTIER_RESP, 0, 128, 7);
    memset(b + NET_HEADER_BYTES + 32, 0, 32); /* zero hash */
    assert_int_equal(dec(b, n), NET_BAD_ENTRY);
    n = frame(b, "SD", 1, 1, NET_MSG_FRONTIER_RESP, 0, 128, 7);
    memset(b + NET_HEADER_BYTES, 0, 64); /* terminator first */
    assert_int_equal(dec(b, n), NET_BAD_TERMINATOR);

    /* Bulk items: unknown tag, end tag before a block; the unavailable end
     * (an ascending pull the peer cannot serve) alone is fine. */
    n = frame(b, "SD", 1, 1, NET_MSG_BULK_PULL_RESP, 0, 1, 3);
    assert_int_equal(dec(b, n), NET_BAD_TAG);
    n = frame(b, "SD", 1, 1, NET_MSG_BULK_PULL_RESP, 0, 1, NET_BULK_TAG_UNAVAILABLE);
    assert_int_equal(dec(b, n), NET_OK);
    n = frame(b, "SD", 1, 1, NET_MSG_BULK_PULL_RESP, 0, 218, 0);
    b[NET_HEADER_BYTES] = NET_BULK_TAG_UNAVAILABLE;
    b[NET_HEADER_BYTES + 1] = NET_BULK_TAG_BLOCK;
    assert_int_equal(dec(b, n), NET_BAD_TERMINATOR);
    n = frame(b, "SD", 1, 1, NET_MSG_BULK_PULL_RESP, 0, 218, 0);
    b[NET_HEADER_BYTES] = NET_BULK_TAG_END;
    b[NET_HEADER_BYTES + 1] = NET_BULK_TAG_BLOCK;
    assert_int_equal(dec(b, n), NET_BAD_TERMINATOR);
    n = frame(b, "SD", 1, 1, NET_MSG_BULK_PULL_RESP, 0, 219, 0);
    b[NET_HEADER_BYTES] = NET_BULK_TAG_BLOCK;
    b[NET_HEADER_BYTES + 217] = NET_BULK_TAG_END;
    b[NET_HEADER_BYTES + 218] = NET_BULK_TAG_END;
    assert_int_equal(dec(b, n), NET_BAD_TERMINATOR);
    b[NET_HEADER_BYTES + 218] = 0x42;
    assert_int_equal(dec(b, n), NET_BAD_TERMINATOR);
    n = frame(b, "SD", 1, 1, NET_MSG_BULK_PULL_RESP, 0, 217, 0);
    b[NET_HEADER_BYTES] = NET_BULK_TAG_BLOCK; /* one block, no end tag: fine */
    assert_int_equal(dec(b, n), NET_OK);
}

static void test_encode_rejections(void **state)
{
    (void)state;
    uint8_t buf[NET_MAX_MESSAGE];
    net_message m;
    memset(&m, 0, sizeof m);
    m.type = NET_MSG_HANDSHAKE;
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    m.type = (net_msg_type)0;
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    m.type = (net_msg_type)(NET_MSG_TYPE_MAX + 1);
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    m.type = NET_MSG_KEEPALIVE;
    m.u.keepalive.count = NET_KEEPALIVE_MAX_PEERS + 1;
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    memset(&m, 0, sizeof m);
    m.type = NET_MSG_CONFIRM_REQ;
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    m.u.confirm_req.count = NET_CONFIRM_REQ_MAX_PAIRS + 1;
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    memset(&m, 0, sizeof m);
    m.type = NET_MSG_CONFIRM_ACK; /* count 0 */
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    memset(&m, 0, sizeof m);
    m.type = NET_MSG_FRONTIER_RESP; /* nothing at all */
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    m.u.frontier_resp.count = 1; /* an all-zero entry would read as the terminator */
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    m.u.frontier_resp.count = NET_FRONTIER_MAX_ENTRIES + 1;
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    memset(&m, 0, sizeof m);
    m.type = NET_MSG_BULK_PULL_RESP;
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);
    m.u.bulk_pull_resp.count = NET_BULK_MAX_BLOCKS + 1;
    assert_int_equal(net_msg_encode(dev(), &m, buf, sizeof buf), 0);

    /* A cap one byte short writes nothing. */
    fx_message(3, &m);
    size_t need = net_msg_encode(dev(), &m, buf, sizeof buf);
    assert_int_equal(need, NET_HEADER_BYTES + SMN_BLOCK_WIRE_BYTES);
    memset(buf, 0xEE, sizeof buf);
    assert_int_equal(net_msg_encode(dev(), &m, buf, need - 1), 0);
    assert_int_equal(buf[0], 0xEE);
    /* Magic comes from the network. */
    assert_int_equal(net_msg_encode(smn_network_get(SMN_NET_LIVE), &m, buf, sizeof buf), need);
    assert_memory_equal(buf, "SL", 2);
    net_message back;
    size_t used;
    assert_int_equal(net_msg_decode(dev(), buf, need, &back, &used), NET_BAD_MAGIC);
}

static void test_two_frames_back_to_back(void **state)
{
    (void)state;
    uint8_t buf[2 * NET_MAX_MESSAGE];
    net_message a, b, got;
    fx_message(2, &a);
    fx_message(4, &b);
    size_t na = net_msg_encode(dev(), &a, buf, sizeof buf);
    size_t nb = net_msg_encode(dev(), &b, buf + na, sizeof buf - na);
    size_t used;
    assert_int_equal(net_msg_decode(dev(), buf, na + nb, &got, &used), NET_OK);
    assert_int_equal(used, na);
    assert_same(&got, &a);
    assert_int_equal(net_msg_decode(dev(), buf + used, nb, &got, &used), NET_OK);
    assert_int_equal(used, nb);
    assert_same(&got, &b);
}

static void test_names(void **state)
{
    (void)state;
    for (int t = 1; t <= NET_MSG_TYPE_MAX; t++)
        assert_string_not_equal(net_msg_type_name(t), "unknown");
    assert_string_equal(net_msg_type_name(0), "unknown");
    assert_string_equal(net_msg_type_name(NET_MSG_CONFIRM_ACK), "confirm_ack");
    for (int s = NET_OK; s <= NET_INVALID; s++)
        assert_string_not_equal(net_strerror((net_status)s), "unknown status");
}

static void test_endpoints(void **state)
{
    (void)state;
    net_endpoint e;
    assert_true(net_endpoint_parse("10.1.2.3", 7075, &e));
    assert_true(net_endpoint_is_v4(&e) && net_endpoint_is_usable(&e));
    assert_true(net_endpoint_parse("::ffff:10.1.2.3", 7075, &e));
    char s[NET_ENDPOINT_STR_BYTES];
    net_endpoint_format(&e, s);
    assert_string_equal(s, "10.1.2.3:7075");
    assert_false(net_endpoint_parse("example.org", 1, &e));
    assert_false(net_endpoint_parse("[::1]", 1, &e));
    assert_true(net_endpoint_parse("0.0.0.0", 7075, &e));
    assert_false(net_endpoint_is_usable(&e));
    assert_true(net_endpoint_parse("224.0.0.1", 7075, &e));
    assert_false(net_endpoint_is_usable(&e));
    assert_true(net_endpoint_parse("ff02::1", 7075, &e));
    assert_false(net_endpoint_is_usable(&e));
    assert_true(net_endpoint_parse("::", 7075, &e));
    assert_false(net_endpoint_is_usable(&e));
    assert_true(net_endpoint_parse("::1", 0, &e));
    assert_false(net_endpoint_is_usable(&e));
    net_endpoint a, b;
    assert_true(net_endpoint_parse("::1", 1, &a));
    assert_true(net_endpoint_parse("::1", 2, &b));
    assert_true(net_endpoint_cmp(&a, &b) < 0 && net_endpoint_cmp(&b, &a) > 0);
    assert_false(net_endpoint_equal(&a, &b));
    struct sockaddr_storage ss;
    assert_true(net_endpoint_parse("192.168.1.9", 17075, &a));
    net_endpoint_to_sockaddr(&a, &ss);
    assert_int_equal(net_endpoint_from_sockaddr((struct sockaddr *)&ss, &b), 0);
    assert_true(net_endpoint_equal(&a, &b));
    assert_true(net_endpoint_parse("2001:db8::7", 443, &a));
    net_endpoint_to_sockaddr(&a, &ss);
    assert_int_equal(net_endpoint_from_sockaddr((struct sockaddr *)&ss, &b), 0);
    assert_true(net_endpoint_equal(&a, &b));
}

int main(int argc, char **argv)
{
    doc_path = argc > 1 ? argv[1] : NULL;
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_encode),
        cmocka_unit_test(test_vectors_decode),
        cmocka_unit_test(test_vector_fields),
        cmocka_unit_test(test_vectors_match_doc),
        cmocka_unit_test(test_roundtrip_extremes),
        cmocka_unit_test(test_header_rejections),
        cmocka_unit_test(test_payload_rejections),
        cmocka_unit_test(test_encode_rejections),
        cmocka_unit_test(test_two_frames_back_to_back),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_endpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
