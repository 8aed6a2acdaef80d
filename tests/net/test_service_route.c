/* net.sock's dispatcher without sockets (procs/net/service_route.h): every
 * kind of the net family and of its common base, as a request and as a
 * notification, goes where docs/architecture.md and ipc/schema_net.h say:
 * the one-way kinds elections sends are handled with or without an id, the
 * four requests net serves reach their handler only as requests, a request
 * net does not serve (a reply kind, a `vote`, a `ping` that passed the
 * child runtime) is refused with an error, and a stray notification is
 * ignored (never answered). Also through real bytes: built by the builder,
 * decoded against ipc_family_net as the endpoint does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/builder.h"
#include "ipc/frame.h"
#include "ipc/msg.h"
#include "ipc/schema_net.h"
#include "procs/net/service_route.h"

typedef struct {
    ipc_net_kind kind;
    net_route as_request, as_notification;
} expect;

/* Written from the family's documentation, not from the code. */
static const expect table[] = {
    {IPC_NET_K_REQUEST_VOTES, NET_ROUTE_REQUEST_VOTES, NET_ROUTE_REQUEST_VOTES},
    {IPC_NET_K_VOTE_REQUEST, NET_ROUTE_REFUSE, NET_ROUTE_IGNORE},
    {IPC_NET_K_SEND_VOTE, NET_ROUTE_SEND_VOTE, NET_ROUTE_SEND_VOTE},
    {IPC_NET_K_SUBSCRIBE_VOTES, NET_ROUTE_SUBSCRIBE_VOTES, NET_ROUTE_IGNORE},
    {IPC_NET_K_VOTE, NET_ROUTE_REFUSE, NET_ROUTE_IGNORE},
    {IPC_NET_K_BROADCAST_VOTE, NET_ROUTE_BROADCAST_VOTE, NET_ROUTE_BROADCAST_VOTE},
    {IPC_NET_K_PEERS, NET_ROUTE_PEERS, NET_ROUTE_IGNORE},
    {IPC_NET_K_PEERS_R, NET_ROUTE_REFUSE, NET_ROUTE_IGNORE},
    {IPC_NET_K_FRONTIERS, NET_ROUTE_FRONTIERS, NET_ROUTE_IGNORE},
    {IPC_NET_K_FRONTIERS_R, NET_ROUTE_REFUSE, NET_ROUTE_IGNORE},
    {IPC_NET_K_PULL, NET_ROUTE_PULL, NET_ROUTE_IGNORE},
    {IPC_NET_K_PULL_R, NET_ROUTE_REFUSE, NET_ROUTE_IGNORE},
    {IPC_NET_K_REPS, NET_ROUTE_REPS, NET_ROUTE_REPS},
    {IPC_NET_K_CONNECT, NET_ROUTE_CONNECT, NET_ROUTE_IGNORE},
    {IPC_NET_K_PUBLISH, NET_ROUTE_PUBLISH, NET_ROUTE_IGNORE},
    {IPC_NET_K_PUBLISH_R, NET_ROUTE_REFUSE, NET_ROUTE_IGNORE},
    {IPC_NET_K_PEER_TELEMETRY, NET_ROUTE_PEER_TELEMETRY, NET_ROUTE_IGNORE},
    {IPC_NET_K_PEER_TELEMETRY_R, NET_ROUTE_REFUSE, NET_ROUTE_IGNORE},
    {IPC_NET_K_PULL_CHAIN, NET_ROUTE_PULL_CHAIN, NET_ROUTE_IGNORE},
    {IPC_NET_K_PULL_CHAIN_R, NET_ROUTE_REFUSE, NET_ROUTE_IGNORE},
};

