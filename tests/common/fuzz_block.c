/* Fuzz target: the binary block decoder and the JSON block parser. Every
 * accepted input must round-trip: wire bytes re-serialize to themselves, and
 * a parsed JSON block re-parses from its own rendering to the same block. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/block.h"
#include "common/block_json.h"

static void check_same(const smn_block *a, const smn_block *b)
{
    if (memcmp(a->account, b->account, 32) || memcmp(a->previous, b->previous, 32) ||
        memcmp(a->representative, b->representative, 32) ||
        !smn_amount_eq(a->balance, b->balance) || memcmp(a->link, b->link, 32) ||
        memcmp(a->signature, b->signature, 64) || a->work != b->work)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smn_block b;
    if (smn_block_deserialize(data, size, &b) == SMN_BLOCK_OK) {
        uint8_t w[SMN_BLOCK_WIRE_BYTES];
        smn_block_serialize(&b, w);
        if (size != SMN_BLOCK_WIRE_BYTES || memcmp(w, data, size) != 0)
            abort();
        uint8_t h[SMN_HASH_BYTES];
        smn_block_hash(&b, h);
        (void)smn_block_verify_signature(&b);
    } else if (size == SMN_BLOCK_WIRE_BYTES) {
        abort();
    }

    json_error_t e;
    json_t *j = json_loadb((const char *)data, size, JSON_DISABLE_EOF_CHECK, &e);
    if (!j)
        return 0;
    char err[128];
    if (smn_block_from_json(j, &b, err, sizeof err) == 0) {
        json_t *again = smn_block_to_json(&b);
        smn_block c;
        if (!again || smn_block_from_json(again, &c, err, sizeof err) != 0)
            abort();
        check_same(&b, &c);
        json_decref(again);
    } else if (err[0] == '\0') {
        abort(); /* every rejection explains itself */
    }
    json_decref(j);
    return 0;
}

/* A valid JSON block and a wire block for the driver to mutate. */
static const char seed_json[] =
    "{\"type\":\"state\",\"account\":\"smn_"
    "3yk87wnt91si1p9u9c41g4wcugoh5yj53t71wqc7qyjbu6bgkx4wfcgm4fm6\","
    "\"previous\":\"9C9798C7164BD17644318621236C6F891A24384D3CD4724F1DC019CEFC3EFE89\","
    "\"representative\":\"smn_3yk87wnt91si1p9u9c41g4wcugoh5yj53t71wqc7qyjbu6bgkx4wfcgm4fm6\","
    "\"balance\":\"9999999000000000000000000000000000000\","
    "\"link\":\"8636B34786C2262951DC6AC0B881129396F51AA525CBAF37DC3C9D1BE67FB3F2\","
    "\"link_as_account\":\"smn_33jppf5rfij877axrtp1q41j76wpynfccbgdowuxrh6x5hm9zezkjoxiimuk\","
    "\"signature\":\"DB7463024A33EB07E67B018398DA75ED50A56D897A2BD6021216ED26F279B9E5"
    "FF94A32A899323ABF8D04D79DE0458165698C5C83539E6B7C10D105B74CED201\","
    "\"work\":\"4E2169C82CC35E29\"}";
static uint8_t seed_wire[SMN_BLOCK_WIRE_BYTES];
static const uint8_t *seed_ptrs[2];
static size_t seed_lens[2];

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    for (size_t i = 0; i < sizeof seed_wire; i++)
        seed_wire[i] = (uint8_t)(i * 31 + 7);
    seed_ptrs[0] = (const uint8_t *)seed_json;
    seed_lens[0] = sizeof seed_json - 1;
    seed_ptrs[1] = seed_wire;
    seed_lens[1] = sizeof seed_wire;
    *seeds = seed_ptrs;
    *lens = seed_lens;
    return 2;
}
