/* The WebSocket message decoder and builders (procs/ws/wsmsg.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/address.h"
#include "procs/ws/elcache.h"
#include "procs/ws/wsmsg.h"

static char addr_a[80], addr_b[80];
static uint8_t pub_a[32], pub_b[32];

static int setup(void **st)
{
    (void)st;
    memset(pub_a, 0x11, 32);
    memset(pub_b, 0x22, 32);
    smn_address_encode(pub_a, addr_a);
    smn_address_encode(pub_b, addr_b);
    return 0;
}

static ws_parse_status parse(const char *s, ws_request *r, char *err)
{
    return ws_request_parse(s, strlen(s), r, err, 200);
}

static void test_subscribe_options(void **st)
{
    (void)st;
    char buf[600], err[200];
    snprintf(buf, sizeof buf,
             "{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"ack\":true,\"id\":\"r1\","
             "\"options\":{\"accounts\":[\"%s\",\"%s\",\"%s\"],\"include_block\":\"false\","
             "\"confirmation_type\":\"active\",\"from\":\"12\",\"unknown\":1}}",
             addr_b, addr_a, addr_b);
    ws_request r;
    assert_int_equal(parse(buf, &r, err), WS_PARSE_OK);
    assert_int_equal(r.action, WS_ACTION_SUBSCRIBE);
    assert_int_equal(r.topic, WS_TOPIC_CONFIRMATION);
    assert_true(r.ack);
    assert_true(r.has_id);
    assert_string_equal(r.id, "r1");
    assert_true(r.has_accounts);
    assert_int_equal(r.accounts.n, 2); /* sorted, the duplicate dropped */
    assert_memory_equal(r.accounts.v[0], pub_a, 32);
    assert_memory_equal(r.accounts.v[1], pub_b, 32);
    assert_false(r.include_block);
    assert_int_equal(r.conf_type, WS_CONF_ACTIVE);
    assert_true(r.has_from);
    assert_int_equal(r.from, 12);
    ws_request_free(&r);

    /* defaults: include_block true, all, live */
    assert_int_equal(parse("{\"action\":\"subscribe\",\"topic\":\"confirmation\"}", &r, err),
                     WS_PARSE_OK);
    assert_true(r.include_block);
    assert_false(r.ack);
    assert_false(r.has_from);
    assert_false(r.has_accounts);
    assert_int_equal(r.conf_type, WS_CONF_ALL);
    ws_request_free(&r);

    /* from as a number; vm filters */
    snprintf(buf, sizeof buf,
             "{\"action\":\"subscribe\",\"topic\":\"vm\",\"options\":{\"from\":7,\"session\":3,"
             "\"type\":\"token\",\"account\":\"%s\",\"program\":\"%064d\"}}",
             addr_a, 0);
    assert_int_equal(parse(buf, &r, err), WS_PARSE_OK);
    assert_int_equal(r.topic, WS_TOPIC_VM);
    assert_int_equal(r.from, 7);
    assert_true(r.has_session && r.session == 3);
    assert_string_equal(r.vm_type, "token");
    assert_true(r.has_account);
    assert_memory_equal(r.account, pub_a, 32);
    assert_true(r.has_program);
    ws_request_free(&r);
}

static void test_update_ping_unsubscribe(void **st)
{
    (void)st;
    char buf[400], err[200];
    ws_request r;
    snprintf(buf, sizeof buf,
             "{\"action\":\"update\",\"topic\":\"confirmation\",\"options\":"
             "{\"accounts_add\":[\"%s\"],\"accounts_del\":[\"%s\"]}}",
             addr_a, addr_b);
    assert_int_equal(parse(buf, &r, err), WS_PARSE_OK);
    assert_int_equal(r.action, WS_ACTION_UPDATE);
    assert_int_equal(r.accounts.n, 1);
    assert_int_equal(r.accounts_del.n, 1);
    assert_memory_equal(r.accounts_del.v[0], pub_b, 32);
    ws_request_free(&r);
    assert_int_equal(parse("{\"action\":\"ping\",\"id\":\"p\"}", &r, err), WS_PARSE_OK);
    assert_int_equal(r.action, WS_ACTION_PING);
    ws_request_free(&r);
    assert_int_equal(
        parse("{\"action\":\"unsubscribe\",\"topic\":\"new_unconfirmed_block\"}", &r, err),
        WS_PARSE_OK);
    assert_int_equal(r.topic, WS_TOPIC_NEW_UNCONFIRMED_BLOCK);
    ws_request_free(&r);
}

