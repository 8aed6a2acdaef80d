#include "procs/elections/service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/log.h"
#include "procs/elections/online.h"
#include "procs/elections/rep.h"
#include "procs/elections/weight.h"
#include "ipc/ledgerdb/ro_handle.h"

#define FRONTIER_PAGE 256u
#define REP_MAX_ROOTS 8192u
#define REQUEST_PAIRS_PER_STEP 96u /* 8 confirm_req of 12 pairs */
#define ANSWERED_MAX 4096u         /* (peer, hash) answers remembered */
#define RESCAN_TICKS_PER_S 5u      /* a pass that found work runs again after 5 s */
#define WEIGHT_CACHE 64u           /* voters' weights, direct-mapped by account */

/* An unconfirmed account waiting for an election on its frontier. */
typedef struct {
    uint8_t bucket; /* priority: bit length of the balance, heaviest first */
    uint8_t account[32];
} backlog_entry;

/* A vote request answered recently: the same peer asking again for the
 * same hash within a second gets nothing new. */
typedef struct {
    uint8_t key[32]; /* Blake2b(peer || hash) */
    uint64_t tick;
} answered_entry;

typedef struct {
    uint8_t account[32];
    size_t key; /* index into keys */
    smn_amount_t weight;
} rep_entry;

/* A voter's ledger weight as read at tick `tick` (valid: read this tick). */
typedef struct {
    uint8_t account[32];
    smn_amount_t weight;
    uint64_t tick;
    bool valid;
} weight_entry;

struct elections_service {
    elections_service_config cfg;
    elections_service_hooks hooks;
    char *data_dir;
    elections_active *active;
    rep_entry reps[ELECTIONS_SERVICE_MAX_REPS]; /* sorted by account */
    size_t nreps;
    ledger_ro_handle ledger; /* ledger.db, read-only (ipc/ledgerdb/ro_handle.h) */
    smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS]; /* the voting keys we were given */
    size_t nkeys;
    uint64_t confirmed;
    uint64_t started; /* elections started (fresh blocks and the backlog's frontiers) */
    uint64_t now;
    /* the scan: a walk over the ledger's accounts in key order */
    bool scanning;
    bool scan_found;              /* this pass found an unconfirmed account */
    uint64_t rescan_at;           /* tick the next pass starts (0: none planned) */
    uint64_t backlog_pause_until; /* tick: the confirm queue was full, the backlog waits */
    uint8_t scan_cursor[32];      /* next account to look at */
    backlog_entry *backlog;       /* sorted: bucket descending, then account */
    size_t nbacklog, capbacklog;
    answered_entry *answered; /* sorted by key */
    size_t nanswered;
    weight_entry weights[WEIGHT_CACHE]; /* read at most once a tick per voter */
    /* the latest confirmations, a ring: next write at hist_next */
    elections_history_entry history[ELECTIONS_SERVICE_HISTORY];
    size_t hist_next, hist_n;
};

/* ---- container callbacks ---- */

static void on_confirmed(void *ctx, const elections_confirmation *c)
{
    elections_service *s = ctx;
    s->confirmed++;
    if (s->hooks.stopped) {
        elections_stop st = {.reason = ELECTIONS_STOP_CONFIRMED,
                             .has_info = true,
                             .tally = c->tally,
                             .final_tally = c->final_tally,
                             .duration_ticks = c->confirm_tick - c->start_tick,
                             .blocks = c->candidates,
                             .voters = c->voters,
                             .requests = c->requests};
        memcpy(st.hash, c->hash, 32);
        s->hooks.stopped(s->hooks.ctx, &st);
    }
    elections_history_entry *h = &s->history[s->hist_next];
    memcpy(h->hash, c->hash, 32);
    memcpy(h->root, c->root, 32);
    h->tally = c->tally;
    h->final_tally = c->final_tally;
    h->start_tick = c->start_tick;
    h->confirm_tick = c->confirm_tick;
    h->candidates = c->candidates;
    s->hist_next = (s->hist_next + 1) % ELECTIONS_SERVICE_HISTORY;
    if (s->hist_n < ELECTIONS_SERVICE_HISTORY)
        s->hist_n++;
    if (s->hooks.confirm && !s->hooks.confirm(s->hooks.ctx, c->hash, &c->block, c->backlog)) {
        /* could not even be queued: elect it again later rather than lose it */
        elections_active_forget_confirmed(s->active, c->hash, c->root);
        if (!c->backlog) {
            s->rescan_at = s->now + 1;
        } else {
            /* The backlog filled the confirm queue (a sync's frontiers while
             * the ledger works off its batches): no backlog election for a
             * second, and the next pass as after one that found work.
             * Rescanning at once elected every synced account's frontier
             * again, pass after pass: 654k elections for 440k blocks of a
             * 1M sync from three peers. */
            uint64_t later = s->now + RESCAN_TICKS_PER_S * s->cfg.ticks_per_second;
            s->backlog_pause_until = s->now + s->cfg.ticks_per_second;
            if (!s->rescan_at || s->rescan_at < later)
                s->rescan_at = later;
        }
    }
}

