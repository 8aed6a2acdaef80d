/* Ledger records -> vm_block. */
#include "procs/vm/service/cemented.h"

#include <string.h>

const char *vm_cem_strerror(vm_cem_status st)
{
    switch (st) {
    case VM_CEM_OK:
        return "ok";
    case VM_CEM_BAD_NOTE:
        return "inconsistent block_cemented notification";
    case VM_CEM_PRUNED:
        return "block or its source was pruned from the ledger";
    case VM_CEM_LEDGER:
        return "ledger database read failed";
    }
    return "unknown";
}

vm_cem_status vm_cemented_from_ledger(const ledger_client_cemented *n, vm_cemented *out)
{
    memset(out, 0, sizeof *out);
    vm_block *b = &out->b;
    out->seq = n->seq;
    b->height = n->height;
    memcpy(b->hash, n->hash, 32);
    memcpy(b->account, n->account, 32);
    memcpy(b->link, n->link, 32);
    b->prev_balance = n->prev_balance;
    b->balance = n->balance;
    if (out->seq == 0 || b->height == 0)
        return VM_CEM_BAD_NOTE;
    switch (n->subtype) {
    case LEDGER_SUBTYPE_SEND:
        if (smn_amount_lt(b->prev_balance, b->balance) ||
            !smn_amount_eq(smn_amount_sub_wrap(b->prev_balance, b->balance), n->amount))
            return VM_CEM_BAD_NOTE;
        break;
    case LEDGER_SUBTYPE_RECEIVE:
    case LEDGER_SUBTYPE_OPEN:
        if (smn_amount_lt(b->balance, b->prev_balance) ||
            !smn_amount_eq(smn_amount_sub_wrap(b->balance, b->prev_balance), n->amount))
            return VM_CEM_BAD_NOTE;
        memcpy(b->source_account, n->source_account, 32);
        b->source_amount = n->amount;
        break;
    case LEDGER_SUBTYPE_CHANGE:
        if (!smn_amount_eq(b->balance, b->prev_balance) || !smn_amount_is_zero(n->amount))
            return VM_CEM_BAD_NOTE;
        break;
    default:
        return VM_CEM_BAD_NOTE;
    }
    return VM_CEM_OK;
}

vm_cem_status vm_cemented_from_note(const ipc_msg *m, vm_cemented *out)
{
    ledger_client_cemented n;
    if (!ledger_client_decode_cemented(m, &n)) {
        memset(out, 0, sizeof *out);
        return VM_CEM_BAD_NOTE;
    }
    return vm_cemented_from_ledger(&n, out);
}

/* The vm DB's own record of a send it applied: account and amount. */
static bool vm_known_send(sqlite3 *vmdb, const uint8_t hash[32], uint8_t account[32],
                          smn_amount_t *amount)
{
    sqlite3_stmt *st;
    if (!vmdb || sqlite3_prepare_v2(vmdb,
                                    "SELECT account, amount FROM applied WHERE hash = ?"
                                    " AND dest IS NOT NULL",
                                    -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    bool ok = false;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32 &&
        sqlite3_column_bytes(st, 1) == 16) {
        memcpy(account, sqlite3_column_blob(st, 0), 32);
        *amount = smn_amount_from_be(sqlite3_column_blob(st, 1));
        ok = true;
    }
    sqlite3_finalize(st);
    return ok;
}

vm_cem_status vm_cemented_from_row(ledger_ro *r, sqlite3 *vmdb, const ledger_ro_cemented *row,
                                   vm_cemented *out)
{
    memset(out, 0, sizeof *out);
    out->seq = row->seq;
    if (row->pruned)
        return VM_CEM_PRUNED;
    const ledger_block_record *rec = &row->rec;
    vm_block *b = &out->b;
    memcpy(b->account, rec->block.account, 32);
    memcpy(b->hash, row->hash, 32);
    memcpy(b->link, rec->block.link, 32);
    b->height = rec->height;
    b->balance = rec->block.balance;
    switch (rec->subtype) {
    case LEDGER_SUBTYPE_SEND:
        b->prev_balance = smn_amount_add_wrap(rec->block.balance, rec->amount);
        return VM_CEM_OK;
    case LEDGER_SUBTYPE_CHANGE:
        b->prev_balance = rec->block.balance;
        return VM_CEM_OK;
    case LEDGER_SUBTYPE_OPEN:
    case LEDGER_SUBTYPE_RECEIVE:
        break;
    default:
        return VM_CEM_LEDGER;
    }
    b->prev_balance = rec->subtype == LEDGER_SUBTYPE_OPEN
                          ? smn_amount_zero()
                          : smn_amount_sub_wrap(rec->block.balance, rec->amount);
    /* The genesis open receives from no send. */
    if (rec->height == 1 && memcmp(rec->block.link, rec->block.account, 32) == 0)
        return VM_CEM_OK;
    ledger_block_record src;
    ledger_status s = ledger_ro_block(r, rec->block.link, &src);
    if (s == LEDGER_STATUS_OK) {
        memcpy(b->source_account, src.block.account, 32);
        b->source_amount = src.amount;
        return VM_CEM_OK;
    }
    if (s != LEDGER_STATUS_NOT_FOUND)
        return VM_CEM_LEDGER;
    return vm_known_send(vmdb, rec->block.link, b->source_account, &b->source_amount)
               ? VM_CEM_OK
               : VM_CEM_PRUNED;
}
