/* The net process's state, shared by the service_*.c files (not a public
 * header: other processes talk to net over net.sock, ipc/schema_net.h).
 *
 * service.c            lifecycle, the tick timer, channel callbacks, bans
 * service_dial.c       configured and learned peers, dialling with backoff,
 *                      keepalive and peer exchange, idle channels
 * service_blocks.c     the ledger link: publish in, block_accepted out
 * service_ipc.c        net.sock: the dispatcher of what other processes
 *                      send, the peers report, the child runtime's hooks
 * service_votes.c      confirm_ack in and out, confirm_req both ways
 *                      (budgets: service_votereq.h), vote subscribers,
 *                      the reserved representative slots' probe
 *                      (service_probe.h)
 * service_telemetry.c  telemetry_req / telemetry_ack
 * service_pull.c       filling gaps: bulk_pull to the peer, serving bulk_pull
 * service_seen.c       the bounded "seen recently" sets
 * service_frontier.c   frontier_req both ways, the bootstrap's net.sock
 *                      requests (frontiers, pull) */
#ifndef NET_SERVICE_INTERNAL_H
#define NET_SERVICE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/keys.h"
#include "common/network.h"
#include "ipc/schema_net.h"
#include "ipc/child.h"
#include "ipc/ledgerdb/ro_handle.h"
#include "procs/net/channel.h"
#include "procs/net/peers.h"
#include "procs/net/service.h"
#include "procs/net/service_config.h"
#include "procs/net/service_probe.h"
#include "procs/net/service_reps.h"
#include "procs/net/service_seen.h"
#include "procs/net/service_votereq.h"

struct evdns_base;
struct evdns_getaddrinfo_request;
struct event;
typedef struct ledger_client ledger_client;

#define NET_TICK_MS 100u
#define NET_DIAL_MIN_MS 200u
#define NET_DIAL_MAX_MS 10000u
#define NET_TARGET_CHANNELS 8u  /* dial learned peers while fewer outbound channels than this */
#define NET_DIALS_PER_TICK 2u   /* learned peers dialled per tick at most */
#define NET_MAX_DIALING 32u     /* outbound connections still handshaking */
#define NET_DIAL_TABLE 128u     /* configured + learned endpoints being dialled */
#define NET_LEARNED_FAILURES 5u /* a learned peer that fails this often is forgotten */
#define NET_PEER_TABLE 1024u    /* known peer endpoints */
#define NET_PEER_EXPIRE_S 900u  /* not heard of for this long: dropped */
#define NET_BAN_TABLE 256u      /* banned addresses */
#define NET_SEEN_ITEMS 65536u   /* blocks and votes remembered for dedupe, each */
/* Outbound gossip (publish, votes, keepalive) for the whole node: about
 * 75k block sends/s (e.g. 10k blocks/s to 7 peers), above what the ledger
 * processes, so only a flood beyond that is dropped (and counted). */
#define NET_GOSSIP_BYTES_PER_S (16u << 20)
#define NET_SOURCES 1024u    /* (block hash -> peer) remembered to skip the sender */
#define NET_MAX_PROCESS 512u /* process requests in flight to the ledger */
#define NET_LEDGER_TIMEOUT_MS 10000u
#define NET_TELEMETRY_EVERY_MS 60000u /* ask each peer this often */
#define NET_TELEMETRY_MIN_MS 1000u    /* answer one peer at most this often */
#define NET_MAX_VOTE_SUBS 16u
#define NET_MAX_SELF 8u           /* endpoints found to be ourselves */
#define NET_LISTEN_RETRY_MS 5000u /* binding the port ourselves failed: retry */
#define NET_PULL_BLOCKS 128u      /* blocks asked for per gap */
#define NET_PULL_TIMEOUT_MS 5000u /* a pull not answered by then is dropped */
#define NET_PULL_RECENT 64u       /* missing hashes asked for recently ... */
#define NET_PULL_REPEAT_MS 2000u  /* ... are not asked for again this soon */
#define NET_SERVE_BLOCKS 1024u    /* blocks one bulk_pull gets from us at most */
#define NET_SERVE_EVERY_MS 200u   /* one frontier_req per peer this often */
/* bulk_pull serving budget per peer, in blocks: refilled at NET_SERVE_RATE
 * per second up to NET_SERVE_BURST; a pull when it is spent gets the
 * `unavailable` end (ascending) or an empty answer (descending). */
#define NET_SERVE_RATE 40000u
#define NET_SERVE_BURST 4096u
#define NET_SERVE_ASC_BLOCKS                                                                       \
    512u                 /* blocks one ascending bulk_pull gets at most (IPC_NET_MAX_PULL_ASC) */
