#include "procs/rpc/wallet_store.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/u128.h"

typedef struct {
    uint8_t id[WALLET_ID_BYTES];
    uint8_t master[WALLET_KEY_BYTES];
} unlocked_key; /* lives in sodium_malloc'd (guarded, locked) memory */

struct wallet_store {
    sqlite3 *db;
    bool readonly;
    unlocked_key **keys; /* sorted by id */
    size_t nkeys, capkeys;
    sqlite3_stmt *holders; /* wallet_holders' query, prepared once */
};

typedef struct {
    int64_t seq;
    uint8_t salt[WALLET_SALT_BYTES];
    wallet_kdf kdf;
    uint8_t master_box[WALLET_BOX_BYTES];
    uint8_t seed_box[WALLET_BOX_BYTES];
    uint8_t rep[32];
    int64_t next_index;
} wallet_row;

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS wallets("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id BLOB NOT NULL UNIQUE,"
    " kdf_salt BLOB NOT NULL, kdf_ops INTEGER NOT NULL, kdf_mem INTEGER NOT NULL,"
    " master_box BLOB NOT NULL,"
    " seed_box BLOB NOT NULL,"
    " representative BLOB NOT NULL,"
    " next_index INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS accounts("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " wallet INTEGER NOT NULL REFERENCES wallets(seq) ON DELETE CASCADE,"
    " pub BLOB NOT NULL,"
    " idx INTEGER,"  /* derivation index; NULL for an ad-hoc key */
    " key_box BLOB," /* ad-hoc key sealed under the master key; both NULL: watch-only */
    " UNIQUE(wallet, pub));"
    /* send `id`s (wallet_sends.h); IF NOT EXISTS adds it to older files */
    "CREATE TABLE IF NOT EXISTS send_ids("
    " wallet INTEGER NOT NULL REFERENCES wallets(seq) ON DELETE CASCADE,"
    " id TEXT NOT NULL,"
    " hash BLOB NOT NULL,"
    " block BLOB NOT NULL,"
    " PRIMARY KEY(wallet, id)) WITHOUT ROWID;"
    /* Nano's work cache (wallet_work.h); IF NOT EXISTS adds it to older files */
    "CREATE TABLE IF NOT EXISTS work_cache("
    " wallet INTEGER NOT NULL REFERENCES wallets(seq) ON DELETE CASCADE,"
    " pub BLOB NOT NULL,"
    " work INTEGER NOT NULL,"
    " PRIMARY KEY(wallet, pub)) WITHOUT ROWID;"
    /* wallet_holders: which wallets hold an account (every send seen) */
    "CREATE INDEX IF NOT EXISTS accounts_pub ON accounts(pub);"
    "PRAGMA user_version = 1;";

/* ---- unlocked keys ---- */

static size_t key_lb(const wallet_store *ws, const uint8_t id[WALLET_ID_BYTES])
{
    size_t lo = 0, hi = ws->nkeys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(ws->keys[mid]->id, id, WALLET_ID_BYTES) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const uint8_t *master_of(const wallet_store *ws, const uint8_t id[WALLET_ID_BYTES])
{
    size_t i = key_lb(ws, id);
    if (i < ws->nkeys && memcmp(ws->keys[i]->id, id, WALLET_ID_BYTES) == 0)
        return ws->keys[i]->master;
    return NULL;
}

static wallet_status remember_master(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                     const uint8_t master[WALLET_KEY_BYTES])
{
    size_t i = key_lb(ws, id);
    if (i < ws->nkeys && memcmp(ws->keys[i]->id, id, WALLET_ID_BYTES) == 0) {
        memcpy(ws->keys[i]->master, master, WALLET_KEY_BYTES);
        return WALLET_OK;
    }
    if (ws->nkeys == ws->capkeys) {
        size_t ncap = ws->capkeys ? ws->capkeys * 2 : 4;
        unlocked_key **nk = realloc(ws->keys, ncap * sizeof *nk);
        if (!nk)
            return WALLET_ERR_NOMEM;
        ws->keys = nk;
        ws->capkeys = ncap;
    }
    unlocked_key *k = sodium_malloc(sizeof *k);
    if (!k)
        return WALLET_ERR_NOMEM;
    memcpy(k->id, id, WALLET_ID_BYTES);
    memcpy(k->master, master, WALLET_KEY_BYTES);
    memmove(&ws->keys[i + 1], &ws->keys[i], (ws->nkeys - i) * sizeof *ws->keys);
    ws->keys[i] = k;
    ws->nkeys++;
    return WALLET_OK;
}

static void forget_master(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES])
{
    size_t i = key_lb(ws, id);
    if (i < ws->nkeys && memcmp(ws->keys[i]->id, id, WALLET_ID_BYTES) == 0) {
        sodium_free(ws->keys[i]); /* wipes */
        memmove(&ws->keys[i], &ws->keys[i + 1], (ws->nkeys - i - 1) * sizeof *ws->keys);
        ws->nkeys--;
    }
}

/* ---- database helpers ---- */

static wallet_status exec(wallet_store *ws, const char *sql)
{
    return sqlite3_exec(ws->db, sql, NULL, NULL, NULL) == SQLITE_OK ? WALLET_OK : WALLET_ERR_DB;
}

static bool copy_blob(sqlite3_stmt *st, int col, uint8_t *out, size_t len)
{
    if (sqlite3_column_type(st, col) != SQLITE_BLOB || (size_t)sqlite3_column_bytes(st, col) != len)
        return false;
    memcpy(out, sqlite3_column_blob(st, col), len);
    return true;
}

static wallet_status load_row(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES], wallet_row *r)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db,
                           "SELECT seq, kdf_salt, kdf_ops, kdf_mem, master_box, seed_box,"
                           " representative, next_index FROM wallets WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_blob(st, 1, id, WALLET_ID_BYTES, SQLITE_STATIC);
    wallet_status res;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        res = WALLET_ERR_NOT_FOUND;
    } else if (rc != SQLITE_ROW) {
        res = WALLET_ERR_DB;
    } else {
        r->seq = sqlite3_column_int64(st, 0);
        sqlite3_int64 ops = sqlite3_column_int64(st, 2), mem = sqlite3_column_int64(st, 3);
        r->kdf.opslimit = ops > 0 ? (uint64_t)ops : 0;
        r->kdf.memlimit = mem > 0 ? (uint64_t)mem : 0;
        r->next_index = sqlite3_column_int64(st, 7);
        if (!copy_blob(st, 1, r->salt, sizeof r->salt) ||
            !copy_blob(st, 4, r->master_box, sizeof r->master_box) ||
            !copy_blob(st, 5, r->seed_box, sizeof r->seed_box) ||
            !copy_blob(st, 6, r->rep, sizeof r->rep) || r->next_index < 0 ||
            r->next_index > (int64_t)UINT32_MAX + 1)
            res = WALLET_ERR_CORRUPT;
        else if (!wallet_kdf_valid(&r->kdf))
            res = WALLET_ERR_BAD_KDF;
        else
            res = WALLET_OK;
    }
    sqlite3_finalize(st);
    return res;
}

