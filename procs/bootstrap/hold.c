#include "procs/bootstrap/hold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAP_SLOTS (2u * BOOT_HOLD_SEGS)
#define RING_CAP (2u * BOOT_HOLD_SEGS)

static const uint8_t zero32[32];

/* ---- two maps of segment indexes: open addressing, linear probing,
 * backward-shift deletion; the key lives in the segment ---- */

typedef const uint8_t *(*key_fn)(const boot_seg *g);

static const uint8_t *key_account(const boot_seg *g)
{
    return g->item.account;
}

static const uint8_t *key_need(const boot_seg *g)
{
    return g->need;
}

static size_t home(const uint8_t key[32])
{
    size_t v = 0;
    memcpy(&v, key, sizeof v); /* accounts and hashes are uniform already */
    return v & (MAP_SLOTS - 1);
}

static long map_find(const boot_hold *h, const uint32_t *m, key_fn key, const uint8_t k[32])
{
    for (size_t i = home(k), n = 0; n < MAP_SLOTS; i = (i + 1) & (MAP_SLOTS - 1), n++) {
        if (!m[i])
            return -1;
        if (memcmp(key(&h->segs[m[i] - 1]), k, 32) == 0)
            return (long)i;
    }
    return -1;
}

/* false: the key is there already */
static bool map_put(boot_hold *h, uint32_t *m, key_fn key, uint32_t idx)
{
    const uint8_t *k = key(&h->segs[idx]);
    if (map_find(h, m, key, k) >= 0)
        return false;
    size_t i = home(k);
    while (m[i])
        i = (i + 1) & (MAP_SLOTS - 1);
    m[i] = idx + 1;
    return true;
}

static void map_remove_at(boot_hold *h, uint32_t *m, key_fn key, size_t i)
{
    m[i] = 0;
    for (size_t j = (i + 1) & (MAP_SLOTS - 1); m[j]; j = (j + 1) & (MAP_SLOTS - 1)) {
        size_t hm = home(key(&h->segs[m[j] - 1]));
        bool movable = i <= j ? (hm <= i || hm > j) : (hm <= i && hm > j);
        if (movable) {
            m[i] = m[j];
            m[j] = 0;
            i = j;
        }
    }
}

/* Removes the entry for segment idx, if it is the one under its key. */
static void map_remove(boot_hold *h, uint32_t *m, key_fn key, uint32_t idx)
{
    long i = map_find(h, m, key, key(&h->segs[idx]));
    if (i >= 0 && m[i] == idx + 1)
        map_remove_at(h, m, key, (size_t)i);
}

/* ---- the ready ring ---- */

static void ring_rebuild(boot_hold *h)
{
    h->rhead = h->rn = 0;
    for (uint32_t i = 0; i < BOOT_HOLD_SEGS; i++)
        if (h->segs[i].used && h->segs[i].ready)
            h->ring[h->rn++] = i;
}

static void make_ready(boot_hold *h, uint32_t idx)
{
    boot_seg *g = &h->segs[idx];
    if (g->ready)
        return;
    g->ready = true;
    if (h->rn == RING_CAP)
        ring_rebuild(h); /* stale entries of dropped segments: at most one per segment */
    else
        h->ring[(h->rhead + h->rn++) % RING_CAP] = idx;
}

static void unblock(boot_hold *h, uint32_t idx)
{
    boot_seg *g = &h->segs[idx];
    if (!g->blocked)
        return;
    map_remove(h, h->by_need, key_need, idx);
    g->blocked = false;
    h->nblocked--;
}

static void seg_free(boot_hold *h, uint32_t idx)
{
    boot_seg *g = &h->segs[idx];
    unblock(h, idx);
    map_remove(h, h->by_account, key_account, idx);
    h->blocks -= g->n - g->pos;
    free(g->b);
    memset(g, 0, sizeof *g);
    h->freel[h->nfree++] = idx;
    h->nsegs--;
}

/* ---- the API ---- */

