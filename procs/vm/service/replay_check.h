/* `vm verify`: replay the transcript - the cemented blocks of the ledger DB,
 * in cementing order, up to the seq the live vm DB has applied - into a
 * fresh indexer in a temporary directory, and compare it with the live
 * DATA_DIR/vm.db block by block (the events and commit records of every
 * block), then every program's state root and the applied-block count.
 * Both DBs are opened read-only; the live one inside one read transaction,
 * so a running node keeps indexing meanwhile and the check sees one
 * snapshot. The first difference is reported with its program, block and
 * height. */
#ifndef VM_SERVICE_REPLAY_CHECK_H
#define VM_SERVICE_REPLAY_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/network.h"
#include "procs/vm/programs/transcript.h"

typedef enum {
    VM_REPLAY_MATCH = 0, /* the live DB is what the ledger implies */
    VM_REPLAY_MISMATCH,  /* see the report's mismatch fields */
    VM_REPLAY_ERROR,     /* could not run (missing DB, pruned ledger ...): err says why */
} vm_replay_status;

typedef struct {
    uint64_t seq;                       /* cementing seq verified up to (the live DB's progress) */
    uint64_t blocks;                    /* blocks replayed */
    uint64_t programs;                  /* programs whose roots were compared */
    uint64_t events;                    /* events compared */
    uint64_t commits, commits_mismatch; /* commit messages; of them, published root != computed */
    /* VM_REPLAY_MISMATCH: */
    char what[96];    /* "events differ", "state root differs", ... */
    bool has_program; /* program below is set */
    uint8_t program[32];
    bool has_block; /* block_hash, height below are set */
    uint8_t block_hash[32];
    uint64_t height;
} vm_replay_report;

/* data_dir holds vm.db and ledger.db; net (may be NULL) refuses another
 * network's ledger. tmp_dir: where the replay DB goes (NULL: $TMPDIR or
 * /tmp); it is removed afterwards. */
vm_replay_status vm_replay_check_run(const char *data_dir, const smn_network *net,
                                     const char *tmp_dir, vm_replay_report *rep, char *err,
                                     size_t errlen);

/* Open an existing vm DB read-only as an indexer (for roots and reads),
 * through an SQLite URI file name ("file:...?mode=ro"). VM_IDX_ERR_NOT_FOUND
 * if path does not exist; VM_IDX_ERR_DB also when this SQLite build takes no
 * URI file names and it is too late to switch them on (they are switched
 * on here if SQLite has not initialised yet). */
vm_idx_status vm_indexer_open_readonly(const char *path, vm_indexer **out);

#endif
