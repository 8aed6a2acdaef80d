/* Block actions: block_info, blocks_info, chain and successors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/block_json.h"
#include "common/hex.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/slices.h"

/* Nano's block_info object; `contents` as an object (json_block) or as a
 * string holding the JSON (Nano's default). */
static json_t *block_info_json(const ledger_block_record *r, bool json_block)
{
    json_t *o = json_object();
    json_object_set_new(o, "block_account", rpc_json_account(r->block.account));
    json_object_set_new(o, "amount", rpc_json_amount(r->amount));
    json_object_set_new(o, "balance", rpc_json_amount(r->block.balance));
    json_object_set_new(o, "height", rpc_json_u64(r->height));
    json_object_set_new(o, "confirmed", json_string(r->confirmed ? "true" : "false"));
    json_object_set_new(o, "successor", rpc_json_hash(r->successor));
    json_object_set_new(o, "local_timestamp", rpc_json_u64(r->local_timestamp));
    json_object_set_new(o, "subtype", json_string(ledger_subtype_str(r->subtype)));
    json_t *contents = rpc_json_block(&r->block);
    if (json_block) {
        json_object_set_new(o, "contents", contents);
    } else {
        char *text = json_dumps(contents, JSON_COMPACT);
        json_decref(contents);
        json_object_set_new(o, "contents", text ? json_string(text) : json_null());
        free(text);
    }
    return o;
}

void rpc_action_block_info(rpc_call *c, const json_t *req)
{
    uint8_t h[32];
    bool json_block;
    if (!rpc_arg_hash(c, req, "hash", h) || !rpc_arg_bool(c, req, "json_block", false, &json_block))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_block_record r;
    if (!rpc_ledger_block(c, l, h, &r))
        return;
    rpc_reply(c, block_info_json(&r, json_block));
}

/* blocks_info's state between slices: 256 hashes per loop iteration, so
 * 10,000 of them (three reads each) never hold the loop. */
enum { BLOCKS_INFO_SLICE = 256 };
typedef struct {
    json_t *list, *blocks, *missing;
    size_t next;
    bool json_block, include_not_found;
} blocks_info_walk;

static void blocks_info_free(void *p)
{
    blocks_info_walk *w = p;
    json_decref(w->list);
    json_decref(w->blocks);
    json_decref(w->missing);
    free(w);
}

/* One slice of hashes; true once it has answered. */
static bool blocks_info_step(rpc_call *c, void *p)
{
    blocks_info_walk *w = p;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return true;
    size_t end = w->next + BLOCKS_INFO_SLICE;
    for (; w->next < json_array_size(w->list) && w->next < end; w->next++) {
        const json_t *v = json_array_get(w->list, w->next);
        uint8_t h[32];
        if (!json_is_string(v) || !smn_hex_decode(json_string_value(v), h, 32)) {
            rpc_reply_error(c, "Bad block hash");
            return true;
        }
        ledger_block_record r;
        ledger_status st = ledger_ro_block(l, h, &r);
        char hex[65];
        smn_hex_encode(h, 32, hex);
        if (st == LEDGER_STATUS_NOT_FOUND) {
            if (!w->include_not_found) {
                rpc_reply_error(c, "Block not found");
                return true;
            }
            json_array_append_new(w->missing, json_string(hex));
            continue;
        }
        if (st != LEDGER_STATUS_OK) {
            rpc_reply_ledger_error(c, st);
            return true;
        }
        json_object_set_new(w->blocks, hex, block_info_json(&r, w->json_block));
    }
    if (w->next < json_array_size(w->list))
        return false;
    json_t *o = json_pack("{s:O}", "blocks", w->blocks);
    if (w->include_not_found)
        json_object_set(o, "blocks_not_found", w->missing);
    rpc_reply(c, o);
    return true;
}

