/* The ws process's wiring: ledger client -> confirmation ring -> clients;
 * see service.h. Every piece of work is a bounded step scheduled as a
 * zero-delay timer, so libevent polls the sockets (heartbeats, the ledger,
 * the WebSocket) between steps. */
#include "procs/ws/service.h"

#include <event2/event.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/network.h"
#include "ipc/ledger_client.h"
#include "ipc/ledgerdb/ro.h"
#include "ipc/ledgerdb/schema.h"
#include "procs/ws/cursor.h"
#include "procs/ws/server.h"
#include "procs/ws/topics.h"
#include "procs/ws/uvpump.h"
#include "procs/ws/vmfeed.h"
#include "procs/ws/votefeed.h"
#include "procs/ws/wsmsg.h"

#define RING_MAX 8192   /* newest confirmations kept rendered for every client */
#define PAGE_MAX 256    /* cementing-log rows per DB read */
#define STEP_BUDGET 512 /* ring entries one client looks at per step */
#define LISTEN_RETRY_MIN_MS 1000u
#define LISTEN_RETRY_MAX_MS 30000u
#define TICK_MS 250 /* slow clients, status line, safety-net read of the log */

struct ws_service {
    ipc_child *ch;
    const ipc_config *cfg;
    const smn_network *net;
    struct event_base *base;
    ws_uvpump *pump;
    ws_server *srv;
    ledger_client *lc;
    ws_vmfeed *vm;
    ws_votefeed *votes;
    ws_topics *topics;
    char ledger_path[512];
    ledger_ro *ro;
    ws_ring ring;
    bool ring_ok;
    bool head_known;    /* the ring starts at the log's head (read once the DB exists) */
    uint64_t announced; /* highest seq a block_cemented named */
    ws_confirmation *page;
    struct event *fill_ev, *step_ev, *tick_ev, *listen_ev;
    uint32_t retry_ms;
    uint64_t delivered, closed_slow;
    char last_err[256];
};

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void soon(struct event *ev)
{
    static const struct timeval zero = {0, 0};
    event_add(ev, &zero);
}

/* Log a failure once, not on every retry. A ledger DB that does not exist
 * yet is normal while the ledger process starts: info, not a warning. */
static void report(ws_service *s, const char *line)
{
    if (strcmp(line, s->last_err) != 0) {
        smn_log(s->head_known ? SMN_LOG_WARN : SMN_LOG_INFO, "%s (retrying)", line);
        snprintf(s->last_err, sizeof s->last_err, "%.200s", line);
    }
}

/* ------------------------------------------------------------ ledger DB */

static bool open_ro(ws_service *s)
{
    if (s->ro)
        return true;
    char err[200] = "";
    ledger_status st = ledger_ro_open(s->ledger_path, s->net, &s->ro, err, sizeof err);
    if (st != LEDGER_STATUS_OK) {
        char line[300];
        snprintf(line, sizeof line, "ledger db %.120s: %.150s", s->ledger_path,
                 err[0] ? err : ledger_strerror(st));
        report(s, line);
        s->ro = NULL;
        return false;
    }
    return true;
}

static void ro_failed(ws_service *s, const char *what)
{
    char line[400];
    snprintf(line, sizeof line, "%s: %s", what, ledger_ro_errmsg(s->ro));
    report(s, line);
    /* Reopen next time: the file may have been replaced. */
    ledger_ro_close(s->ro);
    s->ro = NULL;
}

