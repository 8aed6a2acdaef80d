/* The metered NanoVM interpreter. */
#ifndef SMN_VM_INTERP_H
#define SMN_VM_INTERP_H

#include "procs/vm/interp/host.h"
#include "procs/vm/interp/bytecode_check.h"

/* Run one method of a verified program: req->method with req->args in
 * r1..r5 (other registers and all VM_MEM_SIZE bytes of memory zero), at most
 * req->gas_limit gas, at call depth req->depth.
 *
 * A view method, or any method run with req->view, is read-only: its
 * mutating host calls fault (VM_FAULT_VIEW_WRITE) and the calls it makes to
 * other programs run in view mode.
 *
 * Every instruction's gas is charged before it executes. The call is wrapped
 * in a host checkpoint: released on success, rolled back on any fault, so a
 * fault leaves the host's state untouched. Faults before the first
 * instruction (unknown method, state_changing method in view mode, depth
 * above VM_MAX_CALL_DEPTH) use no gas and touch no state.
 *
 * Fills *out and returns out->status. Deterministic: the same program,
 * request and host state give the same outcome on every machine, except
 * VM_FAULT_HOST, which means the host itself failed. */
vm_status vm_run(const vm_program *prog, const vm_host *host, const vm_call_request *req,
                 vm_call_outcome *out);

#endif
