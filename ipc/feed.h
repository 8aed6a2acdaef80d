/* The publishing side of the feed family (ipc/schema_feed.h): a process
 * keeps one ipc_feed, hands it every message and connection change of its
 * listening socket, and publishes events to whoever subscribed (the ws
 * process). Fixed size, no allocation: at most IPC_FEED_MAX_SUBSCRIBERS
 * subscribers. Publishing never waits: an event that does not fit in a
 * subscriber's outgoing queue (IPC_E_QUEUE_FULL) is dropped for that
 * subscriber and counted (logged at the 1st, 2nd, 4th, 8th... drop). Loop
 * thread only. */
#ifndef IPC_FEED_H
#define IPC_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/endpoint.h"
#include "ipc/schema_feed.h"

typedef struct {
    ipc_conn *subs[IPC_FEED_MAX_SUBSCRIBERS];
    size_t n;
    uint64_t published; /* events handed to at least one subscriber */
    uint64_t dropped;   /* (event, subscriber) pairs dropped for a full queue */
} ipc_feed;

/* fam (whose base is ipc_family_common) plus the feed kinds: *out becomes
 * a copy of fam with ipc_family_feed as its base, for a process to serve
 * on its listening socket (ipc_child_opts.family). The kinds are fam's own
 * table, so fam's kind enums (ipc_<fam>_kind_of) still name them. */
void ipc_feed_serve_family(ipc_family *out, const ipc_family *fam);

/* A feed_subscribe request: answered (ok, or an error when full) and true;
 * any other message: false, untouched. */
bool ipc_feed_on_message(ipc_feed *f, ipc_conn *c, const ipc_msg *m);
/* A connection of the listening socket went down: forget it. */
void ipc_feed_on_state(ipc_feed *f, ipc_conn *c, bool up);
/* Anyone subscribed (skip building an event nobody reads). */
bool ipc_feed_wanted(const ipc_feed *f);
/* Sends b (built with ipc_build_begin(b, ipc_feed_kind_name(...))) to every
 * subscriber and frees it. */
void ipc_feed_publish(ipc_feed *f, ipc_builder *b);
#endif
