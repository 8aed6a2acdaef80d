/* account_balance requests/s and latency percentiles: a small load
 * generator over keep-alive HTTP/1.1 connections against the real server
 * (evhttp + RPC core + read-only ledger) on a loopback port, with a ledger
 * generated here (genesis sends to N accounts, each opened).
 *
 *   bench_rpc [--accounts N] [--connections C] [--seconds S] [--dir DIR]
 *
 * --dir must name an empty directory (the ledger is built there and kept).
 *
 * The server runs its single event loop in one thread; each connection is a
 * blocking client thread that sends the next request as soon as it has the
 * previous answer (closed loop). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/address.h"
#include "common/keys.h"
#include "common/network.h"
#include "procs/ledger/processor.h"
#include "ipc/ledgerdb/schema.h"
#include "procs/ledger/store.h"
#include "procs/rpc/http_server.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/wallet_blocks.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_rpc: %s\n", what);
    exit(1);
}

/* genesis → N accounts, each opened: 2N blocks through the processor. */
static void build_ledger(const char *dir, size_t n, char (*addrs)[SMN_ADDRESS_STRLEN])
{
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, LEDGER_DB_FILENAME);
    ledger_store *s;
    if (ledger_store_open(path, net, NULL, &s, err, sizeof err) != LEDGER_STATUS_OK)
        die(err);
    ledger_processor *p;
    if (ledger_processor_create(s, NULL, &p) != LEDGER_STATUS_OK)
        die("processor");
    smn_keypair g;
    smn_key_expand(smn_network_dev_genesis_key(), &g);
    wallet_account_state gs = {.balance = net->genesis.balance};
    smn_block_hash(&net->genesis, gs.frontier);
    memcpy(gs.representative, net->genesis.representative, 32);
    wallet_work_opts w = {.net = net, .threads = 0};
    uint8_t seed[32] = {0xB3};
    /* Small batches: the ledger store sums every weight change of a batch
     * per representative in u128 (reported to the lead: ~34 sends of the
     * genesis account in one batch overflow that sum). */
    size_t batch = 16;
    smn_block *blocks = malloc(sizeof *blocks * 2 * batch);
    ledger_result *res = malloc(sizeof *res * 2 * batch);
    if (!blocks || !res)
        die("out of memory");
    for (size_t base = 0; base < n; base += batch) {
        size_t m = n - base < batch ? n - base : batch, k = 0;
        for (size_t i = 0; i < m; i++) {
            smn_keypair kp;
            smn_key_from_seed(seed, (uint32_t)(base + i), &kp);
            smn_address_encode(kp.pub, addrs[base + i]);
            smn_amount_t amount = smn_amount_mul_wrap(smn_amount_one_smn(),
                                                      smn_amount_from_u64(1 + (base + i) % 1000));
            if (wallet_build_send(&g, &gs, kp.pub, amount, &w, &blocks[k]) != WALLET_OK)
                die("send");
            smn_block_hash(&blocks[k], gs.frontier);
            gs.balance = blocks[k].balance;
            uint8_t send_hash[32];
            memcpy(send_hash, gs.frontier, 32);
            k++;
            wallet_account_state fresh = {0};
            if (wallet_build_receive(&kp, &fresh, send_hash, amount, kp.pub, &w, &blocks[k]) !=
                WALLET_OK)
                die("receive");
            k++;
        }
        if (ledger_processor_process(p, blocks, k, res) != LEDGER_STATUS_OK)
            die("process");
        for (size_t i = 0; i < k; i++)
            if (res[i] != LEDGER_ACCEPTED)
                die(ledger_result_str(res[i]));
    }
    free(blocks);
    free(res);
    ledger_processor_destroy(p);
    ledger_store_close(s);
}

typedef struct {
    struct event_base *base;
    int stop_pipe[2];
} server_loop;

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

static void *server_main(void *arg)
{
    server_loop *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

typedef struct {
    uint16_t port;
    size_t naccounts;
    char (*addrs)[SMN_ADDRESS_STRLEN];
    uint64_t deadline_ns;
    uint64_t *lat; /* ns per request */
    size_t nlat, cap;
    uint64_t seed;
    int failed;
} client;

static int read_answer(int fd, char *buf, size_t cap)
{
    size_t have = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + have, cap - 1 - have, 0);
        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        char *cl = strcasestr(buf, "Content-Length:");
        if (!cl)
            return -1;
        size_t blen = strtoul(cl + 15, NULL, 10);
        size_t total = (size_t)(end - buf) + 4 + blen;
        if (have >= total) {
            if (strncmp(buf, "HTTP/1.1 200", 12) != 0 || !strstr(end, "\"balance\""))
                return -1;
            return 0;
        }
    }
}

