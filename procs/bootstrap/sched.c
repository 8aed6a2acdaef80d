#include "procs/bootstrap/sched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_AHEAD 64u /* queued items looked at for one that a free peer can serve */

int boot_sched_init(boot_sched *s)
{
    memset(s, 0, sizeof *s);
    s->q = calloc(BOOT_QUEUE_MAX, sizeof *s->q);
    if (!s->q) {
        boot_sched_free(s);
        return -ENOMEM;
    }
    return 0;
}

void boot_sched_free(boot_sched *s)
{
    free(s->q);
    s->q = NULL;
    s->n = 0;
}

int boot_sched_peer_index(const boot_sched *s, const uint8_t id[32])
{
    for (size_t i = 0; i < BOOT_MAX_PEERS; i++)
        if (s->peers[i].used && memcmp(s->peers[i].id, id, 32) == 0)
            return (int)i;
    return -1;
}

void boot_sched_set_peers(boot_sched *s, const uint8_t (*ids)[32], size_t n)
{
    for (size_t i = 0; i < BOOT_MAX_PEERS; i++)
        s->peers[i].present = false;
    for (size_t k = 0; k < n; k++) {
        int i = boot_sched_peer_index(s, ids[k]);
        if (i < 0) {
            for (size_t j = 0; j < BOOT_MAX_PEERS && i < 0; j++)
                if (!s->peers[j].used)
                    i = (int)j;
            for (size_t j = 0; j < BOOT_MAX_PEERS && i < 0; j++)
                if (!s->peers[j].present && !s->peers[j].busy)
                    i = (int)j; /* an absent one makes room; its refusals go with it */
            if (i < 0)
                continue;
            boot_peer *p = &s->peers[i];
            memset(p, 0, sizeof *p);
            p->used = true;
            memcpy(p->id, ids[k], 32);
            uint8_t bit = (uint8_t)(1u << i);
            for (size_t q = 0; q < s->n; q++)
                s->q[(s->head + q) % BOOT_QUEUE_MAX].refused &= (uint8_t)~bit;
        }
        s->peers[i].present = true;
    }
}

static bool usable(const boot_peer *p, uint64_t now)
{
    return p->used && p->present && (!p->dropped_until || now >= p->dropped_until);
}

size_t boot_sched_usable_peers(const boot_sched *s, uint64_t now_ms)
{
    size_t n = 0;
    for (size_t i = 0; i < BOOT_MAX_PEERS; i++)
        n += usable(&s->peers[i], now_ms);
    return n;
}

int boot_sched_pick_peer(const boot_sched *s, const boot_item *item, uint64_t now_ms)
{
    int best = -1;
    for (size_t i = 0; i < BOOT_MAX_PEERS; i++) {
        const boot_peer *p = &s->peers[i];
        if (!usable(p, now_ms) || p->busy || now_ms < p->next_ms)
            continue;
        if (item && (item->refused & (1u << i)))
            continue;
        if (best < 0 || p->score > s->peers[best].score)
            best = (int)i;
    }
    return best;
}

void boot_sched_mark_busy(boot_sched *s, int peer)
{
    s->peers[peer].busy = true;
}

void boot_sched_pace(boot_sched *s, int peer, size_t parts, uint64_t now_ms)
{
    boot_peer *p = &s->peers[peer];
    /* rounded up: 32 parts wait 6 ms, so a peer sees at most 6,000 a second */
    uint64_t at =
        now_ms + ((uint64_t)parts * 1000u + BOOT_PEER_PULLS_PER_S - 1) / BOOT_PEER_PULLS_PER_S;
    if (p->next_ms < at)
        p->next_ms = at;
}

void boot_sched_done(boot_sched *s, int peer, boot_outcome o, size_t blocks, uint64_t now_ms)
{
    boot_peer *p = &s->peers[peer];
    p->busy = false;
    p->next_ms = now_ms + (uint64_t)blocks * 1000u / BOOT_PEER_BLOCKS_PER_S;
    switch (o) {
    case BOOT_OK:
        p->blocks += blocks;
        if (p->score < BOOT_SCORE_MAX)
            p->score++;
        break;
    case BOOT_UNAVAILABLE:
        p->unavailable++;
        break;
    case BOOT_STALL:
        p->stalls++;
        p->score += BOOT_PENALTY_STALL;
        break;
    case BOOT_INVALID:
        p->invalid++;
        p->score += BOOT_PENALTY_INVALID;
        break;
    case BOOT_NO_SLOT:
        p->next_ms = now_ms + 10; /* net was busy with it: a moment later */
        break;
    }
    if (p->score <= BOOT_SCORE_DROP) {
        p->dropped_until = now_ms + BOOT_DROP_MS;
        p->score = 0;
    } else if (p->dropped_until && now_ms >= p->dropped_until) {
        p->dropped_until = 0;
    }
}

