/* Argon2id for actions: the helper the wallet actions use to derive a
 * password key on the context's KDF pool (kdf_pool.h), never on the event
 * loop; the call stays pending until the pool hands the key back. */
#include <errno.h>

#include "procs/rpc/rpc.h"

void rpc_ctx_set_kdf_pool(rpc_ctx *ctx, rpc_kdf_pool *pool)
{
    ctx->kdf = pool;
}

rpc_kdf_pool *rpc_ctx_kdf_pool(const rpc_ctx *ctx)
{
    return ctx->kdf;
}

static void on_key(void *user, int status, const uint8_t key[WALLET_KEY_BYTES])
{
    rpc_call *c = user;
    c->kdf_job = NULL;
    c->kdf_fn(c, status, key);
}

bool rpc_call_kdf(rpc_call *c, const char *password, const wallet_kdf_params *p,
                  void (*fn)(rpc_call *c, int status, const uint8_t key[WALLET_KEY_BYTES]))
{
    rpc_ctx *ctx = c->ctx;
    if (!ctx->kdf) {
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", "Key derivation unavailable"));
        return false;
    }
    c->kdf_fn = fn;
    c->kdf_params = *p;
    int rc = rpc_kdf_pool_submit(ctx->kdf, password, p->salt, &p->kdf, on_key, c, &c->kdf_job);
    if (rc == -EBUSY) {
        rpc_reply_status(c, 503,
                         json_pack("{s:s}", "error", "Key derivation queue full, retry later"));
        return false;
    }
    if (rc == -EINVAL) {
        /* the limits come from the store or the config, both checked: only
         * the password's length is left */
        rpc_reply_error(c, "Password too long");
        return false;
    }
    if (rc != 0) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return false;
    }
    rpc_call_go_pending(c);
    return true;
}
