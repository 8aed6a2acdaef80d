/* Test helpers; see helpers.h. */
#include "tests/ledger/helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/work.h"
#include "ipc/ledgerdb/schema.h"

const smn_network *tl_dev(void)
{
    return smn_network_get(SMN_NET_DEV);
}

void tl_tmpdir(char out[256])
{
    snprintf(out, 256, "/tmp/smn-ledger-test-XXXXXX");
    if (!mkdtemp(out)) {
        perror("mkdtemp");
        abort();
    }
}

void tl_cleanup(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

void tl_dbpath(const char *dir, char out[300])
{
    snprintf(out, 300, "%s/%s", dir, LEDGER_DB_FILENAME);
}

static void sql_or_die(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "tl_export_old_schema: %s: %s\n", sql, msg ? msg : "?");
        abort();
    }
}

void tl_export_old_schema(const char *src, const char *dst, int version)
{
    sqlite3 *db;
    char err[256], sql[400];
    if (sqlite3_open(dst, &db) != SQLITE_OK ||
        ledger_schema_functions(db, err, sizeof err) != LEDGER_STATUS_OK)
        abort();
    sql_or_die(db, "BEGIN");
    if (ledger_schema_create_version(db, tl_dev(), version, err, sizeof err) != LEDGER_STATUS_OK) {
        fprintf(stderr, "tl_export_old_schema: %s\n", err);
        abort();
    }
    snprintf(sql, sizeof sql, "ATTACH '%s' AS cur", src);
    sql_or_die(db, sql);
    /* Every version before 6 stores each block's hash and amount (the
     * current one derives them). */
    sql_or_die(db, "CREATE TEMP VIEW cur_blocks AS SELECT b.id, b.hash, b.account, b.height,"
                   "  b.subtype, COALESCE(b.amount, smn_block_amount(b.block, (SELECT p.block"
                   "  FROM cur.blocks p WHERE p.account = b.account AND p.height = b.height - 1)))"
                   "  AS amount, b.block, b.local_timestamp FROM cur.blocks b;");
    sql_or_die(db,
               "INSERT OR REPLACE INTO meta SELECT * FROM cur.meta WHERE key != 'schema_version';"
               "INSERT INTO accounts SELECT * FROM cur.accounts;"
               "INSERT INTO receivables SELECT * FROM cur.receivables;"
               "INSERT INTO rep_weights SELECT * FROM cur.rep_weights;"
               "INSERT INTO unchecked SELECT * FROM cur.unchecked;"
               "INSERT INTO prune_watermarks SELECT * FROM cur.prune_watermarks;");
    if (version < 4) {
        /* Versions 1 to 3 share every table but the log and these columns. */
        sql_or_die(db, "INSERT INTO blocks (id, hash, account, height, subtype, amount, block)"
                       "  SELECT id, hash, account, height, subtype, amount, block FROM cur_blocks;"
                       "INSERT INTO pruned_blocks (hash) SELECT hash FROM cur.pruned_blocks;");
        if (version == 3)
            sql_or_die(db, "UPDATE blocks SET local_timestamp = (SELECT c.local_timestamp FROM"
                           "  cur_blocks c WHERE c.id = blocks.id)");
        if (version >= 2)
            sql_or_die(db,
                       "INSERT INTO cement_log (seq, hash) SELECT c.seq, COALESCE(b.hash, c.hash,"
                       "  (SELECT p.hash FROM cur.pruned_blocks p WHERE p.id = c.block))"
                       "  FROM cur.cement_log c LEFT JOIN cur_blocks b ON b.id = c.block;");
    } else {
        /* Version 4: the block's hash and amount stored, the account
         * virtual; the log by row id. */
        sql_or_die(db,
                   "INSERT INTO blocks (id, hash, height, subtype, amount, block,"
                   "  local_timestamp) SELECT id, hash, height, subtype, amount, block,"
                   "  local_timestamp FROM cur_blocks;"
                   "INSERT INTO pruned_blocks (hash, id) SELECT hash, id FROM cur.pruned_blocks;"
                   "INSERT INTO cement_log (seq, block, hash) SELECT seq, block, hash"
                   "  FROM cur.cement_log;");
    }
    sql_or_die(db, "DROP VIEW cur_blocks; COMMIT; DETACH cur");
    sqlite3_close(db);
}

