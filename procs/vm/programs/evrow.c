/* Event rows from the vm DB and the subscription filter. */
#include "procs/vm/programs/evrow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vm_evrow_clear(vm_evrow *e)
{
    free(e->data);
    e->data = NULL;
    e->data_len = 0;
}

void vm_evrows_clear(vm_evrow *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vm_evrow_clear(&rows[i]);
}

bool vm_evfilter_match(const vm_evfilter *f, const vm_evrow *e)
{
    if (f->has_program && memcmp(f->program, e->program, 32) != 0)
        return false;
    if (f->has_session && f->session != e->session)
        return false;
    if (f->has_account && memcmp(f->account, e->account, 32) != 0)
        return false;
    if (f->has_kind) {
        size_t k = strlen(f->kind);
        if (strncmp(f->kind, e->type, k) != 0 || (e->type[k] != '\0' && e->type[k] != '.'))
            return false;
    }
    return true;
}

static bool col32(sqlite3_stmt *st, int i, uint8_t out[32])
{
    if (sqlite3_column_type(st, i) != SQLITE_BLOB || sqlite3_column_bytes(st, i) != 32)
        return false;
    memcpy(out, sqlite3_column_blob(st, i), 32);
    return true;
}

static bool col_uint(sqlite3_stmt *st, int i, uint64_t max, uint64_t *out)
{
    if (sqlite3_column_type(st, i) != SQLITE_INTEGER)
        return false;
    sqlite3_int64 v = sqlite3_column_int64(st, i);
    if (v < 0 || (uint64_t)v > max)
        return false;
    *out = (uint64_t)v;
    return true;
}

/* One row into e; false if it breaks the schema. */
static bool decode_row(sqlite3_stmt *st, vm_evrow *e)
{
    uint64_t v;
    memset(e, 0, sizeof *e);
    if (!col_uint(st, 0, INT64_MAX, &e->cursor) || !col32(st, 1, e->block_hash) ||
        !col_uint(st, 2, INT64_MAX, &e->height) || !col32(st, 3, e->account) ||
        !col_uint(st, 4, UINT32_MAX, &v) || !col32(st, 5, e->program))
        return false;
    e->index = (uint32_t)v;
    if (!col_uint(st, 6, UINT32_MAX, &v))
        return false;
    e->session = (uint32_t)v;
    const unsigned char *type = sqlite3_column_text(st, 7);
    int tlen = sqlite3_column_bytes(st, 7);
    if (!type || tlen < 1 || tlen > VM_EVROW_TYPE_MAX || memchr(type, 0, (size_t)tlen))
        return false;
    memcpy(e->type, type, (size_t)tlen);
    e->type[tlen] = '\0';
    /* The topic is a u64 stored by its bit pattern in a signed column. */
    if (sqlite3_column_type(st, 8) != SQLITE_INTEGER)
        return false;
    e->topic = (uint64_t)sqlite3_column_int64(st, 8);
    if (sqlite3_column_type(st, 9) != SQLITE_BLOB)
        return false;
    int dlen = sqlite3_column_bytes(st, 9);
    if (dlen < 0 || dlen > VM_EVROW_DATA_MAX)
        return false;
    if (dlen > 0) {
        e->data = malloc((size_t)dlen);
        if (!e->data)
            return false;
        memcpy(e->data, sqlite3_column_blob(st, 9), (size_t)dlen);
    }
    e->data_len = (size_t)dlen;
    return true;
}

/* Steps a prepared SELECT of event columns into out (at most max); takes
 * ownership of st. */
static int read_rows(sqlite3_stmt *st, vm_evrow *out, size_t max, size_t *n)
{
    int rc = SQLITE_OK;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!decode_row(st, &out[*n])) {
            vm_evrow_clear(&out[*n]);
            rc = SQLITE_CORRUPT;
            break;
        }
        (*n)++;
    }
    if (rc == SQLITE_DONE || (rc == SQLITE_ROW && *n == max))
        rc = SQLITE_OK;
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        vm_evrows_clear(out, *n);
        *n = 0;
    }
    return rc;
}

/* A page of events: sql is the WHERE clause, with ?1 the cursor to read
 * after, ?2 the caller's (bound by it), ?3 the page size. */
static int prepare_page(sqlite3 *db, const char *where, uint64_t after, size_t max,
                        sqlite3_stmt **st)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "SELECT cursor, block_hash, height, account, idx, program, session, type, topic,"
             " data FROM events WHERE %s ORDER BY cursor LIMIT ?3",
             where);
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(*st, 1, (sqlite3_int64)(after > INT64_MAX ? INT64_MAX : after));
    uint64_t lim = max; /* a variable: a 32-bit size_t never exceeds INT64_MAX (-Wtype-limits) */
    sqlite3_bind_int64(*st, 3, (sqlite3_int64)(lim > INT64_MAX ? INT64_MAX : lim));
    return SQLITE_OK;
}

int vm_evrow_read(sqlite3 *db, uint64_t after, uint64_t upto, vm_evrow *out, size_t max, size_t *n)
{
    *n = 0;
    sqlite3_stmt *st;
    int rc = prepare_page(db, "cursor > ?1 AND cursor <= ?2", after, max, &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 2, upto == 0 || upto > INT64_MAX ? INT64_MAX : (sqlite3_int64)upto);
    return read_rows(st, out, max, n);
}

int vm_evrow_read_block(sqlite3 *db, const uint8_t block_hash[32], uint64_t after, vm_evrow *out,
                        size_t max, size_t *n)
{
    *n = 0;
    sqlite3_stmt *st;
    /* events_block (block_hash, type) finds the rows; a block has at most
     * a few thousand, sorted by SQLite */
    int rc = prepare_page(db, "block_hash = ?2 AND cursor > ?1", after, max, &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_blob(st, 2, block_hash, 32, SQLITE_STATIC);
    return read_rows(st, out, max, n);
}

int vm_evrow_head_cached(sqlite3 *db, sqlite3_stmt **st, uint64_t *head)
{
    *head = 0;
    if (!*st) {
        int rc = sqlite3_prepare_v3(db, "SELECT max(cursor) FROM events", -1,
                                    SQLITE_PREPARE_PERSISTENT, st, NULL);
        if (rc != SQLITE_OK) {
            *st = NULL;
            return rc;
        }
    }
    int rc = sqlite3_step(*st);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(*st, 0) == SQLITE_INTEGER && sqlite3_column_int64(*st, 0) > 0)
            *head = (uint64_t)sqlite3_column_int64(*st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_reset(*st);
    return rc;
}

int vm_evrow_head(sqlite3 *db, uint64_t *head)
{
    sqlite3_stmt *st = NULL;
    int rc = vm_evrow_head_cached(db, &st, head);
    sqlite3_finalize(st);
    return rc;
}
