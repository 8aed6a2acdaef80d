/* A structural pass over raw msgpack before msgpack-c sees it. msgpack-c
 * sizes an array's storage from the count in its header, so a 5-byte input
 * claiming 2^32 elements would make it try to allocate ~100 GB. This pass
 * checks, without allocating, that every container's count can be backed by
 * the bytes that follow, that nesting stays within IPC_MAX_DEPTH and that the
 * buffer holds exactly one object. */
#ifndef IPC_MSGPACK_BOUND_H
#define IPC_MSGPACK_BOUND_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/status.h"

/* IPC_OK, IPC_E_MALFORMED (truncated, invalid byte, trailing bytes, count
 * larger than the bytes left) or IPC_E_TOO_DEEP. */
ipc_status ipc_msgpack_bound(const uint8_t *p, size_t len, unsigned max_depth, ipc_error *err);

#endif
