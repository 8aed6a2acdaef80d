/* The bootstrap family, served by smallnano-bootstrap on
 * DATA_DIR/run/bootstrap.sock (the rpc process asks it for
 * bootstrap_status).
 *
 * Requests:
 *   status {} -> status_r {phase, rounds, pulled, accepted, chains, cursor,
 *                          missing, waiting}
 *       phase: what the scan does now ("idle" between rounds, "frontiers",
 *       "pull", "submit"); rounds finished, blocks pulled and blocks the
 *       ledger accepted since the process started; chains waiting to be
 *       pulled; cursor, the next account of the frontier scan (32 bytes,
 *       all zero at the start of a round); missing, accounts given up in
 *       this process's life because no peer could serve them (they wait for
 *       the next round); waiting, chains held blocked on a receive's source.
 *   start {} -> started {started}
 *       begin a scan round now (rpc's bootstrap_any); started is false when
 *       a round is already under way (it goes on).
 * Plus the feed family (feed_subscribe and the events, ipc/schema_feed.h)
 * and the common family (ping/pong/ok/error). */
#ifndef IPC_SCHEMA_BOOTSTRAP_H
#define IPC_SCHEMA_BOOTSTRAP_H

#include "ipc/schema.h"

#define IPC_BOOTSTRAP_PHASE_MAX 16u

#include <stdbool.h>
#include <stddef.h>

/* status_r.phase, with its one name table. */
typedef enum {
    IPC_BOOTSTRAP_IDLE,
    IPC_BOOTSTRAP_FRONTIERS,
    IPC_BOOTSTRAP_PULL,
    IPC_BOOTSTRAP_SUBMIT,
} ipc_bootstrap_phase;
const char *ipc_bootstrap_phase_name(ipc_bootstrap_phase p);
bool ipc_bootstrap_phase_parse(const char *s, size_t len, ipc_bootstrap_phase *out);

extern const ipc_family ipc_family_bootstrap;

/* The family's kinds, in the order of its table. IPC_BOOTSTRAP_K_OTHER: a
 * common-family kind (ping, ok, error: see ipc_common_kind_of). */
typedef enum {
    IPC_BOOTSTRAP_K_STATUS = 0,
    IPC_BOOTSTRAP_K_START,
    IPC_BOOTSTRAP_K_STARTED,
    IPC_BOOTSTRAP_K_STATUS_R,
    IPC_BOOTSTRAP_K_COUNT,
    IPC_BOOTSTRAP_K_OTHER = IPC_BOOTSTRAP_K_COUNT
} ipc_bootstrap_kind;

struct ipc_msg;
ipc_bootstrap_kind ipc_bootstrap_kind_of(const struct ipc_msg *m);
const char *ipc_bootstrap_kind_name(ipc_bootstrap_kind k);

#endif