void elections_service_confirm_refused(elections_service *s, const uint8_t hash[32],
                                       const smn_block *block)
{
    elections_active_forget_confirmed(s->active, hash, smn_block_root(block));
    /* a second from now: a ledger refusing again is not asked in a loop */
    if (!s->rescan_at)
        s->rescan_at = s->now + s->cfg.ticks_per_second;
}

static void on_vote(void *ctx, const smn_vote *v)
{
    elections_service *s = ctx;
    if (s->hooks.vote)
        s->hooks.vote(s->hooks.ctx, v);
}

static void on_expired(void *ctx, const uint8_t root[32], const uint8_t leader[32])
{
    (void)root;
    elections_service *s = ctx;
    if (s->hooks.stopped) {
        elections_stop st = {.reason = ELECTIONS_STOP_EXPIRED};
        memcpy(st.hash, leader, 32);
        s->hooks.stopped(s->hooks.ctx, &st);
    }
    /* the block is still unconfirmed in the DB: a later pass restarts it */
    if (!s->rescan_at)
        s->rescan_at = s->now + 1;
}

static void on_started(void *ctx, const uint8_t hash[32], const uint8_t root[32])
{
    (void)root;
    elections_service *s = ctx;
    if (s->hooks.started)
        s->hooks.started(s->hooks.ctx, hash);
}

static void on_cemented(void *ctx, const uint8_t hash[32])
{
    elections_service *s = ctx;
    if (s->hooks.stopped) {
        elections_stop st = {.reason = ELECTIONS_STOP_CEMENTED};
        memcpy(st.hash, hash, 32);
        s->hooks.stopped(s->hooks.ctx, &st);
    }
}

static elections_active *new_container(elections_service *s)
{
    elections_active_config ac;
    elections_active_config_default(&ac);
    uint64_t tps = s->cfg.ticks_per_second;
    ac.max_elections = s->cfg.max_active;
    ac.quorum_percent = s->cfg.quorum_percent;
    ac.online_weight_minimum = s->cfg.online_weight_minimum;
    ac.election_ttl = 300 * tps;
    ac.online_window = 300 * tps;
    ac.vote_cache_ttl = 300 * tps;
    ac.request_interval = s->cfg.request_ticks;
    ac.request_interval_max = s->cfg.request_ticks * 20u;
    ac.defer_votes = s->cfg.defer_votes;
    elections_active_callbacks cb = {.ctx = s,
                                     .confirmed = on_confirmed,
                                     .vote_generated = on_vote,
                                     .expired = on_expired,
                                     .started = on_started,
                                     .cemented = on_cemented};
    elections_active *a = elections_active_new(&ac, &cb);
    if (a)
        elections_active_tick(a, s->now);
    return a;
}

/* ---- databases ---- */

/* Opened on first use, retried on every use while it cannot be opened. */
static ledger_ro *ledger(elections_service *s)
{
    return ledger_ro_handle_get(&s->ledger, s->now);
}

/* A read failed: reopen on the next use. */
static void drop_ledger(elections_service *s, ledger_status st)
{
    ledger_ro_handle_failed(&s->ledger, st);
}

