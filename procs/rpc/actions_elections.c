/* The elections, which only the elections process knows:
 * confirmation_active (the running ones' roots), confirmation_info (one of
 * them) and confirmation_history (the latest confirmed), asked over
 * elections.sock (control_link.c: `active`, `election`, `history`). The
 * request's options travel with the call (rpc_call_election_query). */
#include <string.h>

#include "common/hex.h"
#include "procs/rpc/rpc.h"

/* Roots one confirmation_active answer lists (IPC_ELECTIONS_MAX_ROOTS). */
#define RPC_ACTIVE_MAX_ROOTS 4096u
/* Confirmations elections remembers (IPC_ELECTIONS_MAX_HISTORY). */
#define RPC_HISTORY_MAX 2048u

/* A 64-hex root field; false after answering. */
static bool arg_root(rpc_call *c, const json_t *req, const char *key, uint8_t root[32])
{
    const json_t *v = json_object_get(req, key);
    if (!v) {
        rpc_reply_error(c, "Missing field: root");
        return false;
    }
    if (!json_is_string(v) || !smn_hex_decode(json_string_value(v), root, 32)) {
        rpc_reply_error(c, "Invalid root hash");
        return false;
    }
    return true;
}

/* confirmation_active {count? (4096), after? (a root)}: {"confirmations":
 * [roots], "unconfirmed", "confirmed"}, in root order; with more, `next`
 * (the `after` of the following page). */
void rpc_action_confirmation_active(rpc_call *c, const json_t *req)
{
    rpc_election_query *q = &c->election;
    memset(q, 0, sizeof *q);
    if (!rpc_arg_count(c, req, "count", RPC_ACTIVE_MAX_ROOTS, RPC_ACTIVE_MAX_ROOTS, &q->count))
        return;
    if (json_object_get(req, "after")) {
        if (!arg_root(c, req, "after", q->root))
            return;
        q->has_root = true;
    }
    rpc_call_node_op(c, RPC_NODE_OP_ACTIVE, NULL);
}

/* confirmation_info {root, contents? (true), json_block?}: the election
 * on that root (the previous block, or the account's key for an open). */
void rpc_action_confirmation_info(rpc_call *c, const json_t *req)
{
    rpc_election_query *q = &c->election;
    memset(q, 0, sizeof *q);
    if (!arg_root(c, req, "root", q->root) ||
        !rpc_arg_bool(c, req, "contents", true, &q->contents) ||
        !rpc_arg_bool(c, req, "json_block", false, &q->json_block))
        return;
    q->has_root = true;
    rpc_call_node_op(c, RPC_NODE_OP_ELECTION, NULL);
}

/* confirmation_history {hash?}: the latest confirmations elections
 * remembers (2,048), newest first; with hash only that block's. */
void rpc_action_confirmation_history(rpc_call *c, const json_t *req)
{
    rpc_election_query *q = &c->election;
    memset(q, 0, sizeof *q);
    if (json_object_get(req, "hash")) {
        if (!rpc_arg_hash(c, req, "hash", q->root))
            return;
        q->has_root = true;
    }
    q->count = RPC_HISTORY_MAX;
    rpc_call_node_op(c, RPC_NODE_OP_HISTORY, NULL);
}
