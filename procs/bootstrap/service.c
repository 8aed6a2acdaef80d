#include "procs/bootstrap/service.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/block.h"
#include "common/log.h"
#include "common/network.h"
#include "ipc/ledger_client.h"
#include "ipc/schema_bootstrap.h"
#include "ipc/schema_common.h"
#include "ipc/schema_net.h"
#include "procs/bootstrap/hold.h"
#include "procs/bootstrap/sched.h"
#include "procs/bootstrap/state.h"
#include "procs/bootstrap/feed.h"
#include "ipc/ledgerdb/ro.h"
#include "ipc/ledgerdb/schema.h"

#define TICK_MS 5u
#define BUSY_BACKOFF_MS 100u /* the ledger's queue was full */
#define MAX_DEP_DEPTH 64u    /* dependency hops queued in front of one another */
#define UNCHECKED_EVERY_MS 250u
#define SWEEP_PER_TICK 64u /* held segments checked per sweep for a source that landed */
#define SWEEP_EVERY_MS 50u /* between sweeps unless the hold is stuck */

typedef enum { REQ_FREE = 0, REQ_SCAN, REQ_PULL, REQ_LOOKUP } req_kind;

/* One account of a pull (a pull asks for up to IPC_NET_PULL_PARTS). */
typedef struct {
    boot_item item; /* its hint: the block the page starts above (zero: an open) */
    size_t off, n;  /* its blocks in the request's buffer */
} boot_part;

typedef struct {
    struct bootstrap_service *s;
    req_kind kind;
    int peer;
    boot_item item;   /* REQ_LOOKUP: the one waiting */
    uint8_t base[32]; /* REQ_LOOKUP: the source hash looked up */
    boot_part parts[IPC_NET_PULL_PARTS];
    size_t nparts;
    uint64_t sent_ms;  /* when the request went to net */
    uint32_t count;    /* blocks asked for per part */
    uint64_t asked;    /* count x parts, counted in s->inflight until answered */
    smn_block *blocks; /* IPC_NET_MAX_PULL_ASC */
    size_t n;
} boot_req;

/* One process_batch in flight: its blocks and who served each. */
typedef struct {
    struct bootstrap_service *s;
    bool used;
    size_t n;
    smn_block *blocks; /* IPC_LEDGER_MAX_BATCH */
    int8_t *peer;
} boot_batch;

struct bootstrap_service {
    ipc_child *child;
    const smn_network *net;
    char data_dir[256];
    ipc_endpoint *netep;
    ledger_client *ledger;
    ledger_ro *ro;
    struct event *tick, *kick;
    uint32_t interval_ms;
    bool stopping;

    boot_sched sched;
    bool peers_out;
    uint64_t peers_next_ms;

    /* the frontier scan */
    uint8_t cursor[32], saved[32];
    bool saved_once; /* the file was written by this process */
    uint8_t scanned; /* peers whose ledger this round scanned to its end (bits) */
    bool scan_out;
    bool scan_confirm; /* an empty page is asked again once before it ends the scan */
    uint64_t scan_next_ms;
    int scan_peer; /* -1: pick one */
    /* age: a round after a complete one lists only accounts whose head the
     * peer stored since the previous round began (every
     * BOOTSTRAP_FULL_ROUND_EVERY-th round lists all) */
    uint64_t round_start_s, prev_round_start_s; /* wall clock, seconds; 0: none */
    uint32_t round_age;                         /* this round's age, 0: any */

    uint64_t unchecked, max_unchecked; /* the ledger's, read every UNCHECKED_EVERY_MS */
    uint64_t inflight;                 /* blocks asked for or handed to the ledger, no result yet */
    uint64_t asked;                    /* blocks asked for, no answer yet */
    uint64_t unchecked_at_ms;
    uint64_t lookup_next_ms; /* lookups for blocked segments' sources, paced */
    uint64_t sweep_next_ms;  /* the next sweep (unless the hold is stuck) */
    uint64_t stuck_since_ms; /* the hold could not move (0: it can) */

    uint8_t unavail_logged; /* peers whose first unavailable answer was logged (bits) */
    boot_hold hold;         /* pulled pages waiting for their dependencies */
    boot_req reqs[BOOTSTRAP_MAX_REQUESTS];
    boot_batch batches[BOOTSTRAP_MAX_BATCHES];
    size_t nbatches; /* process_batch in flight */
    uint64_t ledger_next_ms;

