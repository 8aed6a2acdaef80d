/* Fuzz the codec decoders: input bytes become chunk text lines (strict and
 * lenient parsing and decoding) and also a payload that must round-trip. */
#include <stdlib.h>
#include <string.h>

#include "procs/vm/codec/codec.h"

#define MAX_CHUNKS 64

static uint8_t out[VM_CODEC_MAX_PAYLOAD];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Lines of text -> chunks, in both modes. */
    for (int mode = VM_CODEC_STRICT; mode <= VM_CODEC_LENIENT; mode++) {
        vm_chunk chunks[MAX_CHUNKS];
        size_t n = 0, start = 0;
        for (size_t i = 0; i <= size && n < MAX_CHUNKS; i++) {
            if (i == size || data[i] == '\n') {
                if (vm_chunk_parse((const char *)data + start, i - start, (vm_codec_mode)mode,
                                   &chunks[n]) == VM_CODEC_OK)
                    n++;
                start = i + 1;
            }
        }
        size_t len = 0;
        vm_codec_status st = vm_codec_decode(chunks, n, (vm_codec_mode)mode, out, sizeof out, &len);
        if (st == VM_CODEC_OK && len > VM_CODEC_MAX_PAYLOAD)
            abort();
        /* A strict accept must be the one encoding of its payload. */
        if (st == VM_CODEC_OK && mode == VM_CODEC_STRICT) {
            vm_chunk again[MAX_CHUNKS];
            size_t m = 0;
            if (vm_codec_encode(out, len, again, MAX_CHUNKS, &m) != VM_CODEC_OK || m != n)
                abort();
            for (size_t i = 0; i < n; i++)
                if (strcmp(again[i].text, chunks[i].text) != 0)
                    abort();
            /* ...and its first chunk names its length and chunk count. */
            uint32_t hl;
            size_t hn;
            if (vm_codec_read_header(&chunks[0], &hl, &hn) != VM_CODEC_OK || hl != len || hn != n)
                abort();
        }
    }
    /* Raw bytes as a payload: encode, strict decode, compare. */
    if (size <= 1024) {
        size_t nc = vm_codec_chunks_for_payload(size);
        vm_chunk *c = malloc(nc * sizeof *c);
        size_t m = 0, len = 0;
        if (!c || vm_codec_encode(data, size, c, nc, &m) != VM_CODEC_OK)
            abort();
        if (vm_codec_decode(c, m, VM_CODEC_STRICT, out, sizeof out, &len) != VM_CODEC_OK ||
            len != size || (size && memcmp(out, data, size) != 0))
            abort();
        free(c);
    }
    return 0;
}

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    /* Valid encodings of "", "hello" (as amounts) and bytes 0..39. */
    static const char s0[] = "061773105057391641899999999999";
    static const char s1[] = "0.072141708033880511527732939236\n"
                             "0.359999999999999999999999999999\n";
    static const char s2[] = "213776884779304000579567927141\n525533582019847215065172254094\n"
                             "840008619047748647654507900444\n553864292926017194375621219999";
    static const uint8_t *const list[] = {(const uint8_t *)s0, (const uint8_t *)s1,
                                          (const uint8_t *)s2};
    static const size_t l[] = {sizeof s0 - 1, sizeof s1 - 1, sizeof s2 - 1};
    *seeds = list;
    *lens = l;
    return 3;
}
