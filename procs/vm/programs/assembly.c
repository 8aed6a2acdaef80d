/* Message assembly on an account chain.
 *
 * A send whose chunk (amount mod 10^30) is a valid strict first chunk
 * starts a message of the length its header gives, unless a message is
 * already being assembled. While one is, the account's next send is its
 * next chunk if it goes to the same destination; a send elsewhere or a
 * change abandons it, and that block is then looked at afresh (a send may
 * start a new message). Receives are not fed here at all: they never
 * abandon a message (so one can be sent to oneself with auto-receive on). The send with the
 * last chunk completes the message: the frame is decoded strictly; if it
 * fails the message is invalid and has no effect. */
#include "procs/vm/programs/assembly.h"

#include <stdlib.h>
#include <string.h>

#include "procs/vm/codec/codec.h"
#include "procs/vm/programs/dispatch.h"

static vm_idx_status exec1(vm_apply_ctx *c, const char *sql, const uint8_t *a, size_t alen,
                           const uint8_t *b, size_t blen)
{
    sqlite3_stmt *st = vm_store_stmt(c->st, sql);
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, a, (int)alen, SQLITE_STATIC);
    if (b)
        sqlite3_bind_blob(st, 2, b, (int)blen, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(c->st, "message bookkeeping");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

static vm_idx_status status_event(vm_apply_ctx *c, const vm_msg *m, const char *type,
                                  uint32_t detail)
{
    static const uint8_t none[32] = {0};
    vm_wbuf w = {0};
    vm_w_bytes(&w, m->id, 32);
    vm_w_bytes(&w, m->sender, 32);
    vm_w_bytes(&w, m->dest, 32);
    vm_w_u32(&w, m->total);
    vm_w_u32(&w, detail);
    return vm_event(c, none, 0, type, 0, w.b, w.n);
}

/* The last chunk arrived: decode and run the send side. */
static vm_idx_status complete(vm_apply_ctx *c, const vm_msg *m, const char *texts, size_t n)
{
    /* 15 base-99 digits carry under 13 bytes, so n * 13 bytes hold any
     * payload n chunks can encode (the decoder still checks the bound). */
    size_t cap = n * 13 + 16;
    if (cap > VM_CODEC_MAX_PAYLOAD)
        cap = VM_CODEC_MAX_PAYLOAD;
    vm_chunk *chunks = calloc(n, sizeof *chunks);
    uint8_t *payload = malloc(cap);
    vm_idx_status rc = VM_IDX_OK;
    if (!chunks || !payload) {
        rc = VM_IDX_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(chunks[i].text, texts + i * VM_CODEC_CHUNK_CHARS, VM_CODEC_CHUNK_CHARS);
        chunks[i].text[VM_CODEC_CHUNK_CHARS] = 0;
    }
    size_t len = 0;
    vm_codec_status cs = vm_codec_decode(chunks, n, VM_CODEC_STRICT, payload, cap, &len);
    if (cs == VM_CODEC_ERR_NOMEM) {
        rc = VM_IDX_ERR_NOMEM;
    } else if (cs != VM_CODEC_OK) {
        rc = exec1(c, "UPDATE messages SET status='invalid_frame', last_send=? WHERE msg_id=?",
                   c->blk->hash, 32, m->id, 32);
        if (rc == VM_IDX_OK)
            rc = status_event(c, m, "message.invalid", (uint32_t)cs);
    } else {
        rc = vm_dispatch_send(c, m, payload, len);
    }
out:
    free(chunks);
    free(payload);
    return rc;
}

vm_idx_status vm_assembly_block(vm_apply_ctx *c, bool is_send, const uint8_t dest[32],
                                smn_amount_t amount)
{
    const vm_block *b = c->blk;
    vm_chunk chunk;
    if (is_send)
        vm_chunk_from_raw(amount, &chunk);

    sqlite3_stmt *st =
        vm_store_stmt(c->st, "SELECT msg_id, dest, total, chunks FROM assembly WHERE account=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, b->account, 32, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        vm_msg m;
        memcpy(m.id, sqlite3_column_blob(st, 0), 32);
        memcpy(m.sender, b->account, 32);
        memcpy(m.dest, sqlite3_column_blob(st, 1), 32);
        m.total = (uint32_t)sqlite3_column_int64(st, 2);
        size_t have_len = (size_t)sqlite3_column_bytes(st, 3);
        if (is_send && memcmp(dest, m.dest, 32) == 0) {
            char *texts = malloc(have_len + VM_CODEC_CHUNK_CHARS);
            if (!texts) {
                sqlite3_reset(st);
                return VM_IDX_ERR_NOMEM;
            }
            memcpy(texts, sqlite3_column_blob(st, 3), have_len);
            sqlite3_reset(st);
            memcpy(texts + have_len, chunk.text, VM_CODEC_CHUNK_CHARS);
            size_t n = have_len / VM_CODEC_CHUNK_CHARS + 1;
            vm_idx_status rc = exec1(c, "INSERT INTO msg_sends(send_hash, msg_id) VALUES(?,?)",
                                     b->hash, 32, m.id, 32);
            if (rc == VM_IDX_OK)
                rc = exec1(c, "UPDATE messages SET have=have+1 WHERE msg_id=?", m.id, 32, NULL, 0);
            if (rc == VM_IDX_OK && n == m.total) {
                rc = exec1(c, "DELETE FROM assembly WHERE account=?", b->account, 32, NULL, 0);
                if (rc == VM_IDX_OK)
                    rc = complete(c, &m, texts, n);
            } else if (rc == VM_IDX_OK) {
                rc = exec1(c, "UPDATE assembly SET chunks=? WHERE account=?", (uint8_t *)texts,
                           n * VM_CODEC_CHUNK_CHARS, b->account, 32);
            }
            free(texts);
            return rc;
        }
        sqlite3_reset(st);
        uint32_t have = (uint32_t)(have_len / VM_CODEC_CHUNK_CHARS);
        vm_idx_status rc =
            exec1(c, "DELETE FROM assembly WHERE account=?", b->account, 32, NULL, 0);
        if (rc == VM_IDX_OK)
            rc = exec1(c, "UPDATE messages SET status='abandoned' WHERE msg_id=?", m.id, 32, NULL,
                       0);
        if (rc == VM_IDX_OK)
            rc = status_event(c, &m, "message.abandoned", have);
        if (rc != VM_IDX_OK)
            return rc;
    } else if (r != SQLITE_DONE) {
        return vm_store_fail(c->st, "read assembly");
    } else {
        sqlite3_reset(st);
    }

    if (!is_send)
        return VM_IDX_OK;
    uint32_t plen;
    size_t n;
    if (vm_codec_read_header(&chunk, &plen, &n) != VM_CODEC_OK)
        return VM_IDX_OK; /* an ordinary payment */
    vm_msg m;
    memcpy(m.id, b->hash, 32);
    memcpy(m.sender, b->account, 32);
    memcpy(m.dest, dest, 32);
    m.total = (uint32_t)n;
    st = vm_store_stmt(c->st, "INSERT INTO messages(msg_id, sender, dest, total, have, status)"
                              " VALUES(?,?,?,?,1,'assembling')");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, m.id, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, m.sender, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, m.dest, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, m.total);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(c->st, "start message");
    sqlite3_reset(st);
    vm_idx_status rc =
        exec1(c, "INSERT INTO msg_sends(send_hash, msg_id) VALUES(?,?)", b->hash, 32, m.id, 32);
    if (rc != VM_IDX_OK)
        return rc;
    if (n == 1)
        return complete(c, &m, chunk.text, 1);
    st = vm_store_stmt(
        c->st, "INSERT INTO assembly(account, msg_id, dest, total, chunks) VALUES(?,?,?,?,?)");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, b->account, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, m.id, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, dest, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, m.total);
    sqlite3_bind_blob(st, 5, chunk.text, VM_CODEC_CHUNK_CHARS, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(c->st, "assemble message");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_assembly_received(vm_apply_ctx *c, const uint8_t src[32])
{
    sqlite3_stmt *st = vm_store_stmt(
        c->st, "SELECT m.msg_id, m.sender, m.dest, m.total, m.received, m.status FROM msg_sends s"
               " JOIN messages m ON m.msg_id = s.msg_id WHERE s.send_hash=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, src, 32, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE) {
        sqlite3_reset(st);
        return VM_IDX_OK; /* not a chunk of any message */
    }
    if (r != SQLITE_ROW)
        return vm_store_fail(c->st, "read message");
    vm_msg m;
    memcpy(m.id, sqlite3_column_blob(st, 0), 32);
    memcpy(m.sender, sqlite3_column_blob(st, 1), 32);
    memcpy(m.dest, sqlite3_column_blob(st, 2), 32);
    m.total = (uint32_t)sqlite3_column_int64(st, 3);
    uint32_t received = (uint32_t)sqlite3_column_int64(st, 4) + 1;
    bool complete_msg = strcmp((const char *)sqlite3_column_text(st, 5), "complete") == 0;
    sqlite3_reset(st);
    vm_idx_status rc =
        exec1(c, "UPDATE messages SET received=received+1 WHERE msg_id=?", m.id, 32, NULL, 0);
    if (rc != VM_IDX_OK)
        return rc;
    /* Every chunk send precedes its receive, so when the last one is
     * received the message's fate (complete or not) is already known. */
    if (complete_msg && received == m.total)
        return vm_dispatch_receive(c, &m);
    return VM_IDX_OK;
}
