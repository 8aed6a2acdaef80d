/* The ledger family, served by smallnano-ledger on DATA_DIR/run/ledger.sock.
 * Hashes and accounts are bin(32), blocks bin(216) (the canonical wire form
 * of common/block.h), amounts bin(16) big-endian.
 *
 * Requests (any child: rpc, net, bootstrap, elections, vm):
 *   process    {block, origin}  -> process_result {hash, result}
 *              origin is one of "rpc", "net", "bootstrap", "wallet"; result
 *              is an ipc_ledger_result_name() ("accepted", "old", "fork",
 *              "gap_previous", "busy", ...). Sent after the block's batch
 *              committed (or, for gap_*, after it was stored as unchecked).
 *   process_batch {blocks: [block], origin} -> process_batch_result {results}
 *              1..IPC_LEDGER_MAX_BATCH blocks, queued in order as one run of
 *              `process` requests (the processor applies a queue's worth per
 *              transaction); results[i] is block i's result name, sent once
 *              the last one is known. A block the full queue refused is
 *              "busy" (and so are the ones after it).
 *   confirm    {hash, block?}   -> confirm_result {cemented, rolled_back?}
 *              cements hash and its dependencies; 0 if already cemented;
 *              "error" reply for an unknown block. `block` (the winner's
 *              wire form) lets the ledger settle a fork: when hash is not
 *              stored but another block on its root is, that block and
 *              everything built on it are rolled back (rolled_back counts
 *              them), the winner is applied and cemented. A cemented block
 *              is never rolled back ("error").
 *   subscribe  {topics?}        -> subscribed {}
 *              from then on that connection receives the notifications
 *              whose kinds `topics` names ("block_accepted", "fork",
 *              "block_cemented", "rolled_back"); without topics, all of
 *              them. An unknown topic is an "error" reply.
 *
 * Notifications (no id) to subscribers:
 *   block_accepted  {hash, block, height, subtype, amount, origin}
 *   fork            {hash, block, root}
 *   block_cemented  {hash, account, height, subtype, amount, prev_balance,
 *                    balance, link, source_account, seq}
 *                   in cementing order; seq is the persisted, global,
 *                   monotonic cementing sequence number.
 *   rolled_back     {hash, account, height}
 *                   a block removed by a fork's resolution, newest first.
 * subtype is one of "send", "receive", "open", "change"; origin is the
 * request's, or "unchecked" for a block released from the unchecked table
 * when its dependency landed.
 * Plus the common family (ping/pong/ok/error). */
#ifndef IPC_SCHEMA_LEDGER_H
#define IPC_SCHEMA_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include "ipc/msg.h"
#include "ipc/schema.h"
#include "ipc/schema_common.h"

#define IPC_LEDGER_HASH_BYTES 32u
#define IPC_LEDGER_BLOCK_BYTES 216u
#define IPC_LEDGER_AMOUNT_BYTES 16u
#define IPC_LEDGER_NAME_MAX 24u    /* result, subtype and origin names */
#define IPC_LEDGER_MAX_BATCH 1024u /* blocks in one process_batch */

extern const ipc_family ipc_family_ledger;

/* The family's kinds, in the order of its table (ipc_family_ledger.kinds[k]
 * is kind k). IPC_LEDGER_K_OTHER: a common-family kind (ping, ok, error). */
typedef enum {
    IPC_LEDGER_K_PROCESS = 0,
    IPC_LEDGER_K_PROCESS_RESULT,
    IPC_LEDGER_K_CONFIRM,
    IPC_LEDGER_K_CONFIRM_RESULT,
    IPC_LEDGER_K_SUBSCRIBE,
    IPC_LEDGER_K_SUBSCRIBED,
    IPC_LEDGER_K_BLOCK_ACCEPTED,
    IPC_LEDGER_K_FORK,
    IPC_LEDGER_K_BLOCK_CEMENTED,
    IPC_LEDGER_K_ROLLED_BACK,
    IPC_LEDGER_K_PROCESS_BATCH,
    IPC_LEDGER_K_PROCESS_BATCH_RESULT,
    IPC_LEDGER_K_UNCHECKED_CLEAR,
    IPC_LEDGER_K_UNCHECKED_CLEARED,
    IPC_LEDGER_K_COUNT,
    IPC_LEDGER_K_OTHER = IPC_LEDGER_K_COUNT
} ipc_ledger_kind;

