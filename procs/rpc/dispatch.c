/* Request context, the action table and dispatch: JSON text in, one answer
 * out through the call's done callback. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "procs/rpc/rpc.h"

static const rpc_action action_table[] = {
    /* sorted by name: rpc_action_find bisects */
    {"account_balance", rpc_action_account_balance, 0, "account include_only_confirmed"},
    {"account_block_count", rpc_action_account_block_count, 0, "account"},
    {"account_create", rpc_action_account_create, RPC_ACTION_CONTROL, "wallet index"},
    {"account_get", rpc_action_account_get, 0, "key"},
    {"account_history", rpc_action_account_history, 0,
     "account count offset raw reverse head account_filter"},
    {"account_info", rpc_action_account_info, 0,
     "account representative weight receivable pending include_confirmed"},
    {"account_key", rpc_action_account_key, 0, "account"},
    {"account_list", rpc_action_account_list, RPC_ACTION_CONTROL, "wallet"},
    {"account_move", rpc_action_account_move, RPC_ACTION_CONTROL, "wallet source accounts"},
    {"account_remove", rpc_action_account_remove, RPC_ACTION_CONTROL, "wallet account"},
    {"account_representative", rpc_action_account_representative, 0, "account"},
    {"account_representative_set", rpc_action_account_representative_set, RPC_ACTION_CONTROL,
     "wallet account representative"},
    {"account_weight", rpc_action_account_weight, 0, "account"},
    {"accounts_balances", rpc_action_accounts_balances, 0, "accounts include_only_confirmed"},
    {"accounts_create", rpc_action_accounts_create, RPC_ACTION_CONTROL, "wallet count"},
    {"accounts_frontiers", rpc_action_accounts_frontiers, 0, "accounts"},
    {"accounts_pending", rpc_action_accounts_receivable, 0,
     "accounts count threshold source include_only_confirmed sorting"},
    {"accounts_receivable", rpc_action_accounts_receivable, 0,
     "accounts count threshold source include_only_confirmed sorting"},
    {"accounts_representatives", rpc_action_accounts_representatives, 0, "accounts"},
    {"available_supply", rpc_action_available_supply, 0, ""},
    {"block_account", rpc_action_block_account, 0, "hash"},
    {"block_confirm", rpc_action_block_confirm, 0, "hash"},
    {"block_count", rpc_action_block_count, 0, ""},
    {"block_create", rpc_action_block_create, RPC_ACTION_CONTROL,
     "type balance representative link previous work key wallet account json_block"},
    {"block_hash", rpc_action_block_hash, 0, "block json_block"},
    {"block_info", rpc_action_block_info, 0, "hash json_block"},
    {"blocks", rpc_action_blocks, 0, "hashes json_block"},
    {"blocks_info", rpc_action_blocks_info, 0, "hashes json_block include_not_found"},
    {"bootstrap", rpc_action_bootstrap, RPC_ACTION_CONTROL, "address port"},
    {"bootstrap_any", rpc_action_bootstrap_any, RPC_ACTION_CONTROL, ""},
    {"bootstrap_lazy", rpc_action_bootstrap_lazy, RPC_ACTION_CONTROL, "hash"},
    {"bootstrap_status", rpc_action_bootstrap_status, 0, ""},
    {"chain", rpc_action_chain, 0, "block count offset reverse"},
    {"confirmation_active", rpc_action_confirmation_active, 0, "count after"},
    {"confirmation_history", rpc_action_confirmation_history, 0, "hash"},
    {"confirmation_info", rpc_action_confirmation_info, 0, "root contents json_block"},
    {"confirmation_quorum", rpc_action_confirmation_quorum, 0, "peer_details"},
    {"delegators", rpc_action_delegators, 0, "account threshold count start"},
    {"delegators_count", rpc_action_delegators_count, 0, "account start"},
    {"deterministic_key", rpc_action_deterministic_key, 0, "seed index"},
    {"election_statistics", rpc_action_election_statistics, 0, ""},
    {"frontier_count", rpc_action_frontier_count, 0, ""},
    {"frontiers", rpc_action_frontiers, 0, "account count"},
    {"keepalive", rpc_action_keepalive, RPC_ACTION_CONTROL, "address port"},
    {"key_create", rpc_action_key_create, 0, ""},
    {"key_expand", rpc_action_key_expand, 0, "key"},
    {"ledger", rpc_action_ledger, RPC_ACTION_CONTROL,
     "account count representative weight receivable pending modified_since threshold"},
    {"nano_to_raw", rpc_action_smn_to_raw, 0, "amount"},
    {"node_id", rpc_action_node_id, RPC_ACTION_CONTROL, ""},
    {"password_change", rpc_action_password_change, RPC_ACTION_CONTROL, "wallet password"},
    {"password_enter", rpc_action_password_enter, RPC_ACTION_CONTROL, "wallet password"},
    {"password_valid", rpc_action_password_valid, RPC_ACTION_CONTROL, "wallet"},
    {"peers", rpc_action_peers, 0, "peer_details"},
    {"pending", rpc_action_receivable, 0,
     "account wallet count threshold source include_only_confirmed sorting"},
    {"pending_exists", rpc_action_receivable_exists, 0, "hash include_only_confirmed"},
    {"populate_backlog", rpc_action_populate_backlog, RPC_ACTION_CONTROL, ""},
    {"process", rpc_action_process, 0, "block json_block subtype"},
    {"raw_to_nano", rpc_action_raw_to_smn, 0, "amount"},
    {"raw_to_smn", rpc_action_raw_to_smn, 0, "amount"},
    {"receivable", rpc_action_receivable, 0,
     "account wallet count threshold source include_only_confirmed sorting"}, /* with "wallet":
                                                                                 checks control
                                                                                 itself */
    {"receivable_exists", rpc_action_receivable_exists, 0, "hash include_only_confirmed"},
    {"receive", rpc_action_receive, RPC_ACTION_CONTROL, "wallet account block"},
    {"receive_minimum", rpc_action_receive_minimum, RPC_ACTION_CONTROL, ""},
    {"receive_minimum_set", rpc_action_receive_minimum_set, RPC_ACTION_CONTROL, "amount"},
    {"representatives", rpc_action_representatives, 0, "count sorting"},
    {"representatives_online", rpc_action_representatives_online, 0, "weight accounts"},
    {"republish", rpc_action_republish, RPC_ACTION_CONTROL, "hash count sources destinations"},
    {"search_pending", rpc_action_search_receivable, RPC_ACTION_CONTROL, "wallet"},
    {"search_pending_all", rpc_action_search_receivable, RPC_ACTION_CONTROL, ""},
    {"search_receivable", rpc_action_search_receivable, RPC_ACTION_CONTROL, "wallet"},
    {"search_receivable_all", rpc_action_search_receivable, RPC_ACTION_CONTROL, ""},
    {"send", rpc_action_send, RPC_ACTION_CONTROL, "wallet source destination amount id"},
    {"sign", rpc_action_sign, RPC_ACTION_CONTROL, "block key wallet account json_block"},
    {"smn_to_raw", rpc_action_smn_to_raw, 0, "amount"},
    {"stats", rpc_action_stats, 0, "type"},
    {"stats_clear", rpc_action_stats_clear, RPC_ACTION_CONTROL, ""},
    {"stop", rpc_action_stop, RPC_ACTION_CONTROL, ""},
    {"successors", rpc_action_chain, 0, "block count offset reverse"},
    {"telemetry", rpc_action_telemetry, 0, "raw address port"},
    {"unchecked", rpc_action_unchecked, 0, "count json_block"},
    {"unchecked_clear", rpc_action_unchecked_clear, RPC_ACTION_CONTROL, ""},
    {"unchecked_get", rpc_action_unchecked_get, 0, "hash json_block"},
    {"unchecked_keys", rpc_action_unchecked_keys, 0, "key count json_block"},
    {"unopened", rpc_action_unopened, RPC_ACTION_CONTROL, "account count threshold"},
    {"uptime", rpc_action_uptime, 0, ""},
    {"validate_account_number", rpc_action_validate_account_number, 0, "account"},
    {"version", rpc_action_version, 0, ""},
    {"vm_balances", rpc_action_vm_balances, 0, "account program box"},
    {"vm_boxes", rpc_action_vm_boxes, 0, "program from count"},
    {"vm_events", rpc_action_vm_events, 0, "from count program session type account"},
    {"vm_message", rpc_action_vm_message, 0,
     "message payload kind session seq program method args iteration asm code native asset_a "
     "asset_b op target_seq data root height subject claim recipient"},
    {"vm_message_status", rpc_action_vm_message_status, 0, "message"},
    {"vm_program_info", rpc_action_vm_program_info, 0, "program"},
    {"vm_programs", rpc_action_vm_programs, 0, "count after"},
    {"vm_send", rpc_action_vm_send, RPC_ACTION_CONTROL,
     "wallet source destination from_chunk message payload kind session seq program method args "
     "iteration asm code native asset_a asset_b op target_seq data root height subject claim "
     "recipient"},
    {"vm_state", rpc_action_vm_state, 0, "program session seq"},
    {"vm_storage", rpc_action_vm_storage, 0, "program count after"},
    {"vm_token", rpc_action_vm_token, 0, "token"},
    {"vm_view", rpc_action_vm_view, 0, "program method args caller gas"},
    {"wallet_add", rpc_action_wallet_add, RPC_ACTION_CONTROL, "wallet key"},
    {"wallet_add_watch", rpc_action_wallet_add_watch, RPC_ACTION_CONTROL, "wallet accounts"},
    {"wallet_balances", rpc_action_wallet_balances, RPC_ACTION_CONTROL,
     "wallet threshold include_only_confirmed"},
    {"wallet_change_seed", rpc_action_wallet_change_seed, RPC_ACTION_CONTROL, "wallet seed count"},
    {"wallet_contains", rpc_action_wallet_contains, RPC_ACTION_CONTROL, "wallet account"},
    {"wallet_create", rpc_action_wallet_create, RPC_ACTION_CONTROL, "seed"},
    {"wallet_destroy", rpc_action_wallet_destroy, RPC_ACTION_CONTROL, "wallet"},
    {"wallet_export", rpc_action_wallet_export, RPC_ACTION_CONTROL, "wallet"},
    {"wallet_frontiers", rpc_action_wallet_frontiers, RPC_ACTION_CONTROL, "wallet"},
    {"wallet_history", rpc_action_wallet_history, RPC_ACTION_CONTROL, "wallet modified_since"},
    {"wallet_info", rpc_action_wallet_info, RPC_ACTION_CONTROL, "wallet include_only_confirmed"},
    {"wallet_ledger", rpc_action_wallet_ledger, RPC_ACTION_CONTROL, "wallet modified_since"},
    {"wallet_list", rpc_action_wallet_list, RPC_ACTION_CONTROL, ""},
    {"wallet_lock", rpc_action_wallet_lock, RPC_ACTION_CONTROL, "wallet"},
    {"wallet_locked", rpc_action_wallet_locked, RPC_ACTION_CONTROL, "wallet"},
    {"wallet_pending", rpc_action_wallet_receivable, RPC_ACTION_CONTROL,
     "wallet count threshold source include_only_confirmed sorting"},
    {"wallet_receivable", rpc_action_wallet_receivable, RPC_ACTION_CONTROL,
     "wallet count threshold source include_only_confirmed sorting"},
    {"wallet_representative", rpc_action_wallet_representative, RPC_ACTION_CONTROL, "wallet"},
    {"wallet_representative_set", rpc_action_wallet_representative_set, RPC_ACTION_CONTROL,
     "wallet representative"},
    {"wallet_republish", rpc_action_wallet_republish, RPC_ACTION_CONTROL, "wallet count"},
    {"wallet_work_get", rpc_action_wallet_work_get, RPC_ACTION_CONTROL, "wallet"},
    {"work_cancel", rpc_action_work_cancel, RPC_ACTION_CONTROL, "hash"},
    {"work_generate", rpc_action_work_generate, RPC_ACTION_CONTROL, "hash difficulty"},
    {"work_get", rpc_action_work_get, RPC_ACTION_CONTROL, "wallet account"},
    {"work_set", rpc_action_work_set, RPC_ACTION_CONTROL, "wallet account work"},
    {"work_validate", rpc_action_work_validate, 0, "hash work difficulty"},
};

