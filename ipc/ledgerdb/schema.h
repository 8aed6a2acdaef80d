/* The ledger database schema: tables, versioned migrations and the meta
 * checks that keep a node from opening another network's data. */
#ifndef LEDGER_SCHEMA_H
#define LEDGER_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <sqlite3.h>

#include "common/network.h"
#include "ipc/ledgerdb/types.h"

/* The version this build writes. A database with a higher version is refused. */
#define LEDGER_SCHEMA_VERSION 6
/* The file name of the ledger database inside a data dir. */
#define LEDGER_DB_FILENAME "ledger.db"

/* On a writable connection inside an open transaction: create the schema
 * (fresh database, *created = true, meta written for net) or migrate an older
 * one up to LEDGER_SCHEMA_VERSION. Refuses (WRONG_NETWORK, NEWER_SCHEMA,
 * WRONG_GENESIS) a database of another network, genesis or a newer schema,
 * with a one-line reason in err. */
ledger_status ledger_schema_prepare(sqlite3 *db, const smn_network *net, bool *created, char *err,
                                    size_t errlen);

/* For tests of migrations: on an empty database inside an open
 * transaction, creates the schema as shipped at `version` (1 ..
 * LEDGER_SCHEMA_VERSION) with net's meta rows and no blocks. Opening it with
 * ledger_store_open then migrates it forward. */
ledger_status ledger_schema_create_version(sqlite3 *db, const smn_network *net, int64_t version,
                                           char *err, size_t errlen);

/* Read-only check of meta: version not newer than this build, and when net
 * is not NULL, the same network and genesis. Same codes as above; a database
 * without meta is LEDGER_STATUS_CORRUPT. */
ledger_status ledger_schema_check(sqlite3 *db, const smn_network *net, char *err, size_t errlen);

/* Registers every SQL function the schema and the store use (version 6:
 * smn_block_hash(block), the virtual blocks.hash; smn_block_amount(block,
 * previous block), used by LEDGER_SQL_AMOUNT; and the amount arithmetic of
 * amount_sql.h, which receivable_totals is kept with). Every connection to
 * ledger.db calls it before reading blocks.hash or the amount, or writing
 * blocks; migrations call it themselves. */
ledger_status ledger_schema_functions(sqlite3 *db, char *err, size_t errlen);

/* A block's amount (|balance delta|, 16-byte big-endian) in SQL, for the
 * blocks row named t: the stored one, or (NULL, schema 6) derived from the
 * previous block of the chain, one index lookup. */
#define LEDGER_SQL_AMOUNT(t)                                                                       \
    "COALESCE(" t ".amount, smn_block_amount(" t ".block, (SELECT p.block FROM blocks p WHERE "    \
    "substr(p.block, 1, 8) = substr(" t ".block, 1, 8) AND p.account = " t ".account AND "         \
    "p.height = " t ".height - 1)))"
/* ... for the table named blocks, and for the alias b */
#define LEDGER_SQL_AMOUNT_BLOCKS LEDGER_SQL_AMOUNT("blocks")
#define LEDGER_SQL_AMOUNT_B LEDGER_SQL_AMOUNT("b")

/* Fills err with "what: sqlite message" and returns LEDGER_STATUS_IO. */
ledger_status ledger_sql_error(sqlite3 *db, const char *what, char *err, size_t errlen);

#endif