/* ---- open / close ---- */

wallet_status wallet_store_open(const char *dir, bool readonly, wallet_store **out)
{
    *out = NULL;
    if (!dir)
        return WALLET_ERR_BAD_ARGUMENT;
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, WALLET_DB_NAME);
    if (n < 0 || (size_t)n >= sizeof path)
        return WALLET_ERR_BAD_ARGUMENT;
    wallet_store *ws = calloc(1, sizeof *ws);
    if (!ws)
        return WALLET_ERR_NOMEM;
    ws->readonly = readonly;
    int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path, &ws->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        wallet_status res =
            (readonly && rc == SQLITE_CANTOPEN) ? WALLET_ERR_NOT_FOUND : WALLET_ERR_DB;
        wallet_store_close(ws);
        return res;
    }
    sqlite3_busy_timeout(ws->db, 5000);
    wallet_status res = exec(ws, "PRAGMA foreign_keys = ON;");
    if (res == WALLET_OK && !readonly) {
        res = exec(ws, "PRAGMA journal_mode = WAL;");
        if (res == WALLET_OK)
            res = exec(ws, schema);
    }
    if (res == WALLET_OK) {
        /* Fails on a file that is not a wallet DB of ours. */
        res = exec(ws, "SELECT seq, id, next_index FROM wallets LIMIT 0;"
                       "SELECT seq, wallet, pub, idx, key_box FROM accounts LIMIT 0;");
        if (res != WALLET_OK)
            res = WALLET_ERR_CORRUPT;
    }
    if (res != WALLET_OK) {
        wallet_store_close(ws);
        return res;
    }
    *out = ws;
    return WALLET_OK;
}

