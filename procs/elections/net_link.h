/* The elections process's link to the net process (DATA_DIR/run/net.sock,
 * the net family of ipc/schema_net.h): votes from peers go into
 * elections_service_vote, votes our representatives sign go out to every
 * peer as `broadcast_vote`.
 *
 * The endpoint reconnects by itself and subscribes (`subscribe_votes`) on
 * every connection. While net is down our votes are dropped (a peer learns
 * the outcome from later votes or from bootstrap), and so are peers' votes:
 * nothing durable depends on them. One link per process: the vote hook of
 * elections_service_hooks has no slot of its own, so the link is
 * process-wide. Everything runs on the child's event loop. */
#ifndef ELECTIONS_NET_LINK_H
#define ELECTIONS_NET_LINK_H

#include "ipc/child.h"
#include "procs/elections/service.h"
#include "procs/elections/vote.h"

/* Connect to net.sock and feed received votes into svc (borrowed: call
 * elections_net_link_stop before freeing it). 0, or -1 after logging why. */
int elections_net_link_start(ipc_child *ch, elections_service *svc);
/* Close the connection; received votes are no longer fed in. Idempotent. */
void elections_net_link_stop(void);

/* An elections_service_hooks.vote: send v to every peer (ctx is ignored). */
void elections_net_link_vote(void *ctx, const elections_vote *v);

#endif
