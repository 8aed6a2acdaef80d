/* An in-memory NanoVM host: storage, balances, boxes and events in sorted
 * arrays, a journal for checkpoints, and a registry of bytecode programs so
 * program-to-program calls work. Used by `smallnano-cli vm run` (an empty
 * state) and by the VM tests; the node's real host lives in
 * procs/vm/programs/.
 *
 * Policy (same as the host.h contract): a program may debit its own main
 * balance, its boxes and the call input (one pool per memhost, shared by
 * nested calls); debiting an account or another program is DENIED. */
#ifndef SMN_VM_MEMHOST_H
#define SMN_VM_MEMHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/vm/interp/host.h"
#include "procs/vm/interp/bytecode_check.h"

typedef struct memhost memhost;

typedef struct {
    uint8_t program[VM_ID_LEN];
    uint64_t topic;
    uint8_t *data;
    size_t len;
} memhost_event;

/* NULL when out of memory. */
memhost *memhost_new(void);
void memhost_free(memhost *mh);

/* Verify code and register it as program id, replacing earlier code
 * registered under that id. Returns the verifier's answer. */
vm_verify_status memhost_add_program(memhost *mh, const uint8_t id[VM_ID_LEN], const uint8_t *code,
                                     size_t len, vm_verify_error *err);

/* Environment of the next top-level calls (caller, block, account). The
 * program field is filled per call. */
void memhost_set_env(memhost *mh, const vm_env *env);

/* Run a top-level call of a registered program. VM_FAULT_NO_METHOD if the
 * program is not registered. */
vm_status memhost_call(memhost *mh, const uint8_t program[VM_ID_LEN], const vm_call_request *req,
                       vm_call_outcome *out);

/* Inspection and setup. For a VM_HOLDER_BOX holder, owner names the
 * program owning the box; other kinds ignore it. */
bool memhost_storage(const memhost *mh, const uint8_t program[VM_ID_LEN], const uint8_t *key,
                     size_t key_len, const uint8_t **val, size_t *val_len);
size_t memhost_storage_count(const memhost *mh);
vm_u128 memhost_balance(const memhost *mh, const uint8_t asset[VM_ID_LEN], const vm_holder *h,
                        const uint8_t owner[VM_ID_LEN]);
/* Add amount to a balance outside any call (test setup); false on overflow
 * or allocation failure. Boxes must exist (memhost_box_count). */
bool memhost_credit(memhost *mh, const uint8_t asset[VM_ID_LEN], const vm_holder *h,
                    const uint8_t owner[VM_ID_LEN], vm_u128 amount);
uint32_t memhost_box_count(const memhost *mh, const uint8_t program[VM_ID_LEN]);
size_t memhost_event_count(const memhost *mh);
const memhost_event *memhost_event_at(const memhost *mh, size_t i);

/* A host for one program, outside memhost_call (for callers that run
 * vm_run themselves). *frame must outlive the returned host. */
typedef struct {
    memhost *mh;
    vm_env env;
} memhost_frame;
vm_host memhost_host(memhost *mh, memhost_frame *frame, const uint8_t program[VM_ID_LEN]);

#endif