sqlite3 *wallet_store_sqlite(wallet_store *ws)
{
    return ws->db;
}

wallet_status wallet_store_prepare(wallet_store *ws, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v2(ws->db, sql, -1, st, NULL) == SQLITE_OK ? WALLET_OK : WALLET_ERR_DB;
}

bool wallet_store_readonly(const wallet_store *ws)
{
    return ws->readonly;
}

void wallet_store_close(wallet_store *ws)
{
    if (!ws)
        return;
    for (size_t i = 0; i < ws->nkeys; i++)
        sodium_free(ws->keys[i]);
    free(ws->keys);
    sqlite3_finalize(ws->holders);
    if (ws->db)
        sqlite3_close(ws->db);
    free(ws);
}

/* ---- wallets ---- */

struct wallet_draft {
    uint8_t id[WALLET_ID_BYTES];
    uint8_t master[WALLET_KEY_BYTES];
    uint8_t seed_box[WALLET_BOX_BYTES];
    uint8_t rep[32];
    wallet_kdf_params params;
}; /* sodium_malloc'd */

wallet_status wallet_password_params(const wallet_kdf *kdf, wallet_kdf_params *out)
{
    if (!kdf || !wallet_kdf_valid(kdf))
        return WALLET_ERR_BAD_KDF;
    randombytes_buf(out->salt, sizeof out->salt);
    out->kdf = *kdf;
    return WALLET_OK;
}

/* Argon2id on this thread: for the synchronous forms below. */
static wallet_status derive(const char *password, const wallet_kdf_params *p,
                            uint8_t key[WALLET_KEY_BYTES])
{
    int rc = wallet_crypto_derive(password ? password : "", p->salt, &p->kdf, key);
    if (rc != 0)
        return rc == -EINVAL ? WALLET_ERR_BAD_KDF : WALLET_ERR_NOMEM;
    return WALLET_OK;
}

wallet_status wallet_draft_new(const wallet_create_opts *o, wallet_draft **out,
                               wallet_kdf_params *params)
{
    *out = NULL;
    if (!o)
        return WALLET_ERR_BAD_KDF;
    wallet_kdf_params p;
    wallet_status res = wallet_password_params(&o->kdf, &p);
    if (res != WALLET_OK)
        return res;
    wallet_draft *d = sodium_malloc(sizeof *d);
    if (!d)
        return WALLET_ERR_NOMEM;
    memset(d, 0, sizeof *d);
    uint8_t seed[32];
    randombytes_buf(d->id, sizeof d->id);
    randombytes_buf(d->master, sizeof d->master);
    if (o->seed)
        memcpy(seed, o->seed, 32);
    else
        randombytes_buf(seed, sizeof seed);
    if (o->representative)
        memcpy(d->rep, o->representative, 32);
    wallet_crypto_seal(d->master, seed, d->seed_box);
    sodium_memzero(seed, sizeof seed);
    d->params = p;
    *params = p;
    *out = d;
    return WALLET_OK;
}

void wallet_draft_free(wallet_draft *d)
{
    if (d)
        sodium_free(d); /* wipes */
}

wallet_status wallet_draft_commit(wallet_store *ws, const wallet_draft *d,
                                  const uint8_t key[WALLET_KEY_BYTES], uint8_t id[WALLET_ID_BYTES])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    uint8_t master_box[WALLET_BOX_BYTES];
    wallet_crypto_seal(key, d->master, master_box);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db,
                           "INSERT INTO wallets(id, kdf_salt, kdf_ops, kdf_mem, master_box,"
                           " seed_box, representative) VALUES(?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_blob(st, 1, d->id, sizeof d->id, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, d->params.salt, sizeof d->params.salt, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)d->params.kdf.opslimit);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)d->params.kdf.memlimit);
    sqlite3_bind_blob(st, 5, master_box, sizeof master_box, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, d->seed_box, sizeof d->seed_box, SQLITE_STATIC);
    sqlite3_bind_blob(st, 7, d->rep, sizeof d->rep, SQLITE_STATIC);
    wallet_status res = sqlite3_step(st) == SQLITE_DONE ? WALLET_OK : WALLET_ERR_DB;
    sqlite3_finalize(st);
    if (res == WALLET_OK)
        res = remember_master(ws, d->id, d->master);
    if (res == WALLET_OK)
        memcpy(id, d->id, WALLET_ID_BYTES);
    return res;
}

