/* The vm topic: each WebSocket client that subscribes to it gets its own
 * subscription on the vm event socket (DATA_DIR/run/vm-events.sock,
 * docs/vm.md "Event socket") with its filters and cursor, so the vm
 * process's own backlog, filtering and cursors serve it; events are
 * turned into JSON (wsmsg.h ws_msg_vm) and queued for the client. The
 * upstream connection reconnects with backoff and resubscribes from the
 * last event it passed on, so a vm restart loses nothing. The vm socket
 * takes 64 subscribers at most (an upstream refusal reaches the client as
 * an error). */
#ifndef WS_VMFEED_H
#define WS_VMFEED_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/child.h"
#include "procs/ws/client.h"
#include "procs/ws/server.h"

typedef struct ws_vmfeed ws_vmfeed;

/* A client's queue could not take an event: the owner closes it. */
typedef void (*ws_vmfeed_overflow_fn)(void *user, ws_client *c);

ws_vmfeed *ws_vmfeed_new(ipc_child *ch, ws_server *srv, ws_uvpump *pump,
                         ws_vmfeed_overflow_fn overflow, void *user);
void ws_vmfeed_free(ws_vmfeed *f);
/* (Re)subscribe c with r's vm options ("from", "program", "session",
 * "type", "account"). 0, or -1 with err. */
int ws_vmfeed_subscribe(ws_vmfeed *f, ws_client *c, const ws_request *r, char *err, size_t errlen);
void ws_vmfeed_unsubscribe(ws_vmfeed *f, ws_client *c); /* no subscription is fine */
/* Where c resumes the vm topic (0 without a subscription). */
uint64_t ws_vmfeed_resume(const ws_client *c);

#endif
