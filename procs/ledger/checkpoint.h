/* WAL checkpoints on a thread of their own: the writer's commits only
 * append to the WAL, and copying it back into the database (and syncing)
 * no longer runs inside a loop step of the ledger process. Not for
 * readers: the store starts one for its writer connection. */
#ifndef LEDGER_CHECKPOINT_H
#define LEDGER_CHECKPOINT_H

#include <stdint.h>

#include "ipc/ledgerdb/types.h"

typedef struct ledger_checkpointer ledger_checkpointer;

/* Opens its own connection to the database at path and starts the thread.
 * It checkpoints (PASSIVE: never blocks the writer) each time it is
 * kicked. */
ledger_status ledger_checkpointer_start(const char *path, ledger_checkpointer **out, char *err,
                                        size_t errlen);
/* Asks for a checkpoint (thread-safe, returns at once; kicks while one
 * runs coalesce into one more). */
void ledger_checkpointer_kick(ledger_checkpointer *c);
/* Checkpoints run so far. */
uint64_t ledger_checkpointer_count(ledger_checkpointer *c);
/* Stops the thread (after the checkpoint in progress) and closes. */
void ledger_checkpointer_stop(ledger_checkpointer *c);

#endif
