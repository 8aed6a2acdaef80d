/* Events per type from the event log; see evcount.h. */
#include "procs/vm/service/evcount.h"

#include <string.h>

/* Label values are [A-Za-z0-9_.:-] (ipc/metrics.h); the VM's names are
 * lower case with dots, anything else is "other". */
static int name_ok(const unsigned char *t, int len)
{
    if (len <= 0 || len > VM_EVCOUNT_TYPE_MAX)
        return 0;
    for (int i = 0; i < len; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_' ||
              t[i] == '.'))
            return 0;
    return 1;
}

static void add(vm_evcount *ec, const unsigned char *t, int len)
{
    if (!name_ok(t, len)) {
        ec->other++;
        return;
    }
    for (size_t i = 0; i < ec->n; i++)
        if (strlen(ec->type[i]) == (size_t)len && memcmp(ec->type[i], t, (size_t)len) == 0) {
            ec->count[i]++;
            return;
        }
    if (ec->n == VM_EVCOUNT_TYPES) {
        ec->other++;
        return;
    }
    memcpy(ec->type[ec->n], t, (size_t)len);
    ec->type[ec->n][len] = '\0';
    ec->count[ec->n++] = 1;
}

int vm_evcount_step(vm_evcount *ec, sqlite3 *db, size_t max_rows)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT cursor, type FROM events WHERE cursor > ?"
                                " ORDER BY cursor LIMIT ?",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (int64_t)ec->cursor);
    sqlite3_bind_int64(st, 2, (int64_t)max_rows);
    /* counted into a copy, so an error part-way counts nothing */
    vm_evcount next = *ec;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        next.cursor = (uint64_t)sqlite3_column_int64(st, 0);
        add(&next, sqlite3_column_text(st, 1), sqlite3_column_bytes(st, 1));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rc;
    *ec = next;
    return SQLITE_OK;
}