static void test_every_kind(void **st)
{
    (void)st;
    assert_int_equal(sizeof table / sizeof table[0], IPC_NET_K_COUNT);
    for (size_t i = 0; i < IPC_NET_K_COUNT; i++) {
        assert_int_equal(table[i].kind, (ipc_net_kind)i);
        ipc_msg m = {.kind = &ipc_family_net.kinds[i], .id = 7};
        if (net_service_route(&m) != table[i].as_request)
            fail_msg("%s as a request: %s", ipc_net_kind_name((ipc_net_kind)i),
                     net_route_name(net_service_route(&m)));
        m.id = 0;
        if (net_service_route(&m) != table[i].as_notification)
            fail_msg("%s as a notification: %s", ipc_net_kind_name((ipc_net_kind)i),
                     net_route_name(net_service_route(&m)));
        /* A reply to something net asked is not routed to a handler. */
        m.re = 3;
        assert_int_equal(net_service_route(&m), table[i].as_notification);
    }
    /* The common kinds that reach the service (the child runtime answers
     * ping itself): requests refused, notifications ignored. */
    const ipc_family *common = ipc_family_net.base;
    assert_non_null(common);
    for (size_t i = 0; i < common->nkinds; i++) {
        ipc_msg m = {.kind = &common->kinds[i], .id = 1};
        assert_int_equal(net_service_route(&m), NET_ROUTE_REFUSE);
        m.id = 0;
        assert_int_equal(net_service_route(&m), NET_ROUTE_IGNORE);
    }
    assert_int_equal(net_service_route(NULL), NET_ROUTE_IGNORE);
    ipc_msg none = {0};
    assert_int_equal(net_service_route(&none), NET_ROUTE_IGNORE);
}

/* Build, frame, decode as net's endpoint does, route. */
static net_route route_bytes(ipc_builder *b, uint64_t id)
{
    ipc_error err;
    assert_int_equal(ipc_build_finish(b, &ipc_family_net, id, 0, &err), IPC_OK);
    ipc_msg m;
    assert_int_equal(
        ipc_decode(&ipc_family_net, b->buf + IPC_FRAME_HDR, b->len - IPC_FRAME_HDR, &m, &err),
        IPC_OK);
    net_route r = net_service_route(&m);
    ipc_msg_free(&m);
    ipc_build_free(b);
    return r;
}

static void test_decoded(void **st)
{
    (void)st;
    uint8_t id32[32], vote[IPC_NET_VOTE_MIN_BYTES];
    memset(id32, 5, sizeof id32);
    memset(vote, 9, sizeof vote);
    ipc_builder b;

    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_PEERS));
    assert_int_equal(route_bytes(&b, 4), NET_ROUTE_PEERS);
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_SUBSCRIBE_VOTES));
    assert_int_equal(route_bytes(&b, 5), NET_ROUTE_SUBSCRIBE_VOTES);
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_FRONTIERS));
    ipc_put_uint(&b, "count", 10);
    assert_int_equal(route_bytes(&b, 6), NET_ROUTE_FRONTIERS);
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_PULL));
    ipc_put_bin(&b, "start", id32, 32);
    assert_int_equal(route_bytes(&b, 7), NET_ROUTE_PULL);
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_BROADCAST_VOTE));
    ipc_put_bin(&b, "vote", vote, sizeof vote);
    assert_int_equal(route_bytes(&b, 0), NET_ROUTE_BROADCAST_VOTE);
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_SEND_VOTE));
    ipc_put_bin(&b, "vote", vote, sizeof vote);
    ipc_put_bin(&b, "peer", id32, 32);
    assert_int_equal(route_bytes(&b, 0), NET_ROUTE_SEND_VOTE);
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_REQUEST_VOTES));
    ipc_put_array_begin(&b, "pairs");
    ipc_put_map_begin(&b, NULL);
    ipc_put_bin(&b, "hash", id32, 32);
    ipc_put_bin(&b, "root", id32, 32);
    ipc_put_map_end(&b);
    ipc_put_array_end(&b);
    assert_int_equal(route_bytes(&b, 0), NET_ROUTE_REQUEST_VOTES);
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_REPS));
    ipc_put_array_begin(&b, "reps");
    ipc_put_array_end(&b);
    assert_int_equal(route_bytes(&b, 0), NET_ROUTE_REPS);
    /* A stray vote notification, and a ping request (common family). */
    ipc_build_begin(&b, ipc_net_kind_name(IPC_NET_K_VOTE));
    ipc_put_bin(&b, "vote", vote, sizeof vote);
    assert_int_equal(route_bytes(&b, 0), NET_ROUTE_IGNORE);
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 1);
    assert_int_equal(route_bytes(&b, 8), NET_ROUTE_REFUSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_kind),
                                       cmocka_unit_test(test_decoded)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
