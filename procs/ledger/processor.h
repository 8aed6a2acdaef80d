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
/* Processes up to batch_max queued blocks as one batch and reports each
 * through fn (may be NULL); *processed says how many (0: queue empty). */
ledger_status ledger_processor_drain(ledger_processor *p, ledger_result_fn fn, void *user,
                                     size_t *processed);

#endif
