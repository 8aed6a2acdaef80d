/* vm.db schema migrations, in steps (migrate.h). */
#include "procs/vm/programs/migrate.h"

#include <stddef.h>

#include "common/log.h"

/* v2: the reads by program over tables keyed by something else (commits by
 * block, events by cursor, balances by asset|holder) scanned the whole
 * table; on a big state a rare program's read took hundreds of ms. */
const char *const vm_migrate_v2_indexes[] = {
    /* program_info's commit counts, latest commit, first mismatch, fraud */
    "CREATE INDEX IF NOT EXISTS commits_program ON commits(program, result)",
    /* first_fraud: the mismatches (few), then each one's commit event */
    "CREATE INDEX IF NOT EXISTS commits_result ON commits(result)",
    "CREATE INDEX IF NOT EXISTS events_block ON events(block_hash, type)",
    /* an account's balances (key = asset|kind|holder): the rows of that
     * holder, whatever the program; query.c writes +program so that the
     * planner takes this index, not the primary key's program range */
    "CREATE INDEX IF NOT EXISTS balances_holder ON balances(substr(key,34))",
    NULL,
};

static vm_idx_status version(vm_store *s, int64_t *v)
{
    sqlite3_stmt *st = vm_store_stmt(s, "SELECT value FROM meta WHERE key='schema_version'");
    if (!st)
        return VM_IDX_ERR_DB;
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? VM_IDX_OK : vm_store_fail(s, "read schema version");
}

static vm_idx_status index_exists(vm_store *s, const char *create, bool *yes)
{
    /* the name is the word after "EXISTS " */
    const char *name = create + sizeof "CREATE INDEX IF NOT EXISTS " - 1;
    size_t len = 0;
    while (name[len] && name[len] != ' ')
        len++;
    sqlite3_stmt *st =
        vm_store_stmt(s, "SELECT 1 FROM sqlite_master WHERE type='index' AND name=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_text(st, 1, name, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VM_IDX_OK : vm_store_fail(s, "read indexes");
}

vm_idx_status vm_migrate_step(vm_store *s, bool *done)
{
    *done = false;
    int64_t v = 0;
    vm_idx_status rc = version(s, &v);
    if (rc != VM_IDX_OK)
        return rc;
    if (v == VM_SCHEMA_VERSION) {
        *done = true;
        return VM_IDX_OK;
    }
    if (v != 1)
        return VM_IDX_ERR_SCHEMA;
    for (size_t i = 0; vm_migrate_v2_indexes[i]; i++) {
        bool have = false;
        rc = index_exists(s, vm_migrate_v2_indexes[i], &have);
        if (rc != VM_IDX_OK)
            return rc;
        if (have)
            continue;
        /* one statement: its own transaction */
        rc = vm_store_exec(s, vm_migrate_v2_indexes[i]);
        if (rc == VM_IDX_OK)
            smn_info("vm db: migrating to schema 2: %s", vm_migrate_v2_indexes[i]);
        return rc;
    }
    rc = vm_store_exec(s, "UPDATE meta SET value=2 WHERE key='schema_version'");
    if (rc == VM_IDX_OK) {
        smn_info("vm db: now at schema version 2");
        *done = true;
    }
    return rc;
}
