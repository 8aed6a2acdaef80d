/* TCP channels to peers over libevent bufferevents.
 *
 * A net_channels set owns every channel of one node: inbound ones accepted
 * on a listening socket the caller hands in (the supervisor binds it), and
 * outbound ones it dials. Each channel reassembles frames from the stream,
 * decodes them (procs/net/message.h) and runs the node-ID handshake
 * (procs/net/handshake.h); only after the peer has proven its node id on
 * the same network does the channel become ready, and only ready channels
 * deliver messages to on_message or accept sends. Any protocol violation
 * (wrong magic, malformed frame, bad signature, a message before the
 * handshake, a second handshake, a connection to ourselves) closes the
 * channel with a log line and on_close.
 *
 * Admission (every count bounded, docs/architecture.md "Peering"):
 * - unauthenticated inbound channels: at most max_pending in all and
 *   max_pending_per_address from one address. A new connection beyond
 *   either closes the oldest unauthenticated inbound channel that has not
 *   sent a valid handshake message yet (else the oldest one) of that
 *   address (or of all): an honest peer completes its handshake in one
 *   round trip, an idle connection never does, so a flood of idle
 *   connections cannot starve honest ones, even from the same address.
 * - at most accept_batch connections are accepted per event-loop
 *   iteration, so the channels just accepted read their handshake before
 *   the next batch can evict them; on EMFILE/ENFILE accepting pauses for
 *   100 ms instead of spinning.
 * - ready channels: at most max_channels, of which reserved_outbound only
 *   for channels we dialled and reserved_reps only for inbound channels
 *   that find no ordinary inbound slot open to them (at most
 *   max_reserved_per_address of them from one address, loopback included;
 *   the caller proves them representatives or closes them,
 *   net_channel_is_reserved), and at most max_per_address from one address
 *   (loopback exempt: a one-host devnet shares it). A channel over a limit
 *   when its handshake completes is closed (NET_CLOSE_LIMIT). Dials made
 *   with priority (the configured peers) pass every limit but max_dialing.
 * - the handshake must complete within handshake_timeout_ms.
 *
 * Outbound writes go to a per-channel queue bounded in bytes: a message
 * that does not fit is dropped and counted, never blocks. Gossip (keepalive,
 * publish, confirm_req, confirm_ack) can also pass a token-bucket limiter
 * shared by the whole set.
 *
 * Everything runs on the caller's event_base thread; no function here is
 * thread-safe. */
#ifndef NET_CHANNEL_H
#define NET_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/keys.h"
#include "common/network.h"
#include "procs/net/endpoint.h"
#include "procs/net/message.h"

struct event_base;

typedef struct net_channels net_channels;
typedef struct net_channel net_channel;

typedef enum {
    NET_CLOSE_LOCAL = 0,     /* net_channel_close or net_channels_free */
    NET_CLOSE_EOF,           /* the peer hung up */
    NET_CLOSE_IO,            /* socket error */
    NET_CLOSE_CONNECT,       /* outbound connect failed */
    NET_CLOSE_WRONG_NETWORK, /* a frame with another network's magic */
    NET_CLOSE_MALFORMED,     /* any other decoding error */
    NET_CLOSE_HANDSHAKE,     /* out-of-order handshake, or a message before it completed */
    NET_CLOSE_BAD_SIGNATURE, /* the peer's node-id proof did not verify */
    NET_CLOSE_SELF,          /* the peer is this node */
    NET_CLOSE_DUPLICATE,     /* another channel to the same node id is kept */
    NET_CLOSE_TIMEOUT,       /* handshake not complete in time */
    NET_CLOSE_EVICTED,       /* unauthenticated, and a newer connection needed its slot */
    NET_CLOSE_LIMIT,         /* handshake done, but no ready slot was free for it */
} net_close_reason;

typedef struct {
    /* The handshake completed; the channel may send and will deliver. */
    void (*on_ready)(net_channel *ch, void *ud);
    /* A decoded message from a ready channel (never a handshake). m lives
     * only for the call. The callback may send, broadcast or close. */
    void (*on_message)(net_channel *ch, const net_message *m, void *ud);
    /* Every channel that was created ends here exactly once, ready or not;
     * ch is freed right after the call returns. */
    void (*on_close)(net_channel *ch, net_close_reason why, void *ud);
    /* Optional: refuse an inbound connection before any byte (a ban list). */
    bool (*allow_inbound)(const net_endpoint *from, void *ud);
    /* Optional: may an inbound channel from this address take a
     * reserved_reps slot (e.g. not after it failed to prove itself)? */
    bool (*allow_reserved)(const net_endpoint *from, void *ud);
    void *ud;
} net_channel_callbacks;

