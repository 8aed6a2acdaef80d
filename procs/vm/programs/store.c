/* The VM database: schema, statements, savepoints, state primitives. */
#include "procs/vm/programs/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db_check.h"
#include "common/log.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/migrate.h"

/* Lets SQL text carry VM_SCHEMA_VERSION, so bumping it needs one edit. */
#define VM_STRINGIFY_(x) #x
#define VM_STRINGIFY(x) VM_STRINGIFY_(x)

#define STMT_CACHE 96 /* the fixed statements, transaction control among them */

struct vm_store {
    sqlite3 *db;
    uint32_t depth; /* open savepoints */
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[STMT_CACHE];
};

static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    /* last applied height of every account chain */
    "CREATE TABLE IF NOT EXISTS chains(account BLOB PRIMARY KEY, height INTEGER NOT NULL)"
    " WITHOUT ROWID;"
    /* every applied block; dest/amount/received for sends */
    "CREATE TABLE IF NOT EXISTS applied(hash BLOB PRIMARY KEY, account BLOB NOT NULL,"
    " height INTEGER NOT NULL, dest BLOB, amount BLOB, received INTEGER NOT NULL DEFAULT 0)"
    " WITHOUT ROWID;"
    /* the message being assembled on an account chain (at most one) */
    "CREATE TABLE IF NOT EXISTS assembly(account BLOB PRIMARY KEY, msg_id BLOB NOT NULL,"
    " dest BLOB NOT NULL, total INTEGER NOT NULL, chunks BLOB NOT NULL) WITHOUT ROWID;"
    /* messages (complete, invalid or abandoned) and their chunk sends */
    "CREATE TABLE IF NOT EXISTS messages(msg_id BLOB PRIMARY KEY, sender BLOB NOT NULL,"
    " dest BLOB NOT NULL, total INTEGER NOT NULL, have INTEGER NOT NULL,"
    " received INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, last_send BLOB,"
    " envelope BLOB, send_ok INTEGER NOT NULL DEFAULT 0, pending BLOB, asset BLOB)"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS msg_sends(send_hash BLOB PRIMARY KEY, msg_id BLOB NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS programs(id BLOB PRIMARY KEY, host BLOB, kind INTEGER NOT NULL,"
    " code BLOB, deploy_hash BLOB, height INTEGER) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS programs_host ON programs(host, id);"
    "CREATE TABLE IF NOT EXISTS balances(program BLOB NOT NULL, key BLOB NOT NULL,"
    " amount BLOB NOT NULL, PRIMARY KEY(program, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS boxes(program BLOB NOT NULL, key BLOB NOT NULL,"
    " amount BLOB NOT NULL, PRIMARY KEY(program, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS storage(program BLOB NOT NULL, key BLOB NOT NULL,"
    " value BLOB NOT NULL, PRIMARY KEY(program, key)) WITHOUT ROWID;"
    /* published states (kind state): every version, valid or withdrawn */
    "CREATE TABLE IF NOT EXISTS pstate(program BLOB NOT NULL, session INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, valid INTEGER NOT NULL, data BLOB NOT NULL, block BLOB NOT NULL,"
    " PRIMARY KEY(program, session, seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS events(cursor INTEGER PRIMARY KEY AUTOINCREMENT,"
    " block_hash BLOB NOT NULL, height INTEGER NOT NULL, account BLOB NOT NULL,"
    " idx INTEGER NOT NULL, program BLOB NOT NULL, session INTEGER NOT NULL,"
    " type TEXT NOT NULL, topic INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS events_chain ON events(account, height, idx);"
    "CREATE TABLE IF NOT EXISTS commits(block_hash BLOB PRIMARY KEY, program BLOB NOT NULL,"
    " session INTEGER NOT NULL, published_height INTEGER NOT NULL, published BLOB NOT NULL,"
    " computed BLOB, result TEXT NOT NULL) WITHOUT ROWID;";

sqlite3 *vm_store_db(vm_store *s)
{
    return s->db;
}

vm_idx_status vm_store_fail(vm_store *s, const char *what)
{
    smn_error("vm db: %s: %s", what, sqlite3_errmsg(s->db));
    return VM_IDX_ERR_DB;
}

vm_idx_status vm_store_exec(vm_store *s, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        smn_error("vm db: %s", err ? err : "exec failed");
        sqlite3_free(err);
        return VM_IDX_ERR_DB;
    }
    return VM_IDX_OK;
}

sqlite3_stmt *vm_store_stmt(vm_store *s, const char *sql)
{
    size_t free_slot = STMT_CACHE;
    for (size_t i = 0; i < STMT_CACHE; i++) {
        if (s->cache[i].sql == sql) {
            sqlite3_stmt *st = s->cache[i].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
        if (!s->cache[i].sql && free_slot == STMT_CACHE)
            free_slot = i;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        vm_store_fail(s, "prepare");
        return NULL;
    }
    if (free_slot == STMT_CACHE) {
        /* Cache full: should not happen with the fixed set of statements;
         * evict slot 0 rather than leak. */
        sqlite3_finalize(s->cache[0].stmt);
        free_slot = 0;
    }
    s->cache[free_slot].sql = sql;
    s->cache[free_slot].stmt = st;
    return st;
}

static vm_idx_status schema_version(vm_store *s, int64_t *v, bool *present)
{
    sqlite3_stmt *st = vm_store_stmt(s, "SELECT value FROM meta WHERE key='schema_version'");
    if (!st)
        return VM_IDX_ERR_DB;
    int rc = sqlite3_step(st);
    *present = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        return vm_store_fail(s, "read schema version");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

static vm_idx_status seed_natives(vm_store *s)
{
    static const uint8_t zero[32] = {0};
    bool found = false;
    vm_prog_info info;
    vm_idx_status rc = vm_store_program_get(s, vm_pid_token, &info, &found);
    if (rc != VM_IDX_OK || found)
        return rc;
    rc = vm_store_program_add(s, vm_pid_token, NULL, VM_PROG_TOKEN, NULL, 0, zero, 0);
    if (rc == VM_IDX_OK)
        rc = vm_store_program_add(s, vm_pid_vsmn, NULL, VM_PROG_VSMN, NULL, 0, zero, 0);
    return rc;
}

vm_idx_status vm_store_open(const char *path, vm_store **out)
{
    if (!path || !out)
        return VM_IDX_ERR_ARG;
    *out = NULL;
    vm_store *s = calloc(1, sizeof *s);
    if (!s)
        return VM_IDX_ERR_NOMEM;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        smn_error("vm db: open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sqlite3_close(s->db);
        free(s);
        return VM_IDX_ERR_DB;
    }
    sqlite3_busy_timeout(s->db, 5000);
    char cerr[600];
    if (smn_db_check(s->db, path, cerr, sizeof cerr) != 0) {
        smn_error("%s", cerr);
        sqlite3_close(s->db);
        free(s);
        return VM_IDX_ERR_CORRUPT;
    }
    /* Savepoints (one per block, one per call) keep their sub-journals in
     * temp storage: in memory, or every block would write a temp file. */
    vm_idx_status rc = vm_store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                        "PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;"
                                        "PRAGMA cache_size=-16384;");
    if (rc == VM_IDX_OK)
        rc = vm_store_exec(s, "BEGIN IMMEDIATE");
    if (rc == VM_IDX_OK) {
        int64_t v = 0;
        bool present = false;
        /* meta may not exist yet in a fresh file */
        rc = vm_store_exec(s, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY,"
                              " value INTEGER NOT NULL)");
        if (rc == VM_IDX_OK)
            rc = schema_version(s, &v, &present);
        if (rc == VM_IDX_OK && present && (v < VM_SCHEMA_OLDEST || v > VM_SCHEMA_VERSION)) {
            smn_error("vm db: %s has schema version %lld, this build reads %d to %d", path,
                      (long long)v, VM_SCHEMA_OLDEST, VM_SCHEMA_VERSION);
            rc = VM_IDX_ERR_SCHEMA;
        }
        if (rc == VM_IDX_OK && !present) {
            rc = vm_store_exec(s, schema_sql);
            for (size_t i = 0; rc == VM_IDX_OK && vm_migrate_v2_indexes[i]; i++)
                rc = vm_store_exec(s, vm_migrate_v2_indexes[i]);
            if (rc == VM_IDX_OK)
                rc = vm_store_exec(
                    s, "INSERT INTO meta(key, value) VALUES('schema_version', " VM_STRINGIFY(
                           VM_SCHEMA_VERSION) ")");
            if (rc == VM_IDX_OK)
                rc = seed_natives(s);
        }
        if (rc == VM_IDX_OK)
            rc = vm_store_exec(s, "COMMIT");
        else
            (void)vm_store_exec(s, "ROLLBACK");
    }
    if (rc != VM_IDX_OK) {
        vm_store_close(s);
        return rc;
    }
    *out = s;
    return VM_IDX_OK;
}

vm_idx_status vm_store_open_ro(const char *path, vm_store **out)
{
    if (!path || !out)
        return VM_IDX_ERR_ARG;
    *out = NULL;
    vm_store *s = calloc(1, sizeof *s);
    if (!s)
        return VM_IDX_ERR_NOMEM;
    /* No CREATE flag: a missing file is an error, never a new empty DB. */
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(s->db);
        free(s);
        return VM_IDX_ERR_NOT_FOUND;
    }
    /* Busy timeout 0: a reader never waits (the caller retries), so the
     * writer is never held up and neither is the reader's event loop. */
    sqlite3_busy_timeout(s->db, 0);
    int64_t v = 0;
    bool present = false;
    vm_idx_status rc = schema_version(s, &v, &present);
    if (rc == VM_IDX_OK && (!present || v < VM_SCHEMA_OLDEST || v > VM_SCHEMA_VERSION))
        rc = VM_IDX_ERR_SCHEMA;
    if (rc != VM_IDX_OK) {
        vm_store_close(s);
        return rc;
    }
    *out = s;
    return VM_IDX_OK;
}

void vm_store_close(vm_store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < STMT_CACHE; i++)
        if (s->cache[i].stmt)
            sqlite3_finalize(s->cache[i].stmt);
    sqlite3_close(s->db);
    free(s);
}

