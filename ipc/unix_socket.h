/* Listening Unix-domain sockets under DATA_DIR/run. */
#ifndef IPC_UNIX_SOCKET_H
#define IPC_UNIX_SOCKET_H

#include <stddef.h>

/* Create dir (and its parent) if missing and force mode 0700 on dir. 0 or -errno. */
int ipc_run_dir(const char *data_dir, char *run_dir, size_t cap);

/* Bind and listen on path with mode 0600, replacing a stale socket file
 * (callers hold the data directory's lock, so no live node owns it).
 * Returns the fd (CLOEXEC, blocking) or -errno (-ENAMETOOLONG if path does
 * not fit in sockaddr_un). */
int ipc_unix_listen(const char *path, int backlog);

/* DATA_DIR/run/<name>.sock into buf; 0 or -ENAMETOOLONG. */
int ipc_socket_path(const char *data_dir, const char *name, char *buf, size_t cap);

#endif
