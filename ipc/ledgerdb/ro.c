/* The read-only connection; see ro.h. Calls that read several rows run
 * inside one read transaction so they see one snapshot. */
#include "ipc/ledgerdb/ro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "ipc/ledgerdb/rows.h"
#include "ipc/ledgerdb/schema.h"

enum {
    R_ACCOUNT,
    R_BLOCK,
    R_BLOCK_AT,
    R_HISTORY,
    R_RECV_SUM,
    R_RECV_LIST,
    R_FRONTIERS,
    R_COUNTER,
    R_UNCHECKED,
    R_WEIGHT,
    R_REPS,
    R_WATERMARK,
    R_RECV_SUM_CONFIRMED,
    R_RECV_LIST_CONFIRMED,
    R_UNCHECKED_LIST,
    R_UNCHECKED_GET,
    R_ACCOUNT_COUNT,
    R_FRONTIERS_FILTERED,
    R_COUNT
};

static const char *const ro_sql[R_COUNT] = {
    [R_ACCOUNT] = "SELECT frontier, representative, balance, height, conf_height FROM accounts "
                  "WHERE account = ?",
    /* Schema 4 indexes 8-byte prefixes (schema.c): the prefix for the
     * index, the whole value for the row. */
    /* Schema 6: hash is computed, the amount derived (schema.h). */
    [R_BLOCK] = "SELECT height, subtype, " LEDGER_SQL_AMOUNT_BLOCKS ", block, local_timestamp "
                "FROM blocks WHERE substr(hash, 1, 8) = substr(?1, 1, 8) AND hash = ?1",
    [R_BLOCK_AT] = "SELECT hash FROM blocks WHERE substr(block, 1, 8) = substr(?1, 1, 8) "
                   "AND account = ?1 AND height = ?2",
    [R_HISTORY] = "SELECT height, subtype, " LEDGER_SQL_AMOUNT_BLOCKS ", block, hash, "
                  "local_timestamp FROM blocks "
                  "WHERE substr(block, 1, 8) = substr(?1, 1, 8) AND account = ?1 "
                  "AND height < ?2 ORDER BY height DESC LIMIT ?3",
    /* schema 5: the running totals, one row read whatever the count */
    [R_RECV_SUM] = "SELECT sum FROM receivable_totals WHERE destination = ?",
    /* largest first from receivables_amount: a range scan of ?2 rows that
     * stops below the threshold ?3 */
    [R_RECV_LIST] = "SELECT send_hash, source, amount FROM receivables WHERE destination = ?1 "
                    "AND amount >= ?3 ORDER BY amount DESC, send_hash LIMIT ?2",
    [R_FRONTIERS] = "SELECT account, frontier FROM accounts WHERE account >= ? ORDER BY account "
                    "LIMIT ?",
    /* ?3: confirmed only (the block at conf_height, accounts with one);
     * ?4: the head block stored at or after this time (0: any) */
    [R_FRONTIERS_FILTERED] =
        "SELECT a.account, CASE WHEN ?3 THEN (SELECT b.hash FROM blocks b WHERE "
        "substr(b.block, 1, 8) = substr(a.account, 1, 8) AND b.account = a.account AND "
        "b.height = a.conf_height) ELSE a.frontier END FROM accounts a WHERE a.account >= ?1 "
        "AND (?3 = 0 OR a.conf_height > 0) AND (?4 = 0 OR (SELECT b.local_timestamp FROM blocks b "
        "WHERE substr(b.block, 1, 8) = substr(a.account, 1, 8) AND b.account = a.account AND "
        "b.height = a.height) >= ?4) ORDER BY a.account LIMIT ?2",
    [R_COUNTER] = "SELECT value FROM meta WHERE key = ?",
    [R_UNCHECKED] = "SELECT COUNT(*) FROM unchecked",
    [R_WEIGHT] = "SELECT weight FROM rep_weights WHERE representative = ?",
    [R_REPS] = "SELECT representative, weight FROM rep_weights ORDER BY weight DESC, "
               "representative LIMIT ?",
    [R_WATERMARK] = "SELECT pruned_height FROM prune_watermarks WHERE account = ?",
    /* A receivable whose send is cemented; a send no longer in blocks was
     * pruned, and only cemented blocks are pruned. */
    [R_RECV_SUM_CONFIRMED] = "SELECT confirmed_sum FROM receivable_totals WHERE destination = ?",
    [R_UNCHECKED_LIST] = "SELECT dependency, hash, block FROM unchecked WHERE (?1 IS NULL OR "
                         "dependency = ?1) ORDER BY id LIMIT ?2",
    [R_UNCHECKED_GET] = "SELECT dependency, hash, block FROM unchecked WHERE hash = ?",
    [R_ACCOUNT_COUNT] = "SELECT COUNT(*) FROM accounts",
    [R_RECV_LIST_CONFIRMED] =
        "SELECT r.send_hash, r.source, r.amount FROM receivables r "
        "LEFT JOIN blocks b ON substr(b.hash, 1, 8) = substr(r.send_hash, 1, 8) AND b.hash = "
        "r.send_hash "
        "LEFT JOIN accounts a ON a.account = b.account "
        "WHERE r.destination = ?1 AND r.amount >= ?3 AND (b.id IS NULL OR b.height <= "
        "a.conf_height) ORDER BY r.amount DESC, r.send_hash LIMIT ?2",
};

