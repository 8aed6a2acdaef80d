/* What rpc asks of net for its actions (ipc/schema_net.h): `connect`
 * (keepalive: dial a peering endpoint now) and `publish` (republish,
 * wallet_republish: send blocks the ledger holds to every ready peer) and
 * `telemetry` (the peers' last telemetry, for rpc's telemetry) and
 * `pull_chain` (bootstrap_lazy: a bulk_pull of the chain ending at a
 * hash, as for a gap). */
#include <errno.h>
#include <stdio.h>

#include "common/log.h"
#include "procs/net/feed.h"
#include "procs/net/service_internal.h"

void net_rpc_connect(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    char address[65];
    uint64_t port = 0;
    net_endpoint ep;
    if (!ipc_get_strz(m->body, "address", address, sizeof address) ||
        !ipc_get_uint(m->body, "port", &port) || port == 0 || port > 65535 ||
        !net_endpoint_parse(address, (uint16_t)port, &ep) || !net_endpoint_is_usable(&ep)) {
        ipc_reply_error(c, m, "connect: not a peering endpoint net can dial");
        return;
    }
    if (net_dial_now(s, &ep) != 0) {
        ipc_reply_error(c, m, "connect: the dial table is full");
        return;
    }
    char name[NET_ENDPOINT_STR_BYTES];
    net_endpoint_format(&ep, name);
    smn_info("net: dialling %s (asked by rpc)", name);
    ipc_builder b;
    ipc_build_begin(&b, "ok");
    ipc_reply(c, m, &b);
}

void net_rpc_publish(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    const ipc_obj *blocks = ipc_get_array(m->body, "blocks");
    size_t n = blocks ? ipc_array_len(blocks) : 0;
    /* every block decodes before any leaves: all or nothing */
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p;
        size_t len;
        smn_block b;
        if (!ipc_obj_bin(ipc_array_at(blocks, i), &p, &len) ||
            smn_block_deserialize(p, len, &b) != SMN_BLOCK_OK) {
            ipc_reply_error(c, m, "publish: a block does not decode");
            return;
        }
    }
    uint64_t sent = 0;
    size_t ready = net_channels_ready_count(s->chans);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p;
        size_t len;
        net_message msg = {.type = NET_MSG_PUBLISH};
        (void)ipc_obj_bin(ipc_array_at(blocks, i), &p, &len);
        (void)smn_block_deserialize(p, len, &msg.u.publish);
        size_t k = net_channels_broadcast(s->chans, &msg, NULL);
        sent += k;
        if (k < ready)
            s->dropped += ready - k;
    }
    s->blocks_out += sent;
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_PUBLISH_R));
    ipc_put_uint(&b, "sent", sent);
    ipc_reply(c, m, &b);
}

void net_rpc_telemetry(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    net_channel *list[IPC_NET_MAX_PEERS];
    size_t n = net_channels_list(s->chans, list, IPC_NET_MAX_PEERS);
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_PEER_TELEMETRY_R));
    ipc_put_array_begin(&b, "peers");
    for (size_t i = 0; i < n; i++) {
        const net_peer_info *info = net_channel_user(list[i]);
        if (!info || !info->has_block_count)
            continue; /* no telemetry from it yet */
        const net_telemetry *t = &info->tele;
        char ep[NET_ENDPOINT_STR_BYTES];
        net_endpoint_format(info->has_listen ? &info->listen : net_channel_endpoint(list[i]), ep);
        ipc_put_map_begin(&b, NULL);
        ipc_put_str(&b, "endpoint", ep);
        net_feed_put_telemetry(&b, t);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_reply(c, m, &b);
}

void net_rpc_pull_chain(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    const uint8_t *hash;
    size_t n;
    if (!ipc_get_bin(m->body, "hash", &hash, &n) || n != 32) {
        ipc_reply_error(c, m, "pull_chain: no hash");
        return;
    }
    static const uint8_t anyone[32];
    bool started = net_pull_gap(s, anyone, hash, NULL);
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_PULL_CHAIN_R));
    ipc_put_bool(&b, "started", started);
    ipc_reply(c, m, &b);
}
