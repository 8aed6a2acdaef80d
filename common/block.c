/* State blocks: hashing, signing and the canonical 216-byte wire form. */
#include "common/block.h"

#include <sodium.h>
#include <string.h>

/* Wire offsets, documented in docs/protocol.md. */
enum {
    OFF_ACCOUNT = 0,
    OFF_PREVIOUS = 32,
    OFF_REPRESENTATIVE = 64,
    OFF_BALANCE = 96,
    OFF_LINK = 112,
    OFF_SIGNATURE = 144,
    OFF_WORK = 208,
};

bool smn_is_zero32(const uint8_t v[32])
{
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++)
        acc |= v[i];
    return acc == 0;
}

void smn_block_hash(const smn_block *b, uint8_t out[SMN_HASH_BYTES])
{
    /* The preamble separates block hashes from any other Blake2b-256 use and
     * leaves room for other block types (6 is Nano's state-block type).
     * One contiguous buffer and one call: cheaper than streaming updates. */
    uint8_t buf[32 + 32 + 32 + 32 + 16 + 32];
    memset(buf, 0, 31);
    buf[31] = 6;
    memcpy(buf + 32, b->account, 32);
    memcpy(buf + 64, b->previous, 32);
    memcpy(buf + 96, b->representative, 32);
    smn_amount_to_be(b->balance, buf + 128);
    memcpy(buf + 144, b->link, 32);
    crypto_generichash(out, SMN_HASH_BYTES, buf, sizeof buf, NULL, 0);
}

bool smn_block_is_open(const smn_block *b)
{
    return smn_is_zero32(b->previous);
}

const uint8_t *smn_block_root(const smn_block *b)
{
    return smn_block_is_open(b) ? b->account : b->previous;
}

void smn_block_sign(smn_block *b, const smn_keypair *kp)
{
    uint8_t h[SMN_HASH_BYTES];
    smn_block_hash(b, h);
    smn_sign(kp, h, sizeof h, b->signature);
}

bool smn_block_verify_signature(const smn_block *b)
{
    uint8_t h[SMN_HASH_BYTES];
    smn_block_hash(b, h);
    return smn_verify(b->account, h, sizeof h, b->signature);
}

void smn_block_serialize(const smn_block *b, uint8_t out[SMN_BLOCK_WIRE_BYTES])
{
    memcpy(out + OFF_ACCOUNT, b->account, 32);
    memcpy(out + OFF_PREVIOUS, b->previous, 32);
    memcpy(out + OFF_REPRESENTATIVE, b->representative, 32);
    smn_amount_to_be(b->balance, out + OFF_BALANCE);
    memcpy(out + OFF_LINK, b->link, 32);
    memcpy(out + OFF_SIGNATURE, b->signature, SMN_SIG_BYTES);
    for (int i = 0; i < 8; i++)
        out[OFF_WORK + i] = (uint8_t)(b->work >> (56 - 8 * i));
}

smn_block_status smn_block_deserialize(const uint8_t *in, size_t len, smn_block *b)
{
    if (len < SMN_BLOCK_WIRE_BYTES)
        return SMN_BLOCK_SHORT;
    if (len > SMN_BLOCK_WIRE_BYTES)
        return SMN_BLOCK_LONG;
    memcpy(b->account, in + OFF_ACCOUNT, 32);
    memcpy(b->previous, in + OFF_PREVIOUS, 32);
    memcpy(b->representative, in + OFF_REPRESENTATIVE, 32);
    b->balance = smn_amount_from_be(in + OFF_BALANCE);
    memcpy(b->link, in + OFF_LINK, 32);
    memcpy(b->signature, in + OFF_SIGNATURE, SMN_SIG_BYTES);
    uint64_t w = 0;
    for (int i = 0; i < 8; i++)
        w = (w << 8) | in[OFF_WORK + i];
    b->work = w;
    return SMN_BLOCK_OK;
}

const char *smn_block_strerror(smn_block_status st)
{
    switch (st) {
    case SMN_BLOCK_OK:
        return "ok";
    case SMN_BLOCK_SHORT:
        return "fewer bytes than a block";
    case SMN_BLOCK_LONG:
        return "more bytes than a block";
    }
    return "unknown block status";
}
