/* Types shared by the ledger library: validation results, operational
 * status codes, block subtypes and the records the store hands out. */
#ifndef LEDGER_TYPES_H
#define LEDGER_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"

/* What happened to one block. Every validation rule has its own code so a
 * peer, the RPC client or a test can tell exactly which rule failed. */
typedef enum {
    LEDGER_ACCEPTED = 0,      /* valid and applied */
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

/* Operational status of store, confirmation, pruning and read calls. */
typedef enum {
    LEDGER_STATUS_OK = 0,
    LEDGER_STATUS_NOT_FOUND, /* no such block / account */
    LEDGER_STATUS_IO,        /* SQLite failed; see the message */
    LEDGER_STATUS_NOMEM,
    LEDGER_STATUS_WRONG_NETWORK, /* data dir belongs to another network */
    LEDGER_STATUS_NEWER_SCHEMA,  /* data dir written by a newer build */
    LEDGER_STATUS_WRONG_GENESIS, /* same network name, different genesis */
    LEDGER_STATUS_CORRUPT,       /* a stored row failed to decode */
    LEDGER_STATUS_INVALID,       /* bad argument */
    LEDGER_STATUS_CEMENTED,      /* a rollback would remove a cemented block: refused */
    LEDGER_STATUS_TOO_LARGE,     /* a rollback would remove more blocks than its bound */
    LEDGER_STATUS_REJECTED,      /* the block failed validation (the result says which rule) */
} ledger_status;

/* Follows from the balance delta (and the previous field for open). */
typedef enum {
    LEDGER_SUBTYPE_SEND = 0,
    LEDGER_SUBTYPE_RECEIVE = 1,
    LEDGER_SUBTYPE_OPEN = 2,
    LEDGER_SUBTYPE_CHANGE = 3,
} ledger_subtype;

typedef struct {
    uint8_t frontier[32];
    uint8_t representative[32];
    smn_amount_t balance;
    uint64_t height;      /* blocks in the chain, the open block is height 1 */
    uint64_t conf_height; /* highest cemented height, 0 = none */
} ledger_account_info;

typedef struct {
    uint8_t account[32];
    uint64_t height;
    smn_amount_t balance; /* the account balance after this block */
} ledger_block_info;

typedef struct {
    uint8_t send_hash[32];
    uint8_t destination[32];
    uint8_t source[32]; /* the sending account */
    smn_amount_t amount;
} ledger_receivable;

/* A stored block with what the ledger derived from it. */
typedef struct {
    smn_block block;
    uint8_t hash[32];
    uint64_t height;
    ledger_subtype subtype;
    smn_amount_t amount;   /* |balance delta|; the whole balance for open */
    uint8_t successor[32]; /* zero when it is the frontier */
    bool confirmed;
} ledger_block_record;

const char *ledger_result_str(ledger_result r);
const char *ledger_status_str(ledger_status s);
const char *ledger_subtype_str(ledger_subtype t);

#endif