struct ledger_ro {
    uint64_t steps; /* SQLite VM steps of the statements, counted in done() and finish() */
    sqlite3 *db;
    sqlite3_stmt *q[R_COUNT];
    sqlite3_stmt *cemented;      /* prepared on first use: older databases lack the log */
    sqlite3_stmt *chain_up;      /* prepared on first use (bootstrap serving) */
    sqlite3_stmt *unchecked_has; /* prepared on first use (bootstrap) */
    /* BEGIN and COMMIT of every call's read transaction, prepared once:
     * sqlite3_exec parsed them at every call, 31 % of a syncing
     * bootstrap's profile (docs/benchmarks.md "Bootstrap") */
    sqlite3_stmt *tx_begin, *tx_commit;
    char err[256];
};

static ledger_status fail(ledger_ro *r, const char *what)
{
    return ledger_sql_error(r->db, what, r->err, sizeof r->err);
}

static ledger_status corrupt(ledger_ro *r, const char *what)
{
    snprintf(r->err, sizeof r->err, "corrupt row in %s", what);
    return LEDGER_STATUS_CORRUPT;
}

/* Resets st for its next use, counting the VM steps it took (ledger_ro_steps). */
#define done(st) done_counted(r, st)
static void done_counted(ledger_ro *r, sqlite3_stmt *st)
{
    r->steps += (uint64_t)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Finalizes a statement prepared for one call, counting its VM steps too. */
static void finish(ledger_ro *r, sqlite3_stmt *st)
{
    if (st)
        r->steps += (uint64_t)sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
    sqlite3_finalize(st);
}

static void bind32(sqlite3_stmt *st, int i, const uint8_t v[32])
{
    sqlite3_bind_blob(st, i, v, 32, SQLITE_STATIC);
}

static ledger_status begin(ledger_ro *r)
{
    int rc = sqlite3_step(r->tx_begin);
    sqlite3_reset(r->tx_begin);
    return rc == SQLITE_DONE ? LEDGER_STATUS_OK : fail(r, "begin read");
}

static ledger_status end(ledger_ro *r, ledger_status s)
{
    (void)sqlite3_step(r->tx_commit);
    sqlite3_reset(r->tx_commit);
    return s;
}

ledger_status ledger_ro_open(const char *path, const smn_network *net, ledger_ro **out, char *err,
                             size_t errlen)
{
    *out = NULL;
    ledger_ro *r = calloc(1, sizeof *r);
    if (!r)
        return LEDGER_STATUS_NOMEM;
    ledger_status s = LEDGER_STATUS_OK;
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        s = fail(r, path);
        goto out;
    }
    sqlite3_busy_timeout(r->db, 5000);
    s = ledger_schema_functions(r->db, r->err, sizeof r->err);
    if (s == LEDGER_STATUS_OK)
        s = ledger_schema_check(r->db, net, r->err, sizeof r->err);
    for (int i = 0; i < R_COUNT && s == LEDGER_STATUS_OK; i++)
        if (sqlite3_prepare_v3(r->db, ro_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &r->q[i], NULL) !=
            SQLITE_OK)
            s = fail(r, ro_sql[i]);
    if (s == LEDGER_STATUS_OK && (sqlite3_prepare_v3(r->db, "BEGIN", -1, SQLITE_PREPARE_PERSISTENT,
                                                     &r->tx_begin, NULL) != SQLITE_OK ||
                                  sqlite3_prepare_v3(r->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT,
                                                     &r->tx_commit, NULL) != SQLITE_OK))
        s = fail(r, "prepare the read transaction");
out:
    if (s != LEDGER_STATUS_OK) {
        if (err && errlen)
            snprintf(err, errlen, "%s", r->err);
        ledger_ro_close(r);
        return s;
    }
    *out = r;
    return LEDGER_STATUS_OK;
}

