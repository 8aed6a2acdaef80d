/* Fuzz target: untrusted block bytes through the wire decoder and every
 * validation rule (signature taken as good so mutations reach the rules
 * behind it), against a small real ledger. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procs/ledger/validate.h"
#include "tests/ledger/helpers.h"

static char dir[256];
static ledger_store *store;
static ledger_processor *proc;
static uint8_t seed_bytes[4][SMN_BLOCK_WIRE_BYTES];
static const uint8_t *seed_ptrs[4];
static size_t seed_lens[4];

static void cleanup(void)
{
    ledger_processor_destroy(proc);
    ledger_store_close(store);
    tl_cleanup(dir);
}

/* Genesis -> a (send, open), a -> genesis (send, not received); seeds are
 * the next valid blocks: a send, a receive, a change, an open. */
static void init(void)
{
    if (store)
        return;
    if (smn_crypto_init() != 0)
        abort();
    tl_tmpdir(dir);
    store = tl_open(dir, NULL);
    if (ledger_processor_create(store, NULL, &proc) != LEDGER_STATUS_OK)
        abort();
    atexit(cleanup);
    tl_account g, a, b;
    tl_genesis(&g);
    tl_account_new(&a, 1);
    tl_account_new(&b, 2);
    smn_block blk[4];
    uint8_t h[32], hb[32];
    tl_send(&g, a.kp.pub, tl_smn(10), &blk[0]);
    tl_hash(&blk[0], h);
    tl_receive(&a, h, tl_smn(10), &blk[1]);
    tl_send(&a, g.kp.pub, tl_smn(1), &blk[2]);
    tl_send(&g, b.kp.pub, tl_smn(2), &blk[3]);
    ledger_result r[4];
    if (ledger_processor_process(proc, blk, 4, r) != LEDGER_STATUS_OK)
        abort();
    tl_hash(&blk[3], hb);
    smn_block s[4];
    tl_account g2 = g, a2 = a;
    tl_send(&a2, b.kp.pub, tl_smn(1), &s[0]);
    tl_hash(&blk[2], h);
    tl_receive(&g2, h, tl_smn(1), &s[1]);
    a2 = a;
    tl_change(&a2, b.kp.pub, &s[2]);
    tl_receive(&b, hb, tl_smn(2), &s[3]);
    for (int i = 0; i < 4; i++) {
        smn_block_serialize(&s[i], seed_bytes[i]);
        seed_ptrs[i] = seed_bytes[i];
        seed_lens[i] = SMN_BLOCK_WIRE_BYTES;
    }
}

size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    init();
    *seeds = seed_ptrs;
    *lens = seed_lens;
    return 4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init();
    smn_block b;
    smn_block_status bs = smn_block_deserialize(data, size, &b);
    if (size != SMN_BLOCK_WIRE_BYTES) {
        if (bs == SMN_BLOCK_OK)
            abort();
        return 0;
    }
    if (bs != SMN_BLOCK_OK)
        abort();
    uint8_t h[32];
    smn_block_hash(&b, h);
    ledger_view v;
    ledger_store_view(store, &v);
    ledger_validation out;
    ledger_result r = ledger_validate(tl_dev(), &v, &b, h, LEDGER_SIG_GOOD, &out);
    if ((unsigned)r >= LEDGER_RESULT_COUNT || r == LEDGER_BUSY || r == LEDGER_QUEUED ||
        r == LEDGER_ERROR || r == LEDGER_BAD_SIGNATURE)
        abort();
    if (r == LEDGER_ACCEPTED) {
        /* The subtype must follow from the balance delta. */
        smn_amount_t prev = out.account_exists ? out.before.balance : smn_amount_zero();
        if (out.subtype == LEDGER_SUBTYPE_SEND && !smn_amount_lt(b.balance, prev))
            abort();
        if ((out.subtype == LEDGER_SUBTYPE_RECEIVE || out.subtype == LEDGER_SUBTYPE_OPEN) &&
            (!smn_amount_eq(smn_amount_sub_wrap(b.balance, prev), out.amount) ||
             !smn_amount_eq(out.receivable.amount, out.amount)))
            abort();
        if (out.subtype == LEDGER_SUBTYPE_CHANGE &&
            (!smn_amount_eq(b.balance, prev) || !smn_is_zero32(b.link)))
            abort();
    }
    /* The real path, with the real signature check, never fails the store. */
    ledger_result pr;
    if (ledger_processor_process(proc, &b, 1, &pr) != LEDGER_STATUS_OK)
        abort();
    return 0;
}
