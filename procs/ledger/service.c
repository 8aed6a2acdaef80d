/* The ledger family over the ledger library; see service.h. */
#include "procs/ledger/service.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "common/log.h"
#include "ipc/builder.h"
#include "ipc/schema_ledger.h"
#include "procs/ledger/confirm.h"
#include "procs/ledger/confirm_order.h"
#include "procs/ledger/processor.h"
#include "procs/ledger/prune.h"
#include "procs/ledger/request.h"
#include "procs/ledger/settle.h"
#include "procs/ledger/store.h"

/* Blocks per batch, one loop step (under 50 ms of the loop thread's CPU
 * at 1M blocks on a loaded 2-core machine), and per processing
 * transaction, a group of batches (processor.h; docs/ledger.md
 * "Processing"). */
#define DEFAULT_BATCH 512u
#define DEFAULT_GROUP 16384u
#define DEFAULT_QUEUE 65536u
#define PRUNE_INTERVAL_MS 1000u
/* While blocks keep arriving, a batch gathers them for up to this long. */
#define GATHER_MAX_US 3000u
/* A batch that starts less than this after the previous one ended, when
 * that one held more than one block, waits for the rest of it, until
 * GAP_BATCH blocks wait: a stream of blocks (a busy network delivers them a
 * few per socket read) is committed at most this often, not once per
 * handful of blocks. A client that sends one block at a time and waits for
 * each answer (batches of one) never waits. Each commit costs ~100 us of
 * WAL writes: at ~5 blocks a batch, a fifth of the process's CPU on the
 * 3-node devnet (docs/benchmarks.md). A block after a quiet spell, and a
 * flood (GAP_BATCH waiting: the commit is shared enough), wait for none of it. */
#define COMMIT_GAP_US 10000u
#define GAP_BATCH 64u
/* A batch's notifications (4096 x ~420 bytes) must fit in what a subscriber
 * has left of the endpoint's 4 MiB outgoing bound: above this backlog the
 * next batch waits for the subscriber, by steps of 1 ms, up to
 * SUBSCRIBER_WAIT_US; a subscriber still behind then is disconnected. */
#define SUBSCRIBER_HIGH_WATER (2u << 20)
#define SUBSCRIBER_WAIT_US 100000u
#define PRUNE_ACCOUNTS_PER_PASS 1024u
/* Blocks cemented per transaction (docs/benchmarks.md "Ledger: cementing"). */
#define DEFAULT_CEMENT_SLICE 256u
/* Confirms in progress; elections keeps at most 48 in flight. */
#define CONFIRMS_MAX 256u

/* A confirm being cemented in slices (confirm.h), one transaction per loop
 * iteration of at most cement_slice blocks, shared by up to CONFIRM_BATCH
 * confirms in confirm_order.h's order: a fresh election's confirms before
 * the backlog's (elections says which), and within each the first slices
 * of the new confirms before the next slices of the started ones, oldest
 * first. A fresh block's confirm thus waits for about one slice, not
 * behind the backlog's stream of new confirms (which used to hold a fresh
 * send on top of a long chain for minutes), and the backlog still gets
 * what fresh confirms leave of each slice and every fourth slice whole. A fork's winner first has
 * its previous block and its source send cemented that way (they are confirmed with it), then the
 * settlement itself is one bounded transaction. */
typedef struct {
    ipc_conn *conn; /* NULL: closed since, or no reply wanted */
    uint64_t id;
    uint8_t hash[32];
    smn_block winner;
    bool has_block;
    bool drained;  /* the process queue was drained for an unknown hash */
    bool settling; /* cementing deps[dep..] before the settlement */
    bool solo;     /* its slice failed in a batch: it runs alone (task_run) */
    bool backlog;  /* elections' backlog work, served after fresh confirms */
    uint8_t deps[2][32];
    size_t ndeps, dep;
    ledger_confirm_job *job; /* of hash, or of deps[dep] while settling */
    size_t count;            /* blocks cemented for this confirm so far */
    size_t slices;
    struct timespec start;
} confirm_task;

/* A process_batch waiting for its blocks' results (one reply for all). */
typedef struct {
    ipc_conn *conn; /* NULL: closed since */
    uint64_t id;
    size_t n, left; /* blocks, results still to come */
    uint8_t results[];
} batch_reply;

/* A queued block waiting for its result. The ring mirrors the processor's
 * FIFO queue entry for entry, so the head is always the next result. */
typedef struct {
    ipc_conn *conn; /* NULL: closed since, or the block came as a notification */
    uint64_t id;    /* the request's id */
    uint64_t tag;   /* consecutive along the ring */
    ledger_origin origin;
    batch_reply *br; /* the block came in a process_batch: its result goes there */
    uint32_t bidx;
} pending;

struct ledger_service {
    struct event_base *base;
    ledger_store *store;
    ledger_processor *proc;
    ledger_service_config cfg;

    pending *ring;
    size_t head, count;
    uint64_t next_tag;

    ipc_conn **subs;
    size_t nsubs, subs_cap;
    unsigned *sub_topics; /* per subscriber, a TOPIC_* mask; same order as subs */
    size_t sub_topics_cap;
    /* Connections whose outgoing queue overflowed; closed once the current
     * send loop is over (closing runs on_state, which edits the lists). */
    ipc_conn **doomed;
    size_t ndoomed, doomed_cap;

    struct event *flush_ev, *prune_ev;
    struct timespec last_prune;
    uint64_t batches, batched; /* this run: batches drained, blocks in them */
    size_t gather_seen;        /* queue length at the previous flush tick */
    struct timespec gather_start;
    struct timespec last_drain; /* when the last batch ended (drained: there was one) */
    bool drained;
    size_t last_batch;        /* blocks in the last batch */
    bool gap_wait;            /* flush_ev is the rest of a COMMIT_GAP_US */
    bool waiting_subscribers; /* the next batch waits for a backlogged subscriber */
    struct timespec wait_start;
    confirm_task **tasks; /* in arrival order */
    size_t ntasks;
    ledger_confirm_order_state order; /* fresh confirms' run over the backlog */
    struct event *confirm_ev;
    const uint8_t *settling; /* the winner being settled: its block_accepted says "net" */
    uint64_t settled;        /* this run: forks settled by a rollback */
    uint64_t evicted_logged; /* unchecked evictions at the last warning */
};

/* ---- small helpers ---- */