static void totals_mismatch(const char *what, const uint8_t dest[32])
{
    fprintf(stderr, "tl_check_receivable_totals: %s for destination %02x%02x%02x%02x...\n", what,
            dest[0], dest[1], dest[2], dest[3]);
    abort();
}

static smn_amount_t col_amount16(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) != SQLITE_BLOB || sqlite3_column_bytes(st, i) != 16) {
        fprintf(stderr, "tl_check_receivable_totals: an amount is not 16 bytes\n");
        abort();
    }
    return smn_amount_from_be(sqlite3_column_blob(st, i));
}

/* The next destination's brute-force figures from the ordered scan bf
 * (positioned on its first row, rc its last step); false at the end. */
static bool brute_next(sqlite3_stmt *bf, int *rc, uint8_t dest[32], int64_t *count,
                       smn_amount_t *sum, smn_amount_t *csum, tl_receivable_stats *st)
{
    if (*rc != SQLITE_ROW)
        return false;
    memcpy(dest, sqlite3_column_blob(bf, 0), 32);
    *count = 0;
    *sum = *csum = smn_amount_zero();
    while (*rc == SQLITE_ROW && memcmp(sqlite3_column_blob(bf, 0), dest, 32) == 0) {
        smn_amount_t a = col_amount16(bf, 1);
        (*count)++;
        if (!smn_amount_add(*sum, a, sum))
            totals_mismatch("brute-force sum overflows", dest);
        if (sqlite3_column_int(bf, 2)) {
            (void)smn_amount_add(*csum, a, csum);
            st->cemented++;
        } else {
            st->unconfirmed++;
        }
        *rc = sqlite3_step(bf);
    }
    st->destinations++;
    return true;
}

void tl_check_receivable_totals(const char *path, tl_receivable_stats *out)
{
    sqlite3 *db;
    sqlite3_stmt *bf, *tt;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        ledger_schema_functions(db, NULL, 0) != LEDGER_STATUS_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT r.destination, r.amount, (b.id IS NULL OR b.height <= "
                           "a.conf_height) FROM receivables r LEFT JOIN blocks b ON b.hash = "
                           "r.send_hash LEFT JOIN accounts a ON a.account = b.account "
                           "ORDER BY r.destination",
                           -1, &bf, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT destination, count, sum, confirmed_sum FROM "
                           "receivable_totals ORDER BY destination",
                           -1, &tt, NULL) != SQLITE_OK) {
        fprintf(stderr, "tl_check_receivable_totals: %s\n", sqlite3_errmsg(db));
        abort();
    }
    tl_receivable_stats st = {0};
    int rc = sqlite3_step(bf);
    uint8_t dest[32];
    int64_t count;
    smn_amount_t sum, csum;
    while (brute_next(bf, &rc, dest, &count, &sum, &csum, &st)) {
        if (sqlite3_step(tt) != SQLITE_ROW)
            totals_mismatch("no totals row", dest);
        if (sqlite3_column_bytes(tt, 0) != 32 || memcmp(sqlite3_column_blob(tt, 0), dest, 32) != 0)
            totals_mismatch("a totals row of another destination before", dest);
        if (sqlite3_column_int64(tt, 1) != count)
            totals_mismatch("wrong count", dest);
        if (!smn_amount_eq(col_amount16(tt, 2), sum))
            totals_mismatch("wrong sum", dest);
        if (!smn_amount_eq(col_amount16(tt, 3), csum))
            totals_mismatch("wrong confirmed sum", dest);
    }
    if (rc != SQLITE_DONE || sqlite3_step(tt) != SQLITE_DONE) {
        fprintf(stderr, "tl_check_receivable_totals: a totals row with no receivable (or %s)\n",
                sqlite3_errmsg(db));
        abort();
    }
    sqlite3_finalize(bf);
    sqlite3_finalize(tt);
    sqlite3_close(db);
    if (out)
        *out = st;
}

ledger_store *tl_open(const char *dir, const ledger_store_config *cfg)
{
    char path[300], err[256];
    tl_dbpath(dir, path);
    ledger_store *s = NULL;
    ledger_status st = ledger_store_open(path, tl_dev(), cfg, &s, err, sizeof err);
    if (st != LEDGER_STATUS_OK) {
        fprintf(stderr, "ledger_store_open: %s\n", err);
        abort();
    }
    return s;
}