static void bad(const char *msg, ws_parse_status want, const char *reason)
{
    ws_request r;
    char err[200];
    assert_int_equal(parse(msg, &r, err), want);
    if (!strstr(err, reason))
        fail_msg("%s: reason '%s' lacks '%s'", msg, err, reason);
    ws_request_free(&r);
}

static void test_errors(void **st)
{
    (void)st;
    bad("garbage", WS_PARSE_MALFORMED, "not JSON");
    bad("[1,2]", WS_PARSE_MALFORMED, "not a JSON object");
    bad("{\"action\":\"ping\",\"action\":\"ping\"}", WS_PARSE_MALFORMED, "duplicate");
    bad("{}", WS_PARSE_INVALID, "missing 'action'");
    bad("{\"action\":\"dance\"}", WS_PARSE_INVALID, "unknown action 'dance'");
    bad("{\"action\":\"subscribe\"}", WS_PARSE_INVALID, "missing 'topic'");
    bad("{\"action\":\"subscribe\",\"topic\":\"x\"}", WS_PARSE_INVALID, "unknown topic 'x'");
    bad("{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"options\":[]}", WS_PARSE_INVALID,
        "'options' must be an object");
    bad("{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"options\":{\"accounts\":\"a\"}}",
        WS_PARSE_INVALID, "must be an array");
    bad("{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"options\":{\"accounts\":[1]}}",
        WS_PARSE_INVALID, "not a string");
    bad("{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"options\":{\"accounts\":"
        "[\"nano_1\"]}}",
        WS_PARSE_INVALID, "is not an address");
    bad("{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"options\":{\"from\":-1}}",
        WS_PARSE_INVALID, "decimal");
    bad("{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"options\":{\"from\":\"1x\"}}",
        WS_PARSE_INVALID, "decimal");
    bad("{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"options\":"
        "{\"from\":\"99999999999999999999\"}}",
        WS_PARSE_INVALID, "out of range");
    bad("{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"options\":"
        "{\"include_block\":2}}",
        WS_PARSE_INVALID, "true or false");
    bad("{\"action\":\"subscribe\",\"topic\":\"confirmation\",\"options\":"
        "{\"confirmation_type\":\"sure\"}}",
        WS_PARSE_INVALID, "confirmation_type");
    bad("{\"action\":\"subscribe\",\"topic\":\"vm\",\"options\":{\"program\":\"zz\"}}",
        WS_PARSE_INVALID, "64 hex digits");
    bad("{\"action\":\"subscribe\",\"topic\":\"vm\",\"options\":{\"session\":4294967296}}",
        WS_PARSE_INVALID, "out of range");
    bad("{\"action\":\"ping\",\"id\":\"01234567890123456789012345678901234567890123456789"
        "0123456789012345\"}",
        WS_PARSE_INVALID, "'id' must be a string of at most 64 bytes");
    /* the id read before the error is kept for the error reply */
    ws_request r;
    char err[200];
    assert_int_equal(parse("{\"id\":\"q\",\"action\":\"x\"}", &r, err), WS_PARSE_INVALID);
    assert_true(r.has_id);
    assert_string_equal(r.id, "q");
    ws_request_free(&r);
}

static void test_accounts_set(void **st)
{
    (void)st;
    uint8_t v[3][32];
    memset(v[0], 3, 32);
    memset(v[1], 1, 32);
    memset(v[2], 2, 32);
    ws_accounts a = {0}, add = {.v = v, .n = 3};
    assert_true(ws_accounts_merge(&a, &add, 10));
    assert_int_equal(a.n, 3);
    assert_true(ws_accounts_has(&a, v[1]));
    assert_true(ws_accounts_merge(&a, &add, 3)); /* no new members: still 3 */
    assert_int_equal(a.n, 3);
    ws_accounts one = {.v = &v[0], .n = 1};
    ws_accounts_remove(&a, &one);
    assert_int_equal(a.n, 2);
    assert_false(ws_accounts_has(&a, v[0]));
    assert_false(ws_accounts_merge(&a, &add, 2)); /* would be 3 > 2: unchanged */
    assert_int_equal(a.n, 2);
    ws_accounts_free(&a);
}

static ws_confirmation sample(void)
{
    ws_confirmation c;
    memset(&c, 0, sizeof c);
    c.seq = 42;
    memset(c.hash, 0xAB, 32);
    memcpy(c.block.account, pub_a, 32);
    memcpy(c.block.link, pub_b, 32);
    memcpy(c.block.representative, pub_a, 32);
    c.block.balance = smn_amount_from_u64(1000);
    c.subtype = LEDGER_SUBTYPE_SEND;
    c.amount = smn_amount_from_u64(5);
    return c;
}