/* false when the ledger could not be read (then *w is 0) */
static bool read_weight(elections_service *s, const uint8_t account[32], smn_amount_t *w)
{
    ledger_ro *l = ledger(s);
    *w = smn_amount_zero();
    if (!l)
        return false;
    ledger_status st = ledger_ro_weight(l, account, w);
    if (st == LEDGER_STATUS_NOT_FOUND) {
        *w = smn_amount_zero();
        return true;
    }
    if (st != LEDGER_STATUS_OK) {
        drop_ledger(s, st);
        *w = smn_amount_zero();
        return false;
    }
    return true;
}

static smn_amount_t weight_of(elections_service *s, const uint8_t account[32])
{
    smn_amount_t w;
    (void)read_weight(s, account, &w);
    return w;
}

/* A vote's weight: read from the ledger at most once a tick for each voter
 * (a query per vote was 12% of this process's CPU on a busy devnet), so a
 * change of weight counts from the next tick (100 ms in the process). A
 * slot holds one account (accounts are public keys: spread evenly); a miss
 * or a collision only reads the ledger, as every vote did before. A failed
 * read is not kept. */
static smn_amount_t vote_weight(elections_service *s, const uint8_t account[32])
{
    weight_entry *e = &s->weights[account[0] % WEIGHT_CACHE];
    if (e->valid && e->tick == s->now && memcmp(e->account, account, 32) == 0)
        return e->weight;
    smn_amount_t w;
    e->valid = read_weight(s, account, &w);
    memcpy(e->account, account, 32);
    e->weight = w;
    e->tick = s->now;
    return w;
}

/* ---- representatives ---- */

static int cmp_rep(const void *a, const void *b)
{
    return memcmp(((const rep_entry *)a)->account, ((const rep_entry *)b)->account, 32);
}

