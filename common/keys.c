/* Ed25519 keys through libsodium; Nano-style deterministic derivation. */
#include "common/keys.h"

#include <sodium.h>
#include <string.h>

int smn_crypto_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void smn_key_expand(const uint8_t priv[SMN_KEY_BYTES], smn_keypair *kp)
{
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    uint8_t pub[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_seed_keypair(pub, sk, priv);
    /* priv and kp->priv may alias: copy after use. */
    memmove(kp->priv, priv, SMN_KEY_BYTES);
    memcpy(kp->pub, pub, SMN_KEY_BYTES);
    sodium_memzero(sk, sizeof sk);
}

void smn_key_create(smn_keypair *kp)
{
    uint8_t priv[SMN_KEY_BYTES];
    randombytes_buf(priv, sizeof priv);
    smn_key_expand(priv, kp);
    sodium_memzero(priv, sizeof priv);
}

void smn_key_from_seed(const uint8_t seed[32], uint32_t index, smn_keypair *kp)
{
    uint8_t in[36], priv[SMN_KEY_BYTES];
    memcpy(in, seed, 32);
    in[32] = (uint8_t)(index >> 24);
    in[33] = (uint8_t)(index >> 16);
    in[34] = (uint8_t)(index >> 8);
    in[35] = (uint8_t)index;
    crypto_generichash(priv, sizeof priv, in, sizeof in, NULL, 0);
    smn_key_expand(priv, kp);
    sodium_memzero(in, sizeof in);
    sodium_memzero(priv, sizeof priv);
}

void smn_sign(const smn_keypair *kp, const uint8_t *msg, size_t len, uint8_t sig[SMN_SIG_BYTES])
{
    /* libsodium's 64-byte secret key is seed || public key; building it from
     * the pair we already hold avoids re-deriving the public key per call. */
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    memcpy(sk, kp->priv, 32);
    memcpy(sk + 32, kp->pub, 32);
    crypto_sign_detached(sig, NULL, msg, len, sk);
    sodium_memzero(sk, sizeof sk);
}

bool smn_verify(const uint8_t pub[SMN_KEY_BYTES], const uint8_t *msg, size_t len,
                const uint8_t sig[SMN_SIG_BYTES])
{
    return crypto_sign_verify_detached(sig, msg, len, pub) == 0;
}

void smn_keypair_wipe(smn_keypair *kp)
{
    sodium_memzero(kp, sizeof *kp);
}
