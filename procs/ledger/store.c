/* The writer connection: prepared statements, the apply step, unchecked,
 * confirmation heights, pruning rows and the meta counters. */
#include "procs/ledger/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "common/db_check.h"
#include "procs/ledger/checkpoint.h"
#include "ipc/ledgerdb/rows.h"
#include "ipc/ledgerdb/schema.h"

enum {
    Q_ACCOUNT_GET,
    Q_ACCOUNT_PUT,
    Q_CONF_SET,
    Q_BLOCK_GET,
    Q_BLOCK_AT,
    Q_BLOCK_PUT,
    Q_RECV_GET,
    Q_RECV_PUT,
    Q_RECV_DEL,
    Q_WEIGHT_GET,
    Q_WEIGHT_PUT,
    Q_WEIGHT_DEL,
    Q_PRUNED_GET,
    Q_UNCHECKED_PUT,
    Q_UNCHECKED_DROP_OLDEST,
    Q_UNCHECKED_BY_DEP,
    Q_UNCHECKED_DEL,
    Q_UNCHECKED_COUNT,
    Q_PRUNE_CANDIDATES,
    Q_PRUNE_COPY,
    Q_PRUNE_DELETE,
    Q_PRUNE_KEEP_AMOUNT,
    Q_PREV_BLOCK,
    Q_WATERMARK_GET,
    Q_WATERMARK_PUT,
    Q_COUNTER_GET,
    Q_COUNTER_PUT,
    Q_CEMENT_LOG,
    Q_CEMENT_SEQ,
    Q_BLOCK_DEL,
    Q_ACCOUNT_DEL,
    Q_UNCHECKED_DROP_DEP,
    Q_SOURCE,
    Q_CHAIN,
    Q_CEMENT_APPEND,
    Q_CEMENT_APPEND_MANY,
    Q_UNCHECKED_CLEAR,
    Q_TOTAL_ADD,
    Q_TOTAL_SUB,
    Q_TOTAL_DROP,
    Q_TOTAL_CONFIRM,
    Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
    [Q_ACCOUNT_GET] = "SELECT frontier, representative, balance, height, conf_height "
                      "FROM accounts WHERE account = ?",
    [Q_ACCOUNT_PUT] = "INSERT INTO accounts (account, frontier, representative, balance, height, "
                      "conf_height) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (account) DO UPDATE SET "
                      "frontier = excluded.frontier, representative = excluded.representative, "
                      "balance = excluded.balance, height = excluded.height",
    [Q_CONF_SET] = "UPDATE accounts SET conf_height = ? WHERE account = ?",
    /* Schema 4: the indexes hold 8-byte prefixes (schema.c); every lookup
     * names the prefix, for the index, and the whole value. */
    /* Schema 6: hash is computed from the block (a lookup hashes the row
     * its prefix found) and the amount derived (LEDGER_SQL_AMOUNT). */
    [Q_BLOCK_GET] = "SELECT height, subtype, " LEDGER_SQL_AMOUNT_BLOCKS ", block FROM blocks "
                    "WHERE substr(hash, 1, 8) = substr(?1, 1, 8) AND hash = ?1",
    [Q_BLOCK_AT] = "SELECT hash, subtype, " LEDGER_SQL_AMOUNT_BLOCKS ", block FROM blocks "
                   "WHERE substr(block, 1, 8) = substr(?1, 1, 8) AND account = ?1 AND height = ?2",
    /* local_timestamp: when this node first stored the block (the RPC's,
     * not part of validation). No hash (computed) and no amount: the
     * previous block is the frontier, stored (or there is none). */
    [Q_BLOCK_PUT] = "INSERT INTO blocks (height, subtype, block, local_timestamp) "
                    "VALUES (?, ?, ?, CAST(strftime('%s', 'now') AS INTEGER))",
    [Q_RECV_GET] = "SELECT destination, source, amount FROM receivables WHERE send_hash = ?",
    [Q_RECV_PUT] = "INSERT INTO receivables (send_hash, destination, source, amount) "
                   "VALUES (?, ?, ?, ?)",
    [Q_RECV_DEL] = "DELETE FROM receivables WHERE send_hash = ?",
    [Q_WEIGHT_GET] = "SELECT weight FROM rep_weights WHERE representative = ?",
    [Q_WEIGHT_PUT] = "INSERT OR REPLACE INTO rep_weights (representative, weight) VALUES (?, ?)",
    [Q_WEIGHT_DEL] = "DELETE FROM rep_weights WHERE representative = ?",
    [Q_PRUNED_GET] = "SELECT 1 FROM pruned_blocks WHERE hash = ?",
    [Q_UNCHECKED_PUT] =
        "INSERT OR IGNORE INTO unchecked (hash, dependency, block) VALUES (?, ?, ?)",
    [Q_UNCHECKED_DROP_OLDEST] = "DELETE FROM unchecked WHERE id = (SELECT MIN(id) FROM unchecked)",
    [Q_UNCHECKED_BY_DEP] = "SELECT id, block FROM unchecked WHERE dependency = ? ORDER BY id",
    [Q_UNCHECKED_DEL] = "DELETE FROM unchecked WHERE id = ?",
    [Q_UNCHECKED_COUNT] = "SELECT COUNT(*) FROM unchecked",
    /* every account from the cursor, candidate or not: the caller filters,
     * so the rows a pass reads are bounded by the LIMIT, not by how many
     * accounts are candidates */
    [Q_PRUNE_CANDIDATES] =
        "SELECT a.account, a.conf_height, COALESCE(w.pruned_height, 0) FROM accounts a "
        "LEFT JOIN prune_watermarks w ON w.account = a.account "
        "WHERE a.account >= ? ORDER BY a.account LIMIT ?",
    [Q_PRUNE_COPY] =
        "INSERT OR IGNORE INTO pruned_blocks (hash, id) SELECT hash, id FROM blocks "
        "WHERE substr(block, 1, 8) = substr(?1, 1, 8) AND account = ?1 AND height <= ?2",
    /* Before pruning below it, the new lowest block keeps its amount:
     * its previous is about to go. */
    [Q_PRUNE_KEEP_AMOUNT] = "UPDATE blocks SET amount = " LEDGER_SQL_AMOUNT_BLOCKS " WHERE "
                            "substr(block, 1, 8) = substr(?1, 1, 8) AND account = ?1 AND "
                            "height = ?2 + 1 AND amount IS NULL",
    [Q_PREV_BLOCK] = "SELECT block FROM blocks WHERE substr(block, 1, 8) = substr(?1, 1, 8) AND "
                     "account = ?1 AND height = ?2",
    [Q_PRUNE_DELETE] = "DELETE FROM blocks WHERE substr(block, 1, 8) = substr(?1, 1, 8) AND "
                       "account = ?1 AND height <= ?2",
    [Q_WATERMARK_GET] = "SELECT pruned_height FROM prune_watermarks WHERE account = ?",
    [Q_WATERMARK_PUT] = "INSERT OR REPLACE INTO prune_watermarks (account, pruned_height) "
                        "VALUES (?, ?)",
    [Q_COUNTER_GET] = "SELECT value FROM meta WHERE key = ?",
    [Q_COUNTER_PUT] = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
    [Q_CEMENT_LOG] = "INSERT INTO cement_log (seq, block) SELECT ?4 + height - ?2, id FROM blocks "
                     "WHERE substr(block, 1, 8) = substr(?1, 1, 8) AND account = ?1 AND height > "
                     "?2 AND height <= ?3 ORDER BY height",
    [Q_CEMENT_SEQ] = "SELECT COALESCE(MAX(seq), 0) FROM cement_log",
    [Q_BLOCK_DEL] = "DELETE FROM blocks WHERE substr(hash, 1, 8) = substr(?1, 1, 8) AND hash = ?1",
    [Q_ACCOUNT_DEL] = "DELETE FROM accounts WHERE account = ?",
    [Q_UNCHECKED_DROP_DEP] = "DELETE FROM unchecked WHERE dependency = ?",
    [Q_UNCHECKED_CLEAR] = "DELETE FROM unchecked",
    [Q_SOURCE] = "SELECT b.account, b.height, a.conf_height FROM blocks b JOIN accounts a "
                 "ON a.account = b.account WHERE substr(b.hash, 1, 8) = substr(?1, 1, 8) "
                 "AND b.hash = ?1",
    /* The amount as stored (NULL: derived in C from the cursor's previous
     * row) and no hash: chain_row hashes the block it decodes anyway,
     * without the SQL function's copies */
    [Q_CHAIN] = "SELECT id, height, subtype, amount, block FROM blocks "
                "WHERE substr(block, 1, 8) = substr(?1, 1, 8) AND account = ?1 AND height > ?2 AND "
                "height <= ?3 ORDER BY height",
    [Q_CEMENT_APPEND] = "INSERT INTO cement_log (seq, block) VALUES (?, ?)",
    [Q_CEMENT_APPEND_MANY] = NULL, /* built in cement_many_sql() */
    /* receivable_totals (schema 5): ?1 destination, ?2 the amount, ?3 the
     * amount when the send is cemented, else 16 zero bytes. smn_amount_add/
     * _sub fail the statement rather than wrap (amount_sql.h). */
    [Q_TOTAL_ADD] = "INSERT INTO receivable_totals (destination, count, sum, confirmed_sum) "
                    "VALUES (?1, 1, ?2, ?3) ON CONFLICT (destination) DO UPDATE SET "
                    "count = count + 1, sum = smn_amount_add(sum, ?2), "
                    "confirmed_sum = smn_amount_add(confirmed_sum, ?3)",
    [Q_TOTAL_SUB] =
        "UPDATE receivable_totals SET count = count - 1, sum = smn_amount_sub(sum, ?2), "
        "confirmed_sum = smn_amount_sub(confirmed_sum, ?3) WHERE destination = ?1 "
        "RETURNING count",
    [Q_TOTAL_DROP] = "DELETE FROM receivable_totals WHERE destination = ? AND count = 0",
    [Q_TOTAL_CONFIRM] = "UPDATE receivable_totals SET confirmed_sum = "
                        "smn_amount_add(confirmed_sum, ?2) WHERE destination = ?1",
};