/* ws_conf_source over ledger.db. */
static int read_log(void *user, uint64_t after, ws_confirmation *out, size_t max, size_t *n)
{
    ws_service *s = user;
    *n = 0;
    if (!open_ro(s))
        return -1;
    ledger_ro_cemented rows[PAGE_MAX];
    if (max > PAGE_MAX)
        max = PAGE_MAX;
    size_t k = 0;
    if (ledger_ro_cemented_after(s->ro, after, rows, max, &k) != LEDGER_STATUS_OK) {
        ro_failed(s, "reading the cementing log");
        return -1;
    }
    for (size_t i = 0; i < k; i++) {
        ws_confirmation *c = &out[i];
        memset(c, 0, sizeof *c);
        c->seq = rows[i].seq;
        memcpy(c->hash, rows[i].hash, 32);
        c->pruned = rows[i].pruned;
        if (!c->pruned) {
            c->block = rows[i].rec.block;
            c->subtype = rows[i].rec.subtype;
            c->amount = rows[i].rec.amount;
        }
        ws_topics_election_of(s->topics, c);
    }
    *n = k;
    return 0;
}

/* ---------------------------------------------------------------- steps */

static void want_step(ws_service *s, ws_client *c)
{
    if (c->conf.on && !c->closing) {
        c->stepping = true;
        soon(s->step_ev);
    }
}

static void wake_all(ws_service *s)
{
    for (ws_client *c = ws_server_first(s->srv); c; c = c->next)
        want_step(s, c);
}

/* Where a client resumes: every confirmation up to it was sent to it or
 * did not match its filter. */
static uint64_t conf_resume(const ws_client *c)
{
    uint64_t first;
    if (ws_outq_first(&c->q, WS_STREAM_CONF, &first))
        return first - 1;
    return c->conf.scan;
}

static void close_slow(ws_service *s, ws_client *c, const char *why)
{
    char reason[WS_CLOSE_REASON_MAX + 1];
    uint64_t vm = ws_vmfeed_resume(c);
    if (c->conf.on && c->vm)
        snprintf(reason, sizeof reason,
                 "slow_consumer: resume confirmation from=%" PRIu64 " vm from=%" PRIu64,
                 conf_resume(c), vm);
    else if (c->vm)
        snprintf(reason, sizeof reason, "slow_consumer: resume vm from=%" PRIu64, vm);
    else if (c->conf.on)
        snprintf(reason, sizeof reason, "slow_consumer: resume from=%" PRIu64, conf_resume(c));
    else
        snprintf(reason, sizeof reason, "slow_consumer"); /* live-only topics */
    smn_info("client %" PRIu64 " %s (%s), closed", c->id, reason, why);
    s->closed_slow++;
    ws_server_close(s->srv, c, WS_CLOSE_POLICY, reason);
}

static void on_step(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ws_service *s = arg;
    bool more = false;
    uint64_t now = wall_ms();
    ws_client *next;
    for (ws_client *c = ws_server_first(s->srv); c; c = next) {
        next = c->next;
        if (!c->stepping || c->closing)
            continue;
        size_t before = c->q.n;
        ws_step st = ws_conf_step(&c->conf, &c->q, &s->ring, read_log, s, s->page, PAGE_MAX,
                                  STEP_BUDGET, now);
        if (c->q.n > before) {
            s->delivered += c->q.n - before;
            ws_server_want_write(s->srv, c);
        }
        switch (st) {
        case WS_STEP_MORE:
            more = true;
            break;
        case WS_STEP_FULL:
            c->stepping = false;
            if (!c->full_since_ms)
                c->full_since_ms = mono_ms();
            break;
        case WS_STEP_IDLE:
            c->stepping = false;
            break;
        case WS_STEP_ERR:
            /* Retried at the next tick. */
            c->stepping = false;
            break;
        }
    }
    if (more)
        soon(s->step_ev);
}

/* The ring starts at the log's head: older confirmations come from the
 * DB. Clients that subscribed live before the head was known start there. */
static bool learn_head(ws_service *s)
{
    uint64_t head = 0;
    if (!open_ro(s))
        return false;
    if (ledger_ro_cement_head(s->ro, &head) != LEDGER_STATUS_OK) {
        ro_failed(s, "reading the cementing log's head");
        return false;
    }
    s->ring.base = s->ring.last = head;
    s->head_known = true;
    for (ws_client *c = ws_server_first(s->srv); c; c = c->next)
        if (c->conf.on && c->conf_live_start && c->conf.scan < head)
            c->conf.scan = c->conf_sent = head;
    return true;
}

