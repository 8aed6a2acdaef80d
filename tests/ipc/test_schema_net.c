/* ipc/schema_net.h: the net family's kind enum is its table, in order,
 * with the names docs/architecture.md documents, and ipc_net_kind_of maps
 * a decoded message back to it (a misspelt or reordered kind fails here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/builder.h"
#include "ipc/frame.h"
#include "ipc/schema_net.h"

static void kinds_match_the_table(void **state)
{
    (void)state;
    static const char *const names[] = {
        "request_votes",  "vote_request",     "send_vote",  "subscribe_votes",
        "vote",           "broadcast_vote",   "peers",      "peers_r",
        "frontiers",      "frontiers_r",      "pull",       "pull_r",
        "reps",           "connect",          "publish",    "publish_r",
        "peer_telemetry", "peer_telemetry_r", "pull_chain", "pull_chain_r",
    };
    assert_int_equal(sizeof names / sizeof names[0], IPC_NET_K_COUNT);
    assert_int_equal(ipc_family_net.nkinds, IPC_NET_K_COUNT);
    for (int k = 0; k < IPC_NET_K_COUNT; k++) {
        const char *n = ipc_net_kind_name((ipc_net_kind)k);
        assert_string_equal(n, names[k]);
        assert_string_equal(n, ipc_family_net.kinds[k].name);
        ipc_msg m = {.kind = ipc_family_find(&ipc_family_net, n, strlen(n))};
        assert_int_equal(ipc_net_kind_of(&m), k);
    }
    ipc_msg ping = {.kind = ipc_family_find(&ipc_family_net, "ping", 4)};
    assert_non_null(ping.kind);
    assert_int_equal(ipc_net_kind_of(&ping), IPC_NET_K_OTHER);
    assert_int_equal(ipc_net_kind_of(NULL), IPC_NET_K_OTHER);
    assert_string_equal(ipc_net_kind_name(IPC_NET_K_COUNT), "unknown");
}

static void decoded_message_has_its_kind(void **state)
{
    (void)state;
    ipc_builder b;
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_PULL));
    uint8_t start[32] = {1};
    ipc_put_bin(&b, "start", start, 32);
    ipc_error err;
    assert_int_equal(ipc_build_finish(&b, &ipc_family_net, 3, 0, &err), IPC_OK);
    ipc_msg m;
    assert_int_equal(
        ipc_decode(&ipc_family_net, b.buf + IPC_FRAME_HDR, b.len - IPC_FRAME_HDR, &m, &err),
        IPC_OK);
    assert_int_equal(ipc_net_kind_of(&m), IPC_NET_K_PULL);
    ipc_msg_free(&m);
    ipc_build_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds_match_the_table),
        cmocka_unit_test(decoded_message_has_its_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
