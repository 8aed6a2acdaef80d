/* The `status` request on elections.sock; see status.h. */
#include "procs/elections/status.h"

#include "ipc/builder.h"
#include "ipc/schema_elections.h"

static void put_amount(ipc_builder *b, const char *name, smn_amount_t v)
{
    uint8_t be[IPC_ELECTIONS_AMOUNT_BYTES];
    smn_amount_to_be(v, be);
    ipc_put_bin(b, name, be, sizeof be);
}

void elections_status_on_message(elections_service *svc, ipc_conn *c, const ipc_msg *m)
{
    if (!m->id)
        return; /* no notifications here */
    if (!svc) {
        ipc_reply_error(c, m, "elections is starting");
        return;
    }
    if (!ipc_msg_is(m, "status")) {
        ipc_reply_error(c, m, "elections does not serve that request");
        return;
    }
    const elections_online *on = elections_service_online_view(svc);
    ipc_builder b;
    ipc_build_begin(&b, "status_r");
    ipc_put_uint(&b, "reps", elections_service_reps(svc));
    ipc_put_uint(&b, "online_reps", elections_online_count(on));
    ipc_put_array_begin(&b, "online");
    uint8_t rep[32];
    smn_amount_t w;
    for (size_t i = 0; i < IPC_ELECTIONS_MAX_ONLINE && elections_online_at(on, i, rep, &w); i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_bin(&b, "rep", rep, 32);
        put_amount(&b, "weight", w);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    put_amount(&b, "online_weight", elections_online_weight(on));
    put_amount(&b, "trended_weight", elections_online_trended(on));
    put_amount(&b, "online_minimum", elections_online_minimum(on));
    put_amount(&b, "quorum_delta", elections_service_delta(svc));
    ipc_put_uint(&b, "quorum_percent", elections_service_quorum_percent(svc));
    ipc_put_uint(&b, "active", elections_service_active(svc));
    ipc_put_uint(&b, "max_active", elections_service_max_active(svc));
    ipc_put_uint(&b, "backlog", elections_service_backlog(svc));
    ipc_put_uint(&b, "confirmed", elections_service_confirmed(svc));
    ipc_reply(c, m, &b);
}
