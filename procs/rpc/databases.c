/* The databases behind the actions: the ledger, read-only (the ledger
 * process is its only writer and may create it after rpc starts), and the
 * wallet store, which the rpc process owns. Both open on first use. */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "ipc/ledgerdb/schema.h"
#include "procs/rpc/rpc.h"

void rpc_ctx_close_dbs(rpc_ctx *ctx)
{
    if (ctx->ledger) {
        ctx->ledger_steps_closed += ledger_ro_steps(ctx->ledger);
        ledger_ro_close(ctx->ledger);
        ctx->ledger = NULL;
    }
    if (ctx->wallets) {
        wallet_store_close(ctx->wallets);
        ctx->wallets = NULL;
    }
}

ledger_ro *rpc_ctx_ledger(rpc_ctx *ctx)
{
    if (ctx->ledger || !ctx->data_dir)
        return ctx->ledger;
    char path[4096], err[256] = "";
    snprintf(path, sizeof path, "%s/%s", ctx->data_dir, LEDGER_DB_FILENAME);
    ledger_status st = ledger_ro_open(path, ctx->cfg.net, &ctx->ledger, err, sizeof err);
    if (st != LEDGER_STATUS_OK) {
        ctx->ledger = NULL;
        smn_warn("rpc: cannot open the ledger %s: %s", path, err[0] ? err : ledger_strerror(st));
    }
    return ctx->ledger;
}

void rpc_ctx_ledger_reset(rpc_ctx *ctx)
{
    if (ctx->ledger)
        ctx->ledger_steps_closed += ledger_ro_steps(ctx->ledger);
    ledger_ro_close(ctx->ledger);
    ctx->ledger = NULL;
}

uint64_t rpc_ctx_ledger_steps(const rpc_ctx *ctx)
{
    return ctx->ledger_steps_closed + (ctx->ledger ? ledger_ro_steps(ctx->ledger) : 0);
}

ledger_ro *rpc_ledger(rpc_call *c)
{
    ledger_ro *l = rpc_ctx_ledger(c->ctx);
    if (!l)
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", "Ledger unavailable"));
    return l;
}

void rpc_reply_ledger_error(rpc_call *c, ledger_status st)
{
    rpc_ctx *ctx = c->ctx;
    smn_warn("rpc: ledger read failed in %s: %s%s%s", c->action ? c->action : "?",
             ledger_strerror(st), ctx->ledger ? ": " : "",
             ctx->ledger ? ledger_ro_errmsg(ctx->ledger) : "");
    rpc_ctx_ledger_reset(ctx);
    rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Ledger read failed"));
}

static bool found(rpc_call *c, ledger_status st, const char *missing)
{
    if (st == LEDGER_STATUS_NOT_FOUND)
        rpc_reply_error(c, missing);
    else if (st != LEDGER_STATUS_OK)
        rpc_reply_ledger_error(c, st);
    return st == LEDGER_STATUS_OK;
}

bool rpc_ledger_account(rpc_call *c, ledger_ro *l, const uint8_t account[32],
                        ledger_account_info *out)
{
    return found(c, ledger_ro_account_info(l, account, out), "Account not found");
}

bool rpc_ledger_block(rpc_call *c, ledger_ro *l, const uint8_t hash[32], ledger_block_record *out)
{
    return found(c, ledger_ro_block(l, hash, out), "Block not found");
}

wallet_store *rpc_ctx_wallets(rpc_ctx *ctx)
{
    if (ctx->wallets || !ctx->data_dir)
        return ctx->wallets;
    wallet_status st = wallet_store_open(ctx->data_dir, false, &ctx->wallets);
    if (st != WALLET_OK) {
        ctx->wallets = NULL;
        smn_warn("rpc: cannot open the wallet store in %s: %s", ctx->data_dir, wallet_strerror(st));
        return NULL;
    }
    /* As Nano: wallets without a password are usable right away. This runs
     * on the loop, so only for wallets whose limits cost at most the
     * interactive ones (the dev demo wallet's, the default): a heavier one
     * stays locked until password_enter, which derives off the loop. */
    wallet_kdf cap = wallet_kdf_interactive();
    wallet_unlock_all_upto(ctx->wallets, "", &cap);
    return ctx->wallets;
}

wallet_store *rpc_wallets(rpc_call *c)
{
    wallet_store *ws = rpc_ctx_wallets(c->ctx);
    if (!ws)
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", "Wallet store unavailable"));
    return ws;
}
