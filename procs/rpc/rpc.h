/* The JSON RPC core: the request context, the action table and the
 * JSON-in/JSON-out entry point. Nothing here knows about HTTP (http_server.h
 * is the thin evhttp layer on top), so the whole request handling is
 * testable without sockets and without a running node.
 *
 * Threading: a context and every call on it belong to one thread (the rpc
 * process's event loop). Asynchronous completions (rpc_submission_done)
 * must happen on that same thread. */
#ifndef SMN_RPC_H
#define SMN_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"
#include "common/network.h"
#include "ipc/ledgerdb/ro.h"
#include "ipc/ledgerdb/types.h"
#include "procs/rpc/kdf_pool.h"
#include "procs/rpc/wallet_sends.h"
#include "procs/rpc/wallet_store.h"
#include "procs/rpc/work_pool.h"

/* Requests larger than this are refused (HTTP 413) before parsing. */
#define RPC_MAX_BODY_BYTES (1024u * 1024u)
/* Upper bound of any list an action returns (count, hashes, accounts). */
#define RPC_MAX_COUNT 10000u
#define RPC_DEFAULT_COUNT 1000u

typedef struct rpc_ctx rpc_ctx;
typedef struct rpc_call rpc_call;
typedef struct rpc_submission rpc_submission;

/* Outcome of handing a block to the ledger, with Nano's `process` error
 * strings (rpc_process_strerror). The process maps the ledger's own result
 * codes onto these. */
typedef enum {
    RPC_PROCESS_PROGRESS = 0, /* accepted into the ledger */
    RPC_PROCESS_BAD_SIGNATURE,
    RPC_PROCESS_OLD, /* already known */
    RPC_PROCESS_NEGATIVE_SPEND,
    RPC_PROCESS_FORK,
    RPC_PROCESS_UNRECEIVABLE, /* source already received or not for this account */
    RPC_PROCESS_GAP_PREVIOUS,
    RPC_PROCESS_GAP_SOURCE,
    RPC_PROCESS_BALANCE_MISMATCH,
    RPC_PROCESS_BLOCK_POSITION,
    RPC_PROCESS_INSUFFICIENT_WORK,
    RPC_PROCESS_PRUNED,       /* previous below the pruning watermark */
    RPC_PROCESS_BAD_OPEN,     /* open block that receives nothing */
    RPC_PROCESS_LEDGER_ERROR, /* the ledger's storage failed */
    RPC_PROCESS_BUSY,         /* ledger queue full: try again */
    RPC_PROCESS_UNAVAILABLE,  /* ledger process unreachable or timed out */
    RPC_PROCESS_OTHER,
} rpc_process_status;

const char *rpc_process_strerror(rpc_process_status st);
/* The ledger library's result for a block, in these terms (for the process
 * wiring and for tests that drive the ledger library directly). */
rpc_process_status rpc_process_from_ledger(ledger_result r);

/* Hands a decoded, syntactically valid block to the ledger. It must call
 * rpc_submission_done(s, ...) exactly once: before returning (synchronous,
 * e.g. the ledger library in tests) or later on the context's thread (IPC).
 * The block is only valid during the call; copy it if needed. */
typedef void (*rpc_submit_fn)(void *user, const smn_block *b, rpc_submission *s);
void rpc_submission_done(rpc_submission *s, rpc_process_status st);

/* Live figures only the processes that own them know: net (peers, its
 * counters), elections (online weight, quorum, elections), bootstrap (its
 * scan). The rpc process's status link (status_link.h) asks each of them
 * every second and writes the answers here (rpc_ctx_stats); an action
 * treats a part older than RPC_STATS_STALE_NS, or never filled
 * (at_ns == 0), as unknown and says so. */
#define RPC_STATS_MAX_PEERS 1024u  /* IPC_NET_MAX_PEERS */
#define RPC_STATS_MAX_ONLINE 2048u /* IPC_ELECTIONS_MAX_ONLINE */
#define RPC_STATS_STALE_NS (5ull * 1000000000ull)
typedef struct {
    char endpoint[65]; /* "1.2.3.4:17075" as connected */
    uint8_t node_id[32];
    bool inbound;
    bool has_block_count;
    uint64_t block_count; /* from its last signed telemetry */
} rpc_peer;
typedef struct {
    uint8_t rep[32];
    smn_amount_t weight;
} rpc_online_rep;
typedef struct {
    uint64_t net_at_ns; /* rpc_monotonic_ns() of the answer; 0: none yet */
    size_t npeers;
    rpc_peer peers[RPC_STATS_MAX_PEERS];
    uint64_t known_peers, banned, port;
    uint8_t node_id[32];
    uint64_t blocks_in, blocks_out, votes_in, votes_out;
    /* reserved representative slots: inbound peers in them now, peers
     * proven / closed unproven since net started (0 from an older net) */
    uint64_t reserved, reps_proven, reps_unproven;

    uint64_t elections_at_ns;
    uint64_t our_reps, online_reps, active, max_active, backlog, confirmed;
    unsigned quorum_percent;
    smn_amount_t online_weight, trended_weight, online_minimum, quorum_delta;
    size_t nonline;
    rpc_online_rep online[RPC_STATS_MAX_ONLINE];

    uint64_t bootstrap_at_ns;
    char phase[17];
    uint64_t rounds, pulled, accepted, chains, missing, waiting;
    uint8_t cursor[32];
} rpc_node_stats;

