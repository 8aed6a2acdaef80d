/* Builds a NanoVM message from its JSON description (RPC vm_message and
 * vm_send; docs/vm.md "Writing through the wallet"): the envelope bytes and
 * the chunk amounts that carry it. Nothing here signs or sends. */
#ifndef SMN_RPC_VM_BUILD_H
#define SMN_RPC_VM_BUILD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"
#include "procs/vm/programs/query.h"

/* Largest envelope built here (the codec takes 65,536 bytes; a deploy of
 * the biggest bytecode program, 64 KiB of code plus its header, fits). */
#define VM_BUILD_MAX_PAYLOAD 65536u

typedef struct {
    uint8_t *payload; /* heap */
    size_t len;
    smn_amount_t *amounts; /* heap: the send amount of each chunk */
    size_t nchunks;
} vm_built;

void vm_built_free(vm_built *b);

/* spec: {"kind": "call"|"deploy"|"state"|"commit"|"attest"|"burn_mint"|
 * "raw", ...fields by kind} (or {"payload": HEX} for a ready envelope).
 * q (may be NULL) resolves 16-hex program prefixes and "root":"current".
 * 0, or -1 with err filled (a message for the user). */
int vm_build(const json_t *spec, vm_query *q, vm_built *out, char *err, size_t errlen);

/* Chunk send amount: the chunk's raw value; a chunk whose digits are all
 * zero rides on 1 smn (a send must move something). */
smn_amount_t vm_build_chunk_amount(smn_amount_t chunk_raw);

#endif