/* cement_log rows buffered per statement: LEDGER_CEMENT_BATCH rows go in
 * one multi-row INSERT (one step instead of one per block). */
#define LEDGER_CEMENT_BATCH 64

/* Weight changes of the open transaction, summed per representative and
 * written once at commit: most blocks of a batch share a few reps. */
typedef struct {
    uint8_t rep[32];
    smn_amount_t add, sub;
    bool used;
} weight_slot;

/* The last row a chain cursor returned (height 0: none): its balance
 * gives the next row's amount. */
typedef struct {
    uint64_t height;
    smn_amount_t balance, amount;
    uint64_t after; /* the caller's rows start above it */
} chain_last_row;

typedef struct {
    weight_slot *slots;
    size_t cap, used;
} weight_map;

struct ledger_store {
    sqlite3 *db;
    const smn_network *net;
    sqlite3_stmt *q[Q_COUNT];
    size_t unchecked_max;
    size_t unchecked_count;
    uint64_t unchecked_evicted; /* dropped at unchecked_max, this run */
    bool in_tx;
    bool any_pruned;                  /* skip the pruned_blocks lookup while it is empty */
    ledger_counts committed, pending; /* pending: deltas of the open transaction */
    uint64_t pending_removed;         /* blocks the open transaction rolled back */
    uint64_t seq, committed_seq;      /* last cement_log seq (open transaction's / committed) */
    weight_map weights;
    /* cement_log rows not inserted yet (seq = first_seq + i); inserted
     * when full, and before commit */
    int64_t cement_rows[LEDGER_CEMENT_BATCH];
    size_t cement_n;
    /* the next pruning scan starts at this account (unset: the first) */
    uint8_t prune_next[32];
    bool prune_next_set;
    /* chain cursors (Q_CHAIN's text), one per slot */
    sqlite3_stmt *chain[LEDGER_CHAIN_CURSORS];
    chain_last_row chain_last[LEDGER_CHAIN_CURSORS];
    ledger_checkpointer *ckpt;  /* NULL: SQLite checkpoints in the commits */
    int ckpt_pages;             /* WAL frames that kick it */
    void (*begin_hook)(void *); /* closes another holder's open transaction */
    void *begin_hook_user;
    char err[256];
};

/* WAL pages between automatic checkpoints (4 KiB pages: 64 MiB). */
#define LEDGER_WAL_CHECKPOINT_PAGES 16384

static const char *const counter_keys[3] = {"count_blocks", "count_cemented", "count_pruned"};

static ledger_status fail(ledger_store *s, const char *what)
{
    return ledger_sql_error(s->db, what, s->err, sizeof s->err);
}

static void done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Runs a statement that returns no rows. */
static ledger_status step_done(ledger_store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    done(st);
    return rc == SQLITE_DONE ? LEDGER_STATUS_OK : fail(s, what);
}

static void bind32(sqlite3_stmt *st, int i, const uint8_t v[32])
{
    sqlite3_bind_blob(st, i, v, 32, SQLITE_STATIC);
}

static ledger_status corrupt(ledger_store *s, const char *what)
{
    snprintf(s->err, sizeof s->err, "corrupt row in %s", what);
    return LEDGER_STATUS_CORRUPT;
}

static ledger_status exec(ledger_store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "%.80s: %.160s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return LEDGER_STATUS_IO;
    }
    return LEDGER_STATUS_OK;
}

/* INSERT INTO cement_log (seq, block) VALUES (?, ?), ... with
 * LEDGER_CEMENT_BATCH rows. */
static void cement_many_sql(char *out, size_t len)
{
    size_t k = (size_t)snprintf(out, len, "INSERT INTO cement_log (seq, block) VALUES (?, ?)");
    for (int i = 1; i < LEDGER_CEMENT_BATCH && k < len; i++)
        k += (size_t)snprintf(out + k, len - k, ", (?, ?)");
}

/* Inserts the buffered cement_log rows: the full batch in one statement, a
 * partial one row by row. */
static ledger_status cement_flush(ledger_store *s)
{
    if (!s->cement_n)
        return LEDGER_STATUS_OK;
    uint64_t first = s->seq - s->cement_n + 1;
    ledger_status r = LEDGER_STATUS_OK;
    if (s->cement_n == LEDGER_CEMENT_BATCH) {
        sqlite3_stmt *st = s->q[Q_CEMENT_APPEND_MANY];
        for (size_t i = 0; i < s->cement_n; i++) {
            sqlite3_bind_int64(st, (int)(2 * i + 1), (sqlite3_int64)(first + i));
            sqlite3_bind_int64(st, (int)(2 * i + 2), s->cement_rows[i]);
        }
        r = step_done(s, st, "write cement log");
    } else {
        for (size_t i = 0; i < s->cement_n && r == LEDGER_STATUS_OK; i++) {
            sqlite3_stmt *st = s->q[Q_CEMENT_APPEND];
            sqlite3_bind_int64(st, 1, (sqlite3_int64)(first + i));
            sqlite3_bind_int64(st, 2, s->cement_rows[i]);
            r = step_done(s, st, "write cement log");
        }
    }
    s->cement_n = 0;
    return r;
}

/* ---- weights map ---- */

static uint64_t rep_hash(const uint8_t rep[32])
{
    uint64_t h;
    memcpy(&h, rep, sizeof h); /* keys are public keys: already uniform */
    return h;
}

static weight_slot *weight_slot_for(weight_map *m, const uint8_t rep[32])
{
    if ((m->used + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        weight_slot *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i].used)
                continue;
            size_t j = rep_hash(m->slots[i].rep) & (ncap - 1);
            while (ns[j].used)
                j = (j + 1) & (ncap - 1);
            ns[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = ns;
        m->cap = ncap;
    }
    size_t j = rep_hash(rep) & (m->cap - 1);
    while (m->slots[j].used) {
        if (memcmp(m->slots[j].rep, rep, 32) == 0)
            return &m->slots[j];
        j = (j + 1) & (m->cap - 1);
    }
    m->slots[j].used = true;
    memcpy(m->slots[j].rep, rep, 32);
    m->slots[j].add = m->slots[j].sub = smn_amount_zero();
    m->used++;
    return &m->slots[j];
}

static void weight_map_clear(weight_map *m)
{
    if (m->used && m->slots)
        memset(m->slots, 0, m->cap * sizeof *m->slots);
    m->used = 0;
}

static ledger_status weight_read(ledger_store *s, const uint8_t rep[32], smn_amount_t *out)
{
    sqlite3_stmt *st = s->q[Q_WEIGHT_GET];
    bind32(st, 1, rep);
    int rc = sqlite3_step(st);
    ledger_status r = LEDGER_STATUS_OK;
    *out = smn_amount_zero();
    if (rc == SQLITE_ROW) {
        if (!ledger_col_amount(st, 0, out))
            r = corrupt(s, "rep_weights");
    } else if (rc != SQLITE_DONE) {
        r = fail(s, "read weight");
    }
    done(st);
    return r;
}

