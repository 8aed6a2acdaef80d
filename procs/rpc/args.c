/* Decoders for request fields and builders for response fields, shared by
 * every action: each byte a client sends is checked here once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/address.h"
#include "common/block_json.h"
#include "common/hex.h"
#include "procs/rpc/rpc.h"

uint64_t rpc_boottime_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (uint64_t)ts.tv_sec;
}

uint64_t rpc_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t rpc_node_uptime_s(const rpc_ctx *ctx)
{
    uint64_t now = rpc_boottime_s(), start = ctx->cfg.node_started_boot_s;
    if (start && start <= now)
        return now - start;
    return (rpc_monotonic_ns() - ctx->started_ns) / 1000000000ull;
}

json_t *rpc_json_node_id(const uint8_t id[32])
{
    /* Nano shows node ids as node_ + the account encoding of the key */
    char addr[SMN_ADDRESS_STRLEN];
    smn_address_encode(id, addr);
    const char *us = strchr(addr, '_');
    char buf[SMN_ADDRESS_STRLEN + 8];
    snprintf(buf, sizeof buf, "node_%s", us ? us + 1 : addr);
    return json_string(buf);
}

uint64_t rpc_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void reply_missing(rpc_call *c, const char *key)
{
    char msg[96];
    snprintf(msg, sizeof msg, "Missing field: %s", key);
    rpc_reply_error(c, msg);
}

const char *rpc_arg_string(rpc_call *c, const json_t *req, const char *key)
{
    json_t *v = json_object_get(req, key);
    if (!v) {
        reply_missing(c, key);
        return NULL;
    }
    if (!json_is_string(v)) {
        char msg[96];
        snprintf(msg, sizeof msg, "Bad %s", key);
        rpc_reply_error(c, msg);
        return NULL;
    }
    return json_string_value(v);
}

bool rpc_arg_account(rpc_call *c, const json_t *req, const char *key, uint8_t pub[32])
{
    json_t *v = json_object_get(req, key);
    if (!v) {
        reply_missing(c, key);
        return false;
    }
    if (!json_is_string(v) || smn_address_decode(json_string_value(v), pub) != SMN_ADDRESS_OK) {
        rpc_reply_error(c, "Bad account number");
        return false;
    }
    return true;
}

bool rpc_arg_hash(rpc_call *c, const json_t *req, const char *key, uint8_t hash[32])
{
    json_t *v = json_object_get(req, key);
    if (!v) {
        reply_missing(c, key);
        return false;
    }
    if (!json_is_string(v) || !smn_hex_decode(json_string_value(v), hash, 32)) {
        rpc_reply_error(c, "Bad block hash");
        return false;
    }
    return true;
}

bool rpc_arg_amount(rpc_call *c, const json_t *req, const char *key, smn_amount_t *out)
{
    json_t *v = json_object_get(req, key);
    if (!v) {
        reply_missing(c, key);
        return false;
    }
    if (!json_is_string(v) || smn_amount_parse_raw(json_string_value(v), out) != SMN_AMOUNT_OK) {
        rpc_reply_error(c, "Bad amount number");
        return false;
    }
    return true;
}

/* Decimal digits only, no sign, no leading '+', at most 20 digits; false on
 * overflow. */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s || strlen(s) > 20)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool json_u64(const json_t *v, uint64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0)
            return false;
        *out = (uint64_t)i;
        return true;
    }
    return json_is_string(v) && parse_u64(json_string_value(v), out);
}

bool rpc_arg_u64(rpc_call *c, const json_t *req, const char *key, const char *errmsg, uint64_t *out)
{
    json_t *v = json_object_get(req, key);
    if (!v)
        return true;
    if (!json_u64(v, out)) {
        rpc_reply_error(c, errmsg);
        return false;
    }
    return true;
}

