/* The generated transcript for the determinism tests, replay and bench. */
#include "gen.h"

#include <string.h>

#include "procs/vm/codec/codec.h"
#include "procs/vm/codec/envelope.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/native.h"

int gen_call(sim *s, int from, const uint8_t to[32], const uint8_t prog[32], uint8_t method,
             int nargs, const smn_amount_t *args, int *nsends)
{
    uint8_t env[256];
    size_t len = env_call(prog, method, nargs, args, env, sizeof env);
    return sim_message(s, from, to, env, len, nsends);
}

/* A message whose chunks are interleaved with receives on the sender's
 * chain: each chunk sent to oneself is received back at once (auto-receive
 * on a self-sent message); otherwise whatever is receivable is received
 * after every chunk (payments arriving mid-message). Neither abandons it. */
static void gen_call_interleaved(sim *s, int from, int to, const uint8_t prog[32], uint8_t method,
                                 int nargs, const smn_amount_t *args)
{
    uint8_t env[256];
    vm_chunk ch[32];
    size_t nch = 0;
    size_t len = env_call(prog, method, nargs, args, env, sizeof env);
    if (vm_codec_encode(env, len, ch, 32, &nch) != VM_CODEC_OK)
        return;
    for (size_t i = 0; i < nch; i++) {
        int k = sim_send(s, from, sim_pub(s, to), ch[i].raw);
        if (to == from)
            sim_receive(s, from, k);
        else
            sim_receive_all(s, from);
    }
}

uint64_t gen_prefix(const uint8_t id[32])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | id[i];
    return v;
}

#define MAX_TOKENS 16
#define MAX_POOLS 4

typedef struct {
    uint8_t id[32];
    int etcher;
} gtoken;

typedef struct {
    uint8_t id[32];
    int host;
    int ta, tb; /* token indices; -1 = vSMN */
} gpool;

static const uint8_t *asset_of(const gtoken *t, int i)
{
    static const uint8_t zero[32] = {0};
    return i < 0 ? zero : t[i].id;
}

/* An amount from a 64-bit value (the generator's numbers all fit). */
static smn_amount_t u(uint64_t v)
{
    return smn_amount_from_u64(v);
}