static ledger_status weight_flush(ledger_store *s)
{
    for (size_t i = 0; i < s->weights.cap; i++) {
        weight_slot *w = &s->weights.slots[i];
        if (!w->used || smn_amount_eq(w->add, w->sub))
            continue;
        smn_amount_t cur;
        ledger_status r = weight_read(s, w->rep, &cur);
        if (r != LEDGER_STATUS_OK)
            return r;
        smn_amount_t next;
        if (!smn_amount_add(cur, w->add, &next) || !smn_amount_sub(next, w->sub, &next)) {
            snprintf(s->err, sizeof s->err, "representative weight out of range");
            return LEDGER_STATUS_CORRUPT;
        }
        sqlite3_stmt *st;
        if (smn_amount_is_zero(next)) {
            st = s->q[Q_WEIGHT_DEL];
            bind32(st, 1, w->rep);
        } else {
            uint8_t be[16];
            smn_amount_to_be(next, be);
            st = s->q[Q_WEIGHT_PUT];
            bind32(st, 1, w->rep);
            sqlite3_bind_blob(st, 2, be, 16, SQLITE_TRANSIENT);
        }
        r = step_done(s, st, "write weight");
        if (r != LEDGER_STATUS_OK)
            return r;
    }
    weight_map_clear(&s->weights);
    return LEDGER_STATUS_OK;
}

static ledger_status weight_adjust(ledger_store *s, const uint8_t rep[32], smn_amount_t add,
                                   smn_amount_t sub)
{
    weight_slot *w = weight_slot_for(&s->weights, rep);
    if (!w)
        return LEDGER_STATUS_NOMEM;
    /* Keep the net change as one nonzero side: a batch may move the whole
     * supply back and forth thousands of times, but the net change of one
     * representative never exceeds the supply, so this cannot overflow. */
    if (smn_amount_ge(add, w->sub)) {
        w->add = smn_amount_add_wrap(w->add, smn_amount_sub_wrap(add, w->sub));
        w->sub = smn_amount_zero();
    } else {
        w->sub = smn_amount_sub_wrap(w->sub, add);
    }
    if (smn_amount_ge(sub, w->add)) {
        w->sub = smn_amount_add_wrap(w->sub, smn_amount_sub_wrap(sub, w->add));
        w->add = smn_amount_zero();
    } else {
        w->add = smn_amount_sub_wrap(w->add, sub);
    }
    return LEDGER_STATUS_OK;
}

/* ---- counters ---- */

static ledger_status counters_load(ledger_store *s)
{
    uint64_t *vals[3] = {&s->committed.blocks, &s->committed.cemented, &s->committed.pruned};
    for (int i = 0; i < 3; i++) {
        sqlite3_stmt *st = s->q[Q_COUNTER_GET];
        sqlite3_bind_text(st, 1, counter_keys[i], -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        *vals[i] = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
        done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return fail(s, "read counters");
    }
    sqlite3_stmt *st = s->q[Q_UNCHECKED_COUNT];
    int rc = sqlite3_step(st);
    s->unchecked_count = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
    done(st);
    if (rc != SQLITE_ROW)
        return fail(s, "count unchecked");
    s->committed.unchecked = s->unchecked_count;
    s->any_pruned = s->committed.pruned > 0;
    st = s->q[Q_CEMENT_SEQ];
    rc = sqlite3_step(st);
    s->seq = s->committed_seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    done(st);
    if (rc != SQLITE_ROW)
        return fail(s, "read cement seq");
    return LEDGER_STATUS_OK;
}

static ledger_status counters_flush(ledger_store *s)
{
    uint64_t deltas[3] = {s->pending.blocks, s->pending.cemented, s->pending.pruned};
    uint64_t bases[3] = {s->committed.blocks, s->committed.cemented, s->committed.pruned};
    for (int i = 0; i < 3; i++) {
        /* Only blocks are ever removed (rolled back), never more than were
         * there: base + added >= removed. */
        uint64_t removed = i == 0 ? s->pending_removed : 0;
        if (deltas[i] == removed)
            continue;
        sqlite3_stmt *st = s->q[Q_COUNTER_PUT];
        sqlite3_bind_text(st, 1, counter_keys[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)(bases[i] + deltas[i] - removed));
        ledger_status r = step_done(s, st, "write counters");
        if (r != LEDGER_STATUS_OK)
            return r;
    }
    return LEDGER_STATUS_OK;
}

/* ---- open / close ---- */

/* After each commit: the checkpoint thread copies the WAL back once it
 * holds LEDGER_WAL_CHECKPOINT_PAGES, as wal_autocheckpoint would have in
 * the commit itself (a commit of a large group that crossed it took
 * seconds on a loaded machine: docs/benchmarks.md "Fourth pass"). */
static int on_wal_commit(void *user, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    (void)name;
    ledger_store *s = user;
    if (frames >= s->ckpt_pages)
        ledger_checkpointer_kick(s->ckpt);
    return SQLITE_OK;
}

static ledger_status insert_genesis(ledger_store *s)
{
    const smn_block *g = &s->net->genesis;
    if (!smn_block_verify_signature(g)) {
        snprintf(s->err, sizeof s->err, "genesis block of '%s' has a bad signature", s->net->name);
        return LEDGER_STATUS_CORRUPT;
    }
    uint8_t hash[32];
    smn_block_hash(g, hash);
    ledger_validation v = {.subtype = LEDGER_SUBTYPE_OPEN, .amount = g->balance, .height = 1};
    ledger_status r = ledger_store_apply(s, g, hash, &v);
    if (r != LEDGER_STATUS_OK)
        return r;
    return ledger_store_set_conf_height(s, g->account, 1);
}

ledger_status ledger_store_global_config(void)
{
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK ? LEDGER_STATUS_OK
                                                                   : LEDGER_STATUS_INVALID;
}

ledger_status ledger_store_open(const char *path, const smn_network *net,
                                const ledger_store_config *cfg, ledger_store **out, char *err,
                                size_t errlen)
{
    *out = NULL;
    if (!path || !net) {
        if (err && errlen)
            snprintf(err, errlen, "ledger_store_open: missing path or network");
        return LEDGER_STATUS_INVALID;
    }
    ledger_store *s = calloc(1, sizeof *s);
    if (!s)
        return LEDGER_STATUS_NOMEM;
    s->net = net;
    s->unchecked_max = cfg && cfg->unchecked_max ? cfg->unchecked_max : 65536;
    int cache_mib = cfg && cfg->cache_mib > 0 ? cfg->cache_mib : 64;
    ledger_status r;
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        r = fail(s, path);
        goto out;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if ((r = ledger_schema_functions(s->db, s->err, sizeof s->err)) != LEDGER_STATUS_OK)
        goto out;
    if (smn_db_check(s->db, path, s->err, sizeof s->err) != 0) {
        r = LEDGER_STATUS_CORRUPT;
        goto out;
    }
    /* Checkpoints: a 4096-block batch dirties thousands of random index
     * pages; checkpointing every 1000 WAL pages (SQLite's default) ran one
     * per batch, each copying every page again and syncing twice. Every
     * LEDGER_WAL_CHECKPOINT_PAGES instead: a page dirtied by several batches
     * is copied once; the WAL is truncated back to that size afterwards. */
    char pragmas[384];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
             "PRAGMA cache_size = -%d; "
             "PRAGMA wal_autocheckpoint = %d; PRAGMA journal_size_limit = %d;",
             cache_mib * 1024, LEDGER_WAL_CHECKPOINT_PAGES, LEDGER_WAL_CHECKPOINT_PAGES * 4096);
    if ((r = exec(s, pragmas)) != LEDGER_STATUS_OK)
        goto out;
    if ((r = exec(s, "BEGIN IMMEDIATE")) != LEDGER_STATUS_OK)
        goto out;
    bool created = false;
    r = ledger_schema_prepare(s->db, net, &created, s->err, sizeof s->err);
    if (r == LEDGER_STATUS_OK) {
        char many[64 + 8 * LEDGER_CEMENT_BATCH];
        cement_many_sql(many, sizeof many);
        for (int i = 0; i < Q_COUNT && r == LEDGER_STATUS_OK; i++) {
            const char *sql = sql_text[i] ? sql_text[i] : many;
            if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL) !=
                SQLITE_OK)
                r = fail(s, sql);
        }
        for (int i = 0; i < LEDGER_CHAIN_CURSORS && r == LEDGER_STATUS_OK; i++)
            if (sqlite3_prepare_v3(s->db, sql_text[Q_CHAIN], -1, SQLITE_PREPARE_PERSISTENT,
                                   &s->chain[i], NULL) != SQLITE_OK)
                r = fail(s, sql_text[Q_CHAIN]);
    }
    if (r == LEDGER_STATUS_OK)
        r = counters_load(s);
    if (r == LEDGER_STATUS_OK && created) {
        s->in_tx = true; /* the BEGIN above */
        r = insert_genesis(s);
        if (r == LEDGER_STATUS_OK)
            r = weight_flush(s);
        if (r == LEDGER_STATUS_OK)
            r = counters_flush(s);
        s->in_tx = false;
    }
    if (r != LEDGER_STATUS_OK) {
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        goto out;
    }
    if ((r = exec(s, "COMMIT")) != LEDGER_STATUS_OK)
        goto out;
    /* Only now: a migration's index builds sort through temp files, which
     * in memory would hold a whole index (500 MiB at 1M blocks). */
    if ((r = exec(s, "PRAGMA temp_store = MEMORY")) != LEDGER_STATUS_OK)
        goto out;
    if (!(cfg && cfg->inline_checkpoints)) {
        if ((r = ledger_checkpointer_start(path, &s->ckpt, s->err, sizeof s->err)) !=
            LEDGER_STATUS_OK)
            goto out;
        /* (the pragma installs SQLite's own WAL hook: set ours after it) */
        if ((r = exec(s, "PRAGMA wal_autocheckpoint = 0")) != LEDGER_STATUS_OK)
            goto out;
        s->ckpt_pages =
            cfg && cfg->checkpoint_pages ? (int)cfg->checkpoint_pages : LEDGER_WAL_CHECKPOINT_PAGES;
        sqlite3_wal_hook(s->db, on_wal_commit, s);
    }
    s->committed_seq = s->seq;
    s->committed.blocks += s->pending.blocks;
    s->committed.cemented += s->pending.cemented;
    memset(&s->pending, 0, sizeof s->pending);
