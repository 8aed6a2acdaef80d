/* The net process's parts without sockets: the seen set (dedupe of relayed
 * blocks and votes), [net] peers parsing, the node key file. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/keys.h"
#include "procs/net/service_config.h"
#include "procs/net/service_nodekey.h"
#include "procs/net/service_seen.h"

static void hash_of(uint32_t i, uint8_t h[32])
{
    /* Spread over the table like real hashes, with collisions on the low
     * bits for small i (same first 8 bytes modulo the table size). */
    memset(h, 0, 32);
    h[0] = (uint8_t)(i * 16u);
    h[8] = (uint8_t)i;
    h[9] = (uint8_t)(i >> 8);
    h[10] = (uint8_t)(i >> 16);
}

static void test_seen_basic(void **state)
{
    (void)state;
    assert_null(net_seen_new(0));
    net_seen *s = net_seen_new(4);
    uint8_t a[32], b[32];
    hash_of(1, a);
    hash_of(2, b);
    assert_false(net_seen_contains(s, a));
    assert_true(net_seen_add(s, a));
    assert_false(net_seen_add(s, a)); /* already there */
    assert_true(net_seen_contains(s, a));
    assert_false(net_seen_contains(s, b));
    assert_true(net_seen_remove(s, a));
    assert_false(net_seen_remove(s, a));
    assert_false(net_seen_contains(s, a));
    assert_true(net_seen_add(s, a)); /* can come back */
    assert_int_equal(net_seen_count(s), 1);
    net_seen_free(s);
}

static void test_seen_fifo_eviction(void **state)
{
    (void)state;
    net_seen *s = net_seen_new(3);
    uint8_t h[8][32];
    for (uint32_t i = 0; i < 8; i++)
        hash_of(i, h[i]);
    for (int i = 0; i < 3; i++)
        assert_true(net_seen_add(s, h[i]));
    /* Re-adding does not refresh: 0 is still the oldest. */
    assert_false(net_seen_add(s, h[0]));
    assert_true(net_seen_add(s, h[3]));
    assert_false(net_seen_contains(s, h[0]));
    assert_true(net_seen_contains(s, h[1]));
    assert_true(net_seen_contains(s, h[3]));
    assert_int_equal(net_seen_count(s), 3);
    /* A removed hash frees its place without pushing anyone out; eviction
     * skips its stale ring entry and the set never exceeds its capacity. */
    assert_true(net_seen_remove(s, h[2]));
    assert_true(net_seen_add(s, h[4]));
    assert_int_equal(net_seen_count(s), 3);
    assert_true(net_seen_contains(s, h[1]));
    assert_true(net_seen_add(s, h[5]));
    assert_int_equal(net_seen_count(s), 3);
    assert_false(net_seen_contains(s, h[1]));
    assert_true(net_seen_contains(s, h[3]));
    assert_true(net_seen_contains(s, h[4]));
    assert_true(net_seen_contains(s, h[5]));
    /* Remove and add at capacity many times: the ring compacts, nothing
     * live is lost. */
    for (int k = 0; k < 1000; k++) {
        assert_true(net_seen_remove(s, h[5]));
        assert_true(net_seen_add(s, h[5]));
    }
    assert_true(net_seen_contains(s, h[3]));
    assert_true(net_seen_contains(s, h[4]));
    assert_int_equal(net_seen_count(s), 3);
    net_seen_free(s);
}

