/* State blocks: the only block type. */
#ifndef SMN_BLOCK_H
#define SMN_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "common/keys.h"

#define SMN_HASH_BYTES 32
/* account 32 + previous 32 + representative 32 + balance 16 + link 32
 * + signature 64 + work 8 (big-endian) */
#define SMN_BLOCK_WIRE_BYTES 216

typedef struct {
    uint8_t account[32];
    uint8_t previous[32]; /* all zero for an open block */
    uint8_t representative[32];
    smn_amount_t balance;
    uint8_t link[32]; /* destination (send), source hash (receive/open), zero (change) */
    uint8_t signature[SMN_SIG_BYTES];
    uint64_t work; /* the PoW nonce */
} smn_block;

typedef enum {
    SMN_BLOCK_OK = 0,
    SMN_BLOCK_SHORT,
    SMN_BLOCK_LONG,
} smn_block_status;

/* Blake2b-256(preamble[32] = 0..0,6 || account || previous || representative
 * || balance (16 BE) || link). */
void smn_block_hash(const smn_block *b, uint8_t out[SMN_HASH_BYTES]);
/* Root for PoW: previous, or account when previous is zero (open). */
const uint8_t *smn_block_root(const smn_block *b);
bool smn_block_is_open(const smn_block *b);
/* Writes b->signature: Ed25519 by kp over the block hash. Does not check
 * that kp->pub is b->account (callers that take a user's key should). */
void smn_block_sign(smn_block *b, const smn_keypair *kp);
/* True when b->signature is b->account's signature of the block hash. */
bool smn_block_verify_signature(const smn_block *b);
/* Canonical 216-byte wire form (layout in docs/protocol.md). */
void smn_block_serialize(const smn_block *b, uint8_t out[SMN_BLOCK_WIRE_BYTES]);
/* Exactly SMN_BLOCK_WIRE_BYTES or SHORT / LONG (b untouched then). Checks
 * framing only: signature, work and ledger rules are the caller's. */
smn_block_status smn_block_deserialize(const uint8_t *in, size_t len, smn_block *b);
const char *smn_block_strerror(smn_block_status st);
bool smn_is_zero32(const uint8_t v[32]);

#endif
