/* The kind enums of every family (ipc/schema_<family>.h) are their schema
 * tables, in order, with the documented names, and *_kind_of maps a decoded
 * message back; every value that travels as a name (admin state, vmevents
 * disconnect reason, elect status, bootstrap phase) round-trips through its
 * one table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/ipc.h"
#include "ipc/schema_feed.h"
#include "ipc/schema_net.h"
#include "ipc/schema_vmevents.h"

static void test_net(void **st)
{
    (void)st;
    static const char *const names[IPC_NET_K_COUNT] = {
        "request_votes",  "vote_request",     "send_vote",  "subscribe_votes",
        "vote",           "broadcast_vote",   "peers",      "peers_r",
        "frontiers",      "frontiers_r",      "pull",       "pull_r",
        "reps",           "connect",          "publish",    "publish_r",
        "peer_telemetry", "peer_telemetry_r", "pull_chain", "pull_chain_r"};
    assert_int_equal(ipc_family_net.nkinds, IPC_NET_K_COUNT);
    for (int k = 0; k < IPC_NET_K_COUNT; k++) {
        assert_string_equal(ipc_net_kind_name((ipc_net_kind)k), names[k]);
        ipc_msg m = {.kind = ipc_family_find(&ipc_family_net, names[k], strlen(names[k]))};
        assert_int_equal(ipc_net_kind_of(&m), k);
        /* net.sock carries the feed family too: a shared name would make
         * one of the two kinds undecodable there */
        assert_null(ipc_family_find(&ipc_family_feed, names[k], strlen(names[k])));
    }
    ipc_msg ping = {.kind = ipc_family_find(&ipc_family_net, "ping", 4)};
    assert_non_null(ping.kind);
    assert_int_equal(ipc_net_kind_of(&ping), IPC_NET_K_OTHER);
    assert_string_equal(ipc_net_kind_name(IPC_NET_K_COUNT), "unknown");
}

static void test_vmevents(void **st)
{
    (void)st;
    static const char *const names[IPC_VMEV_K_COUNT] = {"subscribe", "subscribed", "event",
                                                        "caught_up", "disconnect"};
    assert_int_equal(ipc_family_vmevents.nkinds, IPC_VMEV_K_COUNT);
    for (int k = 0; k < IPC_VMEV_K_COUNT; k++) {
        assert_string_equal(ipc_vmev_kind_name((ipc_vmev_kind)k), names[k]);
        ipc_msg m = {.kind = ipc_family_find(&ipc_family_vmevents, names[k], strlen(names[k]))};
        assert_int_equal(ipc_vmev_kind_of(&m), k);
    }
    ipc_msg pong = {.kind = ipc_family_find(&ipc_family_vmevents, "pong", 4)};
    assert_non_null(pong.kind);
    assert_int_equal(ipc_vmev_kind_of(&pong), IPC_VMEV_K_OTHER);
}

/* names[k] is kind k of fam; a common kind (ping) maps to other. */
static void check_family(const ipc_family *fam, const char *const *names, int n,
                         const char *(*name_of)(int), int (*kind_of)(const ipc_msg *), int other)
{
    assert_int_equal(fam->nkinds, n);
    for (int k = 0; k < n; k++) {
        assert_string_equal(name_of(k), names[k]);
        ipc_msg m = {.kind = ipc_family_find(fam, names[k], strlen(names[k]))};
        assert_ptr_equal(m.kind, &fam->kinds[k]);
        assert_int_equal(kind_of(&m), k);
    }
    assert_int_equal(kind_of(NULL), other);
    assert_string_equal(name_of(n), "unknown");
    if (fam != &ipc_family_common) {
        ipc_msg ping = {.kind = ipc_family_find(fam, "ping", 4)};
        assert_non_null(ping.kind);
        assert_int_equal(kind_of(&ping), other);
        assert_int_equal(ipc_common_kind_of(&ping), IPC_COMMON_K_PING);
    }
}

#define WRAP(fn, T)                                                                                \
    static const char *fn##_i(int k)                                                               \
    {                                                                                              \
        return fn((T)k);                                                                           \
    }
#define WRAP_OF(fn)                                                                                \
    static int fn##_i(const ipc_msg *m)                                                            \
    {                                                                                              \
        return (int)fn(m);                                                                         \
    }
WRAP(ipc_common_kind_name, ipc_common_kind)
WRAP(ipc_control_kind_name, ipc_control_kind)
WRAP(ipc_admin_kind_name, ipc_admin_kind)
WRAP(ipc_elections_kind_name, ipc_elections_kind)
WRAP(ipc_bootstrap_kind_name, ipc_bootstrap_kind)
WRAP(ipc_feed_kind_name, ipc_feed_kind)
WRAP_OF(ipc_common_kind_of)
WRAP_OF(ipc_control_kind_of)
WRAP_OF(ipc_admin_kind_of)
WRAP_OF(ipc_elections_kind_of)
WRAP_OF(ipc_bootstrap_kind_of)
WRAP_OF(ipc_feed_kind_of)