void tl_key(uint32_t i, smn_keypair *kp)
{
    static const uint8_t seed[32] = {0x5e, 0xed, 0x1e, 0xd6, 0xe4};
    smn_key_from_seed(seed, i, kp);
}

void tl_genesis(tl_account *a)
{
    const smn_network *net = tl_dev();
    memset(a, 0, sizeof *a);
    smn_key_expand(smn_network_dev_genesis_key(), &a->kp);
    smn_block_hash(&net->genesis, a->frontier);
    memcpy(a->rep, net->genesis.representative, 32);
    a->balance = net->genesis.balance;
    a->height = 1;
}

void tl_account_new(tl_account *a, uint32_t key_index)
{
    memset(a, 0, sizeof *a);
    tl_key(key_index, &a->kp);
    memcpy(a->rep, a->kp.pub, 32);
}

void tl_hash(const smn_block *b, uint8_t out[32])
{
    smn_block_hash(b, out);
}

smn_amount_t tl_smn(uint64_t whole)
{
    return smn_amount_mul_wrap(smn_amount_one_smn(), smn_amount_from_u64(whole));
}

void tl_build(smn_block *b, const smn_keypair *kp, const uint8_t previous[32],
              const uint8_t rep[32], smn_amount_t balance, const uint8_t link[32],
              uint64_t threshold)
{
    memset(b, 0, sizeof *b);
    memcpy(b->account, kp->pub, 32);
    memcpy(b->previous, previous, 32);
    memcpy(b->representative, rep, 32);
    b->balance = balance;
    memcpy(b->link, link, 32);
    smn_block_sign(b, kp);
    b->work = 0;
    if (threshold && smn_work_generate(smn_block_root(b), threshold, 1, NULL, &b->work) != 0)
        abort();
}

void tl_work_between(smn_block *b, uint64_t low, uint64_t high)
{
    const uint8_t *root = smn_block_root(b);
    for (uint64_t n = 1;; n++) {
        uint64_t v = smn_work_value(root, n);
        if (v >= low && v < high) {
            b->work = n;
            return;
        }
    }
}

static void advance(tl_account *a, const smn_block *b)
{
    tl_hash(b, a->frontier);
    a->balance = b->balance;
    memcpy(a->rep, b->representative, 32);
    a->height++;
}

void tl_send(tl_account *from, const uint8_t to[32], smn_amount_t amount, smn_block *out)
{
    tl_build(out, &from->kp, from->frontier, from->rep, smn_amount_sub_wrap(from->balance, amount),
             to, tl_dev()->work_send);
    advance(from, out);
}

void tl_receive(tl_account *to, const uint8_t send_hash[32], smn_amount_t amount, smn_block *out)
{
    tl_build(out, &to->kp, to->frontier, to->rep, smn_amount_add_wrap(to->balance, amount),
             send_hash, tl_dev()->work_receive);
    advance(to, out);
}

void tl_change(tl_account *a, const uint8_t rep[32], smn_block *out)
{
    static const uint8_t zero[32];
    tl_build(out, &a->kp, a->frontier, rep, a->balance, zero, tl_dev()->work_send);
    advance(a, out);
}

ledger_result tl_process1(ledger_processor *p, const smn_block *b)
{
    ledger_result r = LEDGER_ERROR;
    if (ledger_processor_process(p, b, 1, &r) != LEDGER_STATUS_OK)
        return LEDGER_ERROR;
    return r;
}

void tl_pairs_workload(size_t n, smn_block *out)
{
    tl_account g;
    tl_genesis(&g);
    for (size_t i = 0; i + 1 < n; i += 2) {
        tl_account a;
        tl_account_new(&a, (uint32_t)(5000 + i / 2));
        smn_amount_t amount = smn_amount_add_wrap(tl_smn(1), smn_amount_from_u64((uint64_t)i));
        tl_send(&g, a.kp.pub, amount, &out[i]);
        uint8_t h[32];
        tl_hash(&out[i], h);
        tl_receive(&a, h, amount, &out[i + 1]);
    }
}
