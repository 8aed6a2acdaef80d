/* Cursors of the confirmation topic (docs/websocket.md "Cursors").
 *
 * The cursor of a confirmation is its seq in the ledger's cementing log
 * (cement_log in ledger.db; ipc/ledgerdb/ro.h ledger_ro_cemented_after).
 * The process keeps the newest confirmations it read in a ring, rendered
 * once for every client (with and without the block, and with election_info
 * when the election is known). Each subscriber has
 * a scan position: every seq up to it was queued for the client or did not
 * match its filter. A step moves it forward: from the ring when the ring
 * still holds what follows (every seq in (base, last] is in the ring), else
 * one page straight from the ledger DB. Both paths read the same log in
 * the same order, so the switch from catching up to live has no gap and no
 * duplicate by construction; a client that falls behind the ring just goes
 * back to the DB. */
#ifndef WS_CURSOR_H
#define WS_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/ws/outq.h"
#include "procs/ws/wsmsg.h"

typedef struct {
    ws_confirmation c;
    ws_buf *plain, *with_block; /* the message without / with "block" */
    /* the same with "election_info"; NULL when the election is unknown */
    ws_buf *info_plain, *info_block;
} ws_ring_entry;

typedef struct {
    ws_ring_entry *e;
    size_t cap, head, n;
    uint64_t base; /* every seq in (base, last] is in the ring */
    uint64_t last; /* the newest seq read; base when empty */
} ws_ring;

/* head: the newest seq already cemented when the process started; the
 * ring holds what comes after it. false: out of memory. */
bool ws_ring_init(ws_ring *r, size_t cap, uint64_t head);
void ws_ring_free(ws_ring *r);
/* Drop every entry and start again after head (head >= last): the ring
 * then holds nothing, and a cursor before head reads the DB. For a process
 * that has no confirmation subscriber, so renders nothing. */
void ws_ring_reset(ws_ring *r, uint64_t head);
/* Append the next confirmation (seq > last), rendered at now_ms; the
 * oldest entry makes room. A pruned one only moves last. false: out of
 * memory or seq not after last (nothing changed). */
bool ws_ring_append(ws_ring *r, const ws_confirmation *c, uint64_t now_ms);
size_t ws_ring_count(const ws_ring *r);
const ws_ring_entry *ws_ring_get(const ws_ring *r, size_t i); /* 0 = oldest */
/* Index of the first entry with seq > cursor (count when none). */
size_t ws_ring_first_after(const ws_ring *r, uint64_t cursor);

/* Read up to max confirmations with seq > after from the ledger DB, in
 * order; *n how many. 0, or -1 on a DB error. */
typedef int (*ws_conf_source)(void *user, uint64_t after, ws_confirmation *out, size_t max,
                              size_t *n);

typedef struct {
    bool on;
    uint64_t scan; /* every seq <= scan was queued or filtered out */
    ws_accounts accounts;
    bool filtered; /* accounts given (an empty list matches nothing) */
    bool include_block;
    bool include_election_info;
    ws_conf_type type;
} ws_conf_sub;

/* Does the subscription want this confirmation? */
bool ws_conf_sub_matches(const ws_conf_sub *s, const ws_confirmation *c);

typedef enum {
    WS_STEP_IDLE, /* at the ring's newest: nothing to do until more is read */
    WS_STEP_MORE, /* did a bounded piece of work; call again later */
    WS_STEP_FULL, /* the client's queue is full: call again once it drained */
    WS_STEP_ERR,  /* the DB read or memory failed; scan unchanged by it */
} ws_step;

/* Move s forward, queueing matching confirmations on q, looking at no more
 * than budget entries and reading at most one DB page (page[0..page_max)
 * is scratch). */
ws_step ws_conf_step(ws_conf_sub *s, ws_outq *q, const ws_ring *ring, ws_conf_source src,
                     void *src_user, ws_confirmation *page, size_t page_max, size_t budget,
                     uint64_t now_ms);

#endif
