/* The vm process's decoders of bytes from sockets: a frame payload on the
 * event socket (ipc_decode against the vmevents family, then the subscribe
 * fields and a filter match), and a frame from the ledger (the ledger
 * family, then vm_cemented_from_note). Nothing may crash or leak, and a
 * parsed filter must behave: an event equal to every filter field given
 * matches it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/builder.h"
#include "ipc/msg.h"
#include "ipc/schema_ledger.h"
#include "ipc/schema_vmevents.h"
#include "procs/vm/service/cemented.h"
#include "procs/vm/service/subscriber.h"

#define NSEEDS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ipc_msg m;
    if (ipc_decode(&ipc_family_vmevents, data, size, &m, NULL) == IPC_OK) {
        vm_evfilter f;
        uint64_t from;
        size_t buffer;
        if (vm_sub_parse(&m, &f, &from, &buffer)) {
            if (buffer < IPC_VMEV_BUFFER_MIN || buffer > IPC_VMEV_BUFFER_MAX)
                abort();
            vm_evrow e = {.cursor = from + 1, .session = f.session};
            memcpy(e.program, f.program, 32);
            memcpy(e.account, f.account, 32);
            strcpy(e.type, f.has_kind ? f.kind : "x");
            vm_sub s;
            vm_sub_init(&s, &f, from, buffer);
            if (from < INT64_MAX &&
                (!vm_sub_wants(&s, &e) || vm_sub_admit(&s, &e, 0, 10) != VM_SUB_SEND ||
                 s.cursor != from + 1))
                abort();
        }
        ipc_msg_free(&m);
    }
    if (ipc_decode(&ipc_family_ledger, data, size, &m, NULL) == IPC_OK) {
        vm_cemented c;
        if (vm_cemented_from_note(&m, &c) == VM_CEM_OK &&
            (c.seq == 0 || c.b.height == 0 ||
             (smn_amount_lt(c.b.balance, c.b.prev_balance) &&
              !smn_amount_is_zero(c.b.source_amount))))
            abort();
        ipc_msg_free(&m);
    }
    return 0;
}

static ipc_builder seeds[NSEEDS];
static const uint8_t *seed_ptrs[NSEEDS];
static size_t seed_lens[NSEEDS];

size_t smn_fuzz_seeds(const uint8_t *const **out, const size_t **lens)
{
    uint8_t h[32], z[16] = {0}, bal[16] = {0}, amt[16] = {0};
    memset(h, 0x11, sizeof h);
    bal[15] = 7;
    amt[15] = 3;
    ipc_build_begin(&seeds[0], "subscribe");
    ipc_put_uint(&seeds[0], "from", 12);
    ipc_put_bin(&seeds[0], "program", h, 32);
    ipc_put_uint(&seeds[0], "session", 4);
    ipc_put_str(&seeds[0], "type", "token");
    ipc_put_bin(&seeds[0], "account", h, 32);
    ipc_put_uint(&seeds[0], "buffer", 4096);
    ipc_build_begin(&seeds[1], "subscribe");
    ipc_build_begin(&seeds[2], "block_cemented");
    ipc_put_bin(&seeds[2], "hash", h, 32);
    ipc_put_bin(&seeds[2], "account", h, 32);
    ipc_put_uint(&seeds[2], "height", 2);
    ipc_put_str(&seeds[2], "subtype", "receive");
    ipc_put_bin(&seeds[2], "amount", amt, 16);
    ipc_put_bin(&seeds[2], "prev_balance", (uint8_t[16]){[15] = 4}, 16);
    ipc_put_bin(&seeds[2], "balance", bal, 16);
    ipc_put_bin(&seeds[2], "link", h, 32);
    ipc_put_bin(&seeds[2], "source_account", h, 32);
    ipc_put_uint(&seeds[2], "seq", 9);
    ipc_build_begin(&seeds[3], "block_cemented");
    ipc_put_bin(&seeds[3], "hash", h, 32);
    ipc_put_bin(&seeds[3], "account", h, 32);
    ipc_put_uint(&seeds[3], "height", 3);
    ipc_put_str(&seeds[3], "subtype", "change");
    ipc_put_bin(&seeds[3], "amount", z, 16);
    ipc_put_bin(&seeds[3], "prev_balance", bal, 16);
    ipc_put_bin(&seeds[3], "balance", bal, 16);
    ipc_put_bin(&seeds[3], "link", (uint8_t[32]){0}, 32);
    ipc_put_bin(&seeds[3], "source_account", (uint8_t[32]){0}, 32);
    ipc_put_uint(&seeds[3], "seq", 10);
    for (int i = 0; i < NSEEDS; i++) {
        const ipc_family *fam = i < 2 ? &ipc_family_vmevents : &ipc_family_ledger;
        if (ipc_build_finish(&seeds[i], fam, i < 2 ? (uint64_t)i + 1 : 0, 0, NULL) != IPC_OK)
            abort();
        seed_ptrs[i] = seeds[i].buf + 4;
        seed_lens[i] = seeds[i].len - 4;
    }
    *out = seed_ptrs;
    *lens = seed_lens;
    return NSEEDS;
}