    uint64_t rounds, pulled, accepted, old, lookups, invalid, submitted, spilled, unavailable,
        evicted, trimmed, rewinds;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static ledger_ro *ro_of(bootstrap_service *s)
{
    if (s->ro)
        return s->ro;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s", s->data_dir, LEDGER_DB_FILENAME);
    if (ledger_ro_open(path, s->net, &s->ro, err, sizeof err) != LEDGER_STATUS_OK) {
        smn_debug("ledger.db not readable yet: %s", err);
        s->ro = NULL;
    }
    return s->ro;
}

static void set_detail(bootstrap_service *s)
{
    char d[200];
    snprintf(d, sizeof d,
             "rounds %llu, pulled %llu, accepted %llu, old %llu, queued %zu, held %zu, "
             "waiting %zu, lookups %llu, invalid %llu",
             (unsigned long long)s->rounds, (unsigned long long)s->pulled,
             (unsigned long long)s->accepted, (unsigned long long)s->old,
             boot_sched_queued(&s->sched), boot_hold_blocks(&s->hold), boot_hold_blocked(&s->hold),
             (unsigned long long)s->lookups, (unsigned long long)s->invalid);
    ipc_child_set_detail(s->child, d);
}

static boot_req *req_new(bootstrap_service *s, req_kind k, int peer)
{
    for (size_t i = 0; i < BOOTSTRAP_MAX_REQUESTS; i++)
        if (s->reqs[i].kind == REQ_FREE) {
            boot_req *r = &s->reqs[i];
            smn_block *keep = r->blocks;
            memset(r, 0, sizeof *r);
            r->blocks = keep;
            r->s = s;
            r->kind = k;
            r->peer = peer;
            r->sent_ms = now_ms();
            return r;
        }
    return NULL;
}

/* Run the loop again as soon as the current callback is over: a finished
 * request frees a peer and a slot. */
static void kick(bootstrap_service *s)
{
    if (s->kick && !s->stopping)
        event_active(s->kick, EV_TIMEOUT, 1);
}

static void req_free(boot_req *r)
{
    r->kind = REQ_FREE;
}

static size_t reqs_busy(const bootstrap_service *s)
{
    size_t n = 0;
    for (size_t i = 0; i < BOOTSTRAP_MAX_REQUESTS; i++)
        n += s->reqs[i].kind != REQ_FREE;
    return n;
}

static const char *reply_why(ipc_status st, const ipc_msg *reply, char *buf, size_t cap)
{
    if (st == IPC_E_REMOTE && ipc_get_strz(reply->body, "message", buf, cap))
        return buf;
    return ipc_strerror(st);
}

/* A failed request: net refuses one it has no free peer or room for at
 * once (no fault of the peer), while a peer that does not answer fails
 * after net's deadline (NET_PULL_TIMEOUT_MS, 5 s): a stall. */
#define QUICK_FAILURE_MS 1000u

static bool no_slot(ipc_status st, const boot_req *r, uint64_t now)
{
    return st == IPC_E_QUEUE_FULL || st == IPC_E_CLOSED ||
           (st == IPC_E_REMOTE && now - r->sent_ms < QUICK_FAILURE_MS);
}

/* ---- peers ---- */

static void on_peers(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    bootstrap_service *s = ud;
    if (s->stopping)
        return;
    s->peers_out = false;
    const ipc_obj *arr = st == IPC_OK ? ipc_get_array(reply->body, "peers") : NULL;
    if (!arr)
        return;
    uint8_t ids[IPC_NET_MAX_PEERS][32];
    size_t n = 0;
    for (size_t i = 0; i < ipc_array_len(arr) && n < IPC_NET_MAX_PEERS; i++) {
        const uint8_t *id;
        size_t len;
        if (ipc_get_bin(ipc_array_at(arr, i), "node_id", &id, &len) && len == 32)
            memcpy(ids[n++], id, 32);
    }
    boot_sched_set_peers(&s->sched, (const uint8_t(*)[32])ids, n);
}

static void ask_peers(bootstrap_service *s, ipc_conn *c, uint64_t now)
{
    ipc_builder b;
    ipc_build_begin(&b, "peers");
    if (ipc_request(c, &b, BOOTSTRAP_REQUEST_TIMEOUT_MS, on_peers, s) == IPC_OK)
        s->peers_out = true;
    s->peers_next_ms = now + BOOTSTRAP_PEERS_EVERY_MS;
}

/* ---- the frontier scan ---- */

static void cursor_after(const uint8_t account[32], uint8_t out[32], bool *wrapped)
{
    memcpy(out, account, 32);
    for (size_t i = 32; i-- > 0;)
        if (++out[i] != 0) {
            *wrapped = false;
            return;
        }
    *wrapped = true; /* the last possible account */
}

/* This peer's ledger is scanned to its end: the next peer starts from the
 * first account; when every usable peer is done, the round is over. */
static void scan_peer_done(bootstrap_service *s, int peer, uint64_t now)
{
    s->scanned |= (uint8_t)(1u << peer);
    memset(s->cursor, 0, 32);
    s->scan_peer = -1;
    bool all = true;
    for (size_t i = 0; i < BOOT_MAX_PEERS; i++) {
        const boot_peer *p = &s->sched.peers[i];
        if (p->used && p->present && !p->dropped_until && !(s->scanned & (1u << i)))
            all = false;
    }
    if (all) {
        s->prev_round_start_s = s->round_start_s;
        s->scanned = 0;
        s->scan_next_ms = now + s->interval_ms;
        smn_debug("scan round %llu over", (unsigned long long)s->rounds);
    }
}

static void on_frontiers(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    boot_req *r = ud;
    bootstrap_service *s = r->s;
    if (s->stopping)
        return;
    kick(s);
    uint64_t now = now_ms();
    int peer = r->peer;
    bool quick = no_slot(st, r, now);
    req_free(r);
    s->scan_out = false;
    const ipc_obj *entries = st == IPC_OK ? ipc_get_array(reply->body, "entries") : NULL;
    ledger_ro *ro = ro_of(s);
    if (!entries || !ro) {
        char buf[128];
        const char *why = reply_why(st, reply, buf, sizeof buf);
        boot_sched_done(&s->sched, peer, quick ? BOOT_NO_SLOT : BOOT_STALL, 0, now);
        smn_debug("frontiers: %s", why);
        s->scan_next_ms = now + 50;
        return;
    }
    boot_sched_done(&s->sched, peer, BOOT_OK, 0, now);
    s->scan_next_ms = now + BOOTSTRAP_SCAN_PACE_MS;
    size_t n = ipc_array_len(entries), behind = 0;
    if (n == 0 && !smn_is_zero32(s->cursor) && !s->scan_confirm) {
        /* The end, or a request that came too soon for the peer: once more
         * after the pace to tell. */
        s->scan_confirm = true;
        return;
    }
    s->scan_confirm = false;
    const uint8_t *last = NULL;
    for (size_t i = 0; i < n && i < IPC_NET_MAX_FRONTIERS; i++) {
        const ipc_obj *e = ipc_array_at(entries, i);
        const uint8_t *account, *hash;
        size_t alen, hlen;
        if (!ipc_get_bin(e, "account", &account, &alen) || !ipc_get_bin(e, "hash", &hash, &hlen))
            continue; /* the schema requires both */
        if (last && memcmp(account, last, 32) <= 0) {
            smn_warn("a peer listed frontiers out of order: dropping its scan");
            boot_sched_penalize(&s->sched, peer, BOOT_INVALID, now);
            scan_peer_done(s, peer, now);
            return;
        }
        last = account;
        ledger_block_record rec;
        if (ledger_ro_block(ro, hash, &rec) == LEDGER_STATUS_OK || boot_hold_has(&s->hold, account))
            continue; /* we have the peer's frontier (or are ahead of it), or pulled it */
        if (boot_sched_push(&s->sched, account, false, 0))
            behind++;
    }
    if (behind)
        smn_info("%zu of %zu accounts behind the peer: pulling", behind, n);
    bool wrapped = true;
    if (last && n >= BOOTSTRAP_BATCH)
        cursor_after(last, s->cursor, &wrapped);
    if (wrapped)
        scan_peer_done(s, peer, now);
    set_detail(s);
}

static void ask_frontiers(bootstrap_service *s, ipc_conn *c, uint64_t now)
{
    int peer = s->scan_peer;
    if (peer >= 0 && (!s->sched.peers[peer].present || s->sched.peers[peer].dropped_until))
        peer = s->scan_peer = -1;
    if (peer < 0) {
        /* the best peer not scanned yet this round */
        int best = -1;
        for (size_t i = 0; i < BOOT_MAX_PEERS; i++) {
            const boot_peer *p = &s->sched.peers[i];
            if (!p->used || !p->present || p->dropped_until || (s->scanned & (1u << i)))
                continue;
            if (best < 0 || p->score > s->sched.peers[best].score)
                best = (int)i;
        }
        if (best < 0)
            return;
        peer = s->scan_peer = best;
        if (!s->scanned && smn_is_zero32(s->cursor)) {
            s->rounds++;
            uint64_t t = (uint64_t)time(NULL);
            s->round_age = 0;
            if (s->prev_round_start_s && s->rounds % BOOTSTRAP_FULL_ROUND_EVERY != 0 &&
                t >= s->prev_round_start_s)
                s->round_age = (uint32_t)(t - s->prev_round_start_s + BOOTSTRAP_AGE_MARGIN_S);
            s->round_start_s = t;
        }
    }
    const boot_peer *p = &s->sched.peers[peer];
    if (p->busy || now < p->next_ms)
        return;
    boot_req *r = req_new(s, REQ_SCAN, peer);
    if (!r)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "frontiers");
    if (!smn_is_zero32(s->cursor))
        ipc_put_bin(&b, "start", s->cursor, 32);
    ipc_put_uint(&b, "count", BOOTSTRAP_BATCH);
    ipc_put_bin(&b, "peer", p->id, 32);
    if (s->round_age)
        ipc_put_uint(&b, "age", s->round_age);
    if (ipc_request(c, &b, BOOTSTRAP_REQUEST_TIMEOUT_MS, on_frontiers, r) != IPC_OK) {
        req_free(r);
        return;
    }
    boot_sched_mark_busy(&s->sched, peer);
    s->scan_out = true;
}

