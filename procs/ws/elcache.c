/* Recent elections by block hash; see elcache.h. */
#include "procs/ws/elcache.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const uint8_t hash[32])
{
    /* block hashes are uniform: two bytes pick the slot */
    return (((size_t)hash[0] << 8) | hash[1]) & (WS_ELCACHE_SLOTS - 1);
}

bool ws_elcache_init(ws_elcache *c)
{
    c->slot = calloc(WS_ELCACHE_SLOTS, sizeof *c->slot);
    c->used = calloc(WS_ELCACHE_SLOTS, sizeof *c->used);
    if (!c->slot || !c->used) {
        ws_elcache_free(c);
        return false;
    }
    return true;
}

void ws_elcache_free(ws_elcache *c)
{
    free(c->slot);
    free(c->used);
    c->slot = NULL;
    c->used = NULL;
}

void ws_elcache_put(ws_elcache *c, const ws_election *e)
{
    size_t i = slot_of(e->hash);
    c->slot[i] = *e;
    c->slot[i].reason = NULL;
    c->used[i] = true;
}

bool ws_elcache_get(const ws_elcache *c, const uint8_t hash[32], ws_election *out)
{
    size_t i = slot_of(hash);
    if (!c->slot || !c->used[i] || memcmp(c->slot[i].hash, hash, 32) != 0)
        return false;
    *out = c->slot[i];
    return true;
}