/* Against a model: many random adds and removes with colliding buckets. */
static void test_seen_model(void **state)
{
    (void)state;
    enum { CAP = 64, UNIVERSE = 300, STEPS = 200000 };
    net_seen *s = net_seen_new(CAP);
    uint64_t order[UNIVERSE]; /* insertion number, 0 = absent */
    memset(order, 0, sizeof order);
    uint64_t next = 1;
    uint32_t x = 12345;
    for (int step = 0; step < STEPS; step++) {
        x = x * 1103515245u + 12345u;
        uint32_t i = (x >> 8) % UNIVERSE;
        uint8_t h[32];
        hash_of(i, h);
        if ((x >> 4) % 4 == 0) {
            assert_int_equal(net_seen_remove(s, h), order[i] != 0);
            order[i] = 0;
        } else {
            bool fresh = order[i] == 0;
            assert_int_equal(net_seen_add(s, h), fresh);
            if (fresh) {
                order[i] = next++;
                /* The model evicts the oldest while above capacity, counting
                 * removed ones as gone. */
                size_t live = 0;
                for (int k = 0; k < UNIVERSE; k++)
                    live += order[k] != 0;
                if (live > CAP) {
                    int oldest = -1;
                    for (int k = 0; k < UNIVERSE; k++)
                        if (order[k] && (oldest < 0 || order[k] < order[oldest]))
                            oldest = k;
                    order[oldest] = 0;
                }
            }
        }
        if (step % 997 == 0)
            for (uint32_t k = 0; k < UNIVERSE; k++) {
                uint8_t hk[32];
                hash_of(k, hk);
                assert_int_equal(net_seen_contains(s, hk), order[k] != 0);
            }
        assert_true(net_seen_count(s) <= CAP);
    }
    net_seen_free(s);
}

static void test_peers_parse(void **state)
{
    (void)state;
    net_peer_addr a[4];
    size_t n = 99;
    char err[160];
    assert_int_equal(net_parse_peers("", a, 4, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(net_parse_peers("  ", a, 4, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(net_parse_peers(" 127.0.0.1:17075 , [::1]:7075,peer.example.org:1", a, 4, &n,
                                     err, sizeof err),
                     0);
    assert_int_equal(n, 3);
    assert_string_equal(a[0].host, "127.0.0.1");
    assert_int_equal(a[0].port, 17075);
    assert_true(a[0].numeric);
    assert_string_equal(a[1].host, "::1");
    assert_int_equal(a[1].port, 7075);
    assert_true(a[1].numeric);
    assert_string_equal(a[2].host, "peer.example.org");
    assert_int_equal(a[2].port, 1);
    assert_false(a[2].numeric);

    static const char *const bad[] = {
        "127.0.0.1",        "127.0.0.1:",  "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:7x",     "::1:7075",    "[::1]7075",   "[::1]:",
        "[127.0.0.1]:7075", "a,,b:1",      "a:1,",        ",a:1",
        "-bad.example:1",   "bad_name:1",  ":7075",       "[]:7075",
        "127.0.0.1:123456", "host name:1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(net_parse_peers(bad[i], a, 4, &n, err, sizeof err), -EINVAL);
        assert_non_null(strstr(err, "[net] peers"));
    }
    assert_int_equal(net_parse_peers("a:1,b:2,c:3", a, 2, &n, err, sizeof err), -E2BIG);
}

static void test_node_key(void **state)
{
    (void)state;
    char dir[] = "/tmp/smn-nodekey-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/node.key", dir);
    smn_keypair k1, k2;
    bool created = false;
    assert_int_equal(net_node_key_load(dir, &k1, &created, err, sizeof err), 0);
    assert_true(created);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 32);
    /* The second start reads the same identity. */
    assert_int_equal(net_node_key_load(dir, &k2, &created, err, sizeof err), 0);
    assert_false(created);
    assert_memory_equal(k1.pub, k2.pub, 32);
    assert_memory_equal(k1.priv, k2.priv, 32);
    smn_keypair check;
    smn_key_expand(k1.priv, &check);
    assert_memory_equal(check.pub, k1.pub, 32);
    /* Readable by others: refused, not silently fixed. */
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(net_node_key_load(dir, &k2, &created, err, sizeof err), -EPERM);
    assert_non_null(strstr(err, "chmod 600"));
    assert_int_equal(chmod(path, 0600), 0);
    /* Wrong size: refused. */
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    assert_int_equal(net_node_key_load(dir, &k2, &created, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "32-byte"));
    unlink(path);
    /* A fresh key differs. */
    assert_int_equal(net_node_key_load(dir, &k2, &created, err, sizeof err), 0);
    assert_true(created);
    assert_memory_not_equal(k1.pub, k2.pub, 32);
    unlink(path);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seen_basic), cmocka_unit_test(test_seen_fifo_eviction),
        cmocka_unit_test(test_seen_model), cmocka_unit_test(test_peers_parse),
        cmocka_unit_test(test_node_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
