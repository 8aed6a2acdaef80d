/* ipc/metrics: registration rules, histogram buckets, the wire form through
 * the control family's heartbeat_ack (encode, schema check, decode, the
 * decoder's own checks), and the exact Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipc/builder.h"
#include "ipc/frame.h"
#include "ipc/metrics.h"
#include "ipc/msg.h"
#include "ipc/schema_control.h"

static void test_register_rules(void **state)
{
    (void)state;
    static ipc_metrics r;
    memset(&r, 0, sizeof r);
    ipc_metric *a = ipc_metric_counter(&r, "blocks_total", NULL, "Blocks.");
    assert_non_null(a);
    assert_ptr_equal(ipc_metric_counter(&r, "blocks_total", NULL, "Blocks."), a);
    /* same name, another type: refused */
    assert_null(ipc_metric_gauge(&r, "blocks_total", NULL, "Blocks."));
    /* labelled series of one name are distinct */
    ipc_metric *l1 = ipc_metric_counter(&r, "votes_total", "kind=final", "Votes.");
    ipc_metric *l2 = ipc_metric_counter(&r, "votes_total", "kind=normal", "Votes.");
    assert_non_null(l1);
    assert_non_null(l2);
    assert_ptr_not_equal(l1, l2);
    const char *bad_names[] = {"", "Blocks", "9x", "a-b", "a b", "é"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
        assert_null(ipc_metric_gauge(&r, bad_names[i], NULL, "x"));
    char longname[IPC_METRIC_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_null(ipc_metric_gauge(&r, longname, NULL, "x"));
    const char *bad_labels[] = {"k", "=v", "K=v", "k=", "k=a\"b", "k=a b", "k=a\nb"};
    for (size_t i = 0; i < sizeof bad_labels / sizeof bad_labels[0]; i++)
        assert_null(ipc_metric_gauge(&r, "g", bad_labels[i], "x"));
    assert_null(ipc_metric_gauge(&r, "g", NULL, "new\nline"));
    assert_null(ipc_metric_gauge(&r, "g", NULL, "back\\slash"));
    uint64_t desc[] = {5, 3};
    assert_null(ipc_metric_histogram(&r, "h", "x", 6, desc, 2));
    uint64_t ok[] = {1, 2};
    assert_null(ipc_metric_histogram(&r, "h", "x", 10, ok, 2)); /* scale above 9 */
    assert_null(ipc_metric_histogram(&r, "h", "x", 6, ok, 0));
    /* fill up: then NULL, and NULL metrics are safe to update */
    char name[16];
    for (unsigned i = 0; r.n < IPC_METRICS_MAX; i++) {
        snprintf(name, sizeof name, "m%u", i);
        assert_non_null(ipc_metric_gauge(&r, name, NULL, "filler"));
    }
    assert_null(ipc_metric_gauge(&r, "one_more", NULL, "x"));
    ipc_metric_add(NULL, 1);
    ipc_metric_set(NULL, 1);
    ipc_metric_observe(NULL, 1);
}

static void test_histogram(void **state)
{
    (void)state;
    static ipc_metrics r;
    memset(&r, 0, sizeof r);
    uint64_t bounds[] = {1000, 5000, 10000};
    ipc_metric *h = ipc_metric_histogram(&r, "lat_seconds", "Latency.", 6, bounds, 3);
    assert_non_null(h);
    uint64_t obs[] = {0, 1000, 1001, 5000, 9999, 10000, 10001, 1u << 30};
    for (size_t i = 0; i < sizeof obs / sizeof obs[0]; i++)
        ipc_metric_observe(h, obs[i]);
    assert_int_equal(h->buckets[0], 2); /* <= 1000 */
    assert_int_equal(h->buckets[1], 2); /* <= 5000 */
    assert_int_equal(h->buckets[2], 2); /* <= 10000 */
    assert_int_equal(h->buckets[3], 2); /* above */
    assert_int_equal(h->count, 8);
    /* observing a counter does nothing */
    ipc_metric *c = ipc_metric_counter(&r, "c_total", NULL, "C.");
    ipc_metric_observe(c, 5);
    assert_int_equal(c->value, 0);
    ipc_metric_add(c, 5);
    assert_int_equal(c->value, 5);
}

/* r -> heartbeat_ack frame -> decode (schema) -> ipc_metrics_get. */
static size_t roundtrip(const ipc_metrics *r, ipc_metrics *out)
{
    ipc_builder b;
    ipc_build_begin(&b, "heartbeat_ack");
    ipc_put_uint(&b, "seq", 7);
    ipc_metrics_put(&b, "metrics", r);
    ipc_error err;
    assert_int_equal(ipc_build_finish(&b, &ipc_family_control, 0, 3, &err), IPC_OK);
    ipc_msg m;
    assert_int_equal(ipc_decode(&ipc_family_control, b.buf + 4, b.len - 4, &m, &err), IPC_OK);
    size_t n = ipc_metrics_get(ipc_get_array(m.body, "metrics"), out);
    ipc_msg_free(&m);
    ipc_build_free(&b);
    return n;
}

static void test_wire_roundtrip(void **state)
{
    (void)state;
    static ipc_metrics r, out;
    memset(&r, 0, sizeof r);
    ipc_metric_set(ipc_metric_gauge(&r, "peers", NULL, "Peers."), -3);
    ipc_metric_add(ipc_metric_counter(&r, "votes_total", "kind=final", "Votes."), 42);
    uint64_t bounds[] = {10, 20};
    ipc_metric *h = ipc_metric_histogram(&r, "age_seconds", "Age.", 0, bounds, 2);
    ipc_metric_observe(h, 15);
    ipc_metric_observe(h, 99);
    assert_int_equal(roundtrip(&r, &out), 3);
    for (size_t i = 0; i < 3; i++) {
        const ipc_metric *a = &r.m[i], *b = &out.m[i];
        assert_string_equal(a->name, b->name);
        assert_string_equal(a->help, b->help);
        assert_string_equal(a->label_key, b->label_key);
        assert_string_equal(a->label_value, b->label_value);
        assert_int_equal(a->type, b->type);
        assert_int_equal(a->value, b->value);
        assert_int_equal(a->nbounds, b->nbounds);
        assert_memory_equal(a->bounds, b->bounds, sizeof a->bounds);
        assert_memory_equal(a->buckets, b->buckets, sizeof a->buckets);
        assert_int_equal(a->sum, b->sum);
        assert_int_equal(a->count, b->count);
    }
}

/* What the schema lets through, the decoder checks again: a peer's bad
 * entries are skipped, the good ones kept. */
static void test_decoder_skips_bad_entries(void **state)
{
    (void)state;
    ipc_builder b;
    ipc_build_begin(&b, "heartbeat_ack");
    ipc_put_uint(&b, "seq", 1);
    ipc_put_array_begin(&b, "metrics");
    /* 1: bad name characters */
    ipc_put_map_begin(&b, NULL);
    ipc_put_str(&b, "name", "Bad-Name");
    ipc_put_uint(&b, "type", 0);
    ipc_put_str(&b, "help", "x");
    ipc_put_int(&b, "value", 1);
    ipc_put_map_end(&b);
    /* 2: histogram with descending bounds */
    ipc_put_map_begin(&b, NULL);
    ipc_put_str(&b, "name", "h");
    ipc_put_uint(&b, "type", 2);
    ipc_put_str(&b, "help", "x");
    ipc_put_uint(&b, "scale", 0);
    ipc_put_array_begin(&b, "bounds");
    ipc_put_uint(&b, NULL, 5);
    ipc_put_uint(&b, NULL, 1);
    ipc_put_array_end(&b);
    ipc_put_array_begin(&b, "buckets");
    for (int i = 0; i < 3; i++)
        ipc_put_uint(&b, NULL, 1);
    ipc_put_array_end(&b);
    ipc_put_uint(&b, "sum", 1);
    ipc_put_uint(&b, "count", 3);
    ipc_put_map_end(&b);
    /* 3: gauge without a value */
    ipc_put_map_begin(&b, NULL);
    ipc_put_str(&b, "name", "g");
    ipc_put_uint(&b, "type", 1);
    ipc_put_str(&b, "help", "x");
    ipc_put_map_end(&b);
    /* 4: label value with a quote (would break the text format) */
    ipc_put_map_begin(&b, NULL);
    ipc_put_str(&b, "name", "l");
    ipc_put_uint(&b, "type", 1);
    ipc_put_str(&b, "help", "x");
    ipc_put_str(&b, "label_key", "k");
    ipc_put_str(&b, "label_value", "a\"b");
    ipc_put_int(&b, "value", 1);
    ipc_put_map_end(&b);
    /* 5: good */
    ipc_put_map_begin(&b, NULL);
    ipc_put_str(&b, "name", "good");
    ipc_put_uint(&b, "type", 1);
    ipc_put_str(&b, "help", "Fine.");
    ipc_put_int(&b, "value", 9);
    ipc_put_map_end(&b);
    ipc_put_array_end(&b);
    ipc_error err;
    assert_int_equal(ipc_build_finish(&b, &ipc_family_control, 0, 3, &err), IPC_OK);
    ipc_msg m;
    assert_int_equal(ipc_decode(&ipc_family_control, b.buf + 4, b.len - 4, &m, &err), IPC_OK);
    static ipc_metrics out;
    assert_int_equal(ipc_metrics_get(ipc_get_array(m.body, "metrics"), &out), 1);
    assert_string_equal(out.m[0].name, "good");
    assert_int_equal(out.m[0].value, 9);
    ipc_msg_free(&m);
    ipc_build_free(&b);
}

static void test_render(void **state)
{
    (void)state;
    static ipc_metrics r;
    memset(&r, 0, sizeof r);
    uint64_t bounds[] = {500, 1500000};
    ipc_metric *h = ipc_metric_histogram(&r, "wait_seconds", "Wait.", 6, bounds, 2);
    ipc_metric_observe(h, 250);
    ipc_metric_observe(h, 2000000);
    ipc_metric_add(ipc_metric_counter(&r, "votes_total", "kind=normal", "Votes."), 2);
    ipc_metric_add(ipc_metric_counter(&r, "blocks_total", NULL, "Blocks."), 1);
    ipc_metric_add(ipc_metric_counter(&r, "votes_total", "kind=final", "Votes."), 1);
    ipc_text t = {0};
    ipc_metrics_render(&t, "net", &r);
    assert_false(t.failed);
    const char *want = "# HELP smallnano_net_blocks_total Blocks.\n"
                       "# TYPE smallnano_net_blocks_total counter\n"
                       "smallnano_net_blocks_total 1\n"
                       "# HELP smallnano_net_votes_total Votes.\n"
                       "# TYPE smallnano_net_votes_total counter\n"
                       "smallnano_net_votes_total{kind=\"final\"} 1\n"
                       "smallnano_net_votes_total{kind=\"normal\"} 2\n"
                       "# HELP smallnano_net_wait_seconds Wait.\n"
                       "# TYPE smallnano_net_wait_seconds histogram\n"
                       "smallnano_net_wait_seconds_bucket{le=\"0.000500\"} 1\n"
                       "smallnano_net_wait_seconds_bucket{le=\"1.500000\"} 1\n"
                       "smallnano_net_wait_seconds_bucket{le=\"+Inf\"} 2\n"
                       "smallnano_net_wait_seconds_sum 2.000250\n"
                       "smallnano_net_wait_seconds_count 2\n";
    assert_non_null(t.p);
    assert_string_equal(t.p, want);
    ipc_text_free(&t);
}

/* Durations kept in integer microseconds are shown in seconds, Prometheus's
 * base unit, exactly and with their sign; the scale survives the wire. */
static void test_scaled_gauge(void **state)
{
    (void)state;
    static ipc_metrics r, out;
    memset(&r, 0, sizeof r);
    ipc_metric *g = ipc_metric_gauge_scaled(&r, "step_seconds", NULL, "Step.", 6);
    assert_non_null(g);
    assert_ptr_equal(ipc_metric_gauge_scaled(&r, "step_seconds", NULL, "Step.", 6), g);
    assert_null(ipc_metric_gauge_scaled(&r, "step_seconds", NULL, "Step.", 3));
    assert_null(ipc_metric_gauge(&r, "step_seconds", NULL, "Step."));
    assert_null(ipc_metric_gauge_scaled(&r, "other_seconds", NULL, "Other.", 10));
    ipc_metric_set(g, 1234567);
    ipc_metric_set(ipc_metric_gauge_scaled(&r, "skew_seconds", NULL, "Skew.", 3), -1500);
    assert_int_equal(roundtrip(&r, &out), 2);
    assert_int_equal(out.m[0].scale, 6);
    assert_int_equal(out.m[0].value, 1234567);
    assert_int_equal(out.m[1].scale, 3);
    ipc_text t = {0};
    ipc_metrics_render(&t, "elections", &out);
    assert_false(t.failed);
    const char *want = "# HELP smallnano_elections_skew_seconds Skew.\n"
                       "# TYPE smallnano_elections_skew_seconds gauge\n"
                       "smallnano_elections_skew_seconds -1.500\n"
                       "# HELP smallnano_elections_step_seconds Step.\n"
                       "# TYPE smallnano_elections_step_seconds gauge\n"
                       "smallnano_elections_step_seconds 1.234567\n";
    assert_non_null(t.p);
    assert_string_equal(t.p, want);
    ipc_text_free(&t);
}

static void test_text_limit(void **state)
{
    (void)state;
    ipc_text t = {0};
    char chunk[1024];
    memset(chunk, 'x', sizeof chunk - 1);
    chunk[sizeof chunk - 1] = '\0';
    for (int i = 0; i < 1000 && !t.failed; i++)
        ipc_text_printf(&t, "%s", chunk);
    assert_true(t.failed); /* stopped at IPC_METRICS_TEXT_MAX */
    assert_true(t.len < IPC_METRICS_TEXT_MAX);
    ipc_text_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_rules), cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_wire_roundtrip), cmocka_unit_test(test_decoder_skips_bad_entries),
        cmocka_unit_test(test_render),         cmocka_unit_test(test_scaled_gauge),
        cmocka_unit_test(test_text_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