/* The values that travel as names. Defined here, once, for the ledger
 * process and every client; the names are in schema_ledger.c's tables. */

/* `result` of process_result: what happened to one block. Every validation
 * rule has its own code so a peer, the RPC client or a test can tell
 * exactly which rule failed. */
typedef enum {
    LEDGER_ACCEPTED = 0,      /* "accepted": valid and applied */
    LEDGER_BAD_SIGNATURE,     /* Ed25519 signature does not verify */
    LEDGER_INSUFFICIENT_WORK, /* work below the threshold of the block's subtype */
    LEDGER_OLD,               /* already known (stored, or stored and pruned) */
    LEDGER_FORK,              /* previous already has a successor, or open of an existing account */
    LEDGER_GAP_PREVIOUS,      /* previous block unknown */
    LEDGER_GAP_SOURCE,        /* receive/open of an unknown send */
    LEDGER_ALREADY_RECEIVED,  /* the source is known but nothing is receivable from it */
    LEDGER_WRONG_DESTINATION, /* the source send is addressed to another account */
    LEDGER_BALANCE_MISMATCH, /* received amount differs from the send's, or a rise without source */
    LEDGER_BAD_CHANGE_LINK,  /* balance unchanged but link nonzero */
    LEDGER_BAD_OPEN,         /* open block with a zero link (an open must receive) */
    LEDGER_PREVIOUS_ACCOUNT, /* previous belongs to another account */
    LEDGER_PRUNED,           /* previous was pruned: the block forks cemented history */
    LEDGER_BUSY,             /* processor queue full: try again later */
    LEDGER_QUEUED,           /* accepted into the processor queue, result follows */
    LEDGER_ERROR,            /* storage failure: the batch was rolled back */
    LEDGER_RESULT_COUNT
} ledger_result;

/* `subtype` of block_accepted / block_cemented: follows from the balance
 * delta (and the previous field for open). */
typedef enum {
    LEDGER_SUBTYPE_SEND = 0,
    LEDGER_SUBTYPE_RECEIVE = 1,
    LEDGER_SUBTYPE_OPEN = 2,
    LEDGER_SUBTYPE_CHANGE = 3,
} ledger_subtype;
/* Not an enum value, so switches over ledger_subtype need no case for it. */
#define LEDGER_SUBTYPE_COUNT 4

/* `origin` of process and block_accepted: where a block came from. */
typedef enum {
    LEDGER_ORIGIN_RPC = 0,
    LEDGER_ORIGIN_NET,
    LEDGER_ORIGIN_BOOTSTRAP,
    LEDGER_ORIGIN_WALLET,
    LEDGER_ORIGIN_UNCHECKED, /* released from the unchecked table; never in a request */
    LEDGER_ORIGIN_COUNT
} ledger_origin;

/* Value -> name: static, never NULL ("unknown" out of range). */
const char *ipc_ledger_kind_name(ipc_ledger_kind k);
const char *ipc_ledger_result_name(ledger_result r);
const char *ipc_ledger_subtype_name(ledger_subtype t);
const char *ipc_ledger_origin_name(ledger_origin o);

/* Name (len bytes, not NUL-terminated) -> value: false for an unknown name. */
bool ipc_ledger_kind_parse(const char *s, size_t len, ipc_ledger_kind *out);
bool ipc_ledger_result_parse(const char *s, size_t len, ledger_result *out);
bool ipc_ledger_subtype_parse(const char *s, size_t len, ledger_subtype *out);
bool ipc_ledger_origin_parse(const char *s, size_t len, ledger_origin *out);

/* The kind of a message decoded against ipc_family_ledger (or an endpoint
 * of that family): compares the kind pointer with the table, no strings. */
ipc_ledger_kind ipc_ledger_kind_of(const ipc_msg *m);

#endif