static bool conn_list_add(ipc_conn ***list, size_t *n, size_t *cap, ipc_conn *c)
{
    for (size_t i = 0; i < *n; i++)
        if ((*list)[i] == c)
            return true;
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        ipc_conn **nl = realloc(*list, ncap * sizeof *nl);
        if (!nl)
            return false;
        *list = nl;
        *cap = ncap;
    }
    (*list)[(*n)++] = c;
    return true;
}

static void conn_list_remove(ipc_conn **list, size_t *n, ipc_conn *c)
{
    for (size_t i = 0; i < *n; i++) {
        if (list[i] == c) {
            /* Order matters: subscribers are served in subscription order. */
            memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof *list);
            (*n)--;
            return;
        }
    }
}

/* A send failed because c does not read: it is closed after the current loop. */
static bool is_doomed(const ledger_service *s, const ipc_conn *c)
{
    for (size_t i = 0; i < s->ndoomed; i++)
        if (s->doomed[i] == c)
            return true;
    return false;
}

static void check_send(ledger_service *s, ipc_conn *c, ipc_status st, const char *what)
{
    if (st == IPC_OK || st == IPC_E_CLOSED || is_doomed(s, c))
        return;
    if (st == IPC_E_QUEUE_FULL)
        smn_warn("peer does not read its %s: disconnecting it", what);
    else
        smn_error("cannot send %s: %s", what, ipc_strerror(st));
    if (!conn_list_add(&s->doomed, &s->ndoomed, &s->doomed_cap, c))
        smn_error("out of memory");
}

static void close_doomed(ledger_service *s)
{
    /* Each entry is distinct and still open: nothing closes a connection
     * between a failed send and here. */
    for (size_t i = 0; i < s->ndoomed; i++)
        ipc_conn_close(s->doomed[i]);
    s->ndoomed = 0;
}

static void report_detail(ledger_service *s)
{
    /* Evictions from a full unchecked table: logged at 1, 2, 4, 8... */
    uint64_t ev = ledger_store_unchecked_evicted(s->store);
    if (ev && ev >= 2 * s->evicted_logged) {
        smn_warn("unchecked is full ([ledger] max_unchecked): %llu oldest blocks evicted so far",
                 (unsigned long long)ev);
        s->evicted_logged = ev;
    }
    if (!s->cfg.on_detail)
        return;
    ledger_counts c;
    ledger_store_counts(s->store, &c);
    char buf[200];
    snprintf(buf, sizeof buf,
             "blocks %llu, cemented %llu, pruned %llu, unchecked %llu, queued %zu, "
             "subscribers %zu, evicted %llu",
             (unsigned long long)c.blocks, (unsigned long long)c.cemented,
             (unsigned long long)c.pruned, (unsigned long long)c.unchecked, s->count, s->nsubs,
             (unsigned long long)ledger_store_unchecked_evicted(s->store));
    s->cfg.on_detail(s->cfg.user, buf);
}

/* ---- notifications ---- */

static void put_amount(ipc_builder *b, const char *name, smn_amount_t v)
{
    uint8_t be[16];
    smn_amount_to_be(v, be);
    ipc_put_bin(b, name, be, sizeof be);
}

typedef void (*build_fn)(ipc_builder *b, const void *arg);

/* Notification kinds a subscriber may ask for (subscribe {topics}). */
#define TOPIC_ACCEPTED 1u
#define TOPIC_FORK 2u
#define TOPIC_CEMENTED 4u
#define TOPIC_ROLLED_BACK 8u
#define TOPIC_ALL 15u

/* A topic is a notification kind's name (ipc/schema_ledger.h). */
static unsigned topic_bit(ipc_ledger_kind k)
{
    switch (k) {
    case IPC_LEDGER_K_BLOCK_ACCEPTED:
        return TOPIC_ACCEPTED;
    case IPC_LEDGER_K_FORK:
        return TOPIC_FORK;
    case IPC_LEDGER_K_BLOCK_CEMENTED:
        return TOPIC_CEMENTED;
    case IPC_LEDGER_K_ROLLED_BACK:
        return TOPIC_ROLLED_BACK;
    default:
        return 0;
    }
}

#define BROADCAST_CHUNK 16

/* Built and checked once, then queued for every subscriber of the topic. */
static void broadcast(ledger_service *s, unsigned topic, build_fn build, const void *arg,
                      const char *what)
{
    ipc_conn *to[BROADCAST_CHUNK];
    ipc_status st[BROADCAST_CHUNK];
    size_t i = 0;
    while (i < s->nsubs) {
        size_t n = 0;
        for (; i < s->nsubs && n < BROADCAST_CHUNK; i++)
            if ((s->sub_topics[i] & topic) && !is_doomed(s, s->subs[i]))
                to[n++] = s->subs[i];
        if (n == 0)
            continue;
        ipc_builder b;
        build(&b, arg);
        ipc_notify_all(to, n, &b, st);
        for (size_t k = 0; k < n; k++)
            check_send(s, to[k], st[k], what);
    }
}

/* The subscriber's topics from subscribe {topics?}; 0 and *bad set for an
 * unknown name. */
static unsigned parse_topics(const ipc_msg *m, const char **bad)
{
    const ipc_obj *arr = ipc_get_array(m->body, "topics");
    if (!arr)
        return TOPIC_ALL;
    unsigned mask = 0;
    for (size_t i = 0; i < ipc_array_len(arr); i++) {
        const char *p;
        size_t len;
        if (!ipc_obj_str(ipc_array_at(arr, i), &p, &len))
            return 0;
        ipc_ledger_kind k;
        unsigned bit = ipc_ledger_kind_parse(p, len, &k) ? topic_bit(k) : 0;
        if (!bit) {
            *bad = "subscribe: unknown topic";
            return 0;
        }
        mask |= bit;
    }
    return mask;
}

typedef struct {
    const ledger_event *ev;
    ledger_origin origin;
} accepted_arg;

static void build_accepted(ipc_builder *b, const void *p)
{
    const accepted_arg *a = p;
    uint8_t wire[SMN_BLOCK_WIRE_BYTES];
    smn_block_serialize(&a->ev->block, wire);
    ipc_build_begin(b, "block_accepted");
    ipc_put_bin(b, "hash", a->ev->hash, 32);
    ipc_put_bin(b, "block", wire, sizeof wire);
    ipc_put_uint(b, "height", a->ev->height);
    ipc_put_str(b, "subtype", ledger_subtype_str(a->ev->subtype));
    put_amount(b, "amount", a->ev->amount);
    ipc_put_str(b, "origin", ipc_ledger_origin_name(a->origin));
}

