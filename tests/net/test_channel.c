/* Channels over real loopback TCP in one process and one libevent loop:
 * two nodes handshake and exchange keepalive, publish and confirm_ack; each
 * handshake failure closes with its reason; a raw socket peer checks frame
 * reassembly, bounds and the protocol rules byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "fixtures.h"
#include "procs/net/channel.h"

#define MAX_SEEN 64

typedef struct {
    net_channels *set;
    smn_keypair key;
    int listen_fd;
    uint16_t port;
    int ready;
    int closed;
    net_close_reason reasons[MAX_SEEN];
    int nmsg;
    net_msg_type types[MAX_SEEN];
    net_message last[4]; /* the first four messages */
    bool refuse_inbound;
} node;

static struct event_base *base;

static void on_ready(net_channel *ch, void *ud)
{
    (void)ch;
    ((node *)ud)->ready++;
}

static void on_message(net_channel *ch, const net_message *m, void *ud)
{
    (void)ch;
    node *n = ud;
    if (n->nmsg < 4)
        n->last[n->nmsg] = *m;
    if (n->nmsg < MAX_SEEN)
        n->types[n->nmsg] = m->type;
    n->nmsg++;
}

static void on_close(net_channel *ch, net_close_reason why, void *ud)
{
    (void)ch;
    node *n = ud;
    if (n->closed < MAX_SEEN)
        n->reasons[n->closed] = why;
    n->closed++;
}

static bool allow_inbound(const net_endpoint *from, void *ud)
{
    (void)from;
    return !((node *)ud)->refuse_inbound;
}

static int listen_loopback(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 16), 0);
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void node_start(node *n, int key_index, smn_network_id net, net_channels_config *over,
                       bool listen)
{
    memset(n, 0, sizeof *n);
    n->listen_fd = -1;
    uint8_t seed[32];
    memset(seed, 0x33, sizeof seed);
    smn_key_from_seed(seed, (uint32_t)key_index, &n->key);
    net_channels_config cfg = {0};
    if (over)
        cfg = *over;
    cfg.net = smn_network_get(net);
    cfg.node_key = &n->key;
    net_channel_callbacks cb = {.on_ready = on_ready,
                                .on_message = on_message,
                                .on_close = on_close,
                                .allow_inbound = allow_inbound,
                                .ud = n};
    n->set = net_channels_new(base, &cfg, &cb);
    assert_non_null(n->set);
    if (listen) {
        n->listen_fd = listen_loopback(&n->port);
        assert_int_equal(net_channels_listen(n->set, n->listen_fd), 0);
        assert_int_equal(net_channels_listen(n->set, n->listen_fd), -EALREADY);
    }
}

static void node_stop(node *n)
{
    net_channels_free(n->set);
    if (n->listen_fd >= 0)
        close(n->listen_fd);
    smn_keypair_wipe(&n->key);
}

static net_endpoint loopback(uint16_t port)
{
    net_endpoint e;
    assert_true(net_endpoint_parse("127.0.0.1", port, &e));
    return e;
}

