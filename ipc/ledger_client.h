/* The one client of the ledger process (DATA_DIR/run/ledger.sock, the
 * ledger family of ipc/schema_ledger.h), used by net, rpc, elections, vm
 * and bootstrap.
 *
 *   ledger_client_opts o = {.on_block_accepted = accepted, .on_subscribed = rescan,
 *                           .user = svc};
 *   ledger_client *lc = ledger_client_new(child, &o);
 *   ledger_client_process(lc, &block, LEDGER_ORIGIN_NET, done, req);
 *
 * Connection: an ipc_connect endpoint that reconnects with backoff
 * (reconnect_min_ms doubling up to reconnect_max_ms) for as long as the
 * client lives.
 *
 * Subscription: the client subscribes iff at least one notification
 * callback is set, with exactly those kinds as topics, on every
 * (re)connection. When the ledger answers `subscribed`, on_subscribed runs:
 * the owner rebuilds its view from the database (whatever happened while it
 * was not subscribed is there). A subscribe that fails (error reply, timeout)
 * closes the connection, so the endpoint reconnects and subscribes again: the
 * one recovery policy. on_down runs whenever a connection is lost.
 *
 * Notifications arrive decoded into the structs below (block bytes parsed,
 * subtype and origin as enums). One that does not decode (a block that does
 * not parse, an unknown subtype or origin, a zero seq or height) is dropped
 * with a warning and on_bad_notification runs, so the owner can recover from
 * the database instead.
 *
 * Requests: process and confirm each hold one of max_pending slots until
 * their callback has run; at the bound (or with no connection) they fail at
 * once with IPC_E_QUEUE_FULL (IPC_E_CLOSED) and the callback never runs.
 * Otherwise the callback runs exactly once, also when the client is freed.
 * Everything runs on the owner's event loop. */
#ifndef IPC_LEDGER_CLIENT_H
#define IPC_LEDGER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"
#include "ipc/child.h"
#include "ipc/schema_ledger.h"

struct event_base;
typedef struct ledger_client ledger_client;

typedef struct {
    uint8_t hash[32];
    smn_block block;
    uint64_t height;
    ledger_subtype subtype;
    smn_amount_t amount;
    ledger_origin origin;
} ledger_client_accepted;

typedef struct {
    uint8_t hash[32];
    smn_block block;
    uint8_t root[32];
} ledger_client_fork;

typedef struct {
    uint8_t hash[32];
    uint8_t account[32];
    uint64_t height;
    ledger_subtype subtype;
    smn_amount_t amount, prev_balance, balance;
    uint8_t link[32];
    uint8_t source_account[32];
    uint64_t seq;
} ledger_client_cemented;

typedef struct {
    uint8_t hash[32];
    uint8_t account[32];
    uint64_t height;
} ledger_client_rolled_back;

typedef struct {
    /* Notifications; NULL: not subscribed to that kind. */
    void (*on_block_accepted)(void *user, const ledger_client_accepted *n);
    void (*on_fork)(void *user, const ledger_client_fork *n);
    void (*on_block_cemented)(void *user, const ledger_client_cemented *n);
    void (*on_rolled_back)(void *user, const ledger_client_rolled_back *n);
    /* The subscription is (again) in place; may be NULL. */
    void (*on_subscribed)(void *user);
    /* The connection was lost (pending requests already failed); may be NULL. */
    void (*on_down)(void *user);
    /* A notification that did not decode was dropped; may be NULL. */
    void (*on_bad_notification)(void *user, const char *kind);
    void *user;
    const char *name;          /* log lines; default "ledger" */
    size_t max_pending;        /* process + confirm outstanding; 0: 1024 */
    uint32_t timeout_ms;       /* per request; 0: 10000 */
    uint32_t reconnect_min_ms; /* 0: 50 */
    uint32_t reconnect_max_ms; /* 0: 1000 */
} ledger_client_opts;

/* Connect to the child's DATA_DIR/run/ledger.sock. NULL on failure (logged). */
ledger_client *ledger_client_new(ipc_child *ch, const ledger_client_opts *o);
/* Connect to any socket path (tests, tools). NULL on failure (logged). */
ledger_client *ledger_client_connect(struct event_base *base, const char *path,
                                     const ledger_client_opts *o);
/* Pending requests' callbacks run with IPC_E_CLOSED. NULL is fine. */
void ledger_client_free(ledger_client *lc);

bool ledger_client_connected(const ledger_client *lc);
bool ledger_client_subscribed(const ledger_client *lc);
size_t ledger_client_pending(const ledger_client *lc);
/* Successful subscriptions so far (one per connection that subscribed). */
uint64_t ledger_client_subscriptions(const ledger_client *lc);

/* st IPC_OK: the ledger answered and r is its result. IPC_E_REMOTE: the
 * ledger refused the request (an "error" reply, logged), IPC_E_MALFORMED: it
 * answered something else or an unknown result name (logged),
 * IPC_E_CLOSED / IPC_E_TIMEOUT: it went away or did not answer in time.
 * r is LEDGER_RESULT_COUNT unless st is IPC_OK. */
typedef void (*ledger_client_process_fn)(void *user, ipc_status st, ledger_result r);
ipc_status ledger_client_process(ledger_client *lc, const smn_block *b, ledger_origin origin,
                                 ledger_client_process_fn cb, void *user);

/* A run of blocks (1..IPC_LEDGER_MAX_BATCH) in one process_batch request;
 * the ledger queues them in order and answers once for all. st as for
 * process; results[i] (n of them, n as sent) is block i's result, valid
 * during the callback only; NULL unless st is IPC_OK. */
typedef void (*ledger_client_batch_fn)(void *user, ipc_status st, const ledger_result *results,
                                       size_t n);
ipc_status ledger_client_process_batch(ledger_client *lc, const smn_block *blocks, size_t n,
                                       ledger_origin origin, ledger_client_batch_fn cb, void *user);

/* st as for process; cemented and rolled_back are the reply's counts (0
 * unless IPC_OK). block (the winner, may be NULL) settles a fork. */
typedef void (*ledger_client_confirm_fn)(void *user, ipc_status st, uint64_t cemented,
                                         uint64_t rolled_back);
ipc_status ledger_client_confirm(ledger_client *lc, const uint8_t hash[32], const smn_block *block,
                                 ledger_client_confirm_fn cb, void *user);
/* The same with its own timeout (0: the client's timeout_ms): a confirm of
 * a deep backlog chain may take the ledger minutes to cement, and one timed
 * out and sent again would only queue the same work twice. */
ipc_status ledger_client_confirm_wait(ledger_client *lc, const uint8_t hash[32],
                                      const smn_block *block, uint32_t timeout_ms,
                                      ledger_client_confirm_fn cb, void *user);
/* The same marked as backlog work (`backlog` on the request): the ledger
 * serves a fresh election's confirms first, so a new block's confirm does
 * not wait behind the backlog's. */
ipc_status ledger_client_confirm_backlog(ledger_client *lc, const uint8_t hash[32],
                                         const smn_block *block, uint32_t timeout_ms,
                                         ledger_client_confirm_fn cb, void *user);

/* The decoders the client runs on each notification (also for fuzzing and
 * for readers of recorded notifications): false if m is not that kind or
 * does not decode. */
bool ledger_client_decode_accepted(const ipc_msg *m, ledger_client_accepted *out);
bool ledger_client_decode_fork(const ipc_msg *m, ledger_client_fork *out);
bool ledger_client_decode_cemented(const ipc_msg *m, ledger_client_cemented *out);
bool ledger_client_decode_rolled_back(const ipc_msg *m, ledger_client_rolled_back *out);

#endif