/* ---- savepoints ---- */

/* Savepoint names by depth, one string each: vm_store_stmt caches by the
 * SQL's address. A block's savepoint and release were each a prepare
 * (sqlite3_exec) before, a tenth of the vm's CPU per block on the devnet
 * (docs/benchmarks.md, branch cps4). Deeper ones are rare: exec'd. */
#define SP_CACHED 8
static const char *const sql_savepoint[SP_CACHED] = {
    "SAVEPOINT vm0", "SAVEPOINT vm1", "SAVEPOINT vm2", "SAVEPOINT vm3",
    "SAVEPOINT vm4", "SAVEPOINT vm5", "SAVEPOINT vm6", "SAVEPOINT vm7"};
static const char *const sql_release[SP_CACHED] = {"RELEASE vm0", "RELEASE vm1", "RELEASE vm2",
                                                   "RELEASE vm3", "RELEASE vm4", "RELEASE vm5",
                                                   "RELEASE vm6", "RELEASE vm7"};

vm_idx_status vm_store_run(vm_store *s, const char *sql)
{
    sqlite3_stmt *st = vm_store_stmt(s, sql);
    if (!st)
        return VM_IDX_ERR_DB;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        smn_error("vm db: %s: %s", sql, sqlite3_errmsg(s->db));
        return VM_IDX_ERR_DB;
    }
    return VM_IDX_OK;
}

