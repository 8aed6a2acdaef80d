/* u128 arithmetic on amount BLOBs inside SQL (see amount_sql.h): the
 * receivable totals are kept and built by statements, not read-modify-write
 * round trips. Deterministic: plain integer arithmetic. */
#include "ipc/ledgerdb/amount_sql.h"

#include <stdbool.h>
#include <string.h>

#include "common/amount.h"

static bool arg_amount(sqlite3_value *v, smn_amount_t *out)
{
    if (sqlite3_value_type(v) != SQLITE_BLOB || sqlite3_value_bytes(v) != 16)
        return false;
    *out = smn_amount_from_be(sqlite3_value_blob(v));
    return true;
}

static void result_amount(sqlite3_context *cx, smn_amount_t a)
{
    uint8_t be[16];
    smn_amount_to_be(a, be);
    sqlite3_result_blob(cx, be, 16, SQLITE_TRANSIENT);
}

static void add_or_sub(sqlite3_context *cx, sqlite3_value **argv, bool add)
{
    smn_amount_t a, b, r;
    if (!arg_amount(argv[0], &a) || !arg_amount(argv[1], &b)) {
        sqlite3_result_error(cx, "not an amount", -1);
        return;
    }
    if (!(add ? smn_amount_add(a, b, &r) : smn_amount_sub(a, b, &r))) {
        sqlite3_result_error(cx, "amount out of range", -1);
        return;
    }
    result_amount(cx, r);
}

static void fn_add(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    add_or_sub(cx, argv, true);
}

static void fn_sub(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    add_or_sub(cx, argv, false);
}

typedef struct {
    smn_amount_t sum;
    bool bad; /* a value was not an amount, or the sum overflowed */
} sum_state;

static void sum_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sum_state *s = sqlite3_aggregate_context(cx, sizeof *s);
    if (!s) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    smn_amount_t a;
    if (s->bad || !arg_amount(argv[0], &a) || !smn_amount_add(s->sum, a, &s->sum))
        s->bad = true;
}

static void sum_final(sqlite3_context *cx)
{
    /* zero-filled on first use: no rows sum to 0 */
    sum_state *s = sqlite3_aggregate_context(cx, sizeof *s);
    if (!s) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    if (s->bad) {
        sqlite3_result_error(cx, "amount out of range", -1);
        return;
    }
    result_amount(cx, s->sum);
}

int ledger_amount_sql_register(sqlite3 *db)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
    int rc = sqlite3_create_function(db, "smn_amount_add", 2, flags, NULL, fn_add, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "smn_amount_sub", 2, flags, NULL, fn_sub, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "smn_amount_sum", 1, flags, NULL, NULL, sum_step,
                                     sum_final);
    return rc;
}
