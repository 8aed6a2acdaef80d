/* The event sink and the event-data writer. */
#include "procs/vm/programs/apply.h"

#include <string.h>

#include "procs/vm/programs/ids.h"

vm_idx_status vm_event(vm_apply_ctx *c, const uint8_t program[32], uint32_t session,
                       const char *type, uint64_t topic, const uint8_t *data, size_t len)
{
    static const uint8_t empty = 0;
    sqlite3_stmt *st = vm_store_stmt(
        c->st, "INSERT INTO events(block_hash, height, account, idx, program, session, type,"
               " topic, data) VALUES(?,?,?,?,?,?,?,?,?)");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, c->blk->hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)c->blk->height);
    sqlite3_bind_blob(st, 3, c->blk->account, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, c->event_idx);
    sqlite3_bind_blob(st, 5, program, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, session);
    sqlite3_bind_text(st, 7, type, -1, SQLITE_STATIC);
    /* SQLite integers are signed: the u64 topic is stored by its bit pattern. */
    sqlite3_bind_int64(st, 8, (int64_t)topic);
    sqlite3_bind_blob(st, 9, len ? data : &empty, (int)len, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(c->st, "append event");
    sqlite3_reset(st);
    c->event_idx++;
    return VM_IDX_OK;
}

void vm_w_bytes(vm_wbuf *w, const void *p, size_t n)
{
    if (w->n + n > sizeof w->b) {
        w->overflow = true;
        return;
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

void vm_w_u8(vm_wbuf *w, uint8_t v)
{
    vm_w_bytes(w, &v, 1);
}

void vm_w_u32(vm_wbuf *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    vm_w_bytes(w, b, 4);
}

void vm_w_u64(vm_wbuf *w, uint64_t v)
{
    vm_w_u32(w, (uint32_t)(v >> 32));
    vm_w_u32(w, (uint32_t)v);
}

void vm_w_u128(vm_wbuf *w, smn_amount_t v)
{
    uint8_t b[16];
    smn_amount_to_be(v, b);
    vm_w_bytes(w, b, 16);
}
