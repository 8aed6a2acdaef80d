/* Types of ledger.db shared by its writer (procs/ledger) and its readers
 * (ipc/ledgerdb/ro.h): validation results, operational status codes, block
 * subtypes, counters and the records the store hands out. */
#ifndef LEDGER_TYPES_H
#define LEDGER_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/block.h"
#include "ipc/schema_ledger.h"

/* ledger_result (validation results) and ledger_subtype travel on the wire:
 * they are defined once, with their names, in ipc/schema_ledger.h. */

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
    uint64_t local_timestamp; /* first stored, s since the epoch (0: before schema 3);
                                 set by the ledger_ro reads only */
} ledger_block_record;

/* Counters kept in meta: blocks in the ledger (accepted, genesis included,
 * minus those rolled back; pruned ones still count), blocks cemented, blocks
 * pruned. */
typedef struct {
    uint64_t blocks;
    uint64_t cemented;
    uint64_t pruned;
    uint64_t unchecked;
} ledger_counts;

/* ipc/ledgerdb/names.c */
const char *ledger_result_str(ledger_result r);
const char *ledger_strerror(ledger_status s);
const char *ledger_subtype_str(ledger_subtype t);

#endif
