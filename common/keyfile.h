/* Representative key files: a node's voting keys, encrypted at rest the way
 * wallets are (Argon2id from the operator's password, then XSalsa20-Poly1305
 * secretbox), in a file of their own so the process that votes (elections)
 * needs neither the wallets nor their passwords.
 *
 * Layout (all integers big-endian):
 *   magic "SMNREPK1"            8 bytes
 *   opslimit  u32, memlimit u32  Argon2id cost (memlimit in KiB)
 *   salt                         16 bytes (crypto_pwhash_SALTBYTES)
 *   nonce                        24 bytes
 *   n                            u8, 1..SMN_KEYFILE_MAX_KEYS
 *   box                          secretbox of n private keys (32 bytes each)
 * The file must not be readable by group or others (mode 0600 or stricter).
 * Nothing here logs; the password and the keys are wiped after use. */
#ifndef SMN_KEYFILE_H
#define SMN_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/keys.h"

#define SMN_KEYFILE_MAX_KEYS 16u

typedef enum {
    SMN_KEYFILE_OK = 0,
    SMN_KEYFILE_NOT_FOUND,   /* no such file */
    SMN_KEYFILE_IO,          /* cannot read or write it (errno-level failure) */
    SMN_KEYFILE_PERMISSIONS, /* readable by group or others */
    SMN_KEYFILE_MALFORMED,   /* not a key file, truncated, or bad limits */
    SMN_KEYFILE_WRONG_PASSWORD,
    SMN_KEYFILE_INVALID, /* bad arguments: no keys, too many, weak or huge limits */
    SMN_KEYFILE_NOMEM,
} smn_keyfile_status;

typedef struct {
    uint32_t opslimit;
    uint32_t memlimit_kib;
} smn_keyfile_kdf;

/* Argon2id's "interactive" limits (about 0.1–0.3 s here), and the minimum
 * (tests only). */
smn_keyfile_kdf smn_keyfile_kdf_interactive(void);
smn_keyfile_kdf smn_keyfile_kdf_min(void);

/* Write n key pairs (1..SMN_KEYFILE_MAX_KEYS) to path, mode 0600, through a
 * temp file and rename (the old file stays whole on failure). */
smn_keyfile_status smn_keyfile_write(const char *path, const smn_keypair *keys, size_t n,
                                     const char *password, smn_keyfile_kdf kdf);
/* Read and decrypt: keys[0..*n) (the caller wipes them, smn_keypair_wipe). */
smn_keyfile_status smn_keyfile_read(const char *path, const char *password,
                                    smn_keypair keys[SMN_KEYFILE_MAX_KEYS], size_t *n);
/* The password in a file: its first line, without the newline; "" for an
 * empty file. 0, or -errno (-EFBIG beyond cap - 1 bytes). */
int smn_keyfile_read_password(const char *path, char *out, size_t cap);
const char *smn_keyfile_strerror(smn_keyfile_status st);

#endif
