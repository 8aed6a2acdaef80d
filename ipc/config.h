/* The node's configuration: one table of keys, set from the config file
 * (inih, "[section]" / "key = value"), from smallnanod's flags, and - in the
 * children - from the "--set section.key=value" arguments the supervisor
 * passes, so every process sees the same effective values and no child
 * parses a file of its own.
 *
 * Adding a key: a field in ipc_config, a row in the table in ipc/config.c,
 * a line in config/smallnano.conf. */
#ifndef IPC_CONFIG_H
#define IPC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A switch whose default depends on the network: "auto" is on for dev only
 * (see ipc_config_switch). */
typedef enum { IPC_SWITCH_OFF = 0, IPC_SWITCH_ON = 1, IPC_SWITCH_AUTO = 2 } ipc_switch;

typedef struct {
    /* [node] */
    char network[8];    /* dev | test | live */
    char data_dir[256]; /* sockets in DATA_DIR/run, databases in DATA_DIR */
    char log_level[8];  /* debug | info | warn | error */
    /* ledger.db and vm.db at open: quick | full | off */
    char integrity_check[8];
    /* [rpc] */
    char rpc_address[64];
    uint32_t rpc_port;             /* 0: the network's default */
    ipc_switch rpc_enable_control; /* wallet and control actions; auto: dev only */
    ipc_switch rpc_auto_receive;   /* receive sends to unlocked wallet accounts; auto: dev only */
    ipc_switch rpc_explorer;       /* GET serves the explorer pages (on; auto: on) */
    ipc_switch rpc_metrics;        /* GET /metrics: Prometheus text (on; auto: on) */
    uint32_t rpc_work_threads;     /* proof-of-work threads; 0: one per core */
    uint32_t rpc_work_queue_max;   /* work jobs at once, all clients */
    uint32_t rpc_work_per_client_max;    /* work jobs at once per client address */
    char rpc_work_max_difficulty[17];    /* work_generate ceiling, hex; "": send threshold x64 */
    char rpc_wallet_work_difficulty[17]; /* wallet blocks' work at least this, hex; "": network's */
    char rpc_receive_minimum[40];        /* auto-receive ignores smaller sends, raw; "": 0 */
    uint32_t rpc_max_connections;        /* HTTP connections at once (also below RLIMIT_NOFILE) */
    uint32_t rpc_request_timeout_s;      /* deadline for a request's headers+body, from accept */
    /* new wallets' and passwords' Argon2id passes and KiB; 0: interactive (2, 65536) */
    uint32_t rpc_wallet_kdf_ops;
    uint32_t rpc_wallet_kdf_mem_kib;
    /* Argon2id threads (0: 1) and jobs at once (queued or running) */
    uint32_t rpc_kdf_threads;
    uint32_t rpc_kdf_queue_max;
    /* [net] */
    char net_address[64];               /* numeric; "": 127.0.0.1 on dev, :: elsewhere */
    uint32_t net_port;                  /* 0: the network's default */
    char net_peers[1024];               /* comma-separated host:port */
    uint32_t net_max_peers;             /* ready channels */
    uint32_t net_max_peers_per_address; /* ready channels from one address (not loopback); 0: any */
    uint32_t net_reserved_outbound;     /* of max_peers, only for channels we dial */
    uint32_t net_reserved_reps;         /* of max_peers, only for proven inbound representatives */
    uint32_t net_max_pending;           /* inbound connections not handshaken yet */
    uint32_t net_max_pending_per_address; /* the same, from one address */
    uint32_t net_handshake_timeout_ms;    /* a connection must complete its handshake this soon */
    uint32_t net_ban_s;                   /* a misbehaving address is refused this long */
    bool net_ban_loopback; /* testing only: ban loopback addresses too (127.0.0.0/8, ::1) */
    /* [supervisor] */
    uint32_t max_restarts;         /* more quick crashes in a row: the child is "failing" */
    uint32_t max_restart_window_s; /* a run this long is not a quick crash */
    uint32_t shutdown_timeout_s;   /* SIGTERM -> SIGKILL deadline */
    uint32_t heartbeat_interval_ms;
    uint32_t heartbeat_timeout_ms; /* no answer this long: the child is hung, kill it */
    /* a starting child (not ready yet: opening, checking or migrating its
     * database) may miss heartbeats this long before it counts as hung */
    uint32_t start_timeout_ms;
    uint32_t restart_backoff_ms; /* first restart delay, doubled per crash in a row */
    uint32_t restart_backoff_max_ms;
    char sup_user[33];         /* started as root: run as this user ("": smallnano, if it exists) */
    ipc_switch sup_allow_root; /* root and no such user: run as root anyway (auto: dev only) */
    /* "": exec children directly; else a program and its arguments each
     * child is exec'd through (qemu-arm -L SYSROOT, valgrind, strace -f) */
    char sup_exec_wrapper[1024];
    /* [elections] */
    char online_weight_minimum[40]; /* quorum floor, raw decimal; "0": the network's default */
    char elections_rep_key[1024];   /* "": DATA_DIR/representative.key */
    char elections_rep_password_file[1024]; /* "": $CREDENTIALS_DIRECTORY/representative-password */
    uint32_t elections_max_active;          /* bound on concurrent elections */
    uint32_t elections_backlog;             /* unconfirmed accounts queued for an election */
    uint32_t elections_vote_request_ms;     /* first vote request after; 0: never ask */
    /* [ledger] */
    uint64_t max_blocks_per_account; /* pruning: 0 keeps everything */
    uint32_t ledger_cement_slice;    /* blocks cemented per transaction */
    uint32_t ledger_group_max;       /* blocks processed per transaction (over several batches) */
    /* [ws] (docs/websocket.md) */
    ipc_switch ws_enable;          /* serve the WebSocket; auto: dev only */
    char ws_address[64];           /* numeric; default 127.0.0.1 */
    uint32_t ws_port;              /* 0: the network's default (17078 dev, 27078 test, 7078 live) */
    uint32_t ws_max_clients;       /* WebSocket connections at once */
    uint32_t ws_client_buffer;     /* bytes queued for one client at most */
    uint32_t ws_slow_client_ms;    /* a full buffer not drained this long: the client is closed */
    uint32_t ws_keepalive_s;       /* idle: ping after this many s, dropped after 2x; 0: off */
    uint32_t ledger_cache_mib;     /* SQLite page cache of the writer */
    uint32_t ledger_max_unchecked; /* blocks waiting for a dependency; oldest evicted */
} ipc_config;