void rpc_action_blocks_info(rpc_call *c, const json_t *req)
{
    bool json_block, include_not_found;
    if (!rpc_arg_bool(c, req, "json_block", false, &json_block) ||
        !rpc_arg_bool(c, req, "include_not_found", false, &include_not_found))
        return;
    json_t *list = json_object_get(req, "hashes");
    if (!list) {
        rpc_reply_error(c, "Missing field: hashes");
        return;
    }
    if (!json_is_array(list)) {
        rpc_reply_error(c, "Bad hashes (expected a list)");
        return;
    }
    if (json_array_size(list) > RPC_MAX_COUNT) {
        rpc_reply_error(c, "Too many hashes");
        return;
    }
    blocks_info_walk *w = calloc(1, sizeof *w);
    if (!w) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    w->list = json_incref(list);
    w->blocks = json_object();
    w->missing = json_array();
    w->json_block = json_block;
    w->include_not_found = include_not_found;
    if (!w->blocks || !w->missing) {
        blocks_info_free(w);
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    rpc_call_slices(c, blocks_info_step, blocks_info_free, w);
}

/* chain's walk between slices: 256 blocks per loop iteration (one
 * indexed lookup each), so a 10,000-block chain never holds the loop. */
enum { CHAIN_SLICE = 256 };
static const char chain_too_long[] = "Chain longer than 10000 blocks: page with count and offset";
typedef struct {
    json_t *blocks;
    ledger_block_record r;              /* reverse: the block to look at next */
    uint8_t cur[32];                    /* forward: the hash to read the chain from next */
    uint8_t (*hs)[32];                  /* forward: one slice of hashes, and the next one's start */
    uint64_t count, offset, total, pos; /* pos: blocks of the chain passed so far */
    bool reverse, all;
} chain_walk;

static void chain_free(void *p)
{
    chain_walk *w = p;
    json_decref(w->blocks);
    free(w->hs);
    free(w);
}

/* Forward: total hashes at most (count + offset, and one more with
 * count -1 to tell a longer chain), the predecessors of w->cur in slices.
 * True once the walk is over (w->pos set), false for another slice;
 * answered is set after a ledger error has been answered. */
static bool chain_back(ledger_ro *l, chain_walk *w, rpc_call *c, bool *answered)
{
    uint64_t want = w->total - w->pos;
    size_t ask = want > CHAIN_SLICE ? CHAIN_SLICE + 1 : (size_t)want, n = 0;
    ledger_status st = ledger_ro_chain(l, w->cur, w->hs, ask, &n);
    if (st == LEDGER_STATUS_NOT_FOUND && w->pos > 0)
        return true; /* the rest was rolled back meanwhile: the chain ends here */
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        *answered = true;
        return true;
    }
    size_t used = n > CHAIN_SLICE ? CHAIN_SLICE : n;
    for (size_t i = 0; i < used; i++, w->pos++)
        if (w->pos >= w->offset && json_array_size(w->blocks) < w->count)
            json_array_append_new(w->blocks, rpc_json_hash(w->hs[i]));
    if (n <= CHAIN_SLICE)
        return true;
    memcpy(w->cur, w->hs[CHAIN_SLICE], 32);
    return false;
}

/* Reverse: follow successors from w->r, one indexed lookup each, a slice
 * of them. Same contract as chain_back. */
static bool chain_forward(ledger_ro *l, chain_walk *w, rpc_call *c, bool *answered)
{
    for (size_t k = 0; k < CHAIN_SLICE; k++) {
        if (w->pos >= w->offset)
            json_array_append_new(w->blocks, rpc_json_hash(w->r.hash));
        else
            w->pos++;
        if (smn_is_zero32(w->r.successor))
            return true;
        if (json_array_size(w->blocks) >= w->count) {
            if (w->all) {
                rpc_reply_error(c, chain_too_long);
                *answered = true;
            }
            return true;
        }
        uint8_t next[32];
        memcpy(next, w->r.successor, 32);
        ledger_status st = ledger_ro_block(l, next, &w->r);
        if (st != LEDGER_STATUS_OK) {
            rpc_reply_ledger_error(c, st);
            *answered = true;
            return true;
        }
    }
    return false;
}

