/* devblocks: prints signed dev blocks with real work, one per line as
 * "<216-byte block hex> <hash hex>", for process-level tests that feed the
 * ledger over its socket.
 *   devblocks pairs N   genesis sends to account 5000+i, then that account
 *                       opens (tl_pairs_workload; N even)
 *   devblocks fork      one genesis send of 2 smn to account 9999: it competes
 *                       with the first send of "pairs" (same previous) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "helpers.h"

static void print_block(const smn_block *b)
{
    uint8_t wire[SMN_BLOCK_WIRE_BYTES], hash[32];
    char whex[2 * SMN_BLOCK_WIRE_BYTES + 1], hhex[65];
    smn_block_serialize(b, wire);
    tl_hash(b, hash);
    smn_hex_encode(wire, sizeof wire, whex);
    smn_hex_encode(hash, sizeof hash, hhex);
    printf("%s %s\n", whex, hhex);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "fork") == 0) {
        tl_account g, to;
        tl_genesis(&g);
        tl_account_new(&to, 9999);
        smn_block b;
        tl_send(&g, to.kp.pub, tl_smn(2), &b);
        print_block(&b);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (argc != 3 || strcmp(argv[1], "pairs") != 0) {
        fprintf(stderr, "usage: devblocks pairs N | devblocks fork\n");
        return 2;
    }
    char *end;
    unsigned long n = strtoul(argv[2], &end, 10);
    if (*end || n == 0 || n % 2 || n > 1000000) {
        fprintf(stderr, "devblocks: N must be an even number in 2..1000000\n");
        return 2;
    }
    smn_block *blocks = calloc(n, sizeof *blocks);
    if (!blocks) {
        fprintf(stderr, "devblocks: out of memory\n");
        return 1;
    }
    tl_pairs_workload(n, blocks);
    for (size_t i = 0; i < n; i++)
        print_block(&blocks[i]);
    free(blocks);
    return fflush(stdout) == 0 ? 0 : 1;
}
