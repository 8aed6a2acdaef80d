/* Wallets in SQLite (DIR/wallets.db, WAL). A wallet is identified by 32
 * random bytes (shown as 64 hex digits) and holds:
 * - a seed from which account i's key is smn_key_from_seed(seed, i);
 * - ad-hoc private keys imported one by one (the dev demo wallet holds the
 *   dev genesis key this way);
 * - watch-only accounts (Nano's wallet_add_watch): listed with the others,
 *   their balances and history shown, but without a key: nothing is signed
 *   for them (WALLET_ERR_WATCH_ONLY) and auto-receive leaves them alone;
 * - a representative for the accounts it opens (all zero: unset).
 *
 * Encryption at rest: each wallet has a random 32-byte master key that seals
 * the seed and every ad-hoc key (wallet_crypto: secretbox). The master key
 * itself is sealed under Argon2id(password, per-wallet salt, limits stored
 * with the wallet), so changing the password rewrites one box. A wrong
 * password fails the box's MAC. The empty password is a password like any
 * other (the dev demo wallet uses it).
 *
 * Unlocking keeps the master key in guarded memory (sodium_malloc) inside
 * this handle only, until wallet_lock or wallet_store_close wipe it. Keys
 * handed out (wallet_keypair) are the caller's to wipe. Nothing here logs.
 *
 * A handle is not thread-safe; one handle per thread. */
#ifndef WALLET_STORE_H
#define WALLET_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/keys.h"
#include "procs/rpc/wallet_crypto.h"
#include "procs/rpc/wallet_status.h"

#define WALLET_ID_BYTES 32
#define WALLET_DB_NAME "wallets.db"

typedef struct wallet_store wallet_store;

/* Open (creating when !readonly) DIR/wallets.db. Read-only handles can list
 * and read public data and unlock, but not change anything; they get
 * WALLET_ERR_NOT_FOUND when the file does not exist. */
wallet_status wallet_store_open(const char *dir, bool readonly, wallet_store **out);
/* Wipes every unlocked key and closes the database. NULL is fine. */
void wallet_store_close(wallet_store *ws);
/* For the store's other tables (wallet_sends.c) only: the connection and
 * whether it is read-only. */
struct sqlite3;
struct sqlite3 *wallet_store_sqlite(wallet_store *ws);
bool wallet_store_readonly(const wallet_store *ws);
/* sqlite3_prepare_v2 on the store's connection: WALLET_OK or WALLET_ERR_DB. */
struct sqlite3_stmt;
wallet_status wallet_store_prepare(wallet_store *ws, const char *sql, struct sqlite3_stmt **st);

typedef struct {
    const char *password;          /* NULL means "" */
    wallet_kdf kdf;                /* wallet_kdf_interactive() unless testing */
    const uint8_t *seed;           /* 32 bytes to import, or NULL for a fresh random seed */
    const uint8_t *representative; /* 32 bytes, or NULL for unset */
} wallet_create_opts;

/* New wallet, left unlocked in this handle. Its accounts are created later
 * (wallet_account_create). */
wallet_status wallet_create(wallet_store *ws, const wallet_create_opts *o,
                            uint8_t id[WALLET_ID_BYTES]);
/* Delete a wallet and its accounts. */
wallet_status wallet_destroy(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES]);
/* All wallet ids in creation order; *ids is malloc'd (free it), NULL when
 * there are none. */
wallet_status wallet_list(wallet_store *ws, uint8_t (**ids)[WALLET_ID_BYTES], size_t *n);
/* The wallets holding the account's key (watch-only ones left out), in creation order (one indexed
 * query, prepared once per handle: auto-receive asks it for every send); *ids is malloc'd (free
 * it), NULL when there are none. */
wallet_status wallet_holders(wallet_store *ws, const uint8_t pub[32],
                             uint8_t (**ids)[WALLET_ID_BYTES], size_t *n);
/* WALLET_OK or WALLET_ERR_NOT_FOUND. */
wallet_status wallet_exists(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES]);

wallet_status wallet_unlock(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                            const char *password);
/* Forget the wallet's key in this handle (no-op when already locked). */
wallet_status wallet_lock(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES]);
bool wallet_is_unlocked(const wallet_store *ws, const uint8_t id[WALLET_ID_BYTES]);
/* Try `password` on every locked wallet; returns how many it unlocked (the
 * node does this with "" at start, as Nano does for password-less wallets). */
size_t wallet_unlock_all(wallet_store *ws, const char *password);
/* The same, skipping (left locked) every wallet whose stored limits cost
 * more than `max` (opslimit x memlimit): a caller on an event loop bounds
 * the work it does in one go. */
