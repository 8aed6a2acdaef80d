/* Fuzz the vote decoder: any byte string either decodes into a vote whose
 * re-encoding is the same bytes, or is rejected with a status. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/vote.h"

static uint8_t seed_buf[3][SMN_VOTE_MAX_BYTES];
static const uint8_t *seed_ptrs[3];
static size_t seed_lens[3];

static int is_seed(const uint8_t *data, size_t size)
{
    for (size_t s = 0; s < 3; s++)
        if (seed_ptrs[s] && seed_lens[s] == size && memcmp(seed_ptrs[s], data, size) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int inited;
    if (!inited) {
        if (smn_crypto_init() != 0)
            abort();
        inited = 1;
    }
    smn_vote v;
    if (smn_vote_decode(data, size, &v) != SMN_VOTE_OK)
        return 0;
    uint8_t out[SMN_VOTE_MAX_BYTES];
    size_t n = smn_vote_encode(&v, out, sizeof out);
    if (n != size || memcmp(out, data, size) != 0)
        abort();
    /* Only the untouched signed seeds may verify: any change must break it. */
    if (smn_vote_verify(&v) == SMN_VOTE_OK && !is_seed(data, size))
        abort();
    return 0;
}

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    if (smn_crypto_init() != 0)
        abort();
    uint8_t priv[32];
    memset(priv, 0x11, sizeof priv);
    smn_keypair kp;
    smn_key_expand(priv, &kp);
    uint8_t h[12][32];
    for (size_t i = 0; i < 12; i++)
        memset(h[i], (int)(0x30 + i), 32);
    const size_t counts[3] = {1, 5, 12};
    const uint64_t ts[3] = {1, 1700000000000ull, SMN_VOTE_FINAL};
    for (size_t s = 0; s < 3; s++) {
        smn_vote v;
        if (smn_vote_sign(&v, &kp, ts[s], (const uint8_t(*)[32])h, counts[s]) != SMN_VOTE_OK)
            abort();
        seed_lens[s] = smn_vote_encode(&v, seed_buf[s], sizeof seed_buf[s]);
        seed_ptrs[s] = seed_buf[s];
    }
    smn_keypair_wipe(&kp);
    *seeds = seed_ptrs;
    *lens = seed_lens;
    return 3;
}
