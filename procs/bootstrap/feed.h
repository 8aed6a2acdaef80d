/* The bootstrap process's feed (ipc/feed.h, kinds in ipc/schema_feed.h):
 * bootstrap_event started / exited for the ws process's bootstrap topic.
 * An attempt starts when the service gets busy (a frontier scan, pulls
 * queued or in flight, blocks at the ledger) and exits once it has been
 * idle for BOOTSTRAP_FEED_IDLE_MS. bootstrap.sock's messages and connection
 * changes pass through here first. */
#ifndef BOOTSTRAP_FEED_H
#define BOOTSTRAP_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc/endpoint.h"

#define BOOTSTRAP_FEED_IDLE_MS 500u

/* Every tick: busy now?, blocks pulled from peers so far, and the
 * monotonic time in ms. */
void bootstrap_feed_tick(bool busy, uint64_t pulled, uint64_t now_ms);
/* true: a feed_subscribe, answered. */
bool bootstrap_feed_message(ipc_conn *c, const ipc_msg *m);
/* ipc_child_opts.on_state. */
void bootstrap_feed_state(ipc_conn *c, bool up, void *ud);

#endif
