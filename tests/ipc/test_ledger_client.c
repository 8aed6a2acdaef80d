/* The ledger client (ipc/ledger_client.h) against a small ledger server in
 * the test, on a temp Unix socket with the real endpoints: subscription with
 * topics, resubscription after the server drops the connection or refuses a
 * subscribe, typed decoding of every notification, the process result
 * mapping, confirm, the pending bound, and bad notifications rejected.
 * Also the wire enums' name tables (ipc/schema_ledger.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc/ipc.h"
#include "ipc/ledger_client.h"
#include "ipc/unix_socket.h"

/* ---- the server ---- */

typedef struct {
    struct event_base *base;
    ipc_endpoint *ep;
    int lfd;
    ipc_conn *conn; /* the last client connection that sent anything */
    int subscribes, processes, confirms;
    int refuse_subscribes;     /* answer this many subscribes with "error" */
    bool answer;               /* answer process / confirm at all */
    const char *result;        /* process_result's result name; NULL: "error" reply */
    char topics[128];          /* the last subscribe's topics, comma-separated */
    char last_origin[32];      /* the last process's origin */
    bool last_confirm_block;   /* the last confirm carried a block */
    bool last_confirm_backlog; /* its `backlog` field was true */
} server;

static void srv_msg(ipc_conn *c, const ipc_msg *m, void *ud)
{
    server *s = ud;
    s->conn = c;
    switch (ipc_ledger_kind_of(m)) {
    case IPC_LEDGER_K_SUBSCRIBE: {
        s->subscribes++;
        s->topics[0] = '\0';
        const ipc_obj *arr = ipc_get_array(m->body, "topics");
        for (size_t i = 0; arr && i < ipc_array_len(arr); i++) {
            const char *p;
            size_t n;
            assert_true(ipc_obj_str(ipc_array_at(arr, i), &p, &n));
            size_t at = strlen(s->topics);
            snprintf(s->topics + at, sizeof s->topics - at, "%s%.*s", i ? "," : "", (int)n, p);
        }
        if (s->refuse_subscribes > 0) {
            s->refuse_subscribes--;
            assert_int_equal(ipc_reply_error(c, m, "not yet"), IPC_OK);
            return;
        }
        ipc_builder b;
        ipc_build_begin(&b, "subscribed");
        assert_int_equal(ipc_reply(c, m, &b), IPC_OK);
        break;
    }
    case IPC_LEDGER_K_PROCESS: {
        s->processes++;
        assert_true(ipc_get_strz(m->body, "origin", s->last_origin, sizeof s->last_origin));
        if (!s->answer)
            return;
        if (!s->result) {
            assert_int_equal(ipc_reply_error(c, m, "no thanks"), IPC_OK);
            return;
        }
        ipc_builder b;
        ipc_build_begin(&b, "process_result");
        uint8_t h[32] = {1};
        ipc_put_bin(&b, "hash", h, 32);
        ipc_put_str(&b, "result", s->result);
        assert_int_equal(ipc_reply(c, m, &b), IPC_OK);
        break;
    }
    case IPC_LEDGER_K_CONFIRM: {
        s->confirms++;
        const uint8_t *p;
        size_t n;
        s->last_confirm_block = ipc_get_bin(m->body, "block", &p, &n);
        bool backlog = false;
        s->last_confirm_backlog = ipc_get_bool(m->body, "backlog", &backlog) && backlog;
        if (!s->answer)
            return;
        ipc_builder b;
        ipc_build_begin(&b, "confirm_result");
        ipc_put_uint(&b, "cemented", 3);
        ipc_put_uint(&b, "rolled_back", 1);
        assert_int_equal(ipc_reply(c, m, &b), IPC_OK);
        break;
    }
    default:
        fail_msg("unexpected '%s' at the server", m->kind->name);
    }
}

static void srv_start(server *s)
{
    ipc_endpoint_opts so = {.family = &ipc_family_ledger, .on_message = srv_msg, .ud = s};
    s->ep = ipc_listen_fd(s->base, s->lfd, false, &so);
    assert_non_null(s->ep);
    s->conn = NULL;
}

/* ---- the client's side ---- */

