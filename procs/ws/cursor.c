/* The confirmation ring and a subscriber's step through the cementing log;
 * see cursor.h. No I/O of its own: the DB is behind ws_conf_source. */
#include "procs/ws/cursor.h"

#include <stdlib.h>
#include <string.h>

bool ws_ring_init(ws_ring *r, size_t cap, uint64_t head)
{
    memset(r, 0, sizeof *r);
    r->e = calloc(cap ? cap : 1, sizeof *r->e);
    if (!r->e)
        return false;
    r->cap = cap ? cap : 1;
    r->base = r->last = head;
    return true;
}

static ws_ring_entry *at(const ws_ring *r, size_t i)
{
    return &r->e[(r->head + i) % r->cap];
}

static void unref_entries(ws_ring *r)
{
    for (size_t i = 0; i < r->n; i++) {
        ws_buf_unref(at(r, i)->plain);
        ws_buf_unref(at(r, i)->with_block);
        ws_buf_unref(at(r, i)->info_plain);
        ws_buf_unref(at(r, i)->info_block);
    }
}

void ws_ring_free(ws_ring *r)
{
    unref_entries(r);
    free(r->e);
    memset(r, 0, sizeof *r);
}

void ws_ring_reset(ws_ring *r, uint64_t head)
{
    unref_entries(r);
    r->head = r->n = 0;
    if (head < r->last)
        head = r->last;
    r->base = r->last = head;
}

static ws_buf *render(const ws_confirmation *c, bool include_block, bool info, uint64_t now_ms)
{
    size_t len;
    char *s = ws_msg_confirmation(c, include_block, info, now_ms, &len);
    if (!s)
        return NULL;
    ws_buf *b = ws_buf_new(s, len);
    free(s);
    return b;
}

bool ws_ring_append(ws_ring *r, const ws_confirmation *c, uint64_t now_ms)
{
    if (c->seq <= r->last)
        return false;
    if (c->pruned) {
        /* Nothing to send for it: the ring stays contiguous in meaning. */
        if (r->n == 0)
            r->base = c->seq;
        r->last = c->seq;
        return true;
    }
    ws_buf *plain = render(c, false, false, now_ms);
    ws_buf *full = render(c, true, false, now_ms);
    bool info = c->has_election && c->election.has_info;
    ws_buf *iplain = info ? render(c, false, true, now_ms) : NULL;
    ws_buf *ifull = info ? render(c, true, true, now_ms) : NULL;
    if (!plain || !full || (info && (!iplain || !ifull))) {
        ws_buf_unref(plain);
        ws_buf_unref(full);
        ws_buf_unref(iplain);
        ws_buf_unref(ifull);
        return false;
    }
    if (r->n == r->cap) {
        ws_ring_entry *old = at(r, 0);
        r->base = old->c.seq;
        ws_buf_unref(old->plain);
        ws_buf_unref(old->with_block);
        ws_buf_unref(old->info_plain);
        ws_buf_unref(old->info_block);
        r->head = (r->head + 1) % r->cap;
        r->n--;
    }
    ws_ring_entry *e = at(r, r->n);
    e->c = *c;
    e->plain = plain;
    e->with_block = full;
    e->info_plain = iplain;
    e->info_block = ifull;
    r->n++;
    r->last = c->seq;
    return true;
}

size_t ws_ring_count(const ws_ring *r)
{
    return r->n;
}

const ws_ring_entry *ws_ring_get(const ws_ring *r, size_t i)
{
    return i < r->n ? at(r, i) : NULL;
}

size_t ws_ring_first_after(const ws_ring *r, uint64_t cursor)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (at(r, mid)->c.seq <= cursor)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool ws_conf_sub_matches(const ws_conf_sub *s, const ws_confirmation *c)
{
    if (c->pruned)
        return false;
    /* Every confirmation is "active_quorum" (wsmsg.h). */
    if (s->type == WS_CONF_ACTIVE_CONFIRMATION_HEIGHT || s->type == WS_CONF_INACTIVE)
        return false;
    return !s->filtered || ws_confirmation_matches(c, &s->accounts);
}

static ws_step from_ring(ws_conf_sub *s, ws_outq *q, const ws_ring *ring, size_t *budget)
{
    for (size_t i = ws_ring_first_after(ring, s->scan); i < ring->n && *budget; i++, (*budget)--) {
        const ws_ring_entry *e = at(ring, i);
        if (!ws_conf_sub_matches(s, &e->c)) {
            s->scan = e->c.seq;
            continue;
        }
        bool info = s->include_election_info && e->info_plain;
        ws_buf *b = info ? (s->include_block ? e->info_block : e->info_plain)
                         : (s->include_block ? e->with_block : e->plain);
        if (!ws_outq_push(q, b, WS_STREAM_CONF, e->c.seq))
            return WS_STEP_FULL;
        s->scan = e->c.seq;
    }
    /* Pruned entries after the last one kept only moved ring->last. */
    if (*budget && s->scan < ring->last)
        s->scan = ring->last;
    return WS_STEP_MORE;
}

static ws_step from_db(ws_conf_sub *s, ws_outq *q, const ws_ring *ring, ws_conf_source src,
                       void *user, ws_confirmation *page, size_t page_max, uint64_t now_ms)
{
    size_t n = 0;
    if (src(user, s->scan, page, page_max, &n) != 0)
        return WS_STEP_ERR;
    if (n == 0) {
        /* The log has nothing more up to the ring's base (seqs can be
         * missing); the ring takes over. */
        s->scan = ring->base;
        return WS_STEP_MORE;
    }
    for (size_t i = 0; i < n; i++) {
        const ws_confirmation *c = &page[i];
        if (c->seq <= s->scan)
            continue;
        if (ws_conf_sub_matches(s, c)) {
            if (q->n && q->bytes >= q->max_bytes)
                return WS_STEP_FULL;
            ws_buf *b = render(c, s->include_block, s->include_election_info, now_ms);
            if (!b)
                return WS_STEP_ERR;
            bool ok = ws_outq_push(q, b, WS_STREAM_CONF, c->seq);
            ws_buf_unref(b);
            if (!ok)
                return WS_STEP_FULL;
        }
        s->scan = c->seq;
    }
    return WS_STEP_MORE;
}

ws_step ws_conf_step(ws_conf_sub *s, ws_outq *q, const ws_ring *ring, ws_conf_source src,
                     void *src_user, ws_confirmation *page, size_t page_max, size_t budget,
                     uint64_t now_ms)
{
    if (!s->on)
        return WS_STEP_IDLE;
    if (s->scan >= ring->last)
        return WS_STEP_IDLE;
    if (s->scan < ring->base)
        return from_db(s, q, ring, src, src_user, page, page_max, now_ms);
    ws_step st = from_ring(s, q, ring, &budget);
    if (st == WS_STEP_MORE && s->scan >= ring->last)
        return WS_STEP_IDLE;
    return st;
}
