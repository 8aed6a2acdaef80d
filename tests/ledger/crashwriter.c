/* The crash test's victim: opens a ledger and processes the pairs workload
 * in batches, printing "ACK <n>" once the first n blocks are committed.
 * Usage: crashwriter <db path> <blocks> <batch> */
#include <stdio.h>
#include <stdlib.h>

#include "procs/ledger/processor.h"
#include "tests/ledger/helpers.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: crashwriter <db path> <blocks> <batch>\n");
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10), batch = strtoul(argv[3], NULL, 10);
    if (n == 0 || n % 2 || batch == 0 || smn_crypto_init() != 0)
        return 2;
    smn_block *blocks = malloc(n * sizeof *blocks);
    ledger_result *r = malloc(batch * sizeof *r);
    if (!blocks || !r)
        return 1;
    tl_pairs_workload(n, blocks);
    char err[256];
    ledger_store *s;
    if (ledger_store_open(argv[1], tl_dev(), NULL, &s, err, sizeof err) != LEDGER_STATUS_OK) {
        fprintf(stderr, "crashwriter: %s\n", err);
        return 1;
    }
    ledger_processor_config cfg = {.batch_max = batch};
    ledger_processor *p;
    if (ledger_processor_create(s, &cfg, &p) != LEDGER_STATUS_OK)
        return 1;
    printf("READY\n");
    fflush(stdout);
    for (size_t off = 0; off < n; off += batch) {
        size_t len = n - off < batch ? n - off : batch;
        if (ledger_processor_process(p, blocks + off, len, r) != LEDGER_STATUS_OK) {
            fprintf(stderr, "crashwriter: batch at %zu failed\n", off);
            return 1;
        }
        for (size_t i = 0; i < len; i++)
            if (r[i] != LEDGER_ACCEPTED && r[i] != LEDGER_OLD) {
                fprintf(stderr, "crashwriter: block %zu: %s\n", off + i, ledger_result_str(r[i]));
                return 1;
            }
        printf("ACK %zu\n", off + len);
        fflush(stdout);
    }
    ledger_processor_destroy(p);
    ledger_store_close(s);
    free(blocks);
    free(r);
    printf("DONE\n");
    return 0;
}
