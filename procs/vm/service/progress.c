#include "procs/vm/service/progress.h"

#include <stddef.h>

int vm_progress_get(sqlite3 *db, uint64_t *seq)
{
    sqlite3_stmt *st;
    int rc =
        sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'ledger_seq'", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    *seq = 0;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        sqlite3_int64 v = sqlite3_column_int64(st, 0);
        *seq = v > 0 ? (uint64_t)v : 0;
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int vm_progress_set_cached(sqlite3 *db, sqlite3_stmt **st, uint64_t seq)
{
    if (!*st) {
        int rc = sqlite3_prepare_v3(
            db, "INSERT OR REPLACE INTO meta(key, value) VALUES('ledger_seq', ?)", -1,
            SQLITE_PREPARE_PERSISTENT, st, NULL);
        if (rc != SQLITE_OK) {
            *st = NULL;
            return rc;
        }
    }
    sqlite3_bind_int64(*st, 1, (sqlite3_int64)seq);
    int rc = sqlite3_step(*st);
    sqlite3_reset(*st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int vm_progress_set(sqlite3 *db, uint64_t seq)
{
    sqlite3_stmt *st = NULL;
    int rc = vm_progress_set_cached(db, &st, seq);
    sqlite3_finalize(st);
    return rc;
}
