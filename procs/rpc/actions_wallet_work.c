/* The wallet's work cache (control): work_get, work_set, wallet_work_get
 * (Nano's shapes; wallet_work.h holds the values). */
#include <stdlib.h>

#include "common/work.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/wallet_work.h"

/* The wallet named by "wallet" and the account of "account" that it holds;
 * NULL after answering. */
static wallet_store *wallet_account(rpc_call *c, const json_t *req, uint8_t id[WALLET_ID_BYTES],
                                    uint8_t account[32])
{
    if (!rpc_arg_account(c, req, "account", account))
        return NULL;
    wallet_store *ws = rpc_open_wallet(c, req, id);
    if (!ws)
        return NULL;
    wallet_status st = wallet_contains(ws, id, account);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return NULL;
    }
    return ws;
}

void rpc_action_work_get(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES], account[32];
    wallet_store *ws = wallet_account(c, req, id, account);
    if (!ws)
        return;
    uint64_t work;
    wallet_status st = wallet_work_get(ws, id, account, &work);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "work", rpc_json_work(work)));
}

void rpc_action_work_set(rpc_call *c, const json_t *req)
{
    const char *text = rpc_arg_string(c, req, "work");
    if (!text)
        return;
    uint64_t work;
    if (!smn_work_parse(text, &work)) {
        rpc_reply_error(c, "Bad work");
        return;
    }
    uint8_t id[WALLET_ID_BYTES], account[32];
    wallet_store *ws = wallet_account(c, req, id, account);
    if (!ws)
        return;
    wallet_status st = wallet_work_put(ws, id, account, work);
    if (st != WALLET_OK) {
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:s}", "success", ""));
}

void rpc_action_wallet_work_get(rpc_call *c, const json_t *req)
{
    uint8_t id[WALLET_ID_BYTES];
    uint8_t(*pubs)[32];
    size_t n;
    wallet_store *ws = rpc_open_wallet_accounts(c, req, id, &pubs, &n);
    if (!ws)
        return;
    wallet_status st = WALLET_OK;
    json_t *works = json_object();
    for (size_t i = 0; st == WALLET_OK && i < n; i++) {
        uint64_t work;
        st = wallet_work_get(ws, id, pubs[i], &work);
        if (st != WALLET_OK)
            break;
        json_t *acc = rpc_json_account(pubs[i]);
        json_object_set_new(works, json_string_value(acc), rpc_json_work(work));
        json_decref(acc);
    }
    free(pubs);
    if (st != WALLET_OK) {
        json_decref(works);
        rpc_reply_wallet_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "works", works));
}

typedef struct {
    const uint8_t *root;
    uint64_t difficulty;
} work_want;

static bool work_fits(void *user, uint64_t work)
{
    const work_want *w = user;
    return smn_work_value(w->root, work) >= w->difficulty;
}

bool rpc_cached_work(rpc_ctx *ctx, const uint8_t account[32], const uint8_t root[32],
                     uint64_t difficulty, uint64_t *work)
{
    wallet_store *ws = rpc_ctx_wallets(ctx);
    if (!ws)
        return false;
    work_want want = {root, difficulty};
    bool ok = false;
    return wallet_work_find(ws, account, work_fits, &want, work, &ok) == WALLET_OK && ok;
}
