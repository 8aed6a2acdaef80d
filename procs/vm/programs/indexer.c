/* The transcript driver: checks each confirmed block against the
 * topological contract, classifies it, and applies it atomically. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/block.h"
#include "procs/vm/programs/apply.h"
#include "procs/vm/programs/assembly.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/merkle.h"
#include "procs/vm/programs/migrate.h"
#include "procs/vm/programs/native.h"
#include "procs/vm/programs/transcript.h"

struct vm_indexer {
    vm_store *st;
    bool batch;
};

vm_idx_status vm_indexer_open(const char *path, vm_indexer **out)
{
    if (!path || !out)
        return VM_IDX_ERR_ARG;
    *out = NULL;
    if (sodium_init() < 0)
        return VM_IDX_ERR_NOMEM;
    vm_indexer *ix = calloc(1, sizeof *ix);
    if (!ix)
        return VM_IDX_ERR_NOMEM;
    vm_idx_status rc = vm_store_open(path, &ix->st);
    if (rc != VM_IDX_OK) {
        free(ix);
        return rc;
    }
    *out = ix;
    return VM_IDX_OK;
}

void vm_indexer_close(vm_indexer *ix)
{
    if (!ix)
        return;
    if (ix->batch)
        (void)vm_indexer_commit_batch(ix);
    vm_store_close(ix->st);
    free(ix);
}

struct sqlite3 *vm_indexer_db(vm_indexer *ix)
{
    return ix ? vm_store_db(ix->st) : NULL;
}

vm_idx_status vm_indexer_migrate_step(vm_indexer *ix, bool *done)
{
    if (!ix || !done)
        return VM_IDX_ERR_ARG;
    if (ix->batch)
        return VM_IDX_ERR_STATE;
    return vm_migrate_step(ix->st, done);
}

vm_idx_status vm_indexer_begin_batch(vm_indexer *ix)
{
    if (!ix)
        return VM_IDX_ERR_ARG;
    if (ix->batch)
        return VM_IDX_ERR_STATE;
    vm_idx_status rc = vm_store_run(ix->st, "BEGIN IMMEDIATE");
    if (rc == VM_IDX_OK)
        ix->batch = true;
    return rc;
}

vm_idx_status vm_indexer_commit_batch(vm_indexer *ix)
{
    if (!ix)
        return VM_IDX_ERR_ARG;
    if (!ix->batch)
        return VM_IDX_ERR_STATE;
    ix->batch = false;
    return vm_store_run(ix->st, "COMMIT");
}

/* The account's last applied height (0 if none). */
static vm_idx_status chain_height(vm_store *s, const uint8_t account[32], uint64_t *h)
{
    sqlite3_stmt *st = vm_store_stmt(s, "SELECT height FROM chains WHERE account=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, account, 32, SQLITE_STATIC);
    int r = sqlite3_step(st);
    *h = r == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return vm_store_fail(s, "read chain");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

typedef struct {
    bool found;
    uint8_t account[32];
    uint8_t dest[32];
    smn_amount_t amount;
    bool received;
} send_rec;

static vm_idx_status lookup_send(vm_store *s, const uint8_t hash[32], send_rec *r)
{
    memset(r, 0, sizeof *r);
    sqlite3_stmt *st = vm_store_stmt(
        s, "SELECT account, dest, amount, received FROM applied WHERE hash=? AND dest IS NOT NULL");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int q = sqlite3_step(st);
    if (q == SQLITE_ROW) {
        r->found = true;
        memcpy(r->account, sqlite3_column_blob(st, 0), 32);
        memcpy(r->dest, sqlite3_column_blob(st, 1), 32);
        r->amount = smn_amount_from_be(sqlite3_column_blob(st, 2));
        r->received = sqlite3_column_int(st, 3) != 0;
    } else if (q != SQLITE_DONE) {
        return vm_store_fail(s, "read send");
    }
    sqlite3_reset(st);
    return VM_IDX_OK;
}

static vm_idx_status already_applied(vm_store *s, const uint8_t hash[32], bool *yes)
{
    sqlite3_stmt *st = vm_store_stmt(s, "SELECT 1 FROM applied WHERE hash=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int q = sqlite3_step(st);
    if (q != SQLITE_ROW && q != SQLITE_DONE)
        return vm_store_fail(s, "read applied");
    *yes = q == SQLITE_ROW;
    sqlite3_reset(st);
    return VM_IDX_OK;
}

static vm_idx_status record_block(vm_store *s, const vm_block *b, bool send, smn_amount_t amount)
{
    sqlite3_stmt *st = vm_store_stmt(
        s, "INSERT INTO applied(hash, account, height, dest, amount) VALUES(?,?,?,?,?)");
    if (!st)
        return VM_IDX_ERR_DB;
    uint8_t be[16];
    smn_amount_to_be(amount, be);
    sqlite3_bind_blob(st, 1, b->hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, b->account, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)b->height);
    if (send) {
        sqlite3_bind_blob(st, 4, b->link, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 5, be, 16, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(s, "record block");
    sqlite3_reset(st);
    st = vm_store_stmt(s, "INSERT OR REPLACE INTO chains(account, height) VALUES(?,?)");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, b->account, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)b->height);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(s, "record chain");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

static vm_idx_status mark_received(vm_store *s, const uint8_t hash[32])
{
    sqlite3_stmt *st = vm_store_stmt(s, "UPDATE applied SET received=1 WHERE hash=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(s, "mark received");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

static vm_idx_status apply_inner(vm_indexer *ix, const vm_block *b)
{
    vm_store *s = ix->st;
    bool done = false;
    vm_idx_status rc = already_applied(s, b->hash, &done);
    if (rc != VM_IDX_OK)
        return rc;
    if (done)
        return VM_IDX_ALREADY;
    uint64_t h = 0;
    rc = chain_height(s, b->account, &h);
    if (rc != VM_IDX_OK)
        return rc;
    if (b->height != h + 1)
        return VM_IDX_ERR_ORDER;

    vm_apply_ctx c = {.st = s, .blk = b, .event_idx = 0};
    if (smn_amount_lt(b->balance, b->prev_balance)) { /* send */
        smn_amount_t amount = smn_amount_sub_wrap(b->prev_balance, b->balance);
        rc = record_block(s, b, true, amount);
        if (rc == VM_IDX_OK && smn_is_zero32(b->link))
            rc = vm_vsmn_burn(&c, amount); /* before the message: it may spend the mint */
        if (rc == VM_IDX_OK)
            rc = vm_assembly_block(&c, true, b->link, amount);
        return rc;
    }
    if (smn_amount_eq(b->balance, b->prev_balance)) { /* change */
        if (!smn_is_zero32(b->link))
            return VM_IDX_ERR_BLOCK;
        rc = record_block(s, b, false, smn_amount_zero());
        if (rc == VM_IDX_OK)
            rc = vm_assembly_block(&c, false, NULL, smn_amount_zero());
        return rc;
    }
    /* receive / open */
    smn_amount_t amount = smn_amount_sub_wrap(b->balance, b->prev_balance);
    send_rec src;
    rc = lookup_send(s, b->link, &src);
    if (rc != VM_IDX_OK)
        return rc;
    if (!src.found) {
        /* The genesis open: height 1, link = its own account, no source. */
        if (b->height == 1 && smn_amount_is_zero(b->prev_balance) &&
            memcmp(b->link, b->account, 32) == 0)
            return record_block(s, b, false, smn_amount_zero());
        return VM_IDX_ERR_SOURCE;
    }
    if (src.received || memcmp(src.dest, b->account, 32) != 0 ||
        !smn_amount_eq(src.amount, amount) || !smn_amount_eq(src.amount, b->source_amount) ||
        memcmp(src.account, b->source_account, 32) != 0)
        return VM_IDX_ERR_SOURCE;
    rc = record_block(s, b, false, smn_amount_zero());
    if (rc == VM_IDX_OK)
        rc = mark_received(s, b->link);
    /* A receive does not touch a message being assembled on this chain
     * (docs/vm.md "Messages"): payments arriving mid-message, and the
     * receives of a message sent to oneself, leave it intact. */
    if (rc == VM_IDX_OK)
        rc = vm_assembly_received(&c, b->link);
    return rc;
}

vm_idx_status vm_indexer_apply(vm_indexer *ix, const vm_block *b)
{
    if (!ix || !b)
        return VM_IDX_ERR_ARG;
    uint32_t sp;
    /* Outside a batch the outermost savepoint is the block's transaction. */
    vm_idx_status rc = vm_store_savepoint(ix->st, &sp);
    if (rc != VM_IDX_OK)
        return rc;
    rc = apply_inner(ix, b);
    if (rc == VM_IDX_OK) {
        rc = vm_store_release(ix->st, sp);
        if (rc != VM_IDX_OK)
            (void)vm_store_rollback(ix->st, sp);
        return rc;
    }
    vm_idx_status rb = vm_store_rollback(ix->st, sp);
    return rb != VM_IDX_OK ? rb : rc;
}

vm_idx_status vm_indexer_state_root(vm_indexer *ix, const uint8_t program_id[32], uint8_t root[32])
{
    if (!ix || !program_id || !root)
        return VM_IDX_ERR_ARG;
    vm_prog_info info;
    bool found = false;
    vm_idx_status rc = vm_store_program_get(ix->st, program_id, &info, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (!found)
        return VM_IDX_ERR_NOT_FOUND;
    return vm_merkle_program_root(ix->st, program_id, root);
}

vm_idx_status vm_indexer_programs(vm_indexer *ix, uint8_t (*ids)[32], size_t cap, size_t *n)
{
    if (!ix || !n)
        return VM_IDX_ERR_ARG;
    sqlite3_stmt *st = vm_store_stmt(ix->st, "SELECT id FROM programs ORDER BY id");
    if (!st)
        return VM_IDX_ERR_DB;
    size_t k = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (k < cap && ids && sqlite3_column_bytes(st, 0) == 32)
            memcpy(ids[k], sqlite3_column_blob(st, 0), 32);
        k++;
    }
    if (r != SQLITE_DONE)
        return vm_store_fail(ix->st, "list programs");
    sqlite3_reset(st);
    *n = k;
    return VM_IDX_OK;
}

static void hash_field(crypto_generichash_state *h, const void *p, size_t n)
{
    uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    crypto_generichash_update(h, len, 4);
    if (n)
        crypto_generichash_update(h, p, n);
}

static void hash_u64(crypto_generichash_state *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)v;
        v >>= 8;
    }
    crypto_generichash_update(h, b, 8);
}

vm_idx_status vm_indexer_event_digest(vm_indexer *ix, uint8_t digest[32], uint64_t *count)
{
    if (!ix || !digest)
        return VM_IDX_ERR_ARG;
    sqlite3_stmt *st = vm_store_stmt(
        ix->st, "SELECT account, height, idx, block_hash, program, session, type, topic, data"
                " FROM events ORDER BY account, height, idx");
    if (!st)
        return VM_IDX_ERR_DB;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    uint64_t n = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        hash_field(&h, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
        hash_u64(&h, (uint64_t)sqlite3_column_int64(st, 1));
        hash_u64(&h, (uint64_t)sqlite3_column_int64(st, 2));
        hash_field(&h, sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3));
        hash_field(&h, sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4));
        hash_u64(&h, (uint64_t)sqlite3_column_int64(st, 5));
        hash_field(&h, sqlite3_column_text(st, 6), (size_t)sqlite3_column_bytes(st, 6));
        hash_u64(&h, (uint64_t)sqlite3_column_int64(st, 7));
        hash_field(&h, sqlite3_column_blob(st, 8), (size_t)sqlite3_column_bytes(st, 8));
        n++;
    }
    if (r != SQLITE_DONE)
        return vm_store_fail(ix->st, "read events");
    sqlite3_reset(st);
    crypto_generichash_final(&h, digest, 32);
    if (count)
        *count = n;
    return VM_IDX_OK;
}

vm_idx_status vm_indexer_balance(vm_indexer *ix, const uint8_t program_id[32],
                                 const uint8_t asset[32], uint8_t holder_kind,
                                 const uint8_t holder_id[32], smn_amount_t *out)
{
    if (!ix || !program_id || !asset || !holder_id || !out)
        return VM_IDX_ERR_ARG;
    uint8_t key[VM_BAL_KEY_LEN];
    vm_bal_key(asset, holder_kind, holder_id, key);
    return vm_store_amount_get(ix->st, VM_TBL_BALANCES, program_id, key, sizeof key, out);
}

vm_idx_status vm_indexer_token(vm_indexer *ix, const uint8_t id[32], vm_token_info *out)
{
    if (!ix || !id || !out)
        return VM_IDX_ERR_ARG;
    uint8_t meta[32 + 1 + 16 + 16 + 2 + 32];
    size_t len;
    bool found = false;
    vm_idx_status rc =
        vm_store_storage_get(ix->st, vm_pid_token, id, 32, meta, sizeof meta, &len, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (!found)
        return VM_IDX_ERR_NOT_FOUND;
    if (len < 67 || len > sizeof meta)
        return VM_IDX_ERR_DB;
    memset(out, 0, sizeof *out);
    memcpy(out->id, id, 32);
    memcpy(out->etcher, meta, 32);
    out->decimals = meta[32];
    out->cap = smn_amount_from_be(meta + 33);
    out->minted = smn_amount_from_be(meta + 49);
    size_t p = 65, nl = meta[p++];
    if (nl > 16 || p + nl + 1 > len)
        return VM_IDX_ERR_DB;
    memcpy(out->name, meta + p, nl);
    p += nl;
    size_t sl = meta[p++];
    if (sl > 16 || p + sl > len)
        return VM_IDX_ERR_DB;
    memcpy(out->symbol, meta + p, sl);
    return VM_IDX_OK;
}

const char *vm_idx_strerror(vm_idx_status st)
{
    switch (st) {
    case VM_IDX_OK:
        return "ok";
    case VM_IDX_ALREADY:
        return "block already applied";
    case VM_IDX_ERR_ARG:
        return "invalid argument";
    case VM_IDX_ERR_ORDER:
        return "block height is not the account's next height";
    case VM_IDX_ERR_SOURCE:
        return "receive does not match an unreceived send to this account";
    case VM_IDX_ERR_BLOCK:
        return "self-contradictory block";
    case VM_IDX_ERR_DB:
        return "VM database error";
    case VM_IDX_ERR_SCHEMA:
        return "VM database has another schema version";
    case VM_IDX_ERR_NOMEM:
        return "out of memory";
    case VM_IDX_ERR_NOT_FOUND:
        return "no such program";
    case VM_IDX_ERR_CORRUPT:
        return "the database failed its integrity check";
    case VM_IDX_ERR_STATE:
        return "batch begun twice or committed without begin";
    }
    return "unknown status";
}