void ledger_ro_close(ledger_ro *r)
{
    if (!r)
        return;
    for (int i = 0; i < R_COUNT; i++)
        sqlite3_finalize(r->q[i]);
    sqlite3_finalize(r->cemented);
    sqlite3_finalize(r->chain_up);
    sqlite3_finalize(r->unchecked_has);
    sqlite3_finalize(r->tx_begin);
    sqlite3_finalize(r->tx_commit);
    sqlite3_close(r->db);
    free(r);
}

const char *ledger_ro_errmsg(const ledger_ro *r)
{
    return r->err;
}

static ledger_status account_info(ledger_ro *r, const uint8_t account[32], ledger_account_info *out)
{
    sqlite3_stmt *st = r->q[R_ACCOUNT];
    bind32(st, 1, account);
    int rc = sqlite3_step(st);
    ledger_status s = LEDGER_STATUS_OK;
    if (rc == SQLITE_ROW) {
        if (!ledger_col_bytes(st, 0, out->frontier, 32) ||
            !ledger_col_bytes(st, 1, out->representative, 32) ||
            !ledger_col_amount(st, 2, &out->balance))
            s = corrupt(r, "accounts");
        out->height = (uint64_t)sqlite3_column_int64(st, 3);
        out->conf_height = (uint64_t)sqlite3_column_int64(st, 4);
    } else {
        s = rc == SQLITE_DONE ? LEDGER_STATUS_NOT_FOUND : fail(r, "read account");
    }
    done(st);
    return s;
}

ledger_status ledger_ro_account_info(ledger_ro *r, const uint8_t account[32],
                                     ledger_account_info *out)
{
    return account_info(r, account, out);
}

static ledger_status block_at(ledger_ro *r, const uint8_t account[32], uint64_t height,
                              smn_amount_t *balance);
static ledger_status decode_record(ledger_ro *r, sqlite3_stmt *st, ledger_block_record *out);

static ledger_status balance_of(ledger_ro *r, const uint8_t account[32], bool confirmed,
                                smn_amount_t *balance, smn_amount_t *receivable)
{
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK)
        return s;
    ledger_account_info ai;
    s = account_info(r, account, &ai);
    *balance = s == LEDGER_STATUS_OK ? ai.balance : smn_amount_zero();
    if (s == LEDGER_STATUS_OK && confirmed && ai.conf_height < ai.height)
        s = ai.conf_height == 0 ? (*balance = smn_amount_zero(), LEDGER_STATUS_OK)
                                : block_at(r, account, ai.conf_height, balance);
    if (s == LEDGER_STATUS_NOT_FOUND)
        s = LEDGER_STATUS_OK;
    *receivable = smn_amount_zero();
    sqlite3_stmt *st = r->q[confirmed ? R_RECV_SUM_CONFIRMED : R_RECV_SUM];
    bind32(st, 1, account);
    int rc;
    while (s == LEDGER_STATUS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        smn_amount_t a;
        if (!ledger_col_amount(st, 0, &a) || !smn_amount_add(*receivable, a, receivable))
            s = corrupt(r, "receivables");
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE)
        s = fail(r, "read receivables");
    done(st);
    return end(r, s);
}

ledger_status ledger_ro_balance(ledger_ro *r, const uint8_t account[32], smn_amount_t *balance,
                                smn_amount_t *receivable)
{
    return balance_of(r, account, false, balance, receivable);
}

ledger_status ledger_ro_balance_confirmed(ledger_ro *r, const uint8_t account[32],
                                          smn_amount_t *balance, smn_amount_t *receivable)
{
    return balance_of(r, account, true, balance, receivable);
}

/* Successor and confirmed flag of a record whose block and height are set. */
static ledger_status finish_record(ledger_ro *r, ledger_block_record *out)
{
    memset(out->successor, 0, 32);
    sqlite3_stmt *st = r->q[R_BLOCK_AT];
    bind32(st, 1, out->block.account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)(out->height + 1));
    int rc = sqlite3_step(st);
    ledger_status s = LEDGER_STATUS_OK;
    if (rc == SQLITE_ROW) {
        if (!ledger_col_bytes(st, 0, out->successor, 32))
            s = corrupt(r, "blocks");
    } else if (rc != SQLITE_DONE) {
        s = fail(r, "read successor");
    }
    done(st);
    if (s != LEDGER_STATUS_OK)
        return s;
    ledger_account_info ai;
    s = account_info(r, out->block.account, &ai);
    if (s != LEDGER_STATUS_OK)
        return s == LEDGER_STATUS_NOT_FOUND ? corrupt(r, "accounts") : s;
    out->confirmed = out->height <= ai.conf_height;
    return LEDGER_STATUS_OK;
}

/* The balance after the account's block at height (cemented blocks are
 * pruned only below the frontier of what is kept: NOT_FOUND is corrupt). */