/* ---- pulls ---- */

static void requeue(bootstrap_service *s, const boot_item *it)
{
    if (!boot_sched_requeue(&s->sched, it))
        smn_debug("queue full: an account waits for the next scan");
}

static bool is_invalid(ledger_result r)
{
    switch (r) {
    case LEDGER_BAD_SIGNATURE:
    case LEDGER_INSUFFICIENT_WORK:
    case LEDGER_WRONG_DESTINATION:
    case LEDGER_BALANCE_MISMATCH:
    case LEDGER_BAD_CHANGE_LINK:
    case LEDGER_BAD_OPEN:
    case LEDGER_PREVIOUS_ACCOUNT:
    case LEDGER_PRUNED:
        return true;
    default:
        return false;
    }
}

/* account's blocks were not taken: what the hold has of it is forgotten,
 * and its next pull starts at our own frontier. again: queued (at the
 * front) for that pull now. */
static void account_reset(bootstrap_service *s, const uint8_t account[32], bool again)
{
    boot_hold_drop(&s->hold, account, NULL);
    boot_sched_forget_hint(&s->sched, account);
    if (again && !boot_sched_contains(&s->sched, account))
        boot_sched_push(&s->sched, account, true, 0);
}

/* The ledger's verdicts on one batch (results[i] for b->blocks[i]). Every
 * block it stored or keeps in unchecked may release a segment blocked on
 * it; a block it did not take resets its account. */
static void on_batch(void *ud, ipc_status st, const ledger_result *res, size_t n)
{
    boot_batch *b = ud;
    bootstrap_service *s = b->s;
    if (s->stopping)
        return;
    kick(s);
    uint64_t now = now_ms();
    s->nbatches--;
    s->inflight -= s->inflight >= b->n ? b->n : s->inflight;
    b->used = false;
    if (st != IPC_OK || n != b->n) {
        smn_warn("the ledger did not take %zu pulled blocks: %s", b->n, ipc_strerror(st));
        s->ledger_next_ms = now + BUSY_BACKOFF_MS;
        for (size_t i = 0; i < b->n; i++)
            account_reset(s, b->blocks[i].account, true);
        return;
    }
    uint8_t penalized = 0;
    ledger_ro *ro = ro_of(s);
    for (size_t i = 0; i < n; i++) {
        const smn_block *blk = &b->blocks[i];
        uint8_t h[32];
        switch (res[i]) {
        case LEDGER_ACCEPTED:
            s->accepted++;
            smn_block_hash(blk, h);
            boot_hold_wake(&s->hold, h); /* one that blocked after it was handed out */
            break;
        case LEDGER_OLD:
            s->old++;
            break;
        case LEDGER_GAP_PREVIOUS:
        case LEDGER_GAP_SOURCE:
            s->unchecked++; /* waits there for its dependency (a spilled segment) */
            break;
        case LEDGER_BUSY:
        case LEDGER_ERROR:
            s->ledger_next_ms = now + BUSY_BACKOFF_MS;
            account_reset(s, blk->account, true);
            break;
        case LEDGER_FORK: {
            /* At or below our confirmation height: the peer serves a fork
             * of cemented history. Above it: an election's business. */
            ledger_account_info ai;
            ledger_block_record prev = {0};
            bool cemented = ro &&
                            ledger_ro_account_info(ro, blk->account, &ai) == LEDGER_STATUS_OK &&
                            (smn_is_zero32(blk->previous) ||
                             ledger_ro_block(ro, blk->previous, &prev) == LEDGER_STATUS_OK) &&
                            prev.height + 1 <= ai.conf_height;
            if (cemented && b->peer[i] >= 0 && !(penalized & (1u << b->peer[i]))) {
                penalized |= (uint8_t)(1u << b->peer[i]);
                s->invalid++;
                smn_warn("a peer served a fork of our cemented chain: scoring it down");
                boot_sched_penalize(&s->sched, b->peer[i], BOOT_INVALID, now);
            }
            account_reset(s, blk->account, cemented);
            break;
        }
        default:
            if (is_invalid(res[i])) {
                if (b->peer[i] >= 0 && !(penalized & (1u << b->peer[i]))) {
                    penalized |= (uint8_t)(1u << b->peer[i]);
                    s->invalid++;
                    smn_warn("a peer served invalid blocks (%s): scoring it down",
                             ipc_ledger_result_name(res[i]));
                    boot_sched_penalize(&s->sched, b->peer[i], BOOT_INVALID, now);
                }
                account_reset(s, blk->account, true); /* from another peer */
            } else {
                account_reset(s, blk->account, false); /* not this chain's page */
            }
            break;
        }
    }
    set_detail(s);
}

/* The hold handed a segment out to its end: a full page has more above
 * it, pulled after every other queued account's next page (chains move in
 * step, page by page: a receive's source is in another chain's page of
 * the same step), or first and whole when it held sends only (a chain
 * that funds others, such as one opening accounts, is not starved).
 * A chain whose page merely woke a waiting receive stays in step: pulling
 * each of those first, alone and whole, as this did before, made the
 * pulls depth-first, one chain a round trip, and filled the hold with
 * whole chains blocked on chains not pulled yet (docs/benchmarks.md
 * "Bootstrap", 200k). */
static void on_seg_done(void *ud, const boot_item *it, bool more, bool needed, bool funds)
{
    (void)needed;
    bootstrap_service *s = ud;
    boot_item next = *it;
    next.dep_depth = funds ? 1 : 0; /* 1: pulled alone, whole pages (page_blocks) */
    /* a full page: the chain delivers, its next page is twice as long */
    next.page = next.page >= IPC_NET_MAX_PULL_ASC / 2 ? (uint16_t)IPC_NET_MAX_PULL_ASC
                                                      : (uint16_t)(next.page * 2);
    if (more &&
        !(funds ? boot_sched_requeue(&s->sched, &next) : boot_sched_append(&s->sched, &next)))
        smn_debug("queue full: a chain's next page waits for the next scan");
}