typedef struct {
    struct event_base *base;
    int accepted, forks, cemented, rolled, subscribed, downs, bad;
    ledger_client_accepted last_accepted;
    ledger_client_cemented last_cemented;
    ledger_client_fork last_fork;
    ledger_client_rolled_back last_rolled;
    char bad_kind[32];
    int done;
    ipc_status last_st;
    ledger_result last_r;
    uint64_t last_cem, last_rb;
} client;

static void c_accepted(void *u, const ledger_client_accepted *n)
{
    client *c = u;
    c->accepted++;
    c->last_accepted = *n;
}
static void c_fork(void *u, const ledger_client_fork *n)
{
    client *c = u;
    c->forks++;
    c->last_fork = *n;
}
static void c_cemented(void *u, const ledger_client_cemented *n)
{
    client *c = u;
    c->cemented++;
    c->last_cemented = *n;
}
static void c_rolled(void *u, const ledger_client_rolled_back *n)
{
    client *c = u;
    c->rolled++;
    c->last_rolled = *n;
}
static void c_subscribed(void *u)
{
    ((client *)u)->subscribed++;
}
static void c_down(void *u)
{
    ((client *)u)->downs++;
}
static void c_bad(void *u, const char *kind)
{
    client *c = u;
    c->bad++;
    snprintf(c->bad_kind, sizeof c->bad_kind, "%s", kind);
}
static void c_processed(void *u, ipc_status st, ledger_result r)
{
    client *c = u;
    c->done++;
    c->last_st = st;
    c->last_r = r;
}
static void c_confirmed(void *u, ipc_status st, uint64_t cem, uint64_t rb)
{
    client *c = u;
    c->done++;
    c->last_st = st;
    c->last_cem = cem;
    c->last_rb = rb;
}

static void run_for(struct event_base *base, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

/* Run the loop until *v >= want, for 5 s at most. */
#define WAIT_FOR(base, v, want)                                                                    \
    do {                                                                                           \
        for (int i_ = 0; i_ < 500 && (v) < (want); i_++)                                           \
            run_for(base, 10);                                                                     \
        assert_true((v) >= (want));                                                                \
    } while (0)

typedef struct {
    char dir[32];
    char path[96];
    struct event_base *base;
    server srv;
    client cli;
} fixture;

static void fx_setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/smn-lc-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/ledger.sock", f->dir);
    f->base = event_base_new();
    assert_non_null(f->base);
    f->srv.base = f->base;
    f->srv.answer = true;
    f->srv.result = "accepted";
    f->srv.lfd = ipc_unix_listen(f->path, 16);
    assert_true(f->srv.lfd >= 0);
    srv_start(&f->srv);
    f->cli.base = f->base;
}

static void fx_teardown(fixture *f)
{
    ipc_endpoint_free(f->srv.ep);
    close(f->srv.lfd);
    event_base_free(f->base);
    unlink(f->path);
    rmdir(f->dir);
}

static ledger_client_opts all_callbacks(client *c)
{
    return (ledger_client_opts){.on_block_accepted = c_accepted,
                                .on_fork = c_fork,
                                .on_block_cemented = c_cemented,
                                .on_rolled_back = c_rolled,
                                .on_subscribed = c_subscribed,
                                .on_down = c_down,
                                .on_bad_notification = c_bad,
                                .user = c,
                                .reconnect_min_ms = 10,
                                .reconnect_max_ms = 40};
}

static void sample_block(smn_block *b, uint8_t seed)
{
    memset(b, 0, sizeof *b);
    memset(b->account, seed, 32);
    memset(b->previous, seed + 1, 32);
    memset(b->representative, seed + 2, 32);
    memset(b->link, seed + 3, 32);
    b->balance = smn_amount_from_u64(1000u + seed);
    b->work = 0x1122334455667788ull;
}