static ledger_status block_at(ledger_ro *r, const uint8_t account[32], uint64_t height,
                              smn_amount_t *balance)
{
    sqlite3_stmt *st = r->q[R_HISTORY];
    bind32(st, 1, account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)height + 1);
    sqlite3_bind_int64(st, 3, 1);
    ledger_block_record rec;
    int rc = sqlite3_step(st);
    ledger_status s = LEDGER_STATUS_OK;
    if (rc == SQLITE_ROW) {
        s = decode_record(r, st, &rec);
        if (s == LEDGER_STATUS_OK && rec.height != height)
            s = corrupt(r, "blocks (confirmed frontier pruned)");
        if (s == LEDGER_STATUS_OK)
            *balance = rec.block.balance;
    } else {
        s = rc == SQLITE_DONE ? corrupt(r, "blocks (confirmed frontier missing)")
                              : fail(r, "read block");
    }
    done(st);
    return s;
}

/* Columns: height, subtype, amount, block. */
static ledger_status decode_record(ledger_ro *r, sqlite3_stmt *st, ledger_block_record *out)
{
    int sub = sqlite3_column_int(st, 1);
    out->height = (uint64_t)sqlite3_column_int64(st, 0);
    if (sub < LEDGER_SUBTYPE_SEND || sub > LEDGER_SUBTYPE_CHANGE ||
        !ledger_col_amount(st, 2, &out->amount) || !ledger_col_block(st, 3, &out->block))
        return corrupt(r, "blocks");
    out->subtype = (ledger_subtype)sub;
    return LEDGER_STATUS_OK;
}

static ledger_status block_record(ledger_ro *r, const uint8_t hash[32], ledger_block_record *out)
{
    sqlite3_stmt *st = r->q[R_BLOCK];
    bind32(st, 1, hash);
    int rc = sqlite3_step(st);
    ledger_status s;
    if (rc == SQLITE_ROW) {
        memcpy(out->hash, hash, 32);
        s = decode_record(r, st, out);
        out->local_timestamp = (uint64_t)sqlite3_column_int64(st, 4);
    } else {
        s = rc == SQLITE_DONE ? LEDGER_STATUS_NOT_FOUND : fail(r, "read block");
    }
    done(st);
    if (s == LEDGER_STATUS_OK)
        s = finish_record(r, out);
    return s;
}

ledger_status ledger_ro_block(ledger_ro *r, const uint8_t hash[32], ledger_block_record *out)
{
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK)
        return s;
    return end(r, block_record(r, hash, out));
}

ledger_status ledger_ro_history(ledger_ro *r, const uint8_t account[32], uint64_t before_height,
                                ledger_block_record *out, size_t max, size_t *n)
{
    *n = 0;
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK)
        return s;
    sqlite3_stmt *st = r->q[R_HISTORY];
    bind32(st, 1, account);
    sqlite3_bind_int64(st, 2, before_height ? (sqlite3_int64)before_height : INT64_MAX);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_block_record *rec = &out[*n];
        if ((s = decode_record(r, st, rec)) != LEDGER_STATUS_OK)
            break;
        if (!ledger_col_bytes(st, 4, rec->hash, 32)) {
            s = corrupt(r, "blocks");
            break;
        }
        rec->local_timestamp = (uint64_t)sqlite3_column_int64(st, 5);
        (*n)++;
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE)
        s = fail(r, "read history");
    done(st);
    for (size_t i = 0; i < *n && s == LEDGER_STATUS_OK; i++)
        s = finish_record(r, &out[i]);
    if (s != LEDGER_STATUS_OK)
        *n = 0;
    return end(r, s);
}

static ledger_status receivables(ledger_ro *r, const uint8_t account[32], bool confirmed,
                                 smn_amount_t threshold, ledger_receivable *out, size_t max,
                                 size_t *n)
{
    *n = 0;
    uint8_t be[16];
    smn_amount_to_be(threshold, be);
    sqlite3_stmt *st = r->q[confirmed ? R_RECV_LIST_CONFIRMED : R_RECV_LIST];
    bind32(st, 1, account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    sqlite3_bind_blob(st, 3, be, 16, SQLITE_STATIC);
    int rc;
    ledger_status s = LEDGER_STATUS_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_receivable *x = &out[*n];
        memcpy(x->destination, account, 32);
        if (!ledger_col_bytes(st, 0, x->send_hash, 32) || !ledger_col_bytes(st, 1, x->source, 32) ||
            !ledger_col_amount(st, 2, &x->amount)) {
            s = corrupt(r, "receivables");
            break;
        }
        (*n)++;
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE)
        s = fail(r, "read receivables");
    done(st);
    return s;
}

