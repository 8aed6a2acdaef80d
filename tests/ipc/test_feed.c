/* The feed family's publishing side (ipc/feed.h) over a real socketpair on
 * a libevent loop: feed_subscribe is answered, events reach the subscriber
 * and pass the schema on both ends, a full outgoing queue drops (and
 * counts) instead of queueing, a closed subscriber is forgotten, and the
 * subscriber cap answers an error; the name tables round-trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc/feed.h"
#include "ipc/ipc.h"
#include "ipc/schema_bootstrap.h"
#include "ipc/schema_feed.h"

typedef struct {
    struct event_base *base;
    ipc_feed feed;
    ipc_conn *pub_conn;
    int ok_replies, errors, events, started;
} ctx;

static void pub_msg(ipc_conn *c, const ipc_msg *m, void *ud)
{
    ctx *x = ud;
    x->pub_conn = c;
    assert_true(ipc_feed_on_message(&x->feed, c, m));
}

static void pub_state(ipc_conn *c, bool up, void *ud)
{
    ctx *x = ud;
    ipc_feed_on_state(&x->feed, c, up);
}

static void sub_msg(ipc_conn *c, const ipc_msg *m, void *ud)
{
    (void)c;
    ctx *x = ud;
    x->events++;
    if (ipc_feed_kind_of(m) == IPC_FEED_K_ELECTION_STARTED)
        x->started++;
    event_base_loopbreak(x->base);
}

static void on_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    (void)reply;
    ctx *x = ud;
    if (st == IPC_OK)
        x->ok_replies++;
    else
        x->errors++;
    event_base_loopbreak(x->base);
}

static void run_once(ctx *x)
{
    struct timeval tv = {2, 0};
    event_base_loopexit(x->base, &tv);
    event_base_dispatch(x->base);
}

static void subscribe(ctx *x, ipc_endpoint *sub)
{
    ipc_builder b;
    ipc_build_begin(&b, ipc_feed_kind_name(IPC_FEED_K_SUBSCRIBE));
    assert_int_equal(ipc_request(ipc_endpoint_conn(sub), &b, 2000, on_reply, x), IPC_OK);
    run_once(x);
}

static void publish_started(ctx *x, uint8_t fill)
{
    uint8_t h[32];
    memset(h, fill, 32);
    ipc_builder b;
    ipc_build_begin(&b, ipc_feed_kind_name(IPC_FEED_K_ELECTION_STARTED));
    ipc_put_bin(&b, "hash", h, 32);
    ipc_put_uint(&b, "time", 1);
    ipc_feed_publish(&x->feed, &b);
}

static void test_publish(void **st)
{
    (void)st;
    ctx x;
    memset(&x, 0, sizeof x);
    x.base = event_base_new();
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ipc_endpoint_opts po = {.family = &ipc_family_feed,
                            .on_message = pub_msg,
                            .on_state = pub_state,
                            .ud = &x,
                            .max_out_bytes = 4096};
    ipc_endpoint_opts so = {.family = &ipc_family_feed, .on_message = sub_msg, .ud = &x};
    ipc_endpoint *pub = ipc_attach_fd(x.base, sv[0], &po);
    ipc_endpoint *sub = ipc_attach_fd(x.base, sv[1], &so);
    assert_non_null(pub);
    assert_non_null(sub);

    assert_false(ipc_feed_wanted(&x.feed));
    publish_started(&x, 1); /* nobody: freed, not counted */
    assert_int_equal(x.feed.published, 0);

    subscribe(&x, sub);
    assert_int_equal(x.ok_replies, 1);
    assert_true(ipc_feed_wanted(&x.feed));
    subscribe(&x, sub); /* again: still one subscriber */
    assert_int_equal(x.ok_replies, 2);
    assert_int_equal(x.feed.n, 1);

    publish_started(&x, 2);
    run_once(&x);
    assert_int_equal(x.started, 1);
    assert_int_equal(x.feed.published, 1);

    /* not reading: the kernel buffer and then the 4 KiB queue fill, and
     * later events are dropped */
    for (int i = 0; i < 20000; i++)
        publish_started(&x, 3);
    assert_true(x.feed.dropped > 0);
    assert_true(x.feed.dropped < 20000);

    /* the subscriber goes away: forgotten */
    ipc_endpoint_free(sub);
    for (int i = 0; i < 20 && x.feed.n; i++) {
        struct timeval tv = {0, 20000};
        event_base_loopexit(x.base, &tv);
        event_base_dispatch(x.base);
    }
    assert_int_equal(x.feed.n, 0);
    ipc_endpoint_free(pub);
    event_base_free(x.base);
}

