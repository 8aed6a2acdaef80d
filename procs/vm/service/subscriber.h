/* One event-socket subscriber's position and flow control, apart from any
 * socket so it can be tested alone. The server (evserver.h) feeds it rows:
 * first the backlog read from the DB after the client's cursor, paced by
 * how much output is still queued for the client; once the backlog reaches
 * the server's head the subscriber is live and sees each new row once, as it
 * is committed. A live subscriber whose queued output would pass its bound
 * overflows: it gets a final "slow_consumer" message and is closed, so a
 * slow client never holds the indexer back. It resumes from its cursor. */
#ifndef VM_SERVICE_SUBSCRIBER_H
#define VM_SERVICE_SUBSCRIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/msg.h"
#include "procs/vm/programs/evrow.h"

typedef enum {
    VM_SUB_BACKLOG = 0, /* reading stored events */
    VM_SUB_LIVE,        /* caught up: new events are pushed */
    VM_SUB_CLOSED,      /* overflowed (or closed): nothing more is sent */
} vm_sub_phase;

typedef enum {
    VM_SUB_SEND,     /* queue the frame; the cursor moved to the event */
    VM_SUB_WAIT,     /* backlog: the buffer is too full, retry this event after it drains */
    VM_SUB_OVERFLOW, /* live: the buffer is full; disconnect with "slow_consumer" */
} vm_sub_verdict;

typedef struct {
    vm_evfilter filter;
    uint64_t cursor;   /* every event up to here was sent or filtered out */
    size_t max_buffer; /* bytes that may wait for the client */
    vm_sub_phase phase;
} vm_sub;

/* The fields of a subscribe request that ipc_decode accepted against
 * ipc_family_vmevents: filter, resume cursor (0 when absent), buffer bound
 * (IPC_VMEV_BUFFER_DEFAULT when absent). false if m is not a subscribe. */
bool vm_sub_parse(const ipc_msg *m, vm_evfilter *f, uint64_t *from, size_t *buffer);

/* A parsed subscription the server can serve: a known event type or
 * family, and a resume cursor not beyond head. False with why filled. */
bool vm_sub_check(const vm_evfilter *f, uint64_t from, uint64_t head, char *why, size_t len);
void vm_sub_init(vm_sub *s, const vm_evfilter *f, uint64_t from, size_t max_buffer);

/* Is e for this subscriber? If not (filtered out, or at or below its
 * cursor), the cursor moves past it (never backwards) and false. */
bool vm_sub_wants(vm_sub *s, const vm_evrow *e);

/* e was wanted and encodes to frame_len bytes; queued bytes wait for the
 * client already. A frame fits if nothing is queued (one event always goes
 * out, however small the bound) or queued + frame_len <= max_buffer. */
vm_sub_verdict vm_sub_admit(vm_sub *s, const vm_evrow *e, size_t queued, size_t frame_len);

/* Should the backlog pump read more now? (Backlog phase, and at most half
 * the bound queued: refill below the low-water mark.) */
bool vm_sub_wants_backlog(const vm_sub *s, size_t queued);

/* The backlog was read through head with nothing left waiting: the
 * subscriber turns live with cursor >= head. True on that transition
 * (send caught_up), false if it was not in the backlog phase. */
bool vm_sub_backlog_done(vm_sub *s, uint64_t head);

#endif
