/* The elections family, served by smallnano-elections on
 * DATA_DIR/run/elections.sock (the rpc process asks it for the figures of
 * confirmation_quorum, representatives_online, election_statistics, stats).
 *
 * Requests:
 *   status {} -> status_r {reps, online_reps, online: [{rep, weight}],
 *                          online_weight, trended_weight, online_minimum,
 *                          quorum_delta, quorum_percent, active, max_active,
 *                          backlog, confirmed}
 *       reps: our voting keys that have weight; online_reps / online: the
 *       representatives seen voting recently (online.h), the list at most
 *       IPC_ELECTIONS_MAX_ONLINE of them (online_reps is the whole count);
 *       the weights are 16-byte big-endian raw amounts: the sum seen online,
 *       max(that, minimum), the configured minimum, and quorum_delta =
 *       trended * quorum_percent / 100; active elections (of at most
 *       max_active), blocks waiting in the backlog, and elections confirmed
 *       since the process started.
 *   elect {block} -> elect_r {status}
 *       start (or join) the election of this block (216-byte wire form;
 *       rpc's block_confirm sends only blocks the ledger holds and has not
 *       cemented): status started, fork (a competitor joined), active
 *       (already a candidate), confirmed (recently), queued (no room: the
 *       backlog holds its account), forks_full.
 *   active {after?, count} -> active_r {roots: [bin32], more, total}
 *       the roots of the running elections in root order, those above
 *       `after` (absent: from the first), at most count (1..
 *       IPC_ELECTIONS_MAX_ROOTS); more: there are others past the last;
 *       total: how many run.
 *   election {root} -> election_r {root, found, state?, age_ms?, voters?,
 *                     leader?, winner?, candidates?: [{block, tally, final_tally}]}
 *       one running election: its state (active, quorum, confirmed), how
 *       long it has run, the representatives whose ballots it holds, the
 *       index of the candidate leading by weight and of the winner once
 *       there is one, and each block competing
 *       (216-byte wire form) with the weight voting for it (16-byte amounts)
 *       in all and in final votes; all of them present when found (an
 *       election runs for that root), none when not.
 *   history {count} -> history_r {entries: [{hash, root, tally, final_tally,
 *                     duration_ms, age_ms, candidates}]}
 *       the latest confirmations, newest first, at most count (1..
 *       IPC_ELECTIONS_MAX_HISTORY; elections keeps that many): the winner,
 *       its root, the weight that voted for it (all votes, final votes), how
 *       long the election ran, how long ago it confirmed, how many blocks
 *       competed.
 *   resync {} -> ok {}
 *       start a new scan of the ledger for unconfirmed blocks now (rpc's
 *       populate_backlog); what it finds joins the backlog as the periodic
 *       scan's findings do.
 * Plus the common family (ping/pong/ok/error). */
#ifndef IPC_SCHEMA_ELECTIONS_H
#define IPC_SCHEMA_ELECTIONS_H

#include "ipc/schema.h"

#define IPC_ELECTIONS_MAX_ONLINE 2048u /* entries of status_r.online */
#define IPC_ELECTIONS_AMOUNT_BYTES 16u
#define IPC_ELECTIONS_BLOCK_BYTES 216u   /* SMN_BLOCK_WIRE_BYTES */
#define IPC_ELECTIONS_MAX_ROOTS 4096u    /* entries of active_r.roots */
#define IPC_ELECTIONS_MAX_CANDIDATES 10u /* ELECTIONS_MAX_CANDIDATES */
#define IPC_ELECTIONS_MAX_HISTORY 2048u  /* ELECTIONS_SERVICE_HISTORY */

#include <stdbool.h>
#include <stddef.h>

/* elect_r.status, with its one name table. */
typedef enum {
    IPC_ELECT_STARTED,
    IPC_ELECT_FORK,
    IPC_ELECT_ACTIVE,
    IPC_ELECT_CONFIRMED,
    IPC_ELECT_QUEUED,
    IPC_ELECT_FORKS_FULL,
} ipc_elect_status;
const char *ipc_elect_status_name(ipc_elect_status s);
bool ipc_elect_status_parse(const char *s, size_t len, ipc_elect_status *out);

/* election_r.state, with its one name table. */
typedef enum {
    IPC_ELECTION_ACTIVE,
    IPC_ELECTION_QUORUM,
    IPC_ELECTION_CONFIRMED,
} ipc_election_state;
const char *ipc_election_state_name(ipc_election_state s);
bool ipc_election_state_parse(const char *s, size_t len, ipc_election_state *out);

extern const ipc_family ipc_family_elections;

/* The family's kinds, in the order of its table. IPC_ELECTIONS_K_OTHER: a
 * common-family kind (ping, ok, error: see ipc_common_kind_of). */
typedef enum {
    IPC_ELECTIONS_K_STATUS = 0,
    IPC_ELECTIONS_K_STATUS_R,
    IPC_ELECTIONS_K_ELECT,
    IPC_ELECTIONS_K_ELECT_R,
    IPC_ELECTIONS_K_ACTIVE,
    IPC_ELECTIONS_K_ACTIVE_R,
    IPC_ELECTIONS_K_ELECTION,
    IPC_ELECTIONS_K_ELECTION_R,
    IPC_ELECTIONS_K_HISTORY,
    IPC_ELECTIONS_K_HISTORY_R,
    IPC_ELECTIONS_K_RESYNC,
    IPC_ELECTIONS_K_COUNT,
    IPC_ELECTIONS_K_OTHER = IPC_ELECTIONS_K_COUNT
} ipc_elections_kind;

struct ipc_msg;
ipc_elections_kind ipc_elections_kind_of(const struct ipc_msg *m);
const char *ipc_elections_kind_name(ipc_elections_kind k);

#endif
