/* Shared assertions for the VM program tests. */
#ifndef TESTS_VM_PROGRAMS_TUTIL_H
#define TESTS_VM_PROGRAMS_TUTIL_H

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/transcript.h"

/* Rule-1 balance of account in program prog (token id or vSMN). */
static inline smn_amount_t acct_bal(vm_indexer *ix, const uint8_t prog[32], const uint8_t asset[32],
                                    const uint8_t acct[32])
{
    smn_amount_t v = smn_amount_from_u64(0);
    if (vm_indexer_balance(ix, prog, asset, 2, acct, &v) != VM_IDX_OK)
        return SMN_AMOUNT_MAX;
    return v;
}

/* Number of events of this type whose first data byte is code (-1: any). */
static inline int count_events(vm_indexer *ix, const char *type, int code)
{
    sqlite3_stmt *st;
    sqlite3 *db = (sqlite3 *)vm_indexer_db(ix);
    if (sqlite3_prepare_v2(db, "SELECT data FROM events WHERE type=?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const uint8_t *d = sqlite3_column_blob(st, 0);
        if (code < 0 || (sqlite3_column_bytes(st, 0) > 0 && d[0] == code))
            n++;
    }
    sqlite3_finalize(st);
    return n;
}

#endif