static void test_cap(void **st)
{
    (void)st;
    ctx x;
    memset(&x, 0, sizeof x);
    x.base = event_base_new();
    ipc_endpoint *pubs[IPC_FEED_MAX_SUBSCRIBERS + 1], *subs[IPC_FEED_MAX_SUBSCRIBERS + 1];
    for (size_t i = 0; i <= IPC_FEED_MAX_SUBSCRIBERS; i++) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        ipc_endpoint_opts po = {
            .family = &ipc_family_feed, .on_message = pub_msg, .on_state = pub_state, .ud = &x};
        ipc_endpoint_opts so = {.family = &ipc_family_feed, .on_message = sub_msg, .ud = &x};
        pubs[i] = ipc_attach_fd(x.base, sv[0], &po);
        subs[i] = ipc_attach_fd(x.base, sv[1], &so);
        subscribe(&x, subs[i]);
    }
    assert_int_equal(x.ok_replies, IPC_FEED_MAX_SUBSCRIBERS);
    assert_int_equal(x.errors, 1);
    assert_int_equal(x.feed.n, IPC_FEED_MAX_SUBSCRIBERS);
    /* the subscribers hang up: the publisher's loop sees each close */
    for (size_t i = 0; i <= IPC_FEED_MAX_SUBSCRIBERS; i++)
        ipc_endpoint_free(subs[i]);
    for (int i = 0; i < 20 && x.feed.n; i++) {
        struct timeval tv = {0, 20000};
        event_base_loopexit(x.base, &tv);
        event_base_dispatch(x.base);
    }
    assert_int_equal(x.feed.n, 0);
    for (size_t i = 0; i <= IPC_FEED_MAX_SUBSCRIBERS; i++)
        ipc_endpoint_free(pubs[i]);
    event_base_free(x.base);
}

static void test_names(void **st)
{
    (void)st;
    for (int r = 0; r < IPC_FEED_STOP_COUNT; r++) {
        const char *n = ipc_feed_stop_reason_name((ipc_feed_stop_reason)r);
        ipc_feed_stop_reason back;
        assert_true(ipc_feed_stop_reason_parse(n, strlen(n), &back));
        assert_int_equal(back, r);
    }
    for (int r = 0; r < IPC_FEED_BOOT_COUNT; r++) {
        const char *n = ipc_feed_boot_reason_name((ipc_feed_boot_reason)r);
        ipc_feed_boot_reason back;
        assert_true(ipc_feed_boot_reason_parse(n, strlen(n), &back));
        assert_int_equal(back, r);
    }
    for (int r = 0; r < IPC_FEED_WORK_COUNT; r++) {
        const char *n = ipc_feed_work_reason_name((ipc_feed_work_reason)r);
        ipc_feed_work_reason back;
        assert_true(ipc_feed_work_reason_parse(n, strlen(n), &back));
        assert_int_equal(back, r);
    }
    ipc_feed_stop_reason sr;
    assert_false(ipc_feed_stop_reason_parse("rolled", 6, &sr));
    assert_string_equal(ipc_feed_kind_name(IPC_FEED_K_COUNT), "unknown");
    assert_string_equal(ipc_feed_kind_name(IPC_FEED_K_WORK), "work_event");
}

/* A process's family with the feed added: its own kinds (the same table,
 * so its kind enums still work), the feed's, and common's. */
static void test_serve_family(void **st)
{
    (void)st;
    ipc_family served;
    ipc_feed_serve_family(&served, &ipc_family_bootstrap);
    assert_ptr_equal(served.kinds, ipc_family_bootstrap.kinds);
    assert_int_equal(served.nkinds, ipc_family_bootstrap.nkinds);
    assert_non_null(ipc_family_find(&served, "status", 6));
    assert_ptr_equal(ipc_family_find(&served, "status", 6),
                     ipc_family_find(&ipc_family_bootstrap, "status", 6));
    assert_non_null(ipc_family_find(&served, "feed_subscribe", 14));
    assert_non_null(ipc_family_find(&served, "ping", 4));
    assert_null(ipc_family_find(&ipc_family_bootstrap, "feed_subscribe", 14));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* a write to a closed subscriber: EPIPE, as in the node */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_serve_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