static void test_common_control_admin(void **st)
{
    (void)st;
    static const char *const common[] = {"ping", "pong", "ok", "error"};
    check_family(&ipc_family_common, common, IPC_COMMON_K_COUNT, ipc_common_kind_name_i,
                 ipc_common_kind_of_i, IPC_COMMON_K_OTHER);
    static const char *const control[] = {"hello",    "ready",     "heartbeat", "heartbeat_ack",
                                          "metrics",  "stop_node", "metrics_r", "status",
                                          "status_r", "shutdown"};
    check_family(&ipc_family_control, control, IPC_CONTROL_K_COUNT, ipc_control_kind_name_i,
                 ipc_control_kind_of_i, IPC_CONTROL_K_OTHER);
    static const char *const admin[] = {"node_status", "node_status_r", "node_restart",
                                        "node_stop"};
    check_family(&ipc_family_admin, admin, IPC_ADMIN_K_COUNT, ipc_admin_kind_name_i,
                 ipc_admin_kind_of_i, IPC_ADMIN_K_OTHER);
    /* A kind of another family is not one of this family's. */
    ipc_msg hb = {.kind = ipc_family_find(&ipc_family_control, "heartbeat", 9)};
    assert_int_equal(ipc_admin_kind_of(&hb), IPC_ADMIN_K_OTHER);
    assert_int_equal(ipc_common_kind_of(&hb), IPC_COMMON_K_OTHER);
}

static void test_elections_bootstrap(void **st)
{
    (void)st;
    static const char *const el[] = {"status",  "status_r",  "elect",    "elect_r",
                                     "active",  "active_r",  "election", "election_r",
                                     "history", "history_r", "resync"};
    check_family(&ipc_family_elections, el, IPC_ELECTIONS_K_COUNT, ipc_elections_kind_name_i,
                 ipc_elections_kind_of_i, IPC_ELECTIONS_K_OTHER);
    static const char *const bo[] = {"status", "start", "started", "status_r"};
    check_family(&ipc_family_bootstrap, bo, IPC_BOOTSTRAP_K_COUNT, ipc_bootstrap_kind_name_i,
                 ipc_bootstrap_kind_of_i, IPC_BOOTSTRAP_K_OTHER);
    static const char *const fe[] = {"feed_subscribe", "election_started", "election_stopped",
                                     "telemetry",      "bootstrap_event",  "work_event"};
    check_family(&ipc_family_feed, fe, IPC_FEED_K_COUNT, ipc_feed_kind_name_i, ipc_feed_kind_of_i,
                 IPC_FEED_K_OTHER);
    /* Same names, other families: the pointer tells them apart. */
    ipc_msg es = {.kind = ipc_family_find(&ipc_family_elections, "status", 6)};
    assert_int_equal(ipc_bootstrap_kind_of(&es), IPC_BOOTSTRAP_K_OTHER);
    assert_int_equal(ipc_control_kind_of(&es), IPC_CONTROL_K_OTHER);
}

/* Each value of a table has a distinct name that parses back to it. */
static void test_value_tables(void **st)
{
    (void)st;
    static const char *const states[] = {"starting", "running",  "backoff",
                                         "failing",  "stopping", "stopped"};
    assert_int_equal(IPC_ADMIN_STATE_COUNT, 6);
    for (int v = 0; v < IPC_ADMIN_STATE_COUNT; v++) {
        const char *n = ipc_admin_state_name((ipc_admin_state)v);
        assert_string_equal(n, states[v]);
        ipc_admin_state back;
        assert_true(ipc_admin_state_parse(n, strlen(n), &back));
        assert_int_equal(back, v);
    }
    ipc_admin_state as;
    assert_false(ipc_admin_state_parse("runnin", 6, &as));
    assert_false(ipc_admin_state_parse("running!", 8, &as));
    assert_string_equal(ipc_admin_state_name(IPC_ADMIN_STATE_COUNT), "unknown");

    static const char *const reasons[] = {"slow_consumer",    "shutdown",          "protocol",
                                          "too_many_clients", "subscribe_timeout", "timeout",
                                          "server_error"};
    assert_int_equal(IPC_VMEV_REASON_COUNT, 7);
    for (int v = 0; v < IPC_VMEV_REASON_COUNT; v++) {
        const char *n = ipc_vmev_reason_name((ipc_vmev_reason)v);
        assert_string_equal(n, reasons[v]);
        ipc_vmev_reason back;
        assert_true(ipc_vmev_reason_parse(n, strlen(n), &back));
        assert_int_equal(back, v);
    }
    ipc_vmev_reason r;
    assert_false(ipc_vmev_reason_parse("time", 4, &r));

    static const char *const elect[] = {"started",   "fork",   "active",
                                        "confirmed", "queued", "forks_full"};
    for (int v = 0; v <= IPC_ELECT_FORKS_FULL; v++) {
        ipc_elect_status back;
        assert_string_equal(ipc_elect_status_name((ipc_elect_status)v), elect[v]);
        assert_true(ipc_elect_status_parse(elect[v], strlen(elect[v]), &back));
        assert_int_equal(back, v);
    }
    static const char *const phase[] = {"idle", "frontiers", "pull", "submit"};
    for (int v = 0; v <= IPC_BOOTSTRAP_SUBMIT; v++) {
        ipc_bootstrap_phase back;
        assert_string_equal(ipc_bootstrap_phase_name((ipc_bootstrap_phase)v), phase[v]);
        assert_true(ipc_bootstrap_phase_parse(phase[v], strlen(phase[v]), &back));
        assert_int_equal(back, v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net),
        cmocka_unit_test(test_vmevents),
        cmocka_unit_test(test_common_control_admin),
        cmocka_unit_test(test_elections_bootstrap),
        cmocka_unit_test(test_value_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
