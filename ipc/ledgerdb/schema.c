/* Schema creation, migrations and meta checks. */
#include "ipc/ledgerdb/schema.h"

#include "common/amount.h"
#include "common/block.h"

#include <stdio.h>
#include <string.h>

#include "ipc/ledgerdb/amount_sql.h"

/* Migration i takes a database from version i to version i + 1. A new
 * schema version appends a step here; steps are never edited once shipped. */
static const char *const migrations[LEDGER_SCHEMA_VERSION] = {
    /* 0 -> 1 */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY NOT NULL) WITHOUT ROWID;"
    /* balance and amounts: 16-byte big-endian BLOBs, so memcmp order is
     * numeric order. */
    "CREATE TABLE accounts ("
    "  account BLOB PRIMARY KEY, frontier BLOB NOT NULL, representative BLOB NOT NULL,"
    "  balance BLOB NOT NULL, height INTEGER NOT NULL, conf_height INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    /* Append-only rowid table: inserts land at the end of the b-tree; the
     * successor of a block is the row at (account, height + 1). */
    "CREATE TABLE blocks ("
    "  id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, account BLOB NOT NULL,"
    "  height INTEGER NOT NULL, subtype INTEGER NOT NULL, amount BLOB NOT NULL,"
    "  block BLOB NOT NULL, UNIQUE (account, height));"
    "CREATE TABLE receivables ("
    "  send_hash BLOB PRIMARY KEY, destination BLOB NOT NULL, source BLOB NOT NULL,"
    "  amount BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX receivables_destination ON receivables (destination, send_hash);"
    "CREATE TABLE rep_weights (representative BLOB PRIMARY KEY, weight BLOB NOT NULL)"
    "  WITHOUT ROWID;"
    /* id order is arrival order: the oldest entry is dropped first. */
    "CREATE TABLE unchecked ("
    "  id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, dependency BLOB NOT NULL,"
    "  block BLOB NOT NULL);"
    "CREATE INDEX unchecked_dependency ON unchecked (dependency);"
    "CREATE TABLE prune_watermarks (account BLOB PRIMARY KEY, pruned_height INTEGER NOT NULL)"
    "  WITHOUT ROWID;"
    /* Hashes of pruned blocks: a resubmitted pruned block is 'old', and a
     * block built on a pruned one is recognised as forking cemented history. */
    "CREATE TABLE pruned_blocks (hash BLOB PRIMARY KEY) WITHOUT ROWID;",
    /* 1 -> 2: the cementing log. seq is the global cementing order, persisted
     * so a subscriber (vm, elections) that restarts resumes after the last
     * seq it handled. AUTOINCREMENT: a seq is never reused. Existing cemented
     * blocks are numbered in insertion order, which respects dependencies. */
    "CREATE TABLE cement_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, hash BLOB NOT NULL);"
    "INSERT INTO cement_log (hash) SELECT b.hash FROM blocks b"
    "  JOIN accounts a ON a.account = b.account WHERE b.height <= a.conf_height ORDER BY b.id;",
    /* 2 -> 3: when this node first stored each block (seconds since the
     * epoch, the RPC's local_timestamp; not part of validation). Blocks
     * stored before the column existed read 0, as Nano's do. */
    "ALTER TABLE blocks ADD COLUMN local_timestamp INTEGER NOT NULL DEFAULT 0;",
    /* 3 -> 4: smaller rows and indexes (docs/ledger.md "Schema 4").
     * - blocks.account is a virtual column (the first 32 bytes of the wire
     *   block): no longer stored twice.
     * - the hash and (account, height) indexes hold an 8-byte prefix of the
     *   hash / account instead of 32 bytes: half the pages to keep cached
     *   and to dirty per insert. Every query also compares the full value,
     *   so a prefix collision costs one more row read, never a wrong row.
     * - cement_log holds the block's row id instead of its hash; the hash
     *   stays only for entries whose block was pruned before this version.
     *   pruned_blocks remembers the row id of a block pruned from now on.
     * - cement_log seq is assigned by the store (one more than the last),
     *   no AUTOINCREMENT bookkeeping. */
    "CREATE TABLE blocks3 ("
    "  id INTEGER PRIMARY KEY, hash BLOB NOT NULL, height INTEGER NOT NULL,"
    "  subtype INTEGER NOT NULL, amount BLOB NOT NULL, block BLOB NOT NULL,"
    "  local_timestamp INTEGER NOT NULL DEFAULT 0,"
    "  account BLOB GENERATED ALWAYS AS (substr(block, 1, 32)) VIRTUAL);"
    "INSERT INTO blocks3 (id, hash, height, subtype, amount, block, local_timestamp)"
    "  SELECT id, hash, height, subtype, amount, block, local_timestamp FROM blocks ORDER BY id;"
    "CREATE TABLE cement_log3 (seq INTEGER PRIMARY KEY, block INTEGER, hash BLOB);"
    "INSERT INTO cement_log3 (seq, block, hash) SELECT c.seq, b.id,"
    "  CASE WHEN b.id IS NULL THEN c.hash END FROM cement_log c"
    "  LEFT JOIN blocks b ON b.hash = c.hash ORDER BY c.seq;"
    "DROP TABLE cement_log;"
    "ALTER TABLE cement_log3 RENAME TO cement_log;"
    "DELETE FROM sqlite_sequence WHERE name IN ('cement_log', 'cement_log3');"
    "DROP TABLE blocks;"
    "ALTER TABLE blocks3 RENAME TO blocks;"
    "CREATE INDEX blocks_hash ON blocks (substr(hash, 1, 8));"
    "CREATE INDEX blocks_chain ON blocks (substr(block, 1, 8), height);"
    "ALTER TABLE pruned_blocks ADD COLUMN id INTEGER;"
    "CREATE INDEX pruned_blocks_id ON pruned_blocks (id);",
    /* 4 -> 5: receivable sums and largest-first lists without reading every
     * receivable of a destination (docs/ledger.md "Schema 5", issue 10).
     * - receivable_totals: per destination, how many receivables, their sum
     *   and the sum of those whose send is cemented (a send no longer in
     *   blocks was pruned, and only cemented blocks are). The store keeps it
     *   in the transaction that inserts or deletes a receivable.
     * - receivables_amount serves "largest first" (amount DESC, then
     *   send_hash) and `threshold` as a range scan.
     * Touches only the receivables side; reads blocks in the schema-4
     * layout (the hash prefix index), so it runs before any step that
     * changes blocks. smn_amount_sum is registered by the caller (migrate). */
    "CREATE TABLE receivable_totals ("
    "  destination BLOB PRIMARY KEY, count INTEGER NOT NULL, sum BLOB NOT NULL,"
    "  confirmed_sum BLOB NOT NULL) WITHOUT ROWID;"
    "INSERT INTO receivable_totals (destination, count, sum, confirmed_sum)"
    "  SELECT r.destination, COUNT(*), smn_amount_sum(r.amount),"
    "  smn_amount_sum(CASE WHEN b.id IS NULL OR b.height <= a.conf_height THEN r.amount"
    "  ELSE zeroblob(16) END) FROM receivables r"
    "  LEFT JOIN blocks b ON substr(b.hash, 1, 8) = substr(r.send_hash, 1, 8)"
    "  AND b.hash = r.send_hash LEFT JOIN accounts a ON a.account = b.account"
    "  GROUP BY r.destination;"
    "CREATE INDEX receivables_amount ON receivables (destination, amount DESC, send_hash);",
    /* 5 -> 6: no hash and (mostly) no amount stored (docs/ledger.md
     * "Schema 6").
     * - blocks.hash is a virtual column, smn_block_hash(block) (registered
     *   by ledger_schema_functions on every connection): the index holds its
     *   8-byte prefix as before, and a lookup's `hash = ?1` hashes the one
     *   row the prefix found.
     * - blocks.amount is NULL where the previous block is stored (or there
     *   is none: an open): LEDGER_SQL_AMOUNT derives it from the two
     *   balances. Only the lowest kept block of a pruned chain stores it
     *   (the store writes it before pruning below it). */
    "CREATE TABLE blocks6 ("
    "  id INTEGER PRIMARY KEY, height INTEGER NOT NULL, subtype INTEGER NOT NULL,"
    "  amount BLOB, block BLOB NOT NULL, local_timestamp INTEGER NOT NULL DEFAULT 0,"
    "  account BLOB GENERATED ALWAYS AS (substr(block, 1, 32)) VIRTUAL,"
    "  hash BLOB GENERATED ALWAYS AS (smn_block_hash(block)) VIRTUAL);"
    "INSERT INTO blocks6 (id, height, subtype, amount, block, local_timestamp)"
    "  SELECT b.id, b.height, b.subtype, CASE WHEN substr(b.block, 33, 32) = zeroblob(32)"
    "  OR EXISTS (SELECT 1 FROM blocks p WHERE substr(p.block, 1, 8) = substr(b.block, 1, 8)"
    "  AND p.account = b.account AND p.height = b.height - 1) THEN NULL ELSE b.amount END,"
    "  b.block, b.local_timestamp FROM blocks b ORDER BY b.id;"
    "DROP TABLE blocks;"
    "ALTER TABLE blocks6 RENAME TO blocks;"
    "CREATE INDEX blocks_hash ON blocks (substr(hash, 1, 8));"
    "CREATE INDEX blocks_chain ON blocks (substr(block, 1, 8), height);",
};