/* Run the loop in 5 ms slices until cond holds or ms pass. */
typedef bool (*cond_fn)(void *);
static bool run_until(cond_fn f, void *arg, int ms)
{
    for (int waited = 0; waited < ms; waited += 5) {
        if (f(arg))
            return true;
        struct timeval tv = {0, 5000};
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
    return f(arg);
}

static void run_for(int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

static bool both_ready(void *arg)
{
    node **n = arg;
    return n[0]->ready >= 1 && n[1]->ready >= 1;
}

typedef struct {
    node *n;
    int want;
} count_wait;

static bool has_msgs(void *arg)
{
    count_wait *w = arg;
    return w->n->nmsg >= w->want;
}

static bool has_closed(void *arg)
{
    count_wait *w = arg;
    return w->n->closed >= w->want;
}

static bool has_two_channels(void *arg)
{
    count_wait *w = arg;
    return net_channels_count(w->n->set) == (size_t)w->want;
}

static bool one_ready(void *arg)
{
    return ((node *)arg)->ready >= 1;
}

static bool settled_to_one(void *arg)
{
    node **n = arg;
    return net_channels_count(n[0]->set) == 1 && net_channels_count(n[1]->set) == 1 &&
           net_channels_ready_count(n[0]->set) == 1 && net_channels_ready_count(n[1]->set) == 1;
}

static bool saw_reason(const node *n, net_close_reason r)
{
    for (int i = 0; i < n->closed && i < MAX_SEEN; i++)
        if (n->reasons[i] == r)
            return true;
    return false;
}

static void assert_same_msg(const net_message *a, const net_message *b)
{
    const smn_network *dev = smn_network_get(SMN_NET_DEV);
    uint8_t x[NET_MAX_MESSAGE], y[NET_MAX_MESSAGE];
    size_t nx = net_msg_encode(dev, a, x, sizeof x), ny = net_msg_encode(dev, b, y, sizeof y);
    assert_true(nx > 0);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
}

static void test_handshake_keepalive_publish(void **state)
{
    (void)state;
    node a, b;
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    node_start(&b, 1, SMN_NET_DEV, NULL, false);
    net_endpoint to = loopback(a.port);
    net_channel *out = NULL;
    assert_int_equal(net_channels_connect(b.set, &to, &out), 0);
    assert_non_null(out);
    assert_false(net_channel_is_ready(out));
    assert_null(net_channel_node_id(out));
    net_message ka;
    fx_message(2, &ka);
    assert_int_equal(net_channel_send(out, &ka), -ENOTCONN);

    node *pair[2] = {&a, &b};
    assert_true(run_until(both_ready, pair, 3000));
    assert_true(net_channel_is_ready(out));
    assert_false(net_channel_is_inbound(out));
    assert_memory_equal(net_channel_node_id(out), a.key.pub, 32);
    net_channel *in = net_channels_find(a.set, b.key.pub);
    assert_non_null(in);
    assert_true(net_channel_is_inbound(in));
    assert_true(net_endpoint_is_v4(net_channel_endpoint(in)));
    assert_int_equal(net_channels_ready_count(a.set), 1);
    net_channel *list[4];
    assert_int_equal(net_channels_list(b.set, list, 4), 1);
    assert_ptr_equal(list[0], out);

    /* b -> a: keepalive then publish, delivered in order and intact. */
    net_message pub;
    fx_message(3, &pub);
    assert_int_equal(net_channel_send(out, &ka), 0);
    assert_int_equal(net_channel_send(out, &pub), 0);
    count_wait w = {&a, 2};
    assert_true(run_until(has_msgs, &w, 3000));
    assert_int_equal(a.types[0], NET_MSG_KEEPALIVE);
    assert_int_equal(a.types[1], NET_MSG_PUBLISH);
    assert_same_msg(&a.last[0], &ka);
    assert_same_msg(&a.last[1], &pub);

    /* a -> everyone: a vote, and a 7 KB bulk response split over reads. */
    net_message ack, bulk;
    fx_message(5, &ack);
    memset(&bulk, 0, sizeof bulk);
    bulk.type = NET_MSG_BULK_PULL_RESP;
    bulk.u.bulk_pull_resp.count = NET_BULK_MAX_BLOCKS;
    bulk.u.bulk_pull_resp.end = true;
    for (int i = 0; i < NET_BULK_MAX_BLOCKS; i++) {
        fx_send_block(&bulk.u.bulk_pull_resp.blocks[i]);
        bulk.u.bulk_pull_resp.blocks[i].work = (uint64_t)i;
    }
    assert_int_equal(net_channels_broadcast(a.set, &ack, NULL), 1);
    assert_int_equal(net_channels_broadcast(a.set, &ack, in), 0); /* except */
    assert_int_equal(net_channel_send(in, &bulk), 0);
    w = (count_wait){&b, 2};
    assert_true(run_until(has_msgs, &w, 3000));
    assert_same_msg(&b.last[0], &ack);
    assert_same_msg(&b.last[1], &bulk);
    assert_int_equal(smn_vote_verify(&b.last[0].u.confirm_ack), SMN_VOTE_OK);

    /* Handshakes are the library's: refused from the API. */
    net_message hs;
    fx_message(0, &hs);
    assert_int_equal(net_channel_send(out, &hs), -EINVAL);
    assert_int_equal(net_channels_broadcast(b.set, &hs, NULL), 0);

    /* b hangs up: a sees EOF, b sees its own local close. */
    net_channel_close(out);
    assert_int_equal(b.closed, 1);
    assert_int_equal(b.reasons[0], NET_CLOSE_LOCAL);
    w = (count_wait){&a, 1};
    assert_true(run_until(has_closed, &w, 3000));
    assert_int_equal(a.reasons[0], NET_CLOSE_EOF);
    assert_int_equal(net_channels_count(a.set), 0);
    node_stop(&a);
    node_stop(&b);
}

static void test_wrong_network(void **state)
{
    (void)state;
    node a, b;
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    node_start(&b, 1, SMN_NET_TEST, NULL, false);
    net_endpoint to = loopback(a.port);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    count_wait w = {&b, 1};
    assert_true(run_until(has_closed, &w, 3000));
    assert_int_equal(a.closed, 1);
    assert_int_equal(a.reasons[0], NET_CLOSE_WRONG_NETWORK);
    assert_true(b.reasons[0] == NET_CLOSE_EOF || b.reasons[0] == NET_CLOSE_IO);
    assert_int_equal(a.ready + b.ready, 0);
    node_stop(&a);
    node_stop(&b);
}

static void test_self_connection(void **state)
{
    (void)state;
    node a;
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    net_endpoint to = loopback(a.port);
    assert_int_equal(net_channels_connect(a.set, &to, NULL), 0);
    count_wait w = {&a, 2};
    assert_true(run_until(has_closed, &w, 3000));
    assert_true(saw_reason(&a, NET_CLOSE_SELF));
    assert_int_equal(a.ready, 0);
    assert_int_equal(net_channels_count(a.set), 0);
    node_stop(&a);
}

static void test_connect_refused(void **state)
{
    (void)state;
    node b;
    node_start(&b, 1, SMN_NET_DEV, NULL, false);
    uint16_t port;
    int fd = listen_loopback(&port);
    close(fd); /* nothing listens there now */
    net_endpoint to = loopback(port);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    count_wait w = {&b, 1};
    assert_true(run_until(has_closed, &w, 3000));
    assert_int_equal(b.reasons[0], NET_CLOSE_CONNECT);
    net_endpoint bad;
    assert_true(net_endpoint_parse("0.0.0.0", 1, &bad));
    assert_int_equal(net_channels_connect(b.set, &bad, NULL), -EINVAL);
    node_stop(&b);
}

static void test_duplicate_and_limits(void **state)
{
    (void)state;
    node a, b;
    net_channels_config small = {.max_channels = 2};
    node_start(&a, 0, SMN_NET_DEV, &small, true);
    node_start(&b, 1, SMN_NET_DEV, NULL, false);
    net_endpoint to = loopback(a.port);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    node *pair[2] = {&a, &b};
    assert_true(run_until(both_ready, pair, 3000));
    /* A second channel to the same node: closed, the first stays. */
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    count_wait w = {&a, 1};
    assert_true(run_until(has_closed, &w, 3000));
    assert_true(saw_reason(&b, NET_CLOSE_DUPLICATE));
    assert_int_equal(net_channels_ready_count(a.set), 1);
    assert_int_equal(net_channels_ready_count(b.set), 1);

    /* a holds 1 of 2 ready slots; a silent raw socket takes no ready slot,
     * so c still gets in; d then completes its handshake and is closed for
     * want of a slot (a's side: NET_CLOSE_LIMIT). */
    int raw = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_storage ss;
    size_t sl = net_endpoint_to_sockaddr(&to, &ss);
    assert_int_equal(connect(raw, (struct sockaddr *)&ss, (socklen_t)sl), 0);
    count_wait two = {&a, 2};
    assert_true(run_until(has_two_channels, &two, 3000));
    int before = b.closed;
    node c, d;
    node_start(&c, 2, SMN_NET_DEV, NULL, false);
    assert_int_equal(net_channels_connect(c.set, &to, NULL), 0);
    assert_true(run_until(one_ready, &c, 3000));
    assert_int_equal(net_channels_ready_count(a.set), 2);
    node_start(&d, 3, SMN_NET_DEV, NULL, false);
    assert_int_equal(net_channels_connect(d.set, &to, NULL), 0);
    w = (count_wait){&d, 1};
    assert_true(run_until(has_closed, &w, 3000));
    assert_true(saw_reason(&a, NET_CLOSE_LIMIT));
    assert_int_equal(net_channels_ready_count(a.set), 2);
    assert_int_equal(b.closed, before);
    net_channels_stats st;
    net_channels_get_stats(a.set, &st);
    assert_int_equal(st.limited, 1);
    assert_int_equal(st.ready_in, 2);
    assert_int_equal(st.pending_in, 1); /* the raw socket */
    close(raw);
    node_stop(&c);
    node_stop(&d);

    /* Outbound: at most max_dialing not yet ready; without priority no dial
     * once max_channels are ready, with priority still. */
    node_stop(&b);
    node_start(&b, 1, SMN_NET_DEV, &(net_channels_config){.max_channels = 1, .max_dialing = 2},
               false);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), -EMFILE);
    node_stop(&b);
    node_stop(&a);
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    to = loopback(a.port);
    node_start(&b, 1, SMN_NET_DEV, &(net_channels_config){.max_channels = 1}, false);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    assert_true(run_until(one_ready, &b, 3000));
    node e;
    node_start(&e, 4, SMN_NET_DEV, NULL, true);
    net_endpoint te = loopback(e.port);
    assert_int_equal(net_channels_connect(b.set, &te, NULL), -EMFILE);
    assert_int_equal(net_channels_dial(b.set, &te, true, NULL), 0);
    assert_true(run_until(one_ready, &e, 3000));
    assert_int_equal(net_channels_ready_count(b.set), 2);
    node_stop(&e);
    node_stop(&a);
    node_stop(&b);
}

