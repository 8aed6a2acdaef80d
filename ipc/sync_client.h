/* A blocking, single-connection client for tools and tests (smallnano-cli,
 * benchmarks): connect, send one request, wait for its reply with a deadline.
 * Not for use inside an event loop; processes use ipc/endpoint.h. */
#ifndef IPC_SYNC_CLIENT_H
#define IPC_SYNC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/builder.h"
#include "ipc/msg.h"
#include "ipc/status.h"

typedef struct {
    int fd;
    const ipc_family *fam;
    uint64_t next_id;
    uint8_t *rbuf; /* holds the last reply; the reply's strings point here */
    size_t rcap;
} ipc_sync;

/* IPC_OK, or IPC_E_IO with errno set (ENOENT, ECONNREFUSED: nobody serves
 * path) and err->detail naming the path. */
ipc_status ipc_sync_connect(ipc_sync *s, const char *path, const ipc_family *fam, ipc_error *err);

/* Send b as a request (b is freed) and wait up to timeout_ms for its reply.
 * IPC_OK: *reply is the answer. IPC_E_REMOTE: *reply is the peer's "error"
 * message. Either way release it with ipc_msg_free() before the next call.
 * Other statuses leave *reply empty: IPC_E_TIMEOUT, IPC_E_CLOSED (peer hung
 * up), IPC_E_IO, or a decode error. Notifications arriving meanwhile are
 * skipped. */
ipc_status ipc_sync_call(ipc_sync *s, ipc_builder *b, int timeout_ms, ipc_msg *reply,
                         ipc_error *err);

/* Wait until the peer closes the connection: IPC_OK, or IPC_E_TIMEOUT. */
ipc_status ipc_sync_wait_close(ipc_sync *s, int timeout_ms);

void ipc_sync_close(ipc_sync *s);

#endif
