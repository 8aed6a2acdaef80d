/* Fuzz target: the peer-message decoder. Any input must decode or be
 * rejected without reading out of bounds; every accepted frame must
 * re-encode to exactly the bytes it was read from (the encoding is
 * canonical), and a stream of frames must split at the same places. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t again[NET_MAX_MESSAGE];
    static net_message m;
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    size_t off = 0;
    while (off < size) {
        size_t used = 0;
        net_status st = net_msg_decode(net, data + off, size - off, &m, &used);
        if (st == NET_INCOMPLETE) {
            if (used <= size - off && size - off >= NET_HEADER_BYTES)
                abort(); /* claimed incomplete with the whole frame present */
            break;
        }
        if (st != NET_OK)
            break;
        if (used < NET_HEADER_BYTES || used > size - off || used > NET_MAX_MESSAGE)
            abort();
        size_t n = net_msg_encode(net, &m, again, sizeof again);
        /* Only the versions may differ from what we write ourselves. */
        if (n != used || memcmp(again + 4, data + off + 4, n - 4) != 0 ||
            memcmp(again, data + off, 2) != 0)
            abort();
        if (m.type == NET_MSG_CONFIRM_ACK)
            (void)smn_vote_verify(&m.u.confirm_ack);
        if (m.type == NET_MSG_TELEMETRY_ACK)
            (void)net_telemetry_verify(net, &m.u.telemetry_ack);
        off += used;
    }
    return 0;
}

/* Every published vector, plus all of them in one stream. */
static uint8_t seed_buf[FX_COUNT + 1][FX_COUNT * 300];
static const uint8_t *seed_ptrs[FX_COUNT + 1];
static size_t seed_lens[FX_COUNT + 1];

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    if (smn_crypto_init() != 0)
        abort();
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    size_t all = 0;
    for (int i = 0; i < FX_COUNT; i++) {
        net_message m;
        fx_message(i, &m);
        seed_lens[i] = net_msg_encode(net, &m, seed_buf[i], sizeof seed_buf[i]);
        if (!seed_lens[i])
            abort();
        memcpy(seed_buf[FX_COUNT] + all, seed_buf[i], seed_lens[i]);
        all += seed_lens[i];
        seed_ptrs[i] = seed_buf[i];
    }
    seed_ptrs[FX_COUNT] = seed_buf[FX_COUNT];
    seed_lens[FX_COUNT] = all;
    *seeds = seed_ptrs;
    *lens = seed_lens;
    return FX_COUNT + 1;
}
