/* Proof of work for actions: work_generate, work_cancel, and the helper
 * that wallet actions use. The search runs on the context's work pool
 * (work_pool.h), never on the event loop; the call is answered when the
 * pool hands the nonce back. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/u128.h"
#include "common/work.h"
#include "procs/rpc/rpc.h"

void rpc_ctx_set_work_pool(rpc_ctx *ctx, rpc_work_pool *pool)
{
    ctx->work = pool;
}

rpc_work_pool *rpc_ctx_work_pool(const rpc_ctx *ctx)
{
    return ctx->work;
}

void rpc_ctx_set_account_busy(rpc_ctx *ctx, rpc_account_busy_fn fn, void *user)
{
    ctx->account_busy = fn;
    ctx->account_busy_user = user;
}

/* Nano's max_work_generate_multiplier default. */
#define WORK_MAX_MULTIPLIER 64u

uint64_t rpc_ctx_work_max_difficulty(const rpc_ctx *ctx)
{
    if (ctx->cfg.work_max_difficulty)
        return ctx->cfg.work_max_difficulty;
    /* multiplier m: 2^64 - (2^64 - base) / m */
    uint64_t base = smn_work_threshold(ctx->cfg.net, false);
    return UINT64_MAX - (UINT64_MAX - base) / WORK_MAX_MULTIPLIER;
}

uint64_t rpc_ctx_wallet_difficulty(const rpc_ctx *ctx, bool receive_or_open)
{
    uint64_t t = smn_work_threshold(ctx->cfg.net, receive_or_open);
    return ctx->cfg.wallet_work_difficulty > t ? ctx->cfg.wallet_work_difficulty : t;
}

static void on_work(void *user, int status, uint64_t nonce)
{
    rpc_call *c = user;
    c->work_job = NULL;
    c->work_fn(c, status, nonce);
}

bool rpc_call_work(rpc_call *c, const uint8_t root[32], uint64_t difficulty,
                   void (*fn)(rpc_call *c, int status, uint64_t nonce))
{
    rpc_ctx *ctx = c->ctx;
    if (!ctx->work) {
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", "Work generation unavailable"));
        return false;
    }
    memcpy(c->work_root, root, 32);
    c->work_fn = fn;
    /* A wallet block whose account has work cached for this root (work_set)
     * needs no search. */
    uint64_t cached;
    if (c->work_block_set &&
        rpc_cached_work(ctx, c->work_block.account, root, difficulty, &cached)) {
        fn(c, 0, cached);
        return true;
    }
    int rc = rpc_work_pool_submit(ctx->work, root, difficulty, c->client, on_work, c, &c->work_job);
    if (rc == -EBUSY) {
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", "Work queue full, retry later"));
        return false;
    }
    if (rc == -EAGAIN) {
        rpc_reply_status(
            c, 503,
            json_pack("{s:s}", "error", "Too many work requests from this client, retry later"));
        return false;
    }
    if (rc != 0) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return false;
    }
    rpc_call_go_pending(c);
    return true;
}

/* Nano's multiplier: (2^64 - base) / (2^64 - value), as a decimal string with
 * up to six places, computed in integers. */
json_t *rpc_json_multiplier(uint64_t base, uint64_t value)
{
    const smn_u128 two64 = smn_u128_make(1, 0);
    smn_u128 num = smn_u128_mul_wrap(smn_u128_sub_wrap(two64, smn_u128_from_u64(base)),
                                     smn_u128_from_u64(1000000u));
    smn_u128 den = smn_u128_sub_wrap(two64, smn_u128_from_u64(value)); /* >= 1 */
    smn_u128 q = smn_u128_zero(), whole = smn_u128_zero();
    uint64_t frac = 0;
    smn_u128_divmod(num, den, &q, NULL);
    smn_u128_divmod_u64(q, 1000000u, &whole, &frac);
    unsigned long long ip = (unsigned long long)whole.lo;
    char buf[48];
    int n = snprintf(buf, sizeof buf, "%llu.%06u", ip, (unsigned)frac);
    /* trim trailing zeros, keep one decimal place: "1.0", "2.5" */
    while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
        buf[--n] = '\0';
    return json_string(buf);
}

json_t *rpc_json_difficulty(uint64_t v)
{
    return rpc_json_work(v); /* Nano writes difficulties as it writes work */
}

/* Optional "difficulty": 16 hex digits; default the send threshold. */
bool rpc_arg_difficulty(rpc_call *c, const json_t *req, uint64_t dflt, uint64_t *out)
{
    json_t *v = json_object_get(req, "difficulty");
    *out = dflt;
    if (!v)
        return true;
    if (!json_is_string(v) || !smn_work_parse(json_string_value(v), out)) {
        rpc_reply_error(c, "Bad difficulty");
        return false;
    }
    return true;
}

static void work_generated(rpc_call *c, int status, uint64_t nonce)
{
    if (status != 0) {
        rpc_reply_error(c, "Work generation cancellation or failure");
        return;
    }
    const smn_network *net = rpc_ctx_net(c->ctx);
    uint64_t value = smn_work_value(c->work_root, nonce);
    json_t *o = json_object();
    json_object_set_new(o, "work", rpc_json_work(nonce));
    json_object_set_new(o, "difficulty", rpc_json_difficulty(value));
    json_object_set_new(o, "multiplier",
                        rpc_json_multiplier(smn_work_threshold(net, false), value));
    json_object_set_new(o, "hash", rpc_json_hash(c->work_root));
    rpc_reply(c, o);
}

void rpc_action_work_generate(rpc_call *c, const json_t *req)
{
    rpc_ctx *ctx = rpc_call_ctx(c);
    const smn_network *net = rpc_ctx_net(ctx);
    uint8_t root[32];
    uint64_t difficulty;
    if (!rpc_arg_hash(c, req, "hash", root) ||
        !rpc_arg_difficulty(c, req, smn_work_threshold(net, false), &difficulty))
        return;
    /* A difficulty below the receive threshold would produce work the
     * network rejects anyway. */
    if (difficulty < smn_work_threshold(net, true)) {
        rpc_reply_error(c, "Difficulty below the network minimum");
        return;
    }
    uint64_t max = rpc_ctx_work_max_difficulty(ctx);
    if (difficulty > max) {
        char msg[96], hex[17];
        smn_work_format(max, hex);
        snprintf(msg, sizeof msg, "Difficulty above the configured maximum (%s)", hex);
        rpc_reply_error(c, msg);
        return;
    }
    rpc_call_work(c, root, difficulty, work_generated);
}

/* Nano's work_cancel: stops every work_generate (and wallet block) waiting
 * for work on this root; those calls answer "Work generation cancellation
 * or failure". Answers {"success": ""} whether or not anything ran. */
void rpc_action_work_cancel(rpc_call *c, const json_t *req)
{
    uint8_t root[32];
    if (!rpc_arg_hash(c, req, "hash", root))
        return;
    rpc_ctx *ctx = rpc_call_ctx(c);
    if (ctx->work)
        rpc_work_pool_cancel_root(ctx->work, root);
    rpc_reply(c, json_pack("{s:s}", "success", ""));
}
