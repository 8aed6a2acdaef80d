/* Read-only queries on vm.db (query.h). */
#include "procs/vm/programs/query.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/merkle.h"
#include "procs/vm/programs/native.h"
#include "procs/vm/programs/store.h"

struct vm_query {
    vm_store *st;
    bool in_read;
};

vm_idx_status vm_query_open(const char *path, vm_query **out)
{
    if (!path || !out)
        return VM_IDX_ERR_ARG;
    *out = NULL;
    if (sodium_init() < 0)
        return VM_IDX_ERR_NOMEM;
    vm_query *q = calloc(1, sizeof *q);
    if (!q)
        return VM_IDX_ERR_NOMEM;
    vm_idx_status rc = vm_store_open_ro(path, &q->st);
    if (rc != VM_IDX_OK) {
        free(q);
        return rc;
    }
    *out = q;
    return VM_IDX_OK;
}

void vm_query_close(vm_query *q)
{
    if (!q)
        return;
    vm_query_end(q);
    vm_store_close(q->st);
    free(q);
}

struct sqlite3 *vm_query_db(vm_query *q)
{
    return vm_store_db(q->st);
}

vm_idx_status vm_query_begin(vm_query *q)
{
    if (q->in_read)
        return VM_IDX_OK;
    sqlite3 *db = vm_store_db(q->st);
    /* BEGIN is deferred: the snapshot starts with the first read, so read
     * something now to fail here (busy) rather than in the middle. */
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return VM_IDX_ERR_DB;
    if (sqlite3_exec(db, "SELECT count(*) FROM meta", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return VM_IDX_ERR_DB;
    }
    q->in_read = true;
    return VM_IDX_OK;
}

void vm_query_end(vm_query *q)
{
    if (q && q->in_read) {
        sqlite3_exec(vm_store_db(q->st), "COMMIT", NULL, NULL, NULL);
        q->in_read = false;
    }
}

vm_idx_status vm_query_seq(vm_query *q, uint64_t *seq)
{
    sqlite3_stmt *st = vm_store_stmt(q->st, "SELECT value FROM meta WHERE key='ledger_seq'");
    if (!st)
        return VM_IDX_ERR_DB;
    *seq = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
        *seq = (uint64_t)sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return VM_IDX_ERR_DB;
    sqlite3_reset(st);
    return VM_IDX_OK;
}

const char *vm_query_kind_name(int kind)
{
    switch (kind) {
    case VM_PROG_TOKEN:
        return "token";
    case VM_PROG_VSMN:
        return "vsmn";
    case VM_PROG_SWAP:
        return "swap";
    case VM_PROG_BYTECODE:
        return "bytecode";
    default:
        return "unknown";
    }
}

static bool col32(sqlite3_stmt *st, int i, uint8_t out[32])
{
    if (sqlite3_column_type(st, i) != SQLITE_BLOB || sqlite3_column_bytes(st, i) != 32)
        return false;
    memcpy(out, sqlite3_column_blob(st, i), 32);
    return true;
}

vm_idx_status vm_query_programs(vm_query *q, const uint8_t *after, uint8_t (*ids)[32], size_t max,
                                size_t *n)
{
    static const uint8_t none[1] = {0};
    sqlite3_stmt *st =
        vm_store_stmt(q->st, "SELECT id FROM programs WHERE id > ? ORDER BY id LIMIT ?");
    if (!st)
        return VM_IDX_ERR_DB;
    /* A 0-length blob sorts before every id. */
    sqlite3_bind_blob(st, 1, after ? after : none, after ? 32 : 0, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    *n = 0;
    int rc;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
        if (col32(st, 0, ids[*n]))
            (*n)++;
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_query_program_by_prefix(vm_query *q, const uint8_t prefix[8], uint8_t id[32],
                                         bool *found)
{
    uint8_t lo[32] = {0}, hi[32];
    memcpy(lo, prefix, 8);
    memcpy(hi, prefix, 8);
    memset(hi + 8, 0xff, 24);
    sqlite3_stmt *st = vm_store_stmt(
        q->st, "SELECT id FROM programs WHERE id >= ? AND id <= ? ORDER BY id LIMIT 2");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, lo, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, hi, 32, SQLITE_TRANSIENT);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (col32(st, 0, id))
            n++;
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return VM_IDX_ERR_DB;
    *found = n == 1; /* two programs of different hosts may share a prefix */
    return VM_IDX_OK;
}

static vm_idx_status commit_info(vm_query *q, vm_query_proginfo *p)
{
    sqlite3_stmt *st = vm_store_stmt(
        q->st, "SELECT count(*), coalesce(sum(result='mismatch'),0) FROM commits WHERE program=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, p->id, 32, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        return VM_IDX_ERR_DB;
    p->commits = (uint64_t)sqlite3_column_int64(st, 0);
    p->commits_mismatch = (uint64_t)sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    st = vm_store_stmt(q->st,
                       "SELECT c.block_hash, a.height, c.published_height, c.published, c.computed,"
                       " c.result FROM commits c JOIN applied a ON a.hash = c.block_hash"
                       " WHERE c.program=? ORDER BY a.height DESC LIMIT 1");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, p->id, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        p->has_commit = col32(st, 0, p->commit_block);
        p->commit_height = (uint64_t)sqlite3_column_int64(st, 1);
        p->commit_published_height = (uint64_t)sqlite3_column_int64(st, 2);
        col32(st, 3, p->commit_published);
        p->commit_has_computed = col32(st, 4, p->commit_computed);
        const unsigned char *r = sqlite3_column_text(st, 5);
        snprintf(p->commit_result, sizeof p->commit_result, "%s", r ? (const char *)r : "");
    } else if (rc != SQLITE_DONE) {
        return VM_IDX_ERR_DB;
    }
    sqlite3_reset(st);
    st = vm_store_stmt(q->st,
                       "SELECT c.block_hash, a.height FROM commits c"
                       " JOIN applied a ON a.hash = c.block_hash"
                       " WHERE c.program=? AND c.result='mismatch' ORDER BY a.height LIMIT 1");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, p->id, 32, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        p->has_first_mismatch = col32(st, 0, p->first_mismatch_block);
        p->first_mismatch_height = (uint64_t)sqlite3_column_int64(st, 1);
    } else if (rc != SQLITE_DONE) {
        return VM_IDX_ERR_DB;
    }
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_query_program_brief(vm_query *q, const uint8_t id[32], int *kind, bool *has_host,
                                     uint8_t host[32])
{
    vm_prog_info info;
    bool found = false;
    vm_idx_status rc = vm_store_program_get(q->st, id, &info, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (!found)
        return VM_IDX_ERR_NOT_FOUND;
    *kind = info.kind;
    *has_host = info.kind != VM_PROG_TOKEN && info.kind != VM_PROG_VSMN;
    memcpy(host, info.host, 32);
    return VM_IDX_OK;
}

vm_idx_status vm_query_program_fraud(vm_query *q, const uint8_t id[32], bool *fraud)
{
    sqlite3_stmt *st =
        vm_store_stmt(q->st, "SELECT 1 FROM commits WHERE program=? AND result='mismatch' LIMIT 1");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *fraud = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VM_IDX_OK : VM_IDX_ERR_DB;
}

vm_idx_status vm_query_program(vm_query *q, const uint8_t id[32], vm_query_proginfo *p)
{
    memset(p, 0, sizeof *p);
    sqlite3_stmt *st = vm_store_stmt(
        q->st, "SELECT host, kind, code, deploy_hash, height FROM programs WHERE id=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return VM_IDX_ERR_NOT_FOUND;
    }
    if (rc != SQLITE_ROW)
        return VM_IDX_ERR_DB;
    memcpy(p->id, id, 32);
    p->has_host = col32(st, 0, p->host);
    p->kind = sqlite3_column_int(st, 1);
    const uint8_t *code = sqlite3_column_blob(st, 2);
    int clen = sqlite3_column_bytes(st, 2);
    if (code && clen > 0) {
        p->code_len = (size_t)clen;
        crypto_generichash(p->code_hash, 32, code, p->code_len, NULL, 0);
        if (p->kind == VM_PROG_BYTECODE && clen > 4)
            p->version = code[4];
        if (p->kind == VM_PROG_SWAP && clen == 5 + 64) {
            memcpy(p->swap_a, code + 5, 32);
            memcpy(p->swap_b, code + 37, 32);
        }
    }
    p->has_deploy = p->has_host && col32(st, 3, p->deploy_block);
    p->deploy_height = (uint64_t)sqlite3_column_int64(st, 4);
    sqlite3_reset(st);
    vm_idx_status r = vm_merkle_program_root(q->st, id, p->root);
    if (r == VM_IDX_OK)
        r = vm_store_box_count(q->st, id, &p->boxes);
    if (r == VM_IDX_OK)
        r = commit_info(q, p);
    return r;
}

vm_idx_status vm_query_first_fraud(vm_query *q, uint8_t program[32], uint8_t block[32],
                                   uint64_t *height, bool *found)
{
    sqlite3_stmt *st =
        vm_store_stmt(q->st, "SELECT c.program, c.block_hash, a.height FROM commits c"
                             " JOIN applied a ON a.hash = c.block_hash"
                             " JOIN events e ON e.block_hash = c.block_hash AND e.type = 'commit'"
                             " WHERE c.result = 'mismatch' ORDER BY e.cursor LIMIT 1");
    if (!st)
        return VM_IDX_ERR_DB;
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW && col32(st, 0, program) && col32(st, 1, block);
    if (*found)
        *height = (uint64_t)sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VM_IDX_OK : VM_IDX_ERR_DB;
}

vm_idx_status vm_query_storage(vm_query *q, const uint8_t prog[32], const uint8_t *after,
                               size_t after_len, size_t max, vm_query_kv_fn fn, void *user)
{
    static const uint8_t none[1] = {0};
    sqlite3_stmt *st = vm_store_stmt(
        q->st, "SELECT key, value FROM storage WHERE program=? AND key > ? ORDER BY key LIMIT ?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, after ? after : none, after ? (int)after_len : 0, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!fn(user, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)))
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? VM_IDX_OK : VM_IDX_ERR_DB;
}

static bool amount_col(sqlite3_stmt *st, int i, smn_amount_t *out)
{
    if (sqlite3_column_bytes(st, i) != 16)
        return false;
    *out = smn_amount_from_be(sqlite3_column_blob(st, i));
    return true;
}

static vm_idx_status balances_of(vm_query *q, const uint8_t prog[32], const uint8_t *holder,
                                 size_t max, vm_query_bal_fn fn, void *user)
{
    sqlite3_stmt *st;
    if (holder) {
        st = vm_store_stmt(q->st, "SELECT key, amount FROM balances WHERE +program=?"
                                  " AND length(key)=65 AND substr(key,33,1)=x'02'"
                                  " AND substr(key,34)=? ORDER BY key");
        if (!st)
            return VM_IDX_ERR_DB;
        sqlite3_bind_blob(st, 2, holder, 32, SQLITE_TRANSIENT);
    } else {
        st = vm_store_stmt(q->st, "SELECT key, amount FROM balances WHERE program=? ORDER BY key");
        if (!st)
            return VM_IDX_ERR_DB;
    }
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_TRANSIENT);
    int rc;
    size_t k = 0;
    while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        vm_query_balance b = {0};
        const uint8_t *key = sqlite3_column_blob(st, 0);
        if (sqlite3_column_bytes(st, 0) != VM_BAL_KEY_LEN || !amount_col(st, 1, &b.amount))
            continue;
        memcpy(b.program, prog, 32);
        memcpy(b.asset, key, 32);
        b.holder_kind = key[32];
        memcpy(b.holder, key + 33, 32);
        k++;
        if (!fn(user, &b))
            break;
    }
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_query_account_balances(vm_query *q, const uint8_t account[32], vm_query_bal_fn fn,
                                        void *user)
{
    vm_idx_status rc = balances_of(q, vm_pid_token, account, SIZE_MAX, fn, user);
    if (rc == VM_IDX_OK)
        rc = balances_of(q, vm_pid_vsmn, account, SIZE_MAX, fn, user);
    return rc;
}

vm_idx_status vm_query_program_balances(vm_query *q, const uint8_t prog[32], size_t max,
                                        vm_query_bal_fn fn, void *user)
{
    return balances_of(q, prog, NULL, max, fn, user);
}

vm_idx_status vm_query_boxes(vm_query *q, const uint8_t prog[32], uint32_t from, uint32_t max,
                             vm_query_bal_fn fn, void *user)
{
    uint8_t lo[4] = {(uint8_t)(from >> 24), (uint8_t)(from >> 16), (uint8_t)(from >> 8),
                     (uint8_t)from};
    sqlite3_stmt *st = vm_store_stmt(
        q->st, "SELECT key, amount FROM boxes WHERE program=? AND key >= ? ORDER BY key");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, lo, 4, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *key = sqlite3_column_blob(st, 0);
        int kl = sqlite3_column_bytes(st, 0);
        if (kl != 4 && kl != 36)
            continue;
        vm_query_balance b = {0};
        memcpy(b.program, prog, 32);
        b.holder_kind = 1;
        b.box = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
        if ((uint64_t)b.box >= (uint64_t)from + max)
            break;
        if (kl == 36) {
            memcpy(b.asset, key + 4, 32);
            if (!amount_col(st, 1, &b.amount))
                continue;
        }
        if (!fn(user, &b))
            break;
    }
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_query_token(vm_query *q, const uint8_t id[32], vm_token_meta *out)
{
    uint8_t meta[32 + 1 + 16 + 16 + 2 + 32];
    size_t len = 0;
    bool found = false;
    vm_idx_status rc =
        vm_store_storage_get(q->st, vm_pid_token, id, 32, meta, sizeof meta, &len, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (!found)
        return VM_IDX_ERR_NOT_FOUND;
    if (len > sizeof meta || !vm_token_meta_parse(meta, len, out))
        return VM_IDX_ERR_DB;
    return VM_IDX_OK;
}

vm_idx_status vm_query_pstate(vm_query *q, const uint8_t prog[32], uint32_t session, uint32_t seq,
                              vm_query_state *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (seq == 0) {
        st = vm_store_stmt(q->st, "SELECT seq, valid, data, block FROM pstate WHERE program=?"
                                  " AND session=? AND valid=1 ORDER BY seq DESC LIMIT 1");
        if (!st)
            return VM_IDX_ERR_DB;
    } else {
        st = vm_store_stmt(q->st, "SELECT seq, valid, data, block FROM pstate WHERE program=?"
                                  " AND session=? AND seq=?");
        if (!st)
            return VM_IDX_ERR_DB;
        sqlite3_bind_int64(st, 3, seq);
    }
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, session);
    int rc = sqlite3_step(st);
    vm_idx_status r = VM_IDX_OK;
    if (rc == SQLITE_ROW) {
        out->session = session;
        out->seq = (uint32_t)sqlite3_column_int64(st, 0);
        out->valid = sqlite3_column_int(st, 1) != 0;
        out->len = (size_t)sqlite3_column_bytes(st, 2);
        col32(st, 3, out->block);
        out->data = malloc(out->len ? out->len : 1);
        if (!out->data)
            r = VM_IDX_ERR_NOMEM;
        else if (out->len)
            memcpy(out->data, sqlite3_column_blob(st, 2), out->len);
    } else {
        r = rc == SQLITE_DONE ? VM_IDX_ERR_NOT_FOUND : VM_IDX_ERR_DB;
    }
    sqlite3_reset(st);
    return r;
}

vm_idx_status vm_query_view(vm_query *q, const uint8_t prog[32], const uint8_t *caller,
                            uint8_t method, const smn_amount_t *args, uint8_t nargs, uint64_t gas,
                            vm_query_view_result *res)
{
    static const uint8_t zero[32] = {0};
    vm_prog_info info;
    bool found = false;
    vm_idx_status rc = vm_store_program_get(q->st, prog, &info, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (!found)
        return VM_IDX_ERR_NOT_FOUND;
    if (info.kind != VM_PROG_BYTECODE)
        return VM_IDX_ERR_ARG;
    vm_bytecode_result r = {0};
    rc = vm_bytecode_view(q->st, &info, caller ? caller : zero, method, args, nargs, gas, &r);
    res->status = r.status;
    res->ret = r.ret;
    res->gas_used = r.gas_used;
    res->fault_offset = r.fault_offset;
    return rc;
}
