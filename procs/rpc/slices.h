/* Long read-only actions in slices (issue 10): an action whose answer
 * takes thousands of ledger reads does a bounded slice of them, then
 * yields to rpc's event loop (heartbeats, other clients) and continues in
 * the next iteration, until it has answered. */
#ifndef RPC_SLICES_H
#define RPC_SLICES_H

#include <stdbool.h>

typedef struct rpc_call rpc_call;
typedef struct rpc_slices rpc_slices;

/* One slice of the action's work on its state: true once it has answered
 * c (it must not touch c afterwards). */
typedef bool (*rpc_slice_fn)(rpc_call *c, void *state);

/* Runs step on state until it answers: the first slice now, the others
 * each from its own loop iteration (with no event base, as in unit tests,
 * all of them now). drop frees state after the last slice, or when the
 * context is freed first (the call then answers "Shutting down"). With no
 * memory for the bookkeeping the slices all run now. */
void rpc_call_slices(rpc_call *c, rpc_slice_fn step, void (*drop)(void *), void *state);

/* rpc_ctx_free: stop c's remaining slices and free their state. */
void rpc_slices_abandon(rpc_call *c);

#endif