static void *client_main(void *arg)
{
    client *c = arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(c->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        c->failed = 1;
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char req[512], body[160], buf[4096];
    while (now_ns() < c->deadline_ns && c->nlat < c->cap) {
        c->seed ^= c->seed << 13;
        c->seed ^= c->seed >> 7;
        c->seed ^= c->seed << 17;
        size_t i = (size_t)(c->seed % c->naccounts);
        int bl = snprintf(body, sizeof body, "{\"action\":\"account_balance\",\"account\":\"%s\"}",
                          c->addrs[i]);
        int n = snprintf(req, sizeof req,
                         "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         "Content-Length: %d\r\n\r\n%s",
                         bl, body);
        uint64_t t0 = now_ns();
        if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n || read_answer(fd, buf, sizeof buf) != 0) {
            c->failed = 1;
            break;
        }
        c->lat[c->nlat++] = now_ns() - t0;
    }
    close(fd);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void rm_ledger(const char *dir)
{
    static const char *names[] = {"ledger.db", "ledger.db-wal", "ledger.db-shm"};
    char p[1024];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(int argc, char **argv)
{
    size_t naccounts = 2000, nconn = 4;
    double seconds = 5;
    const char *keep_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--accounts") == 0 && i + 1 < argc)
            naccounts = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--connections") == 0 && i + 1 < argc)
            nconn = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            keep_dir = argv[++i];
        else {
            fprintf(
                stderr,
                "usage: bench_rpc [--accounts N] [--connections C] [--seconds S] [--dir DIR]\n");
            return 2;
        }
    }
    if (naccounts == 0 || nconn == 0 || nconn > 256 || seconds <= 0)
        die("bad arguments");
    if (smn_crypto_init() != 0)
        die("libsodium");

    char dir[512];
    if (keep_dir) {
        snprintf(dir, sizeof dir, "%s", keep_dir);
    } else {
        snprintf(dir, sizeof dir, "/tmp/smn-bench-rpc-XXXXXX");
        if (!mkdtemp(dir))
            die("mkdtemp");
    }
    char(*addrs)[SMN_ADDRESS_STRLEN] = malloc(sizeof *addrs * naccounts);
    if (!addrs)
        die("out of memory");
    uint64_t t0 = now_ns();
    build_ledger(dir, naccounts, addrs);
    printf("ledger: %zu accounts (%zu blocks) built in %.2f s\n", naccounts, 2 * naccounts + 1,
           (double)(now_ns() - t0) / 1e9);

    server_loop loop;
    loop.base = event_base_new();
    rpc_config cfg = {.net = smn_network_get(SMN_NET_DEV), .data_dir = dir};
    rpc_ctx *ctx = rpc_ctx_new(&cfg);
    rpc_http *http = rpc_http_new(loop.base, ctx, "127.0.0.1", 0, -1);
    if (!loop.base || !ctx || !http || pipe(loop.stop_pipe) != 0)
        die("server start");
    struct event *stop = event_new(loop.base, loop.stop_pipe[0], EV_READ, on_stop, loop.base);
    event_add(stop, NULL);
    pthread_t server_thread;
    pthread_create(&server_thread, NULL, server_main, &loop);

    client *cl = calloc(nconn, sizeof *cl);
    pthread_t *th = calloc(nconn, sizeof *th);
    if (!cl || !th)
        die("out of memory");
    uint64_t start = now_ns(), deadline = start + (uint64_t)(seconds * 1e9);
    for (size_t i = 0; i < nconn; i++) {
        cl[i] = (client){.port = rpc_http_port(http),
                         .naccounts = naccounts,
                         .addrs = addrs,
                         .deadline_ns = deadline,
                         .cap = 4000000,
                         .seed = 0x9E3779B97F4A7C15ull + i};
        cl[i].lat = malloc(sizeof(uint64_t) * cl[i].cap);
        if (!cl[i].lat)
            die("out of memory");
        pthread_create(&th[i], NULL, client_main, &cl[i]);
    }
    size_t total = 0;
    int failed = 0;
    for (size_t i = 0; i < nconn; i++) {
        pthread_join(th[i], NULL);
        total += cl[i].nlat;
        failed |= cl[i].failed;
    }
    double elapsed = (double)(now_ns() - start) / 1e9;
    if (write(loop.stop_pipe[1], "x", 1) != 1)
        die("stop");
    pthread_join(server_thread, NULL);

    uint64_t *all = malloc(sizeof *all * (total ? total : 1));
    if (!all)
        die("out of memory");
    size_t k = 0;
    for (size_t i = 0; i < nconn; i++) {
        memcpy(all + k, cl[i].lat, cl[i].nlat * sizeof *all);
        k += cl[i].nlat;
        free(cl[i].lat);
    }
    qsort(all, total, sizeof *all, cmp_u64);
    if (total == 0)
        die("no request completed");
    printf("account_balance: %zu connections, %.1f s, %zu requests%s\n", nconn, elapsed, total,
           failed ? " (a connection failed)" : "");
    printf("  throughput  %.0f req/s\n", (double)total / elapsed);
    printf("  latency     p50 %.1f us   p99 %.1f us   p99.9 %.1f us   max %.1f us\n",
           (double)all[total / 2] / 1e3, (double)all[(size_t)((double)total * 0.99)] / 1e3,
           (double)all[(size_t)((double)total * 0.999)] / 1e3, (double)all[total - 1] / 1e3);
    free(all);
    free(cl);
    free(th);
    free(addrs);
    event_free(stop);
    close(loop.stop_pipe[0]);
    close(loop.stop_pipe[1]);
    rpc_http_free(http);
    rpc_ctx_free(ctx);
    event_base_free(loop.base);
    if (!keep_dir)
        rm_ledger(dir);
    return failed ? 1 : 0;
}
