/* Frontier scans and the bootstrap process's requests.
 *
 * Serving: a peer's frontier_req is answered from ledger.db (read-only)
 * with at most NET_FRONTIER_MAX_ENTRIES accounts from `start`, in one
 * frontier_resp ending with the terminator; one request per peer per
 * NET_SERVE_EVERY_MS (others get an empty answer). `age` keeps the
 * accounts whose head block we stored in the last age seconds (the
 * blocks' local_timestamp), `confirmed_only` lists confirmed frontiers
 * (the block at the confirmation height; unconfirmed accounts left out).
 *
 * Asking (for the bootstrap process, over net.sock): `frontiers` sends one
 * frontier_req to a ready peer and answers with its first frontier_resp;
 * `pull` sends one bulk_pull (the gap-fill machinery of service_pull.c,
 * which holds one pull per peer at a time; `ascending` makes it the
 * ascending kind, oldest first) and answers with the blocks
 * instead of handing them to the ledger: the bootstrap submits them itself
 * with origin "bootstrap". A request not answered within
 * NET_PULL_TIMEOUT_MS, or whose peer goes away, gets an "error" reply. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "ipc/schema_net.h"
#include "ipc/ledgerdb/ro.h"
#include "procs/net/service_internal.h"

void net_frontier_serve(net_service *s, net_channel *ch, const net_frontier_req *req)
{
    net_peer_info *info = net_channel_user(ch);
    uint64_t now = net_now_ms();
    ledger_ro *r = net_ledger_ro(s);
    if (!info || (info->last_frontiers_ms && now - info->last_frontiers_ms < NET_SERVE_EVERY_MS))
        r = NULL; /* too soon: an empty answer (the window is not extended) */
    else
        info->last_frontiers_ms = now;
    net_message *m = calloc(1, sizeof *m);
    if (!m)
        return;
    m->type = NET_MSG_FRONTIER_RESP;
    net_frontier_resp *resp = &m->u.frontier_resp;
    resp->end = true;
    size_t max = req->count < NET_FRONTIER_MAX_ENTRIES ? req->count : NET_FRONTIER_MAX_ENTRIES;
    uint8_t(*acc)[32] = r && max ? malloc(max * 32) : NULL;
    uint8_t(*fr)[32] = acc ? malloc(max * 32) : NULL;
    size_t n = 0;
    uint64_t since = 0;
    if (req->age != NET_FRONTIER_AGE_ANY) {
        uint64_t t = (uint64_t)time(NULL);
        since = t > req->age ? t - req->age : 1;
    }
    ledger_status st = LEDGER_STATUS_OK;
    if (fr && (since || req->confirmed_only))
        st = ledger_ro_frontiers_filtered(r, req->start, req->confirmed_only, since, acc, fr, max,
                                          &n);
    else if (fr)
        st = ledger_ro_frontiers(r, req->start, acc, fr, max, &n);
    if (st != LEDGER_STATUS_OK) {
        n = 0;
        net_ledger_ro_failed(s, st);
    }
    for (size_t i = 0; i < n; i++) {
        if (smn_is_zero32(acc[i]) || smn_is_zero32(fr[i]))
            continue; /* the wire form reserves all-zero entries for the terminator */
        memcpy(resp->entries[resp->count].account, acc[i], 32);
        memcpy(resp->entries[resp->count].frontier, fr[i], 32);
        resp->count++;
    }
    (void)net_channel_send(ch, m); /* queue full: the peer's request times out */
    free(acc);
    free(fr);
    free(m);
}

/* Forget the channel's request (the slot is free again). */
static void release(net_peer_info *info)
{
    memset(info->boot, 0, sizeof *info->boot);
    info->boot = NULL;
    info->boot_frontiers = false;
}

static void reply_to(net_peer_info *info, ipc_builder *b)
{
    ipc_msg req = {.id = info->boot->id};
    ipc_status st = info->boot->c ? ipc_reply(info->boot->c, &req, b) : IPC_E_CLOSED;
    if (!info->boot->c)
        ipc_build_free(b);
    if (st != IPC_OK)
        smn_debug("cannot answer the bootstrap: %s", ipc_strerror(st));
    release(info);
}

void net_boot_fail(net_peer_info *info, const char *why)
{
    if (!info->boot)
        return;
    ipc_msg req = {.id = info->boot->id};
    if (info->boot->c)
        ipc_reply_error(info->boot->c, &req, why);
    release(info);
}