static void build_rolled_back(ipc_builder *b, const void *p)
{
    const ledger_rolled_back *rb = p;
    ipc_build_begin(b, "rolled_back");
    ipc_put_bin(b, "hash", rb->hash, 32);
    ipc_put_bin(b, "account", rb->account, 32);
    ipc_put_uint(b, "height", rb->height);
}

static void build_fork(ipc_builder *b, const void *p)
{
    const ledger_event *ev = p;
    uint8_t wire[SMN_BLOCK_WIRE_BYTES];
    smn_block_serialize(&ev->block, wire);
    ipc_build_begin(b, "fork");
    ipc_put_bin(b, "hash", ev->hash, 32);
    ipc_put_bin(b, "block", wire, sizeof wire);
    ipc_put_bin(b, "root", smn_block_root(&ev->block), 32);
}

typedef struct {
    const ledger_cemented *c;
    smn_amount_t prev_balance;
    uint8_t source_account[32];
} cemented_arg;

static void build_cemented(ipc_builder *b, const void *p)
{
    const cemented_arg *a = p;
    const smn_block *blk = &a->c->block;
    ipc_build_begin(b, "block_cemented");
    ipc_put_bin(b, "hash", a->c->hash, 32);
    ipc_put_bin(b, "account", blk->account, 32);
    ipc_put_uint(b, "height", a->c->height);
    ipc_put_str(b, "subtype", ledger_subtype_str(a->c->subtype));
    put_amount(b, "amount", a->c->amount);
    put_amount(b, "prev_balance", a->prev_balance);
    put_amount(b, "balance", blk->balance);
    ipc_put_bin(b, "link", blk->link, 32);
    ipc_put_bin(b, "source_account", a->source_account, 32);
    ipc_put_uint(b, "seq", a->c->seq);
}

/* ---- a queued block's origin ---- */

/* The origin of the queued block tagged tag: the ring holds consecutive
 * tags from its head (a tag is taken only once the block is queued), and
 * during a batch's events its head is the batch's first block. A block
 * not from the queue (tag 0: released from unchecked) is "unchecked". */
static ledger_origin tag_origin(const ledger_service *s, uint64_t tag)
{
    if (!tag || !s->count)
        return LEDGER_ORIGIN_UNCHECKED;
    const pending *h = &s->ring[s->head];
    if (tag < h->tag || tag - h->tag >= s->count)
        return LEDGER_ORIGIN_UNCHECKED;
    const pending *p = &s->ring[(s->head + (size_t)(tag - h->tag)) % s->cfg.queue_max];
    return p->tag == tag ? p->origin : LEDGER_ORIGIN_UNCHECKED;
}

/* ---- processing ---- */

/* After the batch committed, before its results: accepted blocks (also
 * those released from unchecked) and forks, in order. */
static void on_event(void *user, const ledger_event *ev)
{
    ledger_service *s = user;
    if (ev->kind == LEDGER_EVENT_ACCEPTED) {
        /* A fork's winner comes from the network, through elections. */
        bool winner = s->settling && memcmp(s->settling, ev->hash, 32) == 0;
        accepted_arg a = {ev, winner ? LEDGER_ORIGIN_NET : tag_origin(s, ev->tag)};
        broadcast(s, TOPIC_ACCEPTED, build_accepted, &a, "block_accepted");
    } else {
        broadcast(s, TOPIC_FORK, build_fork, ev, "fork");
    }
}

static void reply_result(ledger_service *s, ipc_conn *c, uint64_t id, const uint8_t hash[32],
                         ledger_result r)
{
    if (!c || !id)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "process_result");
    ipc_put_bin(&b, "hash", hash, 32);
    ipc_put_str(&b, "result", ledger_result_str(r));
    ipc_msg req = {.id = id};
    check_send(s, c, ipc_reply(c, &req, &b), "process_result");
}

static void batch_reply_send(ledger_service *s, batch_reply *br)
{
    if (br->conn) {
        ipc_builder b;
        ipc_build_begin(&b, ipc_ledger_kind_name(IPC_LEDGER_K_PROCESS_BATCH_RESULT));
        ipc_put_array_begin(&b, "results");
        for (size_t i = 0; i < br->n; i++)
            ipc_put_str(&b, NULL, ledger_result_str((ledger_result)br->results[i]));
        ipc_put_array_end(&b);
        ipc_msg req = {.id = br->id};
        check_send(s, br->conn, ipc_reply(br->conn, &req, &b), "process_batch_result");
    }
    free(br);
}

static void batch_reply_set(ledger_service *s, batch_reply *br, size_t i, ledger_result r)
{
    br->results[i] = (uint8_t)r;
    if (--br->left == 0)
        batch_reply_send(s, br);
}

static void on_result(void *user, uint64_t tag, const uint8_t hash[32], ledger_result r)
{
    ledger_service *s = user;
    if (s->count == 0 || s->ring[s->head].tag != tag) {
        /* The ring mirrors the processor's FIFO; this cannot happen. */
        smn_error("processor result %llu out of order", (unsigned long long)tag);
        return;
    }
    pending *p = &s->ring[s->head];
    if (p->br)
        batch_reply_set(s, p->br, p->bidx, r);
    else
        reply_result(s, p->conn, p->id, hash, r);
    s->head = (s->head + 1) % s->cfg.queue_max;
    s->count--;
}

static void arm(struct event *ev, uint32_t ms)
{
    struct timeval tv = {ms / 1000, (long)(ms % 1000) * 1000};
    evtimer_add(ev, &tv);
}

/* One batch: at most batch_max blocks, one transaction. */
static void drain_once(ledger_service *s)
{
    size_t n = s->count < s->cfg.batch_max ? s->count : s->cfg.batch_max;
    if (n == 0)
        return;
    size_t processed = 0;
    ledger_status st = ledger_processor_drain(s->proc, on_result, s, &processed);
    s->batches++;
    s->batched += processed;
    clock_gettime(CLOCK_MONOTONIC, &s->last_drain);
    s->drained = true;
    s->last_batch = processed;
    if (st != LEDGER_STATUS_OK)
        smn_error("batch of %zu blocks failed: %s (%s)", processed, ledger_strerror(st),
                  ledger_store_errmsg(s->store));
    close_doomed(s);
    report_detail(s);
}