static bool conf_wanted(ws_service *s)
{
    for (ws_client *c = ws_server_first(s->srv); c; c = c->next)
        if (c->conf.on && !c->closing)
            return true;
    return false;
}

/* Read the next page of the cementing log into the ring. With no
 * confirmation subscriber nothing is read or rendered (that was most of
 * this process's CPU on a busy node): the ring stays empty at the newest
 * seq announced, and the first subscriber rebases it (rebase_ring). */
static void on_fill(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ws_service *s = arg;
    size_t n = 0;
    if (!s->head_known && !learn_head(s))
        return; /* the tick retries */
    if (!conf_wanted(s)) {
        if (s->ring.n || s->announced > s->ring.last)
            ws_ring_reset(&s->ring, s->announced);
        return;
    }
    if (read_log(s, s->ring.last, s->page, PAGE_MAX, &n) != 0)
        return; /* the tick retries */
    s->last_err[0] = '\0';
    uint64_t now = wall_ms();
    for (size_t i = 0; i < n; i++)
        if (!ws_ring_append(&s->ring, &s->page[i], now)) {
            smn_warn("out of memory rendering seq %" PRIu64, s->page[i].seq);
            return;
        }
    if (n) {
        wake_all(s);
        if (n == PAGE_MAX)
            soon(s->fill_ev);
    }
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ws_service *s = arg;
    uint64_t now = mono_ms();
    ws_client *next;
    for (ws_client *c = ws_server_first(s->srv); c; c = next) {
        next = c->next;
        if (c->closing)
            continue;
        if (c->full_since_ms && now - c->full_since_ms >= s->cfg->ws_slow_client_ms) {
            close_slow(s, c, "its queue stayed full");
            continue;
        }
        if (c->conf.on && c->conf.scan < s->ring.last && !c->stepping && !c->full_since_ms)
            want_step(s, c); /* e.g. after a DB error */
    }
    /* Safety net: a block_cemented lost with a ledger restart. */
    if (s->ring_ok)
        soon(s->fill_ev);
    if (!s->srv)
        return; /* the detail says it is not serving */
    char detail[128];
    snprintf(detail, sizeof detail, "%zu clients, cursor %" PRIu64 ", %" PRIu64 " queued",
             ws_server_clients(s->srv), s->ring.last, s->delivered);
    ipc_child_set_detail(s->ch, detail);
}

/* --------------------------------------------------------- ledger client */

static void on_cemented(void *user, const ledger_client_cemented *n)
{
    ws_service *s = user;
    if (n->seq > s->announced)
        s->announced = n->seq;
    if (n->seq > s->ring.last)
        soon(s->fill_ev);
}

static void push_live(ws_service *s, ws_topic topic, char *text, size_t len)
{
    if (!text)
        return;
    ws_buf *b = ws_buf_new(text, len);
    free(text);
    if (!b)
        return;
    ws_client *next;
    for (ws_client *c = ws_server_first(s->srv); c; c = next) {
        next = c->next;
        if (!c->topics[topic] || c->closing)
            continue;
        if (!ws_outq_push(&c->q, b, WS_STREAM_NONE, 0)) {
            close_slow(s, c, "its queue is full");
            continue;
        }
        s->delivered++;
        ws_server_want_write(s->srv, c);
    }
    ws_buf_unref(b);
}

static bool anyone_on(ws_service *s, ws_topic topic)
{
    for (ws_client *c = ws_server_first(s->srv); c; c = c->next)
        if (c->topics[topic])
            return true;
    return false;
}

/* ws_topics' callbacks */
static bool topic_wanted(void *user, ws_topic topic)
{
    return anyone_on(user, topic);
}

static void topic_push(void *user, ws_topic topic, char *text, size_t len)
{
    push_live(user, topic, text, len);
}