void ipc_config_defaults(ipc_config *c);

/* Set one key from its text. 0, or -EINVAL with msg (cap bytes) naming the
 * key and the problem ("unknown key 'x' in [net]", "[rpc] port: ..."). */
int ipc_config_set(ipc_config *c, const char *section, const char *key, const char *value,
                   char *msg, size_t cap);
/* "section.key=value". */
int ipc_config_set_pair(ipc_config *c, const char *pair, char *msg, size_t cap);

/* Read an ini file over the current values. 0, or -errno / -EINVAL with msg
 * naming the file, the line and the key. */
int ipc_config_load(ipc_config *c, const char *path, char *msg, size_t cap);

/* The effective value of a switch on c's network (auto: on only for dev). */
bool ipc_config_switch(const ipc_config *c, ipc_switch s);

/* Cross-key checks after everything is set (data_dir given, windows > 0 ...). */
int ipc_config_check(const ipc_config *c, char *msg, size_t cap);

/* Every key as "section.key=value", in table order (ipc_config_nkeys() of
 * them). Returns the count written (<= max); each string is malloc'ed and
 * owned by the caller: release with ipc_config_free_pairs(). */
size_t ipc_config_pairs(const ipc_config *c, char **out, size_t max);
void ipc_config_free_pairs(char **pairs, size_t n);
size_t ipc_config_nkeys(void);

#endif
