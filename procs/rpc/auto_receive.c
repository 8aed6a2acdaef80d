#include "procs/rpc/auto_receive.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "procs/rpc/wallet_blocks.h"
#include "procs/rpc/wallet_store.h"

#define RETRY_MS 20
#define RECOVER_PER_ACCOUNT 256u

typedef enum { JOB_IDLE, JOB_WORKING, JOB_SUBMITTED } job_state;

typedef struct job {
    struct job *next;
    rpc_auto_receive *owner;
    uint8_t wallet[WALLET_ID_BYTES];
    uint8_t account[32];
    uint8_t send_hash[32];
    smn_amount_t amount;
    unsigned attempts; /* lost races for the frontier (fork, gap) */
    unsigned failures; /* transient failures in a row: the backoff's exponent */
    uint64_t not_before_ms;
    job_state state;
    bool in_flight; /* WORKING or SUBMITTED */
    rpc_work_job *work;
    smn_block block; /* signed, waiting for its work */
} job;

struct rpc_auto_receive {
    struct event_base *base;
    const smn_network *net;
    rpc_ledger_link *link;
    rpc_ctx *ctx;        /* owns the ledger and wallet handles we use */
    rpc_work_pool *pool; /* the context's, taken at creation (outlives the context's use) */
    job *jobs;           /* FIFO: head first */
    size_t njobs;
    struct event *retry;
    uint64_t received;
    uint64_t retried; /* transient failures that were retried */
    uint64_t retry_at_ms;
};

static uint64_t now_ms(void)
{
    return rpc_monotonic_ns() / 1000000u;
}

static wallet_store *wallets(rpc_auto_receive *a)
{
    return rpc_ctx_wallets(a->ctx);
}

static ledger_ro *ledger(rpc_auto_receive *a)
{
    return rpc_ctx_ledger(a->ctx);
}

/* A wallet we may sign with: unlocked in the context (the empty password
 * is tried when the store opens; others after password_enter). */
static bool usable(rpc_auto_receive *a, const uint8_t id[WALLET_ID_BYTES])
{
    return wallet_is_unlocked(wallets(a), id);
}

/* The first usable wallet holding account, if any. */
static bool find_wallet(rpc_auto_receive *a, const uint8_t account[32],
                        uint8_t out[WALLET_ID_BYTES])
{
    if (!wallets(a))
        return false;
    uint8_t(*ids)[WALLET_ID_BYTES] = NULL;
    size_t n = 0;
    if (wallet_holders(wallets(a), account, &ids, &n) != WALLET_OK)
        return false;
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        if (usable(a, ids[i])) {
            memcpy(out, ids[i], WALLET_ID_BYTES);
            found = true;
        }
    }
    free(ids);
    return found;
}

/* The queue is only ever walked from the timer, never from inside a
 * completion, so no walk sees its list change under it. The timer is set
 * for the soonest of the times asked for. */
static void arm_retry(rpc_auto_receive *a, int ms)
{
    uint64_t at = now_ms() + (uint64_t)ms;
    if (evtimer_pending(a->retry, NULL) && a->retry_at_ms <= at)
        return;
    evtimer_del(a->retry);
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    a->retry_at_ms = at;
    evtimer_add(a->retry, &tv);
}

static void enqueue(rpc_auto_receive *a, const uint8_t wallet[WALLET_ID_BYTES],
                    const uint8_t account[32], const uint8_t send_hash[32], smn_amount_t amount)
{
    if (smn_amount_lt(amount, rpc_ctx_receive_minimum(a->ctx)))
        return; /* below receive_minimum: left receivable */
    job **tail = &a->jobs;
    for (job *j = a->jobs; j; j = j->next) {
        if (memcmp(j->send_hash, send_hash, 32) == 0)
            return;
        tail = &j->next;
    }
    if (a->njobs >= RPC_AUTO_RECEIVE_MAX_JOBS) {
        smn_warn("auto-receive: %u receives queued, dropping one (recovered later)",
                 RPC_AUTO_RECEIVE_MAX_JOBS);
        return;
    }
    job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->owner = a;
    memcpy(j->wallet, wallet, WALLET_ID_BYTES);
    memcpy(j->account, account, 32);
    memcpy(j->send_hash, send_hash, 32);
    j->amount = amount;
    *tail = j;
    a->njobs++;
}

static void remove_job(rpc_auto_receive *a, job *j)
{
    for (job **pp = &a->jobs; *pp; pp = &(*pp)->next) {
        if (*pp == j) {
            *pp = j->next;
            a->njobs--;
            if (j->work && a->pool)
                rpc_work_pool_abandon(a->pool, j->work);
            free(j);
            return;
        }
    }
}