void net_boot_tick(net_peer_info *info, uint64_t now)
{
    if (info->boot && info->boot_frontiers && now >= info->boot_deadline_ms)
        net_boot_fail(info, "the peer did not answer the frontier_req");
    /* a pull's deadline is the gap pull's (net_pull_tick) */
}

void net_frontier_received(net_service *s, net_channel *ch, const net_frontier_resp *r)
{
    (void)s;
    net_peer_info *info = net_channel_user(ch);
    if (!info || !info->boot || !info->boot_frontiers) {
        smn_debug("ignoring a frontier_resp nobody asked for");
        return;
    }
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_FRONTIERS_R));
    ipc_put_array_begin(&b, "entries");
    for (size_t i = 0; i < r->count && i < IPC_NET_MAX_FRONTIERS; i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_bin(&b, "account", r->entries[i].account, 32);
        ipc_put_bin(&b, "hash", r->entries[i].frontier, 32);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_put_bin(&b, "peer", net_channel_node_id(ch), 32);
    reply_to(info, &b);
}

void net_boot_pulled(net_peer_info *info, const smn_block *blocks, size_t n, bool unavailable)
{
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_PULL_R));
    ipc_put_array_begin(&b, "blocks");
    for (size_t i = 0; i < n && i < IPC_NET_MAX_PULL_ASC; i++) {
        uint8_t wire[SMN_BLOCK_WIRE_BYTES];
        smn_block_serialize(&blocks[i], wire);
        ipc_put_bin(&b, NULL, wire, sizeof wire);
    }
    ipc_put_array_end(&b);
    if (unavailable)
        ipc_put_bool(&b, "unavailable", true);
    reply_to(info, &b);
}

