/* The net family, served by smallnano-net on DATA_DIR/run/net.sock.
 * Votes are bin(105..489), the wire form of common/vote.h.
 *
 * Requests:
 *   subscribe_votes {}  -> ok {}
 *       from then on that connection receives a `vote` notification for
 *       every vote a peer sent that is well-formed, correctly signed and not
 *       seen recently (the elections process subscribes).
 *   peers {}            -> peers_r {peers: [{endpoint, node_id, inbound,
 *                                   listen?, block_count?}], known, banned,
 *                                   port, node_id, blocks_in, blocks_out,
 *                                   votes_in, votes_out, vote_reqs_out?,
 *                                   vote_reqs_dropped?, vote_reqs_in?,
 *                                   vote_reqs_throttled?, vote_answers_out?,
 *                                   vote_answers_dropped?, votes_redelivered?,
 *                                   pending?, evicted?, throttled?,
 *                                   reps?, votes_unlisted?, votes_unverified?}
 *       the ready channels (endpoint "1.2.3.4:17075" as connected; listen,
 *       the peering endpoint the peer announced; block_count from its last
 *       signed telemetry), the size of the peer table, the bans in force,
 *       our peering port (0: not listening) and node id, and counters
 *       (the vote_* ones: confirm_req sent / not sent for budget or absent
 *       peer, received and forwarded / throttled, send_vote answers sent /
 *       dropped, seen confirm_acks re-delivered as answers), inbound
 *       connections still handshaking, those closed for newer ones, and
 *       peer messages dropped by a per-type flood gate.
 *
 *   frontiers {start?, count, peer?, age?, confirmed?} -> frontiers_r
 *                                   {entries: [{account, hash}], peer}
 *       asks one ready peer (node id `peer`, else any not busy) for the
 *       frontiers of up to count (1..IPC_NET_MAX_FRONTIERS) accounts from
 *       `start` (absent: the first) in ascending order (a frontier_req;
 *       `age`: only accounts whose head block the peer stored in the last
 *       age seconds, absent: any; `confirmed`: confirmed frontiers only);
 *       `peer` in the reply is the node id that answered. An "error" reply
 *       when no peer is free or it did not answer in time.
 *   pull {start, end?, peer?, ascending?, count?, also?} -> pull_r {blocks: [bin216],
 *                                   unavailable?, parts?}
 *       one bulk_pull to that peer: the chain from `start` (an account: its
 *       frontier; or a block hash) down to `end` (excluded from nothing: the
 *       peer stops after it) or the open block, at most IPC_NET_MAX_PULL
 *       blocks, NEWEST FIRST, unchecked (the ledger judges them). With
 *       `ascending`: `start` an account, the blocks ABOVE `end` (absent:
 *       from the open block) OLDEST FIRST, at most count (default and
 *       bound IPC_NET_MAX_PULL_ASC); `unavailable` (true) when the peer
 *       said it cannot serve that (pruned, `end` unknown to it, or its
 *       budget for us is spent). `also` (ascending only, up to
 *       IPC_NET_PULL_PARTS - 1 more {start, end?}) sends one bulk_pull per
 *       account back to back, count blocks each at most and
 *       IPC_NET_MAX_PULL_ASC in all; the reply then has `parts`, one
 *       {n, unavailable?} per account in order, n its blocks in `blocks`.
 *       The bootstrap process uses both.
 *
 *   connect {address, port} -> ok {}
 *       rpc's keepalive: dial that peering endpoint now (a numeric IPv4 or
 *       IPv6 address), as a learned peer (kept while it answers, forgotten
 *       after repeated failures); an "error" reply for an address that is
 *       not worth dialling or a full dial table.
 *   publish {blocks: [bin216]} -> publish_r {sent}
 *       rpc's republish / wallet_republish: each block (1..
 *       IPC_NET_MAX_PUBLISH, in order) to every ready peer as a publish;
 *       sent counts the messages that left (the outbound gossip budget may
 *       drop some, counted as dropped).
 *   peer_telemetry {} -> peer_telemetry_r {peers: [{endpoint, node_id, block_count,
 *                  cemented_count, account_count, peer_count,
 *                  protocol_version, uptime, genesis, timestamp, signature}]}
 *       rpc's telemetry with raw or address/port: each ready peer's last
 *       signed telemetry (verified when it came; peers that sent none yet
 *       are left out), endpoint its announced peering endpoint (else the
 *       connection's). (Not "telemetry": the feed family's kind of that
 *       name travels on net.sock too.)
 *   pull_chain {hash} -> pull_chain_r {started}
 *       rpc's bootstrap_lazy: a bulk_pull of the chain ending at hash from
 *       any ready peer not busy pulling, its blocks to the ledger as a
 *       gap's are; started false when no peer could be asked.
 *
 * Notifications:
 *   vote            {vote}  net -> subscribers
 *   broadcast_vote  {vote}  any process -> net: send this vote (one our
 *                           representative signed) to every peer as a
 *                           confirm_ack.
 *   request_votes   {pairs: [{hash, root}], peer?}  elections -> net: ask
 *                           peers for votes on these blocks (one confirm_req
 *                           of 1..IPC_NET_MAX_VOTE_REQ pairs) — the peer with
 *                           node id `peer`, else every ready peer whose
 *                           confirm_req budget allows it. Votes that answer
 *                           it reach the subscribers even when net has seen
 *                           them before (see docs/protocol.md "confirm_req").
 *   vote_request    {pairs: [{hash, root}], peer}  net -> subscribers: the
 *                           peer with node id `peer` sent a confirm_req
 *                           (within its rate limit).
 *   send_vote       {vote, peer}  elections -> net: answer a vote_request:
 *                           this vote as a confirm_ack to that peer only
 *                           (dropped if it is no longer connected).
 *   reps            {reps: [{account}]}  elections -> net: the principal
 *                           representatives (weight >= 0.1 % of the online
 *                           weight, heaviest first, at most IPC_NET_MAX_REPS),
 *                           sent on every subscription and when they change.
 *                           Once non-empty, net drops a peer's vote from any
 *                           other account before verifying it and relays
 *                           only these representatives' votes.
 * Plus the feed family (feed_subscribe and the events, ipc/schema_feed.h)
 * and the common family (ping/pong/ok/error). */
