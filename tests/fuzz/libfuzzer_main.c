/* The fuzz targets' main in the -Dfuzzing=true build: libFuzzer drives
 * LLVMFuzzerTestOneInput (LLVMFuzzerRunDriver, from libclang_rt's
 * fuzzer_no_main). LLVMFuzzerInitialize writes the target's
 * smn_fuzz_seeds() into the corpus directory (the first argument that is a
 * directory) as seed-<hash> files, so libFuzzer starts from them.
 *
 * Called the stand-alone driver's way (no argument, or a max length as the
 * only one, as `meson test` does), it runs SMN_FUZZ_ITERS (20000) inputs
 * and exits, so the fuzz suite still terminates in this build. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *, size_t));
size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens) __attribute__((weak));

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (!smn_fuzz_seeds)
        return 0;
    const char *dir = NULL;
    for (int i = 1; i < *argc && !dir; i++) {
        struct stat st;
        if ((*argv)[i][0] != '-' && stat((*argv)[i], &st) == 0 && S_ISDIR(st.st_mode))
            dir = (*argv)[i];
    }
    if (!dir)
        return 0;
    const uint8_t *const *seeds = NULL;
    const size_t *lens = NULL;
    size_t n = smn_fuzz_seeds(&seeds, &lens);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/seed-%016llx", dir,
                 (unsigned long long)fnv1a(seeds[i], lens[i]));
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            continue; /* there already */
        if (write(fd, seeds[i], lens[i]) != (ssize_t)lens[i])
            fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        close(fd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    char runs[64], max_len[64];
    char *compat[4];
    bool plain = argc == 1 || (argc == 2 && argv[1][0] >= '0' && argv[1][0] <= '9');
    if (plain) {
        const char *e = getenv("SMN_FUZZ_ITERS");
        snprintf(runs, sizeof runs, "-runs=%s", e && *e ? e : "20000");
        snprintf(max_len, sizeof max_len, "-max_len=%s", argc == 2 ? argv[1] : "4096");
        compat[0] = argv[0];
        compat[1] = runs;
        compat[2] = max_len;
        compat[3] = NULL;
        argc = 3;
        argv = compat;
    }
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
