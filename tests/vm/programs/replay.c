/* Applies a fixed generated transcript into a fresh DB and prints every
 * program's state root and the event-stream digest: the same output from
 * any build, any compiler flags, any topological order.
 * Usage: replay <db-path> [order-seed]  (seed 0 = creation order) */
#include <stdio.h>
#include <stdlib.h>

#include "common/hex.h"
#include "gen.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: replay <db-path> [order-seed]\n");
        return 2;
    }
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 0;
    sim_rm_db(argv[1]);
    sim *s = gen_transcript(424242, 10, 300);
    vm_indexer *ix;
    vm_idx_status rc = vm_indexer_open(argv[1], &ix);
    if (rc != VM_IDX_OK) {
        fprintf(stderr, "replay: open: %s\n", vm_idx_strerror(rc));
        return 1;
    }
    size_t *order = malloc(s->n * sizeof *order);
    for (size_t i = 0; i < s->n; i++)
        order[i] = i;
    if (seed)
        sim_order(s, seed, order);
    rc = vm_indexer_begin_batch(ix);
    if (rc == VM_IDX_OK)
        rc = sim_apply_order(s, ix, order);
    if (rc == VM_IDX_OK)
        rc = vm_indexer_commit_batch(ix);
    if (rc != VM_IDX_OK) {
        fprintf(stderr, "replay: apply: %s\n", vm_idx_strerror(rc));
        return 1;
    }
    uint8_t ids[64][32], root[32], digest[32];
    size_t n;
    char hex[65];
    uint64_t events;
    if (vm_indexer_programs(ix, ids, 64, &n) != VM_IDX_OK || n > 64)
        return 1;
    printf("blocks %zu programs %zu\n", s->n, n);
    for (size_t i = 0; i < n; i++) {
        if (vm_indexer_state_root(ix, ids[i], root) != VM_IDX_OK)
            return 1;
        smn_hex_encode(ids[i], 32, hex);
        printf("root %s ", hex);
        smn_hex_encode(root, 32, hex);
        printf("%s\n", hex);
    }
    if (vm_indexer_event_digest(ix, digest, &events) != VM_IDX_OK)
        return 1;
    smn_hex_encode(digest, 32, hex);
    printf("events %llu %s\n", (unsigned long long)events, hex);
    vm_indexer_close(ix);
    if (!getenv("SMN_REPLAY_KEEP_DB")) /* keep it to inspect with sqlite3 */
        sim_rm_db(argv[1]);
    free(order);
    sim_free(s);
    return 0;
}