int boot_hold_init(boot_hold *h)
{
    memset(h, 0, sizeof *h);
    h->segs = calloc(BOOT_HOLD_SEGS, sizeof *h->segs);
    h->by_account = calloc(MAP_SLOTS, sizeof *h->by_account);
    h->by_need = calloc(MAP_SLOTS, sizeof *h->by_need);
    h->freel = calloc(BOOT_HOLD_SEGS, sizeof *h->freel);
    h->ring = calloc(RING_CAP, sizeof *h->ring);
    if (!h->segs || !h->by_account || !h->by_need || !h->freel || !h->ring) {
        boot_hold_free(h);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < BOOT_HOLD_SEGS; i++)
        h->freel[h->nfree++] = BOOT_HOLD_SEGS - 1 - i;
    return 0;
}

void boot_hold_free(boot_hold *h)
{
    if (h->segs)
        for (size_t i = 0; i < BOOT_HOLD_SEGS; i++)
            free(h->segs[i].b);
    free(h->segs);
    free(h->by_account);
    free(h->by_need);
    free(h->freel);
    free(h->ring);
    memset(h, 0, sizeof *h);
}

size_t boot_hold_room(const boot_hold *h)
{
    return h->blocks >= BOOT_HOLD_BLOCKS ? 0 : BOOT_HOLD_BLOCKS - h->blocks;
}

size_t boot_hold_blocks(const boot_hold *h)
{
    return h->blocks;
}

size_t boot_hold_accounts(const boot_hold *h)
{
    return h->nsegs;
}

size_t boot_hold_blocked(const boot_hold *h)
{
    return h->nblocked;
}

bool boot_hold_has(const boot_hold *h, const uint8_t account[32])
{
    return h->nsegs && map_find(h, h->by_account, key_account, account) >= 0;
}

bool boot_hold_add(boot_hold *h, const boot_item *item, const smn_block *b, size_t n, int peer,
                   bool more)
{
    if (n == 0 || n > boot_hold_room(h) || !h->nfree || boot_hold_has(h, item->account))
        return false;
    smn_block *copy = malloc(n * sizeof *copy);
    if (!copy)
        return false;
    memcpy(copy, b, n * sizeof *copy);
    uint32_t idx = h->freel[--h->nfree];
    boot_seg *g = &h->segs[idx];
    memset(g, 0, sizeof *g);
    g->used = true;
    g->item = *item;
    g->b = copy;
    g->n = (uint32_t)n;
    g->peer = peer;
    g->more = more;
    map_put(h, h->by_account, key_account, idx);
    h->nsegs++;
    h->blocks += n;
    make_ready(h, idx);
    return true;
}

static bool is_receive(const boot_seg *g, const smn_block *b)
{
    return smn_block_is_open(b) || smn_amount_lt(g->item.hint_balance, b->balance);
}

size_t boot_hold_take(boot_hold *h, smn_block *out, int8_t *peers, size_t max,
                      const boot_hold_cb *cb)
{
    size_t k = 0;
    while (k < max && h->rn) {
        uint32_t idx = h->ring[h->rhead];
        h->rhead = (h->rhead + 1) % RING_CAP;
        h->rn--;
        boot_seg *g = &h->segs[idx];
        if (!g->used || !g->ready)
            continue;     /* a dropped segment's entry */
        g->ready = false; /* out of the ring while it is handed out */
        while (g->pos < g->n && k < max) {
            const smn_block *b = &g->b[g->pos];
            bool met = g->met && memcmp(b->link, g->need, 32) == 0; /* woken for it */
            g->met = false;
            if (!g->force && !met && is_receive(g, b) && memcmp(b->link, zero32, 32) != 0 &&
                !cb->known(cb->ud, b->link)) {
                g->blocked = true;
                h->nblocked++;
                memcpy(g->need, b->link, 32);
                /* A second segment needing the same send (a lying peer):
                 * only the sweep wakes it. */
                map_put(h, h->by_need, key_need, idx);
                break;
            }
            if (smn_amount_lt(b->balance, g->item.hint_balance))
                g->sends++;
            if (peers)
                peers[k] = (int8_t)g->peer;
            out[k++] = *b;
            smn_block_hash(b, g->item.hint);
            g->item.hint_height++;
            g->item.hint_balance = b->balance;
            g->pos++;
            h->blocks--;
            if (boot_hold_wake(h, g->item.hint))
                g->needed = true;
        }
        if (g->pos == g->n) {
            boot_item it = g->item;
            /* a page of sends only (a chain that funds others, such as
             * one opening accounts): others will wait for its next page */
            bool more = g->more, funds = g->sends == g->n, needed = g->needed || funds;
            seg_free(h, idx);
            if (cb->done)
                cb->done(cb->ud, &it, more, needed, funds);
        } else if (!g->blocked) {
            /* max reached: it goes on first next time */
            g->ready = true;
            if (h->rn == RING_CAP) {
                ring_rebuild(h);
            } else {
                h->rhead = (h->rhead + RING_CAP - 1) % RING_CAP;
                h->ring[h->rhead] = idx;
                h->rn++;
            }
        }
    }
    return k;
}