static uint64_t us_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - t->tv_sec) * 1000000 +
           (uint64_t)((now.tv_nsec - t->tv_nsec) / 1000);
}

static void start_gathering(ledger_service *s)
{
    s->gather_seen = 0;
    clock_gettime(CLOCK_MONOTONIC, &s->gather_start);
    uint64_t since = s->drained && s->last_batch > 1 ? us_since(&s->last_drain) : COMMIT_GAP_US;
    uint64_t wait = since < COMMIT_GAP_US && s->count < GAP_BATCH ? COMMIT_GAP_US - since : 0;
    struct timeval tv = {0, (long)wait};
    s->gap_wait = wait > 0;
    evtimer_add(s->flush_ev, &tv);
}

/* After blocks were queued: start a batch, or end a gap that has gathered
 * enough. */
static void queued(ledger_service *s)
{
    if (!evtimer_pending(s->flush_ev, NULL)) {
        start_gathering(s);
    } else if (s->gap_wait && s->count >= GAP_BATCH) {
        s->gap_wait = false;
        arm(s->flush_ev, 0);
    }
}

static bool subscriber_backlogged(const ledger_service *s)
{
    for (size_t i = 0; i < s->nsubs; i++)
        if (ipc_conn_queued_bytes(s->subs[i]) > SUBSCRIBER_HIGH_WATER)
            return true;
    return false;
}

/* Runs once per loop iteration while blocks wait, after the iteration's
 * reads. A socket read brings a few dozen frames; while the queue still
 * grows from one iteration to the next (a stream), the batch keeps
 * gathering, for at most GATHER_MAX_US: big batches amortise the commit
 * and let signature checks run in parallel. A lone block waits one
 * iteration. */
static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ledger_service *s = arg;
    s->gap_wait = false;
    if (s->count > s->gather_seen && s->count < s->cfg.batch_max &&
        us_since(&s->gather_start) < GATHER_MAX_US) {
        s->gather_seen = s->count;
        arm(s->flush_ev, 0);
        return;
    }
    if (subscriber_backlogged(s)) {
        if (!s->waiting_subscribers) {
            s->waiting_subscribers = true;
            clock_gettime(CLOCK_MONOTONIC, &s->wait_start);
        }
        if (us_since(&s->wait_start) < SUBSCRIBER_WAIT_US) {
            arm(s->flush_ev, 1);
            return;
        }
    }
    s->waiting_subscribers = false;
    drain_once(s);
    if (s->count)
        start_gathering(s);
}

static void handle_process(ledger_service *s, ipc_conn *c, const ipc_msg *m)
{
    smn_block b;
    ledger_origin origin;
    char err[128];
    if (!ledger_req_process(m, &b, &origin, err, sizeof err)) {
        if (m->id)
            ipc_reply_error(c, m, err);
        return;
    }
    uint8_t hash[32];
    smn_block_hash(&b, hash);
    uint64_t tag = s->next_tag + 1;
    if (ledger_processor_enqueue(s->proc, &b, hash, tag) != LEDGER_QUEUED) {
        reply_result(s, c, m->id, hash, LEDGER_BUSY);
        return;
    }
    s->next_tag = tag;
    pending *p = &s->ring[(s->head + s->count) % s->cfg.queue_max];
    p->conn = m->id ? c : NULL;
    p->id = m->id;
    p->tag = tag;
    p->origin = origin;
    p->br = NULL;
    s->count++;
    queued(s);
}

/* Every block of the batch is queued like a `process` of its own, in order;
 * the processor's batches then take them a queue's worth per transaction.
 * Once the queue is full, the rest are "busy". */
static void handle_process_batch(ledger_service *s, ipc_conn *c, const ipc_msg *m)
{
    smn_block *blocks = malloc(IPC_LEDGER_MAX_BATCH * sizeof *blocks);
    size_t n = 0;
    ledger_origin origin;
    char err[128];
    if (!blocks) {
        if (m->id)
            ipc_reply_error(c, m, "out of memory");
        return;
    }
    if (!ledger_req_process_batch(m, blocks, &n, &origin, err, sizeof err)) {
        if (m->id)
            ipc_reply_error(c, m, err);
        free(blocks);
        return;
    }
    batch_reply *br = malloc(sizeof *br + n);
    if (!br) {
        if (m->id)
            ipc_reply_error(c, m, "out of memory");
        free(blocks);
        return;
    }
    br->conn = m->id ? c : NULL;
    br->id = m->id;
    br->n = n;
    br->left = n + 1; /* + 1: held until every block is queued */
    bool full = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t hash[32];
        smn_block_hash(&blocks[i], hash);
        uint64_t tag = s->next_tag + 1;
        if (full || ledger_processor_enqueue(s->proc, &blocks[i], hash, tag) != LEDGER_QUEUED) {
            full = true;
            batch_reply_set(s, br, i, LEDGER_BUSY);
            continue;
        }
        s->next_tag = tag;
        pending *p = &s->ring[(s->head + s->count) % s->cfg.queue_max];
        p->conn = br->conn;
        p->id = m->id;
        p->tag = tag;
        p->origin = origin;
        p->br = br;
        p->bidx = (uint32_t)i;
        s->count++;
    }
    free(blocks);
    if (--br->left == 0)
        batch_reply_send(s, br); /* every block was refused */
    else
        queued(s);
}

/* ---- confirmation and pruning ---- */

static uint64_t ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - t->tv_sec) * 1000 +
           (uint64_t)((now.tv_nsec - t->tv_nsec) / 1000000);
}

static void schedule_prune(ledger_service *s)
{
    if (!s->cfg.prune_keep || evtimer_pending(s->prune_ev, NULL))
        return;
    uint64_t since = ms_since(&s->last_prune);
    arm(s->prune_ev, since >= PRUNE_INTERVAL_MS ? 0 : (uint32_t)(PRUNE_INTERVAL_MS - since));
}

static void on_prune(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ledger_service *s = arg;
    ledger_prune_stats stats = {0};
    ledger_status st = ledger_prune(s->store, s->cfg.prune_keep, PRUNE_ACCOUNTS_PER_PASS, &stats);
    clock_gettime(CLOCK_MONOTONIC, &s->last_prune);
    if (st != LEDGER_STATUS_OK) {
        smn_error("pruning failed: %s (%s)", ledger_strerror(st), ledger_store_errmsg(s->store));
        return;
    }
    if (stats.blocks)
        smn_debug("pruned %llu blocks of %zu accounts", (unsigned long long)stats.blocks,
                  stats.accounts);
    /* A full pass may have left more accounts, and a round over every
     * account takes several bounded passes: continue next iteration until
     * the scan wraps with nothing left. */
    if (stats.accounts || !stats.wrapped)
        arm(s->prune_ev, 0);
    report_detail(s);
}

