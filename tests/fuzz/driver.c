/* Stand-alone fuzz driver for libFuzzer-style targets, so every target also
 * runs (briefly, deterministically) in the normal sanitizer test build. With
 * clang, the same target links against -fsanitize=fuzzer instead.
 *
 * Inputs: random buffers of length 0..max_len, plus byte-level mutations of
 * the seeds the target offers through smn_fuzz_seeds(). Iterations come from
 * SMN_FUZZ_ITERS (default 20000); the PRNG is a fixed-seed xorshift so a
 * failure reproduces. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: a target may offer valid inputs to mutate. */
size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens) __attribute__((weak));

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

int main(int argc, char **argv)
{
    long iters = 20000;
    const char *e = getenv("SMN_FUZZ_ITERS");
    if (e)
        iters = strtol(e, NULL, 10);
    size_t max_len = 4096;
    if (argc > 1)
        max_len = (size_t)strtoul(argv[1], NULL, 10);
    const uint8_t *const *seeds = NULL;
    const size_t *lens = NULL;
    size_t nseeds = smn_fuzz_seeds ? smn_fuzz_seeds(&seeds, &lens) : 0;
    uint8_t *buf = malloc(max_len + 1);
    if (!buf)
        return 1;
    for (long i = 0; i < iters; i++) {
        size_t len;
        if (nseeds && (i & 1)) {
            size_t k = (size_t)(rng() % nseeds);
            len = lens[k] > max_len ? max_len : lens[k];
            memcpy(buf, seeds[k], len);
            unsigned flips = 1 + (unsigned)(rng() % 4);
            for (unsigned f = 0; f < flips && len; f++) {
                size_t pos = (size_t)(rng() % len);
                switch (rng() % 3) {
                case 0:
                    buf[pos] ^= (uint8_t)(1u << (rng() % 8));
                    break;
                case 1:
                    buf[pos] = (uint8_t)rng();
                    break;
                default:
                    len = pos;
                    break; /* truncate */
                }
            }
            if (rng() % 8 == 0 && len < max_len)
                buf[len++] = (uint8_t)rng(); /* extend */
        } else {
            len = (size_t)(rng() % (max_len + 1));
            for (size_t j = 0; j < len; j++)
                buf[j] = (uint8_t)rng();
        }
        /* Copy into an exact-size allocation so ASan catches any overread. */
        uint8_t *in = malloc(len ? len : 1);
        if (!in)
            return 1;
        memcpy(in, buf, len);
        LLVMFuzzerTestOneInput(in, len);
        free(in);
    }
    free(buf);
    printf("fuzz: %ld inputs, no crash\n", iters);
    return 0;
}
