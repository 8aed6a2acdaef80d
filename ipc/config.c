#include "ipc/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/amount.h"
#include "common/argv_split.h"
#include "common/db_check.h"
#include "common/network.h"
#include "common/work.h"

typedef enum { K_STR, K_U32, K_U64, K_BOOL, K_SWITCH } key_type;

typedef struct {
    const char *section, *key;
    key_type type;
    size_t off, size;
    uint64_t min, max;
    int (*check)(const char *v); /* extra validation of a string; 0 ok */
    /* or, for a string, a validation that says why: NULL ok, else the reason */
    const char *(*why)(const char *v);
} key_spec;

static int check_network(const char *v)
{
    return smn_network_by_name(v) ? 0 : -1;
}

static int check_level(const char *v)
{
    return strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") && strcmp(v, "error");
}

static int check_integrity(const char *v)
{
    return smn_db_check_parse(v) < 0;
}

static int check_raw_amount(const char *v)
{
    smn_amount_t a;
    return smn_amount_parse_raw(v, &a) == SMN_AMOUNT_OK ? 0 : -1;
}

/* Empty (0: every amount) or a raw amount. */
static int check_receive_minimum(const char *v)
{
    return *v ? check_raw_amount(v) : 0;
}

/* Empty (the default) or 16 hex digits of a work difficulty. */
static int check_difficulty(const char *v)
{
    uint64_t d;
    return *v && !smn_work_parse(v, &d);
}

/* Empty (the network's default) or a numeric IPv4/IPv6 address. */
static int check_address(const char *v)
{
    struct in6_addr a;
    return *v && inet_pton(AF_INET, v, &a) != 1 && inet_pton(AF_INET6, v, &a) != 1;
}

/* A command line the supervisor execs its children through: split as
 * smn_argv_split does (the program is looked up in PATH at start). */
static const char *why_wrapper(const char *v)
{
    char buf[sizeof(((ipc_config *)0)->sup_exec_wrapper)];
    char *argv[SMN_ARGV_SPLIT_MAX + 1];
    int n = smn_argv_split(v, buf, sizeof buf, argv, SMN_ARGV_SPLIT_MAX);
    return n < 0 ? smn_argv_split_strerror(n) : NULL;
}

#define STRW(s, k, f, why)                                                                         \
    {                                                                                              \
        s, k, K_STR, offsetof(ipc_config, f), sizeof(((ipc_config *)0)->f), 0, 0, NULL, why        \
    }
#define STR(s, k, f, chk)                                                                          \
    {                                                                                              \
        s, k, K_STR, offsetof(ipc_config, f), sizeof(((ipc_config *)0)->f), 0, 0, chk              \
    }
#define U32(s, k, f, lo, hi)                                                                       \
    {                                                                                              \
        s, k, K_U32, offsetof(ipc_config, f), 4, lo, hi, NULL                                      \
    }
#define U64(s, k, f, lo, hi)                                                                       \
    {                                                                                              \
        s, k, K_U64, offsetof(ipc_config, f), 8, lo, hi, NULL                                      \
    }
#define BOOL(s, k, f)                                                                              \
    {                                                                                              \
        s, k, K_BOOL, offsetof(ipc_config, f), 1, 0, 1, NULL                                       \
    }

#define SWITCH(s, k, f)                                                                            \
    {                                                                                              \
        s, k, K_SWITCH, offsetof(ipc_config, f), sizeof(ipc_switch), 0, 2, NULL                    \
    }

