/* The kind enums of the net and vmevents families (ipc/schema_net.h,
 * ipc/schema_vmevents.h) are their schema tables, in order, with the
 * documented names, and *_kind_of maps a decoded message back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/ipc.h"
#include "ipc/schema_net.h"
#include "ipc/schema_vmevents.h"

static void test_net(void **st)
{
    (void)st;
    static const char *const names[IPC_NET_K_COUNT] = {
        "request_votes", "vote_request", "send_vote", "subscribe_votes", "vote", "broadcast_vote",
        "peers",         "peers_r",      "frontiers", "frontiers_r",     "pull", "pull_r"};
    assert_int_equal(ipc_family_net.nkinds, IPC_NET_K_COUNT);
    for (int k = 0; k < IPC_NET_K_COUNT; k++) {
        assert_string_equal(ipc_net_kind_name((ipc_net_kind)k), names[k]);
        ipc_msg m = {.kind = ipc_family_find(&ipc_family_net, names[k], strlen(names[k]))};
        assert_int_equal(ipc_net_kind_of(&m), k);
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_net), cmocka_unit_test(test_vmevents)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
