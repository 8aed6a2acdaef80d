/* The VM database: schema, cached statements, savepoints and the program
 * state primitives (balances, boxes, storage, published states, events).
 * Internal to procs/vm/programs/; the public face is transcript.h.
 *
 * All functions return a vm_idx_status (transcript.h): VM_IDX_OK, or
 * VM_IDX_ERR_DB when SQLite failed (the message is logged once). */
#ifndef VM_PROGRAMS_STORE_H
#define VM_PROGRAMS_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "procs/vm/programs/transcript.h"

/* 2: indexes for the reads by program (migrate.h); 1 is still opened and
 * migrated in steps. */
#define VM_SCHEMA_VERSION 2
#define VM_SCHEMA_OLDEST 1

typedef enum {
    VM_TBL_BALANCES = 0, /* key = asset | holder kind | holder id (ids.h) */
    VM_TBL_BOXES = 1,    /* key = box u32 BE (existence row, amount 0) or box u32 BE | asset */
} vm_amount_table;

typedef struct vm_store vm_store;

/* Open (creating if absent) the DB at path: WAL, schema version checked.
 * A file at VM_SCHEMA_OLDEST..VM_SCHEMA_VERSION opens (an older one is
 * left for vm_migrate_step); VM_IDX_ERR_SCHEMA for any other version. */
vm_idx_status vm_store_open(const char *path, vm_store **out);
/* Open an existing DB read-only (never created, nothing written, busy
 * timeout 0: reads that meet a lock fail with SQLITE_BUSY for the caller
 * to retry). VM_IDX_ERR_NOT_FOUND if it cannot be opened, VM_IDX_ERR_SCHEMA
 * for a version outside VM_SCHEMA_OLDEST..VM_SCHEMA_VERSION (or a file
 * without one), VM_IDX_ERR_DB. */
vm_idx_status vm_store_open_ro(const char *path, vm_store **out);
void vm_store_close(vm_store *s);
sqlite3 *vm_store_db(vm_store *s);

/* A cached prepared statement for sql (the pointer itself is the cache key,
 * so pass string literals), reset and with bindings cleared. NULL on error. */
sqlite3_stmt *vm_store_stmt(vm_store *s, const char *sql);
vm_idx_status vm_store_exec(vm_store *s, const char *sql);
/* One statement without results (transaction control) through the cache:
 * sql is a string literal, as for vm_store_stmt. Logs and returns
 * VM_IDX_ERR_DB when it fails. */
vm_idx_status vm_store_run(vm_store *s, const char *sql);
/* Log the SQLite error of the last call and return VM_IDX_ERR_DB. */
vm_idx_status vm_store_fail(vm_store *s, const char *what);

/* Nested savepoints; ids are depths, released/rolled back LIFO. Rollback
 * undoes everything since the matching savepoint and ends it. */
vm_idx_status vm_store_savepoint(vm_store *s, uint32_t *id);
vm_idx_status vm_store_release(vm_store *s, uint32_t id);
vm_idx_status vm_store_rollback(vm_store *s, uint32_t id);

/* Amounts (balances and boxes). A missing row reads as 0; a row that would
 * become 0 is deleted, so state never depends on whether an entry was
 * touched. Box existence rows (4-byte keys) are kept by vm_store_box_create. */
vm_idx_status vm_store_amount_get(vm_store *s, vm_amount_table t, const uint8_t prog[32],
                                  const uint8_t *key, size_t klen, smn_amount_t *out);
vm_idx_status vm_store_amount_set(vm_store *s, vm_amount_table t, const uint8_t prog[32],
                                  const uint8_t *key, size_t klen, smn_amount_t v);
/* Add/subtract: *ok false (and nothing written) on overflow or a debit
 * above the balance. */
vm_idx_status vm_store_amount_add(vm_store *s, vm_amount_table t, const uint8_t prog[32],
                                  const uint8_t *key, size_t klen, smn_amount_t v, bool *ok);
vm_idx_status vm_store_amount_sub(vm_store *s, vm_amount_table t, const uint8_t prog[32],
                                  const uint8_t *key, size_t klen, smn_amount_t v, bool *ok);

/* Boxes: count of existing boxes, existence test, creation of box number
 * count (the next one). */
vm_idx_status vm_store_box_count(vm_store *s, const uint8_t prog[32], uint32_t *n);
vm_idx_status vm_store_box_create(vm_store *s, const uint8_t prog[32], uint32_t *box);

/* Storage: get copies at most cap bytes and reports the full length;
 * *found false when absent. */
vm_idx_status vm_store_storage_get(vm_store *s, const uint8_t prog[32], const uint8_t *key,
                                   size_t klen, uint8_t *out, size_t cap, size_t *len, bool *found);
vm_idx_status vm_store_storage_put(vm_store *s, const uint8_t prog[32], const uint8_t *key,
                                   size_t klen, const uint8_t *val, size_t vlen);
vm_idx_status vm_store_storage_del(vm_store *s, const uint8_t prog[32], const uint8_t *key,
                                   size_t klen, bool *found);

/* Programs. kind: VM_PROG_* below. host is NULL for the global natives. */
typedef enum {
    VM_PROG_TOKEN = 1,
    VM_PROG_VSMN = 2,
    VM_PROG_SWAP = 3,
    VM_PROG_BYTECODE = 4,
} vm_prog_kind;

typedef struct {
    uint8_t id[32];
    uint8_t host[32];
    int kind; /* vm_prog_kind */
} vm_prog_info;

/* Find the program hosted by host whose id starts with prefix. */
vm_idx_status vm_store_program_by_prefix(vm_store *s, const uint8_t host[32],
                                         const uint8_t prefix[8], vm_prog_info *out, bool *found);
vm_idx_status vm_store_program_get(vm_store *s, const uint8_t id[32], vm_prog_info *out,
                                   bool *found);
/* The code blob of a program into a fresh heap buffer (caller frees). */
vm_idx_status vm_store_program_code(vm_store *s, const uint8_t id[32], uint8_t **code, size_t *len);
vm_idx_status vm_store_program_add(vm_store *s, const uint8_t id[32], const uint8_t host[32],
                                   int kind, const uint8_t *code, size_t code_len,
                                   const uint8_t block_hash[32], uint64_t height);

#endif
