#include "supervisor/wal_tidy.h"

#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "common/log.h"

void sup_wal_tidy(const char *data_dir)
{
    static const char *const dbs[] = {"ledger.db", "vm.db", "wallets.db"};
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
        char path[4200], wal[4300];
        snprintf(path, sizeof path, "%s/%s", data_dir, dbs[i]);
        snprintf(wal, sizeof wal, "%s-wal", path);
        if (access(wal, F_OK) != 0)
            continue;
        sqlite3 *db = NULL;
        /* No CREATE: a -wal without its database is left alone. Reading
         * one row opens the WAL; the close (the last connection) then
         * checkpoints and deletes it with the -shm. */
        int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_busy_timeout(db, 2000);
            rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
        }
        if (rc != SQLITE_OK)
            smn_warn("cannot fold %s back into %s: %s", wal, path,
                     db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
    }
}
