/* The actions whose figures net, elections and bootstrap own, through the
 * path the daemon takes: each process's answer built with the IPC builder
 * and checked against its family (as the sender does), decoded (as rpc's
 * endpoint does), read by the status link's decoders into the context, and
 * then shown by the actions. Without fresh figures the actions answer 503,
 * never zeros. (tests/integration/test_rpc_stats.py runs the real
 * processes.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/ipc.h"
#include "procs/rpc/status_link.h"
#include "tests/rpc/test_rpc_fixture.h"

static int setup(void **state)
{
    rpcf *f = calloc(1, sizeof *f);
    assert_non_null(f);
    rpcf_setup(f, true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    rpcf_teardown(*state);
    free(*state);
    return 0;
}

/* Finishes b against fam and decodes it again, as the receiving endpoint
 * (m refers to b's bytes: free m, then b). */
static void roundtrip(ipc_builder *b, const ipc_family *fam, ipc_msg *m)
{
    ipc_error err;
    assert_int_equal(ipc_build_finish(b, fam, 0, 7, &err), IPC_OK);
    assert_int_equal(ipc_decode(fam, b->buf + 4, b->len - 4, m, &err), IPC_OK);
}

static void put_amount(ipc_builder *b, const char *name, smn_amount_t v)
{
    uint8_t be[16];
    smn_amount_to_be(v, be);
    ipc_put_bin(b, name, be, 16);
}

static smn_amount_t smn(uint64_t n)
{
    return smn_amount_mul_wrap(smn_amount_one_smn(), smn_amount_from_u64(n));
}

static void feed_elections(rpcf *f, const uint8_t rep[32])
{
    ipc_builder b;
    ipc_build_begin(&b, "status_r");
    ipc_put_uint(&b, "reps", 1);
    ipc_put_uint(&b, "online_reps", 1);
    ipc_put_array_begin(&b, "online");
    ipc_put_map_begin(&b, NULL);
    ipc_put_bin(&b, "rep", rep, 32);
    put_amount(&b, "weight", smn(1000000));
    ipc_put_map_end(&b);
    ipc_put_array_end(&b);
    put_amount(&b, "online_weight", smn(1000000));
    put_amount(&b, "trended_weight", smn(1000000));
    put_amount(&b, "online_minimum", smn(60000));
    put_amount(&b, "quorum_delta", smn(670000));
    ipc_put_uint(&b, "quorum_percent", 67);
    ipc_put_uint(&b, "active", 25);
    ipc_put_uint(&b, "max_active", 5000);
    ipc_put_uint(&b, "backlog", 3);
    ipc_put_uint(&b, "confirmed", 42);
    ipc_msg m;
    roundtrip(&b, &ipc_family_elections, &m);
    assert_true(rpc_status_read_elections(&m, rpc_ctx_stats(f->ctx)));
    ipc_msg_free(&m);
    ipc_build_free(&b);
}

