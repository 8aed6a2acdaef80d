/* The vmevents family, served by smallnano-vm on DATA_DIR/run/vm-events.sock
 * to external indexers (docs/vm.md "Event socket"). Hashes, accounts and
 * program ids are bin(32).
 *
 * Request (once per connection):
 *   subscribe {from?, program?, session?, type?, account?, buffer?}
 *             -> subscribed {head}
 *             from: resume cursor, events with a cursor above it (default 0:
 *             everything); program/session/type/account: filters, all
 *             optional, an event must match every one given; type matches
 *             an event type exactly ("token.mint") or its family ("token")
 *             (the brief's "kind" filter: "kind" itself names the message);
 *             buffer: this client's outgoing bound in bytes
 *             (IPC_VMEV_BUFFER_MIN..IPC_VMEV_BUFFER_MAX, default
 *             IPC_VMEV_BUFFER_DEFAULT); head: the newest cursor now.
 *
 * Notifications (no id) to a subscriber, in cursor order:
 *   event      {cursor, block_hash, height, account, index, program, session,
 *               type, topic, data}
 *   caught_up  {cursor}           the backlog is sent; live events follow
 *   disconnect {reason, cursor}   the last message before the server closes;
 *               reason "slow_consumer" (buffer full), "shutdown", "protocol",
 *               "too_many_clients", "subscribe_timeout", "timeout", "server_error";
 *               cursor: the last event sent, where to resume.
 * Plus the common family (ping/pong/ok/error). */
#ifndef IPC_SCHEMA_VMEVENTS_H
#define IPC_SCHEMA_VMEVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "ipc/schema.h"
#include "ipc/schema_common.h"

#define IPC_VMEV_ID_BYTES 32u
#define IPC_VMEV_KIND_MAX 32u    /* event type names: "vsmn.burn_message" ... */
#define IPC_VMEV_DATA_MAX 65536u /* event data; the VM writes at most a few KiB */
#define IPC_VMEV_REASON_MAX 32u
#define IPC_VMEV_BUFFER_MIN 1024u
#define IPC_VMEV_BUFFER_MAX (16u << 20)
#define IPC_VMEV_BUFFER_DEFAULT (1u << 20)

extern const ipc_family ipc_family_vmevents;

/* The family's kinds, in the order of its table (ipc_vmev_kind_of compares
 * the decoded kind pointer). IPC_VMEV_K_OTHER: a common-family kind. */
typedef enum {
    IPC_VMEV_K_SUBSCRIBE = 0,
    IPC_VMEV_K_SUBSCRIBED,
    IPC_VMEV_K_EVENT,
    IPC_VMEV_K_CAUGHT_UP,
    IPC_VMEV_K_DISCONNECT,
    IPC_VMEV_K_COUNT,
    IPC_VMEV_K_OTHER = IPC_VMEV_K_COUNT
} ipc_vmev_kind;

/* disconnect.reason, with its one name table. */
typedef enum {
    IPC_VMEV_SLOW_CONSUMER = 0, /* "slow_consumer": its buffer is full */
    IPC_VMEV_SHUTDOWN,          /* "shutdown": the vm process stops */
    IPC_VMEV_PROTOCOL,          /* "protocol": an undecodable or second subscribe */
    IPC_VMEV_TOO_MANY_CLIENTS,  /* "too_many_clients" */
    IPC_VMEV_SUBSCRIBE_TIMEOUT, /* "subscribe_timeout": no subscribe in time */
    IPC_VMEV_TIMEOUT,           /* "timeout": a frame left unfinished */
    IPC_VMEV_SERVER_ERROR,      /* "server_error" */
    IPC_VMEV_REASON_COUNT
} ipc_vmev_reason;

struct ipc_msg;
ipc_vmev_kind ipc_vmev_kind_of(const struct ipc_msg *m);
const char *ipc_vmev_kind_name(ipc_vmev_kind k);
/* Value -> name ("unknown" out of range); name (len bytes) -> value. */
const char *ipc_vmev_reason_name(ipc_vmev_reason r);
bool ipc_vmev_reason_parse(const char *s, size_t len, ipc_vmev_reason *out);

#endif