const rpc_action *rpc_actions(size_t *n)
{
    *n = sizeof action_table / sizeof action_table[0];
    return action_table;
}

const rpc_action *rpc_action_find(const char *name)
{
    size_t lo = 0, hi = sizeof action_table / sizeof action_table[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, action_table[mid].name);
        if (c == 0)
            return &action_table[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* ---- answering ---- */

/* Answers and frees the call: an action answers exactly once (the call no
 * longer exists afterwards, so there is nothing a second answer could check). */
static void call_finish(rpc_call *c, int status, json_t *obj)
{
    char *text = NULL;
    if (obj)
        text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!text) {
        status = 500;
        text = strdup("{\"error\":\"Internal error\"}");
    }
    rpc_ctx *ctx = c->ctx;
    if (c->pending) {
        /* unlink from the context's pending list */
        rpc_call **pp = &ctx->pending;
        while (*pp && *pp != c)
            pp = &(*pp)->next_pending;
        if (*pp)
            *pp = c->next_pending;
    }
    rpc_done_fn done = c->done;
    void *arg = c->done_arg;
    wallet_draft_free(c->kdf_draft);
    free(c->net_req.blocks);
    json_decref(c->net_req.answer);
    free(c);
    if (text)
        done(arg, status, text);
}

void rpc_reply_status(rpc_call *c, int http_status, json_t *obj)
{
    call_finish(c, http_status, obj);
}

void rpc_reply(rpc_call *c, json_t *obj)
{
    call_finish(c, 200, obj);
}

void rpc_reply_error(rpc_call *c, const char *msg)
{
    call_finish(c, 200, json_pack("{s:s}", "error", msg));
}

static void reply_error_status(rpc_call *c, int status, const char *msg)
{
    call_finish(c, status, json_pack("{s:s}", "error", msg));
}

rpc_net_request *rpc_call_net_request(rpc_call *c)
{
    return &c->net_req;
}

const rpc_election_query *rpc_call_election_query(const rpc_call *c)
{
    return &c->election;
}

rpc_ctx *rpc_call_ctx(rpc_call *c)
{
    return c->ctx;
}

void rpc_call_go_pending(rpc_call *c)
{
    if (c->pending)
        return;
    c->pending = true;
    c->next_pending = c->ctx->pending;
    c->ctx->pending = c;
}

/* ---- dispatch ---- */

int rpc_handle_async(rpc_ctx *ctx, const char *body, size_t len, rpc_done_fn done, void *arg)
{
    return rpc_handle_async_from(ctx, "", body, len, done, arg);
}

int rpc_handle_async_from(rpc_ctx *ctx, const char *client, const char *body, size_t len,
                          rpc_done_fn done, void *arg)
{
    rpc_call *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->ctx = ctx;
    snprintf(c->client, sizeof c->client, "%s", client ? client : "");
    c->done = done;
    c->done_arg = arg;

    if (len > RPC_MAX_BODY_BYTES) {
        reply_error_status(c, 413, "Request body too large");
        return 0;
    }
    json_error_t jerr;
    /* JSON_REJECT_DUPLICATES: one meaning per field, no "last one wins". */
    json_t *req = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!req || !json_is_object(req)) {
        json_decref(req);
        reply_error_status(c, 400, "Unable to parse JSON");
        return 0;
    }
    json_t *action = json_object_get(req, "action");
    if (!json_is_string(action)) {
        json_decref(req);
        reply_error_status(c, 400, "Unable to parse JSON");
        return 0;
    }
    const rpc_action *a = rpc_action_find(json_string_value(action));
    if (!a) {
        /* A Nano action smn does not offer says why, not "Unknown command". */
        const char *reason = rpc_action_refused(json_string_value(action));
        char msg[256];
        if (reason)
            snprintf(msg, sizeof msg, "%.64s is not offered by smn: %s", json_string_value(action),
                     reason);
        json_decref(req);
        rpc_reply_error(c, reason ? msg : "Unknown command");
        return 0;
    }
    c->action = a->name;
    if ((a->flags & RPC_ACTION_CONTROL) && !ctx->cfg.enable_control) {
        json_decref(req);
        rpc_reply_error(c, "RPC control is disabled");
        return 0;
    }
    if (!rpc_args_known(c, req, a->fields)) {
        json_decref(req);
        return 0;
    }
    /* The action may answer now or later; after this line `c` may be gone. */
    a->fn(c, req);
    json_decref(req);
    return 0;
}