bool rpc_arg_count(rpc_call *c, const json_t *req, const char *key, uint64_t dflt, uint64_t max,
                   uint64_t *out)
{
    uint64_t v = dflt;
    json_t *j = json_object_get(req, key);
    if (j && !json_u64(j, &v)) {
        rpc_reply_error(c, "Invalid count limit");
        return false;
    }
    if (v == 0)
        v = dflt;
    if (v > max) {
        rpc_reply_error(c, "Invalid count limit");
        return false;
    }
    *out = v;
    return true;
}

bool rpc_arg_count_all(rpc_call *c, const json_t *req, const char *key, uint64_t dflt, uint64_t max,
                       uint64_t *out, bool *all)
{
    json_t *j = json_object_get(req, key);
    *all = (json_is_integer(j) && json_integer_value(j) == -1) ||
           (json_is_string(j) && strcmp(json_string_value(j), "-1") == 0);
    if (*all) {
        *out = max;
        return true;
    }
    return rpc_arg_count(c, req, key, dflt, max, out);
}

bool rpc_arg_account_list(rpc_call *c, const json_t *req, const char *key, uint8_t (**out)[32],
                          size_t *n)
{
    *out = NULL;
    *n = 0;
    json_t *list = json_object_get(req, key);
    if (!list)
        return true;
    char msg[96];
    if (!json_is_array(list)) {
        snprintf(msg, sizeof msg, "Bad %s (expected a list of accounts)", key);
        rpc_reply_error(c, msg);
        return false;
    }
    if (json_array_size(list) > RPC_MAX_COUNT) {
        snprintf(msg, sizeof msg, "Too many accounts in %s", key);
        rpc_reply_error(c, msg);
        return false;
    }
    uint8_t(*v)[32] = malloc(32 * (json_array_size(list) + 1));
    if (!v) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return false;
    }
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        if (!json_is_string(e) ||
            smn_address_decode(json_string_value(e), v[i]) != SMN_ADDRESS_OK) {
            free(v);
            snprintf(msg, sizeof msg, "Bad account number in %s", key);
            rpc_reply_error(c, msg);
            return false;
        }
    }
    *out = v;
    *n = json_array_size(list);
    return true;
}

bool rpc_args_known(rpc_call *c, const json_t *req, const char *fields)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)req, key, v)
    {
        (void)v;
        if (strcmp(key, "action") == 0)
            continue;
        size_t kl = strlen(key);
        bool found = false;
        for (const char *p = fields; p && *p;) {
            const char *sp = strchr(p, ' ');
            size_t wl = sp ? (size_t)(sp - p) : strlen(p);
            if (wl == kl && memcmp(p, key, kl) == 0) {
                found = true;
                break;
            }
            p = sp ? sp + 1 : p + wl;
        }
        if (!found) {
            char msg[160];
            snprintf(msg, sizeof msg, "Unsupported field: %.64s (not an option of %s)", key,
                     c->action);
            rpc_reply_error(c, msg);
            return false;
        }
    }
    return true;
}

bool rpc_arg_bool(rpc_call *c, const json_t *req, const char *key, bool dflt, bool *out)
{
    json_t *v = json_object_get(req, key);
    if (!v) {
        *out = dflt;
        return true;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
            *out = false;
            return true;
        }
    }
    char msg[96];
    snprintf(msg, sizeof msg, "Bad %s (expected true or false)", key);
    rpc_reply_error(c, msg);
    return false;
}

/* Nano's "block" may be a JSON object (json_block) or a string holding one. */
bool rpc_arg_block(rpc_call *c, const json_t *req, smn_block *b)
{
    json_t *v = json_object_get(req, "block");
    if (!v) {
        rpc_reply_error(c, "Missing field: block");
        return false;
    }
    json_t *parsed = NULL;
    if (json_is_string(v)) {
        json_error_t jerr;
        parsed = json_loads(json_string_value(v), JSON_REJECT_DUPLICATES, &jerr);
        if (!parsed) {
            rpc_reply_error(c, "Block is invalid: not JSON");
            return false;
        }
        v = parsed;
    }
    char err[160], msg[200];
    int rc = json_is_object(v) ? smn_block_from_json(v, b, err, sizeof err) : -1;
    if (!json_is_object(v))
        snprintf(err, sizeof err, "not an object");
    json_decref(parsed);
    if (rc != 0) {
        snprintf(msg, sizeof msg, "Block is invalid: %s", err);
        rpc_reply_error(c, msg);
        return false;
    }
    return true;
}