static void on_cemented(void *user, const ledger_cemented *c)
{
    ledger_service *s = user;
    cemented_arg a = {.c = c};
    const smn_block *b = &c->block;
    switch (c->subtype) {
    case LEDGER_SUBTYPE_SEND:
        a.prev_balance = smn_amount_add_wrap(b->balance, c->amount);
        break;
    case LEDGER_SUBTYPE_RECEIVE:
        a.prev_balance = smn_amount_sub_wrap(b->balance, c->amount);
        break;
    case LEDGER_SUBTYPE_OPEN:
        a.prev_balance = smn_amount_zero();
        break;
    case LEDGER_SUBTYPE_CHANGE:
        a.prev_balance = b->balance;
        break;
    }
    if (c->subtype == LEDGER_SUBTYPE_RECEIVE || c->subtype == LEDGER_SUBTYPE_OPEN) {
        /* The send was cemented first; only a send pruned before this
         * receive was cemented is gone, and then the account stays zero. */
        ledger_block_record src;
        if (ledger_store_block(s->store, b->link, &src) == LEDGER_STATUS_OK)
            memcpy(a.source_account, src.block.account, 32);
    }
    broadcast(s, TOPIC_CEMENTED, build_cemented, &a, "block_cemented");
}

static void drain_all(ledger_service *s)
{
    while (s->count)
        drain_once(s);
}

static void on_rolled_back(void *user, const ledger_rolled_back *rb)
{
    ledger_service *s = user;
    broadcast(s, TOPIC_ROLLED_BACK, build_rolled_back, rb, "rolled_back");
}

/* confirm {hash, block} for a block the ledger does not hold: settle the
 * fork in the winner's favour (settle.h). Subscribers get rolled_back for
 * each removed block, then block_accepted, then block_cemented. One
 * bounded transaction (rollback_max blocks at most) on the loop's thread. */
static ledger_status settle_fork(ledger_service *s, const smn_block *winner, const uint8_t hash[32],
                                 size_t *count, size_t *rolled, char *err, size_t errlen)
{
    ledger_settle_stats st;
    /* (Released blocks carry tag 0: "unchecked", the winner "net".) */
    s->settling = hash;
    ledger_status r = ledger_settle(s->store, s->proc, winner, s->cfg.rollback_max, on_rolled_back,
                                    on_cemented, s, &st);
    s->settling = NULL;
    char loser[65], won[65];
    smn_hex_encode(st.loser, 32, loser);
    smn_hex_encode(hash, 32, won);
    switch (r) {
    case LEDGER_STATUS_OK:
        *count = st.cemented;
        *rolled = st.rolled_back;
        s->settled++;
        smn_info("fork settled: %.16s rolled back with %zu blocks in all, %.16s cemented", loser,
                 st.rolled_back, won);
        break;
    case LEDGER_STATUS_NOT_FOUND:
        snprintf(err, errlen, "confirm: unknown block, and no stored block on its root to settle");
        break;
    case LEDGER_STATUS_CEMENTED:
        snprintf(err, errlen,
                 "confirm: cannot settle the fork: its block %.16s or one built on it "
                 "is cemented",
                 loser);
        smn_warn("%s", err);
        break;
    case LEDGER_STATUS_TOO_LARGE:
        snprintf(err, errlen,
                 "confirm: cannot settle the fork: more than %zu blocks would be "
                 "rolled back",
                 s->cfg.rollback_max);
        smn_warn("%s", err);
        break;
    case LEDGER_STATUS_REJECTED:
        snprintf(err, errlen, "confirm: the winning block is invalid: %s",
                 ledger_result_str(st.result));
        smn_warn("%s", err);
        break;
    default:
        snprintf(err, errlen, "confirm failed: %s", ledger_strerror(r));
        smn_error("%s (%s)", err, ledger_store_errmsg(s->store));
        break;
    }
    return r;
}

static void task_free(confirm_task *t)
{
    ledger_confirm_job_free(t->job);
    free(t);
}

static void task_reply_error(ledger_service *s, confirm_task *t, const char *err)
{
    if (!t->conn || !t->id)
        return;
    ipc_msg req = {.id = t->id};
    check_send(s, t->conn, ipc_reply_error(t->conn, &req, err), "confirm error");
}

static uint64_t us_since(const struct timespec *t);

static void task_reply(ledger_service *s, confirm_task *t, bool settled, size_t rolled)
{
    if (t->slices > 1 || t->count > 1) {
        char h[65];
        smn_hex_encode(t->hash, 32, h);
        smn_debug("confirm %.16s: %zu blocks in %zu slices, %llu us", h, t->count, t->slices,
                  (unsigned long long)us_since(&t->start));
    }
    if (!t->conn || !t->id)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "confirm_result");
    ipc_put_uint(&b, "cemented", t->count);
    if (settled)
        ipc_put_uint(&b, "rolled_back", rolled);
    ipc_msg req = {.id = t->id};
    check_send(s, t->conn, ipc_reply(t->conn, &req, &b), "confirm_result");
}

/* One slice of job: at most cement_slice blocks, committed, then announced
 * in cementing order. */
static ledger_status task_slice(ledger_service *s, confirm_task *t, bool *finished)
{
    ledger_cemented_list done = {0};
    t->slices++;
    ledger_status st =
        ledger_confirm_job_step(s->store, t->job, s->cfg.cement_slice, &done, finished);
    for (size_t i = 0; i < done.n; i++)
        on_cemented(s, &done.v[i]);
    t->count += done.n;
    if (done.n) {
        schedule_prune(s);
        report_detail(s);
    }
    ledger_cemented_list_free(&done);
    return st;
}

/* The winner's previous block and source send, which are confirmed with it:
 * only blocks that are certainly its dependencies (a stored previous of its
 * account, a stored send to its account), only when there is a fork to
 * settle (an uncemented stored block on its root), and only for a winner
 * whose signature holds; otherwise the settlement refuses at once and
 * nothing was cemented. */
