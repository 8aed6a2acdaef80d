/* Peer messages: the 11-byte header and every message type, encoded and
 * decoded. The byte layout of each is in docs/protocol.md ("Peer messages").
 *
 * Header (11 bytes):
 *   magic[2] || version u8 || version_min u8 || type u8 || flags u16 BE
 *   || payload length u32 BE
 *
 * The decoder is the only way bytes from a peer become a net_message: it
 * checks the magic, versions, type, flags and every length before reading,
 * and never reads past len. It checks framing only; signatures (handshake,
 * vote, telemetry), work and ledger rules are for the caller. */
#ifndef NET_MESSAGE_H
#define NET_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/block.h"
#include "common/keys.h"
#include "common/network.h"
#include "common/vote.h"
#include "procs/net/endpoint.h"

#define NET_PROTOCOL_VERSION 1
#define NET_PROTOCOL_VERSION_MIN 1
#define NET_HEADER_BYTES 11

#define NET_COOKIE_BYTES 32
#define NET_KEEPALIVE_MAX_PEERS 8
#define NET_CONFIRM_REQ_MAX_PAIRS 12
#define NET_FRONTIER_MAX_ENTRIES 128 /* non-terminator entries per message */
#define NET_BULK_MAX_BLOCKS 32       /* blocks per bulk_pull_resp message */
#define NET_TELEMETRY_BYTES 173

/* Largest payload of any type (frontier_resp: 129 entries of 64 bytes). */
#define NET_MAX_PAYLOAD ((NET_FRONTIER_MAX_ENTRIES + 1) * 64)
#define NET_MAX_MESSAGE (NET_HEADER_BYTES + NET_MAX_PAYLOAD)

typedef enum {
    NET_MSG_HANDSHAKE = 1,
    NET_MSG_KEEPALIVE = 2,
    NET_MSG_PUBLISH = 3,
    NET_MSG_CONFIRM_REQ = 4,
    NET_MSG_CONFIRM_ACK = 5,
    NET_MSG_FRONTIER_REQ = 6,
    NET_MSG_FRONTIER_RESP = 7,
    NET_MSG_BULK_PULL = 8,
    NET_MSG_BULK_PULL_RESP = 9,
    NET_MSG_TELEMETRY_REQ = 10,
    NET_MSG_TELEMETRY_ACK = 11,
} net_msg_type;
#define NET_MSG_TYPE_MAX 11

/* Header flags. Each type accepts only its own bits; others must be zero. */
#define NET_FLAG_HS_QUERY 0x0001u           /* handshake: a cookie follows */
#define NET_FLAG_HS_RESPONSE 0x0002u        /* handshake: node id + signature follow */
#define NET_FLAG_FRONTIER_CONFIRMED 0x0001u /* frontier_req: confirmed frontiers only */
#define NET_FLAG_PULL_ASCENDING 0x0001u     /* bulk_pull: upward from `end`, oldest first */

/* Bulk pull response item tags (one byte before each item). */
#define NET_BULK_TAG_END 0x01u
#define NET_BULK_TAG_UNAVAILABLE 0x02u /* end: not served (pruned, unknown, or not now) */
#define NET_BULK_TAG_BLOCK 0x06u       /* a state block follows (6 as in the hash preamble) */

typedef enum {
    NET_OK = 0,
    NET_INCOMPLETE,     /* fewer bytes than the header or the whole frame: read more */
    NET_BAD_MAGIC,      /* another network's (or no) magic */
    NET_BAD_VERSION,    /* version_min > version, or no overlap with ours */
    NET_UNKNOWN_TYPE,   /* type 0 or above NET_MSG_TYPE_MAX */
    NET_BAD_FLAGS,      /* a flag bit the type does not define, or a required one missing */
    NET_TOO_LONG,       /* payload length above the type's maximum */
    NET_BAD_LENGTH,     /* payload length not one the type and flags allow */
    NET_BAD_VOTE,       /* confirm_ack payload is not a well-formed vote */
    NET_BAD_ENTRY,      /* frontier entry with a zero account or hash (not the terminator) */
    NET_BAD_TAG,        /* bulk_pull_resp item tag unknown */
    NET_BAD_TERMINATOR, /* a terminator that is not the last item */
    NET_INVALID,        /* encode only: the message's own fields are out of range */
} net_status;

typedef struct {
    uint8_t magic[2];
    uint8_t version;
    uint8_t version_min;
    uint8_t type;
    uint16_t flags;
    uint32_t length; /* payload bytes after the header */
} net_header;

typedef struct {
    bool has_query;
    uint8_t cookie[NET_COOKIE_BYTES];
    bool has_response;
    uint8_t node_id[SMN_KEY_BYTES];
    uint8_t signature[SMN_SIG_BYTES]; /* see procs/net/handshake.h for what is signed */
} net_handshake;

