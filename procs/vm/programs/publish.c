/* Kinds published by a program's host on its own chain: state versions
 * (latest valid version wins; explicit supersede / invalidate), commits of
 * a state root (compared with the computed one), and attestations. */
#include <sodium.h>
#include <string.h>

#include "procs/vm/programs/dispatch.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/merkle.h"
#include "procs/vm/programs/native.h"

static vm_idx_status hosted(vm_apply_ctx *c, const vm_msg *m, const vm_envelope *e,
                            vm_prog_info *info, bool *found)
{
    return vm_store_program_by_prefix(c->st, m->sender, e->program_id, info, found);
}

static vm_idx_status state_event(vm_apply_ctx *c, const uint8_t prog[32], const vm_envelope *e,
                                 vm_native_code code)
{
    vm_wbuf w = {0};
    vm_w_u8(&w, (uint8_t)code);
    vm_w_u8(&w, e->body.state.op);
    vm_w_u32(&w, e->seq);
    vm_w_u32(&w, e->body.state.target_seq);
    vm_w_u32(&w, (uint32_t)e->body.state.data_len);
    /* The blob itself is in pstate (RPC vm_state); the event names it by
     * its Blake2b-256, so an indexer can check what it fetched. */
    uint8_t h[32];
    crypto_generichash(h, 32, e->body.state.data_len ? e->body.state.data : NULL,
                       e->body.state.data_len, NULL, 0);
    vm_w_bytes(&w, h, 32);
    return vm_event(c, prog, e->session_id, "state", 0, w.b, w.n);
}

