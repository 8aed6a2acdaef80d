/* Votes, and the requests other processes send to net.sock.
 *
 * A confirm_ack from a peer is checked (well-formed by the decoder, signed
 * by its representative here), deduplicated by the Blake2b-256 of its wire
 * form, handed to every `subscribe_votes` connection (the elections process)
 * and relayed to the other peers once. A bad signature proves the sender
 * misbehaves: honest nodes relay only votes they verified. Weight is for
 * elections to judge; the net process has no ledger view of it.
 * `broadcast_vote` (our representatives' votes) goes to every peer. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/hex.h"
#include "common/log.h"
#include "ipc/schema_net.h"
#include "procs/net/service_internal.h"

static void vote_key(const uint8_t *wire, size_t len, uint8_t key[32])
{
    crypto_generichash(key, 32, wire, len, NULL, 0);
}

static void notify_subscribers(net_service *s, const uint8_t *wire, size_t len)
{
    for (size_t i = 0; i < s->nvote_subs; i++) {
        ipc_builder b;
        ipc_build_begin(&b, "vote");
        ipc_put_bin(&b, "vote", wire, len);
        ipc_status st = ipc_notify(s->vote_subs[i], &b);
        if (st != IPC_OK) {
            s->dropped++;
            smn_debug("vote not delivered to a subscriber: %s", ipc_status_str(st));
        }
    }
}

void net_votes_confirm_ack(net_service *s, net_channel *ch, const elections_vote *v)
{
    uint8_t wire[ELECTIONS_VOTE_MAX_BYTES];
    size_t len = elections_vote_encode(v, wire, sizeof wire);
    if (len == 0)
        return; /* the decoder made v: cannot happen */
    uint8_t key[32];
    vote_key(wire, len, key);
    if (net_seen_contains(s->seen_votes, key))
        return;
    elections_vote_status st = elections_vote_verify(v);
    if (st != ELECTIONS_VOTE_OK) {
        char why[96];
        snprintf(why, sizeof why, "sent a vote that does not verify (%s)",
                 elections_vote_strerror(st));
        net_service_misbehaved(s, ch, why);
        return;
    }
    net_seen_add(s->seen_votes, key);
    s->votes_in++;
    notify_subscribers(s, wire, len);
    net_message m = {.type = NET_MSG_CONFIRM_ACK};
    m.u.confirm_ack = *v;
    s->votes_out += net_channels_broadcast(s->chans, &m, ch);
}

static void broadcast_vote(net_service *s, const ipc_msg *msg)
{
    const uint8_t *wire;
    size_t len;
    elections_vote v;
    if (!ipc_get_bin(msg->body, "vote", &wire, &len))
        return;
    elections_vote_status st = elections_vote_decode(wire, len, &v);
    if (st == ELECTIONS_VOTE_OK)
        st = elections_vote_verify(&v);
    if (st != ELECTIONS_VOTE_OK) {
        /* Sending it would get us banned by every peer. */
        smn_warn("broadcast_vote: not a valid vote (%s), dropped", elections_vote_strerror(st));
        return;
    }
    uint8_t key[32];
    vote_key(wire, len, key);
    net_seen_add(s->seen_votes, key); /* a peer echoing it back is not news */
    net_message m = {.type = NET_MSG_CONFIRM_ACK};
    m.u.confirm_ack = v;
    s->votes_out += net_channels_broadcast(s->chans, &m, NULL);
}

static void subscribe(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    for (size_t i = 0; i < s->nvote_subs; i++)
        if (s->vote_subs[i] == c) {
            ipc_reply_error(c, m, "already subscribed");
            return;
        }
    if (s->nvote_subs >= NET_MAX_VOTE_SUBS) {
        ipc_reply_error(c, m, "too many vote subscribers");
        return;
    }
    s->vote_subs[s->nvote_subs++] = c;
    ipc_builder b;
    ipc_build_begin(&b, "ok");
    ipc_reply(c, m, &b);
    smn_debug("vote subscriber added (%zu)", s->nvote_subs);
}

void net_votes_conn_down(net_service *s, ipc_conn *c)
{
    for (size_t i = 0; i < s->nvote_subs; i++)
        if (s->vote_subs[i] == c) {
            s->vote_subs[i] = s->vote_subs[--s->nvote_subs];
            return;
        }
}

static void peers(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    net_channel *list[IPC_NET_MAX_PEERS];
    size_t n = net_channels_list(s->chans, list, IPC_NET_MAX_PEERS);
    ipc_builder b;
    ipc_build_begin(&b, "peers_r");
    ipc_put_array_begin(&b, "peers");
    for (size_t i = 0; i < n; i++) {
        net_peer_info *info = net_channel_user(list[i]);
        char ep[NET_ENDPOINT_STR_BYTES];
        net_endpoint_format(net_channel_endpoint(list[i]), ep);
        ipc_put_map_begin(&b, NULL);
        ipc_put_str(&b, "endpoint", ep);
        ipc_put_bin(&b, "node_id", net_channel_node_id(list[i]), 32);
        ipc_put_bool(&b, "inbound", net_channel_is_inbound(list[i]));
        if (info && info->has_listen) {
            net_endpoint_format(&info->listen, ep);
            ipc_put_str(&b, "listen", ep);
        } else if (!net_channel_is_inbound(list[i])) {
            ipc_put_str(&b, "listen", ep);
        }
        if (info && info->has_block_count)
            ipc_put_uint(&b, "block_count", info->block_count);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_put_uint(&b, "known", net_peers_count(s->peers));
    ipc_put_uint(&b, "banned", net_peers_ban_count(s->peers, net_now_s()));
    ipc_put_uint(&b, "port", s->listen_fd >= 0 ? s->port : 0);
    ipc_put_bin(&b, "node_id", s->key.pub, 32);
    ipc_put_uint(&b, "blocks_in", s->blocks_in);
    ipc_put_uint(&b, "blocks_out", s->blocks_out);
    ipc_put_uint(&b, "votes_in", s->votes_in);
    ipc_put_uint(&b, "votes_out", s->votes_out);
    ipc_reply(c, m, &b);
}

void net_service_on_message(net_service *s, ipc_conn *c, const ipc_msg *m)
{
    if (ipc_msg_is(m, "broadcast_vote")) {
        broadcast_vote(s, m);
        return;
    }
    if (!m->id)
        return; /* other notifications (e.g. a stray "vote") mean nothing here */
    if (ipc_msg_is(m, "subscribe_votes"))
        subscribe(s, c, m);
    else if (ipc_msg_is(m, "peers"))
        peers(s, c, m);
    else if (ipc_msg_is(m, "frontiers"))
        net_boot_frontiers(s, c, m);
    else if (ipc_msg_is(m, "pull"))
        net_boot_pull(s, c, m);
    else
        ipc_reply_error(c, m, "net does not serve that request");
}
