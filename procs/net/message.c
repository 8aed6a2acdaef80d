#include "procs/net/message.h"

#include <string.h>

#define FRONTIER_ENTRY_BYTES 64
#define CONFIRM_PAIR_BYTES 64
#define BULK_ITEM_BYTES (1 + SMN_BLOCK_WIRE_BYTES)
#define TELEMETRY_BODY_BYTES (NET_TELEMETRY_BYTES - SMN_KEY_BYTES - SMN_SIG_BYTES)

static const char telemetry_domain[13] = {'s', 'm', 'n', ' ', 't', 'e', 'l',
                                          'e', 'm', 'e', 't', 'r', 'y'};

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

const char *net_msg_type_name(int type)
{
    switch (type) {
    case NET_MSG_HANDSHAKE:
        return "handshake";
    case NET_MSG_KEEPALIVE:
        return "keepalive";
    case NET_MSG_PUBLISH:
        return "publish";
    case NET_MSG_CONFIRM_REQ:
        return "confirm_req";
    case NET_MSG_CONFIRM_ACK:
        return "confirm_ack";
    case NET_MSG_FRONTIER_REQ:
        return "frontier_req";
    case NET_MSG_FRONTIER_RESP:
        return "frontier_resp";
    case NET_MSG_BULK_PULL:
        return "bulk_pull";
    case NET_MSG_BULK_PULL_RESP:
        return "bulk_pull_resp";
    case NET_MSG_TELEMETRY_REQ:
        return "telemetry_req";
    case NET_MSG_TELEMETRY_ACK:
        return "telemetry_ack";
    }
    return "unknown";
}

const char *net_strerror(net_status st)
{
    switch (st) {
    case NET_OK:
        return "ok";
    case NET_INCOMPLETE:
        return "incomplete message";
    case NET_BAD_MAGIC:
        return "wrong network magic";
    case NET_BAD_VERSION:
        return "incompatible protocol version";
    case NET_UNKNOWN_TYPE:
        return "unknown message type";
    case NET_BAD_FLAGS:
        return "invalid flags for the message type";
    case NET_TOO_LONG:
        return "payload longer than the type allows";
    case NET_BAD_LENGTH:
        return "payload length invalid for the type";
    case NET_BAD_VOTE:
        return "malformed vote";
    case NET_BAD_ENTRY:
        return "frontier entry with a zero account or hash";
    case NET_BAD_TAG:
        return "unknown bulk item tag";
    case NET_BAD_TERMINATOR:
        return "terminator before the last item";
    case NET_INVALID:
        return "message fields out of range";
    }
    return "unknown status";
}

uint32_t net_msg_max_payload(int type)
{
    switch (type) {
    case NET_MSG_HANDSHAKE:
        return NET_COOKIE_BYTES + SMN_KEY_BYTES + SMN_SIG_BYTES;
    case NET_MSG_KEEPALIVE:
        return NET_KEEPALIVE_MAX_PEERS * NET_ENDPOINT_WIRE_BYTES;
    case NET_MSG_PUBLISH:
        return SMN_BLOCK_WIRE_BYTES;
    case NET_MSG_CONFIRM_REQ:
        return NET_CONFIRM_REQ_MAX_PAIRS * CONFIRM_PAIR_BYTES;
    case NET_MSG_CONFIRM_ACK:
        return SMN_VOTE_MAX_BYTES;
    case NET_MSG_FRONTIER_REQ:
        return 40;
    case NET_MSG_FRONTIER_RESP:
        return (NET_FRONTIER_MAX_ENTRIES + 1) * FRONTIER_ENTRY_BYTES;
    case NET_MSG_BULK_PULL:
        return 68;
    case NET_MSG_BULK_PULL_RESP:
        return NET_BULK_MAX_BLOCKS * BULK_ITEM_BYTES + 1;
    case NET_MSG_TELEMETRY_REQ:
        return 0;
    case NET_MSG_TELEMETRY_ACK:
        return NET_TELEMETRY_BYTES;
    }
    return 0;
}

static uint16_t allowed_flags(int type)
{
    switch (type) {
    case NET_MSG_HANDSHAKE:
        return NET_FLAG_HS_QUERY | NET_FLAG_HS_RESPONSE;
    case NET_MSG_FRONTIER_REQ:
        return NET_FLAG_FRONTIER_CONFIRMED;
    case NET_MSG_BULK_PULL:
        return NET_FLAG_PULL_ASCENDING;
    default:
        return 0;
    }
}