ledger_status ledger_ro_receivables(ledger_ro *r, const uint8_t account[32], ledger_receivable *out,
                                    size_t max, size_t *n)
{
    return receivables(r, account, false, smn_amount_zero(), out, max, n);
}

ledger_status ledger_ro_receivables_confirmed(ledger_ro *r, const uint8_t account[32],
                                              ledger_receivable *out, size_t max, size_t *n)
{
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK)
        return s;
    return end(r, receivables(r, account, true, smn_amount_zero(), out, max, n));
}

ledger_status ledger_ro_receivables_above(ledger_ro *r, const uint8_t account[32],
                                          smn_amount_t threshold, bool confirmed,
                                          ledger_receivable *out, size_t max, size_t *n)
{
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK)
        return s;
    return end(r, receivables(r, account, confirmed, threshold, out, max, n));
}

uint64_t ledger_ro_steps(const ledger_ro *r)
{
    return r->steps;
}

ledger_status ledger_ro_chain(ledger_ro *r, const uint8_t hash[32], uint8_t (*out)[32], size_t max,
                              size_t *n)
{
    *n = 0;
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK)
        return s;
    uint8_t cur[32];
    memcpy(cur, hash, 32);
    while (*n < max) {
        sqlite3_stmt *st = r->q[R_BLOCK];
        bind32(st, 1, cur);
        int rc = sqlite3_step(st);
        smn_block b;
        if (rc == SQLITE_ROW && !ledger_col_block(st, 3, &b))
            s = corrupt(r, "blocks");
        else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            s = fail(r, "read block");
        done(st);
        if (s != LEDGER_STATUS_OK || rc == SQLITE_DONE)
            break; /* unknown, pruned, or the end of what is stored */
        memcpy(out[(*n)++], cur, 32);
        if (smn_block_is_open(&b))
            break;
        memcpy(cur, b.previous, 32);
    }
    if (s == LEDGER_STATUS_OK && *n == 0 && max > 0)
        s = LEDGER_STATUS_NOT_FOUND;
    return end(r, s);
}

ledger_status ledger_ro_frontiers(ledger_ro *r, const uint8_t *start, uint8_t (*accounts)[32],
                                  uint8_t (*frontiers)[32], size_t max, size_t *n)
{
    static const uint8_t zero[32];
    *n = 0;
    sqlite3_stmt *st = r->q[R_FRONTIERS];
    bind32(st, 1, start ? start : zero);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    int rc;
    ledger_status s = LEDGER_STATUS_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!ledger_col_bytes(st, 0, accounts[*n], 32) ||
            !ledger_col_bytes(st, 1, frontiers[*n], 32)) {
            s = corrupt(r, "accounts");
            break;
        }
        (*n)++;
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE)
        s = fail(r, "read frontiers");
    done(st);
    return s;
}

ledger_status ledger_ro_frontiers_filtered(ledger_ro *r, const uint8_t *start, bool confirmed_only,
                                           uint64_t since, uint8_t (*accounts)[32],
                                           uint8_t (*frontiers)[32], size_t max, size_t *n)
{
    static const uint8_t zero[32];
    *n = 0;
    sqlite3_stmt *st = r->q[R_FRONTIERS_FILTERED];
    bind32(st, 1, start ? start : zero);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    sqlite3_bind_int(st, 3, confirmed_only);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)since);
    int rc;
    ledger_status s = LEDGER_STATUS_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) == SQLITE_NULL)
            continue; /* the confirmed block pruned: nothing to list */
        if (!ledger_col_bytes(st, 0, accounts[*n], 32) ||
            !ledger_col_bytes(st, 1, frontiers[*n], 32)) {
            s = corrupt(r, "accounts");
            break;
        }
        (*n)++;
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE)
        s = fail(r, "read frontiers");
    done(st);
    return s;
}

ledger_status ledger_ro_counts(ledger_ro *r, ledger_counts *out)
{
    static const char *const keys[3] = {"count_blocks", "count_cemented", "count_pruned"};
    uint64_t *vals[3] = {&out->blocks, &out->cemented, &out->pruned};
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK)
        return s;
    for (int i = 0; i < 3 && s == LEDGER_STATUS_OK; i++) {
        sqlite3_stmt *st = r->q[R_COUNTER];
        sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        *vals[i] = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            s = fail(r, "read counters");
        done(st);
    }
    if (s == LEDGER_STATUS_OK) {
        sqlite3_stmt *st = r->q[R_UNCHECKED];
        int rc = sqlite3_step(st);
        out->unchecked = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
        if (rc != SQLITE_ROW)
            s = fail(r, "count unchecked");
        done(st);
    }
    return end(r, s);
}

