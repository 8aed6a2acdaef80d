/* The election figures the elections process reported for recently
 * confirmed blocks (election_stopped with reason confirmed), kept so the
 * confirmation topic can add Nano's election_info when it reads the block
 * from the cementing log. Fixed size, direct-mapped by the block hash: a
 * newer election that maps to the same slot replaces an older one, so
 * the info is best effort (docs/websocket.md "include_election_info"). */
#ifndef WS_ELCACHE_H
#define WS_ELCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "procs/ws/wsmsg.h"

#define WS_ELCACHE_SLOTS 16384u /* a power of two */

typedef struct {
    ws_election *slot; /* WS_ELCACHE_SLOTS entries; reason unused */
    bool *used;
} ws_elcache;

bool ws_elcache_init(ws_elcache *c);
void ws_elcache_free(ws_elcache *c);
void ws_elcache_put(ws_elcache *c, const ws_election *e);
/* true and *out set when hash is known. */
bool ws_elcache_get(const ws_elcache *c, const uint8_t hash[32], ws_election *out);

#endif