#define NET_MAX_BOOT 16u /* bootstrap requests in flight */

/* One endpoint we keep dialling (configured) or try (learned). */
typedef struct {
    bool used;
    bool configured;
    net_endpoint ep;
    net_channel *ch; /* our outbound channel to it, while one exists */
    uint32_t backoff_ms;
    uint64_t next_ms; /* not before this */
    unsigned failures;
} net_dial;

/* A configured peer given by name: resolved asynchronously, then dialled. */
typedef struct {
    net_peer_addr addr;
    struct evdns_getaddrinfo_request *req;
    uint64_t next_lookup_ms;
    uint32_t backoff_ms;
    struct net_service *svc;
} net_named_peer;

/* Signature checks of one peer's votes per second (and burst): beyond it
 * its votes are dropped unverified. Far above what the principal
 * representatives sign, far below what one core verifies. */
#define NET_VERIFY_RATE 5000u
/* Signature checks a second, node-wide, for votes from accounts the reps
 * table does not list: enough for a representative whose weight is newer
 * than the table (it is resent at most once a second), far too few for a
 * flood of made-up keys to cost anything. */
#define NET_UNLISTED_VERIFY_RATE 200u

/* Per channel (net_channel_user). */
typedef struct {
    net_dial *dial; /* the dial entry that created it; NULL for inbound */
    bool ready;     /* the handshake completed */
    bool has_listen;
    net_endpoint listen; /* the peering endpoint the peer announced */
    uint64_t last_rx_ms;
    uint64_t last_keepalive_ms;
    uint64_t tele_asked_ms;
    uint64_t tele_answered_ms;
    bool has_block_count;
    uint64_t block_count;
    net_telemetry tele; /* its last signed telemetry, valid with has_block_count */
    /* a bulk_pull we sent it (one at a time) */
    bool pulling;
    uint64_t pull_deadline_ms;
    smn_block *pulled; /* pull_cap blocks, allocated while pulling */
    size_t npulled, pull_cap;
    bool pull_unavailable; /* the answer ended with the unavailable tag */
    /* a multi-part ascending pull (net.sock `pull` with `also`): one
     * bulk_pull per part, answered in order */
    uint8_t nparts, part;
    uint16_t part_n[IPC_NET_PULL_PARTS];
    bool part_unavailable[IPC_NET_PULL_PARTS];
    int64_t serve_credit;       /* its bulk_pull budget (NET_SERVE_RATE) */
    uint64_t serve_refill_ms;   /* 0: not used yet (a full budget) */
    uint64_t last_frontiers_ms; /* its last frontier_req we answered */
    /* a bootstrap request (net.sock `frontiers` or `pull`) this peer is
     * answering (a slot of net_service.boot) */
    struct net_boot_req *boot;
    bool boot_frontiers; /* a frontier_req is out (else a bulk_pull, see pulling) */
    uint64_t boot_deadline_ms;
    /* confirm_req budgets both ways and the answers awaited (set up once
     * the channel is ready) */
    net_vreq vreq;
    /* inbound floods, per message type (service_flood.h) */
    /* signature checks of its confirm_acks (NET_VERIFY_RATE a second) */
    net_limiter verify;
    net_flood_gate gate_publish, gate_ack, gate_frontier, gate_pull, gate_tele, gate_keepalive;
    /* in a reserved representative slot: the proof asked for */
    net_probe probe;
} net_peer_info;

typedef struct {
    uint8_t hash[32];
    uint8_t node_id[32];
} net_source;

/* A bootstrap request waiting for a peer's answer. The slot outlives its
 * connection (c = NULL once it went down) so neither side dangles. */
typedef struct net_boot_req {
    bool used;
    ipc_conn *c;
    uint64_t id;
} net_boot_req;

struct net_service {
    ipc_child *child;
    struct event_base *base;
    const smn_network *net;
    char data_dir[256];
    smn_keypair key;
    net_channels *chans;
    net_peers *peers;
    /* loopback addresses that misbehaved (never banned): their channels
     * start without a burst for ban_s (only its ban list is used) */
    net_peers *offenders;
    /* addresses whose peer failed a reserved slot's proof: no reserved
     * slot for NET_PROBE_LOCKOUT_S (loopback exempt, as from bans; only
     * its ban list is used) */
    net_peers *probe_failed;
    struct event *tick;
    uint64_t started_ms;
    uint64_t round; /* keepalive rounds: salts the peer selection */
    uint64_t last_keepalive_ms;
    uint32_t keepalive_ms, idle_ms;
    uint32_t ban_s;    /* [net] ban_s: a misbehaving address is refused this long */
    bool ban_loopback; /* [net] ban_loopback (testing): loopback is banned too */

