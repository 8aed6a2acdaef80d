#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/builder.h"
#include "ipc/msg.h"
#include "ipc/schema_ledger.h"
#include "procs/ledger/confirm.h"
#include "procs/vm/codec/codec.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"
#include "tests/vm/programs/sim.h"

static const uint8_t burn[32] = {0};

void fx_open(fx *f)
{
    memset(f, 0, sizeof *f);
    tl_tmpdir(f->dir);
    tl_dbpath(f->dir, f->ledger_path);
    snprintf(f->vm_path, sizeof f->vm_path, "%s/vm.db", f->dir);
    f->store = tl_open(f->dir, NULL);
    assert_non_null(f->store);
    assert_int_equal(ledger_processor_create(f->store, NULL, &f->proc), LEDGER_STATUS_OK);
    tl_genesis(&f->g);
    tl_account_new(&f->dest, 7000);
}

void fx_close(fx *f)
{
    ledger_processor_destroy(f->proc);
    ledger_store_close(f->store);
    tl_cleanup(f->dir);
}

void fx_process(fx *f, const smn_block *b)
{
    assert_int_equal(tl_process1(f->proc, b), LEDGER_ACCEPTED);
}

static void put_amount(ipc_builder *b, const char *name, smn_amount_t v)
{
    uint8_t be[16];
    smn_amount_to_be(v, be);
    ipc_put_bin(b, name, be, 16);
}

/* As the ledger process announces a cemented block. */
static void on_cemented(void *user, const ledger_cemented *c)
{
    fx *f = user;
    const smn_block *blk = &c->block;
    smn_amount_t prev = blk->balance;
    uint8_t source[32] = {0};
    if (c->subtype == LEDGER_SUBTYPE_SEND)
        prev = smn_amount_add_wrap(blk->balance, c->amount);
    else if (c->subtype == LEDGER_SUBTYPE_RECEIVE)
        prev = smn_amount_sub_wrap(blk->balance, c->amount);
    else if (c->subtype == LEDGER_SUBTYPE_OPEN)
        prev = smn_amount_from_u64(0);
    if (c->subtype == LEDGER_SUBTYPE_RECEIVE || c->subtype == LEDGER_SUBTYPE_OPEN) {
        ledger_block_record src;
        if (ledger_store_block(f->store, blk->link, &src) == LEDGER_STATUS_OK)
            memcpy(source, src.block.account, 32);
    }
    ipc_builder b;
    ipc_build_begin(&b, "block_cemented");
    ipc_put_bin(&b, "hash", c->hash, 32);
    ipc_put_bin(&b, "account", blk->account, 32);
    ipc_put_uint(&b, "height", c->height);
    ipc_put_str(&b, "subtype", ledger_subtype_str(c->subtype));
    put_amount(&b, "amount", c->amount);
    put_amount(&b, "prev_balance", prev);
    put_amount(&b, "balance", blk->balance);
    ipc_put_bin(&b, "link", blk->link, 32);
    ipc_put_bin(&b, "source_account", source, 32);
    ipc_put_uint(&b, "seq", c->seq);
    assert_int_equal(ipc_build_finish(&b, &ipc_family_ledger, 0, 0, NULL), IPC_OK);
    ipc_msg m;
    assert_int_equal(ipc_decode(&ipc_family_ledger, b.buf + 4, b.len - 4, &m, NULL), IPC_OK);
    assert_true(f->nnotes < FX_MAX_NOTES);
    assert_int_equal(vm_cemented_from_note(&m, &f->notes[f->nnotes++]), VM_CEM_OK);
    ipc_msg_free(&m);
    ipc_build_free(&b);
}

void fx_confirm(fx *f)
{
    assert_int_equal(ledger_confirm(f->store, f->g.frontier, on_cemented, f, NULL),
                     LEDGER_STATUS_OK);
    if (f->dest.height)
        assert_int_equal(ledger_confirm(f->store, f->dest.frontier, on_cemented, f, NULL),
                         LEDGER_STATUS_OK);
}

void fx_burns(fx *f, int n)
{
    for (int i = 0; i < n; i++) {
        smn_block b;
        tl_send(&f->g, burn, tl_smn((uint64_t)i % 3 + 1), &b);
        fx_process(f, &b);
    }
}

static void message(fx *f, const uint8_t *env, size_t len, uint8_t last[32])
{
    size_t cap = vm_codec_chunks_for_payload(len), got = 0;
    vm_chunk ch[32];
    assert_true(cap <= 32);
    assert_int_equal(vm_codec_encode(env, len, ch, cap, &got), VM_CODEC_OK);
    for (size_t i = 0; i < got; i++) {
        smn_block b;
        tl_send(&f->g, f->dest.kp.pub, !smn_amount_is_zero(ch[i].raw) ? ch[i].raw : tl_smn(1), &b);
        fx_process(f, &b);
        tl_hash(&b, last);
    }
}

void fx_token(fx *f)
{
    uint8_t env[256];
    smn_amount_t etch[4] = {smn_amount_from_u64(0x476f6c64), smn_amount_from_u64(0x474c44),
                            smn_amount_from_u64(2), smn_amount_from_u64(1000000)};
    size_t len = env_call(vm_pid_token, VM_TOKEN_ETCH, 4, etch, env, sizeof env);
    message(f, env, len, f->token_id);
    smn_amount_t mint[2] = {vm_token_ref(f->token_id), smn_amount_from_u64(5000)};
    len = env_call(vm_pid_token, VM_TOKEN_MINT, 2, mint, env, sizeof env);
    message(f, env, len, f->mint_hash);
}

void fx_pay_dest(fx *f)
{
    smn_block s, r;
    uint8_t h[32];
    tl_send(&f->g, f->dest.kp.pub, tl_smn(1), &s);
    fx_process(f, &s);
    tl_hash(&s, h);
    tl_receive(&f->dest, h, tl_smn(1), &r);
    fx_process(f, &r);
}

uint64_t fx_ledger_seq(fx *f)
{
    uint64_t seq = 0;
    assert_int_equal(ledger_store_cement_seq(f->store, &seq), LEDGER_STATUS_OK);
    return seq;
}