static void task_find_deps(ledger_service *s, confirm_task *t)
{
    const smn_block *w = &t->winner;
    uint8_t loser[32];
    t->ndeps = 0;
    if (ledger_settle_loser(s->store, w, loser) != LEDGER_STATUS_OK ||
        !smn_block_verify_signature(w))
        return;
    ledger_block_record rec;
    if (!smn_block_is_open(w) &&
        ledger_store_block(s->store, w->previous, &rec) == LEDGER_STATUS_OK &&
        memcmp(rec.block.account, w->account, 32) == 0 && !rec.confirmed)
        memcpy(t->deps[t->ndeps++], w->previous, 32);
    if (ledger_store_block(s->store, w->link, &rec) == LEDGER_STATUS_OK &&
        rec.subtype == LEDGER_SUBTYPE_SEND && memcmp(rec.block.link, w->account, 32) == 0 &&
        !rec.confirmed)
        memcpy(t->deps[t->ndeps++], w->link, 32);
}

static void reset_jobs(ledger_service *s)
{
    for (size_t i = 0; i < s->ntasks; i++) {
        confirm_task *t = s->tasks[i];
        if (t->job)
            ledger_confirm_job_reset(t->job);
    }
}

/* The settlement, once the winner's dependencies are cemented. */
static void task_settle(ledger_service *s, confirm_task *t)
{
    char err[160];
    size_t count = 0, rolled = 0;
    ledger_status st = settle_fork(s, &t->winner, t->hash, &count, &rolled, err, sizeof err);
    if (st != LEDGER_STATUS_OK) {
        task_reply_error(s, t, err);
        return;
    }
    t->count += count;
    if (count || rolled) {
        schedule_prune(s);
        report_detail(s);
    }
    /* Blocks the other confirms' stacks point at may be gone. */
    if (rolled)
        reset_jobs(s);
    task_reply(s, t, true, rolled);
}

/* Runs one slice of t; true when t is done (replied, or nobody to reply to). */
static bool task_run(ledger_service *s, confirm_task *t)
{
    bool finished = false;
    ledger_status st;
    char err[160];
    if (t->settling) {
        if (t->dep < t->ndeps) {
            st = task_slice(s, t, &finished);
            if (st != LEDGER_STATUS_OK && st != LEDGER_STATUS_NOT_FOUND)
                goto failed;
            if (!finished && st == LEDGER_STATUS_OK)
                return false;
            ledger_confirm_job_free(t->job);
            t->job = NULL;
            if (++t->dep < t->ndeps) {
                if ((st = ledger_confirm_job_new(t->deps[t->dep], &t->job)) != LEDGER_STATUS_OK)
                    goto failed;
                return false;
            }
            return false; /* the settlement runs in the next slice */
        }
        task_settle(s, t);
        return true;
    }
    st = task_slice(s, t, &finished);
    if (st == LEDGER_STATUS_OK) {
        if (!finished)
            return false;
        task_reply(s, t, false, 0);
        return true;
    }
    if (st == LEDGER_STATUS_NOT_FOUND && s->count && !t->drained) {
        /* The block may still be in the queue: process it first. */
        drain_all(s);
        t->drained = true;
        return false;
    }
    if (st == LEDGER_STATUS_NOT_FOUND && t->has_block) {
        t->settling = true;
        ledger_confirm_job_free(t->job);
        t->job = NULL;
        task_find_deps(s, t);
        t->dep = 0;
        if (t->ndeps && (st = ledger_confirm_job_new(t->deps[0], &t->job)) != LEDGER_STATUS_OK)
            goto failed;
        return false;
    }
    if (st == LEDGER_STATUS_NOT_FOUND) {
        task_reply_error(s, t, "confirm: unknown block");
        return true;
    }
failed:
    snprintf(err, sizeof err, "confirm failed: %s", ledger_strerror(st));
    smn_error("%s (%s)", err, ledger_store_errmsg(s->store));
    task_reply_error(s, t, err);
    return true;
}

/* Up to this many confirms share one transaction (one commit instead of
 * one each: a commit costs ~40 us of CPU, a small confirm's cementing a
 * few us). */
#define CONFIRM_BATCH 64u

static void task_remove(ledger_service *s, size_t k)
{
    confirm_task *t = s->tasks[k];
    memmove(&s->tasks[k], &s->tasks[k + 1], (s->ntasks - k - 1) * sizeof *s->tasks);
    s->ntasks--;
    task_free(t);
}

/* The next batch's order (confirm_order.h); none that is settling a fork
 * or runs alone. One call per batch. */
static size_t batch_order(ledger_service *s, size_t *order)
{
    ledger_confirm_rank rank[CONFIRMS_MAX];
    for (size_t i = 0; i < s->ntasks; i++) {
        const confirm_task *t = s->tasks[i];
        rank[i] = (ledger_confirm_rank){
            .eligible = !t->settling && !t->solo,
            .started = t->slices > 0,
            .backlog = t->backlog,
        };
    }
    return ledger_confirm_order(&s->order, rank, s->ntasks, order, CONFIRM_BATCH);
}

/* One transaction for the next slices of the confirms order[0..n), at
 * most cement_slice blocks in all, in that order (batch_order). False
 * when nothing was committed (a confirm needs the one-by-one path:
 * unknown block, fork, failure): the caller then runs one task alone,
 * which handles every case. */
static bool run_batch(ledger_service *s, const size_t *order, size_t n)
{
    size_t upto[CONFIRM_BATCH];
    bool fin[CONFIRM_BATCH];
    if (n < 2)
        return false;
    ledger_cemented_list done = {0};
    if (ledger_store_begin(s->store) != LEDGER_STATUS_OK)
        return false;
    size_t m = 0;
    ledger_status st = LEDGER_STATUS_OK;
    for (; m < n && done.n < s->cfg.cement_slice; m++) {
        confirm_task *t = s->tasks[order[m]];
        st = ledger_confirm_job_step_in_tx(s->store, t->job, s->cfg.cement_slice - done.n, &done,
                                           &fin[m]);
        if (st != LEDGER_STATUS_OK)
            break;
        upto[m] = done.n;
    }
    if (st == LEDGER_STATUS_OK)
        st = ledger_store_commit(s->store); /* rolls back itself on failure */
    else
        ledger_store_rollback(s->store);
    if (st != LEDGER_STATUS_OK) {
        for (size_t i = 0; i < m + 1 && i < n; i++)
            ledger_confirm_job_reset(s->tasks[order[i]]->job);
        if (m < n)
            s->tasks[order[m]]->solo = true; /* the one whose slice failed */
        ledger_cemented_list_free(&done);
        return false;
    }
    size_t from = 0, gone[CONFIRM_BATCH], ngone = 0;
    for (size_t i = 0; i < m; i++) {
        confirm_task *t = s->tasks[order[i]];
        t->slices++;
        for (size_t k = from; k < upto[i]; k++)
            on_cemented(s, &done.v[k]);
        t->count += upto[i] - from;
        from = upto[i];
        if (fin[i]) {
            task_reply(s, t, false, 0);
            /* kept sorted, highest index first, for removal */
            size_t j = ngone++;
            for (; j > 0 && gone[j - 1] < order[i]; j--)
                gone[j] = gone[j - 1];
            gone[j] = order[i];
        }
    }
    if (done.n) {
        schedule_prune(s);
        report_detail(s);
    }
    ledger_cemented_list_free(&done);
    for (size_t i = 0; i < ngone; i++)
        task_remove(s, gone[i]);
    return true;
}

