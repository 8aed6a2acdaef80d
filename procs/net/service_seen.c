#include "procs/net/service_seen.h"

#include <stdlib.h>
#include <string.h>

/* The table has twice the capacity rounded up to a power of two, so probes
 * stay short. The FIFO ring holds insertion order. A removed hash leaves a
 * stale ring entry (its generation no longer matches the table's); the ring
 * has room for twice the capacity, and when it fills up it is compacted,
 * which happens at most once per `capacity` insertions: amortised O(1). */
typedef struct {
    uint8_t h[32];
    uint64_t gen; /* insertion number; 0 = empty slot */
} slot;

typedef struct {
    uint8_t h[32];
    uint64_t gen;
} ring_entry;

struct net_seen {
    size_t cap, count;
    size_t mask; /* table size - 1 */
    slot *table;
    ring_entry *ring; /* 2 * cap entries; head is the oldest */
    size_t head, used;
    uint64_t next_gen;
};

static size_t bucket(const net_seen *s, const uint8_t h[32])
{
    /* Hashes are uniformly distributed already: use their first bytes. */
    uint64_t v;
    memcpy(&v, h, sizeof v);
    return (size_t)v & s->mask;
}

net_seen *net_seen_new(size_t capacity)
{
    if (capacity == 0 || capacity > (SIZE_MAX / 4) / sizeof(slot))
        return NULL;
    net_seen *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t size = 2;
    while (size < capacity * 2)
        size *= 2;
    s->cap = capacity;
    s->mask = size - 1;
    s->next_gen = 1;
    s->table = calloc(size, sizeof *s->table);
    s->ring = calloc(capacity * 2, sizeof *s->ring);
    if (!s->table || !s->ring) {
        net_seen_free(s);
        return NULL;
    }
    return s;
}

void net_seen_free(net_seen *s)
{
    if (!s)
        return;
    free(s->table);
    free(s->ring);
    free(s);
}

/* The slot holding h, or the empty slot where it would go. */
static size_t find(const net_seen *s, const uint8_t h[32])
{
    size_t i = bucket(s, h);
    while (s->table[i].gen && memcmp(s->table[i].h, h, 32) != 0)
        i = (i + 1) & s->mask;
    return i;
}

/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
static void erase_at(net_seen *s, size_t i)
{
    size_t j = i;
    for (;;) {
        j = (j + 1) & s->mask;
        if (!s->table[j].gen)
            break;
        size_t home = bucket(s, s->table[j].h);
        /* Move j into the hole at i unless its home lies cyclically in (i, j]. */
        bool home_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!home_between) {
            s->table[i] = s->table[j];
            i = j;
        }
    }
    s->table[i].gen = 0;
    s->count--;
}

bool net_seen_contains(const net_seen *s, const uint8_t h[32])
{
    return s->table[find(s, h)].gen != 0;
}

static bool live(const net_seen *s, const ring_entry *e)
{
    size_t i = find(s, e->h);
    return s->table[i].gen == e->gen;
}

static void evict_oldest(net_seen *s)
{
    size_t rcap = s->cap * 2;
    while (s->used) {
        ring_entry *e = &s->ring[s->head];
        s->head = (s->head + 1) % rcap;
        s->used--;
        size_t i = find(s, e->h);
        if (s->table[i].gen == e->gen) {
            erase_at(s, i);
            return;
        }
    }
}

/* Drop the stale entries, keeping the order of the live ones. */
static void compact(net_seen *s)
{
    size_t rcap = s->cap * 2, kept = 0;
    for (size_t k = 0; k < s->used; k++) {
        ring_entry e = s->ring[(s->head + k) % rcap];
        if (live(s, &e))
            s->ring[(s->head + kept++) % rcap] = e;
    }
    s->used = kept;
}

bool net_seen_add(net_seen *s, const uint8_t h[32])
{
    size_t i = find(s, h);
    if (s->table[i].gen)
        return false;
    if (s->count >= s->cap)
        evict_oldest(s);
    if (s->used >= s->cap * 2)
        compact(s); /* count < cap here, so this frees at least cap slots */
    i = find(s, h); /* eviction may have moved slots */
    uint64_t gen = s->next_gen++;
    memcpy(s->table[i].h, h, 32);
    s->table[i].gen = gen;
    s->count++;
    ring_entry *e = &s->ring[(s->head + s->used) % (s->cap * 2)];
    memcpy(e->h, h, 32);
    e->gen = gen;
    s->used++;
    return true;
}

bool net_seen_remove(net_seen *s, const uint8_t h[32])
{
    size_t i = find(s, h);
    if (!s->table[i].gen)
        return false;
    erase_at(s, i);
    return true;
}

size_t net_seen_count(const net_seen *s)
{
    return s->count;
}
