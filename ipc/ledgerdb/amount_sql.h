/* SQL functions over amounts stored as 16-byte big-endian BLOBs, for the
 * ledger's writer and its migrations (receivable_totals). Registered with
 * the schema's other functions by ledger_schema_functions (schema.h); the
 * read-only API never calls them. */
#ifndef LEDGERDB_AMOUNT_SQL_H
#define LEDGERDB_AMOUNT_SQL_H

#include <sqlite3.h>

/* Registers on db: smn_amount_add(a, b), smn_amount_sub(a, b) and the
 * aggregate smn_amount_sum(x). Each fails the statement ("amount out of
 * range", "not an amount") on overflow, underflow or a value that is not a
 * 16-byte BLOB, so a total can never wrap silently. SQLITE_OK or an error. */
int ledger_amount_sql_register(sqlite3 *db);

#endif
