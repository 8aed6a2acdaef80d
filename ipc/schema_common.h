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

#endif