typedef struct {
    const smn_network *net; /* required */
    const char *data_dir;   /* DIR with ledger.db and wallets.db; NULL: none */
    bool enable_control;    /* wallet and control actions allowed */
    wallet_kdf wallet_kdf;  /* new wallets' Argon2id limits; zero → interactive */
    /* work_generate refuses a difficulty above this; 0 → the send threshold
     * at Nano's default max_work_generate_multiplier (64x). */
    uint64_t work_max_difficulty;
    /* Blocks the wallet builds (send, receive, change, auto-receive) carry
     * work of at least this difficulty; 0 → the network's thresholds. */
    uint64_t wallet_work_difficulty;
    /* When the node (its supervisor) started, in CLOCK_BOOTTIME seconds:
     * `uptime` and telemetry count from there; 0: from this context. */
    uint64_t node_started_boot_s;
    /* Auto-receive leaves sends below this alone (Nano's receive_minimum;
     * receive_minimum_set changes it until rpc restarts). Zero: every amount. */
    smn_amount_t receive_minimum;
} rpc_config;

/* NULL on allocation failure or when cfg->net is NULL. The databases are
 * opened lazily on first use (the ledger process may create ledger.db after
 * rpc starts), so a missing DB is an error answer, not a start failure. */
rpc_ctx *rpc_ctx_new(const rpc_config *cfg);
/* Frees the context. Calls still pending are answered with "Shutting down". */
void rpc_ctx_free(rpc_ctx *ctx);
void rpc_ctx_set_submit(rpc_ctx *ctx, rpc_submit_fn fn, void *user);
/* Requests to other processes that answer one call (control_link.h): the
 * function sends it and answers c (rpc_reply...) when the reply comes. */
typedef enum {
    RPC_NODE_OP_STOP,            /* the supervisor stops the node */
    RPC_NODE_OP_BOOTSTRAP,       /* bootstrap starts a round now */
    RPC_NODE_OP_CONFIRM,         /* elections starts the election of `block` */
    RPC_NODE_OP_SEARCH,          /* auto-receive looks for receivables now */
    RPC_NODE_OP_ACTIVE,          /* elections lists its running elections' roots */
    RPC_NODE_OP_ELECTION,        /* elections describes one running election */
    RPC_NODE_OP_HISTORY,         /* elections lists its latest confirmations */
    RPC_NODE_OP_UNCHECKED_CLEAR, /* the ledger drops its unchecked blocks */
    RPC_NODE_OP_BACKLOG,         /* elections scans the ledger for unconfirmed blocks now */
    RPC_NODE_OP_KEEPALIVE,       /* net dials an endpoint */
    RPC_NODE_OP_PUBLISH,         /* net sends blocks to every peer */
    RPC_NODE_OP_TELEMETRY,       /* net's peers' telemetry (all, or the one at address:port) */
    RPC_NODE_OP_BOOTSTRAP_FROM,  /* net dials address:port, then bootstrap starts a round */
    RPC_NODE_OP_PULL_CHAIN,      /* net pulls the chain ending at net_req.hash from a peer */
} rpc_node_op;
/* What RPC_NODE_OP_ACTIVE / _ELECTION / _HISTORY ask; the call carries it
 * (rpc_call_election_query) until it is answered. */
/* What RPC_NODE_OP_KEEPALIVE / _PUBLISH ask of net; the call carries it
 * (rpc_call_net_request) until it is answered, and frees it then. */
#define RPC_REPUBLISH_MAX 2048u /* IPC_NET_MAX_PUBLISH: blocks in one republish */
typedef struct {
    char address[64]; /* KEEPALIVE, TELEMETRY (port != 0), BOOTSTRAP_FROM: numeric IP */
    uint16_t port;
    bool self;        /* TELEMETRY: this node's own, as net signs it for its peers */
    uint8_t hash[32]; /* PULL_CHAIN */
    void *link;       /* BOOTSTRAP_FROM: the control link, for its second request */
    uint8_t (*blocks)[SMN_BLOCK_WIRE_BYTES]; /* PUBLISH: wire forms, in order */
    size_t nblocks, capblocks;
    json_t *answer; /* PUBLISH: what the call answers once net has sent them */
} rpc_net_request;
rpc_net_request *rpc_call_net_request(rpc_call *c);
/* This node's telemetry from rpc's own reads (ledger.db, the status
 * figures), in Nano's field names; NULL after answering c with an error. */
