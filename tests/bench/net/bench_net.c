/* Benchmarks of the peer protocol library: message codec, handshake
 * crypto, peer table, and publish throughput over loopback TCP between two
 * channel sets in one libevent loop. Prints one line per figure.
 *   bench_net [loopback_messages]   (default 200000) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/keys.h"
#include "common/network.h"
#include "procs/net/channel.h"
#include "procs/net/handshake.h"
#include "procs/net/message.h"
#include "procs/net/peers.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, long n, double secs)
{
    printf("%-40s %10.0f /s  (%ld in %.3f s)\n", what, (double)n / secs, n, secs);
}

static void sample_block(smn_block *b, uint64_t i)
{
    memset(b, 0, sizeof *b);
    memset(b->account, 0xA1, 32);
    memset(b->previous, 0xB2, 32);
    memset(b->representative, 0xC3, 32);
    b->balance = smn_amount_from_u64((uint64_t)i * 1000u);
    memset(b->link, 0xD4, 32);
    memset(b->signature, 0xE5, 64);
    b->work = i;
}

static void bench_codec(const smn_network *net)
{
    net_message m = {.type = NET_MSG_PUBLISH}, back;
    uint8_t buf[NET_MAX_MESSAGE];
    const long n = 1000000;
    volatile size_t sink = 0;
    double t = now_s();
    for (long i = 0; i < n; i++) {
        sample_block(&m.u.publish, (uint64_t)i);
        sink += net_msg_encode(net, &m, buf, sizeof buf);
    }
    report("publish encode", n, now_s() - t);
    size_t len = net_msg_encode(net, &m, buf, sizeof buf), used;
    t = now_s();
    for (long i = 0; i < n; i++) {
        buf[NET_HEADER_BYTES + 215] = (uint8_t)i;
        sink += net_msg_decode(net, buf, len, &back, &used) == NET_OK;
    }
    report("publish decode", n, now_s() - t);

    smn_keypair kp;
    smn_key_create(&kp);
    uint8_t hashes[12][32];
    for (int i = 0; i < 12; i++)
        memset(hashes[i], i + 1, 32);
    net_message v = {.type = NET_MSG_CONFIRM_ACK};
    smn_vote_sign(&v.u.confirm_ack, &kp, 1, (const uint8_t(*)[32])hashes, 12);
    len = net_msg_encode(net, &v, buf, sizeof buf);
    t = now_s();
    for (long i = 0; i < n; i++)
        sink += net_msg_decode(net, buf, len, &back, &used) == NET_OK;
    report("confirm_ack (12 hashes) decode", n, now_s() - t);
    (void)sink;
}

static void bench_handshake(const smn_network *net)
{
    smn_keypair ka, kb;
    smn_key_create(&ka);
    smn_key_create(&kb);
    const long n = 5000;
    double t = now_s();
    for (long i = 0; i < n; i++) {
        uint8_t ca[32] = {0}, cb[32] = {1};
        memcpy(ca, &i, sizeof i);
        net_hs a, b;
        net_hs_init(&a, net, &ka, NET_HS_INITIATOR, ca);
        net_hs_init(&b, net, &kb, NET_HS_RESPONDER, cb);
        net_handshake q, r1, r2, none;
        bool send;
        net_hs_start(&a, &q);
        if (net_hs_receive(&b, &q, &r1, &send) != NET_HS_CONTINUE ||
            net_hs_receive(&a, &r1, &r2, &send) != NET_HS_DONE ||
            net_hs_receive(&b, &r2, &none, &send) != NET_HS_DONE)
            abort();
    }
    report("full handshake (2 sign + 2 verify)", n, now_s() - t);
}

static void bench_peers(void)
{
    net_peers *p = net_peers_new(4096, 256);
    const long n = 1000000;
    double t = now_s();
    for (long i = 0; i < n; i++) {
        net_endpoint e;
        memset(e.addr, 0, 10);
        e.addr[10] = e.addr[11] = 0xff;
        uint32_t ip = (uint32_t)(0x0A000000u + (uint32_t)(i % 4000));
        e.addr[12] = (uint8_t)(ip >> 24);
        e.addr[13] = (uint8_t)(ip >> 16);
        e.addr[14] = (uint8_t)(ip >> 8);
        e.addr[15] = (uint8_t)ip;
        e.port = 7075;
        net_peers_touch(p, &e, (uint64_t)i);
    }
    report("peer touch (4000 peers)", n, now_s() - t);
    const long k = 2000;
    net_endpoint out[8];
    t = now_s();
    for (long i = 0; i < k; i++)
        if (net_peers_select(p, (uint64_t)i, out, 8) != 8)
            abort();
    report("select 8 of 4000 peers", k, now_s() - t);
    net_peers_free(p);
}

/* ---- loopback throughput ---- */

typedef struct {
    long received;
    int ready;
} counter;

static void on_ready(net_channel *ch, void *ud)
{
    (void)ch;
    ((counter *)ud)->ready++;
}

static void on_message(net_channel *ch, const net_message *m, void *ud)
{
    (void)ch;
    (void)m;
    ((counter *)ud)->received++;
}

static void bench_loopback(const smn_network *net, long total)
{
    struct event_base *base = event_base_new();
    smn_keypair ka, kb;
    smn_key_create(&ka);
    smn_key_create(&kb);
    counter ca = {0}, cb = {0};
    net_channel_callbacks cba = {.on_ready = on_ready, .on_message = on_message, .ud = &ca};
    net_channel_callbacks cbb = {.on_ready = on_ready, .on_message = on_message, .ud = &cb};
    net_channels_config cfa = {.net = net, .node_key = &ka};
    net_channels_config cfb = {.net = net, .node_key = &kb};
    net_channels *a = net_channels_new(base, &cfa, &cba);
    net_channels *b = net_channels_new(base, &cfb, &cbb);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 8) ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) || net_channels_listen(a, fd))
        abort();
    net_endpoint to;
    net_endpoint_parse("127.0.0.1", ntohs(sa.sin_port), &to);
    net_channel *out;
    if (net_channels_connect(b, &to, &out))
        abort();
    while (!(ca.ready && cb.ready))
        event_base_loop(base, EVLOOP_ONCE);

    net_message m = {.type = NET_MSG_PUBLISH};
    long sent = 0;
    double t = now_s();
    while (ca.received < total) {
        while (sent < total) {
            sample_block(&m.u.publish, (uint64_t)sent);
            if (net_channel_send(out, &m) != 0)
                break; /* queue full: let the loop drain it */
            sent++;
        }
        event_base_loop(base, EVLOOP_ONCE);
    }
    double secs = now_s() - t;
    report("loopback publish (1 MiB queue)", total, secs);
    printf("%-40s %10.1f MB/s\n", "loopback payload+header",
           (double)total * (NET_HEADER_BYTES + SMN_BLOCK_WIRE_BYTES) / secs / 1e6);
    net_channels_free(b);
    net_channels_free(a);
    close(fd);
    event_base_free(base);
}

int main(int argc, char **argv)
{
    if (smn_crypto_init() != 0)
        return 1;
    long total = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    bench_codec(net);
    bench_handshake(net);
    bench_peers();
    bench_loopback(net, total);
    return 0;
}