out:
    if (r != LEDGER_STATUS_OK) {
        if (err && errlen)
            snprintf(err, errlen, "%s", s->err);
        ledger_store_close(s);
        return r;
    }
    *out = s;
    return LEDGER_STATUS_OK;
}

void ledger_store_close(ledger_store *s)
{
    if (!s)
        return;
    if (s->in_tx)
        ledger_store_rollback(s);
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->q[i]);
    for (int i = 0; i < LEDGER_CHAIN_CURSORS; i++)
        sqlite3_finalize(s->chain[i]);
    ledger_checkpointer_stop(s->ckpt); /* first: the last close checkpoints and removes the WAL */
    sqlite3_close(s->db);
    free(s->weights.slots);
    free(s);
}

uint64_t ledger_store_checkpoints(ledger_store *s)
{
    return s->ckpt ? ledger_checkpointer_count(s->ckpt) : 0;
}

const smn_network *ledger_store_network(const ledger_store *s)
{
    return s->net;
}

const char *ledger_store_errmsg(const ledger_store *s)
{
    return s->err;
}

/* ---- transactions ---- */

void ledger_store_set_begin_hook(ledger_store *s, void (*fn)(void *), void *user)
{
    s->begin_hook = fn;
    s->begin_hook_user = user;
}

void ledger_store_end_held(ledger_store *s)
{
    if (s->in_tx && s->begin_hook)
        s->begin_hook(s->begin_hook_user);
}

ledger_status ledger_store_begin(ledger_store *s)
{
    ledger_store_end_held(s);
    if (s->in_tx) {
        snprintf(s->err, sizeof s->err, "transaction already open");
        return LEDGER_STATUS_INVALID;
    }
    ledger_status r = exec(s, "BEGIN IMMEDIATE");
    if (r == LEDGER_STATUS_OK) {
        s->in_tx = true;
        memset(&s->pending, 0, sizeof s->pending);
        s->pending_removed = 0;
        weight_map_clear(&s->weights);
    }
    return r;
}

ledger_status ledger_store_commit(ledger_store *s)
{
    if (!s->in_tx) {
        snprintf(s->err, sizeof s->err, "no transaction open");
        return LEDGER_STATUS_INVALID;
    }
    ledger_status r = cement_flush(s);
    if (r == LEDGER_STATUS_OK)
        r = weight_flush(s);
    if (r == LEDGER_STATUS_OK)
        r = counters_flush(s);
    if (r == LEDGER_STATUS_OK)
        r = exec(s, "COMMIT");
    if (r != LEDGER_STATUS_OK) {
        ledger_store_rollback(s);
        return r;
    }
    s->in_tx = false;
    s->committed_seq = s->seq;
    s->committed.blocks += s->pending.blocks - s->pending_removed;
    s->committed.cemented += s->pending.cemented;
    s->committed.pruned += s->pending.pruned;
    s->committed.unchecked = s->unchecked_count;
    memset(&s->pending, 0, sizeof s->pending);
    s->pending_removed = 0;
    return LEDGER_STATUS_OK;
}

void ledger_store_rollback(ledger_store *s)
{
    if (!s->in_tx)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        if (s->q[i])
            sqlite3_reset(s->q[i]);
    for (int i = 0; i < LEDGER_CHAIN_CURSORS; i++)
        if (s->chain[i])
            sqlite3_reset(s->chain[i]);
    (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = false;
    memset(&s->pending, 0, sizeof s->pending);
    s->pending_removed = 0;
    weight_map_clear(&s->weights);
    s->cement_n = 0;
    s->unchecked_count = s->committed.unchecked;
    s->any_pruned = s->committed.pruned > 0;
    s->seq = s->committed_seq;
}

bool ledger_store_in_transaction(const ledger_store *s)
{
    return s->in_tx;
}

/* ---- reads ---- */

ledger_status ledger_store_account(ledger_store *s, const uint8_t account[32],
                                   ledger_account_info *out)
{
    sqlite3_stmt *st = s->q[Q_ACCOUNT_GET];
    bind32(st, 1, account);
    int rc = sqlite3_step(st);
    ledger_status r = LEDGER_STATUS_OK;
    if (rc == SQLITE_ROW) {
        if (!ledger_col_bytes(st, 0, out->frontier, 32) ||
            !ledger_col_bytes(st, 1, out->representative, 32) ||
            !ledger_col_amount(st, 2, &out->balance))
            r = corrupt(s, "accounts");
        out->height = (uint64_t)sqlite3_column_int64(st, 3);
        out->conf_height = (uint64_t)sqlite3_column_int64(st, 4);
    } else {
        r = rc == SQLITE_DONE ? LEDGER_STATUS_NOT_FOUND : fail(s, "read account");
    }
    done(st);
    return r;
}

/* Fills the parts of a record that come from one blocks row. */
static ledger_status fill_record(ledger_store *s, sqlite3_stmt *st, int subtype_col,
                                 ledger_block_record *out)
{
    int sub = sqlite3_column_int(st, subtype_col);
    if (sub < LEDGER_SUBTYPE_SEND || sub > LEDGER_SUBTYPE_CHANGE ||
        !ledger_col_amount(st, subtype_col + 1, &out->amount) ||
        !ledger_col_block(st, subtype_col + 2, &out->block))
        return corrupt(s, "blocks");
    out->subtype = (ledger_subtype)sub;
    return LEDGER_STATUS_OK;
}

/* Successor and confirmed flag of a record whose block and height are set. */
static ledger_status finish_record(ledger_store *s, ledger_block_record *out)
{
    memset(out->successor, 0, 32);
    ledger_status r =
        ledger_store_block_at(s, out->block.account, out->height + 1, out->successor, NULL);
    if (r == LEDGER_STATUS_NOT_FOUND)
        memset(out->successor, 0, 32);
    else if (r != LEDGER_STATUS_OK)
        return r;
    ledger_account_info ai;
    r = ledger_store_account(s, out->block.account, &ai);
    if (r != LEDGER_STATUS_OK)
        return r == LEDGER_STATUS_NOT_FOUND ? corrupt(s, "accounts") : r;
    out->confirmed = out->height <= ai.conf_height;
    return LEDGER_STATUS_OK;
}

ledger_status ledger_store_block(ledger_store *s, const uint8_t hash[32], ledger_block_record *out)
{
    sqlite3_stmt *st = s->q[Q_BLOCK_GET];
    bind32(st, 1, hash);
    int rc = sqlite3_step(st);
    ledger_status r;
    if (rc == SQLITE_ROW) {
        out->height = (uint64_t)sqlite3_column_int64(st, 0);
        memcpy(out->hash, hash, 32);
        r = fill_record(s, st, 1, out);
    } else {
        r = rc == SQLITE_DONE ? LEDGER_STATUS_NOT_FOUND : fail(s, "read block");
    }
    done(st);
    if (r == LEDGER_STATUS_OK)
        r = finish_record(s, out);
    return r;
}

ledger_status ledger_store_block_at(ledger_store *s, const uint8_t account[32], uint64_t height,
                                    uint8_t hash[32], ledger_block_record *out)
{
    sqlite3_stmt *st = s->q[Q_BLOCK_AT];
    bind32(st, 1, account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)height);
    int rc = sqlite3_step(st);
    ledger_status r = LEDGER_STATUS_OK;
    if (rc == SQLITE_ROW) {
        if (!ledger_col_bytes(st, 0, hash, 32))
            r = corrupt(s, "blocks");
        else if (out) {
            memcpy(out->hash, hash, 32);
            out->height = height;
            r = fill_record(s, st, 1, out);
        }
    } else {
        r = rc == SQLITE_DONE ? LEDGER_STATUS_NOT_FOUND : fail(s, "read block");
    }
    done(st);
    if (r == LEDGER_STATUS_OK && out)
        r = finish_record(s, out);
    return r;
}