static bool has_block(void *ud, const uint8_t hash[32])
{
    bootstrap_service *s = ud;
    ledger_block_record rec;
    return s->ro && ledger_ro_block(s->ro, hash, &rec) == LEDGER_STATUS_OK;
}

/* One process_batch of what the hold can hand out now. false: nothing. */
static bool submit_batch(bootstrap_service *s, uint64_t now)
{
    boot_batch *b = NULL;
    for (size_t i = 0; i < BOOTSTRAP_MAX_BATCHES && !b; i++)
        if (!s->batches[i].used)
            b = &s->batches[i];
    if (!b)
        return false;
    boot_hold_cb cb = {.known = has_block, .done = on_seg_done, .ud = s};
    b->n = boot_hold_take(&s->hold, b->blocks, b->peer, IPC_LEDGER_MAX_BATCH, &cb);
    if (b->n == 0)
        return false;
    if (ledger_client_process_batch(s->ledger, b->blocks, b->n, LEDGER_ORIGIN_BOOTSTRAP, on_batch,
                                    b) != IPC_OK) {
        s->ledger_next_ms = now + BUSY_BACKOFF_MS;
        for (size_t i = 0; i < b->n; i++)
            account_reset(s, b->blocks[i].account, true);
        return false;
    }
    b->used = true;
    s->nbatches++;
    s->inflight += b->n;
    s->submitted += b->n;
    return true;
}

/* The part's chain must hang from its base and link block to block, all of
 * the account asked for. */
static bool chain_ok(const boot_req *r, const boot_part *p)
{
    uint8_t prev[32];
    memcpy(prev, p->item.hint, 32);
    for (size_t i = p->off; i < p->off + p->n; i++) {
        const smn_block *b = &r->blocks[i];
        if (memcmp(b->account, p->item.account, 32) != 0 || memcmp(b->previous, prev, 32) != 0)
            return false;
        smn_block_hash(b, prev);
    }
    return true;
}

/* peer cannot serve item's chain above its hint (pruned there, or it does
 * not know the hint): another peer is asked; when none is left, what is
 * missing is logged and the account waits for the next round. */
static void unavailable(bootstrap_service *s, int peer, boot_item *it, uint64_t now)
{
    const boot_peer *p = &s->sched.peers[peer];
    ledger_account_info ai;
    if (ro_of(s) && ledger_ro_account_info(s->ro, it->account, &ai) == LEDGER_STATUS_OK &&
        ai.height > ai.conf_height && memcmp(it->hint, ai.frontier, 32) == 0) {
        /* It does not know our head, which is not confirmed: its chain may
         * fork from ours above our confirmed block. Ask again from there:
         * the ledger sees the peer's block in place of ours (a fork, for
         * the elections to decide) instead of the account waiting for a
         * peer that knows a block the network may have rejected. */
        s->rewinds++;
        smn_debug("a peer does not know our unconfirmed head at height %llu: pulling from our "
                  "confirmed height %llu",
                  (unsigned long long)ai.height, (unsigned long long)ai.conf_height);
        boot_item again = *it;
        again.rewind = true;
        requeue(s, &again);
        return;
    }
    if (!(s->unavail_logged & (1u << peer)))
        smn_info("peer %02x%02x%02x%02x... cannot serve some chains (pruned or unknown there): "
                 "asking other peers",
                 p->id[0], p->id[1], p->id[2], p->id[3]);
    s->unavail_logged |= (uint8_t)(1u << peer);
    s->unavailable++;
    boot_item copy = *it;
    it->rewind = false;
    if (boot_sched_refused(&s->sched, it, peer, now))
        return;
    char acc[65];
    for (size_t i = 0; i < 32; i++)
        snprintf(acc + 2 * i, 3, "%02X", copy.account[i]);
    smn_warn("missing: account %s above height %llu (block %02X%02X%02X%02X...): no peer can "
             "serve it (pruned or unknown there); given up until the next round",
             acc, (unsigned long long)copy.hint_height, copy.hint[0], copy.hint[1], copy.hint[2],
             copy.hint[3]);
}

static void pull_failed(bootstrap_service *s, boot_req *r)
{
    for (size_t k = 0; k < r->nparts; k++)
        requeue(s, &r->parts[k].item);
    req_free(r);
}

static void on_pull(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    boot_req *r = ud;
    bootstrap_service *s = r->s;
    if (s->stopping)
        return;
    kick(s);
    s->inflight -= s->inflight >= r->asked ? r->asked : s->inflight;
    s->asked -= s->asked >= r->asked ? r->asked : s->asked;
    uint64_t now = now_ms();
    const ipc_obj *arr = st == IPC_OK ? ipc_get_array(reply->body, "blocks") : NULL;
    if (!arr) {
        char buf[128];
        const char *why = reply_why(st, reply, buf, sizeof buf);
        boot_sched_done(&s->sched, r->peer, no_slot(st, r, now) ? BOOT_NO_SLOT : BOOT_STALL, 0,
                        now);
        smn_debug("pull failed: %s", why);
        pull_failed(s, r);
        return;
    }
    size_t n = ipc_array_len(arr);
    r->n = 0;
    for (size_t i = 0; i < n && i < IPC_NET_MAX_PULL_ASC; i++) {
        const uint8_t *wire;
        size_t wlen;
        if (!ipc_obj_bin(ipc_array_at(arr, i), &wire, &wlen) ||
            smn_block_deserialize(wire, wlen, &r->blocks[r->n]) != SMN_BLOCK_OK)
            break;
        r->n++;
    }
    /* Split the answer into its parts. */
    const ipc_obj *parts = ipc_get_array(reply->body, "parts");
    bool shape_ok = r->n == n;
    bool unavail[IPC_NET_PULL_PARTS] = {false};
    if (parts && ipc_array_len(parts) == r->nparts) {
        size_t off = 0;
        for (size_t k = 0; k < r->nparts; k++) {
            uint64_t pn = 0;
            const ipc_obj *e = ipc_array_at(parts, k);
            ipc_get_uint(e, "n", &pn);
            ipc_get_bool(e, "unavailable", &unavail[k]);
            r->parts[k].off = off;
            r->parts[k].n = (size_t)pn;
            off += (size_t)pn;
        }
        shape_ok = shape_ok && off == r->n;
    } else if (!parts && r->nparts == 1) {
        r->parts[0].off = 0;
        r->parts[0].n = r->n;
        ipc_get_bool(reply->body, "unavailable", &unavail[0]);
    } else {
        shape_ok = false;
    }
    if (!shape_ok) {
        boot_sched_done(&s->sched, r->peer, BOOT_INVALID, 0, now);
        s->invalid++;
        smn_warn("a peer's pull answer does not parse: scoring it down");
        pull_failed(s, r);
        return;
    }
    bool invalid = false, all_unavailable = true;
    for (size_t k = 0; k < r->nparts; k++) {
        boot_part *p = &r->parts[k];
        if (unavail[k]) {
            unavailable(s, r->peer, &p->item, now);
            continue;
        }
        all_unavailable = false;
        if (!chain_ok(r, p)) {
            invalid = true;
            requeue(s, &p->item);
            continue;
        }
        s->pulled += p->n;
        if (p->n == 0) {
            /* Nothing above our head there. The account was queued because
             * some peer showed more (its frontier scan, or a full page), so
             * another peer is asked, once each: otherwise a peer that holds
             * a fork of it, and says it has nothing above it, would be
             * asked every round while the one that has the chain never is
             * (bootstrap_sync_fork). */
            boot_sched_refused(&s->sched, &p->item, r->peer, now);
            continue;
        }
        if (!boot_hold_add(&s->hold, &p->item, &r->blocks[p->off], p->n, r->peer,
                           p->n >= r->count)) {
            /* held already (a second pull raced it), or no room: later */
            if (!boot_hold_has(&s->hold, p->item.account))
                requeue(s, &p->item);
        }
    }
    if (invalid) {
        s->invalid++;
        smn_warn("a peer answered a pull with a chain that does not link: scoring it down");
    }
    boot_sched_done(&s->sched, r->peer,
                    invalid ? BOOT_INVALID : (all_unavailable ? BOOT_UNAVAILABLE : BOOT_OK), r->n,
                    now);
    boot_sched_pace(&s->sched, r->peer, r->nparts, now);
    req_free(r);
    set_detail(s);
}