wallet_status wallet_create(wallet_store *ws, const wallet_create_opts *o,
                            uint8_t id[WALLET_ID_BYTES])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    wallet_draft *d;
    wallet_kdf_params p;
    wallet_status res = wallet_draft_new(o, &d, &p);
    if (res != WALLET_OK)
        return res;
    uint8_t key[WALLET_KEY_BYTES];
    res = derive(o->password, &p, key);
    if (res == WALLET_OK)
        res = wallet_draft_commit(ws, d, key, id);
    sodium_memzero(key, sizeof key);
    wallet_draft_free(d);
    return res;
}

wallet_status wallet_destroy(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, "DELETE FROM wallets WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_blob(st, 1, id, WALLET_ID_BYTES, SQLITE_STATIC);
    wallet_status res = sqlite3_step(st) == SQLITE_DONE ? WALLET_OK : WALLET_ERR_DB;
    sqlite3_finalize(st);
    if (res == WALLET_OK && sqlite3_changes(ws->db) == 0)
        res = WALLET_ERR_NOT_FOUND;
    forget_master(ws, id);
    return res;
}

/* Collect 32-byte blobs of column 0 from a prepared statement. */
static wallet_status collect32(sqlite3_stmt *st, uint8_t (**out)[32], size_t *n)
{
    uint8_t(*v)[32] = NULL;
    size_t len = 0, cap = 0;
    wallet_status res = WALLET_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            uint8_t(*nv)[32] = realloc(v, ncap * 32);
            if (!nv) {
                res = WALLET_ERR_NOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        if (!copy_blob(st, 0, v[len], 32)) {
            res = WALLET_ERR_CORRUPT;
            break;
        }
        len++;
    }
    if (res == WALLET_OK && rc != SQLITE_DONE)
        res = WALLET_ERR_DB;
    if (res != WALLET_OK) {
        free(v);
        v = NULL;
        len = 0;
    }
    *out = v;
    *n = len;
    return res;
}

wallet_status wallet_list(wallet_store *ws, uint8_t (**ids)[WALLET_ID_BYTES], size_t *n)
{
    sqlite3_stmt *st;
    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(ws->db, "SELECT id FROM wallets ORDER BY seq", -1, &st, NULL) !=
        SQLITE_OK)
        return WALLET_ERR_DB;
    wallet_status res = collect32(st, ids, n);
    sqlite3_finalize(st);
    return res;
}