static void feed_net(rpcf *f, const uint8_t node_id[32])
{
    ipc_builder b;
    ipc_build_begin(&b, "peers_r");
    ipc_put_array_begin(&b, "peers");
    for (int i = 0; i < 2; i++) {
        char ep[32];
        snprintf(ep, sizeof ep, "127.0.0.1:%d", 17075 + i);
        ipc_put_map_begin(&b, NULL);
        ipc_put_str(&b, "endpoint", ep);
        ipc_put_bin(&b, "node_id", node_id, 32);
        ipc_put_bool(&b, "inbound", i == 1);
        if (i == 0)
            ipc_put_uint(&b, "block_count", 9);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_put_uint(&b, "known", 5);
    ipc_put_uint(&b, "banned", 1);
    ipc_put_uint(&b, "port", 17075);
    ipc_put_bin(&b, "node_id", node_id, 32);
    ipc_put_uint(&b, "blocks_in", 11);
    ipc_put_uint(&b, "blocks_out", 12);
    ipc_put_uint(&b, "votes_in", 13);
    ipc_put_uint(&b, "votes_out", 14);
    ipc_msg m;
    roundtrip(&b, &ipc_family_net, &m);
    assert_true(rpc_status_read_peers(&m, rpc_ctx_stats(f->ctx)));
    ipc_msg_free(&m);
    ipc_build_free(&b);
}

static void feed_bootstrap(rpcf *f)
{
    ipc_builder b;
    uint8_t cursor[32] = {0};
    ipc_build_begin(&b, "status_r");
    ipc_put_str(&b, "phase", "pull");
    ipc_put_uint(&b, "rounds", 4);
    ipc_put_uint(&b, "pulled", 100);
    ipc_put_uint(&b, "accepted", 90);
    ipc_put_uint(&b, "chains", 2);
    ipc_put_bin(&b, "cursor", cursor, 32);
    ipc_put_uint(&b, "missing", 3);
    ipc_put_uint(&b, "waiting", 5);
    ipc_msg m;
    roundtrip(&b, &ipc_family_bootstrap, &m);
    assert_true(rpc_status_read_bootstrap(&m, rpc_ctx_stats(f->ctx)));
    ipc_msg_free(&m);
    ipc_build_free(&b);
}

static void expect_503(rpcf *f, const char *msg, const char *body)
{
    int st = 0;
    json_t *j = rpcf_call(f, &st, "%s", body);
    assert_int_equal(st, 503);
    assert_string_equal(rpcf_str(j, "error"), msg);
    json_decref(j);
}

static void test_unavailable(void **state)
{
    rpcf *f = *state;
    expect_503(f, "Elections process unavailable (no online weight)",
               "{\"action\":\"confirmation_quorum\"}");
    expect_503(f, "Elections process unavailable", "{\"action\":\"representatives_online\"}");
    expect_503(f, "Elections process unavailable", "{\"action\":\"election_statistics\"}");
    expect_503(f, "Net process unavailable", "{\"action\":\"peers\"}");
    expect_503(f, "Net process unavailable", "{\"action\":\"node_id\"}");
    expect_503(f, "Bootstrap process unavailable", "{\"action\":\"bootstrap_status\"}");
    /* no process link (the daemon installs control_link.h's) */
    expect_503(f, "Node control unavailable", "{\"action\":\"stop\"}");
    expect_503(f, "Node control unavailable", "{\"action\":\"bootstrap_any\"}");
    expect_503(f, "Node control unavailable", "{\"action\":\"search_receivable_all\"}");
    rpcf_expect_error(f, "Wallet not found",
                      "{\"action\":\"search_receivable\",\"wallet\":\"%064d\"}", 1);
    rpcf_expect_error(f, "Unsupported field: force (not an option of bootstrap_any)",
                      "{\"action\":\"bootstrap_any\",\"force\":true}");
    json_t *j = rpcf_call(f, NULL, "{\"action\":\"telemetry\"}");
    assert_null(json_object_get(j, "peer_count")); /* unknown: absent, not "0" */
    json_decref(j);
    j = rpcf_call(f, NULL, "{\"action\":\"stats\",\"type\":\"counters\"}");
    assert_int_equal(json_array_size(json_object_get(j, "entries")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "unavailable")), 3);
    json_decref(j);
    /* figures that went stale are unknown again */
    uint8_t id[32] = {7};
    feed_net(f, id);
    rpc_ctx_stats(f->ctx)->net_at_ns -= RPC_STATS_STALE_NS + 1;
    expect_503(f, "Net process unavailable", "{\"action\":\"peers\"}");
}