typedef struct {
    bool done;
    int status;
    char *text;
} sync_result;

static void sync_done(void *arg, int status, char *text)
{
    sync_result *r = arg;
    if (!r) {
        free(text); /* a late answer to an abandoned synchronous call */
        return;
    }
    r->done = true;
    r->status = status;
    r->text = text;
}

int rpc_handle(rpc_ctx *ctx, const char *body, size_t len, int *http_status, char **json_out)
{
    sync_result r = {0};
    rpc_call *before = ctx->pending;
    int rc = rpc_handle_async(ctx, body, len, sync_done, &r);
    if (rc != 0)
        return rc;
    if (!r.done) {
        /* The new pending call is at the head of the list: detach it from r. */
        if (ctx->pending && ctx->pending != before)
            ctx->pending->done_arg = NULL;
        return -EINPROGRESS;
    }
    *http_status = r.status;
    *json_out = r.text;
    return 0;
}

/* ---- context ---- */

rpc_ctx *rpc_ctx_new(const rpc_config *cfg)
{
    if (!cfg || !cfg->net)
        return NULL;
    rpc_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->cfg = *cfg;
    ctx->stats = calloc(1, sizeof *ctx->stats);
    if (!ctx->stats) {
        free(ctx);
        return NULL;
    }
    if (cfg->data_dir) {
        ctx->data_dir = strdup(cfg->data_dir);
        if (!ctx->data_dir) {
            free(ctx->stats);
            free(ctx);
            return NULL;
        }
        ctx->cfg.data_dir = ctx->data_dir;
    }
    ctx->started_ns = rpc_monotonic_ns();
    ctx->receive_minimum = cfg->receive_minimum;
    return ctx;
}