/* reserved_outbound ready slots take no inbound channel; max_per_address
 * does not apply to loopback. */
static void test_reserved_outbound(void **state)
{
    (void)state;
    node a, b, c, e;
    net_channels_config cfg = {.max_channels = 2, .reserved_outbound = 1, .max_per_address = 1};
    node_start(&a, 0, SMN_NET_DEV, &cfg, true);
    net_endpoint to = loopback(a.port);
    node_start(&b, 1, SMN_NET_DEV, NULL, false);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    assert_true(run_until(one_ready, &b, 3000));
    node_start(&c, 2, SMN_NET_DEV, NULL, false);
    assert_int_equal(net_channels_connect(c.set, &to, NULL), 0);
    count_wait w = {&c, 1};
    assert_true(run_until(has_closed, &w, 3000));
    assert_int_equal(c.ready, 0);
    assert_true(saw_reason(&a, NET_CLOSE_LIMIT));
    /* The reserved slot takes our own dial. */
    node_start(&e, 4, SMN_NET_DEV, NULL, true);
    net_endpoint te = loopback(e.port);
    assert_int_equal(net_channels_connect(a.set, &te, NULL), 0);
    assert_true(run_until(one_ready, &e, 3000));
    assert_int_equal(net_channels_ready_count(a.set), 2);
    node_stop(&e);
    node_stop(&c);
    node_stop(&b);
    node_stop(&a);
}

