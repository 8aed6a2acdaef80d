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
#include "ipc/schema_ledger.h"
#include "procs/ledger/types.h"
#include "procs/net/service_internal.h"

typedef struct {
    net_service *s;
    uint8_t hash[32];
    uint8_t from[32];
    uint8_t account[32], previous[32], link[32]; /* what a gap is missing */
} process_req;

static bool result_is(const char *name, size_t len, ledger_result r)
{
    const char *want = ledger_result_str(r);
    return len == strlen(want) && memcmp(name, want, len) == 0;
}

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

static void on_process_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    process_req *p = ud;
    net_service *s = p->s;
    s->process_pending--;
    const char *name = NULL;
    size_t len = 0;
    bool retry = true; /* forget the hash: a later copy must reach the ledger */
    if (st == IPC_OK && ipc_msg_is(reply, "process_result") &&
        ipc_get_str(reply->body, "result", &name, &len)) {
        const char *bad = NULL;
        if (result_is(name, len, LEDGER_BAD_SIGNATURE))
            bad = "published a block with a bad signature";
        else if (result_is(name, len, LEDGER_INSUFFICIENT_WORK))
            bad = "published a block with insufficient work";
        else if (result_is(name, len, LEDGER_GAP_PREVIOUS))
            net_pull_gap(s, p->from, p->previous, p->account);
        else if (result_is(name, len, LEDGER_GAP_SOURCE))
            net_pull_gap(s, p->from, p->link, NULL);
        retry = result_is(name, len, LEDGER_BUSY) || result_is(name, len, LEDGER_ERROR);
        if (bad) {
            net_channel *ch = net_service_channel_by_id(s, p->from);
            if (ch)
                net_service_misbehaved(s, ch, bad);
        }
        smn_debug("ledger: published block %02x%02x...: %.*s", p->hash[0], p->hash[1], (int)len,
                  name);
    } else if (st != IPC_OK) {
        smn_debug("ledger did not take a published block: %s", ipc_status_str(st));
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
    ipc_conn *c = ipc_endpoint_conn(s->ledger);
    if (!c || s->process_pending >= NET_MAX_PROCESS) {
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
    uint8_t wire[SMN_BLOCK_WIRE_BYTES];
    smn_block_serialize(b, wire);
    ipc_builder bld;
    ipc_build_begin(&bld, "process");
    ipc_put_bin(&bld, "block", wire, sizeof wire);
    ipc_put_str(&bld, "origin", "net");
    ipc_status st = ipc_request(c, &bld, NET_LEDGER_TIMEOUT_MS, on_process_reply, p);
    if (st != IPC_OK) {
        free(p);
        s->dropped++;
        return;
    }
    s->process_pending++;
    s->blocks_in++;
    net_seen_add(s->seen_blocks, hash);
    remember_source(s, hash, p->from);
}

static void block_accepted(net_service *s, const ipc_msg *m)
{
    const uint8_t *wire, *hash;
    size_t wlen, hlen;
    smn_block b;
    if (!ipc_get_bin(m->body, "block", &wire, &wlen) ||
        !ipc_get_bin(m->body, "hash", &hash, &hlen) ||
        smn_block_deserialize(wire, wlen, &b) != SMN_BLOCK_OK)
        return; /* the schema already checked both; nothing else can happen */
    net_seen_add(s->seen_blocks, hash);
    const char *origin;
    size_t olen;
    if (ipc_get_str(m->body, "origin", &origin, &olen) && olen == 9 &&
        memcmp(origin, "bootstrap", 9) == 0)
        return; /* history pulled from a peer: the network has it already */
    const uint8_t *from = source_of(s, hash);
    net_channel *except = from ? net_service_channel_by_id(s, from) : NULL;
    net_message msg = {.type = NET_MSG_PUBLISH};
    msg.u.publish = b;
    size_t sent = net_channels_broadcast(s->chans, &msg, except);
    s->blocks_out += sent;
    size_t want = net_channels_ready_count(s->chans) - (except ? 1u : 0u);
    if (sent < want)
        s->dropped += want - sent;
}

static void on_ledger_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    net_service *s = ud;
    if (m->id) {
        ipc_reply_error(c, m, "net serves no ledger requests");
        return;
    }
    if (ipc_msg_is(m, "block_accepted"))
        block_accepted(s, m);
    /* fork and block_cemented are for elections and vm. */
}

static void on_subscribed(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    net_service *s = ud;
    if (st != IPC_OK || !ipc_msg_is(reply, "subscribed")) {
        /* Up but not serving (yet): reconnect, which subscribes again. */
        smn_warn("ledger subscription failed: %s", ipc_status_str(st));
        if (c)
            ipc_conn_close(c);
        return;
    }
    s->ledger_subscribed = true;
    smn_debug("subscribed to the ledger");
}

static void on_ledger_state(ipc_conn *c, bool up, void *ud)
{
    net_service *s = ud;
    s->ledger_subscribed = false;
    if (!up)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "subscribe");
    ipc_put_array_begin(&b, "topics");
    ipc_put_str(&b, NULL, "block_accepted");
    ipc_put_array_end(&b);
    ipc_status st = ipc_request(c, &b, NET_LEDGER_TIMEOUT_MS, on_subscribed, s);
    if (st != IPC_OK)
        smn_warn("cannot subscribe to the ledger: %s", ipc_status_str(st));
}

int net_blocks_init(net_service *s)
{
    ipc_endpoint_opts eo = {
        .family = &ipc_family_ledger,
        .on_message = on_ledger_message,
        .on_state = on_ledger_state,
        .ud = s,
        .name = "ledger",
        .max_pending = NET_MAX_PROCESS + 16,
        .reconnect_max_ms = 1000,
    };
    s->ledger = ipc_child_connect(s->child, "ledger", &eo);
    if (!s->ledger) {
        smn_error("cannot create the ledger endpoint");
        return -1;
    }
    return 0;
}

void net_blocks_free(net_service *s)
{
    ipc_endpoint_free(s->ledger); /* pending requests end in on_process_reply */
    s->ledger = NULL;
}
