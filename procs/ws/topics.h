/* The live-only topics that other processes publish on their feeds
 * (ipc/schema_feed.h, one ws_upfeed each): started_election and
 * stopped_election (elections), telemetry (net), bootstrap (bootstrap),
 * work (rpc). Each event is checked, rendered once in Nano's shape
 * (wsmsg.h) and handed to push for every client on that topic. Confirmed
 * elections are also remembered (elcache.h) for the confirmation topic's
 * election_info. */
#ifndef WS_TOPICS_H
#define WS_TOPICS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/network.h"
#include "ipc/child.h"
#include "procs/ws/wsmsg.h"

typedef struct ws_topics ws_topics;
/* Any client on topic? (nothing is rendered otherwise) */
typedef bool (*ws_topics_wanted_fn)(void *user, ws_topic topic);
/* Send text (malloc'ed, taken) to every client on topic. */
typedef void (*ws_topics_push_fn)(void *user, ws_topic topic, char *text, size_t len);

ws_topics *ws_topics_new(ipc_child *ch, const smn_network *net, ws_topics_wanted_fn wanted,
                         ws_topics_push_fn push, void *user);
void ws_topics_free(ws_topics *t);
/* Sets c->has_election / c->election when its election is known. */
void ws_topics_election_of(const ws_topics *t, ws_confirmation *c);

#endif
