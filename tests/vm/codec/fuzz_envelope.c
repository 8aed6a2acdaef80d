/* Fuzz the envelope decoder: whatever it accepts must re-encode to the same
 * bytes (one encoding per message), and decrypting must never misbehave. */
#include <stdlib.h>
#include <string.h>

#include "procs/vm/codec/envelope.h"

static uint8_t buf[1 << 16];
static uint8_t plain[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vm_envelope e;
    if (vm_envelope_decode(data, size, &e) != VM_ENV_OK)
        return 0;
    if (e.opaque) {
        static const uint8_t key[VM_ENVELOPE_KEY_BYTES] = {1};
        vm_envelope d;
        vm_envelope_decrypt(&e, key, plain, sizeof plain, &d);
        return 0;
    }
    size_t len = 0;
    if (vm_envelope_encode(&e, buf, sizeof buf, &len) != VM_ENV_OK)
        abort();
    if (len != size || memcmp(buf, data, size) != 0)
        abort();
    return 0;
}

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    /* deploy, call with args, state supersede, commit, burn-mint, encrypted */
    static const uint8_t s0[] = {0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x01, 0xde, 0xad};
    static const uint8_t s1[] = {0x02, 1,    2, 3, 4,    5,    6,    7,    8,   0x05,
                                 0x81, 0x01, 3, 0, 0x00, 0x0a, 0x07, 0x01, 0x02};
    static const uint8_t s2[] = {0x03, 9, 9, 9, 9, 9, 9, 9, 9, 1, 7, 1, 6, 'h', 'i'};
    static const uint8_t s3[] = {0x05, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 2,    3,   4,
                                 5,    6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7,    8,   9,
                                 0,    1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 0xac, 0x02};
    static const uint8_t s4[] = {0x06, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0};
    static const uint8_t s5[] = {0x12, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 1, 2, 3, 4, 5, 6, 7,
                                 8,    9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,
                                 6,    7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3};
    static const uint8_t *const list[] = {s0, s1, s2, s3, s4, s5};
    static const size_t l[] = {sizeof s0, sizeof s1, sizeof s2, sizeof s3, sizeof s4, sizeof s5};
    *seeds = list;
    *lens = l;
    return 6;
}