json_t *rpc_json_amount(smn_amount_t v)
{
    char buf[SMN_AMOUNT_RAW_STRLEN];
    return json_string(smn_amount_format_raw(v, buf));
}

json_t *rpc_json_hash(const uint8_t h[32])
{
    char buf[65];
    smn_hex_encode(h, 32, buf);
    return json_string(buf);
}

json_t *rpc_json_work(uint64_t v)
{
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
    return json_string(buf);
}

json_t *rpc_json_block(const smn_block *b)
{
    json_t *o = smn_block_to_json(b);
    if (o)
        json_object_set_new(o, "work", rpc_json_work(b->work));
    return o;
}

json_t *rpc_json_account(const uint8_t pub[32])
{
    char buf[SMN_ADDRESS_STRLEN];
    smn_address_encode(pub, buf);
    return json_string(buf);
}

json_t *rpc_json_u64(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return json_string(buf);
}

/* ---- handing blocks to the ledger ---- */

const char *rpc_process_strerror(rpc_process_status st)
{
    switch (st) {
    case RPC_PROCESS_PROGRESS:
        return "Progress";
    case RPC_PROCESS_BAD_SIGNATURE:
        return "Bad signature";
    case RPC_PROCESS_OLD:
        return "Old block";
    case RPC_PROCESS_NEGATIVE_SPEND:
        return "Negative spend";
    case RPC_PROCESS_FORK:
        return "Fork";
    case RPC_PROCESS_UNRECEIVABLE:
        return "Unreceivable";
    case RPC_PROCESS_GAP_PREVIOUS:
        return "Gap previous block";
    case RPC_PROCESS_GAP_SOURCE:
        return "Gap source block";
    case RPC_PROCESS_BALANCE_MISMATCH:
        return "Balance and amount delta do not match";
    case RPC_PROCESS_BLOCK_POSITION:
        return "This block cannot follow the previous block";
    case RPC_PROCESS_INSUFFICIENT_WORK:
        return "Block work is insufficient";
    case RPC_PROCESS_PRUNED:
        return "Previous block is pruned";
    case RPC_PROCESS_BAD_OPEN:
        return "Open block must receive a send";
    case RPC_PROCESS_LEDGER_ERROR:
        return "Ledger storage error";
    case RPC_PROCESS_BUSY:
        return "Ledger is busy, try again";
    case RPC_PROCESS_UNAVAILABLE:
        return "Ledger process unavailable";
    case RPC_PROCESS_OTHER:
        break;
    }
    return "Error processing block";
}

rpc_process_status rpc_process_from_ledger(ledger_result r)
{
    switch (r) {
    case LEDGER_ACCEPTED:
        return RPC_PROCESS_PROGRESS;
    case LEDGER_BAD_SIGNATURE:
        return RPC_PROCESS_BAD_SIGNATURE;
    case LEDGER_INSUFFICIENT_WORK:
        return RPC_PROCESS_INSUFFICIENT_WORK;
    case LEDGER_OLD:
        return RPC_PROCESS_OLD;
    case LEDGER_FORK:
        return RPC_PROCESS_FORK;
    case LEDGER_GAP_PREVIOUS:
        return RPC_PROCESS_GAP_PREVIOUS;
    case LEDGER_GAP_SOURCE:
        return RPC_PROCESS_GAP_SOURCE;
    case LEDGER_ALREADY_RECEIVED:
    case LEDGER_WRONG_DESTINATION:
        return RPC_PROCESS_UNRECEIVABLE;
    /* a nonzero link without a balance change claims a transfer of 0 */
    case LEDGER_BAD_CHANGE_LINK:
    case LEDGER_BALANCE_MISMATCH:
        return RPC_PROCESS_BALANCE_MISMATCH;
    case LEDGER_BAD_OPEN:
        return RPC_PROCESS_BAD_OPEN;
    case LEDGER_PREVIOUS_ACCOUNT:
        return RPC_PROCESS_BLOCK_POSITION;
    case LEDGER_PRUNED:
        return RPC_PROCESS_PRUNED;
    case LEDGER_BUSY:
        return RPC_PROCESS_BUSY;
    case LEDGER_ERROR:
        return RPC_PROCESS_LEDGER_ERROR;
    case LEDGER_QUEUED: /* not a final answer: the wiring must wait for one */
    case LEDGER_RESULT_COUNT:
        break;
    }
    return RPC_PROCESS_OTHER;
}

