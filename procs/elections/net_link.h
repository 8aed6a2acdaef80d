/* The elections process's link to the net process (DATA_DIR/run/net.sock,
 * the net family of ipc/schema_net.h): votes from peers go into
 * elections_service_vote and peers' vote requests into
 * elections_service_vote_request; votes our representatives sign go out to
 * every peer as `broadcast_vote`, answers to one peer as `send_vote`, and
 * our own vote requests as `request_votes`.
 *
 * The endpoint reconnects by itself and subscribes (`subscribe_votes`) on
 * every connection. While net is down votes are dropped both ways; once
 * subscribed again, every active election asks for votes at once
 * (elections_service_votes_lost), so what was lost is asked for again. One link per process: the
 * vote hook of elections_service_hooks has no slot of its own, so the link is process-wide.
 * Everything runs on the child's event loop. */
#ifndef ELECTIONS_NET_LINK_H
#define ELECTIONS_NET_LINK_H

#include "ipc/child.h"
#include "procs/elections/service.h"
#include "common/vote.h"

/* Connect to net.sock and feed received votes into svc (borrowed: call
 * elections_net_link_stop before freeing it). 0, or -1 after logging why. */
int elections_net_link_start(ipc_child *ch, elections_service *svc);
/* Close the connection; received votes are no longer fed in. Idempotent. */
void elections_net_link_stop(void);

/* Tell net the principal representatives (elections_service_principals)
 * as `reps` when they differ from what it was last told on this
 * connection (and once after every subscription). The node's timer calls
 * it once a second. */
void elections_net_link_reps(void);
/* An elections_service_hooks.vote: send v to every peer (ctx is ignored). */
void elections_net_link_vote(void *ctx, const smn_vote *v);
/* An elections_service_hooks.reply: send v to the peer with that node id. */
void elections_net_link_reply(void *ctx, const smn_vote *v, const uint8_t peer[32]);
/* An elections_service_hooks.request: ask peers for votes, 12 pairs a message. */
void elections_net_link_request(void *ctx, const elections_pair *pairs, size_t n);

#endif
