#include "procs/net/handshake.h"

#include <string.h>

static const char hs_domain[13] = {'s', 'm', 'n', ' ', 'h', 'a', 'n', 'd', 's', 'h', 'a', 'k', 'e'};
#define HS_SIGNED_BYTES (sizeof hs_domain + 2 + NET_COOKIE_BYTES)

static void hs_message(const smn_network *net, const uint8_t cookie[NET_COOKIE_BYTES],
                       uint8_t msg[HS_SIGNED_BYTES])
{
    memcpy(msg, hs_domain, sizeof hs_domain);
    msg[sizeof hs_domain] = net->magic[0];
    msg[sizeof hs_domain + 1] = net->magic[1];
    memcpy(msg + sizeof hs_domain + 2, cookie, NET_COOKIE_BYTES);
}

void net_handshake_sign(const smn_network *net, const smn_keypair *kp,
                        const uint8_t cookie[NET_COOKIE_BYTES], uint8_t sig[SMN_SIG_BYTES])
{
    uint8_t msg[HS_SIGNED_BYTES];
    hs_message(net, cookie, msg);
    smn_sign(kp, msg, sizeof msg, sig);
}

bool net_handshake_verify(const smn_network *net, const uint8_t node_id[SMN_KEY_BYTES],
                          const uint8_t cookie[NET_COOKIE_BYTES], const uint8_t sig[SMN_SIG_BYTES])
{
    uint8_t msg[HS_SIGNED_BYTES];
    hs_message(net, cookie, msg);
    return smn_verify(node_id, msg, sizeof msg, sig);
}

void net_hs_init(net_hs *hs, const smn_network *net, const smn_keypair *self, net_hs_role role,
                 const uint8_t cookie[NET_COOKIE_BYTES])
{
    memset(hs, 0, sizeof *hs);
    hs->net = net;
    hs->self = self;
    hs->role = role;
    memcpy(hs->cookie, cookie, NET_COOKIE_BYTES);
}

void net_hs_start(net_hs *hs, net_handshake *out)
{
    memset(out, 0, sizeof *out);
    out->has_query = true;
    memcpy(out->cookie, hs->cookie, NET_COOKIE_BYTES);
    hs->step = 1;
}

static net_hs_result fail(net_hs *hs, net_hs_result r)
{
    hs->step = -1;
    return r;
}

/* Check the peer's proof over our cookie. */
static net_hs_result check_response(net_hs *hs, const net_handshake *in)
{
    if (!net_handshake_verify(hs->net, in->node_id, hs->cookie, in->signature))
        return fail(hs, NET_HS_BAD_SIGNATURE);
    if (memcmp(in->node_id, hs->self->pub, SMN_KEY_BYTES) == 0)
        return fail(hs, NET_HS_SELF);
    memcpy(hs->peer_id, in->node_id, SMN_KEY_BYTES);
    return NET_HS_DONE;
}

static void answer(net_hs *hs, const uint8_t peer_cookie[NET_COOKIE_BYTES], net_handshake *reply)
{
    reply->has_response = true;
    memcpy(reply->node_id, hs->self->pub, SMN_KEY_BYTES);
    net_handshake_sign(hs->net, hs->self, peer_cookie, reply->signature);
}

net_hs_result net_hs_receive(net_hs *hs, const net_handshake *in, net_handshake *reply,
                             bool *send_reply)
{
    *send_reply = false;
    memset(reply, 0, sizeof *reply);
    if (hs->step < 0 || hs->step == 2)
        return fail(hs, NET_HS_UNEXPECTED);
    if (hs->role == NET_HS_INITIATOR) {
        /* Our query is out; the peer must both answer it and ask its own. */
        if (hs->step != 1 || !in->has_query || !in->has_response)
            return fail(hs, NET_HS_UNEXPECTED);
        net_hs_result r = check_response(hs, in);
        if (r != NET_HS_DONE)
            return r;
        answer(hs, in->cookie, reply);
        *send_reply = true;
        hs->step = 2;
        return NET_HS_DONE;
    }
    if (hs->step == 0) {
        /* A response before we asked anything proves nothing we chose. */
        if (!in->has_query || in->has_response)
            return fail(hs, NET_HS_UNEXPECTED);
        reply->has_query = true;
        memcpy(reply->cookie, hs->cookie, NET_COOKIE_BYTES);
        answer(hs, in->cookie, reply);
        *send_reply = true;
        hs->step = 1;
        return NET_HS_CONTINUE;
    }
    if (in->has_query || !in->has_response)
        return fail(hs, NET_HS_UNEXPECTED);
    net_hs_result r = check_response(hs, in);
    if (r == NET_HS_DONE)
        hs->step = 2;
    return r;
}

bool net_hs_done(const net_hs *hs)
{
    return hs->step == 2;
}

const char *net_hs_strerror(net_hs_result r)
{
    switch (r) {
    case NET_HS_CONTINUE:
        return "in progress";
    case NET_HS_DONE:
        return "done";
    case NET_HS_UNEXPECTED:
        return "unexpected handshake message";
    case NET_HS_BAD_SIGNATURE:
        return "bad handshake signature";
    case NET_HS_SELF:
        return "connected to self";
    }
    return "unknown handshake result";
}
