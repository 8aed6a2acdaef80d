/* Runs a libuv loop inside the process's libevent loop, so libwebsockets
 * (which Debian builds with libuv, libev and glib event-loop plugins, but
 * neither libevent nor external-poll support) shares the one thread with
 * the child runtime, the ledger client and the heartbeats: a stuck
 * WebSocket client cannot hide from the supervisor's watchdog.
 *
 * libuv's whole state is one epoll descriptor (uv_backend_fd) plus a next
 * timer (uv_backend_timeout): libevent watches the descriptor, arms a
 * timer, and runs uv_run(UV_RUN_NOWAIT) when either fires. Watcher changes
 * made outside uv_run (or by its callbacks) reach epoll only in the next
 * uv_run, so whoever touches libwebsockets from a libevent callback calls
 * ws_uvpump_kick(). */
#ifndef WS_UVPUMP_H
#define WS_UVPUMP_H

#include <uv.h>

struct event_base;
typedef struct ws_uvpump ws_uvpump;

/* NULL on failure. The loop is ws_uvpump_loop(). */
ws_uvpump *ws_uvpump_new(struct event_base *base);
uv_loop_t *ws_uvpump_loop(ws_uvpump *p);
/* Start watching (after the users of the loop created their handles). */
int ws_uvpump_start(ws_uvpump *p);
/* Run the uv loop soon (this libevent iteration). */
void ws_uvpump_kick(ws_uvpump *p);
/* Run the uv loop until no handle is open or closing (bounded); for
 * shutting down whatever lives on it. */
void ws_uvpump_drain(ws_uvpump *p);
/* Stop watching, run the uv loop until its handles are closed (bounded),
 * close and free it. */
void ws_uvpump_free(ws_uvpump *p);

#endif