vm_idx_status vm_store_savepoint(vm_store *s, uint32_t *id)
{
    vm_idx_status rc;
    if (s->depth < SP_CACHED) {
        rc = vm_store_run(s, sql_savepoint[s->depth]);
    } else {
        char sql[48];
        snprintf(sql, sizeof sql, "SAVEPOINT vm%u", s->depth);
        rc = vm_store_exec(s, sql);
    }
    if (rc != VM_IDX_OK)
        return rc;
    *id = s->depth++;
    return VM_IDX_OK;
}

/* Release and rollback accept an id below the innermost one: SQLite ends
 * the nested savepoints above it too, which is what an error path needs. */
vm_idx_status vm_store_release(vm_store *s, uint32_t id)
{
    if (id >= s->depth)
        return VM_IDX_ERR_STATE;
    vm_idx_status rc;
    if (id < SP_CACHED) {
        rc = vm_store_run(s, sql_release[id]);
    } else {
        char sql[48];
        snprintf(sql, sizeof sql, "RELEASE vm%u", id);
        rc = vm_store_exec(s, sql);
    }
    if (rc == VM_IDX_OK)
        s->depth = id;
    return rc;
}

vm_idx_status vm_store_rollback(vm_store *s, uint32_t id)
{
    if (id >= s->depth)
        return VM_IDX_ERR_STATE;
    char sql[64];
    snprintf(sql, sizeof sql, "ROLLBACK TO vm%u; RELEASE vm%u", id, id);
    vm_idx_status rc = vm_store_exec(s, sql);
    if (rc == VM_IDX_OK)
        s->depth = id;
    return rc;
}

