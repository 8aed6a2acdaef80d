#include "common/vote.h"

#include <sodium.h>
#include <string.h>

static const uint8_t vote_prefix[5] = {'v', 'o', 't', 'e', ' '};

static void put_u64_be(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_u64_be(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Quadratic, but n <= 12. */
static bool has_duplicates(const uint8_t (*hashes)[32], size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (memcmp(hashes[i], hashes[j], 32) == 0)
                return true;
    return false;
}

static smn_vote_status check_hashes(const uint8_t (*hashes)[32], size_t n)
{
    if (n == 0 || n > SMN_VOTE_MAX_HASHES)
        return SMN_VOTE_BAD_COUNT;
    if (has_duplicates(hashes, n))
        return SMN_VOTE_DUPLICATE_HASH;
    return SMN_VOTE_OK;
}

void smn_vote_digest(const smn_vote *v, uint8_t out[32])
{
    crypto_generichash_state st;
    uint8_t ts[8];
    size_t n = v->count <= SMN_VOTE_MAX_HASHES ? v->count : SMN_VOTE_MAX_HASHES;
    put_u64_be(ts, v->timestamp);
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, vote_prefix, sizeof vote_prefix);
    for (size_t i = 0; i < n; i++)
        crypto_generichash_update(&st, v->hashes[i], 32);
    crypto_generichash_update(&st, ts, sizeof ts);
    crypto_generichash_final(&st, out, 32);
}

smn_vote_status smn_vote_sign(smn_vote *v, const smn_keypair *kp, uint64_t timestamp,
                              const uint8_t (*hashes)[32], size_t n)
{
    smn_vote_status st = check_hashes(hashes, n);
    if (st != SMN_VOTE_OK)
        return st;
    memset(v, 0, sizeof *v);
    memcpy(v->account, kp->pub, 32);
    v->timestamp = timestamp;
    v->count = (uint8_t)n;
    memcpy(v->hashes, hashes, 32 * n);
    uint8_t digest[32];
    smn_vote_digest(v, digest);
    smn_sign(kp, digest, sizeof digest, v->signature);
    return SMN_VOTE_OK;
}

smn_vote_status smn_vote_verify(const smn_vote *v)
{
    smn_vote_status st = check_hashes((const uint8_t(*)[32])v->hashes, v->count);
    if (st != SMN_VOTE_OK)
        return st;
    uint8_t digest[32];
    smn_vote_digest(v, digest);
    if (!smn_verify(v->account, digest, sizeof digest, v->signature))
        return SMN_VOTE_BAD_SIGNATURE;
    return SMN_VOTE_OK;
}

bool smn_vote_is_final(const smn_vote *v)
{
    return v->timestamp == SMN_VOTE_FINAL;
}

size_t smn_vote_wire_size(const smn_vote *v)
{
    return SMN_VOTE_HEADER_BYTES + 32 * (size_t)v->count;
}

size_t smn_vote_encode(const smn_vote *v, uint8_t *out, size_t cap)
{
    if (v->count == 0 || v->count > SMN_VOTE_MAX_HASHES)
        return 0;
    size_t need = smn_vote_wire_size(v);
    if (cap < need)
        return 0;
    memcpy(out, v->account, 32);
    memcpy(out + 32, v->signature, SMN_SIG_BYTES);
    put_u64_be(out + 96, v->timestamp);
    out[104] = v->count;
    memcpy(out + SMN_VOTE_HEADER_BYTES, v->hashes, 32 * (size_t)v->count);
    return need;
}

smn_vote_status smn_vote_decode(const uint8_t *in, size_t len, smn_vote *v)
{
    if (len < SMN_VOTE_HEADER_BYTES)
        return SMN_VOTE_SHORT;
    uint8_t n = in[104];
    if (n == 0 || n > SMN_VOTE_MAX_HASHES)
        return SMN_VOTE_BAD_COUNT;
    size_t need = SMN_VOTE_HEADER_BYTES + 32 * (size_t)n;
    if (len < need)
        return SMN_VOTE_SHORT;
    if (len > need)
        return SMN_VOTE_LONG;
    smn_vote tmp;
    memset(&tmp, 0, sizeof tmp);
    memcpy(tmp.account, in, 32);
    memcpy(tmp.signature, in + 32, SMN_SIG_BYTES);
    tmp.timestamp = get_u64_be(in + 96);
    tmp.count = n;
    memcpy(tmp.hashes, in + SMN_VOTE_HEADER_BYTES, 32 * (size_t)n);
    if (has_duplicates((const uint8_t(*)[32])tmp.hashes, n))
        return SMN_VOTE_DUPLICATE_HASH;
    *v = tmp;
    return SMN_VOTE_OK;
}

const char *smn_vote_strerror(smn_vote_status st)
{
    switch (st) {
    case SMN_VOTE_OK:
        return "ok";
    case SMN_VOTE_SHORT:
        return "vote too short";
    case SMN_VOTE_LONG:
        return "trailing bytes after vote";
    case SMN_VOTE_BAD_COUNT:
        return "vote must carry 1 to 12 hashes";
    case SMN_VOTE_DUPLICATE_HASH:
        return "vote repeats a hash";
    case SMN_VOTE_BAD_SIGNATURE:
        return "vote signature does not verify";
    }
    return "unknown vote status";
}