void boot_sched_penalize(boot_sched *s, int peer, boot_outcome o, uint64_t now_ms)
{
    boot_peer *p = &s->peers[peer];
    if (o == BOOT_INVALID) {
        p->invalid++;
        p->score += BOOT_PENALTY_INVALID;
    } else if (o == BOOT_STALL) {
        p->stalls++;
        p->score += BOOT_PENALTY_STALL;
    }
    if (p->score <= BOOT_SCORE_DROP) {
        p->dropped_until = now_ms + BOOT_DROP_MS;
        p->score = 0;
    }
}

static boot_item *at(boot_sched *s, size_t i)
{
    return &s->q[(s->head + i) % BOOT_QUEUE_MAX];
}

static long find(const boot_sched *s, const uint8_t account[32])
{
    for (size_t i = 0; i < s->n; i++)
        if (memcmp(s->q[(s->head + i) % BOOT_QUEUE_MAX].account, account, 32) == 0)
            return (long)i;
    return -1;
}

bool boot_sched_contains(const boot_sched *s, const uint8_t account[32])
{
    return find(s, account) >= 0;
}

/* Removes queue entry i (0 = the front) into *out. */
static void remove_at(boot_sched *s, size_t i, boot_item *out)
{
    *out = *at(s, i);
    for (size_t k = i; k > 0; k--)
        *at(s, k) = *at(s, k - 1);
    s->head = (s->head + 1) % BOOT_QUEUE_MAX;
    s->n--;
}

static bool push_front(boot_sched *s, const boot_item *it)
{
    if (s->n == BOOT_QUEUE_MAX) {
        s->full++;
        return false;
    }
    s->head = (s->head + BOOT_QUEUE_MAX - 1) % BOOT_QUEUE_MAX;
    s->q[s->head] = *it;
    s->n++;
    return true;
}

bool boot_sched_push(boot_sched *s, const uint8_t account[32], bool front, uint8_t dep_depth)
{
    long i = find(s, account);
    boot_item it = {.dep_depth = dep_depth};
    memcpy(it.account, account, 32);
    if (i >= 0) {
        if (!front)
            return true;
        remove_at(s, (size_t)i, &it);
        it.dep_depth = dep_depth;
        return push_front(s, &it);
    }
    if (front)
        return push_front(s, &it);
    if (s->n == BOOT_QUEUE_MAX) {
        s->full++;
        return false;
    }
    *at(s, s->n) = it;
    s->n++;
    return true;
}

bool boot_sched_append(boot_sched *s, const boot_item *it)
{
    long i = find(s, it->account);
    boot_item old;
    if (i >= 0)
        remove_at(s, (size_t)i, &old);
    if (s->n == BOOT_QUEUE_MAX) {
        s->full++;
        return false;
    }
    *at(s, s->n) = *it;
    s->n++;
    return true;
}

void boot_sched_forget_hint(boot_sched *s, const uint8_t account[32])
{
    long i = find(s, account);
    if (i >= 0) {
        boot_item *it = at(s, (size_t)i);
        memset(it->hint, 0, 32);
        it->hint_height = 0;
        it->hint_balance = smn_amount_zero();
    }
}

bool boot_sched_requeue(boot_sched *s, const boot_item *it)
{
    long i = find(s, it->account);
    boot_item old;
    if (i >= 0)
        remove_at(s, (size_t)i, &old);
    return push_front(s, it);
}

size_t boot_sched_queued(const boot_sched *s)
{
    return s->n;
}

/* Every usable peer refused it. */
static bool hopeless(const boot_sched *s, const boot_item *it, uint64_t now)
{
    for (size_t i = 0; i < BOOT_MAX_PEERS; i++)
        if (usable(&s->peers[i], now) && !(it->refused & (1u << i)))
            return false;
    return true;
}

int boot_sched_next(boot_sched *s, uint64_t now_ms, boot_item *item)
{
    if (boot_sched_usable_peers(s, now_ms) == 0)
        return -1;
    for (size_t i = 0; i < s->n && i < SCAN_AHEAD;) {
        boot_item *it = at(s, i);
        if (hopeless(s, it, now_ms)) {
            boot_item gone;
            remove_at(s, i, &gone);
            s->dropped_items++;
            continue;
        }
        int p = boot_sched_pick_peer(s, it, now_ms);
        if (p >= 0) {
            remove_at(s, i, item);
            boot_sched_mark_busy(s, p);
            return p;
        }
        i++;
    }
    return -1;
}

bool boot_sched_take_for(boot_sched *s, int peer, uint64_t now_ms, boot_item *item)
{
    (void)now_ms;
    for (size_t i = 0; i < s->n && i < SCAN_AHEAD; i++) {
        boot_item *it = at(s, i);
        if (it->refused & (1u << peer))
            continue;
        remove_at(s, i, item);
        return true;
    }
    return false;
}

bool boot_sched_refused(boot_sched *s, boot_item *item, int peer, uint64_t now_ms)
{
    item->refused |= (uint8_t)(1u << peer);
    if (hopeless(s, item, now_ms)) {
        s->dropped_items++;
        return false;
    }
    return boot_sched_requeue(s, item);
}
