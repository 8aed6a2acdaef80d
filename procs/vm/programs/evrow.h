/* VM events as the event socket and `smallnano-cli vm events` read them
 * from the vm DB (table events, docs/vm.md "State and commitments"), and the
 * subscription filter they are matched against. */
#ifndef VM_PROGRAMS_EVROW_H
#define VM_PROGRAMS_EVROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#define VM_EVROW_TYPE_MAX 32    /* longest event type name accepted from the DB */
#define VM_EVROW_DATA_MAX 65536 /* longest event data accepted from the DB */

typedef struct {
    uint64_t cursor;
    uint8_t block_hash[32];
    uint64_t height;
    uint8_t account[32]; /* the chain the block belongs to */
    uint32_t index;      /* position among the block's events */
    uint8_t program[32];
    uint32_t session;
    char type[VM_EVROW_TYPE_MAX + 1];
    uint64_t topic;
    uint8_t *data; /* heap, owned by the row (vm_evrow_clear) */
    size_t data_len;
} vm_evrow;

void vm_evrow_clear(vm_evrow *e);
void vm_evrows_clear(vm_evrow *rows, size_t n);

/* Every field present must match; kind matches the type exactly or as its
 * family ("token" matches "token.mint", not "tokens.x"). */
typedef struct {
    bool has_program, has_session, has_kind, has_account;
    uint8_t program[32];
    uint32_t session;
    char kind[VM_EVROW_TYPE_MAX + 1];
    uint8_t account[32];
} vm_evfilter;

bool vm_evfilter_match(const vm_evfilter *f, const vm_evrow *e);

/* Rows with after < cursor <= upto (upto 0: no upper bound), in cursor
 * order, at most max; *n = how many (fewer than max: none left in range).
 * A row that breaks the schema (wrong blob sizes, type too long, data too
 * big, negative numbers) fails the read with SQLITE_CORRUPT: the DB is
 * not trusted blindly. SQLITE_OK or the SQLite error code. */
int vm_evrow_read(sqlite3 *db, uint64_t after, uint64_t upto, vm_evrow *out, size_t max, size_t *n);

/* The events of one block with a cursor above after, in cursor order, at
 * most max (fewer: none left); checked and answered as vm_evrow_read. */
int vm_evrow_read_block(sqlite3 *db, const uint8_t block_hash[32], uint64_t after, vm_evrow *out,
                        size_t max, size_t *n);

/* The newest cursor (0 for no events). */
int vm_evrow_head(sqlite3 *db, uint64_t *head);
/* The same with a statement the caller keeps for its next calls: prepared
 * into *st on first use (NULL before), reset after each; the caller
 * finalizes it before closing db. For a caller that asks after every step
 * (preparing it was 7% of the vm process's CPU on a busy node). */
int vm_evrow_head_cached(sqlite3 *db, sqlite3_stmt **st, uint64_t *head);

#endif
