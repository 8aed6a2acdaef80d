/* The feed family: live events a process publishes for the ws process
 * (docs/websocket.md "Where the live-only topics come from"). Elections,
 * net and bootstrap serve their own family with these kinds added
 * (ipc_feed_serve_family: their family with this one as its base) and
 * rpc.sock serves it alone, so each publisher serves it on the socket it
 * already has (DATA_DIR/run/<name>.sock); ipc/feed.h is the publishing side.
 *
 * Request:
 *   feed_subscribe {} -> ok {}
 *       from then on that connection receives the process's feed events
 *       (each publisher sends its own kinds below). At most
 *       IPC_FEED_MAX_SUBSCRIBERS connections per process; one more gets an
 *       "error" reply. An event that does not fit in a subscriber's
 *       outgoing queue (the endpoint's bound) is dropped for it and counted
 *       (feed_dropped_total); it never waits.
 *
 * Notifications (publisher -> subscribers):
 *   election_started {hash, time}                         elections
 *   election_stopped {hash, time, reason, duration?, tally?, final_tally?,
 *                     blocks?, voters?, request_count?}    elections
 *       reason (ipc_feed_stop_reason): confirmed (this election reached
 *       quorum; the optional fields are then set: duration ms, tallies as
 *       16-byte big-endian raw, blocks = candidates, voters, vote requests
 *       sent), cemented (the ledger cemented the block as a dependency of
 *       another confirmation), expired (no quorum in time), dropped (the
 *       container was rebuilt for a new set of representatives; a later
 *       scan elects the block again).
 *   telemetry {node_id, signature, block_count, cemented_count,
 *              account_count, peer_count, protocol_version, uptime,
 *              genesis, timestamp, endpoint}              net
 *       a peer's signed telemetry_ack, verified; endpoint "addr:port" of
 *       the channel it came on.
 *   bootstrap_event {reason, attempt, mode, total_blocks?, duration?}  bootstrap
 *       reason (ipc_feed_boot_reason) started / exited: one round (a
 *       frontier scan and the pulls it caused); total_blocks pulled and
 *       duration in seconds on exited.
 *   work_event {success, reason, duration, root, difficulty, work?,
 *               result_difficulty?}                       rpc
 *       a work generation finished: reason (ipc_feed_work_reason) success,
 *       cancelled, failure; duration in ms; work and its value on success.
 * Plus the common family (ping/pong/ok/error). */
#ifndef IPC_SCHEMA_FEED_H
#define IPC_SCHEMA_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "ipc/msg.h"
#include "ipc/schema.h"

#define IPC_FEED_MAX_SUBSCRIBERS 8u
#define IPC_FEED_ENDPOINT_MAX 64u
#define IPC_FEED_ID_MAX 32u

extern const ipc_family ipc_family_feed;

typedef enum {
    IPC_FEED_K_SUBSCRIBE = 0,
    IPC_FEED_K_ELECTION_STARTED,
    IPC_FEED_K_ELECTION_STOPPED,
    IPC_FEED_K_TELEMETRY,
    IPC_FEED_K_BOOTSTRAP,
    IPC_FEED_K_WORK,
    IPC_FEED_K_COUNT,
    IPC_FEED_K_OTHER = IPC_FEED_K_COUNT
} ipc_feed_kind;

const char *ipc_feed_kind_name(ipc_feed_kind k);
/* Compares the decoded kind pointer with the table (no strings). */
ipc_feed_kind ipc_feed_kind_of(const ipc_msg *m);

/* election_stopped.reason */
typedef enum {
    IPC_FEED_STOP_CONFIRMED,
    IPC_FEED_STOP_CEMENTED,
    IPC_FEED_STOP_EXPIRED,
    IPC_FEED_STOP_DROPPED,
    IPC_FEED_STOP_COUNT
} ipc_feed_stop_reason;
const char *ipc_feed_stop_reason_name(ipc_feed_stop_reason r);
bool ipc_feed_stop_reason_parse(const char *s, size_t len, ipc_feed_stop_reason *out);

/* bootstrap_event.reason */
typedef enum {
    IPC_FEED_BOOT_STARTED,
    IPC_FEED_BOOT_EXITED,
    IPC_FEED_BOOT_COUNT
} ipc_feed_boot_reason;
const char *ipc_feed_boot_reason_name(ipc_feed_boot_reason r);
bool ipc_feed_boot_reason_parse(const char *s, size_t len, ipc_feed_boot_reason *out);

/* work_event.reason */
typedef enum {
    IPC_FEED_WORK_SUCCESS,
    IPC_FEED_WORK_CANCELLED,
    IPC_FEED_WORK_FAILURE,
    IPC_FEED_WORK_COUNT
} ipc_feed_work_reason;
const char *ipc_feed_work_reason_name(ipc_feed_work_reason r);
bool ipc_feed_work_reason_parse(const char *s, size_t len, ipc_feed_work_reason *out);

#endif
