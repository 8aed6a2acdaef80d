/* After a clean stop: fold each database's -wal back into it and remove
 * the -wal and -shm, as SQLite does when its last connection closes. The
 * sandboxed children cannot remove them (they may not delete files in the
 * data directory), so the supervisor does it once every child has exited,
 * and a stopped node's data directory holds just the .db files: a backup
 * or restore of the file is complete (docs/operations.md). */
#ifndef SUP_WAL_TIDY_H
#define SUP_WAL_TIDY_H

/* Checkpoints and closes ledger.db, vm.db and wallets.db of data_dir when
 * their -wal exists. Logs (warn) what it could not do; never fails. */
void sup_wal_tidy(const char *data_dir);

#endif
