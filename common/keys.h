/* Ed25519 keys (libsodium) and Nano-style deterministic derivation. */
#ifndef SMN_KEYS_H
#define SMN_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMN_KEY_BYTES 32
#define SMN_SIG_BYTES 64

typedef struct {
    uint8_t priv[SMN_KEY_BYTES]; /* the 32-byte Ed25519 seed ("private key") */
    uint8_t pub[SMN_KEY_BYTES];
} smn_keypair;

/* Must be called once per process before any other crypto call; 0 or -1. */
int smn_crypto_init(void);
/* Fresh random key pair. */
void smn_key_create(smn_keypair *kp);
/* Public key from a 32-byte private key. */
void smn_key_expand(const uint8_t priv[SMN_KEY_BYTES], smn_keypair *kp);
/* Private key of index i = Blake2b-256(seed || i as u32 big-endian). */
void smn_key_from_seed(const uint8_t seed[32], uint32_t index, smn_keypair *kp);
/* Ed25519 over an arbitrary message. kp must come from smn_key_create,
 * smn_key_expand or smn_key_from_seed (its pub must match its priv). */
void smn_sign(const smn_keypair *kp, const uint8_t *msg, size_t len, uint8_t sig[SMN_SIG_BYTES]);
bool smn_verify(const uint8_t pub[SMN_KEY_BYTES], const uint8_t *msg, size_t len,
                const uint8_t sig[SMN_SIG_BYTES]);
/* Wipe secret material (sodium_memzero). */
void smn_keypair_wipe(smn_keypair *kp);

#endif