wallet_status wallet_holders(wallet_store *ws, const uint8_t pub[32],
                             uint8_t (**ids)[WALLET_ID_BYTES], size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (!ws->holders &&
        sqlite3_prepare_v3(ws->db,
                           "SELECT w.id FROM accounts a JOIN wallets w ON w.seq = a.wallet"
                           " WHERE a.pub = ? AND (a.idx IS NOT NULL OR a.key_box IS NOT NULL)"
                           " ORDER BY w.seq",
                           -1, SQLITE_PREPARE_PERSISTENT, &ws->holders, NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_blob(ws->holders, 1, pub, 32, SQLITE_STATIC);
    wallet_status res = collect32(ws->holders, ids, n);
    sqlite3_reset(ws->holders);
    sqlite3_clear_bindings(ws->holders);
    return res;
}

wallet_status wallet_exists(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES])
{
    wallet_row r;
    wallet_status res = load_row(ws, id, &r);
    return res == WALLET_ERR_BAD_KDF ? WALLET_ERR_CORRUPT : res;
}

wallet_status wallet_unlock_params(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                   wallet_kdf_params *out)
{
    wallet_row r;
    wallet_status res = load_row(ws, id, &r);
    if (res != WALLET_OK)
        return res;
    memcpy(out->salt, r.salt, sizeof out->salt);
    out->kdf = r.kdf;
    return WALLET_OK;
}

wallet_status wallet_unlock_with_key(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                     const wallet_kdf_params *p,
                                     const uint8_t key[WALLET_KEY_BYTES])
{
    wallet_row r;
    wallet_status res = load_row(ws, id, &r);
    if (res != WALLET_OK)
        return res;
    if (memcmp(r.salt, p->salt, sizeof r.salt) != 0 || r.kdf.opslimit != p->kdf.opslimit ||
        r.kdf.memlimit != p->kdf.memlimit)
        return WALLET_ERR_CHANGED;
    uint8_t master[WALLET_KEY_BYTES];
    if (wallet_crypto_open(key, r.master_box, master) != 0)
        res = WALLET_ERR_BAD_PASSWORD;
    else
        res = remember_master(ws, id, master);
    sodium_memzero(master, sizeof master);
    return res;
}

wallet_status wallet_unlock(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                            const char *password)
{
    wallet_kdf_params p;
    wallet_status res = wallet_unlock_params(ws, id, &p);
    if (res != WALLET_OK)
        return res;
    uint8_t key[WALLET_KEY_BYTES];
    res = derive(password, &p, key);
    if (res == WALLET_OK)
        res = wallet_unlock_with_key(ws, id, &p, key);
    sodium_memzero(key, sizeof key);
    return res;
}

wallet_status wallet_lock(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES])
{
    wallet_row r;
    wallet_status res = load_row(ws, id, &r);
    forget_master(ws, id);
    /* A row we cannot use still exists: locking it is fine. */
    return (res == WALLET_ERR_NOT_FOUND || res == WALLET_ERR_DB) ? res : WALLET_OK;
}

bool wallet_is_unlocked(const wallet_store *ws, const uint8_t id[WALLET_ID_BYTES])
{
    return master_of(ws, id) != NULL;
}

size_t wallet_unlock_all_upto(wallet_store *ws, const char *password, const wallet_kdf *max)
{
    uint8_t(*ids)[WALLET_ID_BYTES];
    size_t n, done = 0;
    if (wallet_list(ws, &ids, &n) != WALLET_OK)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (wallet_is_unlocked(ws, ids[i]))
            continue;
        wallet_kdf_params p;
        if (max && (wallet_unlock_params(ws, ids[i], &p) != WALLET_OK ||
                    smn_u128_gt(smn_u128_mul_64x64(p.kdf.opslimit, p.kdf.memlimit),
                                smn_u128_mul_64x64(max->opslimit, max->memlimit))))
            continue;
        if (wallet_unlock(ws, ids[i], password) == WALLET_OK)
            done++;
    }
    free(ids);
    return done;
}

size_t wallet_unlock_all(wallet_store *ws, const char *password)
{
    return wallet_unlock_all_upto(ws, password, NULL);
}

wallet_status wallet_change_password_with_key(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                              const wallet_kdf_params *p,
                                              const uint8_t key[WALLET_KEY_BYTES])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    if (!wallet_kdf_valid(&p->kdf))
        return WALLET_ERR_BAD_KDF;
    wallet_row r;
    wallet_status res = load_row(ws, id, &r);
    if (res != WALLET_OK)
        return res;
    const uint8_t *master = master_of(ws, id);
    if (!master)
        return WALLET_ERR_LOCKED;
    uint8_t box[WALLET_BOX_BYTES];
    wallet_crypto_seal(key, master, box);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db,
                           "UPDATE wallets SET kdf_salt = ?, kdf_ops = ?, kdf_mem = ?,"
                           " master_box = ? WHERE seq = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_blob(st, 1, p->salt, sizeof p->salt, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)p->kdf.opslimit);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)p->kdf.memlimit);
    sqlite3_bind_blob(st, 4, box, sizeof box, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, r.seq);
    res = sqlite3_step(st) == SQLITE_DONE ? WALLET_OK : WALLET_ERR_DB;
    sqlite3_finalize(st);
    return res;
}

