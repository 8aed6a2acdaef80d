/* The common family, a base of every other family: liveness and generic replies.
 *   ping  {seq, echo?}                    request, any socket
 *   pong  {seq, echo?, name?, pid?}       reply to ping (echo copied back)
 *   ok    {}                              generic success reply
 *   error {message, code?}                generic failure reply (IPC_E_REMOTE) */
#ifndef IPC_SCHEMA_COMMON_H
#define IPC_SCHEMA_COMMON_H

#include "ipc/schema.h"

#define IPC_ECHO_MAX 65536u
#define IPC_NAME_MAX 32u /* process names: "net", "ledger", ... */

extern const ipc_family ipc_family_common;

/* The family's kinds, in the order of its table. Every family has common as
 * its base, so ipc_common_kind_of() works on a message of any family:
 * IPC_COMMON_K_OTHER for a kind of the family itself. */
typedef enum {
    IPC_COMMON_K_PING = 0,
    IPC_COMMON_K_PONG,
    IPC_COMMON_K_OK,
    IPC_COMMON_K_ERROR,
    IPC_COMMON_K_COUNT,
    IPC_COMMON_K_OTHER = IPC_COMMON_K_COUNT
} ipc_common_kind;

struct ipc_msg;
ipc_common_kind ipc_common_kind_of(const struct ipc_msg *m);
const char *ipc_common_kind_name(ipc_common_kind k);

#endif
