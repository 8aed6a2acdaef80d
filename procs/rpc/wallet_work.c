/* The wallet work cache in wallets.db; see wallet_work.h. */
#include "procs/rpc/wallet_work.h"

#include <sqlite3.h>
#include <string.h>

/* SQLite integers are signed 64-bit: the work's bits are stored as they are. */
static uint64_t from_col(sqlite3_int64 v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static sqlite3_int64 to_col(uint64_t u)
{
    sqlite3_int64 v;
    memcpy(&v, &u, sizeof v);
    return v;
}

wallet_status wallet_work_get(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                              const uint8_t account[32], uint64_t *work)
{
    *work = 0;
    sqlite3_stmt *st;
    wallet_status res =
        wallet_store_prepare(ws,
                             "SELECT c.work FROM work_cache c JOIN wallets w ON w.seq = c.wallet"
                             " WHERE w.id = ? AND c.pub = ?",
                             &st);
    if (res != WALLET_OK)
        return res;
    sqlite3_bind_blob(st, 1, wallet, WALLET_ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, account, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *work = from_col(sqlite3_column_int64(st, 0));
    else if (rc != SQLITE_DONE)
        res = WALLET_ERR_DB;
    sqlite3_finalize(st);
    return res;
}

wallet_status wallet_work_put(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                              const uint8_t account[32], uint64_t work)
{
    if (wallet_store_readonly(ws))
        return WALLET_ERR_READONLY;
    sqlite3_stmt *st;
    wallet_status res = wallet_store_prepare(ws,
                                             "INSERT OR REPLACE INTO work_cache (wallet, pub, work)"
                                             " SELECT seq, ?, ? FROM wallets WHERE id = ?",
                                             &st);
    if (res != WALLET_OK)
        return res;
    sqlite3_bind_blob(st, 1, account, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, to_col(work));
    sqlite3_bind_blob(st, 3, wallet, WALLET_ID_BYTES, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        res = sqlite3_changes(wallet_store_sqlite(ws)) == 1 ? WALLET_OK : WALLET_ERR_NOT_FOUND;
    else
        res = WALLET_ERR_DB;
    sqlite3_finalize(st);
    return res;
}

wallet_status wallet_work_find(wallet_store *ws, const uint8_t account[32],
                               bool (*fn)(void *user, uint64_t work), void *user, uint64_t *found,
                               bool *ok)
{
    *ok = false;
    sqlite3_stmt *st;
    wallet_status res =
        wallet_store_prepare(ws, "SELECT work FROM work_cache WHERE pub = ? ORDER BY wallet", &st);
    if (res != WALLET_OK)
        return res;
    sqlite3_bind_blob(st, 1, account, 32, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t w = from_col(sqlite3_column_int64(st, 0));
        if (fn(user, w)) {
            *found = w;
            *ok = true;
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        res = WALLET_ERR_DB;
    sqlite3_finalize(st);
    return res;
}
