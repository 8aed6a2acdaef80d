/* smallnanod's core: starts the seven children, watches them (SIGCHLD,
 * heartbeats), restarts each with its own backoff (a failing child is
 * reported, never a reason to stop the others), serves the operator's
 * control socket and stops everything in order. The node stops by itself
 * only when the ledger exits with IPC_CHILD_EXIT_UNSAFE (its database
 * cannot be opened). */
#ifndef SUP_SUPERVISOR_H
#define SUP_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ipc/config.h"
#include "ipc/endpoint.h"
#include "ipc/metrics.h"
#include "ipc/schema_admin.h"
#include "supervisor/exec_wrapper.h"
#include "supervisor/restart_policy.h"

#define SUP_NCHILDREN 7

/* A child's state (ipc_admin_state) is the one node_status reports:
 * ipc/schema_admin.h holds the enum and its names. */
typedef ipc_admin_state sup_state;

typedef struct sup sup;

typedef struct {
    sup *s;
    const char *name;
    char exe[4096];
    int listen_fd; /* bound once, held for the node's lifetime */
    int peer_fd;   /* net only: the peering TCP socket, likewise; -1 otherwise */
    pid_t pid;     /* 0 when no process */
    sup_state state;
    ipc_endpoint *ctl;
    struct event *restart_timer;
    struct event *kill_timer; /* SIGKILL if a SIGTERM'ed child lingers */
    uint32_t restarts;
    sup_history hist;
    struct timespec started;
    uint64_t next_start_ms; /* monotonic ms of the scheduled restart (backoff/failing) */
    char last_exit[96];     /* how the last process ended, "" if none did */
    bool unsafe_exit_stops; /* ledger: IPC_CHILD_EXIT_UNSAFE stops the node */
    bool hb_ok;             /* answered its last heartbeat */
    bool hb_outstanding;    /* a heartbeat is in flight */
    uint64_t hb_seq;
    bool restart_requested; /* stopped on purpose: restart at once, not a crash */
    ipc_metrics *metrics;   /* its last heartbeat's metrics; NULL until one came */
} sup_child;

struct sup {
    ipc_config cfg;
    sup_policy policy;
    struct event_base *base;
    sup_child kids[SUP_NCHILDREN]; /* in start order; stopped in reverse */
    sup_exec_wrapper wrap;         /* [supervisor] exec_wrapper, resolved at init */
    ipc_endpoint *admin;
    int admin_fd;
    int lock_fd;
    struct event *sigchld, *sigterm, *sigint, *hb_timer, *wd_timer;
    bool stopping;
    bool ready_sent;
    int start_next; /* first start: the child started once the one before is ready */
    int exit_code;
    char status_line[256];
};

/* Set up (lock the data dir, bind sockets, find executables). 0 or -1
 * after logging why. */
int sup_init(sup *s, const ipc_config *cfg);
/* Start the children and run until the node stops. Returns the exit code. */
int sup_run(sup *s);
void sup_free(sup *s);

/* Used by the control socket (supervisor/control.c). */
sup_child *sup_child_by_name(sup *s, const char *name);
uint64_t sup_child_uptime_s(const sup_child *k);
/* Milliseconds until a child in backoff is started again (0 otherwise). */
uint64_t sup_child_retry_in_ms(const sup_child *k);
/* Restart one child now (SIGTERM, SIGKILL after the deadline; a child in
 * backoff starts at once); 0 or -1 if the node is stopping. Not a crash: it
 * clears the child's streak of failures. */
int sup_restart_child(sup *s, sup_child *k);
/* Every process's metrics as Prometheus text (supervisor/metrics.c): the
 * supervisor's own per-process figures (up, restarts, uptime, RSS) and each
 * running child's registry from its last heartbeat. */
void sup_metrics_render(const sup *s, ipc_text *t);
/* Begin the ordered shutdown; the loop ends when every child is reaped. */
void sup_begin_stop(sup *s, int exit_code, const char *why);

/* supervisor/control.c: serve DATA_DIR/run/control.sock (admin family). */
int sup_control_open(sup *s);

#endif
