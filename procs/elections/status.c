/* The `status` request on elections.sock; see status.h. */
#include "procs/elections/status.h"

#include <string.h>

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

/* rpc's confirmation_active: the running elections' roots, paged. */
static void active_roots(elections_service *svc, ipc_conn *c, const ipc_msg *m)
{
    const elections_active *a = elections_service_container(svc);
    const uint8_t *after = NULL;
    size_t n = 0;
    uint64_t count = 0;
    if ((ipc_get_bin(m->body, "after", &after, &n) && n != 32) ||
        !ipc_get_uint(m->body, "count", &count) || count == 0 || count > IPC_ELECTIONS_MAX_ROOTS) {
        ipc_reply_error(c, m, "bad active request");
        return;
    }
    ipc_builder b;
    ipc_build_begin(&b, "active_r");
    ipc_put_array_begin(&b, "roots");
    size_t size = elections_active_size(a), put = 0, i = 0;
    /* root order: skip to the first root above `after` */
    while (after && i < size &&
           memcmp(elections_election_root(elections_active_at(a, i)), after, 32) <= 0)
        i++;
    for (; i < size && put < count; i++, put++)
        ipc_put_bin(&b, NULL, elections_election_root(elections_active_at(a, i)), 32);
    ipc_put_array_end(&b);
    ipc_put_bool(&b, "more", i < size);
    ipc_put_uint(&b, "total", size);
    ipc_reply(c, m, &b);
}

/* rpc's confirmation_info: one running election. */
static void election_info(elections_service *svc, ipc_conn *c, const ipc_msg *m)
{
    const elections_active *a = elections_service_container(svc);
    const uint8_t *root;
    size_t n;
    if (!ipc_get_bin(m->body, "root", &root, &n) || n != 32) {
        ipc_reply_error(c, m, "bad root");
        return;
    }
    const elections_election *e = elections_active_find_root(a, root);
    ipc_builder b;
    ipc_build_begin(&b, "election_r");
    ipc_put_bin(&b, "root", root, 32);
    ipc_put_bool(&b, "found", e != NULL);
    if (!e) {
        ipc_reply(c, m, &b);
        return;
    }
    elections_state es = elections_election_state(e);
    ipc_election_state st = es == ELECTIONS_STATE_CONFIRMED ? IPC_ELECTION_CONFIRMED
                            : es == ELECTIONS_STATE_QUORUM  ? IPC_ELECTION_QUORUM
                                                            : IPC_ELECTION_ACTIVE;
    uint64_t now = elections_active_now(a), start = elections_election_start_tick(e);
    ipc_put_str(&b, "state", ipc_election_state_name(st));
    ipc_put_uint(&b, "age_ms", (now > start ? now - start : 0) * elections_service_tick_ms(svc));
    ipc_put_uint(&b, "voters", elections_election_voters(e));
    ipc_put_uint(&b, "leader", elections_election_leader(e));
    int winner = elections_election_winner(e);
    if (winner >= 0)
        ipc_put_uint(&b, "winner", (uint64_t)winner);
    ipc_put_array_begin(&b, "candidates");
    size_t nc = elections_election_candidates(e);
    for (size_t i = 0; i < nc && i < IPC_ELECTIONS_MAX_CANDIDATES; i++) {
        uint8_t wire[SMN_BLOCK_WIRE_BYTES];
        smn_block_serialize(elections_election_block(e, i), wire);
        ipc_put_map_begin(&b, NULL);
        ipc_put_bin(&b, "block", wire, sizeof wire);
        put_amount(&b, "tally", elections_election_tally(e, i));
        put_amount(&b, "final_tally", elections_election_final_tally(e, i));
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_reply(c, m, &b);
}

/* rpc's confirmation_history: the latest confirmations, newest first. */
static void history(elections_service *svc, ipc_conn *c, const ipc_msg *m)
{
    uint64_t count = 0;
    if (!ipc_get_uint(m->body, "count", &count) || count == 0 ||
        count > IPC_ELECTIONS_MAX_HISTORY) {
        ipc_reply_error(c, m, "bad history request");
        return;
    }
    uint64_t now = elections_service_now(svc), tick_ms = elections_service_tick_ms(svc);
    ipc_builder b;
    ipc_build_begin(&b, "history_r");
    ipc_put_array_begin(&b, "entries");
    size_t n = elections_service_history_size(svc);
    for (size_t i = 0; i < n && i < count; i++) {
        const elections_history_entry *h = elections_service_history_at(svc, i);
        uint64_t dur = h->confirm_tick > h->start_tick ? h->confirm_tick - h->start_tick : 0;
        uint64_t age = now > h->confirm_tick ? now - h->confirm_tick : 0;
        ipc_put_map_begin(&b, NULL);
        ipc_put_bin(&b, "hash", h->hash, 32);
        ipc_put_bin(&b, "root", h->root, 32);
        put_amount(&b, "tally", h->tally);
        put_amount(&b, "final_tally", h->final_tally);
        ipc_put_uint(&b, "duration_ms", dur * tick_ms);
        ipc_put_uint(&b, "age_ms", age * tick_ms);
        ipc_put_uint(&b, "candidates", h->candidates ? h->candidates : 1);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_reply(c, m, &b);
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
    if (kind == IPC_ELECTIONS_K_ACTIVE) {
        active_roots(svc, c, m);
        return;
    }
    if (kind == IPC_ELECTIONS_K_ELECTION) {
        election_info(svc, c, m);
        return;
    }
    if (kind == IPC_ELECTIONS_K_HISTORY) {
        history(svc, c, m);
        return;
    }
    if (kind == IPC_ELECTIONS_K_RESYNC) {
        /* rpc's populate_backlog: the scan runs in the service's steps */
        elections_service_resync(svc);
        ipc_builder b;
        ipc_build_begin(&b, "ok");
        ipc_reply(c, m, &b);
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
