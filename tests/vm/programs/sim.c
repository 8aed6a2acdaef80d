/* The lattice simulator for the VM program tests. */
#include "sim.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procs/vm/codec/codec.h"

uint64_t sim_rand(uint64_t *state)
{
    uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static int push(sim *s, const sim_blk *b)
{
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        sim_blk *p = realloc(s->blk, nc * sizeof *p);
        if (!p)
            abort();
        s->blk = p;
        s->cap = nc;
    }
    s->blk[s->n] = *b;
    return (int)s->n++;
}

static void make_hash(vm_block *b)
{
    crypto_generichash_state h;
    uint8_t be[16], ht[8];
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, b->account, 32);
    for (int i = 0; i < 8; i++)
        ht[i] = (uint8_t)(b->height >> (56 - 8 * i));
    crypto_generichash_update(&h, ht, 8);
    for (int i = 15; i >= 0; i--)
        be[15 - i] = (uint8_t)smn_amount_lo64(smn_amount_shr(b->balance, 8 * (unsigned)i));
    crypto_generichash_update(&h, be, 16);
    crypto_generichash_update(&h, b->link, 32);
    crypto_generichash_final(&h, b->hash, 32);
}

static int add_block(sim *s, int acct, smn_amount_t nb, const uint8_t link[32], int src)
{
    sim_acct *a = &s->acct[acct];
    sim_blk sb = {.account = acct, .src = src};
    memcpy(sb.b.account, a->pub, 32);
    sb.b.height = a->height + 1;
    sb.b.prev_balance = a->balance;
    sb.b.balance = nb;
    memcpy(sb.b.link, link, 32);
    if (src >= 0) {
        memcpy(sb.b.source_account, s->blk[src].b.account, 32);
        sb.b.source_amount = smn_amount_sub_wrap(s->blk[src].b.prev_balance, s->blk[src].b.balance);
    }
    make_hash(&sb.b);
    a->height++;
    a->balance = nb;
    return push(s, &sb);
}

sim *sim_new(int naccounts, smn_amount_t fund)
{
    if (sodium_init() < 0)
        abort();
    sim *s = calloc(1, sizeof *s);
    s->acct = calloc((size_t)naccounts, sizeof *s->acct);
    s->nacct = naccounts;
    for (int i = 0; i < naccounts; i++) {
        uint8_t seed[8] = {
            'a',       'c', 'c', 't', (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8),
            (uint8_t)i};
        crypto_generichash(s->acct[i].pub, 32, seed, sizeof seed, NULL, 0);
    }
    smn_amount_t supply = smn_amount_mul_wrap(fund, smn_amount_from_u64((uint64_t)naccounts * 2));
    add_block(s, 0, supply, s->acct[0].pub, -1); /* genesis: link = own account */
    for (int i = 1; i < naccounts; i++) {
        int sd = sim_send(s, 0, s->acct[i].pub, fund);
        sim_receive(s, i, sd);
    }
    return s;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    free(s->acct);
    free(s->blk);
    free(s);
}

const uint8_t *sim_pub(const sim *s, int i)
{
    return s->acct[i].pub;
}

int sim_send(sim *s, int from, const uint8_t to[32], smn_amount_t amount)
{
    if (smn_amount_lt(s->acct[from].balance, amount))
        abort(); /* a test bug: the ledger would reject it */
    return add_block(s, from, smn_amount_sub_wrap(s->acct[from].balance, amount), to, -1);
}

int sim_receive(sim *s, int to, int send_idx)
{
    sim_blk *sd = &s->blk[send_idx];
    if (sd->received || memcmp(sd->b.link, s->acct[to].pub, 32) != 0)
        abort();
    sd->received = true;
    smn_amount_t amount = smn_amount_sub_wrap(sd->b.prev_balance, sd->b.balance);
    return add_block(s, to, smn_amount_add_wrap(s->acct[to].balance, amount),
                     s->blk[send_idx].b.hash, send_idx);
}

int sim_change(sim *s, int acct)
{
    static const uint8_t zero[32] = {0};
    return add_block(s, acct, s->acct[acct].balance, zero, -1);
}

int sim_message(sim *s, int from, const uint8_t to[32], const uint8_t *env, size_t len, int *n)
{
    size_t cap = vm_codec_chunks_for_payload(len), got = 0;
    vm_chunk *ch = calloc(cap ? cap : 1, sizeof *ch);
    if (!ch || vm_codec_encode(env, len, ch, cap, &got) != VM_CODEC_OK)
        abort();
    int first = -1;
    for (size_t i = 0; i < got; i++) {
        smn_amount_t amt = ch[i].raw;
        if (smn_amount_is_zero(amt))
            amt = smn_amount_one_smn();
        int k = sim_send(s, from, to, amt);
        if (first < 0)
            first = k;
    }
    free(ch);
    *n = (int)got;
    return first;
}

int sim_receive_msg(sim *s, int to, int first, int n)
{
    int last = -1;
    for (int i = 0; i < n; i++)
        last = sim_receive(s, to, first + i);
    return last;
}

void sim_receive_all(sim *s, int to)
{
    size_t end = s->n;
    for (size_t i = 0; i < end; i++) {
        sim_blk *b = &s->blk[i];
        if (smn_amount_lt(b->b.balance, b->b.prev_balance) && !b->received &&
            memcmp(b->b.link, s->acct[to].pub, 32) == 0)
            sim_receive(s, to, (int)i);
    }
}

