/* Fuzz target: arbitrary bytes as the payload of an on-chain message (sent
 * to a program host, which then receives it), through the indexer's whole
 * path: assembly, envelope decoding, dispatch, natives, bytecode deploys
 * and calls. Any input must leave the indexer consistent (no crash, no
 * error other than "the ledger broke the contract", which it never does). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"

static sim *s;
static vm_indexer *ix;
static int inputs;

static void reset(void)
{
    vm_indexer_close(ix);
    sim_free(s);
    s = sim_new(4, smn_amount_mul_wrap(smn_amount_from_u64(1000000), smn_amount_one_smn()));
    if (vm_indexer_open(":memory:", &ix) != VM_IDX_OK || sim_apply_all(s, ix) != VM_IDX_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s || ++inputs % 400 == 0)
        reset();
    if (size > 2000)
        size = 2000;
    size_t from = s->n;
    int n;
    /* account 1 sends the message to account 3 (which also hosts programs
     * deployed by earlier inputs sent to itself) */
    int host = (size && (data[0] & 1)) ? 3 : 1;
    sim_message(s, 1, sim_pub(s, host), data, size, &n);
    sim_receive_all(s, host);
    for (size_t i = from; i < s->n; i++) {
        vm_idx_status rc = vm_indexer_apply(ix, &s->blk[i].b);
        if (rc != VM_IDX_OK) {
            fprintf(stderr, "apply: %s\n", vm_idx_strerror(rc));
            abort();
        }
    }
    return 0;
}

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    static uint8_t buf[6][256];
    static const uint8_t *ptrs[6];
    static size_t ls[6];
    smn_amount_t etch[4] = {smn_amount_from_u64(0x41), smn_amount_from_u64(0x42),
                            smn_amount_from_u64(2), smn_amount_from_u64(1000)};
    ls[0] = env_call(vm_pid_token, VM_TOKEN_ETCH, 4, etch, buf[0], 256);
    smn_amount_t tr[2] = {smn_amount_from_u64(0x1234), smn_amount_from_u64(50)};
    ls[1] = env_call(vm_pid_token, VM_ASSET_TRANSFER, 2, tr, buf[1], 256);
    smn_amount_t vs[4] = {smn_amount_from_u64(10), smn_amount_from_u64(0x0102030405060708ull),
                          smn_amount_from_u64(3), smn_amount_from_u64(1)};
    ls[2] = env_call(vm_pid_vsmn, VM_ASSET_TRANSFER_CALL, 4, vs, buf[2], 256);
    uint8_t code[69] = "swap";
    code[5] = 1;
    ls[3] = env_deploy(VM_CODE_NATIVE, code, sizeof code, buf[3], 256);
    static const uint8_t svm[] = {'S', 'V', 'M', '1', 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0x01, 0};
    ls[4] = env_deploy(VM_CODE_BYTECODE, svm, sizeof svm, buf[4], 256);
    uint8_t root[32] = {7};
    ls[5] = env_commit(vm_pid_token, root, 3, buf[5], 256);
    for (int i = 0; i < 6; i++)
        ptrs[i] = buf[i];
    *seeds = ptrs;
    *lens = ls;
    return 6;
}