/* reserved_reps ready slots: an inbound channel gets one only when the
 * ordinary inbound slots are full, at most max_reserved_per_address from
 * one address (loopback too), and our own dials never take one. */
static void test_reserved_reps(void **state)
{
    (void)state;
    node a, b, c, d, e;
    net_channels_config cfg = {
        .max_channels = 3, .reserved_reps = 2, .max_reserved_per_address = 1};
    node_start(&a, 0, SMN_NET_DEV, &cfg, true);
    net_endpoint to = loopback(a.port);
    node_start(&b, 1, SMN_NET_DEV, NULL, false);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    assert_true(run_until(one_ready, &b, 3000));
    assert_true(run_until(one_ready, &a, 3000));
    net_channel *list[4];
    assert_int_equal(net_channels_list(a.set, list, 4), 1);
    assert_false(net_channel_is_reserved(list[0])); /* the ordinary slot */
    node_start(&c, 2, SMN_NET_DEV, NULL, false);
    assert_int_equal(net_channels_connect(c.set, &to, NULL), 0);
    assert_true(run_until(one_ready, &c, 3000));
    count_wait two = {&a, 2};
    assert_true(run_until(has_two_channels, &two, 3000));
    assert_int_equal(net_channels_list(a.set, list, 4), 2);
    assert_true(net_channel_is_reserved(list[1]));
    net_channels_stats st;
    net_channels_get_stats(a.set, &st);
    assert_int_equal(st.ready_in, 2);
    assert_int_equal(st.ready_reserved, 1);
    /* one reserved slot is free, but 127.0.0.1 holds its one already */
    node_start(&d, 3, SMN_NET_DEV, NULL, false);
    assert_int_equal(net_channels_connect(d.set, &to, NULL), 0);
    count_wait w = {&d, 1};
    assert_true(run_until(has_closed, &w, 3000));
    assert_int_equal(d.ready, 0);
    assert_true(saw_reason(&a, NET_CLOSE_LIMIT));
    /* the ordinary slot is taken and the rest are reserved: no dial */
    node_start(&e, 4, SMN_NET_DEV, NULL, true);
    net_endpoint te = loopback(e.port);
    assert_int_equal(net_channels_connect(a.set, &te, NULL), -EMFILE);
    node_stop(&e);
    node_stop(&d);
    node_stop(&c);
    node_stop(&b);
    node_stop(&a);
}

