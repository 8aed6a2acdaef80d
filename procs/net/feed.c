/* telemetry on net.sock; see feed.h. */
#include "procs/net/feed.h"

#include "ipc/feed.h"
#include "ipc/schema_feed.h"

static ipc_feed feed;

void net_feed_put_telemetry(ipc_builder *b, const net_telemetry *t)
{
    ipc_put_bin(b, "node_id", t->node_id, sizeof t->node_id);
    ipc_put_bin(b, "signature", t->signature, sizeof t->signature);
    ipc_put_uint(b, "block_count", t->block_count);
    ipc_put_uint(b, "cemented_count", t->cemented_count);
    ipc_put_uint(b, "account_count", t->account_count);
    ipc_put_uint(b, "peer_count", t->peer_count);
    ipc_put_uint(b, "protocol_version", t->protocol_version);
    ipc_put_uint(b, "uptime", t->uptime);
    ipc_put_bin(b, "genesis", t->genesis, 32);
    ipc_put_uint(b, "timestamp", t->timestamp);
}

void net_feed_telemetry(const net_telemetry *t, const char *endpoint)
{
    if (!ipc_feed_wanted(&feed))
        return;
    ipc_builder b;
    ipc_build_begin(&b, ipc_feed_kind_name(IPC_FEED_K_TELEMETRY));
    net_feed_put_telemetry(&b, t);
    ipc_put_str(&b, "endpoint", endpoint);
    ipc_feed_publish(&feed, &b);
}

bool net_feed_message(ipc_conn *c, const ipc_msg *m)
{
    return ipc_feed_on_message(&feed, c, m);
}

void net_feed_state(ipc_conn *c, bool up)
{
    ipc_feed_on_state(&feed, c, up);
}
