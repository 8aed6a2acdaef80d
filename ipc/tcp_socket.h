/* The peering TCP listening socket, bound once by the supervisor and handed
 * down to the net process like the Unix sockets (or bound by the net process
 * itself when it runs without a supervisor). */
#ifndef IPC_TCP_SOCKET_H
#define IPC_TCP_SOCKET_H

#include <stdint.h>

/* The fd number the supervisor passes the peering socket as, announced in
 * SMN_PEER_FD. */
#define IPC_PEER_FD 5

/* The address to bind for [net] address on a network: the configured one,
 * or, when it is empty, 127.0.0.1 on dev (a one-host devnet) and "::" (every
 * address, IPv4 included) elsewhere. */
const char *ipc_peering_address(const char *configured, const char *network);

/* Bind a numeric IPv4 or IPv6 address (no brackets, no names) and port with
 * SO_REUSEADDR (a restart does not wait for TIME_WAIT), IPv4-mapped
 * addresses accepted on "::", and listen. Returns the fd (CLOEXEC,
 * blocking) or -errno: -EINVAL for an address that is not numeric,
 * -EADDRINUSE and friends from bind. */
int ipc_tcp_listen(const char *address, uint16_t port, int backlog);

#endif
