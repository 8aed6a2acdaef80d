/* Message endpoints on libevent. Three ways to get one:
 *   ipc_listen_fd()   serve an already-listening socket (one the supervisor
 *                     bound and handed down); many connections;
 *   ipc_connect()     connect to a socket path, reconnecting with
 *                     exponential backoff for as long as the endpoint lives;
 *   ipc_attach_fd()   wrap one connected socket (a socketpair end); when it
 *                     closes, the endpoint stays but has no connection.
 *
 * On a connection: ipc_request() (reply or IPC_E_TIMEOUT/IPC_E_CLOSED comes to
 * the callback, exactly once), ipc_notify() (one-way), ipc_reply(). Outgoing
 * bytes per connection are bounded: a send that would pass the bound fails
 * with IPC_E_QUEUE_FULL and nothing is queued. Every send function takes the
 * builder and frees it, whatever the outcome.
 *
 * Incoming frames are decoded against the endpoint's family. A frame that is
 * too big or not msgpack closes the connection; a schema violation is logged
 * and, for a request, answered with an "error" reply.
 *
 * Incoming bytes are bounded too: a connection buffers at most one frame
 * (max_frame plus its header; reading pauses at that mark), a connection that
 * sent part of a frame and then nothing for partial_timeout_ms is closed
 * (logged), and a listening endpoint serves at most max_conns connections at
 * once: one more is accepted and closed at once (logged), so a full endpoint
 * neither queues it forever nor spins on it. An accept that fails for want of
 * descriptors or memory pauses accepting for 100 ms instead of retrying in a
 * busy loop.
 *
 * All callbacks run on the event loop's thread. Callbacks may send, close the
 * connection and free the endpoint; the objects stay valid until the
 * callback returns. */
#ifndef IPC_ENDPOINT_H
#define IPC_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc/builder.h"
#include "ipc/msg.h"
#include "ipc/schema.h"
#include "ipc/status.h"

struct event_base;
typedef struct ipc_endpoint ipc_endpoint;
typedef struct ipc_conn ipc_conn;

/* A request (m->id != 0: answer with ipc_reply) or a notification. */
typedef void (*ipc_on_message)(ipc_conn *c, const ipc_msg *m, void *ud);
/* st IPC_OK: reply is the answer. IPC_E_REMOTE: reply is the peer's "error"
 * message (read its "message" field). Otherwise reply is NULL and c may be
 * NULL (the connection is gone). */
typedef void (*ipc_on_reply)(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud);
/* A connection came up (up = true) or went down (its pending requests have
 * already been failed with IPC_E_CLOSED). */
typedef void (*ipc_on_state)(ipc_conn *c, bool up, void *ud);

typedef struct {
    const ipc_family *family;  /* required: what this endpoint accepts */
    ipc_on_message on_message; /* NULL: requests get an "error" reply */
    ipc_on_state on_state;     /* optional */
    void *ud;
    const char *name;            /* for log lines; defaults to the family name */
    size_t max_out_bytes;        /* queued outgoing bytes per connection; 0: 4 MiB */
    size_t max_pending;          /* outstanding requests per connection; 0: 1024 */
    uint32_t max_frame;          /* incoming payload limit; 0: IPC_FRAME_MAX */
    uint32_t partial_timeout_ms; /* part of a frame, then silence this long: close; 0: 10000 */
    size_t max_conns;            /* ipc_listen_fd: connections at once; 0: 128 */
    uint32_t reconnect_min_ms;   /* ipc_connect backoff; 0: 50 */
    uint32_t reconnect_max_ms;   /* 0: 5000 */
} ipc_endpoint_opts;

/* NULL on failure (errno set). listen_fd must be listening; the endpoint
 * closes it when freed only if own_fd is true. */
ipc_endpoint *ipc_listen_fd(struct event_base *base, int listen_fd, bool own_fd,
                            const ipc_endpoint_opts *o);
/* Starts connecting at once; failures are retried with backoff (min doubling
 * up to max, reset after a successful connect). NULL on bad arguments. */
ipc_endpoint *ipc_connect(struct event_base *base, const char *path, const ipc_endpoint_opts *o);
/* Takes ownership of fd (closed with the connection). NULL on failure. */
ipc_endpoint *ipc_attach_fd(struct event_base *base, int fd, const ipc_endpoint_opts *o);
/* Closes every connection (pending requests get IPC_E_CLOSED) and releases
 * everything. NULL is fine. */
void ipc_endpoint_free(ipc_endpoint *ep);

/* The connection of a connect/attach endpoint, NULL while there is none. */
ipc_conn *ipc_endpoint_conn(const ipc_endpoint *ep);
size_t ipc_endpoint_nconns(const ipc_endpoint *ep);
/* Connections a listening endpoint refused because max_conns were open, and
 * connections closed for an incomplete frame (partial_timeout_ms), so far. */
uint64_t ipc_endpoint_refused(const ipc_endpoint *ep);
uint64_t ipc_endpoint_partial_timeouts(const ipc_endpoint *ep);

/* Send functions: c may be NULL (-> IPC_E_CLOSED). timeout_ms 0 means no timeout. */
ipc_status ipc_request(ipc_conn *c, ipc_builder *b, uint32_t timeout_ms, ipc_on_reply cb, void *ud);
ipc_status ipc_notify(ipc_conn *c, ipc_builder *b);
/* The same notification to n connections of one endpoint, encoded and
 * checked once; st[i] is what ipc_notify would have returned for conns[i]
 * (NULL or closed entries get IPC_E_CLOSED). Frees the builder. */
void ipc_notify_all(ipc_conn *const *conns, size_t n, ipc_builder *b, ipc_status *st);
/* IPC_E_INVALID if req is not a request (id 0). */
ipc_status ipc_reply(ipc_conn *c, const ipc_msg *req, ipc_builder *b);
ipc_status ipc_reply_error(ipc_conn *c, const ipc_msg *req, const char *message);

/* Close one connection (pending requests get IPC_E_CLOSED, on_state(false)
 * runs). Queued output is dropped. A connect endpoint then reconnects. */
void ipc_conn_close(ipc_conn *c);
size_t ipc_conn_queued_bytes(const ipc_conn *c);
size_t ipc_conn_pending(const ipc_conn *c);
ipc_endpoint *ipc_conn_endpoint(const ipc_conn *c);
void ipc_conn_set_user(ipc_conn *c, void *user);
void *ipc_conn_user(const ipc_conn *c);
/* The credentials (SO_PEERCRED) of a Unix socket connection's peer, as the
 * kernel recorded them at connect(): 0, or a negative errno. */
int ipc_conn_peer_cred(const ipc_conn *c, pid_t *pid, uid_t *uid);

#endif
