/* send ids in wallets.db; see wallet_sends.h. */
#include "procs/rpc/wallet_sends.h"

#include <sqlite3.h>
#include <string.h>

static bool id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    return n > 0 && n <= WALLET_SEND_ID_MAX;
}

wallet_status wallet_send_id_get(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                                 const char *id, smn_block *out)
{
    if (!id_ok(id))
        return WALLET_ERR_BAD_ARGUMENT;
    sqlite3_stmt *st;
    wallet_status res =
        wallet_store_prepare(ws,
                             "SELECT s.block FROM send_ids s JOIN wallets w ON w.seq = s.wallet"
                             " WHERE w.id = ? AND s.id = ?",
                             &st);
    if (res != WALLET_OK)
        return res;
    sqlite3_bind_blob(st, 1, wallet, WALLET_ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        res = WALLET_ERR_NOT_FOUND;
    } else if (rc != SQLITE_ROW) {
        res = WALLET_ERR_DB;
    } else if (sqlite3_column_type(st, 0) != SQLITE_BLOB ||
               sqlite3_column_bytes(st, 0) != SMN_BLOCK_WIRE_BYTES ||
               smn_block_deserialize(sqlite3_column_blob(st, 0), SMN_BLOCK_WIRE_BYTES, out) !=
                   SMN_BLOCK_OK) {
        res = WALLET_ERR_CORRUPT;
    }
    sqlite3_finalize(st);
    return res;
}

wallet_status wallet_send_id_put(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                                 const char *id, const smn_block *b)
{
    if (!id_ok(id))
        return WALLET_ERR_BAD_ARGUMENT;
    if (wallet_store_readonly(ws))
        return WALLET_ERR_READONLY;
    uint8_t wire[SMN_BLOCK_WIRE_BYTES], hash[32];
    smn_block_serialize(b, wire);
    smn_block_hash(b, hash);
    sqlite3_stmt *st;
    wallet_status res = wallet_store_prepare(ws,
                                             "INSERT INTO send_ids (wallet, id, hash, block)"
                                             " SELECT seq, ?, ?, ? FROM wallets WHERE id = ?",
                                             &st);
    if (res != WALLET_OK)
        return res;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, wire, sizeof wire, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, wallet, WALLET_ID_BYTES, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        res = sqlite3_changes(wallet_store_sqlite(ws)) == 1 ? WALLET_OK : WALLET_ERR_NOT_FOUND;
    else
        res = (rc & 0xff) == SQLITE_CONSTRAINT ? WALLET_ERR_EXISTS : WALLET_ERR_DB;
    sqlite3_finalize(st);
    return res;
}

wallet_status wallet_send_id_forget(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                                    const char *id)
{
    if (!id_ok(id))
        return WALLET_ERR_BAD_ARGUMENT;
    if (wallet_store_readonly(ws))
        return WALLET_ERR_READONLY;
    sqlite3_stmt *st;
    wallet_status res = wallet_store_prepare(ws,
                                             "DELETE FROM send_ids WHERE id = ?"
                                             " AND wallet = (SELECT seq FROM wallets WHERE id = ?)",
                                             &st);
    if (res != WALLET_OK)
        return res;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, wallet, WALLET_ID_BYTES, SQLITE_STATIC);
    res = sqlite3_step(st) == SQLITE_DONE ? WALLET_OK : WALLET_ERR_DB;
    sqlite3_finalize(st);
    return res;
}
