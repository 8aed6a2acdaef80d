/* A real ledger for the vm process tests: a dev ledger DB in a temp dir,
 * blocks carrying NanoVM messages processed and cemented through the ledger
 * library, and every cementing turned into a block_cemented frame (built
 * and decoded with the ledger IPC family, as the ledger process sends it)
 * and then into a vm_cemented. */
#ifndef TESTS_VM_PROCESS_FIXTURE_H
#define TESTS_VM_PROCESS_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "procs/ledger/processor.h"
#include "procs/ledger/store.h"
#include "procs/vm/programs/transcript.h"
#include "procs/vm/service/cemented.h"
#include "tests/ledger/helpers.h"

#define FX_MAX_NOTES 512

typedef struct {
    char dir[256];
    char ledger_path[300];
    char vm_path[300];
    ledger_store *store;
    ledger_processor *proc;
    tl_account g, dest;
    vm_cemented notes[FX_MAX_NOTES]; /* every cementing since fx_open, in order */
    size_t nnotes;
    uint8_t token_id[32]; /* after fx_token */
    uint8_t mint_hash[32];
} fx;

void fx_open(fx *f);
/* Closes the ledger and removes the directory. */
void fx_close(fx *f);
/* Process b (must be accepted). */
void fx_process(fx *f, const smn_block *b);
/* Cement everything processed so far (the genesis frontier, the dest frontier). */
void fx_confirm(fx *f);

/* n burns from genesis (whole smn: no message). Returns the first hash in first (may be NULL). */
void fx_burns(fx *f, int n);
/* A token etch and a mint of 5000, as chunked sends to dest. */
void fx_token(fx *f);
/* genesis sends 1 smn to dest, dest receives (opens) it. */
void fx_pay_dest(fx *f);

/* The ledger DB's cement_log size. */
uint64_t fx_ledger_seq(fx *f);

#endif
