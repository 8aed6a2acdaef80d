/* The WebSocket messages (docs/websocket.md): the one decoder of what a
 * client sends (Nano's subscribe / unsubscribe / update / ping, JSON text)
 * and the builders of what the node sends (acks, errors and one message
 * per topic, Nano's shapes with smn_ addresses and raw decimal amounts).
 * Pure: no I/O, no clock (the caller passes the time). */
#ifndef WS_WSMSG_H
#define WS_WSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"
#include "ipc/schema_ledger.h"

#define WS_ID_MAX 64          /* a request's "id", echoed in its ack */
#define WS_ACCOUNTS_MAX 65536 /* accounts one client filters on */
#define WS_VM_TYPE_MAX 32

typedef enum {
    WS_ACTION_SUBSCRIBE,
    WS_ACTION_UNSUBSCRIBE,
    WS_ACTION_UPDATE,
    WS_ACTION_PING,
    WS_ACTION_COUNT
} ws_action;

typedef enum {
    WS_TOPIC_CONFIRMATION,
    WS_TOPIC_NEW_UNCONFIRMED_BLOCK,
    WS_TOPIC_VOTE,
    WS_TOPIC_STARTED_ELECTION,
    WS_TOPIC_STOPPED_ELECTION,
    WS_TOPIC_TELEMETRY,
    WS_TOPIC_BOOTSTRAP,
    WS_TOPIC_WORK,
    WS_TOPIC_VM,
    WS_TOPIC_COUNT
} ws_topic;

/* Nano's confirmation_type option. smallnano does not record why a block
 * was cemented, so every confirmation is "active_quorum" (docs/websocket.md
 * "Differences from Nano"). */
typedef enum {
    WS_CONF_ALL,
    WS_CONF_ACTIVE,
    WS_CONF_ACTIVE_QUORUM,
    WS_CONF_ACTIVE_CONFIRMATION_HEIGHT,
    WS_CONF_INACTIVE,
    WS_CONF_COUNT
} ws_conf_type;

const char *ws_action_name(ws_action a);
const char *ws_topic_name(ws_topic t);
const char *ws_conf_type_name(ws_conf_type t);
bool ws_topic_parse(const char *s, ws_topic *out);

/* A sorted set of accounts without duplicates. */
typedef struct {
    uint8_t (*v)[32];
    size_t n;
} ws_accounts;

bool ws_accounts_has(const ws_accounts *a, const uint8_t acc[32]);
/* a := a ∪ add (del: a := a \ add). false: out of memory or more than max. */
bool ws_accounts_merge(ws_accounts *a, const ws_accounts *add, size_t max);
void ws_accounts_remove(ws_accounts *a, const ws_accounts *del);
void ws_accounts_free(ws_accounts *a);

typedef struct {
    ws_action action;
    ws_topic topic; /* not for ping */
    bool ack;
    bool has_id;
    char id[WS_ID_MAX + 1];
    /* options; has_* says the client gave it */
    bool has_accounts;
    ws_accounts accounts;     /* subscribe: "accounts"; update: "accounts_add" */
    ws_accounts accounts_del; /* update: "accounts_del" */
    bool include_block;       /* default true, as in Nano */
    bool include_election_info;
    ws_conf_type conf_type;
    bool has_from;
    uint64_t from; /* resume after this cursor */
    /* vm topic filters */
    bool has_program, has_session, has_vm_type, has_account;
    uint8_t program[32];
    uint32_t session;
    char vm_type[WS_VM_TYPE_MAX + 1];
    uint8_t account[32];
} ws_request;

typedef enum {
    WS_PARSE_OK,
    WS_PARSE_MALFORMED, /* not a JSON object: the connection is closed */
    WS_PARSE_INVALID,   /* a JSON object with a bad field: answered with an error */
} ws_parse_status;

/* Decode one client message. err gets a one-line reason (not OK). The
 * request's id is set as far as it was read, so the error can carry it.
 * Release with ws_request_free() whatever the status. */
ws_parse_status ws_request_parse(const char *text, size_t len, ws_request *out, char *err,
                                 size_t errlen);
void ws_request_free(ws_request *r);