json_t *rpc_telemetry_local(rpc_call *c);
typedef struct {
    bool has_root; /* ACTIVE: list the roots after `root`; ELECTION: that root */
    uint8_t root[32];
    uint64_t count;  /* ACTIVE: at most this many roots */
    bool contents;   /* ELECTION: each block's contents */
    bool json_block; /* ... as an object, not a string */
} rpc_election_query;
const rpc_election_query *rpc_call_election_query(const rpc_call *c);
/* block: RPC_NODE_OP_CONFIRM's block (only valid during the call), else NULL. */
typedef void (*rpc_node_op_fn)(void *user, rpc_node_op op, rpc_call *c, const smn_block *block);
void rpc_ctx_set_node_ops(rpc_ctx *ctx, rpc_node_op_fn fn, void *user);
/* The live figures, for the status link to fill (and the actions to read). */
rpc_node_stats *rpc_ctx_stats(rpc_ctx *ctx);
/* True when that part (one of the *_at_ns of s) is fresh enough to show. */
bool rpc_stats_fresh(uint64_t at_ns);
/* Where work_generate and the wallet actions get proof of work (the pool
 * must outlive the context). Without one they answer "Work generation
 * unavailable". */
void rpc_ctx_set_work_pool(rpc_ctx *ctx, rpc_work_pool *pool);
/* The loop long read-only actions yield to between their slices
 * (procs/rpc/slices.h); without one (unit tests) they run in one go. */
struct event_base;
void rpc_ctx_set_base(rpc_ctx *ctx, struct event_base *base);
rpc_work_pool *rpc_ctx_work_pool(const rpc_ctx *ctx);
/* Where the wallet actions run Argon2id (wallet_create, password_enter,
 * password_change), off the loop (the pool must outlive the context).
 * Without one they answer "Key derivation unavailable". */
void rpc_ctx_set_kdf_pool(rpc_ctx *ctx, rpc_kdf_pool *pool);
rpc_kdf_pool *rpc_ctx_kdf_pool(const rpc_ctx *ctx);
/* Another owner of wallet blocks (auto-receive) tells the wallet actions
 * which accounts it is building on, so the two never share a frontier. */
typedef bool (*rpc_account_busy_fn)(void *user, const uint8_t account[32]);
void rpc_ctx_set_account_busy(rpc_ctx *ctx, rpc_account_busy_fn fn, void *user);
/* Auto-receive's minimum amount (rpc_config.receive_minimum, or what
 * receive_minimum_set set since). */
smn_amount_t rpc_ctx_receive_minimum(const rpc_ctx *ctx);
/* The effective limits (the configured ones, or their defaults). */
uint64_t rpc_ctx_work_max_difficulty(const rpc_ctx *ctx);
uint64_t rpc_ctx_wallet_difficulty(const rpc_ctx *ctx, bool receive_or_open);
/* The context's read-only ledger and wallet store, opened on first use and
 * shared by the actions and auto-receive (one event-loop thread), so a
 * wallet unlocked through RPC is unlocked for both. The wallet store unlocks
 * every wallet with the empty password when it opens, as Nano. NULL (and
 * logged) when it cannot be opened; the next call tries again. */
ledger_ro *rpc_ctx_ledger(rpc_ctx *ctx);
wallet_store *rpc_ctx_wallets(rpc_ctx *ctx);
/* Closes the ledger after a failed read so the next use reopens it. */
void rpc_ctx_ledger_reset(rpc_ctx *ctx);
/* SQLite VM steps of every ledger read this process made (ledger_ro_steps
 * summed over its connections): the ledger_read_steps_total metric. */
uint64_t rpc_ctx_ledger_steps(const rpc_ctx *ctx);

/* Called when an answer is ready: HTTP status (200, 400, 503, ...) and the
 * JSON text, which the callee owns (free()). */
typedef void (*rpc_done_fn)(void *arg, int http_status, char *json_text);

/* Handles one request body (not necessarily NUL-terminated). done() is called
 * exactly once, possibly before this returns. Returns 0, or -ENOMEM (done
 * not called). */
int rpc_handle_async(rpc_ctx *ctx, const char *body, size_t len, rpc_done_fn done, void *arg);
/* The same for a named client (the HTTP peer's address): the work pool's
 * per-client limit counts by this name. */