    /* listening */
    int listen_fd;     /* -1 while not listening */
    bool inherited_fd; /* from the supervisor (SMN_PEER_FD) */
    char listen_addr[64];
    uint16_t port; /* our peering port (announced in keepalives) */
    uint64_t next_listen_try_ms;
    bool listen_warned;
    net_endpoint self[NET_MAX_SELF];
    size_t nself;

    /* peers to dial */
    net_dial dials[NET_DIAL_TABLE];
    net_named_peer *named;
    size_t nnamed;
    struct evdns_base *dns;

    /* blocks */
    ledger_client *ledger; /* bounds process requests in flight: NET_MAX_PROCESS */
    net_seen *seen_blocks;
    net_source sources[NET_SOURCES];
    size_t sources_next;

    /* votes */
    net_seen *seen_votes;
    net_reps reps;                             /* principal representatives (elections' `reps`) */
    net_limiter unlisted_verify;               /* NET_UNLISTED_VERIFY_RATE, all peers together */
    uint64_t votes_unlisted, votes_unverified; /* dropped: not a principal / verify budget */
    ipc_conn *vote_subs[NET_MAX_VOTE_SUBS];
    size_t nvote_subs;

    /* gap pulls: missing hashes recently asked for */
    struct {
        uint8_t hash[32];
        uint64_t at_ms;
    } pull_recent[NET_PULL_RECENT];
    size_t pull_recent_next;

    /* bootstrap requests in flight (one per peer at most) */
    net_boot_req boot[NET_MAX_BOOT];

    /* telemetry, bulk_pull serving */
    ledger_ro_handle ro; /* net_ledger_ro() */
    uint64_t accounts;
    uint64_t accounts_at_ms;
    bool has_accounts;

    /* counters (peers_r, the status detail) */
    uint64_t blocks_in, blocks_out, votes_in, votes_out, dropped;
    /* vote requests: confirm_req sent / not sent (budget, no such peer),
     * received and forwarded / throttled; send_vote answers sent / dropped
     * (peer gone); seen confirm_acks re-delivered as answers */
    uint64_t vote_reqs_out, vote_reqs_dropped, vote_reqs_in, vote_reqs_throttled;
    uint64_t vote_answers_out, vote_answers_dropped, votes_redelivered;
    uint64_t throttled; /* peer messages dropped by a flood gate */
    /* reserved representative slots: probes sent, peers proven, peers
     * closed for want of a proof in time */
    uint8_t genesis_hash[32];
    uint64_t rep_probes_out, reps_proven, reps_unproven;
};

uint64_t net_now_ms(void);
uint64_t net_now_s(void);

/* The read-only ledger (telemetry counts, bulk_pull and frontier_req
 * answers): opened on first use, NULL while ledger.db cannot be read yet
 * (retried every NET_LEDGER_RO_RETRY_MS); a failed read reports
 * net_ledger_ro_failed() and the next use reopens it. */
#define NET_LEDGER_RO_RETRY_MS 2000u
static inline ledger_ro *net_ledger_ro(net_service *s)
{
    return ledger_ro_handle_get(&s->ro, net_now_ms());
}
static inline void net_ledger_ro_failed(net_service *s, ledger_status st)
{
    if (st != LEDGER_STATUS_OK && st != LEDGER_STATUS_NOT_FOUND)
        ledger_ro_handle_failed(&s->ro, st);
}

/* service.c */
/* A peer broke the protocol in a way no honest node does: close the
 * channel and ban its address (loopback excepted: a one-host devnet shares
 * one address). */
void net_service_misbehaved(net_service *s, net_channel *ch, const char *why);
bool net_service_is_self(const net_service *s, const net_endpoint *ep);
void net_service_add_self(net_service *s, const net_endpoint *ep);
net_channel *net_service_channel_by_id(net_service *s, const uint8_t node_id[32]);
/* ch's proof of a representative came too late: its address gets no
 * reserved slot for NET_PROBE_LOCKOUT_S (loopback exempt, as from bans). */
void net_service_probe_failed(net_service *s, const net_channel *ch);

/* service_dial.c */
int net_dial_init(net_service *s, char *err, size_t cap);
void net_dial_free(net_service *s);
void net_dial_tick(net_service *s, uint64_t now);
void net_dial_closed(net_service *s, net_channel *ch, net_peer_info *info, net_close_reason why);
void net_dial_ready(net_service *s, net_channel *ch, net_peer_info *info);
void net_keepalive_send(net_service *s, net_channel *ch);
void net_keepalive_received(net_service *s, net_channel *ch, const net_keepalive *k);
bool net_dial_connected(net_service *s, const net_endpoint *ep);
/* Dial ep now as a learned peer (rpc's keepalive): 0, or -ENOSPC when the
 * dial table has no room. An endpoint already in the table is dialled
 * again at once unless a channel reaches it. */