typedef struct {
    uint8_t count; /* 0..NET_KEEPALIVE_MAX_PEERS */
    net_endpoint peers[NET_KEEPALIVE_MAX_PEERS];
} net_keepalive;

typedef struct {
    uint8_t count; /* 1..NET_CONFIRM_REQ_MAX_PAIRS */
    uint8_t hashes[NET_CONFIRM_REQ_MAX_PAIRS][32];
    uint8_t roots[NET_CONFIRM_REQ_MAX_PAIRS][32];
} net_confirm_req;

#define NET_FRONTIER_AGE_ANY UINT32_MAX
#define NET_FRONTIER_COUNT_ALL UINT32_MAX
typedef struct {
    uint8_t start[32]; /* first account (inclusive), ascending order */
    uint32_t age;      /* only accounts modified within this many seconds */
    uint32_t count;    /* at most this many entries */
    bool confirmed_only;
} net_frontier_req;

typedef struct {
    uint8_t account[32];
    uint8_t frontier[32];
} net_frontier_entry;

typedef struct {
    uint16_t count; /* 0..NET_FRONTIER_MAX_ENTRIES */
    bool end;       /* the 64-zero-byte terminator follows the entries */
    net_frontier_entry entries[NET_FRONTIER_MAX_ENTRIES];
} net_frontier_resp;

typedef struct {
    uint8_t start[32]; /* an account (its chain from the frontier down) or a block hash */
    uint8_t end[32];   /* stop after this hash; zero: down to the open block */
    uint32_t count;    /* at most this many blocks; 0: no limit */
    bool ascending;    /* flag 0x1: start an account, blocks after `end` upward */
} net_bulk_pull;

typedef struct {
    uint8_t count;    /* 0..NET_BULK_MAX_BLOCKS */
    bool end;         /* the end tag follows the blocks */
    bool unavailable; /* with end: the unavailable tag ends the answer */
    smn_block blocks[NET_BULK_MAX_BLOCKS];
} net_bulk_pull_resp;

typedef struct {
    uint8_t node_id[SMN_KEY_BYTES];
    uint8_t signature[SMN_SIG_BYTES]; /* see net_telemetry_sign */
    uint64_t block_count;
    uint64_t cemented_count;
    uint64_t account_count;
    uint32_t peer_count;
    uint8_t protocol_version;
    uint64_t uptime;     /* seconds since the node started */
    uint8_t genesis[32]; /* the genesis block hash the node follows */
    uint64_t timestamp;  /* milliseconds since the Unix epoch, at signing */
} net_telemetry;

typedef struct {
    net_msg_type type;
    union {
        net_handshake handshake;
        net_keepalive keepalive;
        smn_block publish;
        net_confirm_req confirm_req;
        smn_vote confirm_ack;
        net_frontier_req frontier_req;
        net_frontier_resp frontier_resp;
        net_bulk_pull bulk_pull;
        net_bulk_pull_resp bulk_pull_resp;
        net_telemetry telemetry_ack;
        /* telemetry_req has no payload */
    } u;
} net_message;

/* "handshake", "keepalive", ...; "unknown" outside the enum. */
const char *net_msg_type_name(int type);
const char *net_strerror(net_status st);
/* The largest payload a type allows; 0 for an unknown type (and for
 * telemetry_req, whose payload is empty). */
uint32_t net_msg_max_payload(int type);

/* Encode m with net's magic and our versions. Returns the bytes written
 * (header + payload), or 0 when m is out of range (a count, no handshake
 * part, a vote that does not encode) or cap is too small. */
size_t net_msg_encode(const smn_network *net, const net_message *m, uint8_t *out, size_t cap);

/* Decode and check a header: NET_INCOMPLETE below NET_HEADER_BYTES, else
 * magic, versions, type, flags and the type's maximum length. h is filled
 * on NET_OK and on every error after the magic check. */
net_status net_header_decode(const smn_network *net, const uint8_t *in, size_t len, net_header *h);

/* Decode one frame from the start of in. On NET_OK *used is the frame size
 * (header + payload). On NET_INCOMPLETE *used is the frame size needed when
 * the header is complete, else NET_HEADER_BYTES. Any other status is a
 * protocol error: close the connection. Bytes after the frame are ignored. */
net_status net_msg_decode(const smn_network *net, const uint8_t *in, size_t len, net_message *m,
                          size_t *used);

/* Telemetry signature: Ed25519 by the node id key over
 *   "smn telemetry" (13 ASCII bytes) || magic[2] || node_id || body
 * where body is the 77 bytes after the signature on the wire. Sets
 * t->node_id to kp->pub and t->signature. */
void net_telemetry_sign(const smn_network *net, net_telemetry *t, const smn_keypair *kp);
bool net_telemetry_verify(const smn_network *net, const net_telemetry *t);

#endif
