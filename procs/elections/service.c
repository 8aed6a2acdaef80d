#include "procs/elections/service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common/log.h"
#include "procs/elections/rep.h"
#include "procs/ledger/ro.h"
#include "procs/ledger/schema.h"
#include "procs/rpc/wallet_store.h"

#define MAX_TRIED 256u
#define FRONTIER_PAGE 256u
#define REP_MAX_ROOTS 8192u

typedef struct {
    uint8_t account[32];
    uint8_t wallet[WALLET_ID_BYTES];
    smn_amount_t weight;
} rep_entry;

struct elections_service {
    elections_service_config cfg;
    elections_service_hooks hooks;
    char *data_dir;
    elections_active *active;
    rep_entry reps[ELECTIONS_SERVICE_MAX_REPS]; /* sorted by account */
    size_t nreps;
    ledger_ro *ledger;
    wallet_store *ws;
    uint8_t tried[MAX_TRIED][WALLET_ID_BYTES];
    size_t ntried;
    bool want_scan;
    uint64_t confirmed;
    uint64_t now;
};

/* ---- container callbacks ---- */

static void on_confirmed(void *ctx, const elections_confirmation *c)
{
    elections_service *s = ctx;
    s->confirmed++;
    if (s->hooks.confirm)
        s->hooks.confirm(s->hooks.ctx, c->hash);
}

static void on_vote(void *ctx, const elections_vote *v)
{
    elections_service *s = ctx;
    if (s->hooks.vote)
        s->hooks.vote(s->hooks.ctx, v);
}

static void on_expired(void *ctx, const uint8_t root[32])
{
    (void)root;
    elections_service *s = ctx;
    /* the block is still unconfirmed in the DB: the next pass restarts it */
    s->want_scan = true;
}

static elections_active *new_container(elections_service *s)
{
    elections_active_config ac;
    elections_active_config_default(&ac);
    ac.quorum_percent = s->cfg.quorum_percent;
    ac.online_weight_minimum = s->cfg.online_weight_minimum;
    elections_active_callbacks cb = {
        .ctx = s, .confirmed = on_confirmed, .vote_generated = on_vote, .expired = on_expired};
    elections_active *a = elections_active_new(&ac, &cb);
    if (a)
        elections_active_tick(a, s->now);
    return a;
}

/* ---- databases ---- */

static ledger_ro *ledger(elections_service *s)
{
    if (s->ledger)
        return s->ledger;
    char path[4096], err[256] = "";
    snprintf(path, sizeof path, "%s/%s", s->data_dir, LEDGER_DB_FILENAME);
    ledger_status st = ledger_ro_open(path, s->cfg.net, &s->ledger, err, sizeof err);
    if (st != LEDGER_STATUS_OK) {
        smn_warn("cannot open the ledger %s: %s", path, err[0] ? err : ledger_status_str(st));
        s->ledger = NULL;
    }
    return s->ledger;
}

/* A read failed: reopen on the next use. */
static void drop_ledger(elections_service *s, ledger_status st)
{
    smn_warn("ledger read failed: %s%s%s", ledger_status_str(st), s->ledger ? ": " : "",
             s->ledger ? ledger_ro_errmsg(s->ledger) : "");
    ledger_ro_close(s->ledger);
    s->ledger = NULL;
}

static smn_amount_t weight_of(elections_service *s, const uint8_t account[32])
{
    ledger_ro *l = ledger(s);
    smn_amount_t w = 0;
    if (!l)
        return 0;
    ledger_status st = ledger_ro_weight(l, account, &w);
    if (st == LEDGER_STATUS_NOT_FOUND)
        return 0;
    if (st != LEDGER_STATUS_OK) {
        drop_ledger(s, st);
        return 0;
    }
    return w;
}

/* The wallet is unlocked in our handle; the empty password is offered
 * once per wallet (Argon2 is too dear to repeat every pass). */