wallet_status wallet_change_password(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                     const char *new_password, const wallet_kdf *kdf)
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    wallet_kdf_params p;
    wallet_status res = wallet_password_params(kdf, &p);
    if (res != WALLET_OK)
        return res;
    /* Checked before the expensive part, as the stepwise callers do. */
    wallet_row r;
    res = load_row(ws, id, &r);
    if (res != WALLET_OK)
        return res;
    if (!master_of(ws, id))
        return WALLET_ERR_LOCKED;
    uint8_t key[WALLET_KEY_BYTES];
    res = derive(new_password, &p, key);
    if (res == WALLET_OK)
        res = wallet_change_password_with_key(ws, id, &p, key);
    sodium_memzero(key, sizeof key);
    return res;
}

/* ---- accounts ---- */

/* Load the row and require it unlocked; *master points into the handle. */
static wallet_status unlocked_row(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                  wallet_row *r, const uint8_t **master)
{
    wallet_status res = load_row(ws, id, r);
    if (res != WALLET_OK)
        return res;
    *master = master_of(ws, id);
    return *master ? WALLET_OK : WALLET_ERR_LOCKED;
}

static wallet_status account_present(wallet_store *ws, int64_t wallet_seq, const uint8_t pub[32])
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, "SELECT 1 FROM accounts WHERE wallet = ? AND pub = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_int64(st, 1, wallet_seq);
    sqlite3_bind_blob(st, 2, pub, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return WALLET_OK;
    return rc == SQLITE_DONE ? WALLET_ERR_ACCOUNT_NOT_FOUND : WALLET_ERR_DB;
}

static wallet_status account_insert(wallet_store *ws, int64_t wallet_seq, const uint8_t pub[32],
                                    int64_t idx, const uint8_t *key_box)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db,
                           "INSERT INTO accounts(wallet, pub, idx, key_box)"
                           " VALUES(?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_int64(st, 1, wallet_seq);
    sqlite3_bind_blob(st, 2, pub, 32, SQLITE_STATIC);
    if (key_box) {
        sqlite3_bind_null(st, 3);
        sqlite3_bind_blob(st, 4, key_box, WALLET_BOX_BYTES, SQLITE_STATIC);
    } else if (idx >= 0) {
        sqlite3_bind_int64(st, 3, idx);
        sqlite3_bind_null(st, 4);
    } else { /* watch-only */
        sqlite3_bind_null(st, 3);
        sqlite3_bind_null(st, 4);
    }
    wallet_status res = sqlite3_step(st) == SQLITE_DONE ? WALLET_OK : WALLET_ERR_DB;
    sqlite3_finalize(st);
    return res;
}

wallet_status wallet_account_create(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                    uint8_t pub[32])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    if (exec(ws, "BEGIN IMMEDIATE") != WALLET_OK)
        return WALLET_ERR_DB;
    wallet_row r;
    const uint8_t *master;
    uint8_t seed[32];
    smn_keypair kp;
    wallet_status res = unlocked_row(ws, id, &r, &master);
    if (res != WALLET_OK)
        goto rollback;
    if (wallet_crypto_open(master, r.seed_box, seed) != 0) {
        res = WALLET_ERR_CORRUPT;
        goto rollback;
    }
    int64_t idx = r.next_index;
    for (;; idx++) {
        if (idx > (int64_t)UINT32_MAX) {
            res = WALLET_ERR_INDEX_EXHAUSTED;
            break;
        }
        smn_key_from_seed(seed, (uint32_t)idx, &kp);
        res = account_present(ws, r.seq, kp.pub);
        if (res == WALLET_OK)
            continue; /* already imported as an ad-hoc key: skip the index */
        if (res == WALLET_ERR_ACCOUNT_NOT_FOUND)
            res = account_insert(ws, r.seq, kp.pub, idx, NULL);
        break;
    }
    sodium_memzero(seed, sizeof seed);
    if (res != WALLET_OK)
        goto rollback;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, "UPDATE wallets SET next_index = ? WHERE seq = ?", -1, &st,
                           NULL) != SQLITE_OK) {
        res = WALLET_ERR_DB;
        goto rollback;
    }
    sqlite3_bind_int64(st, 1, idx + 1);
    sqlite3_bind_int64(st, 2, r.seq);
    res = sqlite3_step(st) == SQLITE_DONE ? WALLET_OK : WALLET_ERR_DB;
    sqlite3_finalize(st);
    if (res != WALLET_OK || exec(ws, "COMMIT") != WALLET_OK) {
        res = res != WALLET_OK ? res : WALLET_ERR_DB;
        goto rollback;
    }
    memcpy(pub, kp.pub, 32);
    smn_keypair_wipe(&kp);
    return WALLET_OK;