bool boot_hold_wake(boot_hold *h, const uint8_t hash[32])
{
    if (!h->nblocked)
        return false;
    long i = map_find(h, h->by_need, key_need, hash);
    if (i < 0)
        return false;
    uint32_t idx = h->by_need[i] - 1;
    unblock(h, idx);
    h->segs[idx].met = true; /* handed out before it, maybe not in the ledger yet */
    make_ready(h, idx);
    return true;
}

size_t boot_hold_sweep(boot_hold *h, size_t max, const boot_hold_cb *cb)
{
    size_t woke = 0;
    for (size_t k = 0; k < max && h->nblocked; k++) {
        uint32_t idx = (uint32_t)h->sweep;
        h->sweep = (h->sweep + 1) % BOOT_HOLD_SEGS;
        boot_seg *g = &h->segs[idx];
        if (g->used && g->blocked && cb->known(cb->ud, g->need)) {
            unblock(h, idx);
            make_ready(h, idx);
            woke++;
        }
    }
    return woke;
}

bool boot_hold_some_need(boot_hold *h, uint8_t out[32])
{
    for (size_t k = 0; k < BOOT_HOLD_SEGS && h->nblocked; k++) {
        boot_seg *g = &h->segs[h->sweep];
        h->sweep = (h->sweep + 1) % BOOT_HOLD_SEGS;
        if (g->used && g->blocked) {
            memcpy(out, g->need, 32);
            return true;
        }
    }
    return false;
}

size_t boot_hold_spill(boot_hold *h, size_t max)
{
    size_t released = 0;
    for (uint32_t idx = 0; idx < BOOT_HOLD_SEGS && released < max && h->nblocked; idx++) {
        boot_seg *g = &h->segs[idx];
        if (!g->used || !g->blocked)
            continue;
        unblock(h, idx);
        g->force = true;
        make_ready(h, idx);
        released += g->n - g->pos;
    }
    return released;
}

bool boot_hold_drop(boot_hold *h, const uint8_t account[32], boot_item *item)
{
    if (!h->nsegs)
        return false;
    long i = map_find(h, h->by_account, key_account, account);
    if (i < 0)
        return false;
    uint32_t idx = h->by_account[i] - 1;
    if (item)
        *item = h->segs[idx].item;
    h->segs[idx].ready = false; /* its ring entry, if any, is skipped */
    seg_free(h, idx);
    return true;
}

size_t boot_hold_trim_blocked(boot_hold *h, size_t max)
{
    size_t freed = 0;
    for (size_t k = 0; k < BOOT_HOLD_SEGS && freed < max && h->nblocked; k++) {
        uint32_t idx = (uint32_t)h->sweep;
        h->sweep = (h->sweep + 1) % BOOT_HOLD_SEGS;
        boot_seg *g = &h->segs[idx];
        if (!g->used || !g->blocked || g->n - g->pos <= 1)
            continue;
        size_t cut = g->n - g->pos - 1;
        /* the blocked receive moves to the front; the array shrinks to it */
        g->b[0] = g->b[g->pos];
        smn_block *small = realloc(g->b, sizeof *g->b);
        if (small)
            g->b = small;
        g->n = 1;
        g->pos = 0;
        g->more = true;
        h->blocks -= cut;
        freed += cut;
    }
    return freed;
}

bool boot_hold_evict_blocked(boot_hold *h, boot_item *item)
{
    for (size_t k = 0; k < BOOT_HOLD_SEGS && h->nblocked; k++) {
        uint32_t idx = (uint32_t)h->sweep;
        h->sweep = (h->sweep + 1) % BOOT_HOLD_SEGS;
        boot_seg *g = &h->segs[idx];
        if (g->used && g->blocked) {
            *item = g->item;
            seg_free(h, idx);
            return true;
        }
    }
    return false;
}
