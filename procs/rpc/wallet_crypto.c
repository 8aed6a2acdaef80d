#include "procs/rpc/wallet_crypto.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#define KDF_MAX_OPS 16ull
#define KDF_MAX_MEM (1ull << 30)

_Static_assert(WALLET_SALT_BYTES == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(WALLET_BOX_BYTES == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 32,
               "box size");

wallet_kdf wallet_kdf_interactive(void)
{
    wallet_kdf k = {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
    return k;
}

wallet_kdf wallet_kdf_light(void)
{
    wallet_kdf k = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
    return k;
}

bool wallet_kdf_valid(const wallet_kdf *k)
{
    return k->opslimit >= crypto_pwhash_OPSLIMIT_MIN && k->opslimit <= KDF_MAX_OPS &&
           k->memlimit >= crypto_pwhash_MEMLIMIT_MIN && k->memlimit <= KDF_MAX_MEM;
}

int wallet_crypto_derive(const char *password, const uint8_t salt[WALLET_SALT_BYTES],
                         const wallet_kdf *kdf, uint8_t key[WALLET_KEY_BYTES])
{
    if (!password || !wallet_kdf_valid(kdf))
        return -EINVAL;
    if (crypto_pwhash(key, WALLET_KEY_BYTES, password, strlen(password), salt,
                      (unsigned long long)kdf->opslimit, (size_t)kdf->memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        sodium_memzero(key, WALLET_KEY_BYTES);
        return -ENOMEM;
    }
    return 0;
}

void wallet_crypto_seal(const uint8_t key[WALLET_KEY_BYTES], const uint8_t secret[32],
                        uint8_t box[WALLET_BOX_BYTES])
{
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, secret, 32, box, key);
}

int wallet_crypto_open(const uint8_t key[WALLET_KEY_BYTES], const uint8_t box[WALLET_BOX_BYTES],
                       uint8_t secret[32])
{
    if (crypto_secretbox_open_easy(secret, box + crypto_secretbox_NONCEBYTES,
                                   WALLET_BOX_BYTES - crypto_secretbox_NONCEBYTES, box, key) != 0) {
        sodium_memzero(secret, 32);
        return -EBADMSG;
    }
    return 0;
}