static vm_idx_status version_exists(vm_apply_ctx *c, const uint8_t prog[32], uint32_t session,
                                    uint32_t seq, bool *exists)
{
    sqlite3_stmt *st =
        vm_store_stmt(c->st, "SELECT 1 FROM pstate WHERE program=? AND session=? AND seq=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, prog, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, session);
    sqlite3_bind_int64(st, 3, seq);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vm_store_fail(c->st, "read state version");
    *exists = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_publish_state(vm_apply_ctx *c, const vm_msg *m, const vm_envelope *e)
{
    static const uint8_t empty = 0;
    vm_prog_info info;
    bool found = false, exists = false, target = false;
    uint8_t pid[32] = {0};
    memcpy(pid, e->program_id, 8);
    vm_idx_status rc = hosted(c, m, e, &info, &found);
    if (rc != VM_IDX_OK)
        return rc;
    if (!found)
        return state_event(c, pid, e, VM_N_NO_PROGRAM);
    const vm_state_body *b = &e->body.state;
    if (b->op != VM_STATE_SET) {
        rc = version_exists(c, info.id, e->session_id, b->target_seq, &target);
        if (rc != VM_IDX_OK)
            return rc;
        if (!target)
            return state_event(c, info.id, e, VM_N_BAD_ARGS);
    }
    if (b->op != VM_STATE_INVALIDATE) {
        rc = version_exists(c, info.id, e->session_id, e->seq, &exists);
        if (rc != VM_IDX_OK)
            return rc;
        if (exists)
            return state_event(c, info.id, e, VM_N_DUPLICATE);
        sqlite3_stmt *st = vm_store_stmt(c->st, "INSERT INTO pstate(program, session, seq, valid,"
                                                " data, block) VALUES(?,?,?,1,?,?)");
        if (!st)
            return VM_IDX_ERR_DB;
        sqlite3_bind_blob(st, 1, info.id, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, e->session_id);
        sqlite3_bind_int64(st, 3, e->seq);
        sqlite3_bind_blob(st, 4, b->data_len ? b->data : &empty, (int)b->data_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 5, c->blk->hash, 32, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return vm_store_fail(c->st, "insert state version");
        sqlite3_reset(st);
    }
    if (b->op != VM_STATE_SET) {
        sqlite3_stmt *st = vm_store_stmt(
            c->st, "UPDATE pstate SET valid=0 WHERE program=? AND session=? AND seq=?");
        if (!st)
            return VM_IDX_ERR_DB;
        sqlite3_bind_blob(st, 1, info.id, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, e->session_id);
        sqlite3_bind_int64(st, 3, b->target_seq);
        if (sqlite3_step(st) != SQLITE_DONE)
            return vm_store_fail(c->st, "invalidate state version");
        sqlite3_reset(st);
    }
    return state_event(c, info.id, e, VM_N_OK);
}

/* Commit results, as stored and in the event's first byte. */
enum { COMMIT_MATCH = 0, COMMIT_MISMATCH = 1, COMMIT_UNSEQUENCED = 2, COMMIT_NO_PROGRAM = 3 };
static const char *const commit_names[] = {"match", "mismatch", "unsequenced", "no_program"};

vm_idx_status vm_publish_commit(vm_apply_ctx *c, const vm_msg *m, const vm_envelope *e)
{
    vm_prog_info info;
    bool found = false;
    uint8_t pid[32] = {0}, root[32] = {0};
    memcpy(pid, e->program_id, 8);
    int result;
    vm_idx_status rc;
    if (memcmp(e->program_id, vm_pid_token, 8) == 0 || memcmp(e->program_id, vm_pid_vsmn, 8) == 0) {
        /* Rule-1 programs change on every account's chain: their root at
         * this send depends on what this node confirmed elsewhere, so a
         * comparison would not be the same on every node. */
        result = COMMIT_UNSEQUENCED;
        memcpy(pid, memcmp(e->program_id, vm_pid_token, 8) == 0 ? vm_pid_token : vm_pid_vsmn, 32);
    } else {
        rc = hosted(c, m, e, &info, &found);
        if (rc != VM_IDX_OK)
            return rc;
        if (!found) {
            result = COMMIT_NO_PROGRAM;
        } else {
            memcpy(pid, info.id, 32);
            rc = vm_merkle_program_root(c->st, info.id, root);
            if (rc != VM_IDX_OK)
                return rc;
            result =
                memcmp(root, e->body.commit.state_root, 32) == 0 ? COMMIT_MATCH : COMMIT_MISMATCH;
        }
    }
    sqlite3_stmt *st = vm_store_stmt(
        c->st, "INSERT OR REPLACE INTO commits(block_hash, program, session, published_height,"
               " published, computed, result) VALUES(?,?,?,?,?,?,?)");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, c->blk->hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, pid, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, e->session_id);
    sqlite3_bind_int64(st, 4, (int64_t)e->body.commit.height);
    sqlite3_bind_blob(st, 5, e->body.commit.state_root, 32, SQLITE_STATIC);
    if (result <= COMMIT_MISMATCH)
        sqlite3_bind_blob(st, 6, root, 32, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, commit_names[result], -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(c->st, "record commit");
    sqlite3_reset(st);
    vm_wbuf w = {0};
    vm_w_u8(&w, (uint8_t)result);
    vm_w_u64(&w, e->body.commit.height);
    vm_w_bytes(&w, e->body.commit.state_root, 32);
    vm_w_bytes(&w, root, 32);
    return vm_event(c, pid, e->session_id, "commit", 0, w.b, w.n);
}

vm_idx_status vm_publish_attest(vm_apply_ctx *c, const vm_msg *m, const vm_envelope *e)
{
    uint8_t pid[32] = {0};
    memcpy(pid, e->program_id, 8);
    vm_wbuf w = {0};
    vm_w_bytes(&w, m->sender, 32);
    vm_w_bytes(&w, e->body.attest.subject, 32);
    vm_w_u32(&w, (uint32_t)e->body.attest.claim_len);
    size_t n = e->body.attest.claim_len;
    if (n > sizeof w.b - w.n)
        n = sizeof w.b - w.n; /* the event keeps a bounded prefix of the claim */
    vm_w_bytes(&w, e->body.attest.claim, n);
    return vm_event(c, pid, e->session_id, "attest", 0, w.b, w.n);
}
