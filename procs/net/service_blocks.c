/* Blocks between the peers and the ledger process.
 *
 * In: a publish not seen recently goes to the ledger as `process` (origin
 * "net"); at most NET_MAX_PROCESS are in flight, beyond that publishes are
 * dropped (a peer's retransmission or bootstrap brings them back). If the
 * ledger could not take it (busy, unreachable), the hash is forgotten so a
 * later copy gets through. A block whose signature or work is bad proves the
 * sender misbehaves (an honest node relays only blocks its ledger accepted).
 *
 * Out: every block_accepted goes to every peer as publish, except the peer
 * it came from (remembered for the last NET_SOURCES publishes). Blocks from
 * net are relayed this way too, once, since the ledger accepts a block
 * once: that is the flood. Blocks the bootstrap process pulled are not
 * relayed: they are old history the peers already hold. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/work.h"
#include "ipc/ledger_client.h"
#include "procs/net/service_internal.h"

typedef struct {
    net_service *s;
    uint8_t hash[32];
    uint8_t from[32];
    uint8_t account[32], previous[32], link[32]; /* what a gap is missing */
} process_req;

static void remember_source(net_service *s, const uint8_t hash[32], const uint8_t node_id[32])
{
    net_source *src = &s->sources[s->sources_next];
    memcpy(src->hash, hash, 32);
    memcpy(src->node_id, node_id, 32);
    s->sources_next = (s->sources_next + 1) % NET_SOURCES;
}

static const uint8_t *source_of(const net_service *s, const uint8_t hash[32])
{
    /* Newest first: the block we are asked about was published moments ago. */
    for (size_t k = 1; k <= NET_SOURCES; k++) {
        const net_source *src = &s->sources[(s->sources_next + NET_SOURCES - k) % NET_SOURCES];
        if (memcmp(src->hash, hash, 32) == 0)
            return src->node_id;
    }
    return NULL;
}

static void on_process_done(void *user, ipc_status st, ledger_result r)
{
    process_req *p = user;
    net_service *s = p->s;
    bool retry = true; /* forget the hash: a later copy must reach the ledger */
    if (st == IPC_OK) {
        const char *bad = NULL;
        switch (r) {
        case LEDGER_BAD_SIGNATURE:
            bad = "published a block with a bad signature";
            break;
        case LEDGER_INSUFFICIENT_WORK:
            bad = "published a block with insufficient work";
            break;
        case LEDGER_GAP_PREVIOUS:
            net_pull_gap(s, p->from, p->previous, p->account);
            break;
        case LEDGER_GAP_SOURCE:
            net_pull_gap(s, p->from, p->link, NULL);
            break;
        default:
            break;
        }
        retry = r == LEDGER_BUSY || r == LEDGER_ERROR;
        if (bad) {
            net_channel *ch = net_service_channel_by_id(s, p->from);
            if (ch)
                net_service_misbehaved(s, ch, bad);
        }
        smn_debug("ledger: published block %02x%02x...: %s", p->hash[0], p->hash[1],
                  ipc_ledger_result_name(r));
    } else {
        smn_debug("ledger did not take a published block: %s", ipc_strerror(st));
    }
    if (retry)
        net_seen_remove(s->seen_blocks, p->hash);
    free(p);
}

/* Cheap spam filter before the ledger: work below even the lower (receive)
 * threshold is invalid whatever the block's subtype turns out to be. */
static bool work_plausible(const net_service *s, const smn_block *b)
{
    return smn_work_valid(smn_block_root(b), b->work, smn_work_threshold(s->net, true));
}

void net_blocks_publish(net_service *s, net_channel *ch, const smn_block *b)
{
    uint8_t hash[32];
    smn_block_hash(b, hash);
    if (net_seen_contains(s->seen_blocks, hash))
        return;
    if (!work_plausible(s, b)) {
        net_service_misbehaved(s, ch, "published a block without valid work");
        return;
    }
    if (!ledger_client_connected(s->ledger) ||
        ledger_client_pending(s->ledger) >= NET_MAX_PROCESS) {
        s->dropped++;
        return; /* not marked seen: a later copy may get through */
    }
    process_req *p = malloc(sizeof *p);
    if (!p)
        return;
    p->s = s;
    memcpy(p->hash, hash, 32);
    memcpy(p->from, net_channel_node_id(ch), 32);
    memcpy(p->account, b->account, 32);
    memcpy(p->previous, b->previous, 32);
    memcpy(p->link, b->link, 32);
    if (ledger_client_process(s->ledger, b, LEDGER_ORIGIN_NET, on_process_done, p) != IPC_OK) {
        free(p);
        s->dropped++;
        return;
    }
    s->blocks_in++;
    net_seen_add(s->seen_blocks, hash);
    remember_source(s, hash, p->from);
}

static void block_accepted(void *user, const ledger_client_accepted *n)
{
    net_service *s = user;
    net_seen_add(s->seen_blocks, n->hash);
    if (n->origin == LEDGER_ORIGIN_BOOTSTRAP)
        return; /* history pulled from a peer: the network has it already */
    const uint8_t *from = source_of(s, n->hash);
    net_channel *except = from ? net_service_channel_by_id(s, from) : NULL;
    net_message msg = {.type = NET_MSG_PUBLISH};
    msg.u.publish = n->block;
    size_t sent = net_channels_broadcast(s->chans, &msg, except);
    s->blocks_out += sent;
    size_t want = net_channels_ready_count(s->chans) - (except ? 1u : 0u);
    if (sent < want)
        s->dropped += want - sent;
}

int net_blocks_init(net_service *s)
{
    /* fork and block_cemented are for elections and vm. */
    ledger_client_opts o = {
        .on_block_accepted = block_accepted,
        .user = s,
        .max_pending = NET_MAX_PROCESS,
        .timeout_ms = NET_LEDGER_TIMEOUT_MS,
    };
    s->ledger = ledger_client_new(s->child, &o);
    return s->ledger ? 0 : -1;
}

void net_blocks_free(net_service *s)
{
    ledger_client_free(s->ledger); /* pending requests end in on_process_done */
    s->ledger = NULL;
}