static bool entry_is_terminator(const net_frontier_entry *e)
{
    return smn_is_zero32(e->account) && smn_is_zero32(e->frontier);
}

static void telemetry_body(const net_telemetry *t, uint8_t *p)
{
    put_u64(p, t->block_count);
    put_u64(p + 8, t->cemented_count);
    put_u64(p + 16, t->account_count);
    put_u32(p + 24, t->peer_count);
    p[28] = t->protocol_version;
    put_u64(p + 29, t->uptime);
    memcpy(p + 37, t->genesis, 32);
    put_u64(p + 69, t->timestamp);
}

/* Payload of m into out (cap bytes); returns its length via *len and the
 * header flags via *flags, or NET_INVALID. */
static net_status encode_payload(const net_message *m, uint8_t *out, size_t cap, size_t *len,
                                 uint16_t *flags)
{
    size_t n = 0;
    *flags = 0;
    switch (m->type) {
    case NET_MSG_HANDSHAKE: {
        const net_handshake *h = &m->u.handshake;
        if (!h->has_query && !h->has_response)
            return NET_INVALID;
        if (h->has_query) {
            memcpy(out, h->cookie, NET_COOKIE_BYTES);
            n += NET_COOKIE_BYTES;
            *flags |= NET_FLAG_HS_QUERY;
        }
        if (h->has_response) {
            memcpy(out + n, h->node_id, SMN_KEY_BYTES);
            memcpy(out + n + SMN_KEY_BYTES, h->signature, SMN_SIG_BYTES);
            n += SMN_KEY_BYTES + SMN_SIG_BYTES;
            *flags |= NET_FLAG_HS_RESPONSE;
        }
        break;
    }
    case NET_MSG_KEEPALIVE:
        if (m->u.keepalive.count > NET_KEEPALIVE_MAX_PEERS)
            return NET_INVALID;
        for (unsigned i = 0; i < m->u.keepalive.count; i++, n += NET_ENDPOINT_WIRE_BYTES)
            net_endpoint_write(&m->u.keepalive.peers[i], out + n);
        break;
    case NET_MSG_PUBLISH:
        smn_block_serialize(&m->u.publish, out);
        n = SMN_BLOCK_WIRE_BYTES;
        break;
    case NET_MSG_CONFIRM_REQ: {
        const net_confirm_req *r = &m->u.confirm_req;
        if (r->count == 0 || r->count > NET_CONFIRM_REQ_MAX_PAIRS)
            return NET_INVALID;
        for (unsigned i = 0; i < r->count; i++, n += CONFIRM_PAIR_BYTES) {
            memcpy(out + n, r->hashes[i], 32);
            memcpy(out + n + 32, r->roots[i], 32);
        }
        break;
    }
    case NET_MSG_CONFIRM_ACK:
        n = smn_vote_encode(&m->u.confirm_ack, out, cap);
        if (n == 0)
            return NET_INVALID;
        break;
    case NET_MSG_FRONTIER_REQ:
        memcpy(out, m->u.frontier_req.start, 32);
        put_u32(out + 32, m->u.frontier_req.age);
        put_u32(out + 36, m->u.frontier_req.count);
        if (m->u.frontier_req.confirmed_only)
            *flags |= NET_FLAG_FRONTIER_CONFIRMED;
        n = 40;
        break;
    case NET_MSG_FRONTIER_RESP: {
        const net_frontier_resp *r = &m->u.frontier_resp;
        if (r->count > NET_FRONTIER_MAX_ENTRIES || (r->count == 0 && !r->end))
            return NET_INVALID;
        for (unsigned i = 0; i < r->count; i++, n += FRONTIER_ENTRY_BYTES) {
            const net_frontier_entry *e = &r->entries[i];
            if (smn_is_zero32(e->account) || smn_is_zero32(e->frontier))
                return NET_INVALID;
            memcpy(out + n, e->account, 32);
            memcpy(out + n + 32, e->frontier, 32);
        }
        if (r->end) {
            memset(out + n, 0, FRONTIER_ENTRY_BYTES);
            n += FRONTIER_ENTRY_BYTES;
        }
        break;
    }
    case NET_MSG_BULK_PULL:
        memcpy(out, m->u.bulk_pull.start, 32);
        memcpy(out + 32, m->u.bulk_pull.end, 32);
        put_u32(out + 64, m->u.bulk_pull.count);
        if (m->u.bulk_pull.ascending)
            *flags |= NET_FLAG_PULL_ASCENDING;
        n = 68;
        break;
    case NET_MSG_BULK_PULL_RESP: {
        const net_bulk_pull_resp *r = &m->u.bulk_pull_resp;
        if (r->count > NET_BULK_MAX_BLOCKS || (r->count == 0 && !r->end))
            return NET_INVALID;
        for (unsigned i = 0; i < r->count; i++, n += BULK_ITEM_BYTES) {
            out[n] = NET_BULK_TAG_BLOCK;
            smn_block_serialize(&r->blocks[i], out + n + 1);
        }
        if (r->end)
            out[n++] = r->unavailable ? NET_BULK_TAG_UNAVAILABLE : NET_BULK_TAG_END;
        break;
    }
    case NET_MSG_TELEMETRY_REQ:
        break;
    case NET_MSG_TELEMETRY_ACK:
        memcpy(out, m->u.telemetry_ack.node_id, SMN_KEY_BYTES);
        memcpy(out + SMN_KEY_BYTES, m->u.telemetry_ack.signature, SMN_SIG_BYTES);
        telemetry_body(&m->u.telemetry_ack, out + SMN_KEY_BYTES + SMN_SIG_BYTES);
        n = NET_TELEMETRY_BYTES;
        break;
    default:
        return NET_INVALID;
    }
    *len = n;
    return NET_OK;
}

