/* vmblocks: signed dev blocks (real work) carrying NanoVM messages from the
 * dev genesis account, for the vm process test. One block per line:
 * "<phase> <216-byte block hex> <hash hex>", in submission order.
 *   phase 1: 3 burns (sends to the burn account), a token etch (4 args,
 *            chunked sends to account 7000), a mint of 5000 of it, and a
 *            commit naming smn.token (recorded "unsequenced")
 *   phase 2: 2 burns
 *   phase 3: N burns (argument; for the slow-subscriber check)
 *   phase 4: 3 burns
 * usage: vmblocks N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "procs/vm/codec/codec.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"
#include "tests/ledger/helpers.h"
#include "tests/vm/programs/sim.h"

static const uint8_t burn[32] = {0};

static void print_block(int phase, const smn_block *b, uint8_t hash[32])
{
    uint8_t wire[SMN_BLOCK_WIRE_BYTES];
    char whex[2 * SMN_BLOCK_WIRE_BYTES + 1], hhex[65];
    smn_block_serialize(b, wire);
    tl_hash(b, hash);
    smn_hex_encode(wire, sizeof wire, whex);
    smn_hex_encode(hash, 32, hhex);
    printf("%d %s %s\n", phase, whex, hhex);
}

static void burns(int phase, tl_account *g, int n)
{
    for (int i = 0; i < n; i++) {
        smn_block b;
        uint8_t h[32];
        /* Whole smn: the chunk (amount mod 10^30) is 0, no message. */
        tl_send(g, burn, tl_smn((uint64_t)(i % 3) + 1), &b);
        print_block(phase, &b, h);
    }
}

/* The envelope as chunked sends to `to`; the last send's hash in last. */
static void message(int phase, tl_account *g, const uint8_t to[32], const uint8_t *env, size_t len,
                    uint8_t last[32])
{
    size_t cap = vm_codec_chunks_for_payload(len), got = 0;
    vm_chunk *ch = calloc(cap ? cap : 1, sizeof *ch);
    if (!ch || vm_codec_encode(env, len, ch, cap, &got) != VM_CODEC_OK) {
        fprintf(stderr, "vmblocks: cannot encode a message\n");
        exit(1);
    }
    for (size_t i = 0; i < got; i++) {
        smn_block b;
        tl_send(g, to, !smn_amount_is_zero(ch[i].raw) ? ch[i].raw : tl_smn(1), &b);
        print_block(phase, &b, last);
    }
    free(ch);
}

int main(int argc, char **argv)
{
    char *end = NULL;
    long n3 = argc == 2 ? strtol(argv[1], &end, 10) : -1;
    if (argc != 2 || *end || n3 < 0 || n3 > 10000) {
        fprintf(stderr, "usage: vmblocks N   (N burns in phase 3, 0..10000)\n");
        return 2;
    }
    tl_account g, dest;
    tl_genesis(&g);
    tl_account_new(&dest, 7000);
    uint8_t env[256], id[32];

    burns(1, &g, 3);
    smn_amount_t etch[4] = {smn_amount_from_u64(0x476f6c64) /* "Gold" */,
                            smn_amount_from_u64(0x474c44) /* "GLD" */, smn_amount_from_u64(2),
                            smn_amount_from_u64(1000000)};
    size_t len = env_call(vm_pid_token, VM_TOKEN_ETCH, 4, etch, env, sizeof env);
    message(1, &g, dest.kp.pub, env, len, id); /* token id = the completing send */
    smn_amount_t mint[2] = {vm_token_ref(id), smn_amount_from_u64(5000)};
    len = env_call(vm_pid_token, VM_TOKEN_MINT, 2, mint, env, sizeof env);
    uint8_t last[32];
    message(1, &g, dest.kp.pub, env, len, last);
    uint8_t root[32];
    memset(root, 0xab, sizeof root);
    len = env_commit(vm_pid_token, root, 1, env, sizeof env);
    message(1, &g, dest.kp.pub, env, len, last);

    burns(2, &g, 2);
    burns(3, &g, (int)n3);
    burns(4, &g, 3);
    return fflush(stdout) == 0 ? 0 : 1;
}