int rpc_handle_async_from(rpc_ctx *ctx, const char *client, const char *body, size_t len,
                          rpc_done_fn done, void *arg);

/* Synchronous form: *json_out is heap text owned by the caller. Returns 0;
 * -EINPROGRESS if an action went asynchronous (its answer is discarded);
 * -ENOMEM. */
int rpc_handle(rpc_ctx *ctx, const char *body, size_t len, int *http_status, char **json_out);

/* ---- for action implementations (actions_*.c, args.c, dispatch.c) ---- */

enum {
    RPC_ACTION_CONTROL = 1u << 0, /* refused unless enable_control */
};

typedef void (*rpc_action_fn)(rpc_call *c, const json_t *req);
typedef struct {
    const char *name;
    rpc_action_fn fn;
    unsigned flags;
    const char *fields; /* the request fields it implements, space-separated */
} rpc_action;

/* The table, sorted by name (binary search); n set to its length. */
const rpc_action *rpc_actions(size_t *n);
const rpc_action *rpc_action_find(const char *name);

/* For an action of Nano's reference that smn does not offer, the reason
 * (as docs/rpc.md's table gives it); NULL for any other name. */
const char *rpc_action_refused(const char *name);

/* Every action answers exactly once through one of these; they take
 * ownership of the JSON object. */
void rpc_reply(rpc_call *c, json_t *obj);
void rpc_reply_error(rpc_call *c, const char *msg);
void rpc_reply_status(rpc_call *c, int http_status, json_t *obj);

rpc_ctx *rpc_call_ctx(rpc_call *c);
const smn_network *rpc_ctx_net(const rpc_ctx *ctx);

/* Submits a block from an action (process, wallet send/receive/change). When
 * the ledger accepts it, the call is answered with {key: HASH} plus `extra`
 * fields if given (owned); otherwise with the process error. A wallet block
 * marks its account in flight until the ledger answered (see below). */
void rpc_submit_block(rpc_call *c, const smn_block *b, const char *key, json_t *extra);
/* The same for a block the ledger may hold already (a send id's block
 * resubmitted): "old" is answered like progress. */
void rpc_submit_block_again(rpc_call *c, const smn_block *b, const char *key);
/* True while a wallet-built block of this account waits for the ledger: a
 * second one built now would reuse the same frontier and fork the account,
 * so wallet actions answer "Account has a block in flight, retry" instead. */
bool rpc_account_in_flight(const rpc_ctx *ctx, const uint8_t account[32]);

/* Argument decoders: on failure they answer the call with Nano's error and
 * return false, so an action simply returns. */
bool rpc_arg_account(rpc_call *c, const json_t *req, const char *key, uint8_t pub[32]);
bool rpc_arg_hash(rpc_call *c, const json_t *req, const char *key, uint8_t hash[32]);
bool rpc_arg_amount(rpc_call *c, const json_t *req, const char *key, smn_amount_t *out);
/* Optional count: *out = dflt when absent; "Invalid count limit" when not a
 * number in 1..max (0 means dflt, as Nano's "0 = all"). */
bool rpc_arg_count(rpc_call *c, const json_t *req, const char *key, uint64_t dflt, uint64_t max,
                   uint64_t *out);
/* The same, also taking Nano's "-1" (string or number): everything, up to
 * `max`; *all tells the action so it can say when there was more. */
bool rpc_arg_count_all(rpc_call *c, const json_t *req, const char *key, uint64_t dflt, uint64_t max,
                       uint64_t *out, bool *all);
/* Optional list of addresses (at most RPC_MAX_COUNT): *out malloc'd (free
 * it), NULL and *n = 0 when absent. False after answering. */
bool rpc_arg_account_list(rpc_call *c, const json_t *req, const char *key, uint8_t (**out)[32],
                          size_t *n);
/* Every field of req but "action" is a word of `fields` (space-separated);
 * otherwise answers "Unsupported field: X (not an option of ACTION)" and
 * returns false. The dispatcher runs it with the action's table entry, so an
 * option no action implements is refused, never silently ignored. */
bool rpc_args_known(rpc_call *c, const json_t *req, const char *fields);
/* Optional unsigned number (JSON integer or decimal string); *out untouched
 * when absent; `errmsg` when malformed. */
bool rpc_arg_u64(rpc_call *c, const json_t *req, const char *key, const char *errmsg,
                 uint64_t *out);
/* Optional flag: JSON true/false or Nano's "true"/"false"/"1"/"0". */
bool rpc_arg_bool(rpc_call *c, const json_t *req, const char *key, bool dflt, bool *out);
/* "block": a JSON object, or a string holding one (Nano's json_block
 * either way); "Block is invalid: <reason>" otherwise. */
