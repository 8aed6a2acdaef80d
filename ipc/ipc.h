/* The IPC layer in one include: framing (u32 big-endian length + one msgpack
 * map), declarative schemas per message family, decoding, building, libevent
 * endpoints, the blocking client, and the child-process runtime.
 *
 * See docs/architecture.md for the families and who talks to whom. */
#ifndef IPC_IPC_H
#define IPC_IPC_H

#include "ipc/builder.h"
#include "ipc/child.h"
#include "ipc/config.h"
#include "ipc/endpoint.h"
#include "ipc/frame.h"
#include "ipc/msg.h"
#include "ipc/schema.h"
#include "ipc/schema_admin.h"
#include "ipc/schema_common.h"
#include "ipc/schema_control.h"
#include "ipc/schema_ledger.h"
#include "ipc/schema_net.h"
#include "ipc/schema_elections.h"
#include "ipc/schema_bootstrap.h"
#include "ipc/schema_vmevents.h"
#include "ipc/schema_feed.h"
#include "ipc/status.h"
#include "ipc/sync_client.h"
#include "ipc/tcp_socket.h"
#include "ipc/unix_socket.h"

#endif