static const key_spec keys[] = {
    STR("node", "network", network, check_network),
    STR("node", "data_dir", data_dir, NULL),
    STR("node", "log_level", log_level, check_level),
    STR("node", "integrity_check", integrity_check, check_integrity),
    STR("rpc", "address", rpc_address, NULL),
    U32("rpc", "port", rpc_port, 0, 65535),
    SWITCH("rpc", "enable_control", rpc_enable_control),
    SWITCH("rpc", "auto_receive", rpc_auto_receive),
    SWITCH("rpc", "explorer", rpc_explorer),
    SWITCH("rpc", "metrics", rpc_metrics),
    U32("rpc", "work_threads", rpc_work_threads, 0, 64),
    U32("rpc", "work_queue_max", rpc_work_queue_max, 1, 4096),
    U32("rpc", "work_per_client_max", rpc_work_per_client_max, 1, 4096),
    STR("rpc", "work_max_difficulty", rpc_work_max_difficulty, check_difficulty),
    STR("rpc", "wallet_work_difficulty", rpc_wallet_work_difficulty, check_difficulty),
    U32("rpc", "max_connections", rpc_max_connections, 1, 65536),
    U32("rpc", "request_timeout_s", rpc_request_timeout_s, 1, 3600),
    U32("rpc", "wallet_kdf_ops", rpc_wallet_kdf_ops, 0, 16),
    U32("rpc", "wallet_kdf_mem_kib", rpc_wallet_kdf_mem_kib, 0, 1048576),
    U32("rpc", "kdf_threads", rpc_kdf_threads, 0, 16),
    U32("rpc", "kdf_queue_max", rpc_kdf_queue_max, 1, 64),
    STR("rpc", "receive_minimum", rpc_receive_minimum, check_receive_minimum),
    STR("net", "address", net_address, check_address),
    U32("net", "port", net_port, 0, 65535),
    STR("net", "peers", net_peers, NULL),
    U32("net", "max_peers", net_max_peers, 1, 1024),
    U32("net", "max_peers_per_address", net_max_peers_per_address, 0, 1024),
    U32("net", "reserved_outbound", net_reserved_outbound, 0, 1023),
    U32("net", "reserved_reps", net_reserved_reps, 0, 1023),
    U32("net", "max_pending", net_max_pending, 1, 1024),
    U32("net", "max_pending_per_address", net_max_pending_per_address, 1, 1024),
    U32("net", "handshake_timeout_ms", net_handshake_timeout_ms, 100, 60000),
    U32("net", "ban_s", net_ban_s, 1, 86400),
    BOOL("net", "ban_loopback", net_ban_loopback),
    U32("supervisor", "max_restarts", max_restarts, 0, 1000000),
    U32("supervisor", "max_restart_window_s", max_restart_window_s, 1, 86400),
    U32("supervisor", "shutdown_timeout_s", shutdown_timeout_s, 1, 3600),
    U32("supervisor", "heartbeat_interval_ms", heartbeat_interval_ms, 10, 3600000),
    U32("supervisor", "heartbeat_timeout_ms", heartbeat_timeout_ms, 10, 3600000),
    U32("supervisor", "start_timeout_ms", start_timeout_ms, 10, 86400000),
    U32("supervisor", "restart_backoff_ms", restart_backoff_ms, 0, 3600000),
    U32("supervisor", "restart_backoff_max_ms", restart_backoff_max_ms, 0, 3600000),
    STR("supervisor", "user", sup_user, NULL),
    SWITCH("supervisor", "allow_root", sup_allow_root),
    STRW("supervisor", "exec_wrapper", sup_exec_wrapper, why_wrapper),
    STR("elections", "online_weight_minimum", online_weight_minimum, check_raw_amount),
    STR("elections", "representative_key", elections_rep_key, NULL),
    STR("elections", "representative_password_file", elections_rep_password_file, NULL),
    U32("elections", "max_active", elections_max_active, 16, 1000000),
    U32("elections", "backlog", elections_backlog, 16, 10000000),
    U32("elections", "vote_request_ms", elections_vote_request_ms, 0, 600000),
    U64("ledger", "max_blocks_per_account", max_blocks_per_account, 0, UINT64_MAX),
    U32("ledger", "cement_slice", ledger_cement_slice, 1, 1000000),
    U32("ledger", "group_max", ledger_group_max, 1, 1000000),
    SWITCH("ws", "enable", ws_enable),
    STR("ws", "address", ws_address, check_address),
    U32("ws", "port", ws_port, 0, 65535),
    U32("ws", "max_clients", ws_max_clients, 1, 65536),
    U32("ws", "client_buffer", ws_client_buffer, 4096, 67108864),
    U32("ws", "slow_client_ms", ws_slow_client_ms, 10, 600000),
    U32("ws", "keepalive_s", ws_keepalive_s, 0, 3600),
    U32("ledger", "cache_mib", ledger_cache_mib, 2, 65536),
    U32("ledger", "max_unchecked", ledger_max_unchecked, 16, 100000000),
};

size_t ipc_config_nkeys(void)
{
    return sizeof keys / sizeof keys[0];
}

