/* The bootstrap family, served by smallnano-bootstrap on
 * DATA_DIR/run/bootstrap.sock (the rpc process asks it for
 * bootstrap_status).
 *
 * Requests:
 *   status {} -> status_r {phase, rounds, pulled, accepted, chains, cursor}
 *       phase: what the scan does now ("idle" between rounds, "frontiers",
 *       "pull", "submit"); rounds finished, blocks pulled and blocks the
 *       ledger accepted since the process started; chains waiting to be
 *       pulled; cursor, the next account of the frontier scan (32 bytes,
 *       all zero at the start of a round).
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

#endif
