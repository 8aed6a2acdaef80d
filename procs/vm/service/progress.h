/* How far the vm DB has followed the ledger: the last applied cementing seq,
 * kept in the vm DB's meta table (key "ledger_seq") so it commits in the
 * same transaction as the blocks it counts. */
#ifndef VM_SERVICE_PROGRESS_H
#define VM_SERVICE_PROGRESS_H

#include <stdint.h>
#include <sqlite3.h>

/* 0 when never set. SQLITE_OK or the SQLite error code. */
int vm_progress_get(sqlite3 *db, uint64_t *seq);
int vm_progress_set(sqlite3 *db, uint64_t seq);
/* vm_progress_set with a statement the caller keeps (prepared into *st on
 * first use, NULL before; finalized by the caller before db closes): it is
 * set once a flush, and preparing it each time was 3% of the vm's CPU. */
int vm_progress_set_cached(sqlite3 *db, sqlite3_stmt **st, uint64_t seq);

#endif
