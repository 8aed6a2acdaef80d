/* Native token transfers applied per second through vm_indexer_apply into
 * a fresh DB. Each transfer is a NanoVM message (its chunk sends) plus the
 * recipient's receives. Usage: bench_token [transfers] [batch]
 * (batch = blocks per transaction; 1 = one transaction per block). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"
#include "tests/vm/programs/gen.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int transfers = argc > 1 ? atoi(argv[1]) : 20000;
    int batch = argc > 2 ? atoi(argv[2]) : 1000;
    if (transfers <= 0 || batch <= 0) {
        fprintf(stderr, "usage: bench_token [transfers] [batch]\n");
        return 2;
    }
    const int accts = 64;
    sim *s =
        sim_new(accts, smn_amount_mul_wrap(smn_amount_from_u64(1000000), smn_amount_one_smn()));
    int n;
    smn_amount_t etch[4] = {smn_amount_from_u64(0x42454e43), smn_amount_from_u64(0x424e43),
                            smn_amount_from_u64(0), smn_amount_shl(smn_amount_from_u64(1), 100)};
    int first = gen_call(s, 1, sim_pub(s, 1), vm_pid_token, VM_TOKEN_ETCH, 4, etch, &n);
    uint8_t id[32];
    memcpy(id, s->blk[first + n - 1].b.hash, 32);
    smn_amount_t mint[2] = {vm_token_ref(id), smn_amount_shl(smn_amount_from_u64(1), 90)};
    gen_call(s, 1, sim_pub(s, 1), vm_pid_token, VM_TOKEN_MINT, 2, mint, &n);
    for (int i = 2; i < accts; i++) { /* seed every account */
        smn_amount_t t[2] = {vm_token_ref(id), smn_amount_shl(smn_amount_from_u64(1), 60)};
        gen_call(s, 1, sim_pub(s, i), vm_pid_token, VM_ASSET_TRANSFER, 2, t, &n);
        sim_receive_all(s, i);
    }
    size_t setup = s->n;
    uint64_t r = 7;
    for (int k = 0; k < transfers; k++) {
        int a = 1 + (int)(sim_rand(&r) % (accts - 1)), b = 1 + (int)(sim_rand(&r) % (accts - 1));
        smn_amount_t t[2] = {vm_token_ref(id), smn_amount_from_u64(1 + sim_rand(&r) % 1000)};
        gen_call(s, a, sim_pub(s, b), vm_pid_token, VM_ASSET_TRANSFER, 2, t, &n);
        if (sim_rand(&r) % 8 == 0)
            sim_receive_all(s, b);
    }
    for (int i = 1; i < accts; i++)
        sim_receive_all(s, i);

    char path[256];
    sim_tmp_db(path, sizeof path, "bench");
    vm_indexer *ix;
    if (vm_indexer_open(path, &ix) != VM_IDX_OK)
        return 1;
    vm_indexer_begin_batch(ix);
    for (size_t i = 0; i < setup; i++)
        if (vm_indexer_apply(ix, &s->blk[i].b) != VM_IDX_OK)
            return 1;
    vm_indexer_commit_batch(ix);

    double t0 = now();
    size_t in_batch = 0;
    for (size_t i = setup; i < s->n; i++) {
        if (batch > 1 && in_batch == 0)
            vm_indexer_begin_batch(ix);
        vm_idx_status rc = vm_indexer_apply(ix, &s->blk[i].b);
        if (rc != VM_IDX_OK) {
            fprintf(stderr, "apply: %s\n", vm_idx_strerror(rc));
            return 1;
        }
        if (batch > 1 && ++in_batch == (size_t)batch) {
            vm_indexer_commit_batch(ix);
            in_batch = 0;
        }
    }
    if (batch > 1 && in_batch)
        vm_indexer_commit_batch(ix);
    double dt = now() - t0;
    size_t blocks = s->n - setup;
    printf("token transfers: %d in %.3f s = %.0f transfers/s (%zu blocks, %.0f blocks/s, "
           "batch %d)\n",
           transfers, dt, transfers / dt, blocks, (double)blocks / dt, batch);
    vm_indexer_close(ix);
    sim_rm_db(path);
    sim_free(s);
    return 0;
}
