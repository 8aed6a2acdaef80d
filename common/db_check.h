/* Integrity at open: the ledger and vm check their database before they
 * serve or extend it (PRAGMA quick_check by default, a full integrity_check
 * on request: [node] integrity_check = quick | full | off). A corrupted
 * file is refused with one line that names the file and the way out
 * (docs/operations.md "A corrupted database"). */
#ifndef SMN_DB_CHECK_H
#define SMN_DB_CHECK_H

#include <stddef.h>
#include <stdint.h>

struct sqlite3;

typedef enum { SMN_DB_CHECK_QUICK = 0, SMN_DB_CHECK_FULL, SMN_DB_CHECK_OFF } smn_db_check_mode;

/* "quick", "full", "off" -> mode; -1 for anything else. */
int smn_db_check_parse(const char *s);
const char *smn_db_check_name(smn_db_check_mode m);

/* The mode the process's opens use (set once by the child runtime from
 * [node] integrity_check; quick until then). */
void smn_db_check_set_mode(smn_db_check_mode m);
smn_db_check_mode smn_db_check_mode_get(void);

/* The quick check's time budget: a check still running after this many ms
 * stops (and logs that it did not finish) so a huge file cannot hold a
 * child past the supervisor's heartbeat timeout. The full check has none. */
#define SMN_DB_CHECK_QUICK_BUDGET_MS 3000u

/* Checks the open database `db` (at `path`, named in messages) with the
 * process's mode. 0: sound (or not checked: mode off, or quick check out of
 * time). -1: corrupted or not a database; err holds one line naming the
 * file and the way out. */
int smn_db_check(struct sqlite3 *db, const char *path, char *err, size_t cap);

#endif