static void on_vote(void *user, const smn_vote *v)
{
    ws_service *s = user;
    if (!anyone_on(s, WS_TOPIC_VOTE))
        return;
    size_t len = 0;
    char *text = ws_msg_vote(v->account, v->signature, v->timestamp,
                             (const uint8_t(*)[32])v->hashes, v->count, wall_ms(), &len);
    push_live(s, WS_TOPIC_VOTE, text, len);
}

static void on_accepted(void *user, const ledger_client_accepted *n)
{
    ws_service *s = user;
    if (!anyone_on(s, WS_TOPIC_NEW_UNCONFIRMED_BLOCK))
        return;
    size_t len = 0;
    char *text = ws_msg_new_block(&n->block, n->subtype, wall_ms(), &len);
    push_live(s, WS_TOPIC_NEW_UNCONFIRMED_BLOCK, text, len);
}

static void on_subscribed(void *user)
{
    ws_service *s = user;
    soon(s->fill_ev);
}

/* ------------------------------------------------------------- requests */

static void send_text(ws_service *s, ws_client *c, char *text, size_t len)
{
    if (!text)
        return;
    ws_buf *b = ws_buf_new(text, len);
    free(text);
    if (!b)
        return;
    /* Acks and errors are small and rare: they may go past the bound. */
    size_t max = c->q.max_bytes;
    c->q.max_bytes = SIZE_MAX;
    ws_outq_push(&c->q, b, WS_STREAM_NONE, 0);
    c->q.max_bytes = max;
    ws_buf_unref(b);
    ws_server_want_write(s->srv, c);
}

static void reply_error(ws_service *s, ws_client *c, const char *msg, const ws_request *r)
{
    size_t len = 0;
    char *t = ws_msg_error(msg, r && r->has_id ? r->id : NULL, wall_ms(), &len);
    send_text(s, c, t, len);
}

static void reply_ack(ws_service *s, ws_client *c, const ws_request *r)
{
    if (!r->ack && r->action != WS_ACTION_PING)
        return;
    size_t len = 0;
    const char *ack = r->action == WS_ACTION_PING ? "pong" : ws_action_name(r->action);
    char *t = ws_msg_ack(ack, r->has_id ? r->id : NULL, wall_ms(), &len);
    send_text(s, c, t, len);
}

/* The first confirmation subscriber after none: the ring restarts at the
 * log's head (a notification lost with a ledger restart would otherwise
 * leave it behind), so a live subscription starts after what was
 * cemented before it. */
static void rebase_ring(ws_service *s)
{
    uint64_t head = 0;
    if (!s->head_known || !open_ro(s))
        return;
    if (ledger_ro_cement_head(s->ro, &head) != LEDGER_STATUS_OK) {
        ro_failed(s, "reading the cementing log's head");
        return;
    }
    ws_ring_reset(&s->ring, head);
}

static void subscribe_conf(ws_service *s, ws_client *c, ws_request *r)
{
    if (!c->conf.on && !conf_wanted(s))
        rebase_ring(s);
    ws_conf_sub *cs = &c->conf;
    ws_accounts_free(&cs->accounts);
    cs->accounts = r->accounts;
    r->accounts = (ws_accounts){0};
    cs->filtered = r->has_accounts;
    cs->include_block = r->include_block;
    cs->include_election_info = r->include_election_info;
    cs->type = r->conf_type;
    if (r->has_from || !cs->on) {
        /* A resubscribe without "from" keeps the client's place. */
        cs->scan = r->has_from ? r->from : s->ring.last;
        c->conf_sent = cs->scan;
        c->conf_live_start = !r->has_from && !s->head_known;
    }
    cs->on = true;
    want_step(s, c);
}

