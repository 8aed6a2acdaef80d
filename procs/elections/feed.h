/* The elections process's feed (ipc/feed.h, kinds in ipc/schema_feed.h):
 * election_started / election_stopped for the ws process's
 * started_election and stopped_election topics and the confirmation
 * topic's election_info. The service's started/stopped hooks land here;
 * elections.sock's messages and connection changes pass through first. */
#ifndef ELECTIONS_FEED_H
#define ELECTIONS_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc/endpoint.h"
#include "procs/elections/service.h"

/* elections_service_hooks.started / .stopped (ctx unused). ms_per_tick
 * converts the durations. */
void elections_feed_set_tick_ms(uint32_t ms_per_tick);
void elections_feed_started(void *ctx, const uint8_t hash[32]);
void elections_feed_stopped(void *ctx, const elections_stop *st);
/* true: a feed_subscribe, answered. */
bool elections_feed_message(ipc_conn *c, const ipc_msg *m);
/* ipc_child_opts.on_state. */
void elections_feed_state(ipc_conn *c, bool up, void *ud);

#endif