ledger_status ledger_store_chain_open(ledger_store *s, unsigned slot, const uint8_t account[32],
                                      uint64_t after, uint64_t up_to,
                                      const smn_amount_t *after_balance)
{
    if (slot >= LEDGER_CHAIN_CURSORS)
        return LEDGER_STATUS_INVALID;
    sqlite3_stmt *st = s->chain[slot];
    done(st);
    s->chain_last[slot].height = 0;
    s->chain_last[slot].after = after;
    bind32(st, 1, account);
    if (after && after_balance) {
        /* the first row's amount comes from the caller's balance */
        s->chain_last[slot].height = after;
        s->chain_last[slot].balance = *after_balance;
        sqlite3_bind_int64(st, 2, (sqlite3_int64)after);
    } else {
        /* One row more, the block at `after`: its balance gives the first
         * row's amount (cheaper than a lookup of its own) */
        sqlite3_bind_int64(st, 2, (sqlite3_int64)(after ? after - 1 : 0));
    }
    sqlite3_bind_int64(st, 3, (sqlite3_int64)up_to);
    return LEDGER_STATUS_OK;
}

static smn_amount_t amount_between(smn_amount_t a, smn_amount_t b)
{
    return smn_amount_ge(a, b) ? smn_amount_sub_wrap(a, b) : smn_amount_sub_wrap(b, a);
}

/* The amount of a row stored without it (schema 6): |balance - the
 * previous block's balance|, the previous block read by (account,
 * height - 1). */
static ledger_status prev_amount(ledger_store *s, const ledger_block_record *rec, smn_amount_t *out)
{
    if (smn_block_is_open(&rec->block)) {
        *out = rec->block.balance;
        return LEDGER_STATUS_OK;
    }
    sqlite3_stmt *st = s->q[Q_PREV_BLOCK];
    bind32(st, 1, rec->block.account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)rec->height - 1);
    smn_block prev;
    int rc = sqlite3_step(st);
    ledger_status r = LEDGER_STATUS_OK;
    if (rc != SQLITE_ROW)
        r = rc == SQLITE_DONE ? corrupt(s, "blocks (previous of a derived amount)")
                              : fail(s, "read block");
    else if (!ledger_col_block(st, 0, &prev))
        r = corrupt(s, "blocks");
    done(st);
    if (r == LEDGER_STATUS_OK)
        *out = amount_between(rec->block.balance, prev.balance);
    return r;
}

/* The row the cursor stands on. A NULL amount comes from the cursor's
 * previous row (the chain above the confirmation height has no holes), or
 * from one lookup for the cursor's first row. */
static ledger_status chain_row(ledger_store *s, unsigned slot, sqlite3_stmt *st,
                               ledger_block_record *out, int64_t *row)
{
    *row = sqlite3_column_int64(st, 0);
    out->height = (uint64_t)sqlite3_column_int64(st, 1);
    int sub = sqlite3_column_int(st, 2);
    if (sub < LEDGER_SUBTYPE_SEND || sub > LEDGER_SUBTYPE_CHANGE ||
        !ledger_col_block(st, 4, &out->block))
        return corrupt(s, "blocks");
    out->subtype = (ledger_subtype)sub;
    memset(out->hash, 0, 32); /* not hashed: the caller knows it or hashes (store.h) */
    ledger_status r = LEDGER_STATUS_OK;
    chain_last_row *last = &s->chain_last[slot];
    if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
        if (!ledger_col_amount(st, 3, &out->amount))
            return corrupt(s, "blocks");
    } else if (last->height && last->height == out->height) {
        out->amount = last->amount; /* chain_current: the same row again */
    } else if (last->height && last->height + 1 == out->height) {
        out->amount = amount_between(out->block.balance, last->balance);
    } else {
        r = prev_amount(s, out, &out->amount);
    }
    if (r == LEDGER_STATUS_OK) {
        last->height = out->height;
        last->balance = out->block.balance;
        last->amount = out->amount;
    }
    return r;
}

ledger_status ledger_store_chain_next(ledger_store *s, unsigned slot, ledger_block_record *out,
                                      int64_t *row)
{
    if (slot >= LEDGER_CHAIN_CURSORS)
        return LEDGER_STATUS_INVALID;
    sqlite3_stmt *st = s->chain[slot];
    chain_last_row *last = &s->chain_last[slot];
    for (;;) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            return LEDGER_STATUS_NOT_FOUND;
        if (rc != SQLITE_ROW)
            return fail(s, "read chain");
        uint64_t h = (uint64_t)sqlite3_column_int64(st, 1);
        if (h > last->after)
            return chain_row(s, slot, st, out, row);
        /* the row below the caller's first: only its balance is kept */
        if (!ledger_col_block(st, 4, &out->block))
            return corrupt(s, "blocks");
        last->height = h;
        last->balance = out->block.balance;
        last->amount = smn_amount_zero(); /* never returned, never asked for */
    }
}

ledger_status ledger_store_chain_current(ledger_store *s, unsigned slot, ledger_block_record *out,
                                         int64_t *row)
{
    if (slot >= LEDGER_CHAIN_CURSORS)
        return LEDGER_STATUS_INVALID;
    sqlite3_stmt *st = s->chain[slot];
    if (!sqlite3_stmt_busy(st) || sqlite3_data_count(st) == 0)
        return LEDGER_STATUS_INVALID;
    return chain_row(s, slot, st, out, row);
}

void ledger_store_chain_close(ledger_store *s, unsigned slot)
{
    if (slot < LEDGER_CHAIN_CURSORS)
        done(s->chain[slot]);
}

ledger_status ledger_store_source(ledger_store *s, const uint8_t hash[32], uint8_t account[32],
                                  uint64_t *height, uint64_t *conf_height)
{
    sqlite3_stmt *st = s->q[Q_SOURCE];
    bind32(st, 1, hash);
    int rc = sqlite3_step(st);
    ledger_status r;
    if (rc == SQLITE_ROW) {
        r = ledger_col_bytes(st, 0, account, 32) ? LEDGER_STATUS_OK : corrupt(s, "blocks");
        *height = (uint64_t)sqlite3_column_int64(st, 1);
        *conf_height = (uint64_t)sqlite3_column_int64(st, 2);
    } else {
        r = rc == SQLITE_DONE ? LEDGER_STATUS_NOT_FOUND : fail(s, "read block");
    }
    done(st);
    return r;
}

ledger_status ledger_store_receivable(ledger_store *s, const uint8_t send_hash[32],
                                      ledger_receivable *out)
{
    sqlite3_stmt *st = s->q[Q_RECV_GET];
    bind32(st, 1, send_hash);
    int rc = sqlite3_step(st);
    ledger_status r = LEDGER_STATUS_OK;
    if (rc == SQLITE_ROW) {
        memcpy(out->send_hash, send_hash, 32);
        if (!ledger_col_bytes(st, 0, out->destination, 32) ||
            !ledger_col_bytes(st, 1, out->source, 32) || !ledger_col_amount(st, 2, &out->amount))
            r = corrupt(s, "receivables");
    } else {
        r = rc == SQLITE_DONE ? LEDGER_STATUS_NOT_FOUND : fail(s, "read receivable");
    }
    done(st);
    return r;
}