static void test_builders(void **st)
{
    (void)st;
    size_t len;
    char *s = ws_msg_ack("subscribe", "r1", 123, &len);
    assert_string_equal(s, "{\"ack\":\"subscribe\",\"time\":\"123\",\"id\":\"r1\"}");
    assert_int_equal(len, strlen(s));
    free(s);
    s = ws_msg_ack("pong", NULL, 5, &len);
    assert_string_equal(s, "{\"ack\":\"pong\",\"time\":\"5\"}");
    free(s);
    s = ws_msg_error("bad", NULL, 9, &len);
    assert_string_equal(s, "{\"error\":\"bad\",\"time\":\"9\"}");
    free(s);

    ws_confirmation c = sample();
    s = ws_msg_confirmation(&c, true, false, 77, &len);
    json_t *j = json_loads(s, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "topic")), "confirmation");
    assert_string_equal(json_string_value(json_object_get(j, "time")), "77");
    assert_string_equal(json_string_value(json_object_get(j, "cursor")), "42");
    json_t *m = json_object_get(j, "message");
    assert_string_equal(json_string_value(json_object_get(m, "account")), addr_a);
    assert_string_equal(json_string_value(json_object_get(m, "amount")), "5");
    assert_string_equal(json_string_value(json_object_get(m, "hash")),
                        "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB");
    assert_string_equal(json_string_value(json_object_get(m, "confirmation_type")),
                        "active_quorum");
    json_t *b = json_object_get(m, "block");
    assert_string_equal(json_string_value(json_object_get(b, "subtype")), "send");
    assert_string_equal(json_string_value(json_object_get(b, "link_as_account")), addr_b);
    assert_string_equal(json_string_value(json_object_get(b, "balance")), "1000");
    json_decref(j);
    free(s);
    s = ws_msg_confirmation(&c, false, false, 77, &len);
    assert_null(strstr(s, "\"block\""));
    free(s);

    uint8_t sig[64], hashes[2][32];
    memset(sig, 0xCD, 64);
    memset(hashes[0], 1, 32);
    memset(hashes[1], 2, 32);
    s = ws_msg_vote(pub_a, sig, UINT64_MAX, (const uint8_t(*)[32])hashes, 2, 3, &len);
    j = json_loads(s, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "topic")), "vote");
    m = json_object_get(j, "message");
    assert_string_equal(json_string_value(json_object_get(m, "account")), addr_a);
    assert_string_equal(json_string_value(json_object_get(m, "timestamp")), "18446744073709551615");
    assert_int_equal(json_array_size(json_object_get(m, "blocks")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "blocks"), 1)),
                        "0202020202020202020202020202020202020202020202020202020202020202");
    assert_int_equal(strlen(json_string_value(json_object_get(m, "signature"))), 128);
    json_decref(j);
    free(s);

    ws_vm_event e = {.cursor = 9,
                     .height = 3,
                     .index = 1,
                     .session = 2,
                     .type = "token.mint",
                     .topic = 4,
                     .data = (const uint8_t *)"\x01\xff",
                     .data_len = 2};
    s = ws_msg_vm(&e, 1, &len);
    j = json_loads(s, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "topic")), "vm");
    assert_string_equal(json_string_value(json_object_get(j, "cursor")), "9");
    m = json_object_get(j, "message");
    assert_string_equal(json_string_value(json_object_get(m, "type")), "token.mint");
    assert_string_equal(json_string_value(json_object_get(m, "data")), "01FF");
    assert_string_equal(json_string_value(json_object_get(m, "height")), "3");
    json_decref(j);
    free(s);
}

static void test_matches(void **st)
{
    (void)st;
    ws_confirmation c = sample();
    ws_accounts fa = {.v = &pub_a, .n = 1}, fb = {.v = &pub_b, .n = 1}, none = {0};
    assert_true(ws_confirmation_matches(&c, &fa)); /* the block's account */
    assert_true(ws_confirmation_matches(&c, &fb)); /* a send's destination */
    assert_false(ws_confirmation_matches(&c, &none));
    c.subtype = LEDGER_SUBTYPE_RECEIVE; /* link is a hash then, not an account */
    assert_false(ws_confirmation_matches(&c, &fb));
}