rollback:
    smn_keypair_wipe(&kp);
    exec(ws, "ROLLBACK");
    return res;
}

wallet_status wallet_adhoc_insert(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                  const uint8_t priv[32], uint8_t pub[32])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    wallet_row r;
    const uint8_t *master;
    wallet_status res = unlocked_row(ws, id, &r, &master);
    if (res != WALLET_OK)
        return res;
    smn_keypair kp;
    smn_key_expand(priv, &kp);
    res = account_present(ws, r.seq, kp.pub);
    if (res == WALLET_OK) {
        res = WALLET_ERR_EXISTS;
    } else if (res == WALLET_ERR_ACCOUNT_NOT_FOUND) {
        uint8_t box[WALLET_BOX_BYTES];
        wallet_crypto_seal(master, kp.priv, box);
        res = account_insert(ws, r.seq, kp.pub, 0, box);
        if (res == WALLET_OK && pub)
            memcpy(pub, kp.pub, 32);
    }
    smn_keypair_wipe(&kp);
    return res;
}

wallet_status wallet_watch_insert(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                  const uint8_t pub[32])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    wallet_row r;
    const uint8_t *master;
    wallet_status res = unlocked_row(ws, id, &r, &master);
    if (res != WALLET_OK)
        return res;
    res = account_present(ws, r.seq, pub);
    if (res == WALLET_OK)
        return WALLET_OK; /* already there, with or without its key */
    if (res != WALLET_ERR_ACCOUNT_NOT_FOUND)
        return res;
    return account_insert(ws, r.seq, pub, -1, NULL);
}

wallet_status wallet_accounts(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                              uint8_t (**pubs)[32], size_t *n)
{
    *pubs = NULL;
    *n = 0;
    wallet_row r;
    wallet_status res = load_row(ws, id, &r);
    if (res != WALLET_OK)
        return res;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, "SELECT pub FROM accounts WHERE wallet = ? ORDER BY seq", -1,
                           &st, NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_int64(st, 1, r.seq);
    res = collect32(st, pubs, n);
    sqlite3_finalize(st);
    return res;
}

wallet_status wallet_contains(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                              const uint8_t pub[32])
{
    wallet_row r;
    wallet_status res = load_row(ws, id, &r);
    if (res != WALLET_OK)
        return res;
    return account_present(ws, r.seq, pub);
}

wallet_status wallet_account_remove(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                    const uint8_t pub[32])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    wallet_row r;
    wallet_status res = load_row(ws, id, &r);
    if (res != WALLET_OK)
        return res;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, "DELETE FROM accounts WHERE wallet = ? AND pub = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_int64(st, 1, r.seq);
    sqlite3_bind_blob(st, 2, pub, 32, SQLITE_STATIC);
    res = sqlite3_step(st) == SQLITE_DONE ? WALLET_OK : WALLET_ERR_DB;
    sqlite3_finalize(st);
    if (res == WALLET_OK && sqlite3_changes(ws->db) == 0)
        res = WALLET_ERR_ACCOUNT_NOT_FOUND;
    return res;
}