#ifndef IPC_SCHEMA_NET_H
#define IPC_SCHEMA_NET_H

#include "ipc/msg.h"
#include "ipc/schema.h"
#include "ipc/schema_common.h"

#define IPC_NET_VOTE_MIN_BYTES 137u /* SMN_VOTE_HEADER_BYTES + 32 */
#define IPC_NET_VOTE_MAX_BYTES 489u /* SMN_VOTE_MAX_BYTES */
#define IPC_NET_MAX_PEERS 1024u     /* entries in one peers_r */
#define IPC_NET_MAX_FRONTIERS 128u  /* entries in one frontiers_r (NET_FRONTIER_MAX_ENTRIES) */
#define IPC_NET_MAX_PULL 128u       /* blocks in one descending pull_r (NET_PULL_BLOCKS) */
#define IPC_NET_MAX_PULL_ASC 512u   /* blocks in one ascending pull_r (NET_SERVE_ASC_BLOCKS) */
#define IPC_NET_PULL_PARTS 32u      /* accounts in one ascending pull (start + also) */
#define IPC_NET_MAX_REPS 256u       /* accounts in one reps (ELECTIONS_PRINCIPALS_MAX) */
#define IPC_NET_MAX_PUBLISH 2048u   /* blocks in one publish (about 450 KiB) */
#define IPC_NET_MAX_VOTE_REQ                                                                       \
    12u /* pairs in one request_votes / vote_request (NET_CONFIRM_REQ_MAX_PAIRS) */

extern const ipc_family ipc_family_net;

/* The family's kinds, in the order of its table (ipc_family_net.kinds[k]
 * is kind k). IPC_NET_K_OTHER: a common-family kind (ping, ok, error). */
typedef enum {
    IPC_NET_K_REQUEST_VOTES = 0,
    IPC_NET_K_VOTE_REQUEST,
    IPC_NET_K_SEND_VOTE,
    IPC_NET_K_SUBSCRIBE_VOTES,
    IPC_NET_K_VOTE,
    IPC_NET_K_BROADCAST_VOTE,
    IPC_NET_K_PEERS,
    IPC_NET_K_PEERS_R,
    IPC_NET_K_FRONTIERS,
    IPC_NET_K_FRONTIERS_R,
    IPC_NET_K_PULL,
    IPC_NET_K_PULL_R,
    IPC_NET_K_REPS,
    IPC_NET_K_CONNECT,
    IPC_NET_K_PUBLISH,
    IPC_NET_K_PUBLISH_R,
    IPC_NET_K_PEER_TELEMETRY,
    IPC_NET_K_PEER_TELEMETRY_R,
    IPC_NET_K_PULL_CHAIN,
    IPC_NET_K_PULL_CHAIN_R,
    IPC_NET_K_COUNT,
    IPC_NET_K_OTHER = IPC_NET_K_COUNT
} ipc_net_kind;

/* The kind's name ("unknown" out of range). */
const char *ipc_net_kind_name(ipc_net_kind k);
/* The kind of a message decoded against ipc_family_net (or an endpoint of
 * that family): compares the kind pointer with the table, no strings. */
ipc_net_kind ipc_net_kind_of(const ipc_msg *m);

#endif