ledger_status ledger_store_weight(ledger_store *s, const uint8_t rep[32], smn_amount_t *out)
{
    ledger_status r = weight_read(s, rep, out);
    if (r != LEDGER_STATUS_OK || !s->weights.used)
        return r;
    /* Include the open transaction's changes. */
    size_t j = rep_hash(rep) & (s->weights.cap - 1);
    while (s->weights.slots[j].used) {
        if (memcmp(s->weights.slots[j].rep, rep, 32) == 0) {
            *out = smn_amount_sub_wrap(smn_amount_add_wrap(*out, s->weights.slots[j].add),
                                       s->weights.slots[j].sub);
            break;
        }
        j = (j + 1) & (s->weights.cap - 1);
    }
    return LEDGER_STATUS_OK;
}

ledger_status ledger_store_is_pruned(ledger_store *s, const uint8_t hash[32], bool *pruned)
{
    *pruned = false;
    if (!s->any_pruned)
        return LEDGER_STATUS_OK;
    sqlite3_stmt *st = s->q[Q_PRUNED_GET];
    bind32(st, 1, hash);
    int rc = sqlite3_step(st);
    done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return fail(s, "read pruned");
    *pruned = rc == SQLITE_ROW;
    return LEDGER_STATUS_OK;
}

/* ---- the validation view ---- */

static ledger_lookup view_block(void *ctx, const uint8_t hash[32], ledger_block_info *out)
{
    ledger_store *s = ctx;
    sqlite3_stmt *st = s->q[Q_BLOCK_GET];
    bind32(st, 1, hash);
    int rc = sqlite3_step(st);
    ledger_lookup l;
    if (rc == SQLITE_ROW) {
        smn_block b;
        if (ledger_col_block(st, 3, &b)) {
            memcpy(out->account, b.account, 32);
            out->height = (uint64_t)sqlite3_column_int64(st, 0);
            out->balance = b.balance;
            l = LEDGER_LOOKUP_FOUND;
        } else {
            corrupt(s, "blocks");
            l = LEDGER_LOOKUP_ERROR;
        }
    } else if (rc == SQLITE_DONE) {
        l = LEDGER_LOOKUP_MISSING;
    } else {
        fail(s, "read block");
        l = LEDGER_LOOKUP_ERROR;
    }
    done(st);
    if (l == LEDGER_LOOKUP_MISSING) {
        bool pruned;
        if (ledger_store_is_pruned(s, hash, &pruned) != LEDGER_STATUS_OK)
            return LEDGER_LOOKUP_ERROR;
        if (pruned)
            l = LEDGER_LOOKUP_PRUNED;
    }
    return l;
}

static ledger_lookup to_lookup(ledger_status r)
{
    return r == LEDGER_STATUS_OK          ? LEDGER_LOOKUP_FOUND
           : r == LEDGER_STATUS_NOT_FOUND ? LEDGER_LOOKUP_MISSING
                                          : LEDGER_LOOKUP_ERROR;
}

static ledger_lookup view_account(void *ctx, const uint8_t account[32], ledger_account_info *out)
{
    return to_lookup(ledger_store_account(ctx, account, out));
}

static ledger_lookup view_receivable(void *ctx, const uint8_t send_hash[32], ledger_receivable *out)
{
    return to_lookup(ledger_store_receivable(ctx, send_hash, out));
}

void ledger_store_view(ledger_store *s, ledger_view *out)
{
    out->ctx = s;
    out->block = view_block;
    out->account = view_account;
    out->receivable = view_receivable;
}

/* ---- receivable totals ---- */

/* A receivable's send is cemented: at or below its account's confirmation
 * height, or no longer stored (pruned, and only cemented blocks are). */
static ledger_status send_cemented(ledger_store *s, const uint8_t send_hash[32], bool *out)
{
    uint8_t account[32];
    uint64_t height, conf;
    ledger_status r = ledger_store_source(s, send_hash, account, &height, &conf);
    *out = r == LEDGER_STATUS_NOT_FOUND || (r == LEDGER_STATUS_OK && height <= conf);
    return r == LEDGER_STATUS_NOT_FOUND ? LEDGER_STATUS_OK : r;
}

/* One receivable of dest appeared (add) or went (!add): its row in
 * receivable_totals follows, and goes with the last receivable. */
static ledger_status totals_change(ledger_store *s, const uint8_t dest[32], smn_amount_t amount,
                                   bool cemented, bool add)
{
    static const uint8_t zero[16];
    uint8_t be[16];
    smn_amount_to_be(amount, be);
    sqlite3_stmt *st = s->q[add ? Q_TOTAL_ADD : Q_TOTAL_SUB];
    bind32(st, 1, dest);
    sqlite3_bind_blob(st, 2, be, 16, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, cemented ? be : zero, 16, SQLITE_STATIC);
    if (add)
        return step_done(s, st, "add receivable total");
    int rc = sqlite3_step(st);
    sqlite3_int64 left = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(st); /* RETURNING: finishes the update */
    done(st);
    if (rc != SQLITE_DONE)
        return fail(s, "subtract receivable total");
    if (left < 0)
        return corrupt(s, "receivable_totals"); /* no row for a receivable */
    if (left > 0)
        return LEDGER_STATUS_OK;
    st = s->q[Q_TOTAL_DROP];
    bind32(st, 1, dest);
    return step_done(s, st, "drop receivable total");
}

ledger_status ledger_store_cemented_send(ledger_store *s, const uint8_t send_hash[32])
{
    ledger_receivable rv;
    ledger_status r = ledger_store_receivable(s, send_hash, &rv);
    if (r == LEDGER_STATUS_NOT_FOUND)
        return LEDGER_STATUS_OK; /* received already: it left the totals then */
    if (r != LEDGER_STATUS_OK)
        return r;
    uint8_t be[16];
    smn_amount_to_be(rv.amount, be);
    sqlite3_stmt *st = s->q[Q_TOTAL_CONFIRM];
    bind32(st, 1, rv.destination);
    sqlite3_bind_blob(st, 2, be, 16, SQLITE_STATIC);
    if ((r = step_done(s, st, "confirm receivable total")) != LEDGER_STATUS_OK)
        return r;
    return sqlite3_changes(s->db) == 1 ? LEDGER_STATUS_OK : corrupt(s, "receivable_totals");
}

/* ---- apply ---- */

static ledger_status need_tx(ledger_store *s)
{
    if (s->in_tx)
        return LEDGER_STATUS_OK;
    snprintf(s->err, sizeof s->err, "write outside a transaction");
    return LEDGER_STATUS_INVALID;
}

ledger_status ledger_store_apply(ledger_store *s, const smn_block *b, const uint8_t hash[32],
                                 const ledger_validation *v)
{
    ledger_status r = need_tx(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    uint8_t wire[SMN_BLOCK_WIRE_BYTES], amount[16], balance[16];
    smn_block_serialize(b, wire);
    smn_amount_to_be(v->amount, amount);
    smn_amount_to_be(b->balance, balance);

    sqlite3_stmt *st = s->q[Q_BLOCK_PUT];
    sqlite3_bind_int64(st, 1, (sqlite3_int64)v->height);
    sqlite3_bind_int(st, 2, (int)v->subtype);
    sqlite3_bind_blob(st, 3, wire, sizeof wire, SQLITE_STATIC);
    if ((r = step_done(s, st, "insert block")) != LEDGER_STATUS_OK)
        return r;

    st = s->q[Q_ACCOUNT_PUT];
    bind32(st, 1, b->account);
    bind32(st, 2, hash);
    bind32(st, 3, b->representative);
    sqlite3_bind_blob(st, 4, balance, 16, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)v->height);
    if ((r = step_done(s, st, "write account")) != LEDGER_STATUS_OK)
        return r;

    if (v->subtype == LEDGER_SUBTYPE_SEND) {
        st = s->q[Q_RECV_PUT];
        bind32(st, 1, hash);
        bind32(st, 2, b->link);
        bind32(st, 3, b->account);
        sqlite3_bind_blob(st, 4, amount, 16, SQLITE_STATIC);
        if ((r = step_done(s, st, "insert receivable")) != LEDGER_STATUS_OK)
            return r;
        /* a send being applied is never cemented yet */
        if ((r = totals_change(s, b->link, v->amount, false, true)) != LEDGER_STATUS_OK)
            return r;
    } else if (v->subtype == LEDGER_SUBTYPE_RECEIVE ||
               (v->subtype == LEDGER_SUBTYPE_OPEN && !smn_amount_is_zero(v->receivable.amount))) {
        /* (The genesis open has no receivable.) */
        bool cemented;
        if ((r = send_cemented(s, b->link, &cemented)) != LEDGER_STATUS_OK)
            return r;
        st = s->q[Q_RECV_DEL];
        bind32(st, 1, b->link);
        if ((r = step_done(s, st, "delete receivable")) != LEDGER_STATUS_OK)
            return r;
        if ((r = totals_change(s, b->account, v->amount, cemented, false)) != LEDGER_STATUS_OK)
            return r;
    }

    /* The account's whole balance follows its representative. */
    if (v->account_exists && (r = weight_adjust(s, v->before.representative, smn_amount_zero(),
                                                v->before.balance)) != LEDGER_STATUS_OK)
        return r;
    if ((r = weight_adjust(s, b->representative, b->balance, smn_amount_zero())) !=
        LEDGER_STATUS_OK)
        return r;
    s->pending.blocks++;
    return LEDGER_STATUS_OK;
}

