/* The unchecked blocks (waiting in the ledger for the previous block or
 * the source they need): unchecked, unchecked_get, unchecked_keys read the
 * ledger DB; unchecked_clear asks the ledger (its only writer). smn keeps
 * no arrival time for them, so Nano's modified_timestamp is not given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "procs/rpc/rpc.h"

static json_t *contents(const smn_block *b, bool json_block)
{
    json_t *o = rpc_json_block(b);
    if (json_block)
        return o;
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    json_t *s = text ? json_string(text) : json_null();
    free(text);
    return s;
}

/* Up to count unchecked blocks (waiting for `dep`, or any); NULL after
 * answering on error. */
static ledger_unchecked *read_unchecked(rpc_call *c, ledger_ro *l, const uint8_t *dep,
                                        uint64_t count, size_t *n)
{
    ledger_unchecked *u = malloc(sizeof *u * count);
    if (!u) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return NULL;
    }
    ledger_status st = ledger_ro_unchecked(l, dep, u, count, n);
    if (st != LEDGER_STATUS_OK) {
        free(u);
        rpc_reply_ledger_error(c, st);
        return NULL;
    }
    return u;
}

void rpc_action_unchecked(rpc_call *c, const json_t *req)
{
    uint64_t count;
    bool json_block;
    if (!rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &count) ||
        !rpc_arg_bool(c, req, "json_block", false, &json_block))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    size_t n = 0;
    ledger_unchecked *u = read_unchecked(c, l, NULL, count, &n);
    if (!u)
        return;
    json_t *map = json_object();
    char hex[65];
    for (size_t i = 0; i < n; i++) {
        smn_hex_encode(u[i].hash, 32, hex);
        json_object_set_new(map, hex, contents(&u[i].block, json_block));
    }
    free(u);
    rpc_reply(c, json_pack("{s:o}", "blocks", map));
}

void rpc_action_unchecked_get(rpc_call *c, const json_t *req)
{
    uint8_t h[32];
    bool json_block;
    if (!rpc_arg_hash(c, req, "hash", h) || !rpc_arg_bool(c, req, "json_block", false, &json_block))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_unchecked u;
    ledger_status st = ledger_ro_unchecked_get(l, h, &u);
    if (st == LEDGER_STATUS_NOT_FOUND) {
        rpc_reply_error(c, "Unchecked block not found");
        return;
    }
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:o,s:o}", "key", rpc_json_hash(u.dependency), "contents",
                           contents(&u.block, json_block)));
}

/* key: the dependency the blocks wait for (absent: any). */
void rpc_action_unchecked_keys(rpc_call *c, const json_t *req)
{
    uint8_t key[32];
    uint64_t count;
    bool json_block, have_key = json_object_get(req, "key") != NULL;
    if ((have_key && !rpc_arg_hash(c, req, "key", key)) ||
        !rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &count) ||
        !rpc_arg_bool(c, req, "json_block", false, &json_block))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    size_t n = 0;
    ledger_unchecked *u = read_unchecked(c, l, have_key ? key : NULL, count, &n);
    if (!u)
        return;
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list,
                              json_pack("{s:o,s:o,s:o}", "key", rpc_json_hash(u[i].dependency),
                                        "hash", rpc_json_hash(u[i].hash), "contents",
                                        contents(&u[i].block, json_block)));
    free(u);
    rpc_reply(c, json_pack("{s:o}", "unchecked", list));
}

void rpc_action_frontier_count(rpc_call *c, const json_t *req)
{
    (void)req;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    uint64_t n = 0;
    ledger_status st = ledger_ro_account_count(l, &n);
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    rpc_reply(c, json_pack("{s:o}", "count", rpc_json_u64(n)));
}

/* Nano's unchecked_clear: the ledger (the only writer) drops every block
 * waiting for a dependency; they come again if a peer sends them. */
void rpc_action_unchecked_clear(rpc_call *c, const json_t *req)
{
    (void)req;
    rpc_call_node_op(c, RPC_NODE_OP_UNCHECKED_CLEAR, NULL);
}
