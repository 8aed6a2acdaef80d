/* The per-program Merkle state root (docs/vm.md "State and commitments").
 *
 * Leaves, in canonical order: every balance (type 1), box entry (type 2),
 * storage entry (type 3) and published state version (type 4) of the
 * program, sorted by type, then key bytewise (a key that is a prefix of
 * another sorts first). leaf = Blake2b-256(0x00 | type | u32 BE key length |
 * key | u32 BE value length | value); node = Blake2b-256(0x01 | left |
 * right); a level with an odd count promotes its last hash unchanged. No
 * leaves: 32 zero bytes. */
#ifndef VM_PROGRAMS_MERKLE_H
#define VM_PROGRAMS_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "procs/vm/programs/store.h"

enum {
    VM_LEAF_BALANCE = 1,
    VM_LEAF_BOX = 2,
    VM_LEAF_STORAGE = 3,
    VM_LEAF_PSTATE = 4, /* key = session u32 BE | seq u32 BE; value = valid u8 | data */
};

void vm_merkle_leaf(uint8_t type, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
                    uint8_t out[32]);
/* Reduce n leaf hashes (modified in place) to the root. */
void vm_merkle_reduce(uint8_t (*level)[32], size_t n, uint8_t root[32]);
/* The root of one program from the DB. */
vm_idx_status vm_merkle_program_root(vm_store *s, const uint8_t prog[32], uint8_t root[32]);

#endif
