/* elections.sock's own requests (ipc/schema_elections.h): `status`, the
 * figures the rpc process shows (confirmation_quorum,
 * representatives_online, election_statistics, stats), and `elect`, one
 * block's election (rpc's block_confirm), `active` and `election`, the
 * running elections (rpc's confirmation_active, confirmation_info). */
#ifndef ELECTIONS_STATUS_H
#define ELECTIONS_STATUS_H

#include "ipc/endpoint.h"
#include "procs/elections/service.h"

/* Answers m on c from the service; svc NULL (still starting): an error. */
void elections_status_on_message(elections_service *svc, ipc_conn *c, const ipc_msg *m);

#endif