static void test_figures(void **state)
{
    rpcf *f = *state;
    rpcf_acct g;
    rpcf_genesis(&g);
    char G[65];
    rpcf_addr(g.kp.pub, G);
    feed_elections(f, g.kp.pub);
    feed_net(f, g.kp.pub);
    feed_bootstrap(f);

    json_t *j = rpcf_call(f, NULL, "{\"action\":\"confirmation_quorum\"}");
    char buf[SMN_AMOUNT_RAW_STRLEN];
    assert_string_equal(rpcf_str(j, "online_stake_total"),
                        smn_amount_format_raw(smn(1000000), buf));
    assert_string_equal(rpcf_str(j, "quorum_delta"), smn_amount_format_raw(smn(670000), buf));
    assert_string_equal(rpcf_str(j, "online_weight_minimum"),
                        smn_amount_format_raw(smn(60000), buf));
    assert_string_equal(rpcf_str(j, "online_weight_quorum_percent"), "67");
    json_decref(j);
    j = rpcf_call(f, NULL, "{\"action\":\"confirmation_quorum\",\"peer_details\":true}");
    json_t *peers = json_object_get(j, "peers");
    assert_int_equal(json_array_size(peers), 1);
    assert_string_equal(rpcf_str(json_array_get(peers, 0), "account"), G);
    json_decref(j);

    j = rpcf_call(f, NULL, "{\"action\":\"representatives_online\"}");
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "representatives"), 0)),
                        G);
    json_decref(j);
    j = rpcf_call(f, NULL, "{\"action\":\"representatives_online\",\"weight\":true}");
    assert_string_equal(
        rpcf_str(json_object_get(json_object_get(j, "representatives"), G), "weight"),
        smn_amount_format_raw(smn(1000000), buf));
    json_decref(j);
    rpcf_acct other;
    rpcf_acct_new(&other, 3);
    char O[65];
    rpcf_addr(other.kp.pub, O);
    j = rpcf_call(f, NULL, "{\"action\":\"representatives_online\",\"accounts\":[\"%s\"]}", O);
    assert_int_equal(json_array_size(json_object_get(j, "representatives")), 0);
    json_decref(j);
    rpcf_expect_error(f, "Bad account number in accounts",
                      "{\"action\":\"representatives_online\",\"accounts\":[\"x\"]}");

    j = rpcf_call(f, NULL, "{\"action\":\"election_statistics\"}");
    assert_string_equal(rpcf_str(j, "total"), "25");
    assert_string_equal(rpcf_str(j, "aec_utilization_percentage"), "0.50");
    json_decref(j);

    j = rpcf_call(f, NULL, "{\"action\":\"peers\"}");
    json_t *p = json_object_get(j, "peers");
    assert_int_equal(json_object_size(p), 2);
    assert_true(strncmp(rpcf_str(p, "127.0.0.1:17075"), "node_", 5) == 0);
    json_decref(j);
    j = rpcf_call(f, NULL, "{\"action\":\"peers\",\"peer_details\":\"true\"}");
    json_t *d = json_object_get(json_object_get(j, "peers"), "127.0.0.1:17075");
    assert_string_equal(rpcf_str(d, "type"), "tcp");
    assert_string_equal(rpcf_str(d, "block_count"), "9");
    json_decref(j);

    j = rpcf_call(f, NULL, "{\"action\":\"telemetry\"}");
    assert_string_equal(rpcf_str(j, "peer_count"), "2");
    assert_string_equal(rpcf_str(j, "account_count"), "1"); /* genesis */
    assert_true(strncmp(rpcf_str(j, "node_id"), "node_", 5) == 0);
    json_decref(j);
    j = rpcf_call(f, NULL, "{\"action\":\"node_id\"}");
    assert_string_equal(rpcf_str(j, "as_account"), G);
    assert_null(json_object_get(j, "private"));
    json_decref(j);

    j = rpcf_call(f, NULL, "{\"action\":\"bootstrap_status\"}");
    assert_string_equal(rpcf_str(j, "phase"), "pull");
    assert_string_equal(rpcf_str(j, "accepted"), "90");
    assert_string_equal(rpcf_str(j, "missing"), "3");
    assert_string_equal(rpcf_str(j, "waiting"), "5");
    json_decref(j);

    j = rpcf_call(f, NULL, "{\"action\":\"stats\",\"type\":\"counters\"}");
    json_t *entries = json_object_get(j, "entries");
    assert_true(json_array_size(entries) > 10);
    assert_null(json_object_get(j, "unavailable"));
    bool seen = false;
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        if (strcmp(rpcf_str(e, "type"), "election") == 0 &&
            strcmp(rpcf_str(e, "detail"), "confirmed") == 0)
            seen = strcmp(rpcf_str(e, "value"), "42") == 0;
    }
    assert_true(seen);
    json_decref(j);
    rpcf_expect_error(f, "Unsupported stats type (smn keeps only \"counters\")",
                      "{\"action\":\"stats\",\"type\":\"samples\"}");
    rpcf_expect_error(f, "Missing field: type", "{\"action\":\"stats\"}");
}

/* A reply missing what its schema promises leaves the figures alone. */
static void test_decoders_refuse(void **state)
{
    rpcf *f = *state;
    ipc_builder b;
    ipc_build_begin(&b, "ok");
    ipc_msg m;
    roundtrip(&b, &ipc_family_net, &m);
    rpc_node_stats *s = rpc_ctx_stats(f->ctx);
    assert_false(rpc_status_read_peers(&m, s));
    assert_false(rpc_status_read_elections(&m, s));
    assert_false(rpc_status_read_bootstrap(&m, s));
    ipc_msg_free(&m);
    ipc_build_free(&b);
    assert_int_equal(s->net_at_ns, 0);
    assert_int_equal(s->elections_at_ns, 0);
    assert_int_equal(s->bootstrap_at_ns, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decoders_refuse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