/* One slice of the chain; true once it has answered. */
static bool chain_step(rpc_call *c, void *p)
{
    chain_walk *w = p;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return true;
    bool answered = false;
    if (!(w->reverse ? chain_forward(l, w, c, &answered) : chain_back(l, w, c, &answered)))
        return false;
    if (answered)
        return true;
    if (!w->reverse && w->all && w->pos > w->count + w->offset)
        rpc_reply_error(c, chain_too_long);
    else
        rpc_reply(c, json_pack("{s:O}", "blocks", w->blocks));
    return true;
}

/* chain: the block and its predecessors; successors (or chain with
 * reverse): the block and the blocks after it. offset skips that many first. */
void rpc_action_chain(rpc_call *c, const json_t *req)
{
    uint8_t h[32];
    uint64_t count, offset = 0;
    bool reverse, all;
    if (!rpc_arg_hash(c, req, "block", h) ||
        !rpc_arg_count_all(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &count, &all) ||
        !rpc_arg_u64(c, req, "offset", "Invalid offset", &offset) ||
        !rpc_arg_bool(c, req, "reverse", false, &reverse))
        return;
    if (strcmp(c->action, "successors") == 0)
        reverse = !reverse;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    if (offset > RPC_MAX_COUNT) {
        rpc_reply_error(c, "Invalid offset");
        return;
    }
    chain_walk *w = calloc(1, sizeof *w);
    if (!w || !(w->blocks = json_array()) ||
        (!reverse && !(w->hs = malloc(sizeof *w->hs * (CHAIN_SLICE + 1))))) {
        if (w)
            chain_free(w);
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    if (!rpc_ledger_block(c, l, h, &w->r)) {
        chain_free(w);
        return;
    }
    memcpy(w->cur, h, 32);
    w->count = count;
    w->offset = offset;
    w->total = count + offset + (all ? 1 : 0);
    w->reverse = reverse;
    w->all = all;
    rpc_call_slices(c, chain_step, chain_free, w);
}

/* Nano's blocks: the contents of each hash (all must exist). */
void rpc_action_blocks(rpc_call *c, const json_t *req)
{
    bool json_block;
    if (!rpc_arg_bool(c, req, "json_block", false, &json_block))
        return;
    json_t *list = json_object_get(req, "hashes");
    if (!list) {
        rpc_reply_error(c, "Missing field: hashes");
        return;
    }
    if (!json_is_array(list) || json_array_size(list) > RPC_MAX_COUNT) {
        rpc_reply_error(c,
                        json_is_array(list) ? "Too many hashes" : "Bad hashes (expected a list)");
        return;
    }
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    json_t *blocks = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        uint8_t h[32];
        ledger_block_record r;
        ledger_status st = LEDGER_STATUS_NOT_FOUND;
        if (!json_is_string(v) || !smn_hex_decode(json_string_value(v), h, 32)) {
            json_decref(blocks);
            rpc_reply_error(c, "Bad block hash");
            return;
        }
        st = ledger_ro_block(l, h, &r);
        if (st != LEDGER_STATUS_OK) {
            json_decref(blocks);
            if (st == LEDGER_STATUS_NOT_FOUND)
                rpc_reply_error(c, "Block not found");
            else
                rpc_reply_ledger_error(c, st);
            return;
        }
        char hex[65];
        smn_hex_encode(h, 32, hex);
        json_t *contents = rpc_json_block(&r.block);
        if (!json_block) {
            char *text = json_dumps(contents, JSON_COMPACT);
            json_decref(contents);
            contents = text ? json_string(text) : json_null();
            free(text);
        }
        json_object_set_new(blocks, hex, contents);
    }
    rpc_reply(c, json_pack("{s:o}", "blocks", blocks));
}