void ipc_config_defaults(ipc_config *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->network, "dev");
    strcpy(c->log_level, "info");
    strcpy(c->integrity_check, "quick");
    strcpy(c->rpc_address, "127.0.0.1");
    c->rpc_enable_control = IPC_SWITCH_AUTO;
    c->rpc_auto_receive = IPC_SWITCH_AUTO;
    c->rpc_explorer = IPC_SWITCH_ON;
    c->rpc_metrics = IPC_SWITCH_ON;
    c->net_max_peers = 64;
    c->net_max_peers_per_address = 4;
    c->net_reserved_outbound = 8;
    c->net_reserved_reps = 8;
    c->net_max_pending = 32;
    c->net_max_pending_per_address = 8;
    c->net_handshake_timeout_ms = 3000;
    c->net_ban_s = 900;
    c->rpc_work_queue_max = 64;
    c->rpc_work_per_client_max = 8;
    c->rpc_max_connections = 1024;
    c->rpc_request_timeout_s = 10;
    c->rpc_kdf_queue_max = 4;
    strcpy(c->online_weight_minimum, "0");
    c->elections_max_active = 5000;
    c->elections_backlog = 65536;
    c->elections_vote_request_ms = 500;
    c->max_restarts = 5;
    c->max_restart_window_s = 60;
    c->shutdown_timeout_s = 10;
    c->heartbeat_interval_ms = 1000;
    c->heartbeat_timeout_ms = 5000;
    c->start_timeout_ms = 600000;
    c->restart_backoff_ms = 100;
    c->restart_backoff_max_ms = 10000;
    c->ledger_cement_slice = 256;
    c->ledger_group_max = 16384;
    c->ws_enable = IPC_SWITCH_AUTO;
    strcpy(c->ws_address, "127.0.0.1");
    c->ws_max_clients = 256;
    c->ws_client_buffer = 1u << 20;
    c->ws_slow_client_ms = 5000;
    c->ws_keepalive_s = 30;
    c->sup_allow_root = IPC_SWITCH_AUTO;
    c->ledger_cache_mib = 64;
    c->ledger_max_unchecked = 65536;
}

static const key_spec *find(const char *section, const char *key)
{
    for (size_t i = 0; i < ipc_config_nkeys(); i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
            return &keys[i];
    return NULL;
}

static int parse_u64(const char *v, uint64_t *out)
{
    if (!*v || *v == '-' || *v == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || *end)
        return -1;
    *out = x;
    return 0;
}

int ipc_config_set(ipc_config *c, const char *section, const char *key, const char *value,
                   char *msg, size_t cap)
{
    const key_spec *k = find(section, key);
    if (!k) {
        snprintf(msg, cap, "unknown key '%s' in [%s]", key, section);
        return -EINVAL;
    }
    char *field = (char *)c + k->off;
    switch (k->type) {
    case K_STR:
        if (strlen(value) >= k->size) {
            snprintf(msg, cap, "[%s] %s: value longer than %zu bytes", section, key, k->size - 1);
            return -EINVAL;
        }
        if (k->check && k->check(value) != 0) {
            snprintf(msg, cap, "[%s] %s: invalid value '%s'", section, key, value);
            return -EINVAL;
        }
        if (k->why && k->why(value)) {
            snprintf(msg, cap, "[%s] %s: invalid value '%s': %s", section, key, value,
                     k->why(value));
            return -EINVAL;
        }
        strcpy(field, value);
        return 0;
    case K_SWITCH:
        if (strcmp(value, "auto") == 0) {
            *(ipc_switch *)field = IPC_SWITCH_AUTO;
            return 0;
        }
        if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0) {
            *(ipc_switch *)field = IPC_SWITCH_ON;
            return 0;
        }
        if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0 || strcmp(value, "0") == 0) {
            *(ipc_switch *)field = IPC_SWITCH_OFF;
            return 0;
        }
        snprintf(msg, cap, "[%s] %s: expected auto, true or false, got '%s'", section, key, value);
        return -EINVAL;
    case K_BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0) {
            *(bool *)field = true;
            return 0;
        }
        if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0 || strcmp(value, "0") == 0) {
            *(bool *)field = false;
            return 0;
        }
        snprintf(msg, cap, "[%s] %s: expected true or false, got '%s'", section, key, value);
        return -EINVAL;
    case K_U32:
    case K_U64: {
        uint64_t v;
        if (parse_u64(value, &v) != 0 || v < k->min || v > k->max) {
            snprintf(msg, cap,
                     "[%s] %s: expected an integer in [%" PRIu64 ", %" PRIu64 "], got '%s'",
                     section, key, k->min, k->max, value);
            return -EINVAL;
        }
        if (k->type == K_U32)
            *(uint32_t *)field = (uint32_t)v;
        else
            *(uint64_t *)field = v;
        return 0;
    }
    }
    return -EINVAL;
}

