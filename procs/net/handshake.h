/* Node-ID handshake (Nano's scheme): each side proves it holds the private
 * key of its node id by signing a fresh random cookie the other side chose.
 *
 *   initiator                          responder
 *   query(cookie_i)            ---->
 *                              <----   query(cookie_r) + response(id_r, sig_r)
 *   response(id_i, sig_i)      ---->
 *
 * sig = Ed25519(node key, "smn handshake" (13 ASCII bytes) || magic[2] || cookie)
 * The magic binds a proof to one network; the prefix keeps a peer from
 * making us sign anything that means something elsewhere (telemetry, votes,
 * blocks). The state machine is pure: the caller supplies the cookie (from
 * randombytes_buf) and moves the bytes. */
#ifndef NET_HANDSHAKE_H
#define NET_HANDSHAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/keys.h"
#include "common/network.h"
#include "procs/net/message.h"

typedef enum { NET_HS_INITIATOR, NET_HS_RESPONDER } net_hs_role;

typedef enum {
    NET_HS_CONTINUE = 0, /* send the reply if *send_reply, then wait */
    NET_HS_DONE,         /* peer proven (net_hs.peer_id); send the reply if any */
    NET_HS_UNEXPECTED,   /* wrong part at this step (e.g. a response to a query never sent) */
    NET_HS_BAD_SIGNATURE,
    NET_HS_SELF, /* the peer proved our own node id: we connected to ourselves */
} net_hs_result;

typedef struct {
    const smn_network *net;
    const smn_keypair *self; /* borrowed: must outlive the handshake */
    net_hs_role role;
    uint8_t cookie[NET_COOKIE_BYTES]; /* ours */
    int step;                         /* 0 = nothing yet, 1 = query sent, 2 = done, -1 = failed */
    uint8_t peer_id[SMN_KEY_BYTES];
} net_hs;

void net_handshake_sign(const smn_network *net, const smn_keypair *kp,
                        const uint8_t cookie[NET_COOKIE_BYTES], uint8_t sig[SMN_SIG_BYTES]);
bool net_handshake_verify(const smn_network *net, const uint8_t node_id[SMN_KEY_BYTES],
                          const uint8_t cookie[NET_COOKIE_BYTES], const uint8_t sig[SMN_SIG_BYTES]);

void net_hs_init(net_hs *hs, const smn_network *net, const smn_keypair *self, net_hs_role role,
                 const uint8_t cookie[NET_COOKIE_BYTES]);
/* Initiator only: the opening query. */
void net_hs_start(net_hs *hs, net_handshake *out);
/* Feed the peer's handshake message. *send_reply says whether *reply must
 * be sent (also on NET_HS_DONE). Any error is final: close the connection. */
net_hs_result net_hs_receive(net_hs *hs, const net_handshake *in, net_handshake *reply,
                             bool *send_reply);
bool net_hs_done(const net_hs *hs);
const char *net_hs_strerror(net_hs_result r);

#endif
