/* The actions net carries out (control): keepalive and bootstrap (net dials
 * a peering endpoint, net family `connect`; bootstrap then starts a round),
 * bootstrap_lazy (net pulls a chain, `pull_chain`) and republish /
 * wallet_republish (blocks this ledger holds sent again to every ready
 * peer, net family `publish`).
 * The blocks are read here, from ledger.db, and travel to net in their
 * wire form; the answer waits for net's. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "procs/rpc/rpc.h"

/* Nano walks a destination's chain back to the receive of a send; smn
 * looks at this many blocks at most. */
#define REPUBLISH_WALK_MAX 10000u

/* Nano's address and port into the call's net request; false after
 * answering. */
static bool arg_endpoint(rpc_call *c, const json_t *req)
{
    const char *address = rpc_arg_string(c, req, "address");
    if (!address)
        return false;
    json_t *p = json_object_get(req, "port");
    uint64_t port = 0;
    if (!p) {
        rpc_reply_error(c, "Missing field: port");
        return false;
    }
    if (!rpc_arg_u64(c, req, "port", "Invalid port", &port))
        return false;
    if (port == 0 || port > 65535) {
        rpc_reply_error(c, "Invalid port");
        return false;
    }
    unsigned char buf[16];
    if (strlen(address) >= sizeof c->net_req.address ||
        (inet_pton(AF_INET, address, buf) != 1 && inet_pton(AF_INET6, address, buf) != 1)) {
        rpc_reply_error(c, "Invalid address (a numeric IPv4 or IPv6 address)");
        return false;
    }
    strcpy(c->net_req.address, address);
    c->net_req.port = (uint16_t)port;
    return true;
}

void rpc_action_keepalive(rpc_call *c, const json_t *req)
{
    if (arg_endpoint(c, req))
        rpc_call_node_op(c, RPC_NODE_OP_KEEPALIVE, NULL);
}

/* Nano's bootstrap {address, port}: net dials the peer, then bootstrap
 * starts a frontier scan round (which asks net's ready peers). */
void rpc_action_bootstrap(rpc_call *c, const json_t *req)
{
    if (arg_endpoint(c, req))
        rpc_call_node_op(c, RPC_NODE_OP_BOOTSTRAP_FROM, NULL);
}

/* Nano's bootstrap_lazy {hash}: net pulls the chain ending at hash from a
 * peer, as it does for a block whose previous is missing. */
void rpc_action_bootstrap_lazy(rpc_call *c, const json_t *req)
{
    if (rpc_arg_hash(c, req, "hash", c->net_req.hash))
        rpc_call_node_op(c, RPC_NODE_OP_PULL_CHAIN, NULL);
}

/* A list of blocks to publish, kept in the call until net answers. */
static bool add_block(rpc_call *c, json_t *hashes, const ledger_block_record *rec)
{
    rpc_net_request *q = &c->net_req;
    if (q->nblocks == RPC_REPUBLISH_MAX) {
        rpc_reply_error(c, "Too many blocks to republish at once (at most 2048)");
        return false;
    }
    if (q->nblocks == q->capblocks) {
        size_t ncap = q->capblocks ? q->capblocks * 2 : 64;
        uint8_t(*nb)[SMN_BLOCK_WIRE_BYTES] = realloc(q->blocks, ncap * sizeof *nb);
        if (!nb) {
            rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
            return false;
        }
        q->blocks = nb;
        q->capblocks = ncap;
    }
    smn_block_serialize(&rec->block, q->blocks[q->nblocks++]);
    json_array_append_new(hashes, rpc_json_hash(rec->hash));
    return true;
}

/* The record of hash, or false (not found: *missing set; or answered). */
static bool read_block(rpc_call *c, ledger_ro *l, const uint8_t hash[32], ledger_block_record *rec,
                       bool *missing)
{
    *missing = false;
    ledger_status st = ledger_ro_block(l, hash, rec);
    if (st == LEDGER_STATUS_NOT_FOUND) {
        *missing = true;
        return false;
    }
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return false;
    }
    return true;
}