/* The part's base: our frontier, or (above it) the last block of the
 * account the hold handed to the ledger. */
static void part_init(bootstrap_service *s, boot_part *p, const boot_item *it)
{
    memset(p, 0, sizeof *p);
    p->item = *it;
    p->item.rewind = false;
    ledger_account_info ai;
    ledger_block_record rec;
    size_t got = 0;
    bool have = ledger_ro_account_info(s->ro, it->account, &ai) == LEDGER_STATUS_OK;
    if (have && it->rewind && ai.conf_height == 0) {
        memset(p->item.hint, 0, 32); /* nothing confirmed: from the open */
        p->item.hint_height = 0;
        p->item.hint_balance = smn_amount_zero();
    } else if (have && it->rewind &&
               ledger_ro_history(s->ro, it->account, ai.conf_height + 1, &rec, 1, &got) ==
                   LEDGER_STATUS_OK &&
               got == 1 && rec.height == ai.conf_height) {
        memcpy(p->item.hint, rec.hash, 32); /* our confirmed block */
        p->item.hint_height = rec.height;
        p->item.hint_balance = rec.block.balance;
    } else if (have && ai.height >= it->hint_height) {
        memcpy(p->item.hint, ai.frontier, 32);
        p->item.hint_height = ai.height;
        p->item.hint_balance = ai.balance;
    } else if (it->hint_height == 0) {
        memset(p->item.hint, 0, 32); /* an open */
        p->item.hint_balance = smn_amount_zero();
    }
}

/* A chain's fair share of the hold: half of it shared among the chains
 * we know of (queued or held), from BOOTSTRAP_MIN_PAGE to a whole answer.
 * No page of a chain in step is longer: a step of every chain fits in the
 * hold, so the receives of one step find their sources held (this
 * workload's sources are in the same step of other chains). */
static uint32_t fair_page(const bootstrap_service *s)
{
    size_t chains = boot_sched_queued(&s->sched) + boot_hold_accounts(&s->hold) + 1;
    size_t fair = BOOT_HOLD_BLOCKS / 2 / chains;
    if (fair > IPC_NET_MAX_PULL_ASC)
        fair = IPC_NET_MAX_PULL_ASC;
    return fair < BOOTSTRAP_MIN_PAGE ? BOOTSTRAP_MIN_PAGE : (uint32_t)fair;
}

/* A chain's first page: its fair share, at most the page at which a pull
 * of IPC_NET_PULL_PARTS chains fills one answer. With few chains the
 * first pulls carry whole answers (a round trip per 512 blocks, not 128:
 * on a 200k sync the first 60k blocks came in 21 s instead of 90 s,
 * docs/benchmarks.md "Bootstrap"); with many, first pages stay small so
 * that they do not fill the hold with chains blocked on each other. */
static uint32_t first_page(const bootstrap_service *s)
{
    uint32_t fair = fair_page(s);
    return fair > IPC_NET_MAX_PULL_ASC / IPC_NET_PULL_PARTS
               ? IPC_NET_MAX_PULL_ASC / IPC_NET_PULL_PARTS
               : fair;
}

/* Blocks per part for a chain: its first page, then twice its last page
 * while it keeps delivering full pages, up to its fair share (a long
 * chain soon comes in large pages, a short one costs no more than it
 * holds). */
static uint32_t page_blocks(const bootstrap_service *s, const boot_item *it)
{
    if (it->dep_depth)
        return IPC_NET_MAX_PULL_ASC; /* a chain others wait for: a whole page */
    if (it->page == 0)
        return first_page(s);
    uint32_t fair = fair_page(s);
    uint32_t page = it->page < BOOTSTRAP_MIN_PAGE ? BOOTSTRAP_MIN_PAGE : it->page;
    return page > fair ? fair : page;
}

/* One ascending pull to peer: the item and up to IPC_NET_PULL_PARTS - 1
 * more queued accounts for the same peer, in one round trip. */
static bool send_pull(bootstrap_service *s, ipc_conn *c, int peer, const boot_item *it)
{
    boot_req *r = req_new(s, REQ_PULL, peer);
    if (!r || !ro_of(s))
        return false;
    r->nparts = 1;
    part_init(s, &r->parts[0], it);
    boot_item more;
    /* the first chain's page for every part, as many parts as fit in one
     * answer (IPC_NET_MAX_PULL_ASC blocks) */
    r->count = page_blocks(s, it);
    while (r->nparts < IPC_NET_PULL_PARTS && (r->nparts + 1) * r->count <= IPC_NET_MAX_PULL_ASC &&
           boot_sched_take_for(&s->sched, peer, now_ms(), &more))
        part_init(s, &r->parts[r->nparts++], &more);
    for (size_t k = 0; k < r->nparts; k++)
        r->parts[k].item.page = (uint16_t)r->count;
    ipc_builder b;
    ipc_build_begin(&b, "pull");
    ipc_put_bin(&b, "start", r->parts[0].item.account, 32);
    if (!smn_is_zero32(r->parts[0].item.hint))
        ipc_put_bin(&b, "end", r->parts[0].item.hint, 32);
    ipc_put_bin(&b, "peer", s->sched.peers[peer].id, 32);
    ipc_put_bool(&b, "ascending", true);
    ipc_put_uint(&b, "count", r->count);
    if (r->nparts > 1) {
        ipc_put_array_begin(&b, "also");
        for (size_t k = 1; k < r->nparts; k++) {
            ipc_put_map_begin(&b, NULL);
            ipc_put_bin(&b, "start", r->parts[k].item.account, 32);
            if (!smn_is_zero32(r->parts[k].item.hint))
                ipc_put_bin(&b, "end", r->parts[k].item.hint, 32);
            ipc_put_map_end(&b);
        }
        ipc_put_array_end(&b);
    }
    if (ipc_request(c, &b, BOOTSTRAP_REQUEST_TIMEOUT_MS, on_pull, r) == IPC_OK) {
        r->asked = (uint64_t)r->count * r->nparts;
        s->inflight += r->asked;
        s->asked += r->asked;
    } else {
        for (size_t k = 1; k < r->nparts; k++)
            requeue(s, &r->parts[k].item); /* the caller requeues the first */
        req_free(r);
        return false;
    }
    return true;
}

