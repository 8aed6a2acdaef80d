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

/* rpc's block_confirm: the election of one block, as if the ledger had
 * just accepted it. */
static void elect(elections_service *svc, ipc_conn *c, const ipc_msg *m)
{
    const uint8_t *p;
    size_t n;
    smn_block b;
    if (!ipc_get_bin(m->body, "block", &p, &n) || smn_block_deserialize(p, n, &b) != SMN_BLOCK_OK) {
        ipc_reply_error(c, m, "bad block");
        return;
    }
    elections_start_status st = elections_service_block(svc, &b);
    ipc_elect_status out = st == ELECTIONS_START_STARTED      ? IPC_ELECT_STARTED
                           : st == ELECTIONS_START_FORK       ? IPC_ELECT_FORK
                           : st == ELECTIONS_START_ACTIVE     ? IPC_ELECT_ACTIVE
                           : st == ELECTIONS_START_CONFIRMED  ? IPC_ELECT_CONFIRMED
                           : st == ELECTIONS_START_FORKS_FULL ? IPC_ELECT_FORKS_FULL
                                                              : IPC_ELECT_QUEUED;
    ipc_builder b2;
    ipc_build_begin(&b2, "elect_r");
    ipc_put_str(&b2, "status", ipc_elect_status_name(out));
    ipc_reply(c, m, &b2);
}

void elections_status_on_message(elections_service *svc, ipc_conn *c, const ipc_msg *m)
{
    if (!m->id)
        return; /* no notifications here */
    if (!svc) {
        ipc_reply_error(c, m, "elections is starting");
        return;
    }
    ipc_elections_kind kind = ipc_elections_kind_of(m);
    if (kind == IPC_ELECTIONS_K_ELECT) {
        elect(svc, c, m);
        return;
    }
    if (kind != IPC_ELECTIONS_K_STATUS) {
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