bool rpc_arg_block(rpc_call *c, const json_t *req, smn_block *b);
/* Required string field; "Missing field: <key>" / "Bad <key>" otherwise. */
const char *rpc_arg_string(rpc_call *c, const json_t *req, const char *key);

/* Small response builders. */
json_t *rpc_json_amount(smn_amount_t v);
json_t *rpc_json_hash(const uint8_t h[32]);
json_t *rpc_json_account(const uint8_t pub[32]);
json_t *rpc_json_u64(uint64_t v);  /* decimal string, as Nano */
json_t *rpc_json_work(uint64_t v); /* 16 lower-case hex digits, as Nano writes work */
/* Nano's json_block of b (smn_block_to_json with lower-case work). */
json_t *rpc_json_block(const smn_block *b);

/* Handlers, one per action, grouped by file. */
/* actions_util.c */
void rpc_action_work_generate(rpc_call *c, const json_t *req);
void rpc_action_work_validate(rpc_call *c, const json_t *req);
void rpc_action_work_cancel(rpc_call *c, const json_t *req);
void rpc_action_key_create(rpc_call *c, const json_t *req);
void rpc_action_key_expand(rpc_call *c, const json_t *req);
void rpc_action_validate_account_number(rpc_call *c, const json_t *req);
void rpc_action_raw_to_smn(rpc_call *c, const json_t *req);
void rpc_action_smn_to_raw(rpc_call *c, const json_t *req);
void rpc_action_block_hash(rpc_call *c, const json_t *req);
/* actions_node.c */
void rpc_action_version(rpc_call *c, const json_t *req);
void rpc_action_uptime(rpc_call *c, const json_t *req);
void rpc_action_block_count(rpc_call *c, const json_t *req);
void rpc_action_telemetry(rpc_call *c, const json_t *req);
void rpc_action_representatives(rpc_call *c, const json_t *req);
void rpc_action_confirmation_quorum(rpc_call *c, const json_t *req);
/* actions_accounts.c */
void rpc_action_accounts_frontiers(rpc_call *c, const json_t *req);
void rpc_action_accounts_representatives(rpc_call *c, const json_t *req);
void rpc_action_accounts_receivable(rpc_call *c, const json_t *req); /* and accounts_pending */
void rpc_action_account_block_count(rpc_call *c, const json_t *req);
void rpc_action_block_account(rpc_call *c, const json_t *req);
void rpc_action_receivable_exists(rpc_call *c, const json_t *req); /* and pending_exists */
void rpc_action_available_supply(rpc_call *c, const json_t *req);
/* actions_util.c (more) and actions_block.c (more) */
void rpc_action_account_get(rpc_call *c, const json_t *req);
void rpc_action_account_key(rpc_call *c, const json_t *req);
void rpc_action_deterministic_key(rpc_call *c, const json_t *req);
void rpc_action_blocks(rpc_call *c, const json_t *req);
/* actions_wallet_info.c (control) */
void rpc_action_wallet_balances(rpc_call *c, const json_t *req);
void rpc_action_wallet_info(rpc_call *c, const json_t *req);
void rpc_action_wallet_frontiers(rpc_call *c, const json_t *req);
void rpc_action_wallet_locked(rpc_call *c, const json_t *req);
void rpc_action_password_valid(rpc_call *c, const json_t *req);
void rpc_action_wallet_lock(rpc_call *c, const json_t *req);
void rpc_action_wallet_representative(rpc_call *c, const json_t *req);
void rpc_action_wallet_representative_set(rpc_call *c, const json_t *req);
void rpc_action_wallet_contains(rpc_call *c, const json_t *req);
void rpc_action_wallet_destroy(rpc_call *c, const json_t *req);
void rpc_action_accounts_create(rpc_call *c, const json_t *req);
void rpc_action_account_remove(rpc_call *c, const json_t *req);
void rpc_action_wallet_ledger(rpc_call *c, const json_t *req);
void rpc_action_wallet_history(rpc_call *c, const json_t *req);
/* actions_unchecked.c */
void rpc_action_unchecked(rpc_call *c, const json_t *req);
void rpc_action_unchecked_get(rpc_call *c, const json_t *req);
void rpc_action_unchecked_keys(rpc_call *c, const json_t *req);
void rpc_action_unchecked_clear(rpc_call *c, const json_t *req); /* control */
void rpc_action_frontier_count(rpc_call *c, const json_t *req);
/* actions_create.c (control) */
void rpc_action_block_create(rpc_call *c, const json_t *req);
void rpc_action_sign(rpc_call *c, const json_t *req);
/* actions_network.c */
void rpc_action_peers(rpc_call *c, const json_t *req);
void rpc_action_representatives_online(rpc_call *c, const json_t *req);
void rpc_action_election_statistics(rpc_call *c, const json_t *req);
void rpc_action_stats(rpc_call *c, const json_t *req);
void rpc_action_stats_clear(rpc_call *c, const json_t *req);
void rpc_action_populate_backlog(rpc_call *c, const json_t *req); /* control */
void rpc_action_bootstrap_status(rpc_call *c, const json_t *req);
void rpc_action_node_id(rpc_call *c, const json_t *req);
void rpc_action_stop(rpc_call *c, const json_t *req);          /* control */
void rpc_action_bootstrap_any(rpc_call *c, const json_t *req); /* control */
void rpc_action_block_confirm(rpc_call *c, const json_t *req);
void rpc_action_search_receivable(rpc_call *c, const json_t *req); /* control; and _all */
/* actions_account.c */
void rpc_action_account_info(rpc_call *c, const json_t *req);
void rpc_action_account_balance(rpc_call *c, const json_t *req);
void rpc_action_account_history(rpc_call *c, const json_t *req);
void rpc_action_account_representative(rpc_call *c, const json_t *req);
void rpc_action_account_weight(rpc_call *c, const json_t *req);
void rpc_action_accounts_balances(rpc_call *c, const json_t *req);
void rpc_action_frontiers(rpc_call *c, const json_t *req);
void rpc_action_receivable(rpc_call *c, const json_t *req);
/* actions_block.c */
void rpc_action_block_info(rpc_call *c, const json_t *req);
void rpc_action_blocks_info(rpc_call *c, const json_t *req);
void rpc_action_chain(rpc_call *c, const json_t *req); /* and successors */
/* actions_process.c */
void rpc_action_process(rpc_call *c, const json_t *req);
/* actions_wallet.c */
void rpc_action_wallet_create(rpc_call *c, const json_t *req);
void rpc_action_account_create(rpc_call *c, const json_t *req);
void rpc_action_account_list(rpc_call *c, const json_t *req);
void rpc_action_wallet_list(rpc_call *c, const json_t *req); /* smallnano extension */
void rpc_action_send(rpc_call *c, const json_t *req);
void rpc_action_receive(rpc_call *c, const json_t *req);
void rpc_action_wallet_receivable(rpc_call *c, const json_t *req);
void rpc_action_account_representative_set(rpc_call *c, const json_t *req);
void rpc_action_password_enter(rpc_call *c, const json_t *req);
void rpc_action_password_change(rpc_call *c, const json_t *req);
void rpc_action_wallet_add(rpc_call *c, const json_t *req);
/* actions_ledger_walk.c (bounded walks over accounts and receivables) */
void rpc_action_delegators(rpc_call *c, const json_t *req);
void rpc_action_delegators_count(rpc_call *c, const json_t *req);
void rpc_action_unopened(rpc_call *c, const json_t *req); /* control */
void rpc_action_ledger(rpc_call *c, const json_t *req);   /* control */
/* actions_wallet_admin.c (control) */
void rpc_action_receive_minimum(rpc_call *c, const json_t *req);
void rpc_action_receive_minimum_set(rpc_call *c, const json_t *req);
void rpc_action_account_move(rpc_call *c, const json_t *req);
void rpc_action_wallet_change_seed(rpc_call *c, const json_t *req);
/* actions_republish.c (control: net carries them out; bootstrap, then
 * the bootstrap process) */