void rpc_ctx_free(rpc_ctx *ctx)
{
    if (!ctx)
        return;
    while (ctx->pending) {
        rpc_call *c = ctx->pending;
        /* A submission still refers to the call: cut it loose so a late
         * rpc_submission_done becomes a no-op that only frees it. */
        if (c->submission)
            c->submission->call = NULL;
        /* Likewise a search still running for it: its answer is not wanted. */
        if (c->work_job && ctx->work)
            rpc_work_pool_abandon(ctx->work, c->work_job);
        c->work_job = NULL;
        /* And a key derivation. */
        if (c->kdf_job && ctx->kdf)
            rpc_kdf_pool_abandon(ctx->kdf, c->kdf_job);
        c->kdf_job = NULL;
        reply_error_status(c, 503, "Shutting down");
    }
    rpc_ctx_close_dbs(ctx);
    free(ctx->data_dir);
    free(ctx->stats);
    free(ctx);
}

void rpc_ctx_set_submit(rpc_ctx *ctx, rpc_submit_fn fn, void *user)
{
    ctx->submit = fn;
    ctx->submit_user = user;
}

void rpc_ctx_set_node_ops(rpc_ctx *ctx, rpc_node_op_fn fn, void *user)
{
    ctx->node_op = fn;
    ctx->node_op_user = user;
}

rpc_node_stats *rpc_ctx_stats(rpc_ctx *ctx)
{
    return ctx->stats;
}

bool rpc_stats_fresh(uint64_t at_ns)
{
    return at_ns != 0 && rpc_monotonic_ns() - at_ns <= RPC_STATS_STALE_NS;
}

smn_amount_t rpc_ctx_receive_minimum(const rpc_ctx *ctx)
{
    return ctx->receive_minimum;
}

const smn_network *rpc_ctx_net(const rpc_ctx *ctx)
{
    return ctx->cfg.net;
}
