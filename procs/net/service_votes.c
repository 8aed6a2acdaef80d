/* Votes: confirm_ack and confirm_req both ways, and the vote requests of
 * net.sock (dispatched by service_ipc.c).
 *
 * A confirm_ack from a peer is checked (well-formed by the decoder, signed
 * by its representative here), deduplicated by the Blake2b-256 of its wire
 * form, handed to every `subscribe_votes` connection (the elections process)
 * and relayed to the other peers once. A bad signature proves the sender
 * misbehaves: honest nodes relay only votes they verified. Weight is for
 * elections to judge; the net process has no ledger view of it.
 * `broadcast_vote` (our representatives' votes) goes to every peer; it
 * and `send_vote` are decoded but not verified again (our elections process
 * signed them; a peer verifies what it receives).
 *
 * Vote requests (budgets and the answer window: service_votereq.h):
 * `request_votes` from the elections process becomes one confirm_req to
 * the named peer or to every ready peer whose outbound budget allows it; a
 * confirm_req from a peer within its inbound budget becomes `vote_request`
 * to every subscriber (a flood far beyond it is misbehaviour); `send_vote`
 * answers one peer with one confirm_ack. A confirm_ack the seen set holds
 * still reaches the subscribers (not the other peers) when it answers a
 * confirm_req we sent that peer, so a vote dropped earlier (no subscriber
 * then) can be asked for again.
 *
 * A channel in a reserved representative slot is probed (service_probe.h):
 * a confirm_req for the genesis block, which any representative answers
 * with its final vote; a verified one from a listed account proves it. */
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
        ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_VOTE));
        ipc_put_bin(&b, "vote", wire, len);
        ipc_status st = ipc_notify(s->vote_subs[i], &b);
        if (st != IPC_OK) {
            s->dropped++;
            smn_debug("vote not delivered to a subscriber: %s", ipc_strerror(st));
        }
    }
}

/* v (verified, now or when first seen) came on ch: does it prove ch? */
static void probe_vote(net_service *s, net_channel *ch, const smn_vote *v)
{
    net_peer_info *info = net_channel_user(ch);
    if (!info || !net_probe_vote(&info->probe, &s->reps, s->genesis_hash, v))
        return;
    s->reps_proven++;
    char name[NET_ENDPOINT_STR_BYTES], rep[17];
    net_endpoint_format(net_channel_endpoint(ch), name);
    smn_hex_encode(v->account, 8, rep);
    smn_info("peer %s keeps its reserved slot: representative %s... voted", name, rep);
}

bool net_votes_probe_tick(net_service *s, net_channel *ch, net_peer_info *info, uint64_t now)
{
    switch (net_probe_step_at(&info->probe, now)) {
    case NET_PROBE_WAIT:
        return false;
    case NET_PROBE_SEND: {
        net_message m = {.type = NET_MSG_CONFIRM_REQ};
        m.u.confirm_req.count = 1;
        memcpy(m.u.confirm_req.hashes[0], s->genesis_hash, 32);
        memcpy(m.u.confirm_req.roots[0], smn_block_root(&s->net->genesis), 32);
        if (net_channel_send(ch, &m) == 0)
            s->rep_probes_out++;
        return false;
    }
    case NET_PROBE_EXPIRED: {
        s->reps_unproven++;
        net_service_probe_failed(s, ch);
        char name[NET_ENDPOINT_STR_BYTES];
        net_endpoint_format(net_channel_endpoint(ch), name);
        smn_debug("closing %s: no representative's vote within %u ms (reserved slot)", name,
                  NET_PROBE_TIMEOUT_MS);
        net_channel_close(ch);
        return true;
    }
    }
    return false;
}

void net_votes_confirm_ack(net_service *s, net_channel *ch, const smn_vote *v)
{
    uint8_t wire[SMN_VOTE_MAX_BYTES];
    size_t len = smn_vote_encode(v, wire, sizeof wire);
    if (len == 0)
        return; /* the decoder made v: cannot happen */
    uint8_t key[32];
    vote_key(wire, len, key);
    if (net_seen_contains(s->seen_votes, key)) {
        /* Verified when it was first seen (same bytes): an answer to our
         * confirm_req gets to the subscribers again, never to the peers. */
        net_peer_info *info = net_channel_user(ch);
        probe_vote(s, ch, v);
        if (info && info->ready && net_vreq_redeliver(&info->vreq, v, net_now_ms())) {
            s->votes_redelivered++;
            notify_subscribers(s, wire, len);
        }
        return;
    }
    /* Before the signature check (the expensive part): a vote from an
     * account elections does not list as a principal representative gets a
     * small node-wide budget (a representative can gain weight a moment
     * before the table says so; its votes must still count) and is never
     * relayed; a listed one gets the peer's verify budget. */
    bool listed = net_reps_admits(&s->reps, v->account);
    uint64_t now = net_now_ms();
    if (!listed && !net_limiter_take(&s->unlisted_verify, 1, now)) {
        s->votes_unlisted++;
        return;
    }
    net_peer_info *pi = net_channel_user(ch);
    if (listed && pi && !net_limiter_take(&pi->verify, 1, now)) {
        s->votes_unverified++;
        return;
    }
    smn_vote_status st = smn_vote_verify(v);
    if (st != SMN_VOTE_OK) {
        char why[96];
        snprintf(why, sizeof why, "sent a vote that does not verify (%s)", smn_vote_strerror(st));
        net_service_misbehaved(s, ch, why);
        return;
    }
    net_seen_add(s->seen_votes, key);
    s->votes_in++;
    probe_vote(s, ch, v);
    notify_subscribers(s, wire, len);
    if (!listed)
        return;
    net_message m = {.type = NET_MSG_CONFIRM_ACK};
    m.u.confirm_ack = *v;
    s->votes_out += net_channels_broadcast(s->chans, &m, ch);
}