static void test_names(void **st)
{
    (void)st;
    for (int t = 0; t < WS_TOPIC_COUNT; t++) {
        ws_topic back;
        assert_true(ws_topic_parse(ws_topic_name((ws_topic)t), &back));
        assert_int_equal(back, t);
    }
    assert_string_equal(ws_topic_name(WS_TOPIC_STOPPED_ELECTION), "stopped_election");
    assert_string_equal(ws_action_name(WS_ACTION_UPDATE), "update");
    assert_string_equal(ws_conf_type_name(WS_CONF_ACTIVE_CONFIRMATION_HEIGHT),
                        "active_confirmation_height");
}

static const char *field(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_t *message_of(char *s, const char *topic)
{
    json_t *j = json_loads(s, 0, NULL);
    free(s);
    assert_non_null(j);
    assert_string_equal(field(j, "topic"), topic);
    assert_string_equal(field(j, "time"), "9");
    return j;
}

static ws_election sample_election(void)
{
    ws_election e;
    memset(&e, 0, sizeof e);
    memset(e.hash, 0xAB, 32);
    e.reason = "confirmed";
    e.has_info = true;
    e.time_ms = 1234;
    e.duration_ms = 300;
    e.tally = smn_amount_from_u64(7000);
    e.final_tally = smn_amount_from_u64(6000);
    e.blocks = 2;
    e.voters = 3;
    e.request_count = 4;
    return e;
}

static void check_info(json_t *info)
{
    assert_non_null(info);
    assert_int_equal(json_object_size(info), 7);
    assert_string_equal(field(info, "duration"), "300");
    assert_string_equal(field(info, "time"), "1234");
    assert_string_equal(field(info, "tally"), "7000");
    assert_string_equal(field(info, "final"), "6000");
    assert_string_equal(field(info, "blocks"), "2");
    assert_string_equal(field(info, "voters"), "3");
    assert_string_equal(field(info, "request_count"), "4");
}

static void test_topic_builders(void **st)
{
    (void)st;
    size_t len;
    uint8_t h[32];
    memset(h, 0xAB, 32);
    const char *hex = "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB";

    json_t *j = message_of(ws_msg_started_election(h, 9, &len), "started_election");
    json_t *m = json_object_get(j, "message");
    assert_int_equal(json_object_size(m), 1);
    assert_string_equal(field(m, "hash"), hex);
    json_decref(j);

    ws_election e = sample_election();
    j = message_of(ws_msg_stopped_election(&e, 9, &len), "stopped_election");
    m = json_object_get(j, "message");
    assert_string_equal(field(m, "hash"), hex);
    assert_string_equal(field(m, "reason"), "confirmed");
    check_info(json_object_get(m, "election_info"));
    json_decref(j);
    e.has_info = false;
    e.reason = "expired";
    j = message_of(ws_msg_stopped_election(&e, 9, &len), "stopped_election");
    m = json_object_get(j, "message");
    assert_string_equal(field(m, "reason"), "expired");
    assert_null(json_object_get(m, "election_info"));
    json_decref(j);

    /* confirmation: election_info only when asked for and known */
    ws_confirmation c = sample();
    c.has_election = true;
    c.election = sample_election();
    j = message_of(ws_msg_confirmation(&c, false, true, 9, &len), "confirmation");
    check_info(json_object_get(json_object_get(j, "message"), "election_info"));
    json_decref(j);
    j = message_of(ws_msg_confirmation(&c, false, false, 9, &len), "confirmation");
    assert_null(json_object_get(json_object_get(j, "message"), "election_info"));
    json_decref(j);
    c.has_election = false;
    j = message_of(ws_msg_confirmation(&c, true, true, 9, &len), "confirmation");
    assert_null(json_object_get(json_object_get(j, "message"), "election_info"));
    json_decref(j);

    ws_telemetry t;
    memset(&t, 0, sizeof t);
    memset(t.node_id, 0x01, 32);
    memset(t.signature, 0x02, 64);
    memset(t.genesis, 0x03, 32);
    t.block_count = 11;
    t.cemented_count = 10;
    t.account_count = 2;
    t.peer_count = 1;
    t.protocol_version = 1;
    t.uptime = 60;
    t.timestamp = 99;
    snprintf(t.address, sizeof t.address, "::1");
    t.port = 17075;
    j = message_of(ws_msg_telemetry(&t, 9, &len), "telemetry");
    m = json_object_get(j, "message");
    assert_string_equal(field(m, "block_count"), "11");
    assert_string_equal(field(m, "cemented_count"), "10");
    assert_string_equal(field(m, "account_count"), "2");
    assert_string_equal(field(m, "peer_count"), "1");
    assert_string_equal(field(m, "protocol_version"), "1");
    assert_string_equal(field(m, "uptime"), "60");
    assert_string_equal(field(m, "timestamp"), "99");
    assert_string_equal(field(m, "address"), "::1");
    assert_string_equal(field(m, "port"), "17075");
    assert_string_equal(field(m, "node_id"),
                        "0101010101010101010101010101010101010101010101010101010101010101");
    assert_string_equal(field(m, "genesis_block"),
                        "0303030303030303030303030303030303030303030303030303030303030303");
    assert_int_equal(strlen(field(m, "signature")), 128);
    json_decref(j);

    ws_bootstrap b = {.reason = "started", .id = "a-1", .mode = "ascending"};
    j = message_of(ws_msg_bootstrap(&b, 9, &len), "bootstrap");
    m = json_object_get(j, "message");
    assert_int_equal(json_object_size(m), 3);
    assert_string_equal(field(m, "reason"), "started");
    assert_string_equal(field(m, "id"), "a-1");
    assert_string_equal(field(m, "mode"), "ascending");
    json_decref(j);
    b = (ws_bootstrap){.reason = "exited",
                       .id = "a-1",
                       .mode = "ascending",
                       .exited = true,
                       .total_blocks = 5,
                       .duration_s = 2};
    j = message_of(ws_msg_bootstrap(&b, 9, &len), "bootstrap");
    m = json_object_get(j, "message");
    assert_string_equal(field(m, "total_blocks"), "5");
    assert_string_equal(field(m, "duration"), "2");
    json_decref(j);

    ws_work w;
    memset(&w, 0, sizeof w);
    w.success = true;
    w.reason = "success";
    w.duration_ms = 12;
    memset(w.root, 0xFF, 32);
    w.base = 0xfffffe0000000000ull;
    w.difficulty = 0xfffffe0000000000ull;
    w.work = 0x4976765cd693babeull;
    w.result_difficulty = 0xffffff0000000000ull; /* twice as hard as the base */
    j = message_of(ws_msg_work(&w, 9, &len), "work");
    m = json_object_get(j, "message");
    assert_string_equal(field(m, "success"), "true");
    assert_string_equal(field(m, "reason"), "");
    assert_string_equal(field(m, "duration"), "12");
    json_t *rq = json_object_get(m, "request");
    assert_string_equal(field(rq, "version"), "work_1");
    assert_string_equal(field(rq, "hash"),
                        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    assert_string_equal(field(rq, "difficulty"), "fffffe0000000000");
    assert_string_equal(field(rq, "multiplier"), "1");
    json_t *rs = json_object_get(m, "result");
    assert_string_equal(field(rs, "source"), "local");
    assert_string_equal(field(rs, "work"), "4976765cd693babe");
    assert_string_equal(field(rs, "difficulty"), "ffffff0000000000");
    assert_string_equal(field(rs, "multiplier"), "2");
    assert_int_equal(json_array_size(json_object_get(m, "bad_peers")), 0);
    json_decref(j);
    w.success = false;
    w.reason = "cancelled";
    j = message_of(ws_msg_work(&w, 9, &len), "work");
    m = json_object_get(j, "message");
    assert_string_equal(field(m, "success"), "false");
    assert_string_equal(field(m, "reason"), "cancelled");
    assert_null(json_object_get(m, "result"));
    json_decref(j);
}

static void test_elcache(void **st)
{
    (void)st;
    ws_elcache c;
    assert_true(ws_elcache_init(&c));
    ws_election e = sample_election(), out;
    assert_false(ws_elcache_get(&c, e.hash, &out));
    ws_elcache_put(&c, &e);
    assert_true(ws_elcache_get(&c, e.hash, &out));
    assert_int_equal(out.voters, 3);
    assert_null(out.reason);
    /* same slot (first two bytes), other hash: replaces it */
    ws_election f = e;
    f.hash[31] ^= 1;
    f.voters = 9;
    assert_false(ws_elcache_get(&c, f.hash, &out));
    ws_elcache_put(&c, &f);
    assert_false(ws_elcache_get(&c, e.hash, &out));
    assert_true(ws_elcache_get(&c, f.hash, &out));
    assert_int_equal(out.voters, 9);
    ws_elcache_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subscribe_options),
        cmocka_unit_test(test_update_ping_unsubscribe),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_accounts_set),
        cmocka_unit_test(test_builders),
        cmocka_unit_test(test_topic_builders),
        cmocka_unit_test(test_elcache),
        cmocka_unit_test(test_matches),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