static void notify_accepted(server *s, const char *subtype, const char *origin, uint64_t height)
{
    smn_block b;
    sample_block(&b, 7);
    uint8_t wire[SMN_BLOCK_WIRE_BYTES], h[32], amt[16];
    smn_block_serialize(&b, wire);
    smn_block_hash(&b, h);
    smn_amount_to_be(smn_amount_from_u64(42), amt);
    ipc_builder nb;
    ipc_build_begin(&nb, "block_accepted");
    ipc_put_bin(&nb, "hash", h, 32);
    ipc_put_bin(&nb, "block", wire, sizeof wire);
    ipc_put_uint(&nb, "height", height);
    ipc_put_str(&nb, "subtype", subtype);
    ipc_put_bin(&nb, "amount", amt, 16);
    ipc_put_str(&nb, "origin", origin);
    assert_int_equal(ipc_notify(s->conn, &nb), IPC_OK);
}

static void notify_cemented(server *s, uint64_t seq, uint64_t height)
{
    uint8_t h[32], acc[32], link[32], src[32], amt[16], prev[16], bal[16];
    memset(h, 0xa1, 32);
    memset(acc, 0xa2, 32);
    memset(link, 0xa3, 32);
    memset(src, 0xa4, 32);
    smn_amount_to_be(smn_amount_from_u64(5), amt);
    smn_amount_to_be(smn_amount_from_u64(100), prev);
    smn_amount_to_be(smn_amount_from_u64(95), bal);
    ipc_builder nb;
    ipc_build_begin(&nb, "block_cemented");
    ipc_put_bin(&nb, "hash", h, 32);
    ipc_put_bin(&nb, "account", acc, 32);
    ipc_put_uint(&nb, "height", height);
    ipc_put_str(&nb, "subtype", "send");
    ipc_put_bin(&nb, "amount", amt, 16);
    ipc_put_bin(&nb, "prev_balance", prev, 16);
    ipc_put_bin(&nb, "balance", bal, 16);
    ipc_put_bin(&nb, "link", link, 32);
    ipc_put_bin(&nb, "source_account", src, 32);
    ipc_put_uint(&nb, "seq", seq);
    assert_int_equal(ipc_notify(s->conn, &nb), IPC_OK);
}

static void notify_fork_and_rollback(server *s)
{
    smn_block b;
    sample_block(&b, 9);
    uint8_t wire[SMN_BLOCK_WIRE_BYTES], h[32];
    smn_block_serialize(&b, wire);
    smn_block_hash(&b, h);
    ipc_builder nb;
    ipc_build_begin(&nb, "fork");
    ipc_put_bin(&nb, "hash", h, 32);
    ipc_put_bin(&nb, "block", wire, sizeof wire);
    ipc_put_bin(&nb, "root", b.previous, 32);
    assert_int_equal(ipc_notify(s->conn, &nb), IPC_OK);
    ipc_build_begin(&nb, "rolled_back");
    ipc_put_bin(&nb, "hash", h, 32);
    ipc_put_bin(&nb, "account", b.account, 32);
    ipc_put_uint(&nb, "height", 12);
    assert_int_equal(ipc_notify(s->conn, &nb), IPC_OK);
}

/* ---- tests ---- */

