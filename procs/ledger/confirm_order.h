/* The order in which the ledger serves the confirms it is cementing in
 * slices: a fresh election's confirm before the backlog's, without
 * starving the backlog. Pure and deterministic (no clock), so it is
 * unit-tested on its own (tests/ledger/test_confirm_order.c). */
#ifndef SMN_LEDGER_CONFIRM_ORDER_H
#define SMN_LEDGER_CONFIRM_ORDER_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many batches in a row put fresh confirms first while
 * backlog confirms wait; the next one puts the backlog first. A batch
 * that serves 1-block fresh confirms gives the rest of its slice to the
 * backlog anyway: this bounds only big fresh confirms (a send on top of
 * a long unconfirmed chain), which then get 3/4 of the slices. */
#define LEDGER_CONFIRM_FRESH_RUN_MAX 3u

/* What the order needs to know of one confirm in progress. */
typedef struct {
    bool eligible; /* may share a batch (not settling a fork, not running alone) */
    bool started;  /* has had a slice already */
    bool backlog;  /* elections said it is backlog work, not a fresh election */
} ledger_confirm_rank;

typedef struct {
    unsigned fresh_run; /* batches in a row that put fresh first over waiting backlog */
} ledger_confirm_order_state;

/* Writes to order (room for max) the indices of the eligible confirms of
 * t[0..n) in the order the next batch serves them, and returns how many.
 * Within a class, new confirms (no slice yet) go before started ones and
 * each in arrival (index) order: fresh new, fresh started, backlog new,
 * backlog started; every (LEDGER_CONFIRM_FRESH_RUN_MAX + 1)th batch with
 * both classes eligible puts the two backlog groups first instead. One
 * call per batch: it advances st. */
size_t ledger_confirm_order(ledger_confirm_order_state *st, const ledger_confirm_rank *t, size_t n,
                            size_t *order, size_t max);

#endif