void rpc_action_keepalive(rpc_call *c, const json_t *req);
void rpc_action_republish(rpc_call *c, const json_t *req);
void rpc_action_wallet_republish(rpc_call *c, const json_t *req);
void rpc_action_bootstrap(rpc_call *c, const json_t *req);
void rpc_action_bootstrap_lazy(rpc_call *c, const json_t *req);
/* actions_wallet_keys.c (control) */
void rpc_action_wallet_export(rpc_call *c, const json_t *req);
void rpc_action_wallet_add_watch(rpc_call *c, const json_t *req);
/* actions_wallet_work.c (control: the wallet's work cache) */
void rpc_action_work_get(rpc_call *c, const json_t *req);
void rpc_action_work_set(rpc_call *c, const json_t *req);
void rpc_action_wallet_work_get(rpc_call *c, const json_t *req);
/* actions_elections.c (the running elections, asked of elections) */
void rpc_action_confirmation_active(rpc_call *c, const json_t *req);
void rpc_action_confirmation_info(rpc_call *c, const json_t *req);
void rpc_action_confirmation_history(rpc_call *c, const json_t *req);
/* actions_vm.c (NanoVM, issue 15) */
void rpc_action_vm_programs(rpc_call *c, const json_t *req);
void rpc_action_vm_program_info(rpc_call *c, const json_t *req);
void rpc_action_vm_storage(rpc_call *c, const json_t *req);
void rpc_action_vm_boxes(rpc_call *c, const json_t *req);
void rpc_action_vm_balances(rpc_call *c, const json_t *req);
void rpc_action_vm_token(rpc_call *c, const json_t *req);
void rpc_action_vm_state(rpc_call *c, const json_t *req);
void rpc_action_vm_events(rpc_call *c, const json_t *req);
void rpc_action_vm_view(rpc_call *c, const json_t *req);
/* actions_vm_write.c */
void rpc_action_vm_message(rpc_call *c, const json_t *req);
void rpc_action_vm_message_status(rpc_call *c, const json_t *req);
void rpc_action_vm_send(rpc_call *c, const json_t *req);