/* ---- rollback ---- */

ledger_status ledger_store_unapply(ledger_store *s, const ledger_block_record *rec,
                                   const ledger_block_record *prev, const uint8_t source[32])
{
    ledger_status r = need_tx(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    const smn_block *b = &rec->block;
    ledger_account_info ai;
    if ((r = ledger_store_account(s, b->account, &ai)) != LEDGER_STATUS_OK)
        return r == LEDGER_STATUS_NOT_FOUND ? corrupt(s, "accounts") : r;
    if (memcmp(ai.frontier, rec->hash, 32) != 0 || ai.height != rec->height) {
        snprintf(s->err, sizeof s->err, "only an account's frontier can be rolled back");
        return LEDGER_STATUS_INVALID;
    }
    if (rec->height <= ai.conf_height) {
        snprintf(s->err, sizeof s->err, "refusing to roll back a cemented block");
        return LEDGER_STATUS_CEMENTED;
    }
    if ((rec->height == 1) != (prev == NULL) ||
        (prev && (prev->height + 1 != rec->height || memcmp(prev->hash, b->previous, 32) != 0))) {
        snprintf(s->err, sizeof s->err, "rollback: wrong previous block");
        return LEDGER_STATUS_INVALID;
    }
    ledger_receivable rv;
    if (rec->subtype == LEDGER_SUBTYPE_SEND) {
        r = ledger_store_receivable(s, rec->hash, &rv);
        if (r == LEDGER_STATUS_NOT_FOUND) {
            snprintf(s->err, sizeof s->err, "rollback of a received send: its receive goes first");
            return LEDGER_STATUS_INVALID;
        }
        if (r != LEDGER_STATUS_OK)
            return r;
    }

    sqlite3_stmt *st = s->q[Q_BLOCK_DEL];
    bind32(st, 1, rec->hash);
    if ((r = step_done(s, st, "delete block")) != LEDGER_STATUS_OK)
        return r;
    if (sqlite3_changes(s->db) != 1)
        return corrupt(s, "blocks");

    uint8_t balance[16], amount[16];
    if (prev) {
        smn_amount_to_be(prev->block.balance, balance);
        st = s->q[Q_ACCOUNT_PUT]; /* keeps conf_height */
        bind32(st, 1, b->account);
        bind32(st, 2, prev->hash);
        bind32(st, 3, prev->block.representative);
        sqlite3_bind_blob(st, 4, balance, 16, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)prev->height);
    } else {
        st = s->q[Q_ACCOUNT_DEL];
        bind32(st, 1, b->account);
    }
    if ((r = step_done(s, st, "write account")) != LEDGER_STATUS_OK)
        return r;

    if (rec->subtype == LEDGER_SUBTYPE_SEND) {
        st = s->q[Q_RECV_DEL];
        bind32(st, 1, rec->hash);
    } else if (rec->subtype == LEDGER_SUBTYPE_RECEIVE || rec->subtype == LEDGER_SUBTYPE_OPEN) {
        /* What it received is receivable again. */
        smn_amount_to_be(rec->amount, amount);
        st = s->q[Q_RECV_PUT];
        bind32(st, 1, b->link);
        bind32(st, 2, b->account);
        bind32(st, 3, source);
        sqlite3_bind_blob(st, 4, amount, 16, SQLITE_STATIC);
    } else {
        st = NULL;
    }
    if (st && (r = step_done(s, st, "write receivable")) != LEDGER_STATUS_OK)
        return r;
    if (rec->subtype == LEDGER_SUBTYPE_SEND) {
        /* only an unconfirmed send is rolled back (checked above) */
        if ((r = totals_change(s, rv.destination, rv.amount, false, false)) != LEDGER_STATUS_OK)
            return r;
    } else if (st) {
        bool cemented;
        if ((r = send_cemented(s, b->link, &cemented)) != LEDGER_STATUS_OK ||
            (r = totals_change(s, b->account, rec->amount, cemented, true)) != LEDGER_STATUS_OK)
            return r;
    }

    /* The inverse of apply: the balance leaves the block's representative
     * and returns to the previous block's. */
    if ((r = weight_adjust(s, b->representative, smn_amount_zero(), b->balance)) !=
        LEDGER_STATUS_OK)
        return r;
    if (prev && (r = weight_adjust(s, prev->block.representative, prev->block.balance,
                                   smn_amount_zero())) != LEDGER_STATUS_OK)
        return r;

    /* Blocks waiting in unchecked for this one build on a block that is
     * gone: they can never be valid. */
    if (s->unchecked_count) {
        st = s->q[Q_UNCHECKED_DROP_DEP];
        bind32(st, 1, rec->hash);
        if ((r = step_done(s, st, "drop unchecked")) != LEDGER_STATUS_OK)
            return r;
        size_t dropped = (size_t)sqlite3_changes(s->db);
        s->unchecked_count = dropped > s->unchecked_count ? 0 : s->unchecked_count - dropped;
    }
    s->pending_removed++;
    return LEDGER_STATUS_OK;
}

/* ---- unchecked ---- */

ledger_status ledger_store_unchecked_put(ledger_store *s, const smn_block *b,
                                         const uint8_t hash[32], const uint8_t dependency[32])
{
    ledger_status r = need_tx(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    uint8_t wire[SMN_BLOCK_WIRE_BYTES];
    smn_block_serialize(b, wire);
    sqlite3_stmt *st = s->q[Q_UNCHECKED_PUT];
    bind32(st, 1, hash);
    bind32(st, 2, dependency);
    sqlite3_bind_blob(st, 3, wire, sizeof wire, SQLITE_STATIC);
    if ((r = step_done(s, st, "insert unchecked")) != LEDGER_STATUS_OK)
        return r;
    if (sqlite3_changes(s->db) == 0)
        return LEDGER_STATUS_OK; /* already held */
    s->unchecked_count++;
    while (s->unchecked_count > s->unchecked_max) {
        if ((r = step_done(s, s->q[Q_UNCHECKED_DROP_OLDEST], "drop unchecked")) != LEDGER_STATUS_OK)
            return r;
        if (sqlite3_changes(s->db) == 0)
            break;
        s->unchecked_count--;
        s->unchecked_evicted++;
    }
    return LEDGER_STATUS_OK;
}

uint64_t ledger_store_unchecked_evicted(const ledger_store *s)
{
    return s->unchecked_evicted;
}

ledger_status ledger_store_unchecked_take(ledger_store *s, const uint8_t dependency[32],
                                          smn_block *out, size_t max, size_t *n)
{
    *n = 0;
    ledger_status r = need_tx(s);
    if (r != LEDGER_STATUS_OK || s->unchecked_count == 0)
        return r;
    sqlite3_int64 ids[64];
    size_t nids = 0;
    int rc = SQLITE_DONE;
    sqlite3_stmt *st = s->q[Q_UNCHECKED_BY_DEP];
    bind32(st, 1, dependency);
    while (*n < max && nids < 64 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        ids[nids++] = sqlite3_column_int64(st, 0);
        /* A row that fails to decode is dropped, not returned. */
        if (ledger_col_block(st, 1, &out[*n]))
            (*n)++;
    }
    if (*n < max && nids < 64 && rc != SQLITE_DONE) {
        done(st);
        return fail(s, "read unchecked");
    }
    done(st);
    for (size_t i = 0; i < nids; i++) {
        st = s->q[Q_UNCHECKED_DEL];
        sqlite3_bind_int64(st, 1, ids[i]);
        if ((r = step_done(s, st, "delete unchecked")) != LEDGER_STATUS_OK)
            return r;
        s->unchecked_count--;
    }
    return LEDGER_STATUS_OK;
}

ledger_status ledger_store_unchecked_clear(ledger_store *s, uint64_t *removed)
{
    *removed = 0;
    ledger_status r = need_tx(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    if ((r = step_done(s, s->q[Q_UNCHECKED_CLEAR], "clear unchecked")) != LEDGER_STATUS_OK)
        return r;
    *removed = (uint64_t)sqlite3_changes(s->db);
    s->unchecked_count = 0;
    return LEDGER_STATUS_OK;
}

size_t ledger_store_unchecked_count(const ledger_store *s)
{
    return s->unchecked_count;
}

/* ---- confirmation ---- */

ledger_status ledger_store_set_conf_height(ledger_store *s, const uint8_t account[32],
                                           uint64_t height)
{
    ledger_status r = need_tx(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    ledger_account_info ai;
    if ((r = ledger_store_account(s, account, &ai)) != LEDGER_STATUS_OK)
        return r;
    if (height > ai.height) {
        snprintf(s->err, sizeof s->err, "confirmation height above the chain");
        return LEDGER_STATUS_INVALID;
    }
    sqlite3_stmt *st = s->q[Q_CONF_SET];
    sqlite3_bind_int64(st, 1, (sqlite3_int64)height);
    bind32(st, 2, account);
    if ((r = step_done(s, st, "write confirmation height")) != LEDGER_STATUS_OK)
        return r;
    if (height > ai.conf_height) {
        /* Blocks above the confirmation height are never pruned, so every
         * newly cemented one is there to be logged. */
        st = s->q[Q_CEMENT_LOG];
        bind32(st, 1, account);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)ai.conf_height);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)height);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)s->seq);
        if ((r = step_done(s, st, "write cement log")) != LEDGER_STATUS_OK)
            return r;
        s->pending.cemented += height - ai.conf_height;
        s->seq += height - ai.conf_height;
        /* the newly cemented sends' receivables count as confirmed */
        const unsigned slot = LEDGER_CHAIN_CURSORS - 1;
        if ((r = ledger_store_chain_open(s, slot, account, ai.conf_height, height, NULL)) !=
            LEDGER_STATUS_OK)
            return r;
        ledger_block_record rec;
        int64_t row;
        while ((r = ledger_store_chain_next(s, slot, &rec, &row)) == LEDGER_STATUS_OK) {
            if (rec.subtype != LEDGER_SUBTYPE_SEND)
                continue;
            smn_block_hash(&rec.block, rec.hash);
            if ((r = ledger_store_cemented_send(s, rec.hash)) != LEDGER_STATUS_OK)
                break;
        }
        ledger_store_chain_close(s, slot);
        if (r != LEDGER_STATUS_NOT_FOUND)
            return r;
    }
    return LEDGER_STATUS_OK;
}