size_t net_msg_encode(const smn_network *net, const net_message *m, uint8_t *out, size_t cap)
{
    uint32_t max = net_msg_max_payload((int)m->type);
    if (m->type < NET_MSG_HANDSHAKE || m->type > NET_MSG_TYPE_MAX)
        return 0;
    /* Encode into scratch first so a short cap never sees a partial write
     * and the per-type code needs no bounds checks of its own. */
    uint8_t payload[NET_MAX_PAYLOAD];
    size_t len = 0;
    uint16_t flags = 0;
    if (encode_payload(m, payload, sizeof payload, &len, &flags) != NET_OK || len > max)
        return 0;
    if (cap < NET_HEADER_BYTES + len)
        return 0;
    out[0] = net->magic[0];
    out[1] = net->magic[1];
    out[2] = NET_PROTOCOL_VERSION;
    out[3] = NET_PROTOCOL_VERSION_MIN;
    out[4] = (uint8_t)m->type;
    put_u16(out + 5, flags);
    put_u32(out + 7, (uint32_t)len);
    memcpy(out + NET_HEADER_BYTES, payload, len);
    return NET_HEADER_BYTES + len;
}

net_status net_header_decode(const smn_network *net, const uint8_t *in, size_t len, net_header *h)
{
    if (len < NET_HEADER_BYTES)
        return NET_INCOMPLETE;
    if (in[0] != net->magic[0] || in[1] != net->magic[1])
        return NET_BAD_MAGIC;
    h->magic[0] = in[0];
    h->magic[1] = in[1];
    h->version = in[2];
    h->version_min = in[3];
    h->type = in[4];
    h->flags = get_u16(in + 5);
    h->length = get_u32(in + 7);
    if (h->version_min > h->version || h->version < NET_PROTOCOL_VERSION_MIN ||
        h->version_min > NET_PROTOCOL_VERSION)
        return NET_BAD_VERSION;
    if (h->type < NET_MSG_HANDSHAKE || h->type > NET_MSG_TYPE_MAX)
        return NET_UNKNOWN_TYPE;
    if (h->flags & ~allowed_flags(h->type))
        return NET_BAD_FLAGS;
    if (h->type == NET_MSG_HANDSHAKE && h->flags == 0)
        return NET_BAD_FLAGS;
    if (h->length > net_msg_max_payload(h->type))
        return NET_TOO_LONG;
    return NET_OK;
}