static void test_name_tables(void **state)
{
    (void)state;
    /* The names as the schema (ipc/schema_ledger.h) and docs list them. */
    static const char *const results[] = {"accepted",
                                          "bad_signature",
                                          "insufficient_work",
                                          "old",
                                          "fork",
                                          "gap_previous",
                                          "gap_source",
                                          "already_received",
                                          "wrong_destination",
                                          "balance_mismatch",
                                          "bad_change_link",
                                          "bad_open",
                                          "previous_account",
                                          "pruned",
                                          "busy",
                                          "queued",
                                          "error"};
    static const char *const subtypes[] = {"send", "receive", "open", "change"};
    static const char *const origins[] = {"rpc", "net", "bootstrap", "wallet", "unchecked"};
    assert_int_equal(sizeof results / sizeof *results, LEDGER_RESULT_COUNT);
    assert_int_equal(sizeof subtypes / sizeof *subtypes, LEDGER_SUBTYPE_COUNT);
    assert_int_equal(sizeof origins / sizeof *origins, LEDGER_ORIGIN_COUNT);

    for (int i = 0; i < LEDGER_RESULT_COUNT; i++) {
        const char *n = ipc_ledger_result_name((ledger_result)i);
        assert_string_equal(n, results[i]);
        ledger_result back = LEDGER_RESULT_COUNT;
        assert_true(ipc_ledger_result_parse(n, strlen(n), &back));
        assert_int_equal(back, i);
        /* every name is a valid `result` of the schema */
        ipc_builder b;
        ipc_build_begin(&b, ipc_ledger_kind_name(IPC_LEDGER_K_PROCESS_RESULT));
        uint8_t h[32] = {0};
        ipc_put_bin(&b, "hash", h, 32);
        ipc_put_str(&b, "result", n);
        assert_int_equal(ipc_build_finish(&b, &ipc_family_ledger, 0, 1, NULL), IPC_OK);
        ipc_build_free(&b);
    }
    for (int i = 0; i < LEDGER_SUBTYPE_COUNT; i++) {
        const char *n = ipc_ledger_subtype_name((ledger_subtype)i);
        assert_string_equal(n, subtypes[i]);
        ledger_subtype back;
        assert_true(ipc_ledger_subtype_parse(n, strlen(n), &back));
        assert_int_equal(back, i);
        assert_true(strlen(n) <= IPC_LEDGER_NAME_MAX);
    }
    for (int i = 0; i < LEDGER_ORIGIN_COUNT; i++) {
        const char *n = ipc_ledger_origin_name((ledger_origin)i);
        assert_string_equal(n, origins[i]);
        ledger_origin back;
        assert_true(ipc_ledger_origin_parse(n, strlen(n), &back));
        assert_int_equal(back, i);
        assert_true(strlen(n) <= IPC_LEDGER_NAME_MAX);
    }
    /* The kind enum is the schema's table, in order, and ipc_ledger_kind_of
     * maps a decoded message back to it. */
    assert_int_equal(ipc_family_ledger.nkinds, IPC_LEDGER_K_COUNT);
    for (int k = 0; k < IPC_LEDGER_K_COUNT; k++) {
        const char *n = ipc_ledger_kind_name((ipc_ledger_kind)k);
        assert_string_equal(n, ipc_family_ledger.kinds[k].name);
        ipc_ledger_kind back;
        assert_true(ipc_ledger_kind_parse(n, strlen(n), &back));
        assert_int_equal(back, k);
        ipc_msg m = {.kind = ipc_family_find(&ipc_family_ledger, n, strlen(n))};
        assert_int_equal(ipc_ledger_kind_of(&m), k);
    }
    ipc_msg ping = {.kind = ipc_family_find(&ipc_family_ledger, "ping", 4)};
    assert_non_null(ping.kind);
    assert_int_equal(ipc_ledger_kind_of(&ping), IPC_LEDGER_K_OTHER);
    /* unknown or near-miss names parse to nothing */
    ledger_result r;
    ledger_subtype t;
    ledger_origin o;
    ipc_ledger_kind k;
    assert_false(ipc_ledger_result_parse("accept", 6, &r));
    assert_false(ipc_ledger_result_parse("acceptedx", 9, &r));
    assert_false(ipc_ledger_subtype_parse("Send", 4, &t));
    assert_false(ipc_ledger_origin_parse("", 0, &o));
    assert_false(ipc_ledger_kind_parse("block_accept", 12, &k));
    assert_string_equal(ipc_ledger_result_name(LEDGER_RESULT_COUNT), "unknown");
}

