/* The HTTP face of the JSON RPC (libevent evhttp): POST bodies go to
 * rpc_handle_async, answers go back as application/json; GET and HEAD serve
 * the explorer's static pages (or 404). Everything else is refused here:
 * other methods with 405, bodies above RPC_MAX_BODY_BYTES with
 * 413 (libevent's own page when Content-Length announces it). */
#ifndef SMN_RPC_HTTP_SERVER_H
#define SMN_RPC_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/rpc/rpc.h"

struct event_base;
typedef struct rpc_http rpc_http;

/* Serves `ctx` on `base`. With listen_fd >= 0 (a listening TCP socket handed
 * down by the supervisor) the server adopts and later closes it; otherwise it
 * binds addr:port itself (port 0: an ephemeral port, see rpc_http_port).
 * Returns NULL on failure (bad address, port in use, out of memory) after
 * logging why. The context must outlive the server. */
rpc_http *rpc_http_new(struct event_base *base, rpc_ctx *ctx, const char *addr, uint16_t port,
                       int listen_fd);
/* GET/HEAD serve the built-in explorer (explorer.h) when on; otherwise
 * they answer 404. Off until set. */
void rpc_http_set_explorer(rpc_http *h, bool on);
/* The WebSocket feed's port the explorer is told about
 * (GET /explorer/feed.json); 0: no feed, the explorer polls the RPC. */
void rpc_http_set_explorer_feed(rpc_http *h, uint16_t ws_port);
/* GET /metrics: fn is asked for the text and calls done(req, status, text,
 * len) exactly once, now or later on the loop (text is copied). Not set:
 * /metrics is 404 like any unknown path. */
typedef void (*rpc_http_text_done)(void *req, int status, const char *text, size_t len);
typedef void (*rpc_http_metrics_fn)(void *ud, rpc_http_text_done done, void *req);
void rpc_http_set_metrics(rpc_http *h, rpc_http_metrics_fn fn, void *ud);
/* RPC (POST) answers so far and how long each took, from the request's
 * arrival to its answer, in buckets with these upper bounds (µs): */
#define RPC_HTTP_LATENCY_BOUNDS                                                                    \
    {                                                                                              \
        500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,      \
            5000000, 10000000                                                                      \
    }
#define RPC_HTTP_LATENCY_NBOUNDS 14u
typedef struct {
    uint64_t answered;  /* every answer, GET included */
    uint64_t rpc_count; /* POST answers, also the histogram's count */
    uint64_t rpc_sum_us;
    uint64_t rpc_buckets[RPC_HTTP_LATENCY_NBOUNDS + 1]; /* per bucket, last: above all */
    size_t connections;
    uint64_t evicted; /* connections closed at the cap or the deadline */
} rpc_http_stats;
void rpc_http_get_stats(const rpc_http *h, rpc_http_stats *out);
/* The local port actually listened on. */
uint16_t rpc_http_port(const rpc_http *h);
/* Number of requests answered so far (for logs and tests). */
uint64_t rpc_http_requests(const rpc_http *h);
/* Connection limits (rpc_http_new applies the defaults): at most
 * max_connections at once, further kept RPC_HTTP_FD_RESERVE (64) below the
 * process's RLIMIT_NOFILE, read now; each request (headers and body) must
 * arrive within request_timeout_s of the accept or of the previous answer
 * on the connection, however slowly its bytes trickle in. 0 = default. */
#define RPC_HTTP_DEFAULT_MAX_CONNECTIONS 1024u
#define RPC_HTTP_DEFAULT_TIMEOUT_S 10u
void rpc_http_set_limits(rpc_http *h, unsigned max_connections, unsigned request_timeout_s);
/* The effective cap, and connections open now. */
unsigned rpc_http_max_connections(const rpc_http *h);
size_t rpc_http_connections(const rpc_http *h);
/* Closes the listener and every connection; answers still owed to clients
 * are dropped. */
void rpc_http_free(rpc_http *h);

#endif
