/* Filling gaps from peers. When the ledger stores a block from the network
 * as unchecked (gap_previous, gap_source) the node missed part of a chain,
 * typically because its net process was down while the blocks were
 * published. We then ask the peer that sent the block for the chain below
 * the missing hash with one bulk_pull (at most NET_PULL_BLOCKS, down to our
 * frontier of the account when we know it) and hand the answer to the
 * ledger oldest first; the ledger then releases the unchecked block. A
 * longer gap repeats this from the oldest block received. This is not a
 * bootstrap (no frontier scan): it heals what live traffic reveals. A pull
 * the bootstrap process asked for (service_frontier.c) uses the same
 * per-peer slot, but its answer goes back to the bootstrap process.
 *
 * Serving: a peer's bulk_pull is answered from ledger.db (read-only), at
 * most NET_SERVE_BLOCKS blocks, within the peer's budget of blocks
 * (NET_SERVE_RATE per second, NET_SERVE_BURST at once; an answer is whole
 * while the budget is above zero, and past it an empty answer). `start` is tried as an account
 * first (from its frontier down), then as a block hash; `end`, when found, is the last block sent.
 * An ascending bulk_pull (flag 0x1, the bootstrap's) names an account and
 * the block after which to start (`end`; zero: from the open block) and is
 * answered oldest first, at most NET_SERVE_ASC_BLOCKS; when we cannot serve
 * it (we do not know `end` as that account's block, the blocks above it
 * were pruned, or the budget is spent) the answer is the unavailable end,
 * so the asker goes to another peer. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ipc/ledgerdb/ro.h"
#include "procs/net/service_internal.h"

static bool asked_recently(net_service *s, const uint8_t missing[32], uint64_t now)
{
    for (size_t i = 0; i < NET_PULL_RECENT; i++)
        if (s->pull_recent[i].at_ms && now - s->pull_recent[i].at_ms < NET_PULL_REPEAT_MS &&
            memcmp(s->pull_recent[i].hash, missing, 32) == 0)
            return true;
    return false;
}

static void note_asked(net_service *s, const uint8_t missing[32], uint64_t now)
{
    memcpy(s->pull_recent[s->pull_recent_next].hash, missing, 32);
    s->pull_recent[s->pull_recent_next].at_ms = now;
    s->pull_recent_next = (s->pull_recent_next + 1) % NET_PULL_RECENT;
}

static net_channel *pick_channel(net_service *s, const uint8_t from[32])
{
    net_channel *ch = net_service_channel_by_id(s, from);
    net_peer_info *info = ch ? net_channel_user(ch) : NULL;
    if (info && !info->pulling)
        return ch;
    net_channel *list[64];
    size_t n = net_channels_list(s->chans, list, 64);
    for (size_t i = 0; i < n; i++) {
        info = net_channel_user(list[i]);
        if (info && !info->pulling)
            return list[i];
    }
    return NULL;
}

bool net_pull_gap(net_service *s, const uint8_t from[32], const uint8_t missing[32],
                  const uint8_t *account)
{
    uint64_t now = net_now_ms();
    if (asked_recently(s, missing, now))
        return true; /* a pull for it is under way or just ended */
    net_channel *ch = pick_channel(s, from);
    if (!ch)
        return false; /* every peer is busy with a pull: a later gap asks again */
    net_peer_info *info = net_channel_user(ch);
    info->pulled = calloc(NET_PULL_BLOCKS, sizeof *info->pulled);
    if (!info->pulled)
        return false;
    info->pull_cap = NET_PULL_BLOCKS;
    net_message m = {.type = NET_MSG_BULK_PULL};
    memcpy(m.u.bulk_pull.start, missing, 32);
    m.u.bulk_pull.count = NET_PULL_BLOCKS;
    ledger_ro *r = account ? net_ledger_ro(s) : NULL;
    ledger_account_info ai;
    if (r && ledger_ro_account_info(r, account, &ai) == LEDGER_STATUS_OK)
        memcpy(m.u.bulk_pull.end, ai.frontier, 32);
    if (net_channel_send(ch, &m) != 0) {
        free(info->pulled);
        info->pulled = NULL;
        return false;
    }
    info->pulling = true;
    info->npulled = 0;
    info->pull_deadline_ms = now + NET_PULL_TIMEOUT_MS;
    note_asked(s, missing, now);
    char name[NET_ENDPOINT_STR_BYTES];
    net_endpoint_format(net_channel_endpoint(ch), name);
    smn_info("missing block %02X%02X%02X%02X...: pulling its chain from %s", missing[0], missing[1],
             missing[2], missing[3], name);
    return true;
}

