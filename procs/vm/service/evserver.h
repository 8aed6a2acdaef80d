/* The event socket, DATA_DIR/run/vm-events.sock: external indexers
 * subscribe (ipc/schema_vmevents.h) and receive the VM's events in cursor
 * order, first the stored backlog after their cursor, then live ones as
 * blocks are applied. Each client has a bounded output buffer; a live
 * client that falls behind gets disconnect{reason "slow_consumer"} and is
 * closed (subscriber.h), so no client ever holds up the indexer. Backlog is
 * read in bounded steps between the loop's other work.
 *
 * Bound by the vm process itself (not handed down by the supervisor): a
 * subscriber must reconnect with its cursor after any disconnect anyway,
 * so a connection kept waiting in the backlog of a dead child would buy it
 * nothing (docs/vm.md "Event socket"). */
#ifndef VM_SERVICE_EVSERVER_H
#define VM_SERVICE_EVSERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

struct event_base;
typedef struct vm_evserver vm_evserver;

#define VM_EVSERVER_MAX_CLIENTS 64
/* A client that has not subscribed this long after connecting is closed
 * (disconnect "subscribe_timeout"): only subscribers hold the 64 slots. */
#define VM_EVSERVER_SUBSCRIBE_MS 10000
/* A subscriber that sent part of a frame and then nothing this long is
 * closed (disconnect "timeout"); an idle subscriber between frames is not. */
#define VM_EVSERVER_PARTIAL_MS 10000

/* Bind path (mode 0600, replacing a stale socket file) and serve it on
 * base, reading events from db (the indexer's connection: read only
 * between batches, on the loop's thread). NULL with a reason in err. */
vm_evserver *vm_evserver_new(struct event_base *base, const char *path, sqlite3 *db, char *err,
                             size_t errlen);
/* Says disconnect{reason "shutdown"} to every subscriber (best effort),
 * closes everything and removes the socket file. NULL is fine. */
void vm_evserver_free(vm_evserver *s);

/* New events were committed: push them to live subscribers, from the next
 * loop iteration on, in steps of at most 256 rows with the loop polling its
 * sockets between steps. */
void vm_evserver_publish(vm_evserver *s);

/* Change the two client timeouts above (0: the default), for tests. */
void vm_evserver_set_timeouts(vm_evserver *s, uint32_t subscribe_ms, uint32_t partial_ms);
/* accept() failures so far (EMFILE and friends pause accepting 100 ms). */
uint64_t vm_evserver_accept_errors(const vm_evserver *s);
/* Clients closed by either timeout so far. */
uint64_t vm_evserver_timeouts(const vm_evserver *s);

size_t vm_evserver_clients(const vm_evserver *s);
/* The newest cursor published. */
uint64_t vm_evserver_head(const vm_evserver *s);

#endif