static bool raw_fd_closed(int fd)
{
    char buf[16];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

typedef struct {
    int *fds;
    int n;
    int want;
} raw_wait;

static bool raws_closed(void *arg)
{
    raw_wait *r = arg;
    int closed = 0;
    for (int i = 0; i < r->n; i++)
        closed += r->fds[i] < 0 || raw_fd_closed(r->fds[i]);
    return closed >= r->want;
}

/* Idle connections from one address cannot keep an honest peer on the same
 * address from its handshake: at the per-address cap the oldest idle one
 * is evicted. */
static void test_pending_eviction(void **state)
{
    (void)state;
    enum { RAW = 24 };
    node a, c;
    net_channels_config cfg = {.max_pending = 6, .max_pending_per_address = 4};
    node_start(&a, 0, SMN_NET_DEV, &cfg, true);
    net_endpoint to = loopback(a.port);
    struct sockaddr_storage ss;
    size_t sl = net_endpoint_to_sockaddr(&to, &ss);
    int raw[RAW];
    for (int i = 0; i < RAW; i++) {
        raw[i] = socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(connect(raw[i], (struct sockaddr *)&ss, (socklen_t)sl), 0);
        if (i % 4 == 3)
            run_for(5); /* accept them in several batches */
    }
    raw_wait rw = {raw, RAW, RAW - 4};
    assert_true(run_until(raws_closed, &rw, 3000));
    net_channels_stats st;
    net_channels_get_stats(a.set, &st);
    assert_int_equal(st.pending_in, 4);
    assert_int_equal(st.evicted, RAW - 4);
    /* Now an honest peer on the same address. */
    node_start(&c, 2, SMN_NET_DEV, NULL, false);
    assert_int_equal(net_channels_connect(c.set, &to, NULL), 0);
    assert_true(run_until(one_ready, &c, 3000));
    assert_int_equal(net_channels_ready_count(a.set), 1);
    for (int i = 0; i < RAW; i++)
        close(raw[i]);
    node_stop(&c);
    node_stop(&a);
}

static void test_refused_inbound(void **state)
{
    (void)state;
    node a, b;
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    node_start(&b, 1, SMN_NET_DEV, NULL, false);
    a.refuse_inbound = true;
    net_endpoint to = loopback(a.port);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    count_wait w = {&b, 1};
    assert_true(run_until(has_closed, &w, 3000));
    assert_int_equal(a.closed, 0); /* never became a channel */
    assert_int_equal(b.ready, 0);
    node_stop(&a);
    node_stop(&b);
}

static void test_simultaneous_open(void **state)
{
    (void)state;
    node a, b;
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    node_start(&b, 1, SMN_NET_DEV, NULL, true);
    net_endpoint ta = loopback(a.port), tb = loopback(b.port);
    assert_int_equal(net_channels_connect(a.set, &tb, NULL), 0);
    assert_int_equal(net_channels_connect(b.set, &ta, NULL), 0);
    node *pair[2] = {&a, &b};
    assert_true(run_until(settled_to_one, pair, 3000));
    run_for(50); /* nothing changes afterwards */
    /* Both ends keep the one connection the lower node id dialled. */
    assert_int_equal(net_channels_ready_count(a.set), 1);
    assert_int_equal(net_channels_ready_count(b.set), 1);
    assert_int_equal(net_channels_count(a.set), 1);
    assert_int_equal(net_channels_count(b.set), 1);
    bool a_lower = memcmp(a.key.pub, b.key.pub, 32) < 0;
    net_channel *ca = net_channels_find(a.set, b.key.pub);
    net_channel *cb = net_channels_find(b.set, a.key.pub);
    assert_non_null(ca);
    assert_non_null(cb);
    assert_int_equal(net_channel_is_inbound(ca), !a_lower);
    assert_int_equal(net_channel_is_inbound(cb), a_lower);
    node_stop(&a);
    node_stop(&b);
}

static void test_queue_and_limiter(void **state)
{
    (void)state;
    node a, b;
    net_channels_config qcfg = {.write_queue_bytes = 1000};
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    node_start(&b, 1, SMN_NET_DEV, &qcfg, false);
    net_endpoint to = loopback(a.port);
    net_channel *out;
    assert_int_equal(net_channels_connect(b.set, &to, &out), 0);
    node *pair[2] = {&a, &b};
    assert_true(run_until(both_ready, pair, 3000));
    /* 227-byte frames into a 1000-byte queue, without running the loop:
     * four fit, the rest are dropped and counted. */
    net_message pub;
    fx_message(3, &pub);
    int ok = 0, dropped = 0;
    for (int i = 0; i < 10; i++) {
        int r = net_channel_send(out, &pub);
        assert_true(r == 0 || r == -ENOBUFS);
        r == 0 ? ok++ : dropped++;
    }
    assert_int_equal(ok, 4);
    assert_int_equal(dropped, 6);
    assert_int_equal(net_channel_dropped(out), 6);
    count_wait w = {&a, 4};
    assert_true(run_until(has_msgs, &w, 3000));
    run_for(50);
    assert_int_equal(a.nmsg, 4); /* exactly what was queued */
    node_stop(&a);
    node_stop(&b);

    /* Gossip limiter: a 500-byte bucket passes two publishes, not three;
     * telemetry is not gossip and passes. */
    net_channels_config lcfg = {.gossip_bytes_per_sec = 10, .gossip_burst_bytes = 500};
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    node_start(&b, 1, SMN_NET_DEV, &lcfg, false);
    to = loopback(a.port);
    assert_int_equal(net_channels_connect(b.set, &to, &out), 0);
    assert_true(run_until(both_ready, pair, 3000));
    assert_int_equal(net_channel_send(out, &pub), 0);
    assert_int_equal(net_channel_send(out, &pub), 0);
    assert_int_equal(net_channel_send(out, &pub), -ENOBUFS);
    assert_int_equal(net_channels_broadcast(b.set, &pub, NULL), 0);
    net_message treq;
    fx_message(10, &treq);
    assert_int_equal(net_channel_send(out, &treq), 0);
    w = (count_wait){&a, 3};
    assert_true(run_until(has_msgs, &w, 3000));
    assert_int_equal(a.types[2], NET_MSG_TELEMETRY_REQ);
    node_stop(&a);
    node_stop(&b);
}

/* ---- a raw socket peer, to send what a well-behaved node never would ---- */

typedef struct {
    int fd;
    uint8_t buf[4 * NET_MAX_MESSAGE];
    size_t len;
} raw_peer;

static void raw_connect(raw_peer *r, uint16_t port)
{
    memset(r, 0, sizeof *r);
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(r->fd >= 0);
    net_endpoint to = loopback(port);
    struct sockaddr_storage ss;
    size_t sl = net_endpoint_to_sockaddr(&to, &ss);
    assert_int_equal(connect(r->fd, (struct sockaddr *)&ss, (socklen_t)sl), 0);
}

static void raw_write(raw_peer *r, const uint8_t *p, size_t n)
{
    assert_int_equal(send(r->fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void raw_send(raw_peer *r, const net_message *m)
{
    uint8_t buf[NET_MAX_MESSAGE];
    size_t n = net_msg_encode(smn_network_get(SMN_NET_DEV), m, buf, sizeof buf);
    assert_true(n > 0);
    raw_write(r, buf, n);
}

/* Pump the loop until one whole frame has arrived; decode it. */
static void raw_recv(raw_peer *r, net_message *m)
{
    for (int i = 0; i < 600; i++) {
        size_t used;
        net_status st = net_msg_decode(smn_network_get(SMN_NET_DEV), r->buf, r->len, m, &used);
        if (st == NET_OK) {
            memmove(r->buf, r->buf + used, r->len - used);
            r->len -= used;
            return;
        }
        assert_int_equal(st, NET_INCOMPLETE);
        run_for(5);
        ssize_t got = recv(r->fd, r->buf + r->len, sizeof r->buf - r->len, MSG_DONTWAIT);
        if (got > 0)
            r->len += (size_t)got;
    }
    fail_msg("no frame from the node");
}

/* True once the node has closed our connection. */
static bool raw_closed(raw_peer *r)
{
    for (int i = 0; i < 600; i++) {
        run_for(5);
        uint8_t tmp[512];
        ssize_t got = recv(r->fd, tmp, sizeof tmp, MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return true;
    }
    return false;
}

/* Query, then read the node's query + proof. Returns the node's cookie. */
static void raw_open(raw_peer *r, node *a, uint8_t their_cookie[32])
{
    net_message q = {.type = NET_MSG_HANDSHAKE};
    q.u.handshake.has_query = true;
    fx_cookie(q.u.handshake.cookie, 0x55);
    raw_send(r, &q);
    net_message reply;
    raw_recv(r, &reply);
    assert_int_equal(reply.type, NET_MSG_HANDSHAKE);
    assert_true(reply.u.handshake.has_query && reply.u.handshake.has_response);
    assert_memory_equal(reply.u.handshake.node_id, a->key.pub, 32);
    assert_true(net_handshake_verify(smn_network_get(SMN_NET_DEV), reply.u.handshake.node_id,
                                     q.u.handshake.cookie, reply.u.handshake.signature));
    memcpy(their_cookie, reply.u.handshake.cookie, 32);
}

static void test_raw_bad_signature(void **state)
{
    (void)state;
    node a;
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    raw_peer r;
    raw_connect(&r, a.port);
    uint8_t cookie[32];
    raw_open(&r, &a, cookie);
    smn_keypair k;
    fx_node_key(&k);
    net_message resp = {.type = NET_MSG_HANDSHAKE};
    resp.u.handshake.has_response = true;
    memcpy(resp.u.handshake.node_id, k.pub, 32);
    net_handshake_sign(smn_network_get(SMN_NET_DEV), &k, cookie, resp.u.handshake.signature);
    resp.u.handshake.signature[0] ^= 1;
    raw_send(&r, &resp);
    assert_true(raw_closed(&r));
    assert_int_equal(a.closed, 1);
    assert_int_equal(a.reasons[0], NET_CLOSE_BAD_SIGNATURE);
    assert_int_equal(a.ready, 0);
    close(r.fd);
    node_stop(&a);
}

static void test_raw_message_before_handshake(void **state)
{
    (void)state;
    node a;
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    raw_peer r;
    raw_connect(&r, a.port);
    net_message pub;
    fx_message(3, &pub);
    raw_send(&r, &pub);
    assert_true(raw_closed(&r));
    assert_int_equal(a.reasons[0], NET_CLOSE_HANDSHAKE);
    assert_int_equal(a.nmsg, 0); /* never delivered */
    close(r.fd);

    /* A response where a query belongs. */
    raw_connect(&r, a.port);
    net_message resp;
    fx_message(1, &resp);
    resp.u.handshake.has_query = false;
    raw_send(&r, &resp);
    assert_true(raw_closed(&r));
    assert_int_equal(a.reasons[1], NET_CLOSE_HANDSHAKE);
    close(r.fd);
    node_stop(&a);
}

static void test_raw_malformed_and_timeout(void **state)
{
    (void)state;
    net_channels_config cfg = {.handshake_timeout_ms = 200};
    node a;
    node_start(&a, 0, SMN_NET_DEV, &cfg, true);
    raw_peer r;

    raw_connect(&r, a.port); /* an unknown type */
    static const uint8_t unknown[NET_HEADER_BYTES] = {'S', 'D', 1, 1, 77, 0, 0, 0, 0, 0, 0};
    raw_write(&r, unknown, sizeof unknown);
    assert_true(raw_closed(&r));
    assert_int_equal(a.reasons[0], NET_CLOSE_MALFORMED);
    close(r.fd);

    raw_connect(&r, a.port); /* a length far beyond the type's maximum */
    static const uint8_t huge[NET_HEADER_BYTES] = {'S', 'D', 1, 1, 3, 0, 0, 0x7F, 0, 0, 0};
    raw_write(&r, huge, sizeof huge);
    assert_true(raw_closed(&r));
    assert_int_equal(a.reasons[1], NET_CLOSE_MALFORMED);
    close(r.fd);

    raw_connect(&r, a.port); /* live magic on a dev node */
    net_message q;
    fx_message(0, &q);
    uint8_t buf[NET_MAX_MESSAGE];
    size_t n = net_msg_encode(smn_network_get(SMN_NET_LIVE), &q, buf, sizeof buf);
    raw_write(&r, buf, n);
    assert_true(raw_closed(&r));
    assert_int_equal(a.reasons[2], NET_CLOSE_WRONG_NETWORK);
    close(r.fd);

    raw_connect(&r, a.port); /* silence */
    assert_true(raw_closed(&r));
    assert_int_equal(a.reasons[3], NET_CLOSE_TIMEOUT);
    close(r.fd);
    assert_int_equal(net_channels_count(a.set), 0);
    node_stop(&a);
}

/* A correct handshake fed one byte at a time, then two messages in one
 * write, then a second handshake (which must close the ready channel). */
static void test_raw_reassembly(void **state)
{
    (void)state;
    node a;
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    raw_peer r;
    raw_connect(&r, a.port);
    smn_keypair k;
    fx_node_key(&k);

    net_message q = {.type = NET_MSG_HANDSHAKE};
    q.u.handshake.has_query = true;
    fx_cookie(q.u.handshake.cookie, 0x55);
    uint8_t buf[2 * NET_MAX_MESSAGE];
    size_t n = net_msg_encode(smn_network_get(SMN_NET_DEV), &q, buf, sizeof buf);
    for (size_t i = 0; i < n; i++) {
        raw_write(&r, buf + i, 1);
        run_for(1);
    }
    net_message reply;
    raw_recv(&r, &reply);
    assert_true(reply.u.handshake.has_response);

    net_message resp = {.type = NET_MSG_HANDSHAKE};
    resp.u.handshake.has_response = true;
    memcpy(resp.u.handshake.node_id, k.pub, 32);
    net_handshake_sign(smn_network_get(SMN_NET_DEV), &k, reply.u.handshake.cookie,
                       resp.u.handshake.signature);
    net_message ka, pub;
    fx_message(2, &ka);
    fx_message(3, &pub);
    /* Response, keepalive and half a publish in one write; the rest later. */
    const smn_network *dev = smn_network_get(SMN_NET_DEV);
    size_t len = net_msg_encode(dev, &resp, buf, sizeof buf);
    len += net_msg_encode(dev, &ka, buf + len, sizeof buf - len);
    size_t pub_at = len;
    len += net_msg_encode(dev, &pub, buf + len, sizeof buf - len);
    size_t half = pub_at + (len - pub_at) / 2;
    raw_write(&r, buf, half);
    count_wait w = {&a, 1};
    assert_true(run_until(has_msgs, &w, 3000));
    assert_int_equal(a.ready, 1);
    assert_memory_equal(net_channel_node_id(net_channels_find(a.set, k.pub)), k.pub, 32);
    run_for(20);
    assert_int_equal(a.nmsg, 1);
    raw_write(&r, buf + half, len - half);
    w.want = 2;
    assert_true(run_until(has_msgs, &w, 3000));
    assert_same_msg(&a.last[0], &ka);
    assert_same_msg(&a.last[1], &pub);

    /* The node can talk back on the channel. */
    net_message treq;
    fx_message(10, &treq);
    assert_int_equal(net_channels_broadcast(a.set, &treq, NULL), 1);
    net_message got;
    raw_recv(&r, &got);
    assert_int_equal(got.type, NET_MSG_TELEMETRY_REQ);

    raw_send(&r, &q); /* a second handshake */
    assert_true(raw_closed(&r));
    assert_int_equal(a.reasons[0], NET_CLOSE_HANDSHAKE);
    close(r.fd);
    node_stop(&a);
}

static void test_free_closes_everything(void **state)
{
    (void)state;
    node a, b;
    node_start(&a, 0, SMN_NET_DEV, NULL, true);
    node_start(&b, 1, SMN_NET_DEV, NULL, false);
    net_endpoint to = loopback(a.port);
    assert_int_equal(net_channels_connect(b.set, &to, NULL), 0);
    node *pair[2] = {&a, &b};
    assert_true(run_until(both_ready, pair, 3000));
    net_channels_free(a.set);
    a.set = NULL;
    assert_int_equal(a.closed, 1);
    assert_int_equal(a.reasons[0], NET_CLOSE_LOCAL);
    count_wait w = {&b, 1};
    assert_true(run_until(has_closed, &w, 3000));
    assert_int_equal(b.reasons[0], NET_CLOSE_EOF);
    node_stop(&a);
    node_stop(&b);
}

static int setup(void **state)
{
    (void)state;
    base = event_base_new();
    return base ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    event_base_free(base);
    return 0;
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_handshake_keepalive_publish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_network, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserved_outbound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserved_reps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_eviction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_inbound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_simultaneous_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_and_limiter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_bad_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_message_before_handshake, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_malformed_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_reassembly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_closes_everything, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
