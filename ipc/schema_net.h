/* The net family, served by smallnano-net on DATA_DIR/run/net.sock.
 * Votes are bin(105..489), the wire form of procs/elections/vote.h.
 *
 * Requests:
 *   subscribe_votes {}  -> ok {}
 *       from then on that connection receives a `vote` notification for
 *       every vote a peer sent that is well-formed, correctly signed and not
 *       seen recently (the elections process subscribes).
 *   peers {}            -> peers_r {peers: [{endpoint, node_id, inbound,
 *                                   listen?, block_count?}], known, banned,
 *                                   port, node_id, blocks_in, blocks_out,
 *                                   votes_in, votes_out}
 *       the ready channels (endpoint "1.2.3.4:17075" as connected; listen,
 *       the peering endpoint the peer announced; block_count from its last
 *       signed telemetry), the size of the peer table, the bans in force,
 *       our peering port (0: not listening) and node id, and counters.
 *
 * Notifications:
 *   vote            {vote}  net -> subscribers
 *   broadcast_vote  {vote}  any process -> net: send this vote (one our
 *                           representative signed) to every peer as a
 *                           confirm_ack.
 * Plus the common family (ping/pong/ok/error). */
#ifndef IPC_SCHEMA_NET_H
#define IPC_SCHEMA_NET_H

#include "ipc/schema.h"
#include "ipc/schema_common.h"

#define IPC_NET_VOTE_MIN_BYTES 137u /* ELECTIONS_VOTE_HEADER_BYTES + 32 */
#define IPC_NET_VOTE_MAX_BYTES 489u /* ELECTIONS_VOTE_MAX_BYTES */
#define IPC_NET_MAX_PEERS 1024u     /* entries in one peers_r */

extern const ipc_family ipc_family_net;

#endif
