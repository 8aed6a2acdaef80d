/* NanoVM amount codec, bit-exact with NanoVM's reference converter.js.
 *
 * Frame = "NVM1" + payload length (u32 big-endian) + payload. The frame is
 * one big-endian integer V, written in base 99 (most significant digit
 * first, no leading zero digit), cut into chunks of 15 digits from the most
 * significant end; only the last chunk is padded, at its end, with digit 99.
 * Each digit is two decimal characters, so a chunk is 30 characters: the
 * low 30 decimal places of a send's amount (always below 1 smn).
 *
 * The strict decoder accepts exactly what the encoder produces, so one
 * payload has exactly one encoding. The lenient decoder mirrors the
 * reference's looser reading (docs/vm.md "Codec").
 *
 * No function keeps state. Encode and decode allocate one scratch buffer of
 * about twice the frame size and free it before returning. */
#ifndef VM_CODEC_CODEC_H
#define VM_CODEC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"

#define VM_CODEC_DIGITS_PER_CHUNK 15
#define VM_CODEC_CHUNK_CHARS 30
#define VM_CODEC_HEADER_BYTES 8
#define VM_CODEC_PAD_DIGIT 99
/* Largest payload this codec accepts, in both directions (64 KiB is about
 * 5,300 sends). Below it the digit count is a function of the payload
 * length alone (checked by tests/vm/codec/ref_converter.py). */
#define VM_CODEC_MAX_PAYLOAD 65536u

typedef struct {
    char text[VM_CODEC_CHUNK_CHARS + 1]; /* 30 decimal characters + NUL */
    smn_amount_t raw;                    /* the same value as an integer, < 10^30 */
} vm_chunk;

typedef enum {
    VM_CODEC_OK = 0,
    VM_CODEC_ERR_ARG,             /* NULL pointer where data is required */
    VM_CODEC_ERR_NOMEM,           /* scratch allocation failed */
    VM_CODEC_ERR_BUFFER,          /* output array/buffer too small */
    VM_CODEC_ERR_PAYLOAD_LIMIT,   /* payload above VM_CODEC_MAX_PAYLOAD */
    VM_CODEC_ERR_NO_CHUNKS,       /* nothing to decode */
    VM_CODEC_ERR_NON_DIGIT,       /* a chunk character is not 0-9 */
    VM_CODEC_ERR_CHUNK_SYNTAX,    /* a text chunk is none of the accepted forms */
    VM_CODEC_ERR_CHUNK_RANGE,     /* a raw value above 2^128-1 */
    VM_CODEC_ERR_LEADING_ZERO,    /* first digit of the first chunk is 00 */
    VM_CODEC_ERR_PAD_MISPLACED,   /* a 99 digit outside the last chunk's tail */
    VM_CODEC_ERR_DIGIT_AFTER_PAD, /* a real digit after padding began */
    VM_CODEC_ERR_EMPTY_CHUNK,     /* last chunk is padding only */
    VM_CODEC_ERR_BAD_MAGIC,       /* frame does not start with "NVM1" */
    VM_CODEC_ERR_TOO_SHORT,       /* frame shorter than its 8-byte header */
    VM_CODEC_ERR_TOO_FEW_CHUNKS,  /* fewer chunks than the length needs */
    VM_CODEC_ERR_TOO_MANY_CHUNKS, /* more chunks than the length needs */
    VM_CODEC_ERR_TRUNCATED,       /* fewer payload bytes than the length says */
    VM_CODEC_ERR_TRAILING_BYTES,  /* extra bytes after the payload */
} vm_codec_status;

typedef enum {
    VM_CODEC_STRICT = 0,
    /* converter.js's reading: 99 skipped anywhere, leading zero digits and
     * bytes after the payload ignored, no digits at all = empty payload. */
    VM_CODEC_LENIENT = 1,
} vm_codec_mode;

/* Base-99 digits of the frame of a len-byte payload; 0 if len is above
 * VM_CODEC_MAX_PAYLOAD. O(1). */
size_t vm_codec_digits_for_payload(size_t len);
/* Chunks (sends) needed for a len-byte payload; 0 if above the limit. O(1). */
size_t vm_codec_chunks_for_payload(size_t len);

/* Encode len payload bytes into chunks[0..n), n = vm_codec_chunks_for_payload(len).
 * cap is the chunks array size; *n_out gets n (also on VM_CODEC_ERR_BUFFER). */
vm_codec_status vm_codec_encode(const uint8_t *payload, size_t len, vm_chunk *chunks, size_t cap,
                                size_t *n_out);

/* Decode n chunks (their text field is read; raw is ignored) into out.
 * *out_len gets the payload length (also on VM_CODEC_ERR_BUFFER, when it is
 * known). cap >= VM_CODEC_MAX_PAYLOAD always suffices. */
vm_codec_status vm_codec_decode(const vm_chunk *chunks, size_t n, vm_codec_mode mode, uint8_t *out,
                                size_t cap, size_t *out_len);

/* Streaming: from a strict first chunk alone, the payload length and the
 * total number of chunks. The later chunks are still checked by
 * vm_codec_decode. Errors: chunk syntax errors, VM_CODEC_ERR_BAD_MAGIC when
 * no frame of length <= VM_CODEC_MAX_PAYLOAD starts with this chunk. O(length). */
vm_codec_status vm_codec_read_header(const vm_chunk *first, uint32_t *payload_len,
                                     size_t *n_chunks);

/* Build a chunk from a raw amount: taken mod 10^30 (the data-carrying low
 * 30 decimal places), zero-padded to 30 characters. */
void vm_chunk_from_raw(smn_amount_t raw, vm_chunk *out);

/* Parse one text line (no newline) into a chunk. Accepted (strict):
 *   - raw integer digits (up to 2^128-1): mod 10^30, zero-padded on the left;
 *     a 30-digit chunk string is the same thing;
 *   - an smn amount "I.F" (I digits, possibly just "0"; F 1..30 digits):
 *     the fraction, zero-padded on the right (I, whole smn, is dropped).
 * Lenient also accepts the reference's reading: any text with at least 30
 * digits, non-digits removed, the last 30 digits kept. */
vm_codec_status vm_chunk_parse(const char *text, size_t len, vm_codec_mode mode, vm_chunk *out);

const char *vm_codec_strerror(vm_codec_status st);

#endif
