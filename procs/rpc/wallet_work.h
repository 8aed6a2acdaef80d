/* Nano's wallet work cache: one proof-of-work value per (wallet, account)
 * in wallets.db (table work_cache, deleted with its wallet). work_set
 * stores what a client computed; the wallet uses it for that account's
 * next block when it is valid for the block's root at the difficulty the
 * block needs, instead of searching (actions_work.c). */
#ifndef WALLET_WORK_H
#define WALLET_WORK_H

#include <stdbool.h>
#include <stdint.h>

#include "procs/rpc/wallet_store.h"

/* The cached work of the account in the wallet: WALLET_OK (*work set; 0
 * when nothing is cached, as Nano answers), WALLET_ERR_DB. The caller has
 * checked that the wallet holds the account. */
wallet_status wallet_work_get(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                              const uint8_t account[32], uint64_t *work);
/* Stores (replaces) it: WALLET_OK, WALLET_ERR_NOT_FOUND (no such wallet),
 * WALLET_ERR_READONLY, WALLET_ERR_DB. */
wallet_status wallet_work_put(wallet_store *ws, const uint8_t wallet[WALLET_ID_BYTES],
                              const uint8_t account[32], uint64_t work);
/* Calls fn for each value cached for the account in any wallet (at most
 * one a wallet), until fn returns true; *found then holds that value.
 * WALLET_OK whether or not one was found, WALLET_ERR_DB. */
wallet_status wallet_work_find(wallet_store *ws, const uint8_t account[32],
                               bool (*fn)(void *user, uint64_t work), void *user, uint64_t *found,
                               bool *ok);

#endif