void net_pull_info_free(net_peer_info *info)
{
    if (info->pulling && !info->boot_frontiers)
        net_boot_fail(info, "the pull failed");
    free(info->pulled);
    info->pulled = NULL;
    info->pulling = false;
    info->npulled = 0;
    info->nparts = info->part = 0;
}

void net_pull_tick(net_service *s, net_channel *ch, net_peer_info *info, uint64_t now)
{
    (void)s;
    net_boot_tick(info, now);
    if (info->pulling && now >= info->pull_deadline_ms) {
        char name[NET_ENDPOINT_STR_BYTES];
        net_endpoint_format(net_channel_endpoint(ch), name);
        smn_info("pull from %s timed out after %zu blocks", name, info->npulled);
        net_pull_info_free(info);
    }
}

void net_pull_received(net_service *s, net_channel *ch, const net_bulk_pull_resp *r)
{
    net_peer_info *info = net_channel_user(ch);
    if (!info || !info->pulling) {
        smn_debug("ignoring a bulk_pull_resp nobody asked for");
        return;
    }
    if (info->npulled + r->count > info->pull_cap) {
        net_pull_info_free(info);
        net_service_misbehaved(s, ch, "answered a bulk_pull with more blocks than asked");
        return;
    }
    memcpy(info->pulled + info->npulled, r->blocks, r->count * sizeof r->blocks[0]);
    info->npulled += r->count;
    if (!r->end)
        return;
    info->pull_unavailable = r->unavailable;
    if (info->nparts > 1 && info->boot) {
        size_t before = 0;
        for (size_t i = 0; i < info->part; i++)
            before += info->part_n[i];
        info->part_n[info->part] = (uint16_t)(info->npulled - before);
        info->part_unavailable[info->part] = r->unavailable;
        if (++info->part < info->nparts)
            return; /* the next part's answer follows */
        smn_block *all = info->pulled;
        info->pulled = NULL;
        net_boot_pulled_parts(info, all, info->npulled);
        net_pull_info_free(info);
        free(all);
        return;
    }
    /* The answer runs from the missing block down: the ledger wants parents
     * first (a block before its previous would only go unchecked). */
    size_t n = info->npulled;
    smn_block *blocks = info->pulled;
    info->pulled = NULL;
    if (info->boot && !info->boot_frontiers) {
        /* The bootstrap process asked: it gets the blocks and submits them. */
        net_boot_pulled(info, blocks, n, info->pull_unavailable);
        net_pull_info_free(info);
        free(blocks);
        return;
    }
    net_pull_info_free(info);
    for (size_t i = n; i-- > 0;) {
        net_blocks_publish(s, ch, &blocks[i]);
        if (!net_channel_is_ready(ch))
            break; /* it sent something invalid and was banned */
    }
    free(blocks);
    smn_debug("pulled %zu blocks", n);
}

/* Up to max hashes of the chain asked for, newest first. */
static size_t chain_of(ledger_ro *r, const net_bulk_pull *req, uint8_t (*out)[32], size_t max)
{
    uint8_t start[32];
    memcpy(start, req->start, 32);
    ledger_account_info ai;
    if (ledger_ro_account_info(r, req->start, &ai) == LEDGER_STATUS_OK)
        memcpy(start, ai.frontier, 32);
    size_t n = 0;
    if (ledger_ro_chain(r, start, out, max, &n) != LEDGER_STATUS_OK)
        return 0;
    static const uint8_t zero[32];
    if (memcmp(req->end, zero, 32) != 0)
        for (size_t i = 0; i < n; i++)
            if (memcmp(out[i], req->end, 32) == 0)
                return i + 1;
    return n;
}

