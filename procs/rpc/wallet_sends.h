/* Nano's `send` with an `id`: the id a client gave a send, mapped to the
 * block the wallet built for it, in wallets.db (table send_ids, one row per
 * wallet and id, deleted with the wallet). A retried request with the same
 * id gets the same block back, across restarts of rpc and of the node,
 * instead of paying twice. */
#ifndef WALLET_SENDS_H
#define WALLET_SENDS_H

#include <stddef.h>

#include "common/block.h"
#include "procs/rpc/wallet_store.h"

/* Longest id accepted (bytes). */
#define WALLET_SEND_ID_MAX 128u

/* The block recorded for (wallet, id): WALLET_OK, WALLET_ERR_NOT_FOUND (no
 * such id, or no such wallet), WALLET_ERR_CORRUPT or WALLET_ERR_DB. */
wallet_status wallet_send_id_get(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                                 const char *id, smn_block *out);
/* Records b for (wallet, id) in one statement (its own transaction):
 * WALLET_OK, WALLET_ERR_EXISTS when the id is taken, WALLET_ERR_NOT_FOUND
 * for an unknown wallet, WALLET_ERR_BAD_ARGUMENT for an empty or too long
 * id, WALLET_ERR_READONLY, WALLET_ERR_DB. */
wallet_status wallet_send_id_put(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                                 const char *id, const smn_block *b);
/* Forgets (wallet, id) (a block the ledger refused for good); WALLET_OK
 * also when there was nothing to forget. */
wallet_status wallet_send_id_forget(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                                    const char *id);

#endif