void net_boot_pulled_parts(net_peer_info *info, const smn_block *blocks, size_t n)
{
    ipc_builder b;
    ipc_build_begin(&b, "pull_r");
    ipc_put_array_begin(&b, "blocks");
    for (size_t i = 0; i < n && i < IPC_NET_MAX_PULL_ASC; i++) {
        uint8_t wire[SMN_BLOCK_WIRE_BYTES];
        smn_block_serialize(&blocks[i], wire);
        ipc_put_bin(&b, NULL, wire, sizeof wire);
    }
    ipc_put_array_end(&b);
    ipc_put_array_begin(&b, "parts");
    for (size_t i = 0; i < info->nparts; i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_uint(&b, "n", info->part_n[i]);
        if (info->part_unavailable[i])
            ipc_put_bool(&b, "unavailable", true);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    reply_to(info, &b);
}

/* The peer named by the request's `peer` if it is free (none if it is
 * not: the bootstrap keeps its own per-peer accounts), else any free one. */
static net_channel *pick(net_service *s, const ipc_msg *m)
{
    const uint8_t *id;
    size_t len;
    if (ipc_get_bin(m->body, "peer", &id, &len)) {
        net_channel *ch = net_service_channel_by_id(s, id);
        net_peer_info *info = ch ? net_channel_user(ch) : NULL;
        return info && info->ready && !info->pulling && !info->boot ? ch : NULL;
    }
    net_channel *list[64];
    size_t n = net_channels_list(s->chans, list, 64);
    for (size_t i = 0; i < n; i++) {
        net_peer_info *info = net_channel_user(list[i]);
        if (info && info->ready && !info->pulling && !info->boot)
            return list[i];
    }
    return NULL;
}

static net_boot_req *free_slot(net_service *s)
{
    for (size_t i = 0; i < NET_MAX_BOOT; i++)
        if (!s->boot[i].used)
            return &s->boot[i];
    return NULL;
}

void net_boot_frontiers(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    net_boot_req *slot = free_slot(s);
    net_channel *ch = slot ? pick(s, m) : NULL;
    if (!ch) {
        ipc_reply_error(c, m, "no free peer");
        return;
    }
    net_message *req = calloc(1, sizeof *req);
    if (!req) {
        ipc_reply_error(c, m, "out of memory");
        return;
    }
    req->type = NET_MSG_FRONTIER_REQ;
    const uint8_t *start;
    size_t len;
    if (ipc_get_bin(m->body, "start", &start, &len))
        memcpy(req->u.frontier_req.start, start, 32);
    uint64_t count = 0;
    ipc_get_uint(m->body, "count", &count);
    req->u.frontier_req.count = (uint32_t)count; /* the schema bounds it */
    uint64_t age = NET_FRONTIER_AGE_ANY;
    ipc_get_uint(m->body, "age", &age); /* the schema bounds it */
    req->u.frontier_req.age = (uint32_t)age;
    bool confirmed = false;
    ipc_get_bool(m->body, "confirmed", &confirmed);
    req->u.frontier_req.confirmed_only = confirmed;
    int rc = net_channel_send(ch, req);
    free(req);
    if (rc != 0) {
        ipc_reply_error(c, m, "the peer's queue is full");
        return;
    }
    net_peer_info *info = net_channel_user(ch);
    info->boot = slot;
    slot->used = true;
    slot->c = c;
    slot->id = m->id;
    info->boot_frontiers = true;
    info->boot_deadline_ms = net_now_ms() + NET_PULL_TIMEOUT_MS;
}

void net_boot_pull(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    net_boot_req *slot = free_slot(s);
    net_channel *ch = slot ? pick(s, m) : NULL;
    if (!ch) {
        ipc_reply_error(c, m, "no free peer");
        return;
    }
    net_peer_info *info = net_channel_user(ch);
    net_message req = {.type = NET_MSG_BULK_PULL};
    const uint8_t *p;
    size_t len;
    ipc_get_bin(m->body, "start", &p, &len); /* required by the schema */
    memcpy(req.u.bulk_pull.start, p, 32);
    if (ipc_get_bin(m->body, "end", &p, &len))
        memcpy(req.u.bulk_pull.end, p, 32);
    bool asc = false;
    ipc_get_bool(m->body, "ascending", &asc);
    uint64_t count = 0;
    ipc_get_uint(m->body, "count", &count); /* the schema bounds it */
    size_t cap = asc ? IPC_NET_MAX_PULL_ASC : NET_PULL_BLOCKS;
    if (count == 0 || count > cap)
        count = cap;
    const ipc_obj *also = asc ? ipc_get_array(m->body, "also") : NULL;
    size_t nparts = 1 + (also ? ipc_array_len(also) : 0);
    if (nparts > IPC_NET_PULL_PARTS)
        nparts = IPC_NET_PULL_PARTS; /* the schema bounds it */
    if (count * nparts > IPC_NET_MAX_PULL_ASC)
        count = IPC_NET_MAX_PULL_ASC / nparts;
    req.u.bulk_pull.count = (uint32_t)count;
    req.u.bulk_pull.ascending = asc;
    info->pulled = calloc(count * nparts, sizeof *info->pulled);
    info->pull_cap = count * nparts;
    info->pull_unavailable = false;
    if (!info->pulled) {
        ipc_reply_error(c, m, "out of memory");
        return;
    }
    int rc = net_channel_send(ch, &req);
    for (size_t i = 1; rc == 0 && i < nparts; i++) {
        const ipc_obj *e = ipc_array_at(also, i - 1);
        memset(req.u.bulk_pull.start, 0, 32);
        memset(req.u.bulk_pull.end, 0, 32);
        if (ipc_get_bin(e, "start", &p, &len)) /* required by the schema */
            memcpy(req.u.bulk_pull.start, p, 32);
        if (ipc_get_bin(e, "end", &p, &len))
            memcpy(req.u.bulk_pull.end, p, 32);
        rc = net_channel_send(ch, &req);
    }
    if (rc != 0) {
        /* Some parts may be out: the channel's answers would no longer
         * match what we wait for, so this channel serves no more pulls. */
        free(info->pulled);
        info->pulled = NULL;
        ipc_reply_error(c, m, "the peer's queue is full");
        if (nparts > 1)
            net_channel_close(ch);
        return;
    }
    info->nparts = (uint8_t)nparts;
    info->part = 0;
    info->pulling = true;
    info->npulled = 0;
    info->pull_deadline_ms = net_now_ms() + NET_PULL_TIMEOUT_MS;
    info->boot = slot;
    slot->used = true;
    slot->c = c;
    slot->id = m->id;
    info->boot_frontiers = false;
}

void net_boot_conn_down(net_service *s, ipc_conn *c)
{
    for (size_t i = 0; i < NET_MAX_BOOT; i++)
        if (s->boot[i].used && s->boot[i].c == c)
            s->boot[i].c = NULL; /* the peer's answer is then dropped */
}
