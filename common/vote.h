/* Votes: a representative's signed statement that it approves up to 12 block
 * hashes, stamped with a timestamp (a per-representative sequence: a newer
 * vote replaces an older one) or with SMN_VOTE_FINAL, a final vote that
 * nothing replaces.
 *
 * Signed digest (32 bytes):
 *   Blake2b-256( "vote " (the 5 ASCII bytes 76 6F 74 65 20)
 *                || hash_1 || ... || hash_n   (32 bytes each, in vote order)
 *                || timestamp                 (8 bytes, big-endian) )
 * signature = Ed25519(representative private key, digest).
 *
 * Wire form (105 + 32*n bytes, n = 1..12):
 *   account[32] || signature[64] || timestamp u64 BE[8] || n u8[1] || hashes[32*n]
 */
#ifndef SMN_VOTE_H
#define SMN_VOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/keys.h"

#define SMN_VOTE_MAX_HASHES 12
#define SMN_VOTE_FINAL UINT64_MAX
#define SMN_VOTE_HEADER_BYTES 105
#define SMN_VOTE_MAX_BYTES (SMN_VOTE_HEADER_BYTES + 32 * SMN_VOTE_MAX_HASHES)

typedef struct {
    uint8_t account[32]; /* the representative */
    uint8_t signature[SMN_SIG_BYTES];
    uint64_t timestamp;
    uint8_t count; /* 1..SMN_VOTE_MAX_HASHES */
    uint8_t hashes[SMN_VOTE_MAX_HASHES][32];
} smn_vote;

typedef enum {
    SMN_VOTE_OK = 0,
    SMN_VOTE_SHORT,          /* fewer bytes than the header or than n hashes need */
    SMN_VOTE_LONG,           /* trailing bytes after the n hashes */
    SMN_VOTE_BAD_COUNT,      /* n is 0 or above 12 */
    SMN_VOTE_DUPLICATE_HASH, /* the same hash twice in one vote */
    SMN_VOTE_BAD_SIGNATURE,
} smn_vote_status;

/* Fill v with the key pair's account, timestamp and hashes, and sign it.
 * Returns SMN_VOTE_BAD_COUNT or SMN_VOTE_DUPLICATE_HASH (v then
 * unspecified) or SMN_VOTE_OK. */
smn_vote_status smn_vote_sign(smn_vote *v, const smn_keypair *kp, uint64_t timestamp,
                              const uint8_t (*hashes)[32], size_t n);
/* The 32-byte digest that is signed (see above). */
void smn_vote_digest(const smn_vote *v, uint8_t out[32]);
/* SMN_VOTE_OK when the count is valid, hashes are distinct and the
 * signature verifies against v->account; otherwise the first problem. */
smn_vote_status smn_vote_verify(const smn_vote *v);
bool smn_vote_is_final(const smn_vote *v);

/* Wire size of v (count must be valid). */
size_t smn_vote_wire_size(const smn_vote *v);
/* Write the wire form; returns the bytes written, or 0 when cap is too small
 * or v->count is invalid. */
size_t smn_vote_encode(const smn_vote *v, uint8_t *out, size_t cap);
/* Parse exactly len bytes. Checks lengths, count and distinct hashes; does
 * NOT check the signature (call smn_vote_verify). */
smn_vote_status smn_vote_decode(const uint8_t *in, size_t len, smn_vote *v);
const char *smn_vote_strerror(smn_vote_status st);

#endif