/* What the elections process reported when an election stopped (the
 * stopped_election topic, and the confirmation topic's election_info). */
typedef struct {
    uint8_t hash[32];
    const char *reason; /* confirmed, cemented, expired (ipc/schema_feed.h) */
    bool has_info;      /* confirmed: the figures below are set */
    uint64_t time_ms;   /* when it stopped (ms since the epoch) */
    uint64_t duration_ms;
    smn_amount_t tally, final_tally;
    uint64_t blocks, voters, request_count;
} ws_election;

/* One cemented block as the confirmation topic sends it. */
typedef struct {
    uint64_t seq; /* the cursor: its place in the ledger's cementing log */
    uint8_t hash[32];
    smn_block block;
    ledger_subtype subtype;
    smn_amount_t amount; /* |balance change|; the whole balance for an open */
    bool pruned;         /* pruned since it was cemented: only seq and hash are set */
    bool has_election;   /* election is what this node's election reported */
    ws_election election;
} ws_confirmation;

/* The account a confirmation filter matches: the block's account, and for a
 * send also its destination (Nano's rule). */
bool ws_confirmation_matches(const ws_confirmation *c, const ws_accounts *filter);

/* Builders: a malloc'ed NUL-terminated JSON text (*len its length), NULL
 * when out of memory. now_ms is the "time" field (ms since the epoch). */
char *ws_msg_ack(const char *ack, const char *id, uint64_t now_ms, size_t *len);
char *ws_msg_error(const char *message, const char *id, uint64_t now_ms, size_t *len);
/* include_election_info: adds Nano's "election_info" when c->has_election. */
char *ws_msg_confirmation(const ws_confirmation *c, bool include_block, bool include_election_info,
                          uint64_t now_ms, size_t *len);
char *ws_msg_started_election(const uint8_t hash[32], uint64_t now_ms, size_t *len);
char *ws_msg_stopped_election(const ws_election *e, uint64_t now_ms, size_t *len);

/* A peer's telemetry (Nano's telemetry topic, the fields smallnano has). */
typedef struct {
    uint8_t node_id[32];
    uint8_t signature[64];
    uint64_t block_count, cemented_count, account_count, peer_count, protocol_version, uptime;
    uint8_t genesis[32];
    uint64_t timestamp;
    char address[64]; /* the channel's address, without brackets */
    uint16_t port;
} ws_telemetry;
char *ws_msg_telemetry(const ws_telemetry *t, uint64_t now_ms, size_t *len);

/* A bootstrap attempt started or exited (Nano's bootstrap topic). */
typedef struct {
    const char *reason, *id, *mode;
    bool exited; /* total_blocks and duration_s are set */
    uint64_t total_blocks, duration_s;
} ws_bootstrap;
char *ws_msg_bootstrap(const ws_bootstrap *b, uint64_t now_ms, size_t *len);

/* A work generation's outcome (Nano's work topic). base: the network's
 * send threshold, for the multipliers. */
typedef struct {
    bool success;
    const char *reason; /* "" on success, as in Nano; cancelled, failure */
    uint64_t duration_ms;
    uint8_t root[32];
    uint64_t difficulty, work, result_difficulty, base;
} ws_work;
char *ws_msg_work(const ws_work *w, uint64_t now_ms, size_t *len);
char *ws_msg_new_block(const smn_block *b, ledger_subtype subtype, uint64_t now_ms, size_t *len);
/* A vote: representative, timestamp, block hashes (Nano's vote topic). */
char *ws_msg_vote(const uint8_t rep[32], const uint8_t sig[64], uint64_t timestamp,
                  const uint8_t (*hashes)[32], size_t n, uint64_t now_ms, size_t *len);

typedef struct {
    uint64_t cursor;
    uint8_t block_hash[32];
    uint64_t height;
    uint8_t account[32];
    uint32_t index;
    uint8_t program[32];
    uint32_t session;
    const char *type; /* NUL-terminated */
    uint64_t topic;
    const uint8_t *data;
    size_t data_len;
} ws_vm_event;

char *ws_msg_vm(const ws_vm_event *e, uint64_t now_ms, size_t *len);

#endif
