/* What a complete message does: the send side on the sender's chain, the
 * receive side on the destination's chain (docs/vm.md "Ordering rules"). */
#ifndef VM_PROGRAMS_DISPATCH_H
#define VM_PROGRAMS_DISPATCH_H

#include "procs/vm/codec/envelope.h"
#include "procs/vm/programs/apply.h"

/* At the send completing m: decode the frame payload as an envelope and
 * apply its send-side effects; records the outcome in the messages table. */
vm_idx_status vm_dispatch_send(vm_apply_ctx *c, const vm_msg *m, const uint8_t *payload,
                               size_t len);
/* At the destination's receive that completes m (all its chunk sends
 * received). */
vm_idx_status vm_dispatch_receive(vm_apply_ctx *c, const vm_msg *m);

/* Whether a complete message acts at its destination's receive: a call of
 * a hosted program, or a token or vSMN transfer (transfer, transfer_call,
 * withdraw) whose send side succeeded (send_ok). env is the envelope as
 * messages.envelope stores it. */
bool vm_dispatch_has_receive_side(const uint8_t *env, size_t len, bool send_ok);

/* publish.c: kinds state, attest and commit (send side, sender = host). */
vm_idx_status vm_publish_state(vm_apply_ctx *c, const vm_msg *m, const vm_envelope *e);
vm_idx_status vm_publish_commit(vm_apply_ctx *c, const vm_msg *m, const vm_envelope *e);
vm_idx_status vm_publish_attest(vm_apply_ctx *c, const vm_msg *m, const vm_envelope *e);

#endif