/* ---- dependency lookups ---- */

static void on_lookup(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    boot_req *r = ud;
    bootstrap_service *s = r->s;
    if (s->stopping)
        return;
    kick(s);
    uint64_t now = now_ms();
    const ipc_obj *arr = st == IPC_OK ? ipc_get_array(reply->body, "blocks") : NULL;
    const uint8_t *wire;
    size_t wlen;
    smn_block b;
    uint8_t h[32];
    if (arr && ipc_array_len(arr) >= 1 && ipc_obj_bin(ipc_array_at(arr, 0), &wire, &wlen) &&
        smn_block_deserialize(wire, wlen, &b) == SMN_BLOCK_OK &&
        (smn_block_hash(&b, h), memcmp(h, r->base, 32) == 0)) {
        boot_sched_done(&s->sched, r->peer, BOOT_OK, 1, now);
        /* the source's account first: its blocks release the waiting ones */
        uint8_t depth = r->item.dep_depth < MAX_DEP_DEPTH ? (uint8_t)(r->item.dep_depth + 1)
                                                          : (uint8_t)MAX_DEP_DEPTH;
        if (!boot_hold_has(&s->hold, b.account) &&
            !boot_sched_push(&s->sched, b.account, r->item.dep_depth < MAX_DEP_DEPTH, depth))
            smn_debug("queue full: a source account waits");
    } else {
        char buf[128];
        const char *why = arr ? "not the block asked for" : reply_why(st, reply, buf, sizeof buf);
        boot_sched_done(&s->sched, r->peer,
                        arr ? BOOT_INVALID : (no_slot(st, r, now) ? BOOT_NO_SLOT : BOOT_STALL), 0,
                        now);
        smn_debug("source lookup: %s", why);
        /* the scan, or another peer, brings the source's account */
    }
    req_free(r);
}

static void start_lookup(bootstrap_service *s, const boot_item *waiting, const uint8_t source[32])
{
    ipc_conn *c = ipc_endpoint_conn(s->netep);
    uint64_t now = now_ms();
    int peer = c ? boot_sched_pick_peer(&s->sched, NULL, now) : -1;
    boot_req *r = peer >= 0 ? req_new(s, REQ_LOOKUP, peer) : NULL;
    if (!r)
        return; /* the scan brings the source's account */
    r->item = *waiting;
    memcpy(r->base, source, 32);
    ipc_builder b;
    ipc_build_begin(&b, "pull");
    ipc_put_bin(&b, "start", source, 32);
    ipc_put_bin(&b, "peer", s->sched.peers[peer].id, 32);
    ipc_put_uint(&b, "count", 1);
    if (ipc_request(c, &b, BOOTSTRAP_REQUEST_TIMEOUT_MS, on_lookup, r) != IPC_OK) {
        req_free(r);
        return;
    }
    boot_sched_mark_busy(&s->sched, peer);
    s->lookups++;
}

/* ---- the loop ---- */

static void save_cursor(bootstrap_service *s)
{
    if (s->saved_once && memcmp(s->saved, s->cursor, 32) == 0)
        return;
    int rc = bootstrap_state_save(s->data_dir, s->cursor);
    if (rc)
        smn_warn("cannot save %s: %s", BOOTSTRAP_STATE_FILENAME, strerror(-rc));
    else
        memcpy(s->saved, s->cursor, 32);
    s->saved_once = true;
}

static size_t pulls_out(const bootstrap_service *s)
{
    size_t n = 0;
    for (size_t i = 0; i < BOOTSTRAP_MAX_REQUESTS; i++)
        n += s->reqs[i].kind == REQ_PULL || s->reqs[i].kind == REQ_LOOKUP;
    return n;
}

/* Every held segment is blocked on a source nothing in flight brings. The
 * source's account is looked up and queued first; a full hold makes room
 * for it by forgetting blocked segments (queued again at the back, from
 * their last block handed out). With nothing left to pull, blocked
 * segments are released into the ledger's unchecked, as far as its bound
 * allows. */
static void unstick(bootstrap_service *s, uint64_t now)
{
    bool full = boot_hold_room(&s->hold) < s->asked + IPC_NET_MAX_PULL_ASC;
    bool idle = boot_sched_queued(&s->sched) == 0;
    if (!boot_hold_blocked(&s->hold) || s->nbatches || (!full && !idle) ||
        (pulls_out(s) && !full)) {
        s->stuck_since_ms = 0;
        return;
    }
    if (!s->stuck_since_ms)
        s->stuck_since_ms = now;
    uint8_t src[32];
    if (now >= s->lookup_next_ms && boot_hold_some_need(&s->hold, src)) {
        s->lookup_next_ms = now + BOOTSTRAP_LOOKUP_PACE_MS;
        boot_item none;
        memset(&none, 0, sizeof none);
        start_lookup(s, &none, src);
    }
    if (full) {
        /* first the tails of blocked chains (they stay held: nothing of
         * them is pulled again before their head is applied), then, if
         * that is not enough, whole blocked chains */
        size_t need = BOOTSTRAP_EVICT_ROOM + s->asked;
        size_t room = boot_hold_room(&s->hold);
        if (room < need) {
            size_t t = boot_hold_trim_blocked(&s->hold, need - room);
            s->trimmed += t;
            if (t)
                smn_debug("the hold is full of blocked chains: %zu blocks trimmed", t);
        }
        boot_item it;
        size_t evicted = 0;
        while (boot_hold_room(&s->hold) < s->asked + BOOTSTRAP_EVICT_ROOM &&
               boot_hold_evict_blocked(&s->hold, &it)) {
            if (!boot_sched_append(&s->sched, &it))
                break;
            evicted++;
        }
        s->evicted += evicted;
        if (evicted)
            smn_debug("the hold is full of blocked chains: %zu queued again", evicted);
        s->stuck_since_ms = 0;
        return;
    }
    if (now - s->stuck_since_ms < BOOTSTRAP_SPILL_IDLE_MS)
        return;
    uint64_t budget = s->max_unchecked / 2 > s->unchecked ? s->max_unchecked / 2 - s->unchecked : 0;
    if (budget > (uint64_t)IPC_LEDGER_MAX_BATCH * BOOTSTRAP_MAX_BATCHES)
        budget = (uint64_t)IPC_LEDGER_MAX_BATCH * BOOTSTRAP_MAX_BATCHES;
    size_t n = budget ? boot_hold_spill(&s->hold, (size_t)budget) : 0;
    if (n) {
        s->spilled += n;
        smn_info("%zu held blocks wait for sources no pull brings: handed to the ledger's "
                 "unchecked (%llu there)",
                 n, (unsigned long long)s->unchecked);
    }
    s->stuck_since_ms = 0;
}