static void handle(ws_service *s, ws_client *c, ws_request *r)
{
    if (r->action == WS_ACTION_PING) {
        reply_ack(s, c, r);
        return;
    }
    switch (r->action) {
    case WS_ACTION_SUBSCRIBE:
        if (r->topic == WS_TOPIC_CONFIRMATION) {
            subscribe_conf(s, c, r);
        } else if (r->topic == WS_TOPIC_VM) {
            char err[160];
            if (ws_vmfeed_subscribe(s->vm, c, r, err, sizeof err) != 0) {
                reply_error(s, c, err, r);
                return;
            }
        }
        c->topics[r->topic] = true;
        break;
    case WS_ACTION_UNSUBSCRIBE:
        if (r->topic == WS_TOPIC_CONFIRMATION) {
            c->conf.on = false;
            ws_accounts_free(&c->conf.accounts);
        } else if (r->topic == WS_TOPIC_VM) {
            ws_vmfeed_unsubscribe(s->vm, c);
        }
        c->topics[r->topic] = false;
        break;
    case WS_ACTION_UPDATE:
        if (r->topic != WS_TOPIC_CONFIRMATION || !c->conf.on) {
            reply_error(s, c, "update needs a confirmation subscription", r);
            return;
        }
        if (!ws_accounts_merge(&c->conf.accounts, &r->accounts, WS_ACCOUNTS_MAX)) {
            reply_error(s, c, "too many accounts (or out of memory)", r);
            return;
        }
        ws_accounts_remove(&c->conf.accounts, &r->accounts_del);
        if (r->has_accounts)
            c->conf.filtered = true;
        break;
    case WS_ACTION_PING:
    case WS_ACTION_COUNT:
        break;
    }
    reply_ack(s, c, r);
}

static void on_message(void *user, ws_client *c, const char *text, size_t len)
{
    ws_service *s = user;
    ws_request r;
    char err[200];
    ws_parse_status st = ws_request_parse(text, len, &r, err, sizeof err);
    if (st == WS_PARSE_MALFORMED) {
        char reason[WS_CLOSE_REASON_MAX + 1];
        snprintf(reason, sizeof reason, "malformed message: %.100s", err);
        smn_info("client %" PRIu64 " %s, closed", c->id, reason);
        ws_server_close(s->srv, c, WS_CLOSE_INVALID_PAYLOAD, reason);
    } else if (st == WS_PARSE_INVALID) {
        reply_error(s, c, err, &r);
    } else {
        handle(s, c, &r);
    }
    ws_request_free(&r);
}

static void on_sent(void *user, ws_client *c)
{
    ws_service *s = user;
    c->full_since_ms = 0;
    if (c->q.bytes <= c->q.max_bytes / 2)
        want_step(s, c);
}

static void on_close(void *user, ws_client *c)
{
    ws_service *s = user;
    ws_vmfeed_unsubscribe(s->vm, c);
    ws_accounts_free(&c->conf.accounts);
}

static void on_vm_overflow(void *user, ws_client *c)
{
    close_slow(user, c, "its queue is full");
}

/* --------------------------------------------------------------- set-up */

/* Serve [ws] address:port. A port in use is retried with backoff (1 s
 * doubling to 30 s) rather than failing the process: a port conflict costs
 * the feed, not the node. 0, or -1 on a failure retrying cannot fix. */
static int try_listen(ws_service *s)
{
    const ipc_config *cfg = s->cfg;
    const char *addr = cfg->ws_address[0] ? cfg->ws_address : "127.0.0.1";
    uint16_t port = cfg->ws_port ? (uint16_t)cfg->ws_port : s->net->ws_port;
    ws_server_cbs cbs = {
        .on_message = on_message, .on_sent = on_sent, .on_close = on_close, .user = s};
    char err[200];
    s->srv = ws_server_new(s->pump, addr, port, cfg->ws_max_clients, cfg->ws_client_buffer,
                           cfg->ws_keepalive_s, &cbs, err, sizeof err);
    if (!s->srv) {
        s->retry_ms = s->retry_ms ? s->retry_ms * 2 : LISTEN_RETRY_MIN_MS;
        if (s->retry_ms > LISTEN_RETRY_MAX_MS)
            s->retry_ms = LISTEN_RETRY_MAX_MS;
        smn_warn("%s; retrying in %u ms", err, s->retry_ms);
        ipc_child_set_detail(s->ch, "not serving, retrying (see the log)");
        struct timeval tv = {s->retry_ms / 1000, (s->retry_ms % 1000) * 1000};
        evtimer_add(s->listen_ev, &tv);
        return 0;
    }
    s->vm = ws_vmfeed_new(s->ch, s->srv, s->pump, on_vm_overflow, s);
    if (!s->vm)
        return -1;
    smn_info("serving ws://%s:%u/ (max_clients %u, client_buffer %u)", addr, (unsigned)port,
             cfg->ws_max_clients, cfg->ws_client_buffer);
    return 0;
}

