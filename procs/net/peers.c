#include "procs/net/peers.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    net_endpoint ep;
    uint64_t last_seen;
} peer;

typedef struct {
    uint8_t addr[16];
    uint64_t until;
} ban;

struct net_peers {
    peer *peers; /* sorted by endpoint */
    size_t count, capacity;
    ban *bans; /* unordered; small */
    size_t ban_count, ban_capacity;
};

net_peers *net_peers_new(size_t capacity, size_t ban_capacity)
{
    if (capacity == 0 || ban_capacity == 0)
        return NULL;
    net_peers *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->peers = calloc(capacity, sizeof *p->peers);
    p->bans = calloc(ban_capacity, sizeof *p->bans);
    if (!p->peers || !p->bans) {
        net_peers_free(p);
        return NULL;
    }
    p->capacity = capacity;
    p->ban_capacity = ban_capacity;
    return p;
}

void net_peers_free(net_peers *p)
{
    if (!p)
        return;
    free(p->peers);
    free(p->bans);
    free(p);
}

/* Index of ep, or of where it would go (*found false). */
static size_t find(const net_peers *p, const net_endpoint *ep, bool *found)
{
    size_t lo = 0, hi = p->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = net_endpoint_cmp(&p->peers[mid].ep, ep);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

net_peers_result net_peers_touch(net_peers *p, const net_endpoint *ep, uint64_t now)
{
    if (!net_endpoint_is_usable(ep))
        return NET_PEERS_UNUSABLE;
    if (net_peers_is_banned(p, ep->addr, now))
        return NET_PEERS_BANNED;
    bool found;
    size_t i = find(p, ep, &found);
    if (found) {
        if (now > p->peers[i].last_seen)
            p->peers[i].last_seen = now;
        return NET_PEERS_UPDATED;
    }
    if (p->count == p->capacity)
        return NET_PEERS_FULL;
    memmove(&p->peers[i + 1], &p->peers[i], (p->count - i) * sizeof *p->peers);
    p->peers[i].ep = *ep;
    p->peers[i].last_seen = now;
    p->count++;
    return NET_PEERS_ADDED;
}

static void remove_at(net_peers *p, size_t i)
{
    memmove(&p->peers[i], &p->peers[i + 1], (p->count - i - 1) * sizeof *p->peers);
    p->count--;
}

bool net_peers_remove(net_peers *p, const net_endpoint *ep)
{
    bool found;
    size_t i = find(p, ep, &found);
    if (found)
        remove_at(p, i);
    return found;
}

bool net_peers_last_seen(const net_peers *p, const net_endpoint *ep, uint64_t *out)
{
    bool found;
    size_t i = find(p, ep, &found);
    if (found)
        *out = p->peers[i].last_seen;
    return found;
}

size_t net_peers_expire(net_peers *p, uint64_t cutoff)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->count; i++)
        if (p->peers[i].last_seen >= cutoff)
            p->peers[kept++] = p->peers[i];
    size_t dropped = p->count - kept;
    p->count = kept;
    return dropped;
}

size_t net_peers_count(const net_peers *p)
{
    return p->count;
}

size_t net_peers_capacity(const net_peers *p)
{
    return p->capacity;
}

size_t net_peers_list(const net_peers *p, net_endpoint *out, size_t max)
{
    size_t n = p->count < max ? p->count : max;
    for (size_t i = 0; i < n; i++)
        out[i] = p->peers[i].ep;
    return n;
}

static uint64_t rank(uint64_t salt, const net_endpoint *ep)
{
    uint8_t in[8 + NET_ENDPOINT_WIRE_BYTES], h[8];
    for (int i = 7; i >= 0; i--, salt >>= 8)
        in[i] = (uint8_t)salt;
    net_endpoint_write(ep, in + 8);
    crypto_generichash(h, sizeof h, in, sizeof in, NULL, 0);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | h[i];
    return v;
}

size_t net_peers_select(const net_peers *p, uint64_t salt, net_endpoint *out, size_t max)
{
    if (max == 0 || p->count == 0)
        return 0;
    size_t k = max < p->count ? max : p->count;
    uint64_t *best = malloc(k * sizeof *best);
    if (!best)
        return 0;
    size_t n = 0;
    /* Bounded insertion: keeps the k smallest ranks; peers arrive in
     * endpoint order and only a strictly smaller rank displaces, so ties
     * keep endpoint order. */
    for (size_t i = 0; i < p->count; i++) {
        uint64_t r = rank(salt, &p->peers[i].ep);
        if (n == k && r >= best[k - 1])
            continue;
        size_t j = n < k ? n++ : k - 1;
        while (j > 0 && best[j - 1] > r) {
            best[j] = best[j - 1];
            out[j] = out[j - 1];
            j--;
        }
        best[j] = r;
        out[j] = p->peers[i].ep;
    }
    free(best);
    return n;
}

static ban *find_ban(const net_peers *p, const uint8_t addr[16])
{
    for (size_t i = 0; i < p->ban_count; i++)
        if (memcmp(p->bans[i].addr, addr, 16) == 0)
            return &p->bans[i];
    return NULL;
}

void net_peers_ban(net_peers *p, const uint8_t addr[16], uint64_t until, uint64_t now)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->count; i++)
        if (memcmp(p->peers[i].ep.addr, addr, 16) != 0)
            p->peers[kept++] = p->peers[i];
    p->count = kept;

    ban *b = find_ban(p, addr);
    if (b) {
        if (until > b->until)
            b->until = until;
        return;
    }
    if (p->ban_count == p->ban_capacity) {
        size_t live = 0;
        for (size_t i = 0; i < p->ban_count; i++)
            if (p->bans[i].until > now)
                p->bans[live++] = p->bans[i];
        p->ban_count = live;
    }
    if (p->ban_count == p->ban_capacity) {
        size_t soonest = 0;
        for (size_t i = 1; i < p->ban_count; i++)
            if (p->bans[i].until < p->bans[soonest].until)
                soonest = i;
        if (p->bans[soonest].until >= until)
            return;
        b = &p->bans[soonest];
    } else {
        b = &p->bans[p->ban_count++];
    }
    memcpy(b->addr, addr, 16);
    b->until = until;
}

bool net_peers_is_banned(const net_peers *p, const uint8_t addr[16], uint64_t now)
{
    const ban *b = find_ban(p, addr);
    return b && b->until > now;
}

size_t net_peers_ban_count(const net_peers *p, uint64_t now)
{
    size_t n = 0;
    for (size_t i = 0; i < p->ban_count; i++)
        n += p->bans[i].until > now;
    return n;
}
