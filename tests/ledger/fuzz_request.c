/* Fuzz target: untrusted frames on ledger.sock, through ipc_decode against
 * the ledger family and then the process/confirm request decoders. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/keys.h"
#include "ipc/builder.h"
#include "ipc/msg.h"
#include "ipc/schema_ledger.h"
#include "procs/ledger/request.h"
#include "tests/ledger/helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ipc_msg m;
    ipc_error err;
    if (ipc_decode(&ipc_family_ledger, data, size, &m, &err) != IPC_OK)
        return 0;
    char why[128];
    smn_block b;
    ledger_origin o;
    uint8_t h[32];
    if (ipc_ledger_kind_of(&m) == IPC_LEDGER_K_PROCESS) {
        if (ledger_req_process(&m, &b, &o, why, sizeof why) &&
            (unsigned)o >= LEDGER_ORIGIN_UNCHECKED)
            abort(); /* only request origins are accepted */
    } else if (ipc_ledger_kind_of(&m) == IPC_LEDGER_K_CONFIRM) {
        bool has_block;
        if (ledger_req_confirm(&m, h, &b, &has_block, why, sizeof why) && has_block) {
            uint8_t bh[32];
            smn_block_hash(&b, bh);
            if (memcmp(bh, h, 32) != 0)
                abort(); /* a winner block always matches its hash */
        }
        (void)ledger_req_confirm_backlog(&m); /* any decoded confirm: a bool or absent */
    }
    ipc_msg_free(&m);
    return 0;
}

#define NSEEDS 5
static ipc_builder seeds[NSEEDS];
static const uint8_t *seed_ptrs[NSEEDS];
static size_t seed_lens[NSEEDS];

static void release(void)
{
    for (int i = 0; i < NSEEDS; i++)
        ipc_build_free(&seeds[i]);
}

size_t smn_fuzz_seeds(const uint8_t *const **out, const size_t **lens)
{
    if (smn_crypto_init() != 0)
        abort();
    tl_account g, a;
    tl_genesis(&g);
    tl_account_new(&a, 1);
    smn_block b;
    tl_send(&g, a.kp.pub, tl_smn(1), &b);
    uint8_t wire[SMN_BLOCK_WIRE_BYTES], h[32];
    smn_block_serialize(&b, wire);
    tl_hash(&b, h);

    ipc_build_begin(&seeds[0], "process");
    ipc_put_bin(&seeds[0], "block", wire, sizeof wire);
    ipc_put_str(&seeds[0], "origin", "net");
    ipc_build_begin(&seeds[1], "confirm");
    ipc_put_bin(&seeds[1], "hash", h, 32);
    ipc_build_begin(&seeds[2], "subscribe");
    ipc_build_begin(&seeds[3], "process");
    ipc_put_bin(&seeds[3], "block", wire, sizeof wire);
    ipc_put_str(&seeds[3], "origin", "wallet");
    ipc_build_begin(&seeds[4], "confirm"); /* a fork's winner */
    ipc_put_bin(&seeds[4], "hash", h, 32);
    ipc_put_bin(&seeds[4], "block", wire, sizeof wire);
    ipc_put_bool(&seeds[4], "backlog", true); /* backlog work (elections) */
    for (int i = 0; i < NSEEDS; i++) {
        if (ipc_build_finish(&seeds[i], &ipc_family_ledger, (uint64_t)i + 1, 0, NULL) != IPC_OK)
            abort();
        seed_ptrs[i] = seeds[i].buf + 4; /* without the length prefix */
        seed_lens[i] = seeds[i].len - 4;
    }
    atexit(release);
    *out = seed_ptrs;
    *lens = seed_lens;
    return NSEEDS;
}
