/* How many base-99 digits the frame of a given payload length has
 * (internal to procs/vm/codec). */
#ifndef VM_CODEC_DIGITS_H
#define VM_CODEC_DIGITS_H

#include <stddef.h>
#include <stdint.h>

#include "common/u128.h"

/* Digits of every frame with a len-byte payload, len <= VM_CODEC_MAX_PAYLOAD. */
size_t vm_digits_for_len(uint32_t len);

/* Streaming header recovery walks payload lengths upwards, keeping the
 * range of first chunks that frames of the current length can start with. */
typedef struct {
    uint32_t len;  /* current payload length */
    size_t digits; /* vm_digits_for_len(len), >= 15 */
    uint64_t s[3]; /* 256^len / 99^(digits - 15) in 64.128 fixed point */
} vm_first_chunk_iter;

/* Position at the smallest length whose frame fills a whole chunk. */
void vm_first_chunk_iter_init(vm_first_chunk_iter *it);
/* Advance to len + 1. */
void vm_first_chunk_iter_next(vm_first_chunk_iter *it);
/* Every strict first chunk (as a 15-digit base-99 number F) of a frame with
 * this length satisfies *lo <= F <= *hi. The bounds are at most one unit
 * wider than the exact range. */
void vm_first_chunk_iter_range(const vm_first_chunk_iter *it, smn_u128 *lo, smn_u128 *hi);

#endif
