#include "procs/elections/ledger_link.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "ipc/schema_ledger.h"

#define CONFIRM_TIMEOUT_MS 10000u
/* Returns from in-flight requests always fit behind the queue's bound. */
#define RING_CAP (ELECTIONS_CONFIRM_QUEUE + ELECTIONS_CONFIRM_IN_FLIGHT)

typedef struct {
    uint8_t hash[32];
    smn_block block;
} confirm_entry;

static struct {
    ipc_endpoint *ep;
    elections_service *svc;
    confirm_entry *ring; /* FIFO of confirms not yet acknowledged or in flight */
    size_t head, n, cap;
    size_t in_flight;
    uint64_t cemented; /* blocks the ledger reported cemented for our confirms */
    bool refused_logged;
} link;

static bool ring_push(const uint8_t hash[32], const smn_block *block, size_t bound)
{
    if (link.n >= bound)
        return false;
    if (link.n == link.cap) {
        size_t cap = link.cap ? link.cap * 2 : 64;
        if (cap > RING_CAP)
            cap = RING_CAP;
        confirm_entry *r = malloc(cap * sizeof *r);
        if (!r)
            return false;
        for (size_t i = 0; i < link.n; i++) /* unwrap into the new ring */
            r[i] = link.ring[(link.head + i) % link.cap];
        free(link.ring);
        link.ring = r;
        link.cap = cap;
        link.head = 0;
    }
    confirm_entry *e = &link.ring[(link.head + link.n) % link.cap];
    memcpy(e->hash, hash, 32);
    e->block = *block;
    link.n++;
    return true;
}

static void on_confirm_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    confirm_entry *e = ud;
    link.in_flight--;
    if (st == IPC_OK) {
        uint64_t k = 0;
        ipc_get_uint(reply->body, "cemented", &k);
        link.cemented += k;
    } else if (st == IPC_E_REMOTE) {
        char msg[160] = "";
        ipc_get_strz(reply->body, "message", msg, sizeof msg);
        smn_warn("ledger refused a confirm: %s", msg);
    } else if (link.svc) {
        /* down, restarting or slow: again once it answers */
        (void)ring_push(e->hash, &e->block, RING_CAP);
    }
    free(e);
}

void elections_ledger_link_flush(void)
{
    ipc_conn *c = link.ep ? ipc_endpoint_conn(link.ep) : NULL;
    while (c && link.n && link.in_flight < ELECTIONS_CONFIRM_IN_FLIGHT) {
        confirm_entry *e = malloc(sizeof *e);
        if (!e)
            return;
        *e = link.ring[link.head];
        ipc_builder b;
        ipc_build_begin(&b, "confirm");
        ipc_put_bin(&b, "hash", e->hash, 32);
        uint8_t wire[SMN_BLOCK_WIRE_BYTES];
        smn_block_serialize(&e->block, wire);
        ipc_put_bin(&b, "block", wire, sizeof wire);
        if (ipc_request(c, &b, CONFIRM_TIMEOUT_MS, on_confirm_reply, e) != IPC_OK) {
            free(e); /* queue full or closing: it stays at the head */
            return;
        }
        link.head = (link.head + 1) % link.cap;
        link.n--;
        link.in_flight++;
    }
}

bool elections_ledger_link_confirm(void *ctx, const uint8_t hash[32], const smn_block *block)
{
    (void)ctx;
    if (!ring_push(hash, block, ELECTIONS_CONFIRM_QUEUE)) {
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

static void on_block(const ipc_msg *m)
{
    const uint8_t *wire = NULL;
    size_t len = 0;
    smn_block b;
    if (!ipc_get_bin(m->body, "block", &wire, &len) ||
        smn_block_deserialize(wire, len, &b) != SMN_BLOCK_OK) {
        smn_warn("ledger sent an undecodable block in '%s'", m->kind->name);
        return;
    }
    elections_service_block(link.svc, &b);
}

static void on_cemented(const ipc_msg *m)
{
    const uint8_t *h = NULL;
    size_t len = 0;
    if (ipc_get_bin(m->body, "hash", &h, &len) && len == 32)
        elections_service_cemented(link.svc, h);
}

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    (void)ud;
    if (m->id) {
        ipc_reply_error(c, m, "elections serves no ledger requests");
        return;
    }
    if (!link.svc)
        return;
    if (ipc_msg_is(m, "block_accepted") || ipc_msg_is(m, "fork"))
        on_block(m);
    else if (ipc_msg_is(m, "block_cemented"))
        on_cemented(m);
}

static void on_subscribed(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)ud;
    if (st != IPC_OK || !ipc_msg_is(reply, "subscribed")) {
        smn_warn("ledger subscription failed: %s", ipc_status_str(st));
        if (c)
            ipc_conn_close(c); /* reconnects, and subscribes again */
        return;
    }
    if (!link.svc)
        return;
    /* Whatever happened while we were not subscribed is in the DB. */
    elections_service_load_reps(link.svc);
    elections_service_resync(link.svc);
    elections_ledger_link_flush();
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    if (!up)
        return;
    ipc_builder b;
    ipc_build_begin(&b, "subscribe");
    ipc_status st = ipc_request(c, &b, CONFIRM_TIMEOUT_MS, on_subscribed, ud);
    if (st != IPC_OK)
        smn_warn("cannot subscribe to the ledger: %s", ipc_status_str(st));
}

int elections_ledger_link_start(ipc_child *ch, elections_service *svc)
{
    if (link.ep)
        return 0;
    ipc_endpoint_opts eo = {
        .family = &ipc_family_ledger,
        .on_message = on_message,
        .on_state = on_state,
        .name = "ledger",
        .reconnect_max_ms = 1000,
    };
    link.svc = svc;
    link.ep = ipc_child_connect(ch, "ledger", &eo);
    if (!link.ep) {
        smn_error("cannot create the ledger endpoint");
        link.svc = NULL;
        return -1;
    }
    return 0;
}

void elections_ledger_link_stop(void)
{
    link.svc = NULL; /* confirms failing now need no retry */
    ipc_endpoint_free(link.ep);
    free(link.ring);
    memset(&link, 0, sizeof link);
}

size_t elections_ledger_link_queued(void)
{
    return link.n + link.in_flight;
}

uint64_t elections_ledger_link_cemented(void)
{
    return link.cemented;
}