/* ---- internals shared by the action files (not for other modules) ---- */

/* What `stats` subtracts from the processes' counters since stats_clear
 * (the counters themselves belong to net, elections and bootstrap). */
typedef struct {
    uint64_t blocks_in, blocks_out, votes_in, votes_out, confirmed, rounds, pulled, accepted;
    uint64_t reps_proven, reps_unproven;
    uint64_t cleared_ns; /* rpc_monotonic_ns() of the last stats_clear; 0: none */
} rpc_stats_base;

struct rpc_ctx {
    rpc_config cfg;
    char *data_dir; /* owned copy of cfg.data_dir */
    rpc_submit_fn submit;
    void *submit_user;
    rpc_node_stats *stats; /* allocated with the context */
    rpc_node_op_fn node_op;
    void *node_op_user;
    uint64_t started_ns; /* CLOCK_MONOTONIC at creation: uptime */
    rpc_call *pending;   /* calls waiting for an asynchronous answer */
    rpc_work_pool *work;
    rpc_kdf_pool *kdf;
    rpc_account_busy_fn account_busy;
    void *account_busy_user;
    ledger_ro *ledger;            /* opened on first use, reopened after a failure */
    uint64_t ledger_steps_closed; /* ledger_ro_steps of the connections closed */
    wallet_store *wallets;
    smn_amount_t receive_minimum; /* auto-receive's, see rpc_ctx_receive_minimum */
    rpc_stats_base stats_base;    /* stats_clear's baseline (actions_network.c) */
    struct event_base *base;      /* rpc_ctx_set_base */
};

struct rpc_call {
    rpc_ctx *ctx;
    const char *action; /* static name from the table */
    rpc_done_fn done;
    void *done_arg;
    bool pending;
    rpc_call *next_pending;
    rpc_submission *submission; /* while a block is with the ledger */
    char client[RPC_WORK_CLIENT_MAX];
    /* While proof of work runs for this call (actions_work.c). */
    rpc_work_job *work_job;
    struct rpc_slices *slices; /* while a long action runs in slices (slices.h) */
    void (*work_fn)(rpc_call *c, int status, uint64_t nonce);
    uint8_t work_root[32];
    bool work_block_set; /* a wallet block waits for its work: its account is in flight */
    smn_block work_block;
    /* While Argon2id runs for this call (call_kdf.c): the job, what to
     * run on the loop with its key, and the action's state meanwhile. */
    rpc_kdf_job *kdf_job;
    void (*kdf_fn)(rpc_call *c, int status, const uint8_t key[WALLET_KEY_BYTES]);
    wallet_kdf_params kdf_params;
    uint8_t kdf_wallet[WALLET_ID_BYTES];
    wallet_draft *kdf_draft; /* wallet_create's new wallet; freed with the call */
    /* send with an `id` (wallet_sends.h): recorded before the block goes
     * to the ledger; empty for every other call */
    char send_id[WALLET_SEND_ID_MAX + 1];
    bool json_block;             /* block_create: the block as an object, not a string */
    rpc_election_query election; /* confirmation_active / confirmation_info */
    rpc_net_request net_req;     /* keepalive, republish, wallet_republish */
    uint8_t send_wallet[WALLET_ID_BYTES];
};

struct rpc_submission {
    rpc_call *call; /* NULL once the call was abandoned (context freed) */
    uint8_t account[32];
    uint8_t hash[32];
    char key[16];
    json_t *extra;
    bool old_ok; /* a send id's recorded block again: "old" is success */
};

/* Starts proof of work for c on the context's pool: c goes pending and
 * fn(c, 0 | -ECANCELED, nonce) runs later on the loop. False after
 * answering (no pool, queue full, client limit). */