static bool usable(elections_service *s, const uint8_t id[WALLET_ID_BYTES])
{
    if (wallet_is_unlocked(s->ws, id))
        return true;
    for (size_t i = 0; i < s->ntried; i++)
        if (memcmp(s->tried[i], id, WALLET_ID_BYTES) == 0)
            return false;
    if (s->ntried < MAX_TRIED)
        memcpy(s->tried[s->ntried++], id, WALLET_ID_BYTES);
    return wallet_unlock(s->ws, id, "") == WALLET_OK;
}

/* ---- representatives ---- */

static int cmp_rep(const void *a, const void *b)
{
    return memcmp(((const rep_entry *)a)->account, ((const rep_entry *)b)->account, 32);
}

/* Our representatives with weight, from the wallets; sorted by account. */
static size_t find_reps(elections_service *s, rep_entry *out)
{
    if (!s->ws && wallet_store_open(s->data_dir, true, &s->ws) != WALLET_OK) {
        s->ws = NULL; /* no wallets.db yet: rpc creates it */
        return 0;
    }
    uint8_t(*ids)[WALLET_ID_BYTES] = NULL;
    size_t nids = 0, n = 0;
    if (wallet_list(s->ws, &ids, &nids) != WALLET_OK)
        return 0;
    for (size_t i = 0; i < nids && n < ELECTIONS_SERVICE_MAX_REPS; i++) {
        if (!usable(s, ids[i]))
            continue;
        uint8_t(*pubs)[32] = NULL;
        size_t np = 0;
        if (wallet_accounts(s->ws, ids[i], &pubs, &np) != WALLET_OK)
            continue;
        for (size_t k = 0; k < np && n < ELECTIONS_SERVICE_MAX_REPS; k++) {
            smn_amount_t w = weight_of(s, pubs[k]);
            if (w == 0)
                continue;
            bool dup = false;
            for (size_t d = 0; d < n; d++)
                dup = dup || memcmp(out[d].account, pubs[k], 32) == 0;
            if (dup)
                continue;
            memcpy(out[n].account, pubs[k], 32);
            memcpy(out[n].wallet, ids[i], WALLET_ID_BYTES);
            out[n].weight = w;
            n++;
        }
        free(pubs);
    }
    free(ids);
    qsort(out, n, sizeof *out, cmp_rep);
    return n;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
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
        smn_keypair kp;
        if (wallet_keypair(s->ws, reps[i].wallet, reps[i].account, &kp) != WALLET_OK)
            continue;
        elections_rep *r = elections_rep_new(&kp, reps[i].weight, ts, REP_MAX_ROOTS);
        sodium_memzero(&kp, sizeof kp);
        if (!r || elections_active_add_rep(a, r) != 0) {
            elections_rep_free(r);
            elections_active_free(a);
            return -ENOMEM;
        }
    }
    elections_active_free(s->active);
    s->active = a;
    memcpy(s->reps, reps, n * sizeof *reps);
    s->nreps = n;
    s->want_scan = true;
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
        s->want_scan = true; /* new voters: one rescan, by whoever runs it next */
    }
    sodium_memzero(found, sizeof found);
    return s->nreps;
}

/* ---- rebuilding from the ledger ---- */

/* Elections for account's blocks above its confirmation height. false:
 * stop the pass (container full or the DB failed). */
