#include "procs/net/service_votereq.h"

#include <string.h>

void net_vreq_init(net_vreq *r, uint64_t now_ms)
{
    memset(r, 0, sizeof *r);
    net_limiter_init(&r->out, NET_VREQ_OUT_PAIRS_PER_S, NET_VREQ_OUT_BURST, now_ms);
    net_flood_gate_init(&r->in,
                        (net_gate_limits){NET_VREQ_IN_PAIRS_PER_S, NET_VREQ_IN_BURST,
                                          NET_VREQ_FLOOD_PAIRS_PER_S, NET_VREQ_FLOOD_BURST},
                        now_ms);
}

static net_vreq_asked *asked_find(net_vreq *r, const uint8_t hash[32], uint64_t now_ms)
{
    for (size_t i = 0; i < NET_VREQ_ASKED; i++)
        if (r->asked[i].until_ms > now_ms && memcmp(r->asked[i].hash, hash, 32) == 0)
            return &r->asked[i];
    return NULL;
}

bool net_vreq_ask(net_vreq *r, const net_confirm_req *q, uint64_t now_ms)
{
    if (q->count == 0 || q->count > NET_CONFIRM_REQ_MAX_PAIRS)
        return false;
    if (!net_limiter_take(&r->out, q->count, now_ms))
        return false;
    uint64_t until = now_ms + NET_VREQ_WINDOW_MS;
    for (uint8_t i = 0; i < q->count; i++) {
        net_vreq_asked *a = asked_find(r, q->hashes[i], now_ms);
        if (!a) {
            a = &r->asked[r->asked_next];
            r->asked_next = (r->asked_next + 1) % NET_VREQ_ASKED;
            memcpy(a->hash, q->hashes[i], 32);
        }
        a->until_ms = until;
    }
    if (now_ms >= r->credit_until_ms)
        r->credit = 0;
    uint32_t add = (uint32_t)q->count * NET_VREQ_ANSWERS_PER_PAIR;
    r->credit = r->credit + add > NET_VREQ_MAX_CREDIT ? NET_VREQ_MAX_CREDIT : r->credit + add;
    r->credit_until_ms = until;
    return true;
}

net_vreq_verdict net_vreq_incoming(net_vreq *r, unsigned pairs, uint64_t now_ms)
{
    switch (net_flood_gate_check(&r->in, pairs, now_ms)) {
    case NET_GATE_PASS:
        return NET_VREQ_ACCEPT;
    case NET_GATE_THROTTLE:
        return NET_VREQ_THROTTLE;
    case NET_GATE_FLOOD:
        break;
    }
    return NET_VREQ_FLOOD;
}

bool net_vreq_redeliver(net_vreq *r, const smn_vote *v, uint64_t now_ms)
{
    if (r->credit == 0 || now_ms >= r->credit_until_ms)
        return false;
    for (uint8_t i = 0; i < v->count && i < SMN_VOTE_MAX_HASHES; i++)
        if (asked_find(r, v->hashes[i], now_ms)) {
            r->credit--;
            return true;
        }
    return false;
}

bool net_vreq_window_open(const net_vreq *r, uint64_t now_ms)
{
    for (size_t i = 0; i < NET_VREQ_ASKED; i++)
        if (r->asked[i].until_ms > now_ms)
            return true;
    return false;
}

bool net_vreq_read_pairs(const ipc_obj *body, net_confirm_req *q)
{
    memset(q, 0, sizeof *q);
    const ipc_obj *arr = body ? ipc_get_array(body, "pairs") : NULL;
    size_t n = arr ? ipc_array_len(arr) : 0;
    if (n == 0 || n > NET_CONFIRM_REQ_MAX_PAIRS)
        return false;
    for (size_t i = 0; i < n; i++) {
        const ipc_obj *e = ipc_array_at(arr, i);
        const uint8_t *h, *root;
        size_t hl, rl;
        if (!e || !ipc_get_bin(e, "hash", &h, &hl) || !ipc_get_bin(e, "root", &root, &rl) ||
            hl != 32 || rl != 32)
            return false;
        memcpy(q->hashes[i], h, 32);
        memcpy(q->roots[i], root, 32);
    }
    q->count = (uint8_t)n;
    return true;
}

void net_vreq_put_pairs(ipc_builder *b, const net_confirm_req *q)
{
    ipc_put_array_begin(b, "pairs");
    for (uint8_t i = 0; i < q->count && i < NET_CONFIRM_REQ_MAX_PAIRS; i++) {
        ipc_put_map_begin(b, NULL);
        ipc_put_bin(b, "hash", q->hashes[i], 32);
        ipc_put_bin(b, "root", q->roots[i], 32);
        ipc_put_map_end(b);
    }
    ipc_put_array_end(b);
}
