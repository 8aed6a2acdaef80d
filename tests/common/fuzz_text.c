/* Fuzz target: the text decoders a client or config can reach directly
 * (address, raw and smn amounts, hex, work nonce). Whatever is accepted must
 * re-encode to an equivalent value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/address.h"
#include "common/amount.h"
#include "common/hex.h"
#include "common/work.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    uint8_t pub[32];
    if (smn_address_decode(s, pub) == SMN_ADDRESS_OK) {
        char back[SMN_ADDRESS_STRLEN];
        smn_address_encode(pub, back);
        if (strcmp(back, s) != 0)
            abort(); /* the encoding is canonical: one address per key */
    }
    smn_amount_t v, w;
    char buf[SMN_AMOUNT_SMN_STRLEN];
    if (smn_amount_parse_raw(s, &v) == SMN_AMOUNT_OK) {
        if (smn_amount_parse_raw(smn_amount_format_raw(v, buf), &w) != SMN_AMOUNT_OK ||
            !smn_amount_eq(v, w))
            abort();
    }
    if (smn_amount_parse_smn(s, &v) == SMN_AMOUNT_OK) {
        if (smn_amount_parse_smn(smn_amount_format_smn(v, buf), &w) != SMN_AMOUNT_OK ||
            !smn_amount_eq(v, w))
            abort();
    }
    uint8_t bytes[64];
    if (size % 2 == 0 && size / 2 <= sizeof bytes && smn_hex_decode(s, bytes, size / 2)) {
        char hex[129];
        smn_hex_encode(bytes, size / 2, hex);
        if (strcasecmp(hex, s) != 0)
            abort();
    }
    uint64_t nonce;
    if (smn_work_parse(s, &nonce)) {
        char hex[17];
        smn_work_format(nonce, hex);
        if (strcasecmp(hex, s) != 0)
            abort();
    }
    free(s);
    return 0;
}

static const char *const seed_text[] = {
    "smn_3yk87wnt91si1p9u9c41g4wcugoh5yj53t71wqc7qyjbu6bgkx4wfcgm4fm6",
    "340282366920938463463374607431768211455",
    "10000000.000000000000000000000000000001",
    "4E2169C82CC35E29",
    ".5",
};
static const uint8_t *seed_ptrs[5];
static size_t seed_lens[5];

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    for (size_t i = 0; i < 5; i++) {
        seed_ptrs[i] = (const uint8_t *)seed_text[i];
        seed_lens[i] = strlen(seed_text[i]);
    }
    *seeds = seed_ptrs;
    *lens = seed_lens;
    return 5;
}