static void on_confirm_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    ledger_service *s = arg;
    if (!s->ntasks)
        return;
    size_t order[CONFIRM_BATCH];
    size_t n = batch_order(s, order);
    if (!run_batch(s, order, n)) {
        /* one that must run alone, else the first new confirm in the
         * batch's order, else the oldest */
        size_t k = 0;
        bool solo = false;
        for (size_t i = 0; i < s->ntasks && !solo; i++)
            if (s->tasks[i]->solo) {
                k = i;
                solo = true;
            }
        for (size_t i = 0; i < n && !solo; i++)
            if (s->tasks[order[i]]->slices == 0) {
                k = order[i];
                break;
            }
        /* t stays at k: task_run only resets other tasks' jobs */
        if (task_run(s, s->tasks[k]))
            task_remove(s, k);
    }
    close_doomed(s);
    if (s->ntasks)
        arm(s->confirm_ev, 0);
}

static void handle_confirm(ledger_service *s, ipc_conn *c, const ipc_msg *m)
{
    char err[160];
    confirm_task *t = calloc(1, sizeof *t);
    if (!t) {
        if (m->id)
            ipc_reply_error(c, m, "confirm: out of memory");
        return;
    }
    if (!ledger_req_confirm(m, t->hash, &t->winner, &t->has_block, err, sizeof err)) {
        if (m->id)
            ipc_reply_error(c, m, err);
        free(t);
        return;
    }
    if (s->ntasks >= CONFIRMS_MAX) {
        if (m->id) {
            snprintf(err, sizeof err, "confirm: busy, %u confirms in progress", CONFIRMS_MAX);
            ipc_reply_error(c, m, err);
        }
        free(t);
        return;
    }
    t->conn = m->id ? c : NULL;
    t->id = m->id;
    t->backlog = ledger_req_confirm_backlog(m);
    clock_gettime(CLOCK_MONOTONIC, &t->start);
    if (ledger_confirm_job_new(t->hash, &t->job) != LEDGER_STATUS_OK) {
        if (m->id)
            ipc_reply_error(c, m, "confirm: out of memory");
        free(t);
        return;
    }
    /* Queued, never run at once: the confirms read from the same input
     * (elections sends them in bursts) then share a transaction. */
    s->tasks[s->ntasks++] = t;
    if (!evtimer_pending(s->confirm_ev, NULL))
        arm(s->confirm_ev, 0);
}

static void handle_subscribe(ledger_service *s, ipc_conn *c, const ipc_msg *m)
{
    const char *bad = "subscribe: topics must be strings";
    unsigned mask = parse_topics(m, &bad);
    if (!mask) {
        if (m->id)
            ipc_reply_error(c, m, bad);
        return;
    }
    if (s->sub_topics_cap < s->nsubs + 1) {
        size_t cap = s->sub_topics_cap ? s->sub_topics_cap * 2 : 8;
        unsigned *nt = realloc(s->sub_topics, cap * sizeof *nt);
        if (!nt) {
            if (m->id)
                ipc_reply_error(c, m, "subscribe: out of memory");
            return;
        }
        s->sub_topics = nt;
        s->sub_topics_cap = cap;
    }
    if (!conn_list_add(&s->subs, &s->nsubs, &s->subs_cap, c)) {
        if (m->id)
            ipc_reply_error(c, m, "subscribe: out of memory");
        return;
    }
    /* a new subscriber is appended; one subscribing again changes its topics */
    for (size_t i = 0; i < s->nsubs; i++)
        if (s->subs[i] == c)
            s->sub_topics[i] = mask;
    if (m->id) {
        ipc_builder b;
        ipc_build_begin(&b, "subscribed");
        check_send(s, c, ipc_reply(c, m, &b), "subscribed");
    }
}

/* rpc's unchecked_clear: one transaction of its own (the loop runs no
 * other between callbacks). */
static void handle_unchecked_clear(ledger_service *s, ipc_conn *c, const ipc_msg *m)
{
    uint64_t removed = 0;
    ledger_status st = ledger_store_begin(s->store);
    if (st == LEDGER_STATUS_OK) {
        st = ledger_store_unchecked_clear(s->store, &removed);
        if (st == LEDGER_STATUS_OK)
            st = ledger_store_commit(s->store); /* rolls back itself on failure */
        else
            ledger_store_rollback(s->store);
    }
    if (!m->id)
        return;
    if (st != LEDGER_STATUS_OK) {
        ipc_reply_error(c, m, "unchecked_clear: the store failed");
        return;
    }
    ipc_builder b;
    ipc_build_begin(&b, ipc_ledger_kind_name(IPC_LEDGER_K_UNCHECKED_CLEARED));
    ipc_put_uint(&b, "removed", removed);
    check_send(s, c, ipc_reply(c, m, &b), "unchecked_cleared");
}

/* ---- endpoint callbacks ---- */

void ledger_service_on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    ledger_service *s = ud;
    if (!s) {
        if (m->id)
            ipc_reply_error(c, m, "ledger is starting");
        return;
    }
    switch (ipc_ledger_kind_of(m)) {
    case IPC_LEDGER_K_PROCESS:
        handle_process(s, c, m);
        break;
    case IPC_LEDGER_K_PROCESS_BATCH:
        handle_process_batch(s, c, m);
        break;
    case IPC_LEDGER_K_CONFIRM:
        handle_confirm(s, c, m);
        break;
    case IPC_LEDGER_K_SUBSCRIBE:
        handle_subscribe(s, c, m);
        break;
    case IPC_LEDGER_K_UNCHECKED_CLEAR:
        handle_unchecked_clear(s, c, m);
        break;
    default:
        if (m->id)
            ipc_reply_error(c, m, "the ledger does not serve this request");
        break;
    }
    close_doomed(s);
}