static bool account_busy(const rpc_auto_receive *a, const uint8_t account[32])
{
    for (const job *j = a->jobs; j; j = j->next)
        if (j->in_flight && memcmp(j->account, account, 32) == 0)
            return true;
    return rpc_account_in_flight(a->ctx, account);
}

/* A failure that says nothing about the receive itself (the ledger away,
 * its storage failing, a full queue): try again later, with a backoff that
 * doubles up to RPC_AUTO_RECEIVE_BACKOFF_MAX_MS, for as long as it takes.
 * The job stays queued, so neither a send nor a restart is needed. */
static void transient(rpc_auto_receive *a, job *j, const char *why)
{
    j->state = JOB_IDLE;
    j->in_flight = false;
    uint64_t delay = RPC_AUTO_RECEIVE_BACKOFF_MIN_MS;
    for (unsigned i = 0; i < j->failures && delay < RPC_AUTO_RECEIVE_BACKOFF_MAX_MS; i++)
        delay *= 2;
    if (delay > RPC_AUTO_RECEIVE_BACKOFF_MAX_MS)
        delay = RPC_AUTO_RECEIVE_BACKOFF_MAX_MS;
    j->failures++;
    a->retried++;
    j->not_before_ms = now_ms() + delay;
    /* once per job and then at powers of two, not once per retry */
    if ((j->failures & (j->failures - 1)) == 0)
        smn_warn("auto-receive: a receive failed (%s), retry %u in %llu ms", why, j->failures,
                 (unsigned long long)delay);
    arm_retry(a, (int)delay);
}

static void job_done(void *user, rpc_process_status st, ledger_result r)
{
    job *j = user;
    rpc_auto_receive *a = j->owner;
    j->in_flight = false;
    j->state = JOB_IDLE;
    if (st == RPC_PROCESS_PROGRESS) {
        a->received++;
        remove_job(a, j);
    } else if (st == RPC_PROCESS_BUSY || st == RPC_PROCESS_UNAVAILABLE ||
               st == RPC_PROCESS_LEDGER_ERROR) {
        transient(a, j, rpc_process_strerror(st));
        return;
    } else if ((r == LEDGER_FORK || r == LEDGER_GAP_PREVIOUS) &&
               ++j->attempts < RPC_AUTO_RECEIVE_ATTEMPTS) {
        /* lost a race for the frontier: build again on the new one */
        arm_retry(a, RETRY_MS);
        return;
    } else {
        /* received meanwhile by someone else, or refused for good */
        smn_debug("auto-receive: %s", rpc_process_strerror(st));
        remove_job(a, j);
    }
    arm_retry(a, 0); /* the account's next receive, if any */
}

static void work_done(void *user, int status, uint64_t nonce)
{
    job *j = user;
    rpc_auto_receive *a = j->owner;
    j->work = NULL;
    if (status != 0) { /* work_cancel on its root */
        transient(a, j, "work cancelled");
        return;
    }
    j->block.work = nonce;
    j->state = JOB_SUBMITTED;
    rpc_ledger_link_process(a->link, &j->block, LEDGER_ORIGIN_WALLET, job_done, j);
}

/* Build and sign the receive for j, then hand it to the work pool (j may
 * be gone afterwards). */
static void start_job(rpc_auto_receive *a, job *j)
{
    ledger_ro *l = ledger(a);
    if (!l || !wallets(a)) {
        transient(a, j, l ? "wallet store unavailable" : "ledger unavailable");
        return;
    }
    wallet_account_state s = {0};
    ledger_account_info info;
    ledger_status lst = ledger_ro_account_info(l, j->account, &info);
    if (lst == LEDGER_STATUS_OK) {
        memcpy(s.frontier, info.frontier, 32);
        s.balance = info.balance;
        memcpy(s.representative, info.representative, 32);
    } else if (lst != LEDGER_STATUS_NOT_FOUND) {
        rpc_ctx_ledger_reset(a->ctx);
        transient(a, j, "ledger read failed");
        return;
    }
    wallet_work_opts w = {.net = a->net, .no_work = true};
    wallet_status wst = wallet_sign_receive(wallets(a), j->wallet, j->account, &s, j->send_hash,
                                            j->amount, &w, &j->block);
    if (wst != WALLET_OK) {
        smn_warn("auto-receive: cannot build a receive: %s", wallet_strerror(wst));
        remove_job(a, j);
        return;
    }
    rpc_work_pool *pool = a->pool;
    if (!pool) {
        transient(a, j, "no work pool");
        return;
    }
    int rc = rpc_work_pool_submit(pool, smn_block_root(&j->block),
                                  rpc_ctx_wallet_difficulty(a->ctx, true), "auto-receive",
                                  work_done, j, &j->work);
    if (rc != 0) {
        transient(a, j, rc == -ENOMEM ? "out of memory" : "work queue busy");
        return;
    }
    j->state = JOB_WORKING;
    j->in_flight = true;
}