static bool scan_account(elections_service *s, ledger_ro *l, const uint8_t account[32],
                         ledger_block_record *recs)
{
    ledger_account_info info;
    ledger_status st = ledger_ro_account_info(l, account, &info);
    if (st == LEDGER_STATUS_NOT_FOUND)
        return true;
    if (st != LEDGER_STATUS_OK) {
        drop_ledger(s, st);
        return false;
    }
    if (info.height <= info.conf_height)
        return true;
    uint64_t todo = info.height - info.conf_height;
    size_t k = todo > ELECTIONS_SERVICE_SCAN_DEPTH ? ELECTIONS_SERVICE_SCAN_DEPTH : (size_t)todo;
    if (k < todo)
        s->want_scan = true; /* the rest after these confirm */
    size_t n = 0;
    st = ledger_ro_history(l, account, info.conf_height + k + 1, recs, k, &n);
    if (st != LEDGER_STATUS_OK) {
        drop_ledger(s, st);
        return false;
    }
    for (size_t i = n; i-- > 0;) { /* history is newest first */
        if (recs[i].confirmed)
            continue;
        elections_start_status r = elections_active_start(s->active, &recs[i].block);
        if (r == ELECTIONS_START_FULL || r == ELECTIONS_START_NOMEM) {
            s->want_scan = true;
            return false;
        }
    }
    return true;
}

/* accounts are keys in byte order: the next page starts just after `a` */
static bool increment32(uint8_t a[32])
{
    for (int i = 31; i >= 0; i--)
        if (++a[i] != 0)
            return true;
    return false;
}

int elections_service_resync(elections_service *s)
{
    ledger_ro *l = ledger(s);
    if (!l) {
        s->want_scan = true;
        return -EAGAIN;
    }
    s->want_scan = false;
    uint8_t(*accounts)[32] = malloc(FRONTIER_PAGE * 32);
    uint8_t(*frontiers)[32] = malloc(FRONTIER_PAGE * 32);
    ledger_block_record *recs = malloc(ELECTIONS_SERVICE_SCAN_DEPTH * sizeof *recs);
    int rc = 0;
    if (!accounts || !frontiers || !recs) {
        s->want_scan = true;
        rc = -ENOMEM;
        goto out;
    }
    uint8_t start[32] = {0};
    for (;;) {
        size_t n = 0;
        ledger_status st = ledger_ro_frontiers(l, start, accounts, frontiers, FRONTIER_PAGE, &n);
        if (st != LEDGER_STATUS_OK) {
            drop_ledger(s, st);
            s->want_scan = true;
            rc = -EAGAIN;
            break;
        }
        bool go = true;
        for (size_t i = 0; i < n && go; i++)
            go = scan_account(s, l, accounts[i], recs);
        if (!go || n < FRONTIER_PAGE)
            break;
        memcpy(start, accounts[n - 1], 32);
        if (!increment32(start))
            break;
    }
out:
    free(accounts);
    free(frontiers);
    free(recs);
    return rc;
}

bool elections_service_wants_scan(const elections_service *s)
{
    return s->want_scan;
}

/* ---- inputs ---- */

elections_start_status elections_service_block(elections_service *s, const smn_block *b)
{
    elections_start_status st = elections_active_start(s->active, b);
    if (st == ELECTIONS_START_FULL || st == ELECTIONS_START_NOMEM)
        s->want_scan = true; /* it is in the DB: a later pass starts it */
    return st;
}

elections_vote_outcome elections_service_vote(elections_service *s, const elections_vote *v)
{
    return elections_active_vote(s->active, v, weight_of(s, v->account));
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
    if (s->cfg.online_weight_minimum == 0)
        s->cfg.online_weight_minimum = smn_amount_one_smn() * 60000u;
    if (hooks)
        s->hooks = *hooks;
    s->data_dir = strdup(cfg->data_dir);
    s->cfg.data_dir = s->data_dir;
    s->active = s->data_dir ? new_container(s) : NULL;
    if (!s->active) {
        elections_service_free(s);
        return NULL;
    }
    s->want_scan = true;
    return s;
}

void elections_service_free(elections_service *s)
{
    if (!s)
        return;
    elections_active_free(s->active);
    ledger_ro_close(s->ledger);
    wallet_store_close(s->ws);
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

uint64_t elections_service_confirmed(const elections_service *s)
{
    return s->confirmed;
}

smn_amount_t elections_service_delta(const elections_service *s)
{
    return elections_active_delta(s->active);
}

smn_amount_t elections_service_online(const elections_service *s)
{
    return elections_online_weight(elections_active_online(s->active));
}
