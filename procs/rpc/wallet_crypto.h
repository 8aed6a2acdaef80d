/* Secrets at rest. A password becomes a 32-byte key with Argon2id
 * (crypto_pwhash, per-wallet salt and limits); 32-byte secrets are sealed
 * with crypto_secretbox (XSalsa20-Poly1305) under a fresh random nonce.
 * A box is nonce[24] || MAC[16] || ciphertext[32]. */
#ifndef WALLET_CRYPTO_H
#define WALLET_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WALLET_SALT_BYTES 16 /* crypto_pwhash_SALTBYTES */
#define WALLET_KEY_BYTES 32
#define WALLET_BOX_BYTES (24 + 16 + 32)

typedef struct {
    uint64_t opslimit;
    uint64_t memlimit; /* bytes */
} wallet_kdf;

/* crypto_pwhash_OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE (2 passes, 64 MiB). */
wallet_kdf wallet_kdf_interactive(void);
/* The smallest limits libsodium accepts: for tests only, they protect nothing. */
wallet_kdf wallet_kdf_light(void);
/* Within libsodium's minimum and our ceiling (16 passes, 1 GiB): limits read
 * back from a database are checked before any work is done with them. */
bool wallet_kdf_valid(const wallet_kdf *k);

/* Argon2id(password) -> key. Returns 0, -EINVAL (limits invalid) or
 * -ENOMEM (Argon2 could not allocate). */
int wallet_crypto_derive(const char *password, const uint8_t salt[WALLET_SALT_BYTES],
                         const wallet_kdf *kdf, uint8_t key[WALLET_KEY_BYTES]);
/* Seal a 32-byte secret. */
void wallet_crypto_seal(const uint8_t key[WALLET_KEY_BYTES], const uint8_t secret[32],
                        uint8_t box[WALLET_BOX_BYTES]);
/* Open a box; 0, or -EBADMSG when the key is wrong or the box was altered
 * (secret then zeroed). */
int wallet_crypto_open(const uint8_t key[WALLET_KEY_BYTES], const uint8_t box[WALLET_BOX_BYTES],
                       uint8_t secret[32]);

#endif