void ledger_service_on_state(ipc_conn *c, bool up, void *ud)
{
    ledger_service *s = ud;
    if (!s || up)
        return;
    for (size_t i = 0; i < s->nsubs; i++)
        if (s->subs[i] == c) {
            memmove(&s->sub_topics[i], &s->sub_topics[i + 1],
                    (s->nsubs - i - 1) * sizeof *s->sub_topics);
            break;
        }
    conn_list_remove(s->subs, &s->nsubs, c);
    for (size_t i = 0; i < s->count; i++) {
        pending *p = &s->ring[(s->head + i) % s->cfg.queue_max];
        if (p->conn == c)
            p->conn = NULL;
        if (p->br && p->br->conn == c)
            p->br->conn = NULL;
    }
    for (size_t i = 0; i < s->ntasks; i++) {
        confirm_task *t = s->tasks[i];
        if (t->conn == c)
            t->conn = NULL; /* its cementing goes on: the network confirmed it */
    }
}

size_t ledger_service_queued(const ledger_service *s)
{
    return s->count;
}

void ledger_service_get_stats(const ledger_service *s, ledger_service_stats *out)
{
    ledger_store_counts(s->store, &out->counts);
    out->queued = s->count;
    out->subscribers = s->nsubs;
    out->batches = s->batches;
    out->batched = s->batched;
    out->settled = s->settled;
    ledger_processor_stats ps;
    ledger_processor_get_stats(s->proc, &ps);
    out->step_us_max = ps.step_us_max;
    out->step_cpu_us_max = ps.step_cpu_us_max;
    out->transactions = ps.groups;
}

/* ---- open / close ---- */

ledger_status ledger_service_open(struct event_base *base, const char *path, const smn_network *net,
                                  const ledger_service_config *cfg, ledger_service **out, char *err,
                                  size_t errlen)
{
    *out = NULL;
    ledger_service *s = calloc(1, sizeof *s);
    if (!s)
        return LEDGER_STATUS_NOMEM;
    if (cfg)
        s->cfg = *cfg;
    if (!s->cfg.batch_max)
        s->cfg.batch_max = DEFAULT_BATCH;
    if (!s->cfg.group_max)
        s->cfg.group_max = DEFAULT_GROUP;
    if (!s->cfg.queue_max)
        s->cfg.queue_max = DEFAULT_QUEUE;
    if (!s->cfg.rollback_max)
        s->cfg.rollback_max = LEDGER_ROLLBACK_MAX_DEFAULT;
    if (!s->cfg.cement_slice)
        s->cfg.cement_slice = DEFAULT_CEMENT_SLICE;
    if (s->cfg.batch_max > s->cfg.queue_max)
        s->cfg.batch_max = s->cfg.queue_max;
    s->base = base;
    clock_gettime(CLOCK_MONOTONIC, &s->last_prune);

    ledger_store_config scfg = {.unchecked_max = s->cfg.unchecked_max,
                                .cache_mib = s->cfg.cache_mib};
    ledger_status st = ledger_store_open(path, net, &scfg, &s->store, err, errlen);
    if (st != LEDGER_STATUS_OK)
        goto fail;
    ledger_processor_config pcfg = {.batch_max = s->cfg.batch_max,
                                    .group_max = s->cfg.group_max,
                                    .queue_max = s->cfg.queue_max,
                                    .verify_threads = s->cfg.verify_threads,
                                    .on_event = on_event,
                                    .event_user = s};
    st = ledger_processor_create(s->store, &pcfg, &s->proc);
    if (st != LEDGER_STATUS_OK) {
        snprintf(err, errlen, "cannot start the block processor: %s", ledger_strerror(st));
        goto fail;
    }
    s->ring = calloc(s->cfg.queue_max, sizeof *s->ring);
    s->flush_ev = evtimer_new(base, on_flush, s);
    s->prune_ev = evtimer_new(base, on_prune, s);
    s->confirm_ev = evtimer_new(base, on_confirm_tick, s);
    s->tasks = calloc(CONFIRMS_MAX, sizeof *s->tasks);
    if (!s->ring || !s->flush_ev || !s->prune_ev || !s->confirm_ev || !s->tasks) {
        snprintf(err, errlen, "out of memory");
        st = LEDGER_STATUS_NOMEM;
        goto fail;
    }
    /* Sweep what an earlier run (or a changed setting) left to prune. */
    if (s->cfg.prune_keep)
        arm(s->prune_ev, 0);
    report_detail(s);
    *out = s;
    return LEDGER_STATUS_OK;
fail:
    ledger_service_close(s);
    return st;
}

void ledger_service_close(ledger_service *s)
{
    if (!s)
        return;
    if (s->proc)
        (void)ledger_processor_flush(s->proc); /* the open group's blocks are kept */
    if (s->count)
        smn_warn("stopping with %zu unprocessed blocks; their senders will retry", s->count);
    if (s->batches)
        smn_info("processed %llu blocks in %llu batches", (unsigned long long)s->batched,
                 (unsigned long long)s->batches);
    if (s->settled)
        smn_info("settled %llu forks by rollback", (unsigned long long)s->settled);
    if (s->flush_ev)
        event_free(s->flush_ev);
    if (s->prune_ev)
        event_free(s->prune_ev);
    if (s->confirm_ev)
        event_free(s->confirm_ev);
    if (s->ntasks)
        smn_warn("stopping with %zu confirms in progress; what they cemented stays, "
                 "a repeated confirm finishes the rest",
                 s->ntasks);
    for (size_t i = 0; i < s->ntasks; i++)
        task_free(s->tasks[i]);
    free(s->tasks);
    for (size_t i = 0; s->ring && i < s->count; i++) {
        pending *p = &s->ring[(s->head + i) % s->cfg.queue_max];
        if (p->br && --p->br->left == 0)
            free(p->br); /* its sender sees the connection close */
    }
    ledger_processor_destroy(s->proc);
    ledger_store_close(s->store);
    free(s->ring);
    free(s->subs);
    free(s->sub_topics);
    free(s->doomed);
    free(s);
}