static void test_subscribe_and_typed_decode(void **state)
{
    (void)state;
    fixture f;
    fx_setup(&f);
    ledger_client_opts o = {.on_block_accepted = c_accepted,
                            .on_block_cemented = c_cemented,
                            .on_subscribed = c_subscribed,
                            .user = &f.cli};
    ledger_client *lc = ledger_client_connect(f.base, f.path, &o);
    assert_non_null(lc);
    WAIT_FOR(f.base, f.cli.subscribed, 1);
    assert_true(ledger_client_subscribed(lc));
    assert_string_equal(f.srv.topics, "block_accepted,block_cemented");

    notify_accepted(&f.srv, "send", "net", 5);
    notify_fork_and_rollback(&f.srv); /* not subscribed: ignored */
    notify_cemented(&f.srv, 77, 3);
    WAIT_FOR(f.base, f.cli.cemented, 1);
    assert_int_equal(f.cli.accepted, 1);
    assert_int_equal(f.cli.forks, 0);
    assert_int_equal(f.cli.rolled, 0);

    smn_block want;
    sample_block(&want, 7);
    uint8_t wh[32];
    smn_block_hash(&want, wh);
    const ledger_client_accepted *a = &f.cli.last_accepted;
    assert_memory_equal(a->hash, wh, 32);
    assert_memory_equal(&a->block, &want, sizeof want);
    assert_int_equal(a->height, 5);
    assert_int_equal(a->subtype, LEDGER_SUBTYPE_SEND);
    assert_int_equal(a->origin, LEDGER_ORIGIN_NET);
    assert_true(smn_amount_eq(a->amount, smn_amount_from_u64(42)));

    const ledger_client_cemented *cm = &f.cli.last_cemented;
    assert_int_equal(cm->seq, 77);
    assert_int_equal(cm->height, 3);
    assert_int_equal(cm->subtype, LEDGER_SUBTYPE_SEND);
    assert_true(smn_amount_eq(cm->amount, smn_amount_from_u64(5)) &&
                smn_amount_eq(cm->prev_balance, smn_amount_from_u64(100)) &&
                smn_amount_eq(cm->balance, smn_amount_from_u64(95)));
    uint8_t x[32];
    memset(x, 0xa3, 32);
    assert_memory_equal(cm->link, x, 32);
    memset(x, 0xa4, 32);
    assert_memory_equal(cm->source_account, x, 32);

    ledger_client_free(lc);
    fx_teardown(&f);
}

static void test_fork_and_rolled_back(void **state)
{
    (void)state;
    fixture f;
    fx_setup(&f);
    ledger_client_opts o = all_callbacks(&f.cli);
    ledger_client *lc = ledger_client_connect(f.base, f.path, &o);
    WAIT_FOR(f.base, f.cli.subscribed, 1);
    assert_string_equal(f.srv.topics, "block_accepted,fork,block_cemented,rolled_back");
    notify_fork_and_rollback(&f.srv);
    WAIT_FOR(f.base, f.cli.rolled, 1);
    assert_int_equal(f.cli.forks, 1);
    smn_block want;
    sample_block(&want, 9);
    assert_memory_equal(&f.cli.last_fork.block, &want, sizeof want);
    assert_memory_equal(f.cli.last_fork.root, want.previous, 32);
    assert_int_equal(f.cli.last_rolled.height, 12);
    assert_memory_equal(f.cli.last_rolled.account, want.account, 32);
    ledger_client_free(lc);
    fx_teardown(&f);
}

static void test_reconnect_and_resubscribe(void **state)
{
    (void)state;
    fixture f;
    fx_setup(&f);
    f.srv.refuse_subscribes = 1; /* the first subscribe fails: reconnect, again */
    ledger_client_opts o = all_callbacks(&f.cli);
    ledger_client *lc = ledger_client_connect(f.base, f.path, &o);
    WAIT_FOR(f.base, f.cli.subscribed, 1);
    assert_int_equal(f.srv.subscribes, 2);
    assert_int_equal(f.cli.downs, 1);

    /* A request in flight when the ledger "restarts" fails with CLOSED. */
    f.srv.answer = false;
    smn_block b;
    sample_block(&b, 1);
    assert_int_equal(ledger_client_process(lc, &b, LEDGER_ORIGIN_RPC, c_processed, &f.cli), IPC_OK);
    WAIT_FOR(f.base, f.srv.processes, 1);
    assert_int_equal(ledger_client_pending(lc), 1);

    /* The server restarts: connections drop, the listening socket stays. */
    ipc_endpoint_free(f.srv.ep);
    WAIT_FOR(f.base, f.cli.downs, 2);
    assert_int_equal(f.cli.done, 1);
    assert_int_equal(f.cli.last_st, IPC_E_CLOSED);
    assert_int_equal(f.cli.last_r, LEDGER_RESULT_COUNT);
    assert_int_equal(ledger_client_pending(lc), 0);
    assert_false(ledger_client_subscribed(lc));
    srv_start(&f.srv);
    f.srv.answer = true;
    WAIT_FOR(f.base, f.cli.subscribed, 2);
    assert_int_equal(f.srv.subscribes, 3);
    assert_int_equal(ledger_client_subscriptions(lc), 2);

    /* Notifications flow on the new connection. */
    notify_accepted(&f.srv, "open", "unchecked", 1);
    WAIT_FOR(f.base, f.cli.accepted, 1);
    assert_int_equal(f.cli.last_accepted.subtype, LEDGER_SUBTYPE_OPEN);
    assert_int_equal(f.cli.last_accepted.origin, LEDGER_ORIGIN_UNCHECKED);
    ledger_client_free(lc);
    fx_teardown(&f);
}