ledger_status ledger_ro_weight(ledger_ro *r, const uint8_t rep[32], smn_amount_t *out)
{
    sqlite3_stmt *st = r->q[R_WEIGHT];
    bind32(st, 1, rep);
    int rc = sqlite3_step(st);
    ledger_status s = LEDGER_STATUS_OK;
    *out = smn_amount_zero();
    if (rc == SQLITE_ROW) {
        if (!ledger_col_amount(st, 0, out))
            s = corrupt(r, "rep_weights");
    } else if (rc != SQLITE_DONE) {
        s = fail(r, "read weight");
    }
    done(st);
    return s;
}

ledger_status ledger_ro_representatives(ledger_ro *r, ledger_rep_weight *out, size_t max, size_t *n)
{
    *n = 0;
    sqlite3_stmt *st = r->q[R_REPS];
    sqlite3_bind_int64(st, 1, (sqlite3_int64)max);
    int rc;
    ledger_status s = LEDGER_STATUS_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!ledger_col_bytes(st, 0, out[*n].account, 32) ||
            !ledger_col_amount(st, 1, &out[*n].weight)) {
            s = corrupt(r, "rep_weights");
            break;
        }
        (*n)++;
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE)
        s = fail(r, "read representatives");
    done(st);
    return s;
}

ledger_status ledger_ro_pruned_height(ledger_ro *r, const uint8_t account[32], uint64_t *out)
{
    sqlite3_stmt *st = r->q[R_WATERMARK];
    bind32(st, 1, account);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    done(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? LEDGER_STATUS_OK : fail(r, "read watermark");
}

ledger_status ledger_ro_cement_head(ledger_ro *r, uint64_t *seq)
{
    *seq = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT COALESCE(MAX(seq), 0) FROM cement_log", -1, &st, NULL) !=
        SQLITE_OK)
        return fail(r, "prepare cement head");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *seq = (uint64_t)sqlite3_column_int64(st, 0);
    finish(r, st);
    return rc == SQLITE_ROW ? LEDGER_STATUS_OK : fail(r, "read cement head");
}

ledger_status ledger_ro_cemented_after(ledger_ro *r, uint64_t after, ledger_ro_cemented *out,
                                       size_t max, size_t *n)
{
    *n = 0;
    if (!r->cemented &&
        sqlite3_prepare_v3(r->db,
                           "SELECT b.height, b.subtype, " LEDGER_SQL_AMOUNT_B ", b.block, c.seq, "
                           "COALESCE(b.hash, c.hash, (SELECT p.hash FROM pruned_blocks p "
                           "WHERE p.id = c.block)) FROM cement_log c "
                           "LEFT JOIN blocks b ON b.id = c.block "
                           "WHERE c.seq > ? ORDER BY c.seq LIMIT ?",
                           -1, SQLITE_PREPARE_PERSISTENT, &r->cemented, NULL) != SQLITE_OK)
        return fail(r, "prepare cement log");
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK)
        return s;
    sqlite3_stmt *st = r->cemented;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)after);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_ro_cemented *c = &out[*n];
        memset(c, 0, sizeof *c);
        c->seq = (uint64_t)sqlite3_column_int64(st, 4);
        if (!ledger_col_bytes(st, 5, c->hash, 32)) {
            s = corrupt(r, "cement_log");
            break;
        }
        c->pruned = sqlite3_column_type(st, 3) == SQLITE_NULL;
        if (!c->pruned) {
            if ((s = decode_record(r, st, &c->rec)) != LEDGER_STATUS_OK)
                break;
            memcpy(c->rec.hash, c->hash, 32);
            c->rec.confirmed = true;
        }
        (*n)++;
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE)
        s = fail(r, "read cement log");
    done(st);
    return end(r, s);
}

static ledger_status unchecked_rows(ledger_ro *r, sqlite3_stmt *st, ledger_unchecked *out,
                                    size_t max, size_t *n)
{
    int rc = SQLITE_DONE;
    ledger_status s = LEDGER_STATUS_OK;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ledger_unchecked *u = &out[*n];
        if (!ledger_col_bytes(st, 0, u->dependency, 32) || !ledger_col_bytes(st, 1, u->hash, 32) ||
            !ledger_col_block(st, 2, &u->block)) {
            s = corrupt(r, "unchecked");
            break;
        }
        (*n)++;
    }
    if (s == LEDGER_STATUS_OK && *n < max && rc != SQLITE_DONE)
        s = fail(r, "read unchecked");
    done(st);
    return s;
}

ledger_status ledger_ro_unchecked(ledger_ro *r, const uint8_t *dependency, ledger_unchecked *out,
                                  size_t max, size_t *n)
{
    *n = 0;
    sqlite3_stmt *st = r->q[R_UNCHECKED_LIST];
    if (dependency)
        bind32(st, 1, dependency);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
    return unchecked_rows(r, st, out, max, n);
}

