/* Column decoders shared by the writer (store.c) and the readers (ro.c):
 * every value read back from the database is length- and type-checked. */
#ifndef LEDGER_ROWS_H
#define LEDGER_ROWS_H

#include <stdbool.h>
#include <string.h>
#include <sqlite3.h>

#include "common/amount.h"
#include "common/block.h"

/* A BLOB of exactly len bytes. */
static inline bool ledger_col_bytes(sqlite3_stmt *st, int i, uint8_t *out, int len)
{
    if (sqlite3_column_type(st, i) != SQLITE_BLOB || sqlite3_column_bytes(st, i) != len)
        return false;
    memcpy(out, sqlite3_column_blob(st, i), (size_t)len);
    return true;
}

/* A 16-byte big-endian amount. */
static inline bool ledger_col_amount(sqlite3_stmt *st, int i, smn_amount_t *out)
{
    uint8_t be[16];
    if (!ledger_col_bytes(st, i, be, 16))
        return false;
    *out = smn_amount_from_be(be);
    return true;
}

/* A 216-byte wire block. */
static inline bool ledger_col_block(sqlite3_stmt *st, int i, smn_block *out)
{
    if (sqlite3_column_type(st, i) != SQLITE_BLOB)
        return false;
    const void *p = sqlite3_column_blob(st, i);
    int n = sqlite3_column_bytes(st, i);
    return p && n > 0 && smn_block_deserialize(p, (size_t)n, out) == SMN_BLOCK_OK;
}

#endif