/* ---- amounts ---- */

static const char *const sql_bal_get = "SELECT amount FROM balances WHERE program=? AND key=?";
static const char *const sql_box_get = "SELECT amount FROM boxes WHERE program=? AND key=?";
static const char *const sql_bal_put =
    "INSERT OR REPLACE INTO balances(program, key, amount) VALUES(?,?,?)";
static const char *const sql_box_put =
    "INSERT OR REPLACE INTO boxes(program, key, amount) VALUES(?,?,?)";
static const char *const sql_bal_del = "DELETE FROM balances WHERE program=? AND key=?";
static const char *const sql_box_del = "DELETE FROM boxes WHERE program=? AND key=?";

vm_idx_status vm_store_amount_get(vm_store *s, vm_amount_table t, const uint8_t prog[32],
                                  const uint8_t *key, size_t klen, smn_amount_t *out)
{
    sqlite3_stmt *st = vm_store_stmt(s, t == VM_TBL_BALANCES ? sql_bal_get : sql_box_get);
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, key, (int)klen, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *out = smn_amount_zero();
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != 16) {
            sqlite3_reset(st);
            smn_error("vm db: corrupt amount");
            return VM_IDX_ERR_DB;
        }
        *out = smn_amount_from_be(sqlite3_column_blob(st, 0));
    } else if (rc != SQLITE_DONE) {
        return vm_store_fail(s, "read amount");
    }
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_store_amount_set(vm_store *s, vm_amount_table t, const uint8_t prog[32],
                                  const uint8_t *key, size_t klen, smn_amount_t v)
{
    bool del = smn_amount_is_zero(v) && !(t == VM_TBL_BOXES && klen == 4);
    sqlite3_stmt *st;
    if (del)
        st = vm_store_stmt(s, t == VM_TBL_BALANCES ? sql_bal_del : sql_box_del);
    else
        st = vm_store_stmt(s, t == VM_TBL_BALANCES ? sql_bal_put : sql_box_put);
    if (!st)
        return VM_IDX_ERR_DB;
    uint8_t be[16];
    smn_amount_to_be(v, be);
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, key, (int)klen, SQLITE_STATIC);
    if (!del)
        sqlite3_bind_blob(st, 3, be, 16, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(s, "write amount");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_store_amount_add(vm_store *s, vm_amount_table t, const uint8_t prog[32],
                                  const uint8_t *key, size_t klen, smn_amount_t v, bool *ok)
{
    smn_amount_t cur, nv;
    vm_idx_status rc = vm_store_amount_get(s, t, prog, key, klen, &cur);
    if (rc != VM_IDX_OK)
        return rc;
    *ok = smn_amount_add(cur, v, &nv);
    if (!*ok || smn_amount_is_zero(v))
        return VM_IDX_OK;
    return vm_store_amount_set(s, t, prog, key, klen, nv);
}

vm_idx_status vm_store_amount_sub(vm_store *s, vm_amount_table t, const uint8_t prog[32],
                                  const uint8_t *key, size_t klen, smn_amount_t v, bool *ok)
{
    smn_amount_t cur;
    vm_idx_status rc = vm_store_amount_get(s, t, prog, key, klen, &cur);
    if (rc != VM_IDX_OK)
        return rc;
    *ok = smn_amount_ge(cur, v);
    if (!*ok || smn_amount_is_zero(v))
        return VM_IDX_OK;
    return vm_store_amount_set(s, t, prog, key, klen, smn_amount_sub_wrap(cur, v));
}

/* ---- boxes ---- */

vm_idx_status vm_store_box_count(vm_store *s, const uint8_t prog[32], uint32_t *n)
{
    sqlite3_stmt *st =
        vm_store_stmt(s, "SELECT count(*) FROM boxes WHERE program=? AND length(key)=4");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        return vm_store_fail(s, "count boxes");
    *n = (uint32_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_store_box_create(vm_store *s, const uint8_t prog[32], uint32_t *box)
{
    uint32_t n = 0;
    vm_idx_status rc = vm_store_box_count(s, prog, &n);
    if (rc != VM_IDX_OK)
        return rc;
    uint8_t key[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    rc = vm_store_amount_set(s, VM_TBL_BOXES, prog, key, 4, smn_amount_zero());
    if (rc == VM_IDX_OK)
        *box = n;
    return rc;
}

/* ---- storage ---- */

vm_idx_status vm_store_storage_get(vm_store *s, const uint8_t prog[32], const uint8_t *key,
                                   size_t klen, uint8_t *out, size_t cap, size_t *len, bool *found)
{
    sqlite3_stmt *st = vm_store_stmt(s, "SELECT value FROM storage WHERE program=? AND key=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, key, (int)klen, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    *len = 0;
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        const void *p = sqlite3_column_blob(st, 0);
        *len = n;
        if (n && out)
            memcpy(out, p, n < cap ? n : cap);
    } else if (rc != SQLITE_DONE) {
        return vm_store_fail(s, "read storage");
    }
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_store_storage_put(vm_store *s, const uint8_t prog[32], const uint8_t *key,
                                   size_t klen, const uint8_t *val, size_t vlen)
{
    static const uint8_t empty = 0;
    sqlite3_stmt *st =
        vm_store_stmt(s, "INSERT OR REPLACE INTO storage(program, key, value) VALUES(?,?,?)");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, key, (int)klen, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, vlen ? val : &empty, (int)vlen, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(s, "write storage");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_store_storage_del(vm_store *s, const uint8_t prog[32], const uint8_t *key,
                                   size_t klen, bool *found)
{
    sqlite3_stmt *st = vm_store_stmt(s, "DELETE FROM storage WHERE program=? AND key=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, key, (int)klen, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(s, "delete storage");
    *found = sqlite3_changes(s->db) > 0;
    sqlite3_reset(st);
    return VM_IDX_OK;
}

/* ---- programs ---- */

static void read_prog(sqlite3_stmt *st, vm_prog_info *out)
{
    memset(out, 0, sizeof *out);
    if (sqlite3_column_bytes(st, 0) == 32)
        memcpy(out->id, sqlite3_column_blob(st, 0), 32);
    if (sqlite3_column_bytes(st, 1) == 32)
        memcpy(out->host, sqlite3_column_blob(st, 1), 32);
    out->kind = sqlite3_column_int(st, 2);
}

vm_idx_status vm_store_program_by_prefix(vm_store *s, const uint8_t host[32],
                                         const uint8_t prefix[8], vm_prog_info *out, bool *found)
{
    uint8_t lo[32] = {0}, hi[32];
    memcpy(lo, prefix, 8);
    memset(hi, 0xff, 32);
    memcpy(hi, prefix, 8);
    sqlite3_stmt *st = vm_store_stmt(
        s, "SELECT id, host, kind FROM programs WHERE host=? AND id>=? AND id<=? LIMIT 1");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, host, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, lo, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, hi, 32, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        read_prog(st, out);
    else if (rc != SQLITE_DONE)
        return vm_store_fail(s, "find program");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_store_program_get(vm_store *s, const uint8_t id[32], vm_prog_info *out,
                                   bool *found)
{
    sqlite3_stmt *st = vm_store_stmt(s, "SELECT id, host, kind FROM programs WHERE id=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        read_prog(st, out);
    else if (rc != SQLITE_DONE)
        return vm_store_fail(s, "get program");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_store_program_code(vm_store *s, const uint8_t id[32], uint8_t **code, size_t *len)
{
    *code = NULL;
    *len = 0;
    sqlite3_stmt *st = vm_store_stmt(s, "SELECT code FROM programs WHERE id=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return VM_IDX_ERR_NOT_FOUND;
    }
    if (rc != SQLITE_ROW)
        return vm_store_fail(s, "read code");
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        sqlite3_reset(st);
        return VM_IDX_ERR_NOMEM;
    }
    if (n)
        memcpy(buf, sqlite3_column_blob(st, 0), n);
    sqlite3_reset(st);
    *code = buf;
    *len = n;
    return VM_IDX_OK;
}

vm_idx_status vm_store_program_add(vm_store *s, const uint8_t id[32], const uint8_t host[32],
                                   int kind, const uint8_t *code, size_t code_len,
                                   const uint8_t block_hash[32], uint64_t height)
{
    static const uint8_t empty = 0;
    sqlite3_stmt *st = vm_store_stmt(s, "INSERT INTO programs(id, host, kind, code, deploy_hash,"
                                        " height) VALUES(?,?,?,?,?,?)");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
    if (host)
        sqlite3_bind_blob(st, 2, host, 32, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int(st, 3, kind);
    sqlite3_bind_blob(st, 4, code_len ? code : &empty, (int)code_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, block_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (int64_t)height);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(s, "add program");
    sqlite3_reset(st);
    return VM_IDX_OK;
}
