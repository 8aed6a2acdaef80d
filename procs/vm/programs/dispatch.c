/* Envelope kinds to effects. Send side: everything the sender's own chain
 * decides (rule-1 debits, etch, mint, deploy, published states, commits).
 * Receive side: rule-1 credits and rule-2 calls at the destination. */
#include "procs/vm/programs/dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "procs/vm/codec/envelope.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"

static vm_idx_status msg_event(vm_apply_ctx *c, const vm_msg *m, const uint8_t prog[32],
                               const char *type, uint32_t session, int detail)
{
    vm_wbuf w = {0};
    vm_w_bytes(&w, m->id, 32);
    vm_w_bytes(&w, m->sender, 32);
    vm_w_bytes(&w, m->dest, 32);
    vm_w_u32(&w, m->total);
    vm_w_u32(&w, (uint32_t)detail);
    return vm_event(c, prog, session, type, 0, w.b, w.n);
}

static vm_idx_status record(vm_apply_ctx *c, const vm_msg *m, const char *status,
                            const uint8_t *env, size_t env_len, const vm_pending *p)
{
    static const uint8_t empty = 0;
    uint8_t amt[16] = {0};
    sqlite3_stmt *st = vm_store_stmt(
        c->st, "UPDATE messages SET status=?, envelope=?, send_ok=?, pending=?, asset=?,"
               " last_send=? WHERE msg_id=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, env_len ? env : &empty, (int)env_len, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, p && p->ok);
    if (p)
        smn_amount_to_be(p->amount, amt);
    sqlite3_bind_blob(st, 4, amt, 16, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 5, p ? p->asset : vm_asset_smn, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 6, c->blk->hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, m->id, 32, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return vm_store_fail(c->st, "record message");
    sqlite3_reset(st);
    return VM_IDX_OK;
}

vm_idx_status vm_dispatch_send(vm_apply_ctx *c, const vm_msg *m, const uint8_t *payload, size_t len)
{
    static const uint8_t none[32] = {0};
    vm_envelope e;
    vm_env_status es = vm_envelope_decode(payload, len, &e);
    if (es != VM_ENV_OK) {
        vm_idx_status rc = record(c, m, "invalid_envelope", payload, len, NULL);
        return rc != VM_IDX_OK ? rc : msg_event(c, m, none, "message.invalid", 0, 100 + (int)es);
    }
    uint8_t pid[32] = {0};
    memcpy(pid, e.program_id, 8);
    if (e.opaque) {
        /* Encrypted: kept as it is, no state change. */
        vm_idx_status rc = record(c, m, "opaque", payload, len, NULL);
        return rc != VM_IDX_OK ? rc : msg_event(c, m, pid, "message.opaque", e.session_id, 0);
    }
    vm_pending p = {0};
    vm_idx_status rc = VM_IDX_OK;
    switch (e.kind) {
    case VM_KIND_DEPLOY:
        rc = vm_deploy(c, m, &e.body.deploy);
        break;
    case VM_KIND_CALL:
        if (vm_pid_has_prefix(vm_pid_token, e.program_id))
            rc = vm_asset_on_send(c, m, vm_pid_token, &e.body.call, &p);
        else if (vm_pid_has_prefix(vm_pid_vsmn, e.program_id))
            rc = vm_asset_on_send(c, m, vm_pid_vsmn, &e.body.call, &p);
        /* a call of a hosted program acts at the destination's receive */
        break;
    case VM_KIND_STATE:
        rc = vm_publish_state(c, m, &e);
        break;
    case VM_KIND_ATTEST:
        rc = vm_publish_attest(c, m, &e);
        break;
    case VM_KIND_COMMIT:
        rc = vm_publish_commit(c, m, &e);
        break;
    case VM_KIND_BURN_MINT:
        /* The mint itself happens at every send to the burn account
         * (indexer.c), message or not: this only records the intent. A
         * recipient other than the burner is not honoured: crediting it
         * would change an account's balance from another account's chain. */
        rc = msg_event(c, m, vm_pid_vsmn, "vsmn.burn_message", e.session_id,
                       memcmp(m->dest, vm_burn_account, 32) != 0 ? 1
                       : (e.body.burn_mint.has_recipient &&
                          memcmp(e.body.burn_mint.recipient, m->sender, 32) != 0)
                           ? 2
                           : 0);
        break;
    default:
        break;
    }
    if (rc != VM_IDX_OK)
        return rc;
    return record(c, m, "complete", payload, len, &p);
}

bool vm_dispatch_has_receive_side(const uint8_t *env, size_t len, bool send_ok)
{
    vm_envelope e;
    if (vm_envelope_decode(env, len, &e) != VM_ENV_OK || e.opaque || e.kind != VM_KIND_CALL)
        return false;
    if (vm_pid_has_prefix(vm_pid_token, e.program_id) ||
        vm_pid_has_prefix(vm_pid_vsmn, e.program_id))
        return send_ok; /* only a transfer whose send side succeeded credits */
    return true;        /* a hosted program's call runs at its host's receive */
}

vm_idx_status vm_dispatch_receive(vm_apply_ctx *c, const vm_msg *m)
{
    sqlite3_stmt *st = vm_store_stmt(
        c->st, "SELECT envelope, send_ok, pending, asset FROM messages WHERE msg_id=?");
    if (!st)
        return VM_IDX_ERR_DB;
    sqlite3_bind_blob(st, 1, m->id, 32, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return VM_IDX_ERR_DB;
    }
    /* The envelope borrows from its bytes: copy them out of the row. */
    size_t len = (size_t)sqlite3_column_bytes(st, 0);
    vm_pending p = {0};
    if (sqlite3_column_bytes(st, 2) != 16 || sqlite3_column_bytes(st, 3) != 32) {
        sqlite3_reset(st);
        return VM_IDX_ERR_DB;
    }
    uint8_t *env_bytes = malloc(len ? len : 1);
    if (!env_bytes) {
        sqlite3_reset(st);
        return VM_IDX_ERR_NOMEM;
    }
    if (len)
        memcpy(env_bytes, sqlite3_column_blob(st, 0), len);
    p.ok = sqlite3_column_int(st, 1) != 0;
    p.amount = smn_amount_from_be(sqlite3_column_blob(st, 2));
    memcpy(p.asset, sqlite3_column_blob(st, 3), 32);
    sqlite3_reset(st);

    vm_envelope e;
    vm_idx_status rc = VM_IDX_OK;
    if (vm_dispatch_has_receive_side(env_bytes, len, p.ok) &&
        vm_envelope_decode(env_bytes, len, &e) == VM_ENV_OK) {
        vm_input none = {0};
        if (vm_pid_has_prefix(vm_pid_token, e.program_id))
            rc = vm_asset_on_receive(c, m, vm_pid_token, &e.body.call, &p);
        else if (vm_pid_has_prefix(vm_pid_vsmn, e.program_id))
            rc = vm_asset_on_receive(c, m, vm_pid_vsmn, &e.body.call, &p);
        else
            rc = vm_call_hosted(c, m->dest, e.program_id, m->sender, &e.body.call, vm_pid_token,
                                &none);
    }
    free(env_bytes);
    return rc;
}