static void on_listen_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ws_service *s = arg;
    if (try_listen(s) != 0)
        smn_error("cannot start the WebSocket server");
}

static int start(ws_service *s)
{
    const ipc_config *cfg = s->cfg;
    snprintf(s->ledger_path, sizeof s->ledger_path, "%s/%s", cfg->data_dir, LEDGER_DB_FILENAME);
    s->page = calloc(PAGE_MAX, sizeof *s->page);
    if (!s->page)
        return -1;
    if (!ws_ring_init(&s->ring, RING_MAX, 0))
        return -1;
    s->ring_ok = true;
    s->fill_ev = evtimer_new(s->base, on_fill, s);
    s->step_ev = evtimer_new(s->base, on_step, s);
    s->tick_ev = event_new(s->base, -1, EV_PERSIST, on_tick, s);
    s->pump = ws_uvpump_new(s->base);
    if (!s->fill_ev || !s->step_ev || !s->tick_ev || !s->pump)
        return -1;
    s->listen_ev = evtimer_new(s->base, on_listen_retry, s);
    if (!s->listen_ev || ws_uvpump_start(s->pump) != 0)
        return -1;
    if (try_listen(s) != 0)
        return -1;
    ledger_client_opts lo = {.on_block_accepted = on_accepted,
                             .on_block_cemented = on_cemented,
                             .on_subscribed = on_subscribed,
                             .user = s,
                             .name = "ledger"};
    s->lc = ledger_client_new(s->ch, &lo);
    if (!s->lc)
        return -1;
    s->votes = ws_votefeed_new(s->ch, on_vote, s);
    if (!s->votes)
        return -1;
    s->topics = ws_topics_new(s->ch, s->net, topic_wanted, topic_push, s);
    if (!s->topics)
        return -1;
    struct timeval tick = {0, TICK_MS * 1000};
    event_add(s->tick_ev, &tick);
    soon(s->fill_ev);
    return 0;
}

int ws_service_init(ipc_child *ch, void *ud)
{
    ws_service *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    *(ws_service **)ud = s;
    s->ch = ch;
    s->cfg = ipc_child_config(ch);
    s->base = ipc_child_base(ch);
    s->net = smn_network_by_name(s->cfg->network);
    if (!s->net)
        return -1;
    if (!ipc_config_switch(s->cfg, s->cfg->ws_enable)) {
        smn_info("disabled ([ws] enable); idle");
        ipc_child_set_detail(ch, "disabled");
        return 0;
    }
    if (start(s) != 0) {
        ws_service_fini(ch, ud);
        return -1;
    }
    return 0;
}

void ws_service_fini(ipc_child *ch, void *ud)
{
    (void)ch;
    ws_service *s = *(ws_service **)ud;
    if (!s)
        return;
    ledger_client_free(s->lc);
    ws_votefeed_free(s->votes);
    ws_topics_free(s->topics);
    /* Closes every client (on_close releases their vm feeds). */
    ws_server_free(s->srv);
    ws_vmfeed_free(s->vm);
    ws_uvpump_free(s->pump);
    if (s->fill_ev)
        event_free(s->fill_ev);
    if (s->step_ev)
        event_free(s->step_ev);
    if (s->tick_ev)
        event_free(s->tick_ev);
    if (s->listen_ev)
        event_free(s->listen_ev);
    ws_ring_free(&s->ring);
    ledger_ro_close(s->ro);
    free(s->page);
    free(s);
    *(ws_service **)ud = NULL;
}