static void on_tick(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    bootstrap_service *s = ud;
    uint64_t now = now_ms();
    ipc_conn *c = ipc_endpoint_conn(s->netep);
    if (!c)
        return;
    if (!s->peers_out && now >= s->peers_next_ms)
        ask_peers(s, c, now);
    if (!ro_of(s))
        return;
    if (now >= s->unchecked_at_ms) {
        ledger_counts lc;
        if (ledger_ro_counts(s->ro, &lc) == LEDGER_STATUS_OK)
            s->unchecked = lc.unchecked;
        s->unchecked_at_ms = now + UNCHECKED_EVERY_MS;
    }
    /* Hand what can go to the ledger, in dependency order. */
    while (s->nbatches < BOOTSTRAP_MAX_BATCHES && now >= s->ledger_next_ms &&
           ledger_client_connected(s->ledger) && submit_batch(s, now))
        ;
    if (boot_hold_blocked(&s->hold)) {
        /* A blocked segment wakes when its source is handed out or
         * accepted (on_batch); the sweep only finds sources that landed
         * another way (a publish, a spilled chain released from
         * unchecked). Each of its lookups is a read transaction of its own
         * that rereads the pages the ledger's last commit made stale: at
         * every tick it cost the syncing bootstrap three quarters of its
         * CPU, more than the ledger's whole processing (docs/benchmarks.md
         * "Bootstrap"). So every SWEEP_EVERY_MS, and at every tick only
         * while the hold is stuck (unstick: nothing else moves). */
        if (s->stuck_since_ms || now >= s->sweep_next_ms) {
            boot_hold_cb cb = {.known = has_block, .done = on_seg_done, .ud = s};
            boot_hold_sweep(&s->hold, SWEEP_PER_TICK, &cb);
            s->sweep_next_ms = now + SWEEP_EVERY_MS;
        }
        /* A chain that many wait for may be far down the queue, or not
         * scanned yet: look a blocked receive's source up now and then. */
        uint8_t src[32];
        if (now >= s->lookup_next_ms + BOOTSTRAP_LOOKUP_EVERY_MS &&
            boot_hold_some_need(&s->hold, src)) {
            s->lookup_next_ms = now;
            boot_item none;
            memset(&none, 0, sizeof none);
            start_lookup(s, &none, src);
        }
        unstick(s, now);
    }
    /* Everything queued from before the cursor is pulled and in the
     * ledger: a restart may resume the scan there. */
    if (boot_sched_queued(&s->sched) == 0 && boot_hold_accounts(&s->hold) == 0 &&
        reqs_busy(s) == 0 && s->nbatches == 0)
        save_cursor(s);
    if (!s->scan_out && now >= s->scan_next_ms &&
        BOOT_QUEUE_MAX - boot_sched_queued(&s->sched) > BOOTSTRAP_SCAN_ROOM)
        ask_frontiers(s, c, now);
    /* Pull while the hold has room for an answer. */
    while (reqs_busy(s) < BOOTSTRAP_MAX_REQUESTS &&
           boot_hold_room(&s->hold) >= s->asked + IPC_NET_MAX_PULL_ASC) {
        boot_item it;
        int peer = boot_sched_next(&s->sched, now, &it);
        if (peer < 0)
            break;
        if (!send_pull(s, c, peer, &it)) {
            boot_sched_done(&s->sched, peer, BOOT_NO_SLOT, 0, now);
            requeue(s, &it);
            break;
        }
    }
    bootstrap_feed_tick(s->scan_peer >= 0 || reqs_busy(s) > 0 || boot_sched_queued(&s->sched) > 0,
                        s->pulled, now);
}

/* bootstrap's metrics, brought up to date before each heartbeat answer. */
static void collect(ipc_metrics *r, void *ud)
{
    bootstrap_service *s = ud;
    ipc_metric_set(ipc_metric_counter(r, "rounds_total", NULL, "Frontier scans started."),
                   (int64_t)s->rounds);
    ipc_metric_set(ipc_metric_counter(r, "pulled_blocks_total", NULL, "Blocks pulled from peers."),
                   (int64_t)s->pulled);
    ipc_metric_set(
        ipc_metric_counter(r, "accepted_blocks_total", NULL, "Pulled blocks the ledger accepted."),
        (int64_t)s->accepted);
    ipc_metric_set(ipc_metric_counter(r, "invalid_answers_total", NULL,
                                      "Peer answers that were invalid (the peer is scored down)."),
                   (int64_t)s->invalid);
    ipc_metric_set(ipc_metric_counter(r, "unavailable_parts_total", NULL,
                                      "Chains a peer could not serve (pruned or unknown there)."),
                   (int64_t)s->unavailable);
    ipc_metric_set(ipc_metric_counter(r, "rewound_pulls_total", NULL,
                                      "Chains pulled again from our confirmed block: a peer did "
                                      "not know our unconfirmed head (a fork?)."),
                   (int64_t)s->rewinds);
    ipc_metric_set(ipc_metric_gauge(r, "queued_accounts", NULL, "Accounts waiting to be pulled."),
                   (int64_t)boot_sched_queued(&s->sched));
    ipc_metric_set(ipc_metric_gauge(r, "waiting_accounts", NULL,
                                    "Accounts waiting for a receive's source to land."),
                   (int64_t)boot_hold_blocked(&s->hold));
    ipc_metric_set(ipc_metric_gauge(r, "held_blocks", NULL,
                                    "Pulled blocks held until their dependencies are handed on."),
                   (int64_t)boot_hold_blocks(&s->hold));
    ipc_metric_set(ipc_metric_counter(r, "evicted_chains_total", NULL,
                                      "Blocked chains forgotten to make room in a full hold."),
                   (int64_t)s->evicted);
    ipc_metric_set(ipc_metric_counter(r, "trimmed_blocks_total", NULL,
                                      "Blocks cut from blocked chains' tails in a full hold."),
                   (int64_t)s->trimmed);
    ipc_metric_set(ipc_metric_counter(r, "spilled_blocks_total", NULL,
                                      "Held blocks handed to the ledger before their sources."),
                   (int64_t)s->spilled);
    ipc_metric_set(ipc_metric_gauge(r, "inflight_blocks", NULL,
                                    "Blocks asked for or handed to the ledger, no result yet."),
                   (int64_t)s->inflight);
}