/* An SQL argument that is a 216-byte wire block, decoded. */
static bool value_block(sqlite3_value *v, smn_block *out)
{
    return sqlite3_value_type(v) == SQLITE_BLOB && sqlite3_value_bytes(v) == SMN_BLOCK_WIRE_BYTES &&
           smn_block_deserialize(sqlite3_value_blob(v), SMN_BLOCK_WIRE_BYTES, out) == SMN_BLOCK_OK;
}

/* smn_block_hash(block): the block hash of a 216-byte wire block (NULL for
 * anything else). */
static void sql_block_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    smn_block b;
    if (!value_block(argv[0], &b)) {
        sqlite3_result_null(ctx);
        return;
    }
    uint8_t h[32];
    smn_block_hash(&b, h);
    sqlite3_result_blob(ctx, h, 32, SQLITE_TRANSIENT);
}

/* smn_block_amount(block, prev): |balance - previous balance| as a 16-byte
 * big-endian BLOB, prev being the previous block's wire form (NULL for an
 * open, whose previous balance is zero). NULL when block is not a wire
 * block, or prev is missing for a block that has a previous. */
static void sql_block_amount(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    smn_block b, p;
    if (!value_block(argv[0], &b) || (!smn_block_is_open(&b) && !value_block(argv[1], &p))) {
        sqlite3_result_null(ctx);
        return;
    }
    smn_amount_t before = smn_block_is_open(&b) ? smn_amount_zero() : p.balance;
    smn_amount_t d = smn_amount_ge(b.balance, before) ? smn_amount_sub_wrap(b.balance, before)
                                                      : smn_amount_sub_wrap(before, b.balance);
    uint8_t be[16];
    smn_amount_to_be(d, be);
    sqlite3_result_blob(ctx, be, 16, SQLITE_TRANSIENT);
}