bool rpc_call_work(rpc_call *c, const uint8_t root[32], uint64_t difficulty,
                   void (*fn)(rpc_call *c, int status, uint64_t nonce));

/* Starts Argon2id(password, p) for c on the context's KDF pool: c goes
 * pending and fn(c, status, key) runs later on the loop (status 0, or
 * wallet_crypto_derive's negative errno; key only valid during the call).
 * False after answering (no pool, queue full, password too long). */
bool rpc_call_kdf(rpc_call *c, const char *password, const wallet_kdf_params *p,
                  void (*fn)(rpc_call *c, int status, const uint8_t key[WALLET_KEY_BYTES]));

/* True (and *work set) when a wallet caches work for the account that is
 * valid for root at difficulty (work_set, actions_wallet_work.c). */
bool rpc_cached_work(rpc_ctx *ctx, const uint8_t account[32], const uint8_t root[32],
                     uint64_t difficulty, uint64_t *work);

/* Work figures as Nano shows them (actions_work.c). */
json_t *rpc_json_multiplier(uint64_t base, uint64_t value);
json_t *rpc_json_difficulty(uint64_t v);
bool rpc_arg_difficulty(rpc_call *c, const json_t *req, uint64_t dflt, uint64_t *out);

/* Hands c to the context's node operations (rpc_ctx_set_node_ops), or
 * answers 503 "Node control unavailable" without them. */
void rpc_call_node_op(rpc_call *c, rpc_node_op op, const smn_block *b);
/* Marks a call as answered later (the context tracks it until then). */
void rpc_call_go_pending(rpc_call *c);
uint64_t rpc_monotonic_ns(void);
uint64_t rpc_boottime_s(void); /* CLOCK_BOOTTIME */
uint64_t rpc_wall_ms(void);    /* milliseconds since the epoch */
/* Seconds since the node started (rpc_config.node_started_boot_s). */
uint64_t rpc_node_uptime_s(const rpc_ctx *ctx);
json_t *rpc_json_node_id(const uint8_t id[32]); /* Nano's "node_" + account encoding */
void rpc_ctx_close_dbs(rpc_ctx *ctx);
/* The ledger (read-only) or the wallet store, opened on first use. NULL
 * after answering the call with an error when it cannot be opened. */
ledger_ro *rpc_ledger(rpc_call *c);
wallet_store *rpc_wallets(rpc_call *c);
/* Answers a failed ledger read (not NOT_FOUND: callers answer that with
 * the action's own "... not found") and drops the handle so the next call
 * reopens it. */
void rpc_reply_ledger_error(rpc_call *c, ledger_status st);
/* The account's or the block's record; false after answering "Account not
 * found" / "Block not found" or the failed read. */
bool rpc_ledger_account(rpc_call *c, ledger_ro *l, const uint8_t account[32],
                        ledger_account_info *out);
bool rpc_ledger_block(rpc_call *c, ledger_ro *l, const uint8_t hash[32], ledger_block_record *out);
/* The wallet store and the existing wallet named by "wallet"; NULL after
 * answering (actions_wallet.c). */
wallet_store *rpc_open_wallet(rpc_call *c, const json_t *req, uint8_t id[WALLET_ID_BYTES]);
/* The same and the wallet's accounts in creation order (*pubs malloc'd:
 * free it; NULL when none); NULL after answering. */
wallet_store *rpc_open_wallet_accounts(rpc_call *c, const json_t *req, uint8_t id[WALLET_ID_BYTES],
                                       uint8_t (**pubs)[32], size_t *n);
void rpc_reply_wallet_error(rpc_call *c, wallet_status st);
/* Shared by the account and wallet forms of `receivable` (actions_account.c). */
typedef struct {
    uint64_t count;
    smn_amount_t threshold;
    bool by_amount; /* threshold given: {hash: amount} */
    bool source;    /* {hash: {amount, source}} */
    bool confirmed; /* include_only_confirmed (default true): cemented sends only */
} rpc_receivable_opts;
bool rpc_receivable_args(rpc_call *c, const json_t *req, rpc_receivable_opts *o);
json_t *rpc_receivable_json(rpc_call *c, ledger_ro *l, const uint8_t acc[32],
                            const rpc_receivable_opts *o);
/* The same for one account of a list (accounts_receivable,
 * wallet_receivable) that shares *budget entries (RPC_MAX_COUNT per
 * request): at most min(o->count, *budget) entries, taken off *budget;
 * *cut when the budget stopped the account's list early (the caller stops
 * there and names the account in "next_index"). */
json_t *rpc_receivable_json_budget(rpc_call *c, ledger_ro *l, const uint8_t acc[32],
                                   const rpc_receivable_opts *o, size_t *budget, bool *cut);

#endif
