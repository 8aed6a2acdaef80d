/* The net process: a peer-to-peer node on top of the peer protocol library
 * (channel.h, message.h, peers.h).
 *
 * - Listens on the peering port: the TCP socket the supervisor bound and
 *   handed down as fd 5 (SMN_PEER_FD), or, without one, a socket it binds
 *   itself on [net] address/port (retrying while the port is taken).
 * - Dials the [net] peers with exponential backoff for as long as it runs,
 *   and peers it learns from keepalives while it has fewer than 8 channels.
 * - Keepalive every 2 s on dev (15 s elsewhere): the first entry is
 *   [::]:our-port ("me, at the address you see me on"), then peers we know.
 *   A channel silent for four intervals is closed.
 * - Blocks: subscribes to the ledger (ledger family); every block_accepted
 *   is published to every peer (the one it came from excepted); every
 *   publish from a peer not seen recently goes to the ledger as `process`
 *   with origin "net". So each block crosses each node once (flooding,
 *   bounded by the seen set and the gossip limiter).
 * - Votes: serves the net family (ipc/schema_net.h) on net.sock; a valid
 *   confirm_ack not seen recently goes to every `subscribe_votes` connection
 *   and on to the other peers; `broadcast_vote` sends ours.
 * - Vote requests: `request_votes` becomes confirm_req to peers, a peer's
 *   confirm_req becomes `vote_request` to the subscribers, `send_vote`
 *   answers one peer (per-peer budgets: service_votereq.h).
 * - Telemetry: answers telemetry_req (block counts read from ledger.db
 *   read-only), asks each peer every minute.
 * - Bans: a peer that breaks the protocol (bad magic, malformed frame, bad
 *   handshake, bad vote or block signature, work below every threshold, a
 *   telemetry claim it cannot sign) is disconnected and its address refused
 *   for 15 minutes (loopback is only disconnected).
 *
 * Its identity is DATA_DIR/node.key (service_nodekey.h). Everything runs on
 * the child's event loop. */
#ifndef NET_SERVICE_H
#define NET_SERVICE_H

#include <stdbool.h>

#include "ipc/child.h"
#include "ipc/endpoint.h"
#include "ipc/msg.h"

typedef struct net_service net_service;

/* Reads the configuration of ch, loads (or creates) the node key, starts
 * listening and dialling, connects to the ledger. 0, or -1 after logging why
 * (the process then exits and the supervisor restarts it). */
int net_service_start(ipc_child *ch, net_service **out);
/* Closes every channel and connection. NULL is fine. */
void net_service_stop(net_service *s);

/* A request or notification on net.sock (the net family). */
void net_service_on_message(net_service *s, ipc_conn *c, const ipc_msg *m);
/* A connection to net.sock came or went. */
void net_service_on_state(net_service *s, ipc_conn *c, bool up);

/* The child runtime's hooks (ipc_child_opts), ud = a net_service * slot:
 * init/fini start and stop the service in it (service.c); message/state
 * pass to the two functions above, and answer requests with an error
 * while it is not started (service_ipc.c). */
int net_service_child_init(ipc_child *ch, void *ud);
void net_service_child_fini(ipc_child *ch, void *ud);
void net_service_child_message(ipc_conn *c, const ipc_msg *m, void *ud);
void net_service_child_state(ipc_conn *c, bool up, void *ud);

#endif