/* Takes up to want blocks from the peer's budget: how many it may have. */
static size_t serve_budget(net_peer_info *info, uint64_t now, size_t want)
{
    if (!info)
        return 0;
    if (!info->serve_refill_ms) {
        info->serve_credit = NET_SERVE_BURST;
    } else {
        uint64_t add = (now - info->serve_refill_ms) * NET_SERVE_RATE / 1000u;
        int64_t c = info->serve_credit + (int64_t)(add > NET_SERVE_BURST ? NET_SERVE_BURST : add);
        info->serve_credit = c > (int64_t)NET_SERVE_BURST ? (int64_t)NET_SERVE_BURST : c;
    }
    info->serve_refill_ms = now;
    /* A whole answer or none: a short one would read as the chain's end.
     * The budget may go below zero by one answer. */
    return info->serve_credit > 0 ? want : 0;
}

static void serve_charge(net_peer_info *info, size_t n)
{
    info->serve_credit -= (int64_t)(n ? n : 1); /* an empty answer costs one */
}

/* Sends blocks[0..n) as bulk_pull_resp frames, the last one with the end
 * (unavailable: the unavailable end). */
static void send_blocks(net_channel *ch, const smn_block *blocks, size_t n, bool unavailable)
{
    net_message *m = malloc(sizeof *m);
    if (!m)
        return;
    size_t i = 0;
    do {
        memset(m, 0, sizeof *m);
        m->type = NET_MSG_BULK_PULL_RESP;
        net_bulk_pull_resp *resp = &m->u.bulk_pull_resp;
        while (i < n && resp->count < NET_BULK_MAX_BLOCKS)
            resp->blocks[resp->count++] = blocks[i++];
        resp->end = i >= n;
        resp->unavailable = resp->end && unavailable;
        if (net_channel_send(ch, m) != 0)
            break; /* queue full: the peer's pull times out and asks again */
    } while (i < n);
    free(m);
}

static void serve_ascending(net_service *s, net_channel *ch, const net_bulk_pull *req)
{
    net_peer_info *info = net_channel_user(ch);
    size_t want =
        req->count && req->count < NET_SERVE_ASC_BLOCKS ? req->count : NET_SERVE_ASC_BLOCKS;
    size_t max = serve_budget(info, net_now_ms(), want);
    ledger_ro *r = max ? net_ledger_ro(s) : NULL;
    uint64_t after = 0, first = 0;
    bool ok = r != NULL;
    if (ok && !smn_is_zero32(req->end)) {
        ledger_block_record rec;
        ok = ledger_ro_block(r, req->end, &rec) == LEDGER_STATUS_OK &&
             memcmp(rec.block.account, req->start, 32) == 0;
        after = ok ? rec.height : 0;
    }
    smn_block *blocks = ok ? malloc(max * sizeof *blocks) : NULL;
    size_t n = 0;
    if (blocks &&
        ledger_ro_chain_up(r, req->start, after, blocks, max, &n, &first) != LEDGER_STATUS_OK)
        n = 0;
    /* Nothing above `end` is a complete answer; a run that does not start
     * right above it means those heights were pruned here. */
    bool served = blocks && (n == 0 || first == after + 1);
    if (info && max)
        serve_charge(info, served ? n : 0);
    send_blocks(ch, blocks, served ? n : 0, !served);
    free(blocks);
}

void net_pull_serve(net_service *s, net_channel *ch, const net_bulk_pull *req)
{
    if (req->ascending) {
        serve_ascending(s, ch, req);
        return;
    }
    net_peer_info *info = net_channel_user(ch);
    uint64_t now = net_now_ms();
    size_t want = req->count && req->count < NET_SERVE_BLOCKS ? req->count : NET_SERVE_BLOCKS;
    size_t max = serve_budget(info, now, want);
    ledger_ro *r = max ? net_ledger_ro(s) : NULL; /* budget spent: an empty answer */
    uint8_t(*hashes)[32] = r ? malloc(max * 32) : NULL;
    size_t n = hashes ? chain_of(r, req, hashes, max) : 0;
    smn_block *blocks = n ? malloc(n * sizeof *blocks) : NULL;
    size_t got = 0;
    while (blocks && got < n) {
        ledger_block_record rec;
        if (ledger_ro_block(r, hashes[got], &rec) != LEDGER_STATUS_OK)
            break; /* pruned or gone meanwhile: stop the answer here */
        blocks[got++] = rec.block;
    }
    if (info && max)
        serve_charge(info, got);
    send_blocks(ch, blocks, got, false);
    free(blocks);
    free(hashes);
}