static void process_once(fixture *f, ledger_client *lc, ledger_origin origin)
{
    int before = f->cli.done;
    smn_block b;
    sample_block(&b, 3);
    assert_int_equal(ledger_client_process(lc, &b, origin, c_processed, &f->cli), IPC_OK);
    WAIT_FOR(f->base, f->cli.done, before + 1);
}

static void test_process_result_mapping(void **state)
{
    (void)state;
    fixture f;
    fx_setup(&f);
    ledger_client_opts o = {.max_pending = 2, .reconnect_min_ms = 10};
    ledger_client *lc = ledger_client_connect(f.base, f.path, &o);
    for (int i = 0; i < 500 && !ledger_client_connected(lc); i++)
        run_for(f.base, 10);
    assert_true(ledger_client_connected(lc));
    assert_false(ledger_client_subscribed(lc)); /* no callbacks: no subscribe */

    for (int r = 0; r < LEDGER_RESULT_COUNT; r++) {
        f.srv.result = ipc_ledger_result_name((ledger_result)r);
        process_once(&f, lc, (ledger_origin)(r % LEDGER_ORIGIN_UNCHECKED));
        assert_int_equal(f.cli.last_st, IPC_OK);
        assert_int_equal(f.cli.last_r, r);
        assert_string_equal(f.srv.last_origin,
                            ipc_ledger_origin_name((ledger_origin)(r % LEDGER_ORIGIN_UNCHECKED)));
    }
    f.srv.result = "not_a_result";
    process_once(&f, lc, LEDGER_ORIGIN_WALLET);
    assert_int_equal(f.cli.last_st, IPC_E_MALFORMED);
    assert_int_equal(f.cli.last_r, LEDGER_RESULT_COUNT);
    f.srv.result = NULL; /* "error" reply */
    process_once(&f, lc, LEDGER_ORIGIN_BOOTSTRAP);
    assert_int_equal(f.cli.last_st, IPC_E_REMOTE);
    assert_int_equal(f.srv.processes, LEDGER_RESULT_COUNT + 2);

    /* "unchecked" is the ledger's own origin: never sent. */
    smn_block b;
    sample_block(&b, 4);
    assert_int_equal(ledger_client_process(lc, &b, LEDGER_ORIGIN_UNCHECKED, c_processed, &f.cli),
                     IPC_E_INVALID);

    /* confirm, with and without the winner's block */
    uint8_t h[32] = {5};
    int before = f.cli.done;
    assert_int_equal(ledger_client_confirm(lc, h, &b, c_confirmed, &f.cli), IPC_OK);
    WAIT_FOR(f.base, f.cli.done, before + 1);
    assert_int_equal(f.cli.last_st, IPC_OK);
    assert_int_equal(f.cli.last_cem, 3);
    assert_int_equal(f.cli.last_rb, 1);
    assert_true(f.srv.last_confirm_block);
    assert_int_equal(ledger_client_confirm(lc, h, NULL, c_confirmed, &f.cli), IPC_OK);
    WAIT_FOR(f.base, f.cli.done, before + 2);
    assert_false(f.srv.last_confirm_block);
    assert_false(f.srv.last_confirm_backlog); /* absent: fresh */
    /* backlog work says so; the ledger serves fresh confirms first */
    assert_int_equal(ledger_client_confirm_backlog(lc, h, &b, 0, c_confirmed, &f.cli), IPC_OK);
    WAIT_FOR(f.base, f.cli.done, before + 3);
    assert_int_equal(f.cli.last_st, IPC_OK);
    assert_true(f.srv.last_confirm_block);
    assert_true(f.srv.last_confirm_backlog);
    assert_int_equal(ledger_client_confirm_wait(lc, h, NULL, 0, c_confirmed, &f.cli), IPC_OK);
    WAIT_FOR(f.base, f.cli.done, before + 4);
    assert_false(f.srv.last_confirm_backlog);

    /* The pending bound: two unanswered, the third refused at once. */
    f.srv.answer = false;
    before = f.cli.done;
    assert_int_equal(ledger_client_process(lc, &b, LEDGER_ORIGIN_NET, c_processed, &f.cli), IPC_OK);
    assert_int_equal(ledger_client_confirm(lc, h, NULL, c_confirmed, &f.cli), IPC_OK);
    assert_int_equal(ledger_client_process(lc, &b, LEDGER_ORIGIN_NET, c_processed, &f.cli),
                     IPC_E_QUEUE_FULL);
    assert_int_equal(ledger_client_pending(lc), 2);
    run_for(f.base, 50);
    assert_int_equal(f.cli.done, before);
    /* Freeing the client answers both, exactly once. */
    ledger_client_free(lc);
    assert_int_equal(f.cli.done, before + 2);
    assert_int_equal(f.cli.last_st, IPC_E_CLOSED);
    fx_teardown(&f);
}