int net_dial_now(net_service *s, const net_endpoint *ep);

/* service_rpc.c: what rpc asks of net for its actions */
/* connect {address, port}: rpc's keepalive. */
void net_rpc_connect(net_service *s, ipc_conn *c, const ipc_msg *m);
/* publish {blocks}: rpc's republish and wallet_republish. */
void net_rpc_publish(net_service *s, ipc_conn *c, const ipc_msg *m);
/* pull_chain {hash}: rpc's bootstrap_lazy (net_pull_gap from any peer). */
void net_rpc_pull_chain(net_service *s, ipc_conn *c, const ipc_msg *m);
/* peer_telemetry {}: every ready peer's last telemetry (net_peer_info.tele). */
void net_rpc_telemetry(net_service *s, ipc_conn *c, const ipc_msg *m);

/* service_blocks.c */
int net_blocks_init(net_service *s);
void net_blocks_free(net_service *s);
/* A block from a peer (publish or a pulled one): to the ledger unless seen. */
void net_blocks_publish(net_service *s, net_channel *ch, const smn_block *b);

/* service_votes.c */
/* net.sock: broadcast_vote, request_votes, send_vote, subscribe_votes. */
void net_votes_broadcast(net_service *s, const ipc_msg *msg);
void net_votes_request(net_service *s, const ipc_msg *msg);
void net_votes_send(net_service *s, const ipc_msg *msg);
void net_votes_subscribe(net_service *s, ipc_conn *c, const ipc_msg *m);
void net_votes_confirm_ack(net_service *s, net_channel *ch, const smn_vote *v);
/* A confirm_req from a peer: rate-limited, then vote_request to the subscribers. */
void net_votes_confirm_req(net_service *s, net_channel *ch, const net_confirm_req *q);
void net_votes_conn_down(net_service *s, ipc_conn *c);
/* A channel in a reserved slot: send its probe when due, close it once the
 * proof is late (service_probe.h; true then: ch and info are gone). Called
 * when it gets ready and per tick. */
bool net_votes_probe_tick(net_service *s, net_channel *ch, net_peer_info *info, uint64_t now);

/* service_telemetry.c */
void net_telemetry_request(net_service *s, net_channel *ch, uint64_t now);
void net_telemetry_answer(net_service *s, net_channel *ch);
void net_telemetry_received(net_service *s, net_channel *ch, const net_telemetry *t);

/* service_pull.c */
/* The ledger stored a block from `from` as unchecked: ask that peer (or any)
 * for the chain below `missing`, down to our frontier of `account` (NULL:
 * unknown, e.g. a receive's source). False when no peer could be asked
 * (all busy pulling, or none); true when one was, or was just before. */
bool net_pull_gap(net_service *s, const uint8_t from[32], const uint8_t missing[32],
                  const uint8_t *account);
void net_pull_serve(net_service *s, net_channel *ch, const net_bulk_pull *req);
void net_pull_received(net_service *s, net_channel *ch, const net_bulk_pull_resp *r);
void net_pull_tick(net_service *s, net_channel *ch, net_peer_info *info, uint64_t now);
/* Drops the pull state; a bootstrap request still waiting gets an error. */
void net_pull_info_free(net_peer_info *info);

/* service_frontier.c */
void net_frontier_serve(net_service *s, net_channel *ch, const net_frontier_req *req);
void net_frontier_received(net_service *s, net_channel *ch, const net_frontier_resp *r);
/* net.sock `frontiers` and `pull` from the bootstrap process. */
void net_boot_frontiers(net_service *s, ipc_conn *c, const ipc_msg *m);
void net_boot_pull(net_service *s, ipc_conn *c, const ipc_msg *m);
/* The bulk_pull the bootstrap asked for ended: reply with blocks (newest
 * first) and forget the request. */
void net_boot_pulled(net_peer_info *info, const smn_block *blocks, size_t n, bool unavailable);
/* The answer to a multi-part pull: info->part_n / part_unavailable. */
void net_boot_pulled_parts(net_peer_info *info, const smn_block *blocks, size_t n);
/* A bootstrap request's deadline passed: answer it with an error. */
void net_boot_tick(net_peer_info *info, uint64_t now);
/* Reply an error to the waiting bootstrap request, if any, and forget it. */
void net_boot_fail(net_peer_info *info, const char *why);
/* The connection is gone: never reply on it. */
void net_boot_conn_down(net_service *s, ipc_conn *c);

#endif