sim *gen_transcript(uint64_t seed, int naccounts, int nops)
{
    sim *s = sim_new(naccounts, smn_amount_mul_wrap(u(1000000), smn_amount_one_smn()));
    uint64_t r = seed ? seed : 1;
    gtoken tok[MAX_TOKENS];
    gpool pool[MAX_POOLS];
    int ntok = 0, npool = 0, n;
    static const uint8_t burn[32] = {0};
    for (int op = 0; op < nops; op++) {
        int a = 1 + (int)(sim_rand(&r) % (uint64_t)(naccounts - 1));
        int b = 1 + (int)(sim_rand(&r) % (uint64_t)(naccounts - 1));
        unsigned kind = (unsigned)(sim_rand(&r) % 100);
        if (ntok == 0 || (kind < 4 && ntok < MAX_TOKENS)) {
            smn_amount_t args[4] = {u(0x546f6b41 + (uint64_t)ntok), u(0x544b41 + (uint64_t)ntok),
                                    u(sim_rand(&r) % 19), u(1000000000 + sim_rand(&r) % 1000000)};
            int first = gen_call(s, a, sim_pub(s, a), vm_pid_token, VM_TOKEN_ETCH, 4, args, &n);
            memcpy(tok[ntok].id, s->blk[first + n - 1].b.hash, 32);
            tok[ntok++].etcher = a;
            continue;
        }
        int t = (int)(sim_rand(&r) % (uint64_t)ntok);
        smn_amount_t ref = vm_token_ref(tok[t].id);
        if (kind < 14) { /* mint, sometimes by the wrong account or over the cap */
            int who = kind < 12 ? tok[t].etcher : a;
            smn_amount_t args[2] = {ref,
                                    u(1 + sim_rand(&r) % (kind == 13 ? 2000000000ull : 200000))};
            gen_call(s, who, sim_pub(s, who), vm_pid_token, VM_TOKEN_MINT, 2, args, &n);
        } else if (kind < 34) { /* token transfer, sometimes above the balance */
            smn_amount_t args[2] = {ref, u(1 + sim_rand(&r) % 50000)};
            int from = sim_rand(&r) % 3 ? tok[t].etcher : a; /* mostly someone holding it */
            gen_call(s, from, sim_pub(s, b), vm_pid_token, VM_ASSET_TRANSFER, 2, args, &n);
        } else if (kind < 40) { /* burn smn for vSMN */
            sim_send(s, a, burn, u(1 + sim_rand(&r) % 1000000));
        } else if (kind < 46) { /* vSMN transfer */
            smn_amount_t args[1] = {u(1 + sim_rand(&r) % 300000)};
            gen_call(s, a, sim_pub(s, b), vm_pid_vsmn, VM_ASSET_TRANSFER, 1, args, &n);
        } else if (kind < 49 && npool < MAX_POOLS && ntok >= 2) { /* deploy a pool */
            uint8_t code[5 + 64];
            memcpy(code, "swap", 5); /* name and its 0 byte */
            int ta = (int)(sim_rand(&r) % (uint64_t)ntok);
            int tb = (kind == 48) ? -1 : (ta + 1) % ntok;
            memcpy(code + 5, asset_of(tok, ta), 32);
            memcpy(code + 37, asset_of(tok, tb), 32);
            uint8_t env[256];
            size_t len = env_deploy(VM_CODE_NATIVE, code, sizeof code, env, sizeof env);
            int first = sim_message(s, a, sim_pub(s, a), env, len, &n);
            gpool *p = &pool[npool++];
            memcpy(p->id, s->blk[first + n - 1].b.hash, 32);
            p->host = a;
            p->ta = ta;
            p->tb = tb;
            /* Seed the pool: the etcher of ta provides liquidity in both
             * assets (gets tb from its etcher, or burns smn for vSMN). */
            int lp = tok[ta].etcher;
            smn_amount_t liq = u(100000 + sim_rand(&r) % 100000);
            smn_amount_t ma[2] = {vm_token_ref(tok[ta].id), liq};
            gen_call(s, lp, sim_pub(s, lp), vm_pid_token, VM_TOKEN_MINT, 2, ma, &n);
            if (tb >= 0) {
                int eb = tok[tb].etcher;
                smn_amount_t mb[2] = {vm_token_ref(tok[tb].id), liq};
                gen_call(s, eb, sim_pub(s, eb), vm_pid_token, VM_TOKEN_MINT, 2, mb, &n);
                if (eb != lp) {
                    gen_call(s, eb, sim_pub(s, lp), vm_pid_token, VM_ASSET_TRANSFER, 2, mb, &n);
                    sim_receive_all(s, lp);
                }
                smn_amount_t d[5] = {vm_token_ref(tok[tb].id), liq, u(gen_prefix(p->id)),
                                     u(VM_SWAP_DEPOSIT), u(0)};
                gen_call(s, lp, sim_pub(s, a), vm_pid_token, VM_ASSET_TRANSFER_CALL, 5, d, &n);
            } else {
                sim_send(s, lp, burn, liq);
                smn_amount_t d[4] = {liq, u(gen_prefix(p->id)), u(VM_SWAP_DEPOSIT), u(0)};
                gen_call(s, lp, sim_pub(s, a), vm_pid_vsmn, VM_ASSET_TRANSFER_CALL, 4, d, &n);
            }
            smn_amount_t d[5] = {vm_token_ref(tok[ta].id), liq, u(gen_prefix(p->id)),
                                 u(VM_SWAP_DEPOSIT), u(0)};
            gen_call(s, lp, sim_pub(s, a), vm_pid_token, VM_ASSET_TRANSFER_CALL, 5, d, &n);
            sim_receive_all(s, a);
            smn_amount_t add[3] = {liq, liq, u(0)};
            gen_call(s, lp, sim_pub(s, a), p->id, VM_SWAP_ADD, 3, add, &n);
            sim_receive_all(s, a);
        } else if (kind < 75 && npool > 0) { /* pool traffic */
            gpool *p = &pool[sim_rand(&r) % (uint64_t)npool];
            const uint8_t *host = sim_pub(s, p->host);
            uint64_t pfx = gen_prefix(p->id);
            unsigned what = (unsigned)(sim_rand(&r) % 6);
            bool side_b = sim_rand(&r) & 1;
            int ti = side_b ? p->tb : p->ta;
            const uint8_t *prog = ti < 0 ? vm_pid_vsmn : vm_pid_token;
            smn_amount_t amt = u(1 + sim_rand(&r) % 40000);
            if (ti >= 0 && sim_rand(&r) % 4)
                a = tok[ti].etcher; /* mostly someone holding it */
            if (what <= 1) {        /* deposit or swap with attached tokens */
                smn_amount_t args[5];
                int k = 0;
                if (ti >= 0)
                    args[k++] = vm_token_ref(tok[ti].id);
                args[k++] = amt;
                args[k++] = u(pfx);
                args[k++] = u(what == 0 ? VM_SWAP_DEPOSIT : VM_SWAP_SWAP);
                args[k++] = u(what == 0 ? 0 : sim_rand(&r) % 50);
                gen_call(s, a, host, prog, VM_ASSET_TRANSFER_CALL, k, args, &n);
            } else if (what == 2) { /* add liquidity from deposits */
                a = tok[p->ta].etcher;
                smn_amount_t args[3] = {u(1 + sim_rand(&r) % 30000), u(1 + sim_rand(&r) % 30000),
                                        u(0)};
                gen_call(s, a, host, p->id, VM_SWAP_ADD, 3, args, &n);
            } else if (what == 3) { /* remove some shares */
                smn_amount_t args[3] = {u(1 + sim_rand(&r) % 20000), u(0), u(0)};
                gen_call(s, a, host, p->id, VM_SWAP_REMOVE, 3, args, &n);
            } else if (what == 4) { /* swap from deposits */
                smn_amount_t args[3] = {u(side_b), amt, u(0)};
                gen_call(s, a, host, p->id, VM_SWAP_SWAP_OWN, 3, args, &n);
            } else { /* host pays someone out */
                smn_amount_t args[3];
                int k = 0;
                if (ti >= 0)
                    args[k++] = vm_token_ref(tok[ti].id);
                args[k++] = u(1 + sim_rand(&r) % 20000);
                args[k++] = u(pfx);
                gen_call(s, p->host, sim_pub(s, a), prog, VM_ASSET_WITHDRAW, k, args, &n);
            }
        } else if (kind >= 76 && kind < 80) { /* token transfer, receives between its chunks */
            int t = (int)(sim_rand(&r) % (uint64_t)ntok);
            smn_amount_t args[2] = {vm_token_ref(tok[t].id), u(1 + sim_rand(&r) % 500)};
            gen_call_interleaved(s, a, kind < 78 ? a : b, vm_pid_token, VM_ASSET_TRANSFER, 2, args);
        } else if (kind < 80) { /* a plain payment */
            sim_send(s, a, sim_pub(s, b),
                     smn_amount_mul_wrap(smn_amount_one_smn(), u(1 + sim_rand(&r) % 5)));
        } else if (kind < 82) {
            sim_change(s, a);
        } else { /* receives, sometimes in the middle of nothing */
            sim_receive_all(s, a);
        }
        if (sim_rand(&r) % 4 == 0)
            sim_receive_all(s, b);
    }
    for (int i = 0; i < naccounts; i++)
        sim_receive_all(s, i);
    return s;
}