typedef struct {
    const smn_network *net;
    const smn_keypair *node_key;     /* copied (and wiped on free) */
    size_t max_channels;             /* ready channels; 0: 64 */
    size_t reserved_outbound;        /* of those, only for dialled ones; 0: none */
    size_t max_per_address;          /* ready channels from one address (not loopback); 0: any */
    size_t reserved_reps;            /* of those, only for inbound representatives; 0: none */
    size_t max_reserved_per_address; /* reserved_reps slots one address holds; 0: 2 */
    size_t max_pending;              /* unauthenticated inbound; 0: 32 */
    size_t max_pending_per_address;  /* unauthenticated inbound from one address; 0: 8 */
    size_t max_dialing;              /* outbound not ready yet; 0: 32 */
    size_t accept_batch;             /* accepts per loop iteration; 0: 8 */
    size_t write_queue_bytes;        /* per channel; 0: 1 MiB */
    uint32_t handshake_timeout_ms;   /* 0: 5000 */
    uint64_t gossip_bytes_per_sec;   /* 0: unlimited */
    uint64_t gossip_burst_bytes;     /* 0: one second's worth */
} net_channels_config;

/* NULL on bad arguments (no net, key or base) or allocation failure. */
net_channels *net_channels_new(struct event_base *base, const net_channels_config *cfg,
                               const net_channel_callbacks *cb);
/* Closes every channel (on_close with NET_CLOSE_LOCAL) and stops listening.
 * Not from inside a callback of this set. */
void net_channels_free(net_channels *s);

/* Accept inbound connections on fd, a bound and listening TCP socket. The
 * fd stays the caller's (it is not closed on free). 0, -EALREADY when
 * already listening, -EINVAL/-ENOMEM. */
int net_channels_listen(net_channels *s, int fd);
/* Dial ep and start the handshake. 0 (the outcome arrives as on_ready or
 * on_close; *out, if given, is the channel) or a negative errno when no
 * channel was created: -EMFILE at max_dialing, or (without priority) when
 * max_channels are ready, -EINVAL for an unusable endpoint, or the socket
 * error. A priority dial passes the ready-channel limits. */
int net_channels_dial(net_channels *s, const net_endpoint *ep, bool priority, net_channel **out);
/* net_channels_dial without priority. */
int net_channels_connect(net_channels *s, const net_endpoint *ep, net_channel **out);

/* Queue m on a ready channel: 0, -ENOTCONN (not ready yet or closing),
 * -EINVAL (a handshake, or m does not encode), -ENOBUFS (write queue full
 * or gossip limiter empty: dropped and counted). */
int net_channel_send(net_channel *ch, const net_message *m);
/* Encode m once and queue it on every ready channel but `except` (may be
 * NULL). Returns how many channels took it; drops are counted per channel. */
size_t net_channels_broadcast(net_channels *s, const net_message *m, const net_channel *except);
/* Close now (on_close with NET_CLOSE_LOCAL; deferred to the end of the
 * current callback if called from one of this channel's callbacks). */
void net_channel_close(net_channel *ch);

bool net_channel_is_ready(const net_channel *ch);
bool net_channel_is_inbound(const net_channel *ch);
/* An inbound channel that took a reserved_reps slot (set once, when its
 * handshake completed; it keeps the slot while it lives). */
bool net_channel_is_reserved(const net_channel *ch);
/* The remote address: the dialled one, or the accepted socket's peer. */
const net_endpoint *net_channel_endpoint(const net_channel *ch);
/* The peer's proven node id; NULL before the handshake completes. */
const uint8_t *net_channel_node_id(const net_channel *ch);
/* Messages dropped on this channel (queue full or limiter). */
uint64_t net_channel_dropped(const net_channel *ch);
void net_channel_set_user(net_channel *ch, void *user);
void *net_channel_user(const net_channel *ch);

typedef struct {
    size_t pending_in; /* inbound, handshake not done */
    size_t dialing;    /* outbound, handshake not done */
    size_t ready_in, ready_out;
    size_t ready_reserved;  /* of ready_in, in reserved_reps slots */
    uint64_t evicted;       /* unauthenticated channels closed for a newer one */
    uint64_t limited;       /* closed at handshake for want of a ready slot */
    uint64_t accept_pauses; /* accepting paused on EMFILE/ENFILE */
    uint64_t bytes_in;      /* frames read from peers (header included) */
    uint64_t bytes_out;     /* frames queued to peers */
} net_channels_stats;
void net_channels_get_stats(const net_channels *s, net_channels_stats *st);

size_t net_channels_count(const net_channels *s);
size_t net_channels_ready_count(const net_channels *s);
/* Ready channels in creation order; returns how many. */
size_t net_channels_list(const net_channels *s, net_channel **out, size_t max);
/* The ready channel to node_id, or NULL. */
net_channel *net_channels_find(const net_channels *s, const uint8_t node_id[SMN_KEY_BYTES]);

const char *net_close_reason_name(net_close_reason r);

#endif