static void pump(rpc_auto_receive *a)
{
    bool deferred = false;
    uint64_t now = now_ms();
    job *j = a->jobs;
    while (j) {
        job *next = j->next;
        if (j->in_flight) {
            /* waiting for its work or for the ledger */
        } else if (j->not_before_ms > now) {
            arm_retry(a, (int)(j->not_before_ms - now)); /* backing off */
        } else if (j->attempts >= RPC_AUTO_RECEIVE_ATTEMPTS) {
            smn_warn("auto-receive: giving up on a receive after %u attempts", j->attempts);
            remove_job(a, j);
        } else if (account_busy(a, j->account)) {
            deferred = true;
        } else {
            /* may finish (and free j) before it returns: next was read first,
             * and a completion only ever frees its own job */
            start_job(a, j);
            deferred = true;
        }
        j = next;
    }
    if (deferred)
        arm_retry(a, RETRY_MS);
}

static void on_retry(evutil_socket_t fd, short what, void *ud)
{
    (void)fd;
    (void)what;
    pump(ud);
}

void rpc_auto_receive_notify(rpc_auto_receive *a, const ledger_client_accepted *n)
{
    if (n->subtype != LEDGER_SUBTYPE_SEND)
        return;
    uint8_t id[WALLET_ID_BYTES];
    if (!find_wallet(a, n->block.link, id))
        return;
    enqueue(a, id, n->block.link, n->hash, n->amount);
    arm_retry(a, 0);
}

static void recover_wallet(rpc_auto_receive *a, ledger_ro *l, const uint8_t id[WALLET_ID_BYTES],
                           ledger_receivable *rs)
{
    uint8_t(*pubs)[32] = NULL;
    size_t n = 0;
    if (wallet_accounts(wallets(a), id, &pubs, &n) != WALLET_OK)
        return;
    /* a full queue ends the walk: what is left is found by the next recovery */
    for (size_t i = 0; i < n && a->njobs < RPC_AUTO_RECEIVE_MAX_JOBS; i++) {
        size_t k = 0;
        if (ledger_ro_receivables(l, pubs[i], rs, RECOVER_PER_ACCOUNT, &k) != LEDGER_STATUS_OK)
            continue;
        for (size_t r = 0; r < k && a->njobs < RPC_AUTO_RECEIVE_MAX_JOBS; r++)
            enqueue(a, id, pubs[i], rs[r].send_hash, rs[r].amount);
    }
    free(pubs);
}

void rpc_auto_receive_recover(rpc_auto_receive *a)
{
    ledger_ro *l = ledger(a);
    if (!l || !wallets(a))
        return;
    ledger_receivable *rs = malloc(sizeof *rs * RECOVER_PER_ACCOUNT);
    uint8_t(*ids)[WALLET_ID_BYTES] = NULL;
    size_t n = 0;
    if (rs && wallet_list(wallets(a), &ids, &n) == WALLET_OK) {
        for (size_t i = 0; i < n && a->njobs < RPC_AUTO_RECEIVE_MAX_JOBS; i++)
            if (usable(a, ids[i]))
                recover_wallet(a, l, ids[i], rs);
    }
    free(ids);
    free(rs);
    if (a->njobs)
        smn_info("auto-receive: %zu receivable blocks queued", a->njobs);
    arm_retry(a, 0);
}

rpc_auto_receive *rpc_auto_receive_new(struct event_base *base, const smn_network *net,
                                       rpc_ledger_link *link, rpc_ctx *ctx)
{
    rpc_auto_receive *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->base = base;
    a->net = net;
    a->link = link;
    a->ctx = ctx;
    a->pool = rpc_ctx_work_pool(ctx);
    a->retry = evtimer_new(base, on_retry, a);
    if (!a->retry) {
        rpc_auto_receive_free(a);
        return NULL;
    }
    return a;
}

void rpc_auto_receive_free(rpc_auto_receive *a)
{
    if (!a)
        return;
    while (a->jobs)
        remove_job(a, a->jobs);
    if (a->retry)
        event_free(a->retry);
    free(a);
}

uint64_t rpc_auto_receive_count(const rpc_auto_receive *a)
{
    return a->received;
}

uint64_t rpc_auto_receive_retries(const rpc_auto_receive *a)
{
    return a->retried;
}

bool rpc_auto_receive_account_busy(void *user, const uint8_t account[32])
{
    const rpc_auto_receive *a = user;
    for (const job *j = a->jobs; j; j = j->next)
        if (j->in_flight && memcmp(j->account, account, 32) == 0)
            return true;
    return false;
}
