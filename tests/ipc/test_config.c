/* The node configuration: defaults, typed keys, the ini file (unknown keys
 * and syntax errors named with their line) and the --set round trip the
 * supervisor uses to hand the effective config to its children. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc/config.h"

static char *write_tmp(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/smn-cfg-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_defaults_and_set(void **state)
{
    (void)state;
    ipc_config c;
    ipc_config_defaults(&c);
    assert_string_equal(c.network, "dev");
    assert_int_equal(c.max_restarts, 5);
    char msg[256];
    assert_int_equal(ipc_config_set(&c, "rpc", "port", "7076", msg, sizeof msg), 0);
    assert_int_equal(c.rpc_port, 7076);
    assert_int_equal(ipc_config_set(&c, "rpc", "enable_control", "yes", msg, sizeof msg), 0);
    assert_true(c.rpc_enable_control);
    assert_int_equal(ipc_config_set(&c, "ledger", "max_blocks_per_account", "18446744073709551615",
                                    msg, sizeof msg),
                     0);
    assert_int_equal(c.max_blocks_per_account, UINT64_MAX);

    assert_int_equal(ipc_config_set(&c, "rpc", "port", "65536", msg, sizeof msg), -22);
    assert_non_null(strstr(msg, "[rpc] port"));
    assert_int_equal(ipc_config_set(&c, "rpc", "port", "-1", msg, sizeof msg), -22);
    assert_int_equal(ipc_config_set(&c, "rpc", "port", "12ab", msg, sizeof msg), -22);
    assert_int_equal(ipc_config_set(&c, "rpc", "port", "", msg, sizeof msg), -22);
    assert_int_equal(ipc_config_set(&c, "rpc", "enable_control", "maybe", msg, sizeof msg), -22);
    assert_int_equal(ipc_config_set(&c, "node", "network", "mainnet", msg, sizeof msg), -22);
    assert_int_equal(ipc_config_set(&c, "node", "nosuch", "1", msg, sizeof msg), -22);
    assert_string_equal(msg, "unknown key 'nosuch' in [node]");
    assert_int_equal(c.rpc_port, 7076); /* failed sets change nothing */

    assert_int_equal(ipc_config_check(&c, msg, sizeof msg), -22); /* no data dir */
    assert_int_equal(ipc_config_set_pair(&c, "node.data_dir=/tmp/x", msg, sizeof msg), 0);
    assert_int_equal(ipc_config_check(&c, msg, sizeof msg), 0);
    assert_int_equal(ipc_config_set_pair(&c, "nodedata_dir=/tmp/x", msg, sizeof msg), -22);
    c.heartbeat_timeout_ms = c.heartbeat_interval_ms - 1;
    assert_int_equal(ipc_config_check(&c, msg, sizeof msg), -22);
}

static void test_file(void **state)
{
    (void)state;
    ipc_config c;
    char msg[512];
    ipc_config_defaults(&c);
    char *p =
        write_tmp("# comment\n[node]\nnetwork = test\ndata_dir = /var/lib/x\n\n"
                  "[supervisor]\nmax_restarts = 9 ; inline comment\n[net]\npeers = a:1,b:2\n");
    assert_int_equal(ipc_config_load(&c, p, msg, sizeof msg), 0);
    assert_string_equal(c.network, "test");
    assert_string_equal(c.data_dir, "/var/lib/x");
    assert_int_equal(c.max_restarts, 9);
    assert_string_equal(c.net_peers, "a:1,b:2");
    unlink(p);

    p = write_tmp("[node]\nnetwork = dev\n[rpc]\nprot = 1\n");
    assert_int_equal(ipc_config_load(&c, p, msg, sizeof msg), -22);
    assert_non_null(strstr(msg, ":4: unknown key 'prot' in [rpc]"));
    unlink(p);

    p = write_tmp("[node]\nthis line has no equals sign\n");
    assert_int_equal(ipc_config_load(&c, p, msg, sizeof msg), -22);
    assert_non_null(strstr(msg, ":2: syntax error"));
    unlink(p);

    assert_true(ipc_config_load(&c, "/nonexistent/smn.conf", msg, sizeof msg) < 0);
    assert_non_null(strstr(msg, "No such file"));
}

static void test_exec_wrapper(void **state)
{
    (void)state;
    ipc_config c;
    char msg[256];
    ipc_config_defaults(&c);
    assert_string_equal(c.sup_exec_wrapper, "");
    assert_int_equal(
        ipc_config_set(&c, "supervisor", "exec_wrapper", "qemu-arm -L '/a b'", msg, sizeof msg), 0);
    assert_string_equal(c.sup_exec_wrapper, "qemu-arm -L '/a b'");
    assert_int_equal(
        ipc_config_set(&c, "supervisor", "exec_wrapper", "qemu-arm -L '/a b", msg, sizeof msg),
        -22);
    assert_string_equal(msg, "[supervisor] exec_wrapper: invalid value 'qemu-arm -L '/a b': a "
                             "quote is not closed");
    assert_string_equal(c.sup_exec_wrapper, "qemu-arm -L '/a b'"); /* unchanged */
    assert_int_equal(ipc_config_set(&c, "supervisor", "exec_wrapper",
                                    "a b c d e f g h i j k l m n o p q", msg, sizeof msg),
                     -22);
    assert_non_null(strstr(msg, ": too many words"));
}

static void test_pairs_roundtrip(void **state)
{
    (void)state;
    ipc_config a, b;
    char msg[256];
    ipc_config_defaults(&a);
    ipc_config_set(&a, "node", "data_dir", "/tmp/dir with space", msg, sizeof msg);
    ipc_config_set(&a, "net", "peers", "x=1,y", msg, sizeof msg);
    ipc_config_set(&a, "rpc", "enable_control", "true", msg, sizeof msg);
    ipc_config_set(&a, "supervisor", "restart_backoff_ms", "7", msg, sizeof msg);
    ipc_config_set(&a, "supervisor", "exec_wrapper", "env \"A=b c\"", msg, sizeof msg);
    /* Sized from the table (a fixed array would overflow as keys are added). */
    size_t nkeys = ipc_config_nkeys();
    char **pairs = calloc(nkeys, sizeof *pairs);
    assert_non_null(pairs);
    size_t n = ipc_config_pairs(&a, pairs, nkeys);
    assert_int_equal(n, nkeys);
    memset(&b, 0x5a, sizeof b); /* every byte must come from the pairs */
    ipc_config_defaults(&b);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ipc_config_set_pair(&b, pairs[i], msg, sizeof msg), 0);
    ipc_config_free_pairs(pairs, n);
    free(pairs);
    assert_string_equal(b.data_dir, "/tmp/dir with space");
    assert_string_equal(b.net_peers, "x=1,y");
    assert_true(b.rpc_enable_control);
    assert_int_equal(b.restart_backoff_ms, 7);
    assert_string_equal(b.sup_exec_wrapper, "env \"A=b c\"");
    assert_memory_equal(&a, &b, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_set),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_exec_wrapper),
        cmocka_unit_test(test_pairs_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
