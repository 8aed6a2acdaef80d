/* A subscription on another process's feed (ipc/schema_feed.h): connects
 * to DATA_DIR/run/<peer>.sock, sends feed_subscribe, and hands every feed
 * event to fn. Reconnects with backoff (1 s at most) and subscribes again,
 * so a restart of the publisher costs only the events published while it
 * was down (these topics are live only, as in Nano). */
#ifndef WS_UPFEED_H
#define WS_UPFEED_H

#include "ipc/child.h"
#include "ipc/msg.h"

typedef struct ws_upfeed ws_upfeed;
/* m is a feed notification (ipc_feed_kind_of(m) names it), valid during
 * the call. */
typedef void (*ws_upfeed_fn)(void *user, const ipc_msg *m);

ws_upfeed *ws_upfeed_new(ipc_child *ch, const char *peer, ws_upfeed_fn fn, void *user);
void ws_upfeed_free(ws_upfeed *f);

#endif