wallet_status wallet_keypair(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                             const uint8_t pub[32], smn_keypair *out)
{
    wallet_row r;
    const uint8_t *master;
    wallet_status res = unlocked_row(ws, id, &r, &master);
    if (res != WALLET_OK)
        return res;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, "SELECT idx, key_box FROM accounts WHERE wallet = ? AND pub = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_int64(st, 1, r.seq);
    sqlite3_bind_blob(st, 2, pub, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    uint8_t secret[32];
    smn_keypair kp;
    memset(&kp, 0, sizeof kp);
    if (rc == SQLITE_DONE) {
        res = WALLET_ERR_ACCOUNT_NOT_FOUND;
    } else if (rc != SQLITE_ROW) {
        res = WALLET_ERR_DB;
    } else if (sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
        sqlite3_int64 idx = sqlite3_column_int64(st, 0);
        if (idx < 0 || idx > (sqlite3_int64)UINT32_MAX ||
            wallet_crypto_open(master, r.seed_box, secret) != 0) {
            res = WALLET_ERR_CORRUPT;
        } else {
            smn_key_from_seed(secret, (uint32_t)idx, &kp);
            res = WALLET_OK;
        }
    } else if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
        res = WALLET_ERR_WATCH_ONLY;
    } else {
        uint8_t box[WALLET_BOX_BYTES];
        if (!copy_blob(st, 1, box, sizeof box) || wallet_crypto_open(master, box, secret) != 0) {
            res = WALLET_ERR_CORRUPT;
        } else {
            smn_key_expand(secret, &kp);
            res = WALLET_OK;
        }
    }
    sqlite3_finalize(st);
    sodium_memzero(secret, sizeof secret);
    if (res == WALLET_OK && memcmp(kp.pub, pub, 32) != 0)
        res = WALLET_ERR_CORRUPT; /* the row's key does not belong to its account */
    if (res == WALLET_OK)
        *out = kp;
    smn_keypair_wipe(&kp);
    return res;
}

wallet_status wallet_seed(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES], uint8_t seed[32])
{
    wallet_row r;
    const uint8_t *master;
    wallet_status res = unlocked_row(ws, id, &r, &master);
    if (res != WALLET_OK)
        return res;
    return wallet_crypto_open(master, r.seed_box, seed) == 0 ? WALLET_OK : WALLET_ERR_CORRUPT;
}

/* Runs sql (binding ?1 = blob, ?2 = wallet seq; blob may be NULL: only
 * the seq, as ?1) inside the caller's transaction. */
static wallet_status exec_seq(wallet_store *ws, const char *sql, const uint8_t *blob,
                              size_t bloblen, int64_t seq)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    int i = 1;
    if (blob)
        sqlite3_bind_blob(st, i++, blob, (int)bloblen, SQLITE_STATIC);
    sqlite3_bind_int64(st, i, seq);
    wallet_status res = sqlite3_step(st) == SQLITE_DONE ? WALLET_OK : WALLET_ERR_DB;
    sqlite3_finalize(st);
    return res;
}

wallet_status wallet_change_seed(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                 const uint8_t seed[32])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    if (exec(ws, "BEGIN IMMEDIATE") != WALLET_OK)
        return WALLET_ERR_DB;
    wallet_row r;
    const uint8_t *master;
    wallet_status res = unlocked_row(ws, id, &r, &master);
    uint8_t box[WALLET_BOX_BYTES];
    if (res == WALLET_OK) {
        wallet_crypto_seal(master, seed, box);
        res = exec_seq(ws, "UPDATE wallets SET seed_box = ?, next_index = 0 WHERE seq = ?", box,
                       sizeof box, r.seq);
    }
    if (res == WALLET_OK)
        res = exec_seq(ws, "DELETE FROM accounts WHERE wallet = ? AND idx IS NOT NULL", NULL, 0,
                       r.seq);
    if (res == WALLET_OK && exec(ws, "COMMIT") == WALLET_OK)
        return WALLET_OK;
    exec(ws, "ROLLBACK");
    return res != WALLET_OK ? res : WALLET_ERR_DB;
}

wallet_status wallet_representative(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                    uint8_t rep[32])
{
    wallet_row r;
    wallet_status res = load_row(ws, id, &r);
    if (res == WALLET_OK)
        memcpy(rep, r.rep, 32);
    return res;
}

wallet_status wallet_set_representative(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                        const uint8_t rep[32])
{
    if (ws->readonly)
        return WALLET_ERR_READONLY;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, "UPDATE wallets SET representative = ? WHERE id = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return WALLET_ERR_DB;
    sqlite3_bind_blob(st, 1, rep, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, id, WALLET_ID_BYTES, SQLITE_STATIC);
    wallet_status res = sqlite3_step(st) == SQLITE_DONE ? WALLET_OK : WALLET_ERR_DB;
    sqlite3_finalize(st);
    if (res == WALLET_OK && sqlite3_changes(ws->db) == 0)
        res = WALLET_ERR_NOT_FOUND;
    return res;
}
