/* Messages on the lattice: a run of consecutive chunk sends of one account
 * to one destination (docs/vm.md "Ordering rules", "Messages"). */
#ifndef VM_PROGRAMS_ASSEMBLY_H
#define VM_PROGRAMS_ASSEMBLY_H

#include <stdbool.h>

#include "procs/vm/programs/apply.h"

/* Feed one block of c->blk's account: a send (dest, amount) or a change
 * (is_send false), which abandons a message in assembly. Receives are not
 * fed: they leave a message in assembly intact. Runs the
 * send side of a message that this send completes. */
vm_idx_status vm_assembly_block(vm_apply_ctx *c, bool is_send, const uint8_t dest[32],
                                smn_amount_t amount);
/* The account of c->blk received send src: count it for its message and,
 * when every chunk send of a complete message is received, run its
 * receive side. */
vm_idx_status vm_assembly_received(vm_apply_ctx *c, const uint8_t src[32]);

#endif
