/* NanoVM codec speed: encode and decode chunks/s and microseconds per
 * payload for several payload sizes, plus the streaming header lookup.
 * An executable, never a test: run it on a release build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "procs/vm/codec/codec.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench_size(size_t n, double seconds)
{
    uint8_t *in = malloc(n ? n : 1), *out = malloc(VM_CODEC_MAX_PAYLOAD);
    for (size_t i = 0; i < n; i++)
        in[i] = (uint8_t)(i * 131 + 7);
    size_t nc = vm_codec_chunks_for_payload(n), got = 0, len = 0;
    vm_chunk *c = malloc(nc * sizeof *c);

    long iters = 0;
    double t0 = now(), t;
    do {
        for (int k = 0; k < 16; k++)
            if (vm_codec_encode(in, n, c, nc, &got) != VM_CODEC_OK)
                abort();
        iters += 16;
    } while ((t = now() - t0) < seconds);
    double enc_us = t / (double)iters * 1e6;
    double enc_cps = (double)(iters * (long)nc) / t;

    iters = 0;
    t0 = now();
    do {
        for (int k = 0; k < 16; k++)
            if (vm_codec_decode(c, nc, VM_CODEC_STRICT, out, VM_CODEC_MAX_PAYLOAD, &len) !=
                    VM_CODEC_OK ||
                len != n)
                abort();
        iters += 16;
    } while ((t = now() - t0) < seconds);
    double dec_us = t / (double)iters * 1e6;
    double dec_cps = (double)(iters * (long)nc) / t;

    iters = 0;
    t0 = now();
    uint32_t hl;
    size_t hn;
    do {
        for (int k = 0; k < 16; k++)
            if (vm_codec_read_header(&c[0], &hl, &hn) != VM_CODEC_OK || hl != n)
                abort();
        iters += 16;
    } while ((t = now() - t0) < seconds);
    double hdr_us = t / (double)iters * 1e6;

    printf("%6zu bytes %5zu chunks | encode %10.2f us %12.0f chunks/s | decode %10.2f us "
           "%12.0f chunks/s | header %8.2f us\n",
           n, nc, enc_us, enc_cps, dec_us, dec_cps, hdr_us);
    free(c);
    free(out);
    free(in);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.5;
    static const size_t sizes[] = {0, 32, 300, 2000, 8192, VM_CODEC_MAX_PAYLOAD};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        bench_size(sizes[i], seconds);
    /* The worst header lookup: a first chunk that fits no length. */
    vm_chunk junk;
    memcpy(junk.text, "123456789012345678901234567890", 31);
    uint32_t hl;
    size_t hn;
    long iters = 0;
    double t0 = now(), t;
    do {
        if (vm_codec_read_header(&junk, &hl, &hn) != VM_CODEC_ERR_BAD_MAGIC)
            abort();
        iters++;
    } while ((t = now() - t0) < seconds);
    printf("header of a chunk that fits no length: %.2f us\n", t / (double)iters * 1e6);
    return 0;
}