static void test_no_connection(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    client cli = {.base = base};
    ledger_client_opts o = {.reconnect_min_ms = 10};
    ledger_client *lc = ledger_client_connect(base, "/tmp/smn-lc-no-such-dir/ledger.sock", &o);
    assert_non_null(lc);
    run_for(base, 30);
    smn_block b;
    sample_block(&b, 1);
    assert_int_equal(ledger_client_process(lc, &b, LEDGER_ORIGIN_RPC, c_processed, &cli),
                     IPC_E_CLOSED);
    assert_int_equal(cli.done, 0);
    ledger_client_free(lc);
    event_base_free(base);
}

static void test_bad_notification_rejected(void **state)
{
    (void)state;
    fixture f;
    fx_setup(&f);
    ledger_client_opts o = all_callbacks(&f.cli);
    ledger_client *lc = ledger_client_connect(f.base, f.path, &o);
    WAIT_FOR(f.base, f.cli.subscribed, 1);
    notify_accepted(&f.srv, "sideways", "net", 5); /* unknown subtype */
    WAIT_FOR(f.base, f.cli.bad, 1);
    assert_string_equal(f.cli.bad_kind, "block_accepted");
    notify_accepted(&f.srv, "send", "elsewhere", 5); /* unknown origin */
    WAIT_FOR(f.base, f.cli.bad, 2);
    notify_accepted(&f.srv, "send", "net", 0); /* height 0 */
    WAIT_FOR(f.base, f.cli.bad, 3);
    notify_cemented(&f.srv, 0, 1); /* seq 0 */
    WAIT_FOR(f.base, f.cli.bad, 4);
    assert_string_equal(f.cli.bad_kind, "block_cemented");
    assert_int_equal(f.cli.accepted, 0);
    assert_int_equal(f.cli.cemented, 0);
    /* The connection stays, and good ones still arrive. */
    notify_accepted(&f.srv, "receive", "bootstrap", 2);
    WAIT_FOR(f.base, f.cli.accepted, 1);
    assert_int_equal(f.cli.last_accepted.subtype, LEDGER_SUBTYPE_RECEIVE);
    assert_int_equal(f.cli.downs, 0);
    ledger_client_free(lc);
    fx_teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_tables),
        cmocka_unit_test(test_subscribe_and_typed_decode),
        cmocka_unit_test(test_fork_and_rolled_back),
        cmocka_unit_test(test_reconnect_and_resubscribe),
        cmocka_unit_test(test_process_result_mapping),
        cmocka_unit_test(test_no_connection),
        cmocka_unit_test(test_bad_notification_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