void net_votes_broadcast(net_service *s, const ipc_msg *msg)
{
    const uint8_t *wire;
    size_t len;
    smn_vote v;
    if (!ipc_get_bin(msg->body, "vote", &wire, &len))
        return;
    /* Well-formed is checked; the signature is not checked again: our
     * elections process signed it a moment ago (one Ed25519 verification
     * saved per vote we cast; the peers verify it). */
    smn_vote_status st = smn_vote_decode(wire, len, &v);
    if (st != SMN_VOTE_OK) {
        smn_warn("broadcast_vote: not a valid vote (%s), dropped", smn_vote_strerror(st));
        return;
    }
    uint8_t key[32];
    vote_key(wire, len, key);
    net_seen_add(s->seen_votes, key); /* a peer echoing it back is not news */
    net_message m = {.type = NET_MSG_CONFIRM_ACK};
    m.u.confirm_ack = v;
    s->votes_out += net_channels_broadcast(s->chans, &m, NULL);
}

/* ---- vote requests ---- */

/* One confirm_req to ch if its budget allows: true when it was queued. */
static bool ask_peer(net_service *s, net_channel *ch, const net_message *m, uint64_t now)
{
    net_peer_info *info = net_channel_user(ch);
    if (!info || !info->ready || !net_vreq_ask(&info->vreq, &m->u.confirm_req, now))
        return false;
    if (net_channel_send(ch, m) != 0)
        return false;
    s->vote_reqs_out++;
    return true;
}

void net_votes_request(net_service *s, const ipc_msg *msg)
{
    net_message m = {.type = NET_MSG_CONFIRM_REQ};
    if (!net_vreq_read_pairs(msg->body, &m.u.confirm_req)) {
        smn_warn("request_votes: no usable pairs, dropped");
        return;
    }
    uint64_t now = net_now_ms();
    const uint8_t *peer;
    size_t plen;
    if (ipc_get_bin(msg->body, "peer", &peer, &plen) && plen == 32) {
        net_channel *ch = net_service_channel_by_id(s, peer);
        if (!ch || !ask_peer(s, ch, &m, now))
            s->vote_reqs_dropped++;
        return;
    }
    net_channel *list[IPC_NET_MAX_PEERS];
    size_t n = net_channels_list(s->chans, list, IPC_NET_MAX_PEERS);
    if (n == 0)
        s->vote_reqs_dropped++;
    for (size_t i = 0; i < n; i++)
        if (!ask_peer(s, list[i], &m, now))
            s->vote_reqs_dropped++;
}

void net_votes_confirm_req(net_service *s, net_channel *ch, const net_confirm_req *q)
{
    net_peer_info *info = net_channel_user(ch);
    if (!info || !info->ready)
        return;
    switch (net_vreq_incoming(&info->vreq, q->count, net_now_ms())) {
    case NET_VREQ_ACCEPT:
        break;
    case NET_VREQ_THROTTLE:
        s->vote_reqs_throttled++;
        return;
    case NET_VREQ_FLOOD:
        s->vote_reqs_throttled++;
        net_service_misbehaved(s, ch, "floods confirm_req far beyond its rate limit");
        return;
    }
    s->vote_reqs_in++;
    const uint8_t *id = net_channel_node_id(ch);
    for (size_t i = 0; i < s->nvote_subs; i++) {
        ipc_builder b;
        ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_VOTE_REQUEST));
        net_vreq_put_pairs(&b, q);
        ipc_put_bin(&b, "peer", id, 32);
        ipc_status st = ipc_notify(s->vote_subs[i], &b);
        if (st != IPC_OK) {
            s->dropped++;
            smn_debug("vote_request not delivered to a subscriber: %s", ipc_strerror(st));
        }
    }
}

void net_votes_send(net_service *s, const ipc_msg *msg)
{
    const uint8_t *wire, *peer;
    size_t len, plen;
    smn_vote v;
    if (!ipc_get_bin(msg->body, "vote", &wire, &len) ||
        !ipc_get_bin(msg->body, "peer", &peer, &plen) || plen != 32)
        return;
    smn_vote_status st = smn_vote_decode(wire, len, &v); /* signed by elections: as above */
    if (st != SMN_VOTE_OK) {
        smn_warn("send_vote: not a valid vote (%s), dropped", smn_vote_strerror(st));
        return;
    }
    uint8_t key[32];
    vote_key(wire, len, key);
    net_seen_add(s->seen_votes, key);
    net_channel *ch = net_service_channel_by_id(s, peer);
    net_message m = {.type = NET_MSG_CONFIRM_ACK};
    m.u.confirm_ack = v;
    if (ch && net_channel_send(ch, &m) == 0) {
        s->vote_answers_out++;
        s->votes_out++;
    } else {
        s->vote_answers_dropped++;
    }
}

/* ---- vote subscribers (net.sock) ---- */

void net_votes_subscribe(net_service *s, ipc_conn *c, const ipc_msg *m)
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