size_t wallet_unlock_all_upto(wallet_store *ws, const char *password, const wallet_kdf *max);
/* Requires the wallet unlocked; new salt, new limits, same master key. */
wallet_status wallet_change_password(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                     const char *new_password, const wallet_kdf *kdf);

/* ---- the same in steps, for a caller that runs Argon2id elsewhere (the
 * rpc process's KDF threads, kdf_pool.h): read or make the parameters on
 * the handle's thread, wallet_crypto_derive(password, params) on any
 * thread, then apply the key on the handle's thread. Each step is cheap. */
typedef struct {
    uint8_t salt[WALLET_SALT_BYTES];
    wallet_kdf kdf;
} wallet_kdf_params;

/* The wallet's stored salt and limits (the unlock key's parameters). */
wallet_status wallet_unlock_params(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                   wallet_kdf_params *out);
/* Unlocks with a key derived from `p`: WALLET_OK, WALLET_ERR_BAD_PASSWORD,
 * WALLET_ERR_CHANGED when the stored salt or limits are no longer `p` (the
 * password was changed meanwhile), or a store error. */
wallet_status wallet_unlock_with_key(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                     const wallet_kdf_params *p,
                                     const uint8_t key[WALLET_KEY_BYTES]);

/* A wallet made but not stored yet (id, master key, sealed seed; guarded
 * memory). */
typedef struct wallet_draft wallet_draft;
/* o->password is not used here; *params gets a fresh salt and o->kdf. */
wallet_status wallet_draft_new(const wallet_create_opts *o, wallet_draft **out,
                               wallet_kdf_params *params);
/* Stores the draft, its master key sealed under `key` (derived from the
 * params wallet_draft_new gave), left unlocked; id set. The draft stays the
 * caller's to free. */
wallet_status wallet_draft_commit(wallet_store *ws, const wallet_draft *d,
                                  const uint8_t key[WALLET_KEY_BYTES], uint8_t id[WALLET_ID_BYTES]);
/* Wipes and frees. NULL is fine. */
void wallet_draft_free(wallet_draft *d);

/* Fresh salt with `kdf` for a new password; WALLET_ERR_BAD_KDF if out of range. */
wallet_status wallet_password_params(const wallet_kdf *kdf, wallet_kdf_params *out);
/* Requires the wallet unlocked: the master key sealed under `key` (derived
 * from the new password and `p`) replaces the stored box, salt and limits. */
wallet_status wallet_change_password_with_key(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                              const wallet_kdf_params *p,
                                              const uint8_t key[WALLET_KEY_BYTES]);

/* Derive the next account (lowest unused index) from the seed; unlocked. */
wallet_status wallet_account_create(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                    uint8_t pub[32]);
/* Import an ad-hoc private key; unlocked. WALLET_ERR_EXISTS if present. */
wallet_status wallet_adhoc_insert(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                  const uint8_t priv[32], uint8_t pub[32]);
/* Add an account without its key (watch-only); unlocked, as Nano. WALLET_OK
 * also when the wallet holds it already (then it keeps its key). */
wallet_status wallet_watch_insert(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                  const uint8_t pub[32]);
/* Accounts in creation order (works locked); *pubs malloc'd, NULL if none. */
wallet_status wallet_accounts(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                              uint8_t (**pubs)[32], size_t *n);
/* WALLET_OK if the wallet holds the account, else ..._ACCOUNT_NOT_FOUND/NOT_FOUND. */
wallet_status wallet_contains(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                              const uint8_t pub[32]);
/* Remove an account from the wallet (its derivation index is not reused). */
wallet_status wallet_account_remove(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                    const uint8_t pub[32]);
/* The account's key pair; unlocked. The caller wipes it (smn_keypair_wipe).
 * WALLET_ERR_WATCH_ONLY for an account added without its key. */
wallet_status wallet_keypair(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                             const uint8_t pub[32], smn_keypair *out);
/* The seed, for backup; unlocked. The caller wipes it (sodium_memzero). */
wallet_status wallet_seed(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES], uint8_t seed[32]);
/* Replaces the seed (unlocked): the accounts derived from the old one leave
 * the wallet (ad-hoc keys stay) and derivation starts again at index 0. */
wallet_status wallet_change_seed(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                 const uint8_t seed[32]);

wallet_status wallet_representative(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                    uint8_t rep[32]);
wallet_status wallet_set_representative(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                        const uint8_t rep[32]);

#endif