int ipc_config_set_pair(ipc_config *c, const char *pair, char *msg, size_t cap)
{
    const char *dot = strchr(pair, '.');
    const char *eq = strchr(pair, '=');
    if (!dot || !eq || dot > eq || dot - pair >= 32 || eq - dot - 1 >= 64) {
        snprintf(msg, cap, "expected section.key=value, got '%s'", pair);
        return -EINVAL;
    }
    char section[32], key[64];
    memcpy(section, pair, (size_t)(dot - pair));
    section[dot - pair] = '\0';
    memcpy(key, dot + 1, (size_t)(eq - dot - 1));
    key[eq - dot - 1] = '\0';
    return ipc_config_set(c, section, key, eq + 1, msg, cap);
}

typedef struct {
    ipc_config *c;
    char msg[256];
    bool failed;
} load_ctx;

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *l = user;
    if (l->failed)
        return 0;
    if (ipc_config_set(l->c, section, name, value, l->msg, sizeof l->msg) != 0) {
        l->failed = true;
        return 0;
    }
    return 1;
}

int ipc_config_load(ipc_config *c, const char *path, char *msg, size_t cap)
{
    load_ctx l = {.c = c};
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        snprintf(msg, cap, "%s: %s", path, strerror(e));
        return -e;
    }
    int r = ini_parse_file(f, on_ini, &l);
    fclose(f);
    if (r == 0)
        return 0;
    if (r < 0) {
        snprintf(msg, cap, "%s: cannot read (%d)", path, r);
        return -EIO;
    }
    /* inih reports the first bad line; our handler says what was wrong with it. */
    if (l.failed)
        snprintf(msg, cap, "%s:%d: %s", path, r, l.msg);
    else
        snprintf(msg, cap, "%s:%d: syntax error (expected [section] or key = value)", path, r);
    return -EINVAL;
}

bool ipc_config_switch(const ipc_config *c, ipc_switch s)
{
    if (s == IPC_SWITCH_AUTO)
        return strcmp(c->network, "dev") == 0;
    return s == IPC_SWITCH_ON;
}

int ipc_config_check(const ipc_config *c, char *msg, size_t cap)
{
    if (!c->data_dir[0]) {
        snprintf(msg, cap, "no data directory: give --data-dir or [node] data_dir");
        return -EINVAL;
    }
    if (c->heartbeat_timeout_ms < c->heartbeat_interval_ms) {
        snprintf(msg, cap, "[supervisor] heartbeat_timeout_ms must be >= heartbeat_interval_ms");
        return -EINVAL;
    }
    if (c->restart_backoff_max_ms < c->restart_backoff_ms) {
        snprintf(msg, cap, "[supervisor] restart_backoff_max_ms must be >= restart_backoff_ms");
        return -EINVAL;
    }
    return 0;
}

size_t ipc_config_pairs(const ipc_config *c, char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < ipc_config_nkeys() && n < max; i++) {
        const key_spec *k = &keys[i];
        const char *field = (const char *)c + k->off;
        char val[1100];
        switch (k->type) {
        case K_STR:
            snprintf(val, sizeof val, "%s", field);
            break;
        case K_BOOL:
            snprintf(val, sizeof val, "%s", *(const bool *)field ? "true" : "false");
            break;
        case K_SWITCH: {
            ipc_switch sw = *(const ipc_switch *)field;
            snprintf(val, sizeof val, "%s",
                     sw == IPC_SWITCH_AUTO ? "auto"
                     : sw == IPC_SWITCH_ON ? "true"
                                           : "false");
            break;
        }
        case K_U32:
            snprintf(val, sizeof val, "%" PRIu32, *(const uint32_t *)field);
            break;
        case K_U64:
            snprintf(val, sizeof val, "%" PRIu64, *(const uint64_t *)field);
            break;
        }
        size_t len = strlen(k->section) + strlen(k->key) + strlen(val) + 3;
        char *s = malloc(len);
        if (!s)
            break;
        snprintf(s, len, "%s.%s=%s", k->section, k->key, val);
        out[n++] = s;
    }
    return n;
}

void ipc_config_free_pairs(char **pairs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(pairs[i]);
}
