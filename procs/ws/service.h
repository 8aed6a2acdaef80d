/* The ws process (docs/websocket.md): follows the ledger through the
 * ledger client (block_cemented wakes the confirmation feed, block_accepted
 * is new_unconfirmed_block), reads the cementing log from ledger.db
 * read-only in bounded steps, and serves the WebSocket (server.h). With
 * [ws] enable off it runs idle: it answers the supervisor and nothing else. */
#ifndef WS_SERVICE_H
#define WS_SERVICE_H

#include "ipc/child.h"

typedef struct ws_service ws_service;

/* ipc_child_opts.init / .fini; ud is a ws_service ** */
int ws_service_init(ipc_child *ch, void *ud);
void ws_service_fini(ipc_child *ch, void *ud);

#endif