/* Our keys whose account has voting weight; sorted by account. */
static size_t find_reps(elections_service *s, rep_entry *out)
{
    size_t n = 0;
    for (size_t k = 0; k < s->nkeys; k++) {
        smn_amount_t w = weight_of(s, s->keys[k].pub);
        if (smn_amount_is_zero(w))
            continue;
        memcpy(out[n].account, s->keys[k].pub, 32);
        out[n].key = k;
        out[n].weight = w;
        n++;
    }
    qsort(out, n, sizeof *out, cmp_rep);
    return n;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The elections of a container about to be replaced end without a result
 * (a later scan starts them again). */
static void report_dropped(elections_service *s)
{
    if (!s->hooks.stopped || !s->active)
        return;
    for (size_t i = 0; i < elections_active_size(s->active); i++) {
        const elections_election *e = elections_active_at(s->active, i);
        elections_stop st = {.reason = ELECTIONS_STOP_DROPPED};
        memcpy(st.hash, elections_election_hash(e, elections_election_leader(e)), 32);
        s->hooks.stopped(s->hooks.ctx, &st);
    }
}

/* A fresh container voting with reps; the old one is freed on success. */
static int rebuild(elections_service *s, const rep_entry *reps, size_t n)
{
    elections_active *a = new_container(s);
    if (!a)
        return -ENOMEM;
    /* Timestamps from the wall clock keep growing across rebuilds and
     * restarts, so other nodes never take a new vote for a replay. */
    uint64_t ts = wall_ms();
    for (size_t i = 0; i < n; i++) {
        elections_rep *r =
            elections_rep_new(&s->keys[reps[i].key], reps[i].weight, ts, REP_MAX_ROOTS);
        if (!r || elections_active_add_rep(a, r) != 0) {
            elections_rep_free(r);
            elections_active_free(a);
            return -ENOMEM;
        }
    }
    report_dropped(s);
    elections_active_free(s->active);
    s->active = a;
    memcpy(s->reps, reps, n * sizeof *reps);
    s->nreps = n;
    return 0;
}

size_t elections_service_load_reps(elections_service *s)
{
    rep_entry found[ELECTIONS_SERVICE_MAX_REPS];
    size_t n = find_reps(s, found);
    bool same = n == s->nreps;
    for (size_t i = 0; same && i < n; i++)
        same = memcmp(found[i].account, s->reps[i].account, 32) == 0;
    if (same) {
        for (size_t i = 0; i < n; i++) {
            s->reps[i].weight = found[i].weight;
            elections_rep *r = elections_active_find_rep(s->active, found[i].account);
            if (r)
                elections_rep_set_weight(r, found[i].weight);
        }
    } else {
        if (rebuild(s, found, n) != 0) {
            smn_error("out of memory rebuilding the elections");
            return s->nreps;
        }
        smn_info("voting with %zu representative%s", n, n == 1 ? "" : "s");
        elections_service_resync(s); /* new voters: one new scan */
    }
    sodium_memzero(found, sizeof found);
    return s->nreps;
}

/* ---- the backlog: unconfirmed accounts by priority ---- */

static uint8_t bucket_of(smn_amount_t balance)
{
    uint8_t b = 0;
    while (!smn_amount_is_zero(balance)) {
        b++;
        balance = smn_amount_shr(balance, 1);
    }
    return b;
}

/* bucket descending, then account ascending */
static int backlog_cmp(const backlog_entry *x, uint8_t bucket, const uint8_t account[32])
{
    if (x->bucket != bucket)
        return x->bucket > bucket ? -1 : 1;
    return memcmp(x->account, account, 32);
}

static size_t backlog_lb(const elections_service *s, uint8_t bucket, const uint8_t account[32])
{
    size_t lo = 0, hi = s->nbacklog;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (backlog_cmp(&s->backlog[mid], bucket, account) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* false when the backlog is full and the account does not outrank its
 * lightest entry (a later pass finds it again). */
static bool backlog_add(elections_service *s, uint8_t bucket, const uint8_t account[32])
{
    size_t i = backlog_lb(s, bucket, account);
    if (i < s->nbacklog && backlog_cmp(&s->backlog[i], bucket, account) == 0)
        return true;
    if (s->nbacklog == s->cfg.backlog) {
        if (i == s->nbacklog)
            return false;
        s->nbacklog--; /* the lightest leaves; the scan meets it again */
        if (!s->rescan_at)
            s->rescan_at = s->now + RESCAN_TICKS_PER_S * s->cfg.ticks_per_second;
    }
    if (s->nbacklog == s->capbacklog) {
        size_t cap = s->capbacklog ? s->capbacklog * 2 : 256;
        if (cap > s->cfg.backlog)
            cap = s->cfg.backlog;
        backlog_entry *nb = realloc(s->backlog, cap * sizeof *nb);
        if (!nb)
            return false;
        s->backlog = nb;
        s->capbacklog = cap;
    }
    memmove(&s->backlog[i + 1], &s->backlog[i], (s->nbacklog - i) * sizeof *s->backlog);
    s->backlog[i].bucket = bucket;
    memcpy(s->backlog[i].account, account, 32);
    s->nbacklog++;
    return true;
}

/* The share of the container the backlog may fill: new blocks keep a fifth. */
static size_t backlog_room(const elections_service *s)
{
    size_t reserve = s->cfg.max_active / 5;
    size_t room = elections_active_room(s->active);
    return room > reserve ? room - reserve : 0;
}

/* ---- the scan ---- */

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* accounts are keys in byte order: the next page starts just after `a` */
static bool increment32(uint8_t a[32])
{
    for (int i = 31; i >= 0; i--)
        if (++a[i] != 0)
            return true;
    return false;
}

void elections_service_resync(elections_service *s)
{
    s->scanning = true;
    s->scan_found = false;
    s->rescan_at = 0;
    memset(s->scan_cursor, 0, 32);
}

/* One page of accounts into the backlog. false: the pass is over (or the
 * DB failed: a later pass retries). */
static bool scan_page(elections_service *s, ledger_ro *l)
{
    uint8_t accounts[FRONTIER_PAGE][32], frontiers[FRONTIER_PAGE][32];
    size_t n = 0;
    ledger_status st =
        ledger_ro_frontiers(l, s->scan_cursor, accounts, frontiers, FRONTIER_PAGE, &n);
    if (st != LEDGER_STATUS_OK) {
        drop_ledger(s, st);
        s->rescan_at = s->now + s->cfg.ticks_per_second;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        ledger_account_info info;
        st = ledger_ro_account_info(l, accounts[i], &info);
        if (st == LEDGER_STATUS_NOT_FOUND)
            continue;
        if (st != LEDGER_STATUS_OK) {
            drop_ledger(s, st);
            s->rescan_at = s->now + s->cfg.ticks_per_second;
            return false;
        }
        if (info.height <= info.conf_height)
            continue;
        s->scan_found = true;
        if (!backlog_add(s, bucket_of(info.balance), accounts[i])) {
            /* full of heavier accounts: resume here once it has drained */
            memcpy(s->scan_cursor, accounts[i], 32);
            return true;
        }
    }
    if (n < FRONTIER_PAGE)
        return false;
    memcpy(s->scan_cursor, accounts[n - 1], 32);
    return increment32(s->scan_cursor);
}

/* Start the frontier election of the backlog's first account. */
static void schedule_one(elections_service *s, ledger_ro *l)
{
    backlog_entry e = s->backlog[0];
    memmove(&s->backlog[0], &s->backlog[1], (s->nbacklog - 1) * sizeof *s->backlog);
    s->nbacklog--;
    ledger_account_info info;
    ledger_status st = ledger_ro_account_info(l, e.account, &info);
    if (st == LEDGER_STATUS_NOT_FOUND)
        return;
    ledger_block_record rec;
    if (st == LEDGER_STATUS_OK) {
        if (info.height <= info.conf_height)
            return;
        st = ledger_ro_block(l, info.frontier, &rec);
    }
    if (st != LEDGER_STATUS_OK) {
        if (st != LEDGER_STATUS_NOT_FOUND)
            drop_ledger(s, st);
        s->rescan_at = s->now + s->cfg.ticks_per_second;
        return;
    }
    if (!rec.confirmed) {
        elections_start_status r = elections_active_start_backlog(s->active, &rec.block);
        s->started += r == ELECTIONS_START_STARTED;
        if (r != ELECTIONS_START_STARTED)
            smn_debug("backlog election for %02X%02X..: %s", e.account[0], e.account[1],
                      elections_start_name(r));
    }
}

/* An election that waits long enough to ask for votes may be over already:
 * the ledger cemented its block as a dependency of another confirmation.
 * Checked here, lazily, for the few elections that linger, rather than by
 * following every block_cemented. Returns the pairs still worth asking. */
static size_t drop_cemented(elections_service *s, elections_pair *pairs, size_t n)
{
    ledger_ro *l = ledger(s);
    if (!l)
        return n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        ledger_block_record rec;
        ledger_status st = ledger_ro_block(l, pairs[i].hash, &rec);
        if (st == LEDGER_STATUS_OK && rec.confirmed) {
            (void)elections_active_cemented(s->active, pairs[i].hash);
            continue;
        }
        if (st != LEDGER_STATUS_OK && st != LEDGER_STATUS_NOT_FOUND) {
            drop_ledger(s, st); /* ask for the rest unchecked */
            memmove(&pairs[k], &pairs[i], (n - i) * sizeof *pairs);
            return k + (n - i);
        }
        pairs[k++] = pairs[i];
    }
    return k;
}

/* Deferred votes are signed by the next step: ask for one. */
static void wake_if_pending(elections_service *s)
{
    if (s->cfg.defer_votes && s->hooks.wake && elections_active_votes_pending(s->active))
        s->hooks.wake(s->hooks.ctx);
}

bool elections_service_step(elections_service *s)
{
    uint64_t t0 = mono_us();
    (void)elections_active_flush_votes(s->active);
    /* votes first: they are what confirms anything */
    if (s->hooks.request) {
        elections_pair pairs[REQUEST_PAIRS_PER_STEP];
        size_t n = elections_active_due_requests(s->active, pairs, REQUEST_PAIRS_PER_STEP);
        n = drop_cemented(s, pairs, n);
        if (n)
            s->hooks.request(s->hooks.ctx, pairs, n);
    }
    if (!s->scanning && s->rescan_at && s->now >= s->rescan_at)
        elections_service_resync(s);
    if (!s->scanning && s->nbacklog == 0)
        return false;
    ledger_ro *l = ledger(s);
    if (!l) {
        s->rescan_at = s->now + s->cfg.ticks_per_second;
        s->scanning = false;
        return false;
    }
    bool paused = s->now < s->backlog_pause_until;
    while (mono_us() - t0 < s->cfg.step_budget_us) {
        if (s->nbacklog && backlog_room(s) > 0 && !paused) {
            schedule_one(s, l);
            continue;
        }
        if (s->scanning && s->nbacklog < s->cfg.backlog) {
            if (!scan_page(s, l)) {
                s->scanning = false;
                if (s->scan_found && !s->rescan_at)
                    s->rescan_at = s->now + RESCAN_TICKS_PER_S * s->cfg.ticks_per_second;
            }
            continue;
        }
        break;
    }
    (void)elections_active_flush_votes(s->active); /* what the starts decided */
    /* more to do now: a page to scan, or backlog with room for it */
    return (s->scanning && s->nbacklog < s->cfg.backlog) ||
           (s->nbacklog && backlog_room(s) > 0 && !paused);
}

size_t elections_service_votes_pending(const elections_service *s)
{
    return elections_active_votes_pending_max(s->active);
}

size_t elections_service_backlog(const elections_service *s)
{
    return s->nbacklog;
}

/* ---- inputs ---- */

elections_start_status elections_service_block(elections_service *s, const smn_block *b)
{
    elections_start_status st = ELECTIONS_START_FULL;
    if (elections_active_room(s->active) > 0)
        st = elections_active_start(s->active, b);
    s->started += st == ELECTIONS_START_STARTED;
    if (st == ELECTIONS_START_FULL || st == ELECTIONS_START_NOMEM) {
        /* it is in the DB: its account waits in the backlog, or a pass finds it */
        if (!backlog_add(s, bucket_of(b->balance), b->account) && !s->rescan_at)
            s->rescan_at = s->now + s->cfg.ticks_per_second;
    }
    wake_if_pending(s);
    return st;
}

void elections_service_synced(elections_service *s, const smn_block *b)
{
    (void)b;
    /* A pass soon (or the one under way, which plans the next when it
     * finds work) meets the account and elects its frontier then: one
     * election per account per pass, not one per block. */
    if (s->scanning)
        s->scan_found = true; /* its cursor may be past the account: once more */
    else if (!s->rescan_at)
        s->rescan_at = s->now + s->cfg.ticks_per_second;
}

elections_vote_outcome elections_service_vote(elections_service *s, const smn_vote *v)
{
    elections_vote_outcome o = elections_active_vote(s->active, v, vote_weight(s, v->account));
    wake_if_pending(s);
    return o;
}

void elections_service_votes_lost(elections_service *s)
{
    elections_active_request_all(s->active);
}

/* ---- answering vote requests ---- */

static size_t answered_lb(const elections_service *s, const uint8_t key[32])
{
    size_t lo = 0, hi = s->nanswered;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(s->answered[mid].key, key, 32) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* true when (peer, hash) was answered within the last second; else it is
 * recorded now. */
static bool answered_recently(elections_service *s, const uint8_t peer[32], const uint8_t hash[32])
{
    uint8_t in[64], key[32];
    memcpy(in, peer, 32);
    memcpy(in + 32, hash, 32);
    crypto_generichash(key, 32, in, sizeof in, NULL, 0);
    size_t i = answered_lb(s, key);
    if (i < s->nanswered && memcmp(s->answered[i].key, key, 32) == 0) {
        if (s->now - s->answered[i].tick < s->cfg.ticks_per_second)
            return true;
        s->answered[i].tick = s->now;
        return false;
    }
    if (!s->answered)
        s->answered = calloc(ANSWERED_MAX, sizeof *s->answered);
    if (!s->answered)
        return false;
    if (s->nanswered == ANSWERED_MAX) {
        size_t old = 0; /* the oldest answer leaves */
        for (size_t k = 1; k < s->nanswered; k++)
            if (s->answered[k].tick < s->answered[old].tick)
                old = k;
        memmove(&s->answered[old], &s->answered[old + 1],
                (s->nanswered - old - 1) * sizeof *s->answered);
        s->nanswered--;
        i = answered_lb(s, key);
    }
    memmove(&s->answered[i + 1], &s->answered[i], (s->nanswered - i) * sizeof *s->answered);
    memcpy(s->answered[i].key, key, 32);
    s->answered[i].tick = s->now;
    s->nanswered++;
    return false;
}

void elections_service_vote_request(elections_service *s, const elections_pair *pairs, size_t n,
                                    const uint8_t peer[32])
{
    if (s->nreps == 0 || !s->hooks.reply)
        return; /* nobody here votes */
    uint8_t cemented[SMN_VOTE_MAX_HASHES][32];
    size_t nc = 0;
    uint8_t roots_done[SMN_VOTE_MAX_HASHES][32];
    size_t nroots = 0;
    for (size_t i = 0; i < n && i < SMN_VOTE_MAX_HASHES; i++) {
        const elections_pair *p = &pairs[i];
        if (answered_recently(s, peer, p->hash))
            continue;
        if (elections_active_find_root(s->active, p->root)) {
            /* what our representatives stand by, once per root, signed
             * below in one vote (two with final ones) for all the roots */
            bool dup = false;
            for (size_t k = 0; k < nroots && !dup; k++)
                dup = memcmp(roots_done[k], p->root, 32) == 0;
            if (!dup)
                memcpy(roots_done[nroots++], p->root, 32);
            continue;
        }
        bool done = elections_active_recently_confirmed(s->active, p->hash);
        if (!done) {
            ledger_ro *l = ledger(s);
            ledger_block_record rec;
            ledger_status st = l ? ledger_ro_block(l, p->hash, &rec) : LEDGER_STATUS_NOT_FOUND;
            if (st == LEDGER_STATUS_OK && rec.confirmed) {
                done = true;
            } else if (st == LEDGER_STATUS_OK) {
                /* ours votes on it now; the vote hook broadcasts the votes */
                (void)elections_service_block(s, &rec.block);
            } else if (st != LEDGER_STATUS_NOT_FOUND) {
                drop_ledger(s, st);
            }
        }
        if (done) {
            bool dup = false;
            for (size_t k = 0; k < nc && !dup; k++)
                dup = memcmp(cemented[k], p->hash, 32) == 0;
            if (!dup)
                memcpy(cemented[nc++], p->hash, 32);
        }
    }
    for (size_t r = 0; nroots && r < s->nreps; r++) {
        elections_rep *rep = elections_active_find_rep(s->active, s->reps[r].account);
        smn_vote v[2];
        size_t nv =
            rep ? elections_rep_current_many(rep, (const uint8_t(*)[32])roots_done, nroots, v) : 0;
        for (size_t k = 0; k < nv; k++)
            s->hooks.reply(s->hooks.ctx, &v[k], peer);
    }
    if (nc == 0)
        return;
    for (size_t r = 0; r < s->nreps; r++) {
        elections_rep *rep = elections_active_find_rep(s->active, s->reps[r].account);
        smn_vote v;
        if (rep && elections_rep_final_cemented(rep, (const uint8_t(*)[32])cemented, nc, &v) ==
                       ELECTIONS_REP_VOTED)
            s->hooks.reply(s->hooks.ctx, &v, peer);
    }
}

void elections_service_tick(elections_service *s, uint64_t now)
{
    s->now = now;
    elections_active_tick(s->active, now);
}

/* ---- life ---- */

elections_service *elections_service_new(const elections_service_config *cfg,
                                         const elections_service_hooks *hooks)
{
    if (!cfg || !cfg->net || !cfg->data_dir)
        return NULL;
    elections_service *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = *cfg;
    if (s->cfg.quorum_percent == 0 || s->cfg.quorum_percent > 100)
        s->cfg.quorum_percent = 67;
    if (s->cfg.max_active == 0)
        s->cfg.max_active = 5000;
    if (s->cfg.backlog == 0)
        s->cfg.backlog = 65536;
    if (s->cfg.ticks_per_second == 0)
        s->cfg.ticks_per_second = 1;
    if (s->cfg.step_budget_us == 0)
        s->cfg.step_budget_us = 10000;
    if (smn_amount_is_zero(s->cfg.online_weight_minimum))
        smn_amount_mul(smn_amount_one_smn(), smn_amount_from_u64(60000u),
                       &s->cfg.online_weight_minimum);
    if (hooks)
        s->hooks = *hooks;
    for (size_t i = 0; cfg->keys && i < cfg->nkeys && s->nkeys < ELECTIONS_SERVICE_MAX_REPS; i++) {
        bool dup = false;
        for (size_t k = 0; k < s->nkeys && !dup; k++)
            dup = memcmp(s->keys[k].pub, cfg->keys[i].pub, 32) == 0;
        if (!dup)
            s->keys[s->nkeys++] = cfg->keys[i];
    }
    s->cfg.keys = NULL; /* ours are copies */
    s->cfg.nkeys = s->nkeys;
    s->data_dir = strdup(cfg->data_dir);
    s->cfg.data_dir = s->data_dir;
    ledger_ro_handle_opts ro = {.data_dir = s->data_dir, .net = cfg->net};
    bool ro_ok = s->data_dir && ledger_ro_handle_init(&s->ledger, &ro) == LEDGER_STATUS_OK;
    s->active = ro_ok ? new_container(s) : NULL;
    if (!s->active) {
        elections_service_free(s);
        return NULL;
    }
    elections_service_resync(s);
    return s;
}

void elections_service_free(elections_service *s)
{
    if (!s)
        return;
    elections_active_free(s->active);
    ledger_ro_handle_close(&s->ledger);
    sodium_memzero(s->keys, sizeof s->keys);
    free(s->backlog);
    free(s->answered);
    free(s->data_dir);
    free(s);
}

size_t elections_service_reps(const elections_service *s)
{
    return s->nreps;
}

size_t elections_service_active(const elections_service *s)
{
    return elections_active_size(s->active);
}

void elections_service_ages(const elections_service *s, uint64_t older_than, uint64_t *oldest,
                            size_t *older)
{
    *oldest = 0;
    *older = 0;
    uint64_t now = elections_active_now(s->active);
    size_t n = elections_active_size(s->active);
    for (size_t i = 0; i < n; i++) {
        uint64_t t = elections_election_start_tick(elections_active_at(s->active, i));
        uint64_t age = now > t ? now - t : 0;
        if (age > *oldest)
            *oldest = age;
        if (age > older_than)
            (*older)++;
    }
}

uint64_t elections_service_confirmed(const elections_service *s)
{
    return s->confirmed;
}

uint64_t elections_service_started(const elections_service *s)
{
    return s->started;
}

size_t elections_service_principals(elections_service *s, uint8_t (*out)[32], size_t max)
{
    if (max > ELECTIONS_PRINCIPALS_MAX)
        max = ELECTIONS_PRINCIPALS_MAX;
    ledger_ro *l = ledger(s);
    if (!l || max == 0)
        return 0;
    ledger_rep_weight reps[ELECTIONS_PRINCIPALS_MAX];
    size_t n = 0;
    ledger_status st = ledger_ro_representatives(l, reps, max, &n);
    if (st != LEDGER_STATUS_OK) {
        drop_ledger(s, st);
        return 0;
    }
    smn_amount_t floor = elections_weight_muldiv(
        elections_online_trended(elections_active_online(s->active)), 1, 1000);
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        if (smn_amount_lt(reps[i].weight, floor))
            break; /* heaviest first: the rest are lighter still */
        memcpy(out[k++], reps[i].account, 32);
    }
    return k;
}

smn_amount_t elections_service_delta(const elections_service *s)
{
    return elections_active_delta(s->active);
}

smn_amount_t elections_service_online(const elections_service *s)
{
    return elections_online_weight(elections_active_online(s->active));
}

const elections_online *elections_service_online_view(const elections_service *s)
{
    return elections_active_online(s->active);
}

uint32_t elections_service_quorum_percent(const elections_service *s)
{
    return s->cfg.quorum_percent;
}

uint32_t elections_service_max_active(const elections_service *s)
{
    return s->cfg.max_active;
}

const elections_active *elections_service_container(const elections_service *s)
{
    return s->active;
}

uint64_t elections_service_tick_ms(const elections_service *s)
{
    return 1000u / (s->cfg.ticks_per_second ? s->cfg.ticks_per_second : 1u);
}

size_t elections_service_history_size(const elections_service *s)
{
    return s->hist_n;
}

const elections_history_entry *elections_service_history_at(const elections_service *s, size_t i)
{
    if (i >= s->hist_n)
        return NULL;
    size_t k = (s->hist_next + ELECTIONS_SERVICE_HISTORY - 1 - i) % ELECTIONS_SERVICE_HISTORY;
    return &s->history[k];
}

uint64_t elections_service_now(const elections_service *s)
{
    return s->now;
}
