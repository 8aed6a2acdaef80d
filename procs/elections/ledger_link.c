#include "procs/elections/ledger_link.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ipc/ledger_client.h"

#define CONFIRM_TIMEOUT_MS 10000u
/* A backlog confirm may cement a chain of thousands while the ledger also
 * works off others: wait for it rather than time out and send it again. */
#define BACKLOG_CONFIRM_TIMEOUT_MS 600000u
/* Returns from in-flight requests always fit behind a queue's bound. */
#define RING_CAP (ELECTIONS_CONFIRM_QUEUE + ELECTIONS_CONFIRM_IN_FLIGHT)

typedef struct {
    uint8_t hash[32];
    smn_block block;
    bool backlog;
} confirm_entry;

/* A FIFO of confirms not yet acknowledged or in flight. */
typedef struct {
    confirm_entry *e;
    size_t head, n, cap;
} ring;

static struct {
    ledger_client *lc;
    elections_service *svc;
    ring fresh, old; /* new blocks' winners go before the backlog's */
    size_t in_flight, old_in_flight;
    uint64_t cemented; /* blocks the ledger reported cemented for our confirms */
    bool refused_logged;
} link;

static bool ring_push(ring *r, const uint8_t hash[32], const smn_block *block, bool backlog,
                      size_t bound)
{
    if (r->n >= bound)
        return false;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        if (cap > RING_CAP)
            cap = RING_CAP;
        confirm_entry *ne = malloc(cap * sizeof *ne);
        if (!ne)
            return false;
        for (size_t i = 0; i < r->n; i++) /* unwrap into the new ring */
            ne[i] = r->e[(r->head + i) % r->cap];
        free(r->e);
        r->e = ne;
        r->cap = cap;
        r->head = 0;
    }
    confirm_entry *e = &r->e[(r->head + r->n) % r->cap];
    memcpy(e->hash, hash, 32);
    e->block = *block;
    e->backlog = backlog;
    r->n++;
    return true;
}

static void ring_pop(ring *r)
{
    r->head = (r->head + 1) % r->cap;
    r->n--;
}

static void ring_free(ring *r)
{
    free(r->e);
    memset(r, 0, sizeof *r);
}

static void on_confirm_done(void *user, ipc_status st, uint64_t cemented, uint64_t rolled_back)
{
    (void)rolled_back;
    confirm_entry *e = user;
    link.in_flight--;
    if (e->backlog)
        link.old_in_flight--;
    if (st == IPC_OK) {
        link.cemented += cemented;
    } else if (st == IPC_E_REMOTE || st == IPC_E_MALFORMED) {
        /* refused (logged by the client), e.g. a dependency not yet there:
         * the block is still unconfirmed in the DB, so elect it again later
         * rather than lose it */
        if (link.svc)
            elections_service_confirm_refused(link.svc, e->hash, &e->block);
    } else if (link.svc) {
        /* down, restarting or slow: again once it answers */
        (void)ring_push(e->backlog ? &link.old : &link.fresh, e->hash, &e->block, e->backlog,
                        RING_CAP);
    }
    free(e);
    /* A slot is free: the next queued confirm goes now, not at the next
     * step (up to a 100 ms timer away once the scheduler is idle, which
     * made the end of a backlog, many small confirms, crawl). The client
     * freed its request first, so sending from here is safe. */
    if (link.svc)
        elections_ledger_link_flush();
}

/* Send the head of r; false when nothing more can go now. */
static bool send_head(ring *r)
{
    confirm_entry *e = malloc(sizeof *e);
    if (!e)
        return false;
    *e = r->e[r->head];
    /* The ledger serves a fresh election's confirms before backlog ones. */
    ipc_status st =
        e->backlog ? ledger_client_confirm_backlog(link.lc, e->hash, &e->block,
                                                   BACKLOG_CONFIRM_TIMEOUT_MS, on_confirm_done, e)
                   : ledger_client_confirm_wait(link.lc, e->hash, &e->block, 0, on_confirm_done, e);
    if (st != IPC_OK) {
        free(e); /* queue full or closing: it stays at the head */
        return false;
    }
    ring_pop(r);
    link.in_flight++;
    if (e->backlog)
        link.old_in_flight++;
    return true;
}

void elections_ledger_link_flush(void)
{
    if (!ledger_client_connected(link.lc))
        return;
    /* A few confirms in flight keep the ledger busy; more would only make
     * a new block's confirm wait behind the backlog's in its socket. */
    while (link.fresh.n && link.in_flight < ELECTIONS_CONFIRM_IN_FLIGHT)
        if (!send_head(&link.fresh))
            return;
    while (link.old.n && link.in_flight < ELECTIONS_CONFIRM_IN_FLIGHT &&
           link.old_in_flight < ELECTIONS_CONFIRM_IN_FLIGHT_BACKLOG)
        if (!send_head(&link.old))
            return;
}

bool elections_ledger_link_confirm(void *ctx, const uint8_t hash[32], const smn_block *block,
                                   bool backlog)
{
    (void)ctx;
    if (!ring_push(backlog ? &link.old : &link.fresh, hash, block, backlog,
                   ELECTIONS_CONFIRM_QUEUE)) {
        if (!link.refused_logged)
            smn_warn("confirm queue full (%u): later winners are elected again",
                     ELECTIONS_CONFIRM_QUEUE);
        link.refused_logged = true;
        return false;
    }
    link.refused_logged = false;
    elections_ledger_link_flush();
    return true;
}

static void on_accepted(void *user, const ledger_client_accepted *n)
{
    (void)user;
    if (!link.svc)
        return;
    /* A synced block gets no election of its own: during a sync that
     * filled the confirm queue ("confirm queue full") and took the
     * ledger's CPU from the sync; the backlog elects the frontiers. */
    if (n->origin == LEDGER_ORIGIN_BOOTSTRAP)
        elections_service_synced(link.svc, &n->block);
    else
        elections_service_block(link.svc, &n->block);
}

static void on_fork(void *user, const ledger_client_fork *n)
{
    (void)user;
    if (link.svc)
        elections_service_block(link.svc, &n->block);
}

static void on_subscribed(void *user)
{
    (void)user;
    if (!link.svc)
        return;
    /* Whatever happened while we were not subscribed is in the DB. */
    elections_service_load_reps(link.svc);
    elections_service_resync(link.svc);
    elections_ledger_link_flush();
}

int elections_ledger_link_start(ipc_child *ch, elections_service *svc)
{
    if (link.lc)
        return 0;
    ledger_client_opts o = {
        .on_block_accepted = on_accepted,
        .on_fork = on_fork,
        .on_subscribed = on_subscribed,
        .timeout_ms = CONFIRM_TIMEOUT_MS,
        /* the in-flight bounds above keep far fewer outstanding */
        .max_pending = ELECTIONS_CONFIRM_IN_FLIGHT * 2,
    };
    link.svc = svc;
    link.lc = ledger_client_new(ch, &o);
    if (!link.lc) {
        link.svc = NULL;
        return -1;
    }
    return 0;
}

void elections_ledger_link_stop(void)
{
    link.svc = NULL; /* confirms failing now need no retry */
    ledger_client_free(link.lc);
    ring_free(&link.fresh);
    ring_free(&link.old);
    memset(&link, 0, sizeof link);
}

size_t elections_ledger_link_queued(void)
{
    return link.fresh.n + link.old.n + link.in_flight;
}

uint64_t elections_ledger_link_cemented(void)
{
    return link.cemented;
}