/* Hands the collected blocks to net; answers `answer` (owned) when net
 * has sent them, at once when there are none. */
static void publish(rpc_call *c, json_t *answer)
{
    if (c->net_req.nblocks == 0) {
        rpc_reply(c, answer);
        return;
    }
    c->net_req.answer = answer;
    rpc_call_node_op(c, RPC_NODE_OP_PUBLISH, NULL);
}

static const uint8_t zero32[32];

static ledger_block_record *alloc_chain(rpc_call *c, size_t n)
{
    ledger_block_record *chain = calloc(n, sizeof *chain);
    if (!chain)
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
    return chain;
}

/* Reads up to max blocks down a chain from `from` (previous by previous)
 * into chain, newest first, *k of them; with stop_link, the walk ends
 * after a receive or open of that send (*stopped). A missing (pruned)
 * block ends it too. False after answering a failed read. */
static bool walk_back(rpc_call *c, ledger_ro *l, const uint8_t from[32], size_t max,
                      const uint8_t *stop_link, ledger_block_record *chain, size_t *k,
                      bool *stopped)
{
    uint8_t h[32];
    memcpy(h, from, 32);
    bool missing = false;
    *k = 0;
    *stopped = false;
    while (*k < max && memcmp(h, zero32, 32) != 0) {
        if (!read_block(c, l, h, &chain[*k], &missing))
            return missing;
        const ledger_block_record *b = &chain[(*k)++];
        if (stop_link &&
            (b->subtype == LEDGER_SUBTYPE_RECEIVE || b->subtype == LEDGER_SUBTYPE_OPEN) &&
            memcmp(b->block.link, stop_link, 32) == 0) {
            *stopped = true;
            break;
        }
        memcpy(h, b->block.previous, 32);
    }
    return true;
}

/* The oldest n of chain[0..k) (newest first), oldest first. */
static bool add_oldest_first(rpc_call *c, json_t *hashes, const ledger_block_record *chain,
                             size_t k, size_t n)
{
    for (size_t i = 0; i < n && i < k; i++)
        if (!add_block(c, hashes, &chain[k - 1 - i]))
            return false;
    return true;
}

/* Nano's sources: the chain of the send a receive took, up to n blocks
 * ending at that send, oldest first. */
static bool add_sources(rpc_call *c, ledger_ro *l, json_t *hashes, const ledger_block_record *rec,
                        uint64_t n)
{
    if (rec->subtype != LEDGER_SUBTYPE_RECEIVE && rec->subtype != LEDGER_SUBTYPE_OPEN)
        return true;
    ledger_block_record *chain = alloc_chain(c, n);
    if (!chain)
        return false;
    size_t k;
    bool stopped;
    bool ok = walk_back(c, l, rec->block.link, n, NULL, chain, &k, &stopped) &&
              add_oldest_first(c, hashes, chain, k, k);
    free(chain);
    return ok;
}

/* Nano's destinations: for a send already received, the destination's
 * chain from that receive on, up to n blocks, oldest first. */
static bool add_destinations(rpc_call *c, ledger_ro *l, json_t *hashes,
                             const ledger_block_record *rec, uint64_t n)
{
    if (rec->subtype != LEDGER_SUBTYPE_SEND)
        return true;
    ledger_receivable r;
    bool cemented;
    ledger_status st = ledger_ro_receivable(l, rec->hash, &r, &cemented);
    if (st == LEDGER_STATUS_OK)
        return true; /* not received yet: no destination chain */
    ledger_account_info info;
    if (st == LEDGER_STATUS_NOT_FOUND)
        st = ledger_ro_account_info(l, rec->block.link, &info);
    if (st == LEDGER_STATUS_NOT_FOUND)
        return true;
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return false;
    }
    /* back from the head to the receive of this send */
    ledger_block_record *chain = alloc_chain(c, REPUBLISH_WALK_MAX);
    if (!chain)
        return false;
    size_t k;
    bool found;
    bool ok = walk_back(c, l, info.frontier, REPUBLISH_WALK_MAX, rec->hash, chain, &k, &found) &&
              (!found || add_oldest_first(c, hashes, chain, k, n));
    free(chain);
    return ok;
}