ledger_status ledger_ro_unchecked_get(ledger_ro *r, const uint8_t hash[32], ledger_unchecked *out)
{
    size_t n = 0;
    sqlite3_stmt *st = r->q[R_UNCHECKED_GET];
    bind32(st, 1, hash);
    ledger_status s = unchecked_rows(r, st, out, 1, &n);
    return s == LEDGER_STATUS_OK && n == 0 ? LEDGER_STATUS_NOT_FOUND : s;
}

ledger_status ledger_ro_account_count(ledger_ro *r, uint64_t *out)
{
    sqlite3_stmt *st = r->q[R_ACCOUNT_COUNT];
    int rc = sqlite3_step(st);
    ledger_status s = LEDGER_STATUS_OK;
    if (rc == SQLITE_ROW)
        *out = (uint64_t)sqlite3_column_int64(st, 0);
    else
        s = fail(r, "count accounts");
    done(st);
    return s;
}

ledger_status ledger_ro_chain_up(ledger_ro *r, const uint8_t account[32], uint64_t after_height,
                                 smn_block *out, size_t max, size_t *n, uint64_t *first_height)
{
    *n = 0;
    *first_height = 0;
    if (!r->chain_up &&
        sqlite3_prepare_v3(r->db,
                           "SELECT height, block FROM blocks WHERE substr(block, 1, 8) = "
                           "substr(?1, 1, 8) AND account = ?1 AND height > ?2 "
                           "ORDER BY height LIMIT ?3",
                           -1, SQLITE_PREPARE_PERSISTENT, &r->chain_up, NULL) != SQLITE_OK)
        return fail(r, "prepare chain_up");
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK)
        return s;
    sqlite3_stmt *st = r->chain_up;
    bind32(st, 1, account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)after_height);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    int rc;
    uint64_t want = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t h = (uint64_t)sqlite3_column_int64(st, 0);
        if (*n == 0)
            *first_height = want = h;
        if (h != want)
            break; /* a hole (pruned in between): the run stops before it */
        if (!ledger_col_block(st, 1, &out[*n])) {
            s = corrupt(r, "blocks");
            break;
        }
        (*n)++;
        want++;
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        s = fail(r, "read chain");
    done(st);
    if (s != LEDGER_STATUS_OK)
        *n = 0;
    return end(r, s);
}

ledger_status ledger_ro_unchecked_has(ledger_ro *r, const uint8_t hash[32], bool *out)
{
    *out = false;
    if (!r->unchecked_has &&
        sqlite3_prepare_v3(r->db, "SELECT 1 FROM unchecked WHERE hash = ?", -1,
                           SQLITE_PREPARE_PERSISTENT, &r->unchecked_has, NULL) != SQLITE_OK)
        return fail(r, "prepare unchecked_has");
    sqlite3_stmt *st = r->unchecked_has;
    bind32(st, 1, hash);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW;
    done(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? LEDGER_STATUS_OK : fail(r, "read unchecked");
}

/* ---- lookups and bounded walks for the RPC ---- */

ledger_status ledger_ro_receivable(ledger_ro *r, const uint8_t send_hash[32],
                                   ledger_receivable *out, bool *cemented)
{
    *cemented = false;
    sqlite3_stmt *st = NULL;
    /* A send no longer in blocks was pruned, and only cemented blocks are. */
    if (sqlite3_prepare_v2(r->db,
                           "SELECT r.destination, r.source, r.amount, "
                           "(b.id IS NULL OR b.height <= a.conf_height) FROM receivables r "
                           "LEFT JOIN blocks b ON substr(b.hash, 1, 8) = substr(r.send_hash, 1, 8) "
                           "AND b.hash = r.send_hash "
                           "LEFT JOIN accounts a ON a.account = b.account "
                           "WHERE r.send_hash = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(r, "prepare receivable");
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK) {
        sqlite3_finalize(st);
        return s;
    }
    bind32(st, 1, send_hash);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memcpy(out->send_hash, send_hash, 32);
        if (!ledger_col_bytes(st, 0, out->destination, 32) ||
            !ledger_col_bytes(st, 1, out->source, 32) || !ledger_col_amount(st, 2, &out->amount))
            s = corrupt(r, "receivables");
        *cemented = sqlite3_column_int(st, 3) != 0;
    } else {
        s = rc == SQLITE_DONE ? LEDGER_STATUS_NOT_FOUND : fail(r, "read receivable");
    }
    finish(r, st);
    return end(r, s);
}

/* next = key + 1 (big-endian); false when key is the last possible one. */
static bool key_after(const uint8_t key[32], uint8_t next[32])
{
    memcpy(next, key, 32);
    for (int i = 31; i >= 0; i--)
        if (++next[i] != 0)
            return true;
    return false;
}

static void bind_start(sqlite3_stmt *st, int i, const uint8_t *start)
{
    static const uint8_t zero[32];
    bind32(st, i, start ? start : zero);
}

/* A bounded key-order walk: sql takes (start key, row limit); prepared,
 * bound and inside a read transaction on LEDGER_STATUS_OK (the caller
 * finalizes *out and ends the transaction). */
static ledger_status walk_open(ledger_ro *r, const char *sql, const char *what,
                               const uint8_t *start, size_t scan, sqlite3_stmt **out)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(r, what);
    ledger_status s = begin(r);
    if (s != LEDGER_STATUS_OK) {
        sqlite3_finalize(st);
        return s;
    }
    bind_start(st, 1, start);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)scan);
    *out = st;
    return LEDGER_STATUS_OK;
}