static net_status decode_frontier_resp(const uint8_t *p, uint32_t len, net_frontier_resp *r)
{
    if (len == 0 || len % FRONTIER_ENTRY_BYTES)
        return NET_BAD_LENGTH;
    uint32_t n = len / FRONTIER_ENTRY_BYTES;
    r->count = 0;
    r->end = false;
    for (uint32_t i = 0; i < n; i++) {
        net_frontier_entry e;
        memcpy(e.account, p + i * FRONTIER_ENTRY_BYTES, 32);
        memcpy(e.frontier, p + i * FRONTIER_ENTRY_BYTES + 32, 32);
        if (entry_is_terminator(&e)) {
            if (i + 1 != n)
                return NET_BAD_TERMINATOR;
            r->end = true;
            break;
        }
        if (smn_is_zero32(e.account) || smn_is_zero32(e.frontier))
            return NET_BAD_ENTRY;
        if (r->count == NET_FRONTIER_MAX_ENTRIES)
            return NET_BAD_LENGTH; /* 129 entries and no terminator */
        r->entries[r->count++] = e;
    }
    return NET_OK;
}

static net_status decode_bulk_resp(const uint8_t *p, uint32_t len, net_bulk_pull_resp *r)
{
    if (len == 0)
        return NET_BAD_LENGTH;
    r->count = 0;
    r->end = r->unavailable = false;
    uint32_t off = 0;
    while (off < len) {
        if (p[off] == NET_BULK_TAG_END || p[off] == NET_BULK_TAG_UNAVAILABLE) {
            if (off + 1 != len)
                return NET_BAD_TERMINATOR;
            r->end = true;
            r->unavailable = p[off] == NET_BULK_TAG_UNAVAILABLE;
            return NET_OK;
        }
        if (p[off] != NET_BULK_TAG_BLOCK)
            return NET_BAD_TAG;
        if (len - off < BULK_ITEM_BYTES || r->count == NET_BULK_MAX_BLOCKS)
            return NET_BAD_LENGTH;
        (void)smn_block_deserialize(p + off + 1, SMN_BLOCK_WIRE_BYTES, &r->blocks[r->count++]);
        off += BULK_ITEM_BYTES;
    }
    return NET_OK;
}

static net_status decode_payload(const net_header *h, const uint8_t *p, net_message *m)
{
    uint32_t len = h->length;
    m->type = (net_msg_type)h->type;
    switch (h->type) {
    case NET_MSG_HANDSHAKE: {
        net_handshake *hs = &m->u.handshake;
        hs->has_query = (h->flags & NET_FLAG_HS_QUERY) != 0;
        hs->has_response = (h->flags & NET_FLAG_HS_RESPONSE) != 0;
        size_t want = (hs->has_query ? NET_COOKIE_BYTES : 0) +
                      (hs->has_response ? SMN_KEY_BYTES + SMN_SIG_BYTES : 0);
        if (len != want)
            return NET_BAD_LENGTH;
        size_t off = 0;
        if (hs->has_query) {
            memcpy(hs->cookie, p, NET_COOKIE_BYTES);
            off = NET_COOKIE_BYTES;
        }
        if (hs->has_response) {
            memcpy(hs->node_id, p + off, SMN_KEY_BYTES);
            memcpy(hs->signature, p + off + SMN_KEY_BYTES, SMN_SIG_BYTES);
        }
        return NET_OK;
    }
    case NET_MSG_KEEPALIVE:
        if (len % NET_ENDPOINT_WIRE_BYTES)
            return NET_BAD_LENGTH;
        m->u.keepalive.count = (uint8_t)(len / NET_ENDPOINT_WIRE_BYTES);
        for (unsigned i = 0; i < m->u.keepalive.count; i++)
            net_endpoint_read(p + i * NET_ENDPOINT_WIRE_BYTES, &m->u.keepalive.peers[i]);
        return NET_OK;
    case NET_MSG_PUBLISH:
        return smn_block_deserialize(p, len, &m->u.publish) == SMN_BLOCK_OK ? NET_OK
                                                                            : NET_BAD_LENGTH;
    case NET_MSG_CONFIRM_REQ:
        if (len == 0 || len % CONFIRM_PAIR_BYTES)
            return NET_BAD_LENGTH;
        m->u.confirm_req.count = (uint8_t)(len / CONFIRM_PAIR_BYTES);
        for (unsigned i = 0; i < m->u.confirm_req.count; i++) {
            memcpy(m->u.confirm_req.hashes[i], p + i * CONFIRM_PAIR_BYTES, 32);
            memcpy(m->u.confirm_req.roots[i], p + i * CONFIRM_PAIR_BYTES + 32, 32);
        }
        return NET_OK;
    case NET_MSG_CONFIRM_ACK:
        switch (smn_vote_decode(p, len, &m->u.confirm_ack)) {
        case SMN_VOTE_OK:
            return NET_OK;
        case SMN_VOTE_SHORT:
        case SMN_VOTE_LONG:
            return NET_BAD_LENGTH;
        default:
            return NET_BAD_VOTE;
        }
    case NET_MSG_FRONTIER_REQ:
        if (len != 40)
            return NET_BAD_LENGTH;
        memcpy(m->u.frontier_req.start, p, 32);
        m->u.frontier_req.age = get_u32(p + 32);
        m->u.frontier_req.count = get_u32(p + 36);
        m->u.frontier_req.confirmed_only = (h->flags & NET_FLAG_FRONTIER_CONFIRMED) != 0;
        return NET_OK;
    case NET_MSG_FRONTIER_RESP:
        return decode_frontier_resp(p, len, &m->u.frontier_resp);
    case NET_MSG_BULK_PULL:
        if (len != 68)
            return NET_BAD_LENGTH;
        memcpy(m->u.bulk_pull.start, p, 32);
        memcpy(m->u.bulk_pull.end, p + 32, 32);
        m->u.bulk_pull.count = get_u32(p + 64);
        m->u.bulk_pull.ascending = (h->flags & NET_FLAG_PULL_ASCENDING) != 0;
        return NET_OK;
    case NET_MSG_BULK_PULL_RESP:
        return decode_bulk_resp(p, len, &m->u.bulk_pull_resp);
    case NET_MSG_TELEMETRY_REQ:
        return len == 0 ? NET_OK : NET_BAD_LENGTH;
    case NET_MSG_TELEMETRY_ACK: {
        if (len != NET_TELEMETRY_BYTES)
            return NET_BAD_LENGTH;
        net_telemetry *t = &m->u.telemetry_ack;
        memcpy(t->node_id, p, SMN_KEY_BYTES);
        memcpy(t->signature, p + SMN_KEY_BYTES, SMN_SIG_BYTES);
        const uint8_t *b = p + SMN_KEY_BYTES + SMN_SIG_BYTES;
        t->block_count = get_u64(b);
        t->cemented_count = get_u64(b + 8);
        t->account_count = get_u64(b + 16);
        t->peer_count = get_u32(b + 24);
        t->protocol_version = b[28];
        t->uptime = get_u64(b + 29);
        memcpy(t->genesis, b + 37, 32);
        t->timestamp = get_u64(b + 69);
        return NET_OK;
    }
    }
    return NET_UNKNOWN_TYPE;
}