ledger_status ledger_store_cement_block(ledger_store *s, int64_t row, uint64_t *seq)
{
    ledger_status r = need_tx(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    if (s->cement_n == LEDGER_CEMENT_BATCH && (r = cement_flush(s)) != LEDGER_STATUS_OK)
        return r;
    s->cement_rows[s->cement_n++] = row;
    *seq = ++s->seq;
    s->pending.cemented++;
    return LEDGER_STATUS_OK;
}

ledger_status ledger_store_raise_conf_height(ledger_store *s, const uint8_t account[32],
                                             uint64_t height)
{
    ledger_status r = need_tx(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    sqlite3_stmt *st = s->q[Q_CONF_SET];
    sqlite3_bind_int64(st, 1, (sqlite3_int64)height);
    bind32(st, 2, account);
    if ((r = step_done(s, st, "write confirmation height")) != LEDGER_STATUS_OK)
        return r;
    return sqlite3_changes(s->db) == 1 ? LEDGER_STATUS_OK : corrupt(s, "accounts");
}

ledger_status ledger_store_cement_seq(ledger_store *s, uint64_t *seq)
{
    *seq = s->seq;
    return LEDGER_STATUS_OK;
}

/* ---- pruning ---- */

ledger_status ledger_store_prune_candidates(ledger_store *s, uint64_t keep, size_t scan,
                                            ledger_prune_candidate *out, size_t max, size_t *n,
                                            bool *wrapped)
{
    static const uint8_t zero[1] = {0};
    *n = 0;
    *wrapped = false;
    if (scan == 0 || max == 0)
        return LEDGER_STATUS_OK;
    sqlite3_stmt *st = s->q[Q_PRUNE_CANDIDATES];
    if (s->prune_next_set)
        bind32(st, 1, s->prune_next);
    else
        sqlite3_bind_blob(st, 1, zero, 0, SQLITE_STATIC); /* the empty blob sorts first */
    /* one row past the bound: where the next pass starts */
    sqlite3_bind_int64(st, 2, (sqlite3_int64)scan + 1);
    int rc;
    size_t looked = 0;
    ledger_status r = LEDGER_STATUS_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t account[32];
        if (!ledger_col_bytes(st, 0, account, 32)) {
            r = corrupt(s, "accounts");
            break;
        }
        if (looked == scan || *n == max) {
            memcpy(s->prune_next, account, 32);
            s->prune_next_set = true;
            break;
        }
        looked++;
        uint64_t conf = (uint64_t)sqlite3_column_int64(st, 1);
        uint64_t pruned = (uint64_t)sqlite3_column_int64(st, 2);
        if (conf > pruned && conf - pruned > keep) {
            ledger_prune_candidate *c = &out[(*n)++];
            memcpy(c->account, account, 32);
            c->conf_height = conf;
            c->pruned_height = pruned;
        }
    }
    if (r == LEDGER_STATUS_OK && rc == SQLITE_DONE) {
        /* past the last account: the next pass starts at the first */
        s->prune_next_set = false;
        *wrapped = true;
    } else if (r == LEDGER_STATUS_OK && rc != SQLITE_ROW) {
        r = fail(s, "prune candidates");
    }
    done(st);
    return r;
}

void ledger_store_prune_resume(ledger_store *s, const uint8_t account[32])
{
    memcpy(s->prune_next, account, 32);
    s->prune_next_set = true;
}

ledger_status ledger_store_pruned_height(ledger_store *s, const uint8_t account[32],
                                         uint64_t *height)
{
    sqlite3_stmt *st = s->q[Q_WATERMARK_GET];
    bind32(st, 1, account);
    int rc = sqlite3_step(st);
    *height = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    done(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? LEDGER_STATUS_OK : fail(s, "read watermark");
}

ledger_status ledger_store_prune_account(ledger_store *s, const uint8_t account[32], uint64_t up_to,
                                         uint64_t *removed)
{
    *removed = 0;
    ledger_status r = need_tx(s);
    if (r != LEDGER_STATUS_OK)
        return r;
    ledger_account_info ai;
    if ((r = ledger_store_account(s, account, &ai)) != LEDGER_STATUS_OK)
        return r;
    /* The frontier and every unconfirmed block stay, whatever the caller asks. */
    if (up_to >= ai.conf_height || up_to >= ai.height) {
        snprintf(s->err, sizeof s->err, "refusing to prune at or above the confirmation height");
        return LEDGER_STATUS_INVALID;
    }
    uint64_t cur;
    if ((r = ledger_store_pruned_height(s, account, &cur)) != LEDGER_STATUS_OK)
        return r;
    if (up_to <= cur)
        return LEDGER_STATUS_OK;
    sqlite3_stmt *st = s->q[Q_PRUNE_COPY];
    bind32(st, 1, account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)up_to);
    if ((r = step_done(s, st, "record pruned")) != LEDGER_STATUS_OK)
        return r;
    st = s->q[Q_PRUNE_KEEP_AMOUNT];
    bind32(st, 1, account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)up_to);
    if ((r = step_done(s, st, "keep amount")) != LEDGER_STATUS_OK)
        return r;
    st = s->q[Q_PRUNE_DELETE];
    bind32(st, 1, account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)up_to);
    if ((r = step_done(s, st, "delete pruned")) != LEDGER_STATUS_OK)
        return r;
    *removed = (uint64_t)sqlite3_changes(s->db);
    st = s->q[Q_WATERMARK_PUT];
    bind32(st, 1, account);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)up_to);
    if ((r = step_done(s, st, "write watermark")) != LEDGER_STATUS_OK)
        return r;
    s->pending.pruned += *removed;
    if (*removed)
        s->any_pruned = true;
    return LEDGER_STATUS_OK;
}

void ledger_store_counts(const ledger_store *s, ledger_counts *out)
{
    out->blocks = s->committed.blocks + s->pending.blocks - s->pending_removed;
    out->cemented = s->committed.cemented + s->pending.cemented;
    out->pruned = s->committed.pruned + s->pending.pruned;
    out->unchecked = s->unchecked_count;
}
