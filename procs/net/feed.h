/* The net process's feed (ipc/feed.h, kinds in ipc/schema_feed.h): every
 * peer's verified telemetry_ack, for the ws process's telemetry topic.
 * net.sock's messages and connection changes pass through here first. */
#ifndef NET_FEED_H
#define NET_FEED_H

#include <stdbool.h>

#include "ipc/builder.h"
#include "ipc/endpoint.h"
#include "procs/net/message.h"

/* A peer's telemetry, already verified; endpoint: the channel's "addr:port". */
void net_feed_telemetry(const net_telemetry *t, const char *endpoint);
/* The telemetry's fields (node_id ... timestamp, as the feed's telemetry
 * and net.sock's telemetry_r name them) into the map being built. */
void net_feed_put_telemetry(ipc_builder *b, const net_telemetry *t);
/* true: a feed_subscribe, answered. */
bool net_feed_message(ipc_conn *c, const ipc_msg *m);
void net_feed_state(ipc_conn *c, bool up);

#endif