ledger_status ledger_ro_delegators(ledger_ro *r, const uint8_t rep[32], const uint8_t *start,
                                   smn_amount_t threshold, size_t scan,
                                   ledger_ro_account_amount *out, size_t max, size_t *n,
                                   uint8_t next[32], bool *more)
{
    *n = 0;
    *more = false;
    memset(next, 0, 32);
    sqlite3_stmt *st;
    ledger_status s = walk_open(r,
                                "SELECT account, representative, balance FROM accounts "
                                "WHERE account >= ? ORDER BY account LIMIT ?",
                                "prepare delegators", start, scan, &st);
    if (s != LEDGER_STATUS_OK)
        return s;
    size_t looked = 0;
    int rc;
    uint8_t acc[32], who[32];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        smn_amount_t bal;
        if (!ledger_col_bytes(st, 0, acc, 32) || !ledger_col_bytes(st, 1, who, 32) ||
            !ledger_col_amount(st, 2, &bal)) {
            s = corrupt(r, "accounts");
            break;
        }
        looked++;
        if (memcmp(who, rep, 32) != 0 || smn_amount_lt(bal, threshold))
            continue;
        if (out) {
            memcpy(out[*n].account, acc, 32);
            out[*n].amount = bal;
        }
        if (++*n == max && out) {
            *more = key_after(acc, next);
            break;
        }
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        s = fail(r, "read delegators");
    if (s == LEDGER_STATUS_OK && !*more && looked == scan && scan > 0)
        *more = key_after(acc, next);
    finish(r, st);
    if (s != LEDGER_STATUS_OK)
        *n = 0;
    return end(r, s);
}

ledger_status ledger_ro_unopened(ledger_ro *r, const uint8_t *start, smn_amount_t threshold,
                                 size_t scan, ledger_ro_account_amount *out, size_t max, size_t *n,
                                 uint8_t next[32], bool *more)
{
    *n = 0;
    *more = false;
    memset(next, 0, 32);
    if (max == 0)
        return LEDGER_STATUS_OK;
    /* schema 5: one receivable_totals row per destination, its sum
     * included, however many receivables it has */
    sqlite3_stmt *st;
    ledger_status s =
        walk_open(r,
                  "SELECT t.destination, t.sum, a.account IS NULL FROM receivable_totals t "
                  "LEFT JOIN accounts a ON a.account = t.destination WHERE t.destination >= ? "
                  "ORDER BY t.destination LIMIT ?",
                  "prepare unopened", start, scan, &st);
    if (s != LEDGER_STATUS_OK)
        return s;
    size_t looked = 0;
    int rc;
    uint8_t dest[32];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        smn_amount_t sum;
        if (!ledger_col_bytes(st, 0, dest, 32) || !ledger_col_amount(st, 1, &sum)) {
            s = corrupt(r, "receivable_totals");
            break;
        }
        looked++;
        if (!sqlite3_column_int(st, 2) || smn_amount_lt(sum, threshold))
            continue; /* opened, or below the threshold */
        memcpy(out[*n].account, dest, 32);
        out[*n].amount = sum;
        if (++*n == max) {
            /* a next page only if a destination follows (the next row) */
            if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                *more = ledger_col_bytes(st, 0, next, 32);
                if (!*more)
                    s = corrupt(r, "receivable_totals");
            }
            break;
        }
    }
    if (s == LEDGER_STATUS_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        s = fail(r, "read unopened");
    if (s == LEDGER_STATUS_OK && !*more && looked == scan && scan > 0)
        *more = key_after(dest, next);
    finish(r, st);
    if (s != LEDGER_STATUS_OK)
        *n = 0;
    return end(r, s);
}
