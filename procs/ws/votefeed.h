/* The vote topic's source: a subscription on net.sock (subscribe_votes,
 * ipc/schema_net.h), which hands every valid vote a peer sent, once. The
 * node's own representatives' votes go from elections straight to net
 * (broadcast_vote) and are not on this feed. Reconnects with backoff and
 * subscribes again; votes that pass while it is down are not replayed (the
 * vote topic is live only, as in Nano). */
#ifndef WS_VOTEFEED_H
#define WS_VOTEFEED_H

#include "ipc/child.h"
#include "common/vote.h"

typedef struct ws_votefeed ws_votefeed;
typedef void (*ws_vote_fn)(void *user, const smn_vote *v);

ws_votefeed *ws_votefeed_new(ipc_child *ch, ws_vote_fn fn, void *user);
void ws_votefeed_free(ws_votefeed *f);

#endif