/* Nano's republish {hash, count?, sources?, destinations?}: from hash on
 * up its account's chain, count blocks (default 1024), each with its
 * source's chain (sources) and its destination's (destinations). */
void rpc_action_republish(rpc_call *c, const json_t *req)
{
    uint8_t hash[32];
    uint64_t count = 1024, sources = 0, destinations = 0;
    if (!rpc_arg_hash(c, req, "hash", hash) ||
        !rpc_arg_count(c, req, "count", 1024, RPC_REPUBLISH_MAX, &count) ||
        !rpc_arg_u64(c, req, "sources", "Invalid sources number", &sources) ||
        !rpc_arg_u64(c, req, "destinations", "Invalid destinations number", &destinations))
        return;
    if (sources > RPC_REPUBLISH_MAX || destinations > RPC_REPUBLISH_MAX) {
        rpc_reply_error(c, "Too many blocks to republish at once (at most 2048)");
        return;
    }
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_block_record rec;
    if (!rpc_ledger_block(c, l, hash, &rec))
        return;
    json_t *hashes = json_array();
    bool missing = false;
    for (uint64_t i = 0; i < count; i++) {
        if (sources && !add_sources(c, l, hashes, &rec, sources))
            goto answered;
        if (!add_block(c, hashes, &rec))
            goto answered;
        if (destinations && !add_destinations(c, l, hashes, &rec, destinations))
            goto answered;
        if (memcmp(rec.successor, zero32, 32) == 0)
            break;
        uint8_t next[32];
        memcpy(next, rec.successor, 32);
        if (!read_block(c, l, next, &rec, &missing)) {
            if (missing)
                break;
            goto answered;
        }
    }
    publish(c, json_pack("{s:s,s:o}", "success", "", "blocks", hashes));
    return;
answered:
    json_decref(hashes);
}

/* Nano's wallet_republish {wallet, count}: each account's newest count
 * blocks, oldest first, account by account. */
void rpc_action_wallet_republish(rpc_call *c, const json_t *req)
{
    uint64_t count;
    if (!json_object_get(req, "count")) {
        rpc_reply_error(c, "Missing field: count");
        return;
    }
    if (!rpc_arg_count(c, req, "count", 1, RPC_REPUBLISH_MAX, &count))
        return;
    uint8_t id[WALLET_ID_BYTES];
    uint8_t(*pubs)[32];
    size_t n;
    if (!rpc_open_wallet_accounts(c, req, id, &pubs, &n))
        return;
    ledger_ro *l = rpc_ledger(c);
    ledger_block_record *chain = l ? alloc_chain(c, count) : NULL;
    if (!chain) {
        free(pubs);
        return;
    }
    json_t *hashes = json_array();
    bool ok = true;
    for (size_t a = 0; ok && a < n; a++) {
        ledger_account_info info;
        ledger_status st = ledger_ro_account_info(l, pubs[a], &info);
        if (st == LEDGER_STATUS_NOT_FOUND)
            continue;
        if (st != LEDGER_STATUS_OK) {
            rpc_reply_ledger_error(c, st);
            ok = false;
            break;
        }
        size_t k;
        bool stopped;
        ok = walk_back(c, l, info.frontier, count, NULL, chain, &k, &stopped) &&
             add_oldest_first(c, hashes, chain, k, k);
    }
    free(chain);
    free(pubs);
    if (!ok) {
        json_decref(hashes);
        return;
    }
    publish(c, json_pack("{s:o}", "blocks", hashes));
}