net_status net_msg_decode(const smn_network *net, const uint8_t *in, size_t len, net_message *m,
                          size_t *used)
{
    net_header h;
    *used = NET_HEADER_BYTES;
    net_status st = net_header_decode(net, in, len, &h);
    if (st != NET_OK)
        return st;
    *used = NET_HEADER_BYTES + (size_t)h.length;
    if (len < *used)
        return NET_INCOMPLETE;
    return decode_payload(&h, in + NET_HEADER_BYTES, m);
}

static void
telemetry_message(const smn_network *net, const net_telemetry *t,
                  uint8_t msg[sizeof telemetry_domain + 2 + SMN_KEY_BYTES + TELEMETRY_BODY_BYTES])
{
    memcpy(msg, telemetry_domain, sizeof telemetry_domain);
    msg[sizeof telemetry_domain] = net->magic[0];
    msg[sizeof telemetry_domain + 1] = net->magic[1];
    memcpy(msg + sizeof telemetry_domain + 2, t->node_id, SMN_KEY_BYTES);
    telemetry_body(t, msg + sizeof telemetry_domain + 2 + SMN_KEY_BYTES);
}

#define TELEMETRY_SIGNED_BYTES (sizeof telemetry_domain + 2 + SMN_KEY_BYTES + TELEMETRY_BODY_BYTES)

void net_telemetry_sign(const smn_network *net, net_telemetry *t, const smn_keypair *kp)
{
    uint8_t msg[TELEMETRY_SIGNED_BYTES];
    memcpy(t->node_id, kp->pub, SMN_KEY_BYTES);
    telemetry_message(net, t, msg);
    smn_sign(kp, msg, sizeof msg, t->signature);
}

bool net_telemetry_verify(const smn_network *net, const net_telemetry *t)
{
    uint8_t msg[TELEMETRY_SIGNED_BYTES];
    telemetry_message(net, t, msg);
    return smn_verify(t->node_id, msg, sizeof msg, t->signature);
}
