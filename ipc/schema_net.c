#include "ipc/schema_net.h"

#include "ipc/msg.h"

#include "ipc/schema_common.h"

#define VOTE(n) IPC_BIN(n, true, IPC_NET_VOTE_MIN_BYTES, IPC_NET_VOTE_MAX_BYTES)

static const ipc_field vote_fields[] = {
    VOTE("vote"),
};
static const ipc_field peer_fields[] = {
    IPC_STR("endpoint", true, 1, 64),
    IPC_BIN("node_id", true, 32, 32),
    IPC_BOOL("inbound", true),
    IPC_STR("listen", false, 1, 64),
    IPC_UINT("block_count", false),
    IPC_BOOL("reserved", false), /* in a reserved representative slot */
};
static const ipc_field peer_elem = IPC_MAP(NULL, true, peer_fields);
static const ipc_field peers_r_fields[] = {
    IPC_ARRAY("peers", true, 0, IPC_NET_MAX_PEERS, &peer_elem),
    IPC_UINT("known", true),
    IPC_UINT("banned", true),
    IPC_UINT_RANGE("port", true, 0, 65535),
    IPC_BIN("node_id", true, 32, 32),
    IPC_UINT("blocks_in", true),
    IPC_UINT("blocks_out", true),
    IPC_UINT("votes_in", true),
    IPC_UINT("votes_out", true),
    /* vote requests (optional: older nets omit them; docs/protocol.md "confirm_req") */
    IPC_UINT("vote_reqs_out", false),
    IPC_UINT("vote_reqs_dropped", false),
    IPC_UINT("vote_reqs_in", false),
    IPC_UINT("vote_reqs_throttled", false),
    IPC_UINT("vote_answers_out", false),
    IPC_UINT("vote_answers_dropped", false),
    IPC_UINT("votes_redelivered", false),
    /* peering limits (docs/architecture.md "Peering") */
    IPC_UINT("pending", false),
    IPC_UINT("evicted", false),
    IPC_UINT("throttled", false),
    /* the vote filter (docs/protocol.md "confirm_ack") */
    IPC_UINT("reps", false),
    IPC_UINT("votes_unlisted", false),
    IPC_UINT("votes_unverified", false),
    /* reserved representative slots (docs/protocol.md "Reserved representative slots") */
    IPC_UINT("reserved", false),
    IPC_UINT("reps_proven", false),
    IPC_UINT("reps_unproven", false),
};
static const ipc_field frontiers_fields[] = {
    IPC_BIN("start", false, 32, 32), IPC_UINT_RANGE("count", true, 1, IPC_NET_MAX_FRONTIERS),
    IPC_BIN("peer", false, 32, 32),  IPC_UINT_RANGE("age", false, 0, UINT32_MAX),
    IPC_BOOL("confirmed", false),
};
static const ipc_field frontier_fields[] = {
    IPC_BIN("account", true, 32, 32),
    IPC_BIN("hash", true, 32, 32),
};
static const ipc_field frontier_elem = IPC_MAP(NULL, true, frontier_fields);
static const ipc_field frontiers_r_fields[] = {
    IPC_ARRAY("entries", true, 0, IPC_NET_MAX_FRONTIERS, &frontier_elem),
    IPC_BIN("peer", true, 32, 32),
};
static const ipc_field also_fields[] = {
    IPC_BIN("start", true, 32, 32),
    IPC_BIN("end", false, 32, 32),
};
static const ipc_field also_elem = IPC_MAP(NULL, true, also_fields);
static const ipc_field part_fields[] = {
    IPC_UINT_RANGE("n", true, 0, IPC_NET_MAX_PULL_ASC),
    IPC_BOOL("unavailable", false),
};
static const ipc_field part_elem = IPC_MAP(NULL, true, part_fields);
static const ipc_field pull_fields[] = {
    IPC_BIN("start", true, 32, 32),
    IPC_BIN("end", false, 32, 32),
    IPC_BIN("peer", false, 32, 32),
    IPC_BOOL("ascending", false),
    IPC_UINT_RANGE("count", false, 1, IPC_NET_MAX_PULL_ASC),
    IPC_ARRAY("also", false, 1, IPC_NET_PULL_PARTS - 1, &also_elem),
};
static const ipc_field pull_block_elem = IPC_BIN(NULL, true, 216, 216);
static const ipc_field pull_r_fields[] = {
    IPC_ARRAY("blocks", true, 0, IPC_NET_MAX_PULL_ASC, &pull_block_elem),
    IPC_BOOL("unavailable", false),
    IPC_ARRAY("parts", false, 1, IPC_NET_PULL_PARTS, &part_elem),
};
static const ipc_field pair_fields[] = {
    IPC_BIN("hash", true, 32, 32),
    IPC_BIN("root", true, 32, 32),
};
static const ipc_field pair_elem = IPC_MAP(NULL, true, pair_fields);
static const ipc_field request_votes_fields[] = {
    IPC_ARRAY("pairs", true, 1, IPC_NET_MAX_VOTE_REQ, &pair_elem),
    IPC_BIN("peer", false, 32, 32),
};
static const ipc_field vote_request_fields[] = {
    IPC_ARRAY("pairs", true, 1, IPC_NET_MAX_VOTE_REQ, &pair_elem),
    IPC_BIN("peer", true, 32, 32),
};
static const ipc_field send_vote_fields[] = {
    VOTE("vote"),
    IPC_BIN("peer", true, 32, 32),
};
static const ipc_field rep_fields[] = {
    IPC_BIN("account", true, 32, 32),
};
static const ipc_field rep_elem = IPC_MAP(NULL, true, rep_fields);
static const ipc_field reps_fields[] = {
    IPC_ARRAY("reps", true, 0, IPC_NET_MAX_REPS, &rep_elem),
};
static const ipc_field connect_fields[] = {
    IPC_STR("address", true, 1, 64),
    IPC_UINT_RANGE("port", true, 1, 65535),
};
static const ipc_field publish_block_elem = IPC_BIN(NULL, true, 216, 216);
static const ipc_field publish_fields[] = {
    IPC_ARRAY("blocks", true, 1, IPC_NET_MAX_PUBLISH, &publish_block_elem),
};
static const ipc_field publish_r_fields[] = {
    IPC_UINT("sent", true),
};
static const ipc_field tele_fields[] = {
    IPC_STR("endpoint", true, 1, 64),
    IPC_BIN("node_id", true, 32, 32),
    IPC_UINT("block_count", true),
    IPC_UINT("cemented_count", true),
    IPC_UINT("account_count", true),
    IPC_UINT("peer_count", true),
    IPC_UINT_RANGE("protocol_version", true, 0, 255),
    IPC_UINT("uptime", true),
    IPC_BIN("genesis", true, 32, 32),
    IPC_UINT("timestamp", true),
    IPC_BIN("signature", true, 64, 64),
};
static const ipc_field tele_elem = IPC_MAP(NULL, true, tele_fields);
static const ipc_field telemetry_r_fields[] = {
    IPC_ARRAY("peers", true, 0, IPC_NET_MAX_PEERS, &tele_elem),
};
static const ipc_field pull_chain_fields[] = {
    IPC_BIN("hash", true, 32, 32),
};
static const ipc_field pull_chain_r_fields[] = {
    IPC_BOOL("started", true),
};
static const ipc_kind kinds[] = {
    [IPC_NET_K_REQUEST_VOTES] = IPC_KIND("request_votes", request_votes_fields),
    [IPC_NET_K_VOTE_REQUEST] = IPC_KIND("vote_request", vote_request_fields),
    [IPC_NET_K_SEND_VOTE] = IPC_KIND("send_vote", send_vote_fields),
    [IPC_NET_K_SUBSCRIBE_VOTES] = IPC_KIND_EMPTY("subscribe_votes"),
    [IPC_NET_K_VOTE] = IPC_KIND("vote", vote_fields),
    [IPC_NET_K_BROADCAST_VOTE] = IPC_KIND("broadcast_vote", vote_fields),
    [IPC_NET_K_PEERS] = IPC_KIND_EMPTY("peers"),
    [IPC_NET_K_PEERS_R] = IPC_KIND("peers_r", peers_r_fields),
    [IPC_NET_K_FRONTIERS] = IPC_KIND("frontiers", frontiers_fields),
    [IPC_NET_K_FRONTIERS_R] = IPC_KIND("frontiers_r", frontiers_r_fields),
    [IPC_NET_K_PULL] = IPC_KIND("pull", pull_fields),
    [IPC_NET_K_PULL_R] = IPC_KIND("pull_r", pull_r_fields),
    [IPC_NET_K_REPS] = IPC_KIND("reps", reps_fields),
    [IPC_NET_K_CONNECT] = IPC_KIND("connect", connect_fields),
    [IPC_NET_K_PUBLISH] = IPC_KIND("publish", publish_fields),
    [IPC_NET_K_PUBLISH_R] = IPC_KIND("publish_r", publish_r_fields),
    [IPC_NET_K_PEER_TELEMETRY] = IPC_KIND_EMPTY("peer_telemetry"),
    [IPC_NET_K_PEER_TELEMETRY_R] = IPC_KIND("peer_telemetry_r", telemetry_r_fields),
    [IPC_NET_K_PULL_CHAIN] = IPC_KIND("pull_chain", pull_chain_fields),
    [IPC_NET_K_PULL_CHAIN_R] = IPC_KIND("pull_chain_r", pull_chain_r_fields),
};
_Static_assert(sizeof kinds / sizeof kinds[0] == IPC_NET_K_COUNT, "one table row per ipc_net_kind");

const ipc_family ipc_family_net = IPC_FAMILY("net", kinds, &ipc_family_common);

const char *ipc_net_kind_name(ipc_net_kind k)
{
    return (unsigned)k < IPC_NET_K_COUNT ? kinds[k].name : "unknown";
}

ipc_net_kind ipc_net_kind_of(const ipc_msg *m)
{
    return (ipc_net_kind)ipc_kind_index(&ipc_family_net, m);
}