static void submit(rpc_call *c, const smn_block *b, const char *key, json_t *extra, bool old_ok);

void rpc_submit_block(rpc_call *c, const smn_block *b, const char *key, json_t *extra)
{
    submit(c, b, key, extra, false);
}

void rpc_submit_block_again(rpc_call *c, const smn_block *b, const char *key)
{
    submit(c, b, key, NULL, true);
}

static void submit(rpc_call *c, const smn_block *b, const char *key, json_t *extra, bool old_ok)
{
    rpc_ctx *ctx = c->ctx;
    if (!ctx->submit) {
        json_decref(extra);
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", "Ledger process unavailable"));
        return;
    }
    rpc_submission *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(extra);
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    s->call = c;
    memcpy(s->account, b->account, 32);
    smn_block_hash(b, s->hash);
    snprintf(s->key, sizeof s->key, "%s", key);
    s->extra = extra;
    s->old_ok = old_ok;
    c->submission = s;
    rpc_call_go_pending(c);
    /* `c` may be freed inside: do not touch it after this call. */
    ctx->submit(ctx->submit_user, b, s);
}

bool rpc_account_in_flight(const rpc_ctx *ctx, const uint8_t account[32])
{
    for (const rpc_call *c = ctx->pending; c; c = c->next_pending) {
        if (c->submission && memcmp(c->submission->account, account, 32) == 0)
            return true;
        if (c->work_block_set && memcmp(c->work_block.account, account, 32) == 0)
            return true;
    }
    return false;
}

void rpc_submission_done(rpc_submission *s, rpc_process_status st)
{
    rpc_call *c = s->call;
    json_t *extra = s->extra;
    if (c && s->old_ok && st == RPC_PROCESS_OLD)
        st = RPC_PROCESS_PROGRESS;
    if (c && c->send_id[0] && st != RPC_PROCESS_PROGRESS && st != RPC_PROCESS_OLD &&
        st != RPC_PROCESS_BUSY && st != RPC_PROCESS_UNAVAILABLE && st != RPC_PROCESS_LEDGER_ERROR &&
        st != RPC_PROCESS_GAP_PREVIOUS && st != RPC_PROCESS_GAP_SOURCE) {
        /* refused for good: the id's block can never be accepted, so a
         * retry builds a new one (nothing was paid) */
        wallet_store *ws = rpc_ctx_wallets(c->ctx);
        if (ws)
            wallet_send_id_forget(ws, c->send_wallet, c->send_id);
    }
    if (c) {
        c->submission = NULL;
        if (st == RPC_PROCESS_PROGRESS) {
            json_t *o = extra ? extra : json_object();
            json_object_set_new(o, s->key, rpc_json_hash(s->hash));
            extra = NULL;
            rpc_reply(c, o);
        } else {
            int http = (st == RPC_PROCESS_BUSY || st == RPC_PROCESS_UNAVAILABLE) ? 503
                       : st == RPC_PROCESS_LEDGER_ERROR                          ? 500
                                                                                 : 200;
            rpc_reply_status(c, http, json_pack("{s:s}", "error", rpc_process_strerror(st)));
        }
    }
    json_decref(extra);
    free(s);
}