ledger_status ledger_schema_functions(sqlite3 *db, char *err, size_t errlen)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    if (sqlite3_create_function(db, "smn_block_hash", 1, flags, NULL, sql_block_hash, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_create_function(db, "smn_block_amount", 2, flags, NULL, sql_block_amount, NULL,
                                NULL) != SQLITE_OK ||
        ledger_amount_sql_register(db) != SQLITE_OK)
        return ledger_sql_error(db, "register ledger functions", err, errlen);
    return LEDGER_STATUS_OK;
}

ledger_status ledger_sql_error(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
    return LEDGER_STATUS_IO;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

static ledger_status table_exists(sqlite3 *db, const char *name, bool *exists, char *err,
                                  size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1,
                           &st, NULL) != SQLITE_OK)
        return ledger_sql_error(db, "schema lookup", err, errlen);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ledger_sql_error(db, "schema lookup", err, errlen);
    *exists = rc == SQLITE_ROW;
    return LEDGER_STATUS_OK;
}

/* Reads the three meta values; absent keys leave the outputs untouched. */
static ledger_status read_meta(sqlite3 *db, int64_t *version, char *network, size_t netlen,
                               uint8_t genesis[32], bool *have_genesis, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT key, value FROM meta", -1, &st, NULL) != SQLITE_OK)
        return ledger_sql_error(db, "read meta", err, errlen);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        if (!key)
            continue;
        if (strcmp(key, "schema_version") == 0 && sqlite3_column_type(st, 1) == SQLITE_INTEGER) {
            *version = sqlite3_column_int64(st, 1);
        } else if (strcmp(key, "network") == 0 && sqlite3_column_type(st, 1) == SQLITE_TEXT) {
            snprintf(network, netlen, "%s", (const char *)sqlite3_column_text(st, 1));
        } else if (strcmp(key, "genesis_hash") == 0 && sqlite3_column_type(st, 1) == SQLITE_BLOB &&
                   sqlite3_column_bytes(st, 1) == 32) {
            memcpy(genesis, sqlite3_column_blob(st, 1), 32);
            *have_genesis = true;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ledger_sql_error(db, "read meta", err, errlen);
    return LEDGER_STATUS_OK;
}

static ledger_status check_meta(sqlite3 *db, const smn_network *net, int64_t *version_out,
                                char *err, size_t errlen)
{
    int64_t version = -1;
    char network[32] = "";
    uint8_t genesis[32];
    bool have_genesis = false;
    ledger_status s =
        read_meta(db, &version, network, sizeof network, genesis, &have_genesis, err, errlen);
    if (s != LEDGER_STATUS_OK)
        return s;
    if (version < 1 || network[0] == '\0' || !have_genesis) {
        set_err(err, errlen,
                "ledger database has no valid meta (schema version, network, genesis)");
        return LEDGER_STATUS_CORRUPT;
    }
    if (version > LEDGER_SCHEMA_VERSION) {
        if (err && errlen)
            snprintf(err, errlen,
                     "ledger schema version %lld is newer than this build supports (%d): "
                     "upgrade smallnano or use another data dir",
                     (long long)version, LEDGER_SCHEMA_VERSION);
        return LEDGER_STATUS_NEWER_SCHEMA;
    }
    if (net) {
        if (strcmp(network, net->name) != 0) {
            if (err && errlen)
                snprintf(err, errlen,
                         "data dir belongs to network '%s', this node runs '%s': "
                         "use another data dir",
                         network, net->name);
            return LEDGER_STATUS_WRONG_NETWORK;
        }
        uint8_t want[32];
        smn_block_hash(&net->genesis, want);
        if (memcmp(want, genesis, 32) != 0) {
            if (err && errlen)
                snprintf(err, errlen,
                         "data dir has another genesis block for network '%s': "
                         "use another data dir",
                         network);
            return LEDGER_STATUS_WRONG_GENESIS;
        }
    }
    *version_out = version;
    return LEDGER_STATUS_OK;
}

ledger_status ledger_schema_check(sqlite3 *db, const smn_network *net, char *err, size_t errlen)
{
    bool exists = false;
    ledger_status s = table_exists(db, "meta", &exists, err, errlen);
    if (s != LEDGER_STATUS_OK)
        return s;
    if (!exists) {
        set_err(err, errlen, "not a ledger database (no meta table)");
        return LEDGER_STATUS_CORRUPT;
    }
    int64_t version;
    return check_meta(db, net, &version, err, errlen);
}

static ledger_status set_version(sqlite3 *db, int64_t v, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return ledger_sql_error(db, "write meta", err, errlen);
    sqlite3_bind_int64(st, 1, v);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? LEDGER_STATUS_OK : ledger_sql_error(db, "write meta", err, errlen);
}

static ledger_status migrate(sqlite3 *db, int64_t from, int64_t to, char *err, size_t errlen)
{
    /* steps use the schema's functions (4 -> 5 sums amounts, 5 -> 6 hashes) */
    ledger_status fs;
    if (from < to && (fs = ledger_schema_functions(db, err, errlen)) != LEDGER_STATUS_OK)
        return fs;
    for (int64_t v = from; v < to; v++) {
        char *msg = NULL;
        if (sqlite3_exec(db, migrations[v], NULL, NULL, &msg) != SQLITE_OK) {
            if (err && errlen)
                snprintf(err, errlen, "migration %lld -> %lld: %s", (long long)v, (long long)v + 1,
                         msg ? msg : "?");
            sqlite3_free(msg);
            return LEDGER_STATUS_IO;
        }
        ledger_status s = set_version(db, v + 1, err, errlen);
        if (s != LEDGER_STATUS_OK)
            return s;
    }
    return LEDGER_STATUS_OK;
}

static ledger_status prepare_to(sqlite3 *db, const smn_network *net, int64_t version, bool *created,
                                char *err, size_t errlen);

ledger_status ledger_schema_prepare(sqlite3 *db, const smn_network *net, bool *created, char *err,
                                    size_t errlen)
{
    return prepare_to(db, net, LEDGER_SCHEMA_VERSION, created, err, errlen);
}

ledger_status ledger_schema_create_version(sqlite3 *db, const smn_network *net, int64_t version,
                                           char *err, size_t errlen)
{
    if (version < 1 || version > LEDGER_SCHEMA_VERSION) {
        set_err(err, errlen, "no such schema version");
        return LEDGER_STATUS_INVALID;
    }
    bool exists = false, created;
    ledger_status s = table_exists(db, "meta", &exists, err, errlen);
    if (s != LEDGER_STATUS_OK)
        return s;
    if (exists) {
        set_err(err, errlen, "database already has a schema");
        return LEDGER_STATUS_INVALID;
    }
    return prepare_to(db, net, version, &created, err, errlen);
}

static ledger_status prepare_to(sqlite3 *db, const smn_network *net, int64_t version, bool *created,
                                char *err, size_t errlen)
{
    bool exists = false;
    ledger_status s = table_exists(db, "meta", &exists, err, errlen);
    if (s != LEDGER_STATUS_OK)
        return s;
    *created = !exists;
    if (exists) {
        int64_t version;
        s = check_meta(db, net, &version, err, errlen);
        if (s != LEDGER_STATUS_OK)
            return s;
        return migrate(db, version, LEDGER_SCHEMA_VERSION, err, errlen);
    }
    s = migrate(db, 0, version, err, errlen);
    if (s != LEDGER_STATUS_OK)
        return s;
    uint8_t genesis[32];
    smn_block_hash(&net->genesis, genesis);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db, "INSERT INTO meta (key, value) VALUES ('network', ?), ('genesis_hash', ?)", -1, &st,
            NULL) != SQLITE_OK)
        return ledger_sql_error(db, "write meta", err, errlen);
    sqlite3_bind_text(st, 1, net->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, genesis, 32, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? LEDGER_STATUS_OK : ledger_sql_error(db, "write meta", err, errlen);
}
