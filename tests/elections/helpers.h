/* Shared fixtures for the elections tests: deterministic keys and blocks. */
#ifndef TESTS_ELECTIONS_HELPERS_H
#define TESTS_ELECTIONS_HELPERS_H

#include <string.h>

#include "common/block.h"
#include "common/keys.h"

/* Representative i's key pair, derived from a fixed seed. */
static inline void th_rep(uint32_t i, smn_keypair *kp)
{
    uint8_t seed[32];
    memset(seed, 0x5A, sizeof seed);
    smn_key_from_seed(seed, i, kp);
}

/* A block on `root` (used as previous) whose balance tells forks apart.
 * Elections never check signatures or work, so none are made. */
static inline smn_block th_block(uint8_t root_tag, uint64_t variant)
{
    smn_block b;
    memset(&b, 0, sizeof b);
    memset(b.account, 0xAC, 32);
    memset(b.previous, root_tag, 32);
    b.previous[31] = 0x01; /* never all zero: not an open block */
    memset(b.representative, 0x77, 32);
    b.balance = smn_amount_from_u64((uint64_t)variant);
    return b;
}

static inline void th_hash(const smn_block *b, uint8_t out[32])
{
    smn_block_hash(b, out);
}

#endif
