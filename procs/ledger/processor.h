/* The block processor: batches of blocks, signatures verified in parallel
 * ahead of the write, then validated and applied in one transaction per
 * batch. Blocks missing a dependency wait in the unchecked table and are
 * retried, in the same transaction, as soon as that dependency lands.
 *
 * The processor is driven from the store's thread; only
 * ledger_processor_enqueue may be called from other threads. */
#ifndef LEDGER_PROCESSOR_H
#define LEDGER_PROCESSOR_H

#include <stddef.h>
#include <stdint.h>

#include "common/block.h"
#include "procs/ledger/store.h"
#include "ipc/ledgerdb/types.h"
#include "procs/ledger/validate.h"

typedef enum {
    LEDGER_EVENT_ACCEPTED = 0, /* a block entered the ledger (also one released from unchecked) */
    LEDGER_EVENT_FORK,         /* a valid block competes with one already in the ledger */
} ledger_event_kind;

typedef struct {
    ledger_event_kind kind;
    smn_block block;
    uint8_t hash[32];
    ledger_subtype subtype; /* ACCEPTED only */
    smn_amount_t amount;    /* ACCEPTED only */
    uint64_t height;        /* ACCEPTED only */
    uint8_t existing[32];   /* FORK only: the block holding that position (zero if pruned) */
    /* The tag the block was queued with (ledger_processor_enqueue), so the
     * caller finds its own record of it without a second index; 0 for a
     * block not taken from the queue (released from unchecked, given to
     * ledger_processor_process or _apply_in_tx). */
    uint64_t tag;
} ledger_event;

/* Called after the batch's transaction committed, in acceptance order, on
 * the processing thread. Must not call back into the processor. */
typedef void (*ledger_event_fn)(void *user, const ledger_event *ev);
/* Result of a queued block, after its batch committed. */
typedef void (*ledger_result_fn)(void *user, uint64_t tag, const uint8_t hash[32], ledger_result r);

typedef struct {
    size_t batch_max;        /* blocks per transaction (default 4096) */
    size_t queue_max;        /* bounded input queue (default 65536) */
    unsigned verify_threads; /* signature workers (0 = one per core) */
    /* The group (ledger_processor_drain only): up to group_max blocks in
     * one transaction over several drains of at most batch_max each, so
     * the random index pages a block dirties are written once for many
     * blocks, while each drain stays short. 0 or <= batch_max: every
     * drain commits (no group). group_ms: commit a group at least this
     * often (0: 5000). */
    size_t group_max;
    uint32_t group_ms;
    ledger_event_fn on_event;
    void *event_user;
} ledger_processor_config;

typedef struct ledger_processor ledger_processor;

/* The processor uses but does not own the store. cfg may be NULL. */
ledger_status ledger_processor_create(ledger_store *s, const ledger_processor_config *cfg,
                                      ledger_processor **out);
void ledger_processor_destroy(ledger_processor *p);

/* Processes n blocks now, in chunks of batch_max (one transaction each; the
 * next chunk's signatures are verified while this one is written).
 * results[i] is the outcome of blocks[i]: ACCEPTED, a rule, or ERROR when
 * its chunk was rolled back (the status is then not OK). A block held in
 * unchecked keeps its GAP_ result; its later acceptance is an event. */
ledger_status ledger_processor_process(ledger_processor *p, const smn_block *blocks, size_t n,
                                       ledger_result *results);

/* One block inside the caller's open store transaction (settle.h), with
 * the unchecked cascade; sig: LEDGER_SIG_GOOD if the caller verified it,
 * LEDGER_SIG_UNCHECKED to verify it here. Gap blocks go to unchecked as
 * usual. The events are held: ledger_processor_emit_events after the caller
 * committed, ledger_processor_discard_events after a rollback. */
ledger_status ledger_processor_apply_in_tx(ledger_processor *p, const smn_block *b,
                                           ledger_sig_state sig, ledger_result *result);
void ledger_processor_emit_events(ledger_processor *p);
void ledger_processor_discard_events(ledger_processor *p);

/* Queues one block and its hash (smn_block_hash of b: the caller has it
 * already, and drain verifies with it instead of hashing again;
 * thread-safe): LEDGER_QUEUED, or LEDGER_BUSY when the queue holds
 * queue_max blocks. */
ledger_result ledger_processor_enqueue(ledger_processor *p, const smn_block *b,
                                       const uint8_t hash[32], uint64_t tag);
size_t ledger_processor_queued(ledger_processor *p);
/* Processes up to batch_max queued blocks and reports each through fn (may
 * be NULL) once they are committed; *processed says how many were taken
 * (0: queue empty). Without a group every drain is one transaction. With
 * a group (group_max > batch_max) the blocks join the open group's
 * transaction, and the group commits, reporting every result it held
 * (in queue order) and then emitting its events, when the queue is empty
 * after the drain, when another batch would exceed group_max, after
 * group_ms, or before any other write transaction (ledger_store_begin
 * calls ledger_processor_flush first). A failed group rolls back whole:
 * every block in it is reported LEDGER_ERROR. fn and user must stay
 * valid while a group is open (the last drain's are used). */
ledger_status ledger_processor_drain(ledger_processor *p, ledger_result_fn fn, void *user,
                                     size_t *processed);

/* Commits the open group (if any), then reports its results and events. */
ledger_status ledger_processor_flush(ledger_processor *p);
bool ledger_processor_group_open(const ledger_processor *p);

typedef struct {
    uint64_t step_us_max;     /* the longest ledger_processor_drain call, wall clock */
    uint64_t step_cpu_us_max; /* the most CPU one drain took on its thread (the loop's) */
    uint64_t groups;          /* transactions committed by drains */
    uint64_t commit_us_max;   /* the longest group commit (a part of its step) */
} ledger_processor_stats;
void ledger_processor_get_stats(const ledger_processor *p, ledger_processor_stats *out);

#endif
