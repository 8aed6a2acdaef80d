/* What every step of applying one block shares: the store, the block, and
 * the event sink (events are state: they roll back with their savepoint). */
#ifndef VM_PROGRAMS_APPLY_H
#define VM_PROGRAMS_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "procs/vm/programs/store.h"
#include "procs/vm/programs/transcript.h"

typedef struct {
    vm_store *st;
    const vm_block *blk; /* the block being applied */
    uint32_t event_idx;  /* index of the next event within this block */
} vm_apply_ctx;

/* A message as the dispatcher sees it. */
typedef struct {
    uint8_t id[32]; /* hash of its first chunk send */
    uint8_t sender[32];
    uint8_t dest[32];
    uint32_t total; /* chunk sends */
} vm_msg;

/* Append an event to the block being applied. type is a short stable name
 * ("token.transfer"); topic is the bytecode event topic (0 for natives). */
vm_idx_status vm_event(vm_apply_ctx *c, const uint8_t program[32], uint32_t session,
                       const char *type, uint64_t topic, const uint8_t *data, size_t len);

/* A small append-only byte buffer for event data. */
typedef struct {
    uint8_t b[1200];
    size_t n;
    bool overflow;
} vm_wbuf;
void vm_w_bytes(vm_wbuf *w, const void *p, size_t n);
void vm_w_u8(vm_wbuf *w, uint8_t v);
void vm_w_u32(vm_wbuf *w, uint32_t v);
void vm_w_u64(vm_wbuf *w, uint64_t v);
void vm_w_u128(vm_wbuf *w, smn_amount_t v);

#endif