int bootstrap_service_start(ipc_child *ch, bootstrap_service **out)
{
    const ipc_config *cfg = ipc_child_config(ch);
    bootstrap_service *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->child = ch;
    s->scan_peer = -1;
    s->net = smn_network_by_name(cfg->network);
    if (!s->net) {
        smn_error("unknown network %s", cfg->network);
        free(s);
        return -1;
    }
    snprintf(s->data_dir, sizeof s->data_dir, "%s", cfg->data_dir);
    s->interval_ms = s->net->id == SMN_NET_DEV ? BOOTSTRAP_INTERVAL_DEV_MS : BOOTSTRAP_INTERVAL_MS;
    s->max_unchecked = cfg->ledger_max_unchecked ? cfg->ledger_max_unchecked : 65536;
    int rc = bootstrap_state_load(s->data_dir, s->cursor);
    if (rc)
        smn_warn("%s unreadable (%s): scanning from the start", BOOTSTRAP_STATE_FILENAME,
                 strerror(-rc));
    memcpy(s->saved, s->cursor, 32);
    if (!smn_is_zero32(s->cursor))
        smn_info("resuming the frontier scan at %02X%02X%02X%02X...", s->cursor[0], s->cursor[1],
                 s->cursor[2], s->cursor[3]);
    bool ok = boot_sched_init(&s->sched) == 0 && boot_hold_init(&s->hold) == 0;
    for (size_t i = 0; ok && i < BOOTSTRAP_MAX_REQUESTS; i++)
        ok = (s->reqs[i].blocks = calloc(IPC_NET_MAX_PULL_ASC, sizeof(smn_block))) != NULL;
    for (size_t i = 0; ok && i < BOOTSTRAP_MAX_BATCHES; i++) {
        s->batches[i].s = s;
        s->batches[i].blocks = calloc(IPC_LEDGER_MAX_BATCH, sizeof(smn_block));
        s->batches[i].peer = calloc(IPC_LEDGER_MAX_BATCH, sizeof(int8_t));
        ok = s->batches[i].blocks && s->batches[i].peer;
    }
    ipc_endpoint_opts no = {.family = &ipc_family_net, .name = "net", .reconnect_max_ms = 1000};
    ledger_client_opts lo = {.timeout_ms = 60000};
    s->netep = ok ? ipc_child_connect(ch, "net", &no) : NULL;
    s->ledger = s->netep ? ledger_client_new(ch, &lo) : NULL;
    s->tick = s->ledger ? event_new(ipc_child_base(ch), -1, EV_PERSIST, on_tick, s) : NULL;
    s->kick = s->tick ? event_new(ipc_child_base(ch), -1, 0, on_tick, s) : NULL;
    struct timeval tv = {0, TICK_MS * 1000};
    if (!s->kick || event_add(s->tick, &tv) != 0) {
        smn_error("cannot start the bootstrap service");
        bootstrap_service_stop(s);
        return -1;
    }
    set_detail(s);
    ipc_child_on_collect(ch, collect, s);
    *out = s;
    return 0;
}

void bootstrap_service_stop(bootstrap_service *s)
{
    if (!s)
        return;
    s->stopping = true; /* freeing the endpoints fails their pending requests */
    if (s->tick)
        event_free(s->tick);
    if (s->kick)
        event_free(s->kick);
    ipc_endpoint_free(s->netep);
    ledger_client_free(s->ledger);
    if (s->ro)
        ledger_ro_close(s->ro);
    for (size_t i = 0; i < BOOTSTRAP_MAX_REQUESTS; i++)
        free(s->reqs[i].blocks);
    for (size_t i = 0; i < BOOTSTRAP_MAX_BATCHES; i++) {
        free(s->batches[i].blocks);
        free(s->batches[i].peer);
    }
    boot_hold_free(&s->hold);
    boot_sched_free(&s->sched);
    free(s);
}

int bootstrap_service_child_init(ipc_child *ch, void *ud)
{
    return bootstrap_service_start(ch, (bootstrap_service **)ud);
}

void bootstrap_service_child_fini(ipc_child *ch, void *ud)
{
    (void)ch;
    bootstrap_service **s = ud;
    bootstrap_service_stop(*s);
    *s = NULL;
}

/* bootstrap.sock: `status` (rpc's bootstrap_status) and `start` (rpc's
 * bootstrap_any: scan again now instead of after the interval). */
void bootstrap_service_child_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    bootstrap_service *s = *(bootstrap_service **)ud;
    if (bootstrap_feed_message(c, m))
        return;
    if (!m->id)
        return;
    if (!s) {
        ipc_reply_error(c, m, "bootstrap is starting");
        return;
    }
    ipc_bootstrap_kind kind = ipc_bootstrap_kind_of(m);
    if (kind == IPC_BOOTSTRAP_K_START) {
        bool idle = s->scan_peer < 0;
        if (idle) {
            s->scan_next_ms = 0; /* the next tick scans */
            kick(s);
        }
        ipc_builder sb;
        ipc_build_begin(&sb, "started");
        ipc_put_bool(&sb, "started", idle);
        ipc_reply(c, m, &sb);
        return;
    }
    if (kind != IPC_BOOTSTRAP_K_STATUS) {
        ipc_reply_error(c, m, "bootstrap does not serve that request");
        return;
    }
    bool pulling = false, submitting = s->nbatches > 0;
    for (size_t i = 0; i < BOOTSTRAP_MAX_REQUESTS; i++)
        pulling |= s->reqs[i].kind == REQ_PULL;
    ipc_bootstrap_phase p = submitting          ? IPC_BOOTSTRAP_SUBMIT
                            : pulling           ? IPC_BOOTSTRAP_PULL
                            : s->scan_peer >= 0 ? IPC_BOOTSTRAP_FRONTIERS
                                                : IPC_BOOTSTRAP_IDLE;
    ipc_builder b;
    ipc_build_begin(&b, "status_r");
    ipc_put_str(&b, "phase", ipc_bootstrap_phase_name(p));
    ipc_put_uint(&b, "rounds", s->rounds);
    ipc_put_uint(&b, "pulled", s->pulled);
    ipc_put_uint(&b, "accepted", s->accepted);
    ipc_put_uint(&b, "chains", boot_sched_queued(&s->sched) + boot_hold_accounts(&s->hold));
    ipc_put_bin(&b, "cursor", s->cursor, 32);
    ipc_put_uint(&b, "missing", s->sched.dropped_items);
    ipc_put_uint(&b, "waiting", boot_hold_blocked(&s->hold));
    ipc_reply(c, m, &b);
}