void sim_order(const sim *s, uint64_t seed, size_t *order)
{
    /* Per account, its blocks in height order; emit a random ready account's
     * next block until all are out. */
    size_t *start = calloc((size_t)s->nacct + 1, sizeof *start);
    size_t *next = calloc((size_t)s->nacct, sizeof *next);
    size_t *by_acct = malloc(s->n * sizeof *by_acct);
    bool *done = calloc(s->n, sizeof *done);
    for (size_t i = 0; i < s->n; i++)
        start[s->blk[i].account + 1]++;
    for (int a = 0; a < s->nacct; a++)
        start[a + 1] += start[a];
    size_t *fill = calloc((size_t)s->nacct, sizeof *fill);
    for (size_t i = 0; i < s->n; i++) {
        int a = s->blk[i].account;
        by_acct[start[a] + fill[a]++] = i;
    }
    int *ready = malloc((size_t)s->nacct * sizeof *ready);
    uint64_t st = seed * 2654435761u + 1;
    for (size_t k = 0; k < s->n; k++) {
        int nr = 0;
        for (int a = 0; a < s->nacct; a++) {
            if (start[a] + next[a] >= start[a + 1])
                continue;
            const sim_blk *b = &s->blk[by_acct[start[a] + next[a]]];
            if (b->src < 0 || done[b->src])
                ready[nr++] = a;
        }
        if (nr == 0)
            abort(); /* cannot happen for a transcript built by the simulator */
        int a = ready[sim_rand(&st) % (uint64_t)nr];
        size_t i = by_acct[start[a] + next[a]++];
        done[i] = true;
        order[k] = i;
    }
    free(start);
    free(next);
    free(by_acct);
    free(done);
    free(fill);
    free(ready);
}

vm_idx_status sim_apply_all(const sim *s, vm_indexer *ix)
{
    for (size_t i = 0; i < s->n; i++) {
        vm_idx_status rc = vm_indexer_apply(ix, &s->blk[i].b);
        if (rc != VM_IDX_OK)
            return rc;
    }
    return VM_IDX_OK;
}

vm_idx_status sim_apply_order(const sim *s, vm_indexer *ix, const size_t *order)
{
    for (size_t i = 0; i < s->n; i++) {
        vm_idx_status rc = vm_indexer_apply(ix, &s->blk[order[i]].b);
        if (rc != VM_IDX_OK)
            return rc;
    }
    return VM_IDX_OK;
}

static uint8_t width_for(smn_amount_t v)
{
    uint64_t lo = smn_amount_lo64(v);
    if (smn_amount_hi64(v) != 0)
        return VM_ARG_U128;
    if (lo <= 0xff)
        return VM_ARG_U8;
    if (lo <= 0xffff)
        return VM_ARG_U16;
    if (lo <= 0xffffffffu)
        return VM_ARG_U32;
    return VM_ARG_U64;
}

static size_t encode(const vm_envelope *e, uint8_t *out, size_t cap)
{
    size_t len = 0;
    if (vm_envelope_encode(e, out, cap, &len) != VM_ENV_OK)
        abort();
    return len;
}

size_t env_call(const uint8_t prog[32], uint8_t method, int nargs, const smn_amount_t *args,
                uint8_t *out, size_t cap)
{
    vm_envelope e = {0};
    e.kind = VM_KIND_CALL;
    memcpy(e.program_id, prog, 8);
    e.body.call.method = method;
    for (int i = 0; i < nargs; i++) {
        e.body.call.width[i] = width_for(args[i]);
        e.body.call.arg[i] = args[i];
    }
    return encode(&e, out, cap);
}

size_t env_deploy(uint8_t code_kind, const uint8_t *code, size_t code_len, uint8_t *out, size_t cap)
{
    vm_envelope e = {0};
    e.kind = VM_KIND_DEPLOY;
    e.body.deploy.code_kind = code_kind;
    e.body.deploy.code = code;
    e.body.deploy.code_len = code_len;
    return encode(&e, out, cap);
}

size_t env_commit(const uint8_t prog[32], const uint8_t root[32], uint64_t height, uint8_t *out,
                  size_t cap)
{
    vm_envelope e = {0};
    e.kind = VM_KIND_COMMIT;
    memcpy(e.program_id, prog, 8);
    memcpy(e.body.commit.state_root, root, 32);
    e.body.commit.height = height;
    return encode(&e, out, cap);
}

size_t env_state(const uint8_t prog[32], uint32_t session, uint32_t seq, uint8_t op,
                 uint32_t target, const uint8_t *data, size_t dlen, uint8_t *out, size_t cap)
{
    vm_envelope e = {0};
    e.kind = VM_KIND_STATE;
    memcpy(e.program_id, prog, 8);
    e.session_id = session;
    e.seq = seq;
    e.body.state.op = op;
    e.body.state.target_seq = target;
    e.body.state.data = data;
    e.body.state.data_len = dlen;
    return encode(&e, out, cap);
}

void sim_tmp_db(char *buf, size_t cap, const char *tag)
{
    snprintf(buf, cap, "/tmp/smn-vmprog-%ld-%s.db", (long)getpid(), tag);
    sim_rm_db(buf);
}

void sim_rm_db(const char *path)
{
    char p[512];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}
