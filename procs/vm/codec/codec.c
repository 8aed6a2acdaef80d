/* Frame assembly, chunking and the strict/lenient checks around the radix
 * conversion (radix.c) and the digit-count formula (digits.c). */
#include "procs/vm/codec/codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "procs/vm/codec/digits.h"
#include "procs/vm/codec/radix.h"

static const uint8_t MAGIC[4] = {'N', 'V', 'M', '1'};

size_t vm_codec_digits_for_payload(size_t len)
{
    if (len > VM_CODEC_MAX_PAYLOAD)
        return 0;
    return vm_digits_for_len((uint32_t)len);
}

size_t vm_codec_chunks_for_payload(size_t len)
{
    size_t d = vm_codec_digits_for_payload(len);
    return (d + VM_CODEC_DIGITS_PER_CHUNK - 1) / VM_CODEC_DIGITS_PER_CHUNK;
}

static vm_codec_status from_errno(int rc)
{
    return rc == -ENOMEM ? VM_CODEC_ERR_NOMEM : VM_CODEC_ERR_ARG;
}

/* One chunk from 15 digit values (99 = padding). */
static void chunk_from_digits(const uint8_t d[VM_CODEC_DIGITS_PER_CHUNK], vm_chunk *c)
{
    smn_amount_t raw = smn_amount_zero();
    for (size_t i = 0; i < VM_CODEC_DIGITS_PER_CHUNK; i++) {
        c->text[2 * i] = (char)('0' + d[i] / 10);
        c->text[2 * i + 1] = (char)('0' + d[i] % 10);
        raw = smn_amount_add_wrap(smn_amount_mul_wrap(raw, smn_amount_from_u64(100)),
                                  smn_amount_from_u64(d[i]));
    }
    c->text[VM_CODEC_CHUNK_CHARS] = '\0';
    c->raw = raw;
}

vm_codec_status vm_codec_encode(const uint8_t *payload, size_t len, vm_chunk *chunks, size_t cap,
                                size_t *n_out)
{
    if ((!payload && len) || !n_out || (!chunks && cap))
        return VM_CODEC_ERR_ARG;
    *n_out = 0;
    if (len > VM_CODEC_MAX_PAYLOAD)
        return VM_CODEC_ERR_PAYLOAD_LIMIT;
    size_t n = vm_codec_chunks_for_payload(len);
    *n_out = n;
    if (cap < n)
        return VM_CODEC_ERR_BUFFER;

    size_t frame_len = VM_CODEC_HEADER_BYTES + len;
    size_t max_d = vm_radix_max_digits(frame_len);
    uint8_t *buf = malloc(frame_len + max_d);
    if (!buf)
        return VM_CODEC_ERR_NOMEM;
    uint8_t *digits = buf + frame_len;
    memcpy(buf, MAGIC, 4);
    buf[4] = (uint8_t)(len >> 24);
    buf[5] = (uint8_t)(len >> 16);
    buf[6] = (uint8_t)(len >> 8);
    buf[7] = (uint8_t)len;
    if (len)
        memcpy(buf + VM_CODEC_HEADER_BYTES, payload, len);
    size_t d = 0;
    int rc = vm_radix_bytes_to_base99(buf, frame_len, digits, max_d, &d);
    if (rc < 0) {
        free(buf);
        return from_errno(rc);
    }
    /* d equals vm_codec_digits_for_payload(len); the tests hold the two
     * computations to each other. */
    size_t pos = 0;
    for (size_t c = 0; c < n; c++) {
        uint8_t cd[VM_CODEC_DIGITS_PER_CHUNK];
        for (size_t i = 0; i < VM_CODEC_DIGITS_PER_CHUNK; i++)
            cd[i] = pos < d ? digits[pos++] : VM_CODEC_PAD_DIGIT;
        chunk_from_digits(cd, &chunks[c]);
    }
    free(buf);
    return VM_CODEC_OK;
}

/* Digit value at (chunk, index), or -1 for a non-digit character. */
static int digit_at(const vm_chunk *c, size_t i)
{
    char a = c->text[2 * i], b = c->text[2 * i + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9')
        return -1;
    return (a - '0') * 10 + (b - '0');
}

/* Check the frame V (big-endian bytes, no leading zero byte) and copy the
 * payload out, as converter.js does, but with strict's extra demand that
 * nothing follows the payload. */
static vm_codec_status take_payload(const uint8_t *v, size_t nv, vm_codec_mode mode, uint8_t *out,
                                    size_t cap, size_t *out_len)
{
    if (nv < VM_CODEC_HEADER_BYTES)
        return VM_CODEC_ERR_TOO_SHORT;
    if (memcmp(v, MAGIC, 4) != 0)
        return VM_CODEC_ERR_BAD_MAGIC;
    uint32_t len = (uint32_t)v[4] << 24 | (uint32_t)v[5] << 16 | (uint32_t)v[6] << 8 | v[7];
    if (len > VM_CODEC_MAX_PAYLOAD)
        return VM_CODEC_ERR_PAYLOAD_LIMIT;
    if (nv - VM_CODEC_HEADER_BYTES < len)
        return VM_CODEC_ERR_TRUNCATED;
    if (mode == VM_CODEC_STRICT && nv - VM_CODEC_HEADER_BYTES > len)
        return VM_CODEC_ERR_TRAILING_BYTES;
    *out_len = len;
    if (cap < len)
        return VM_CODEC_ERR_BUFFER;
    if (len)
        memcpy(out, v + VM_CODEC_HEADER_BYTES, len);
    return VM_CODEC_OK;
}

/* A frame-level failure of a strict input may really be a chunk-count
 * problem: name it so when the first chunk tells the expected count. */
static vm_codec_status refine(vm_codec_status st, const vm_chunk *chunks, size_t n, size_t d)
{
    uint32_t len;
    size_t want;
    if (vm_codec_read_header(&chunks[0], &len, &want) != VM_CODEC_OK)
        return st;
    if (n < want)
        return VM_CODEC_ERR_TOO_FEW_CHUNKS;
    if (n > want)
        return VM_CODEC_ERR_TOO_MANY_CHUNKS;
    size_t need = vm_digits_for_len(len);
    if (d < need)
        return VM_CODEC_ERR_TRUNCATED;
    if (d > need)
        return VM_CODEC_ERR_TRAILING_BYTES;
    return st;
}

/* Strict digit syntax: no leading zero, padding only as the tail of the
 * last chunk, and the last chunk not all padding. */
static vm_codec_status strict_digits(const vm_chunk *chunks, size_t n, uint8_t *digits, size_t *d)
{
    size_t k = 0;
    for (size_t c = 0; c < n; c++) {
        bool last = c + 1 == n, pad = false;
        for (size_t i = 0; i < VM_CODEC_DIGITS_PER_CHUNK; i++) {
            int v = digit_at(&chunks[c], i);
            if (v < 0)
                return VM_CODEC_ERR_NON_DIGIT;
            if (v == VM_CODEC_PAD_DIGIT) {
                if (!last)
                    return VM_CODEC_ERR_PAD_MISPLACED;
                pad = true;
                continue;
            }
            if (pad)
                return VM_CODEC_ERR_DIGIT_AFTER_PAD;
            digits[k++] = (uint8_t)v;
        }
        if (last && pad && k == (n - 1) * VM_CODEC_DIGITS_PER_CHUNK)
            return VM_CODEC_ERR_EMPTY_CHUNK;
    }
    if (digits[0] == 0)
        return VM_CODEC_ERR_LEADING_ZERO;
    *d = k;
    return VM_CODEC_OK;
}

/* converter.js: every 99 skipped wherever it is, anything else a digit. */
static vm_codec_status lenient_digits(const vm_chunk *chunks, size_t n, uint8_t *digits, size_t *d)
{
    size_t k = 0;
    for (size_t c = 0; c < n; c++) {
        for (size_t i = 0; i < VM_CODEC_DIGITS_PER_CHUNK; i++) {
            int v = digit_at(&chunks[c], i);
            if (v < 0)
                return VM_CODEC_ERR_NON_DIGIT;
            if (v != VM_CODEC_PAD_DIGIT)
                digits[k++] = (uint8_t)v;
        }
    }
    *d = k;
    return VM_CODEC_OK;
}

vm_codec_status vm_codec_decode(const vm_chunk *chunks, size_t n, vm_codec_mode mode, uint8_t *out,
                                size_t cap, size_t *out_len)
{
    if ((!chunks && n) || !out_len || (!out && cap))
        return VM_CODEC_ERR_ARG;
    if (mode != VM_CODEC_STRICT && mode != VM_CODEC_LENIENT)
        return VM_CODEC_ERR_ARG;
    *out_len = 0;
    if (n == 0)
        return mode == VM_CODEC_STRICT ? VM_CODEC_ERR_NO_CHUNKS : VM_CODEC_OK;
    /* Bound the work: strict never needs more chunks than the largest
     * payload; lenient may carry padding and leading zeros, so twice that. */
    size_t limit = vm_codec_chunks_for_payload(VM_CODEC_MAX_PAYLOAD);
    if (n > (mode == VM_CODEC_STRICT ? limit : 2 * limit))
        return VM_CODEC_ERR_PAYLOAD_LIMIT;

    size_t max_d = n * VM_CODEC_DIGITS_PER_CHUNK;
    uint8_t *digits = malloc(2 * max_d);
    if (!digits)
        return VM_CODEC_ERR_NOMEM;
    uint8_t *frame = digits + max_d;
    size_t d = 0, nv = 0;
    vm_codec_status st = mode == VM_CODEC_STRICT ? strict_digits(chunks, n, digits, &d)
                                                 : lenient_digits(chunks, n, digits, &d);
    if (st == VM_CODEC_OK) {
        int rc = vm_radix_base99_to_bytes(digits, d, frame, max_d, &nv);
        if (rc < 0)
            st = from_errno(rc);
    }
    if (st == VM_CODEC_OK) {
        /* converter.js returns an empty payload for a zero value. */
        if (mode == VM_CODEC_LENIENT && nv == 0)
            st = VM_CODEC_OK;
        else
            st = take_payload(frame, nv, mode, out, cap, out_len);
        if (mode == VM_CODEC_STRICT && st != VM_CODEC_OK && st != VM_CODEC_ERR_BUFFER)
            st = refine(st, chunks, n, d);
    }
    free(digits);
    return st;
}

vm_codec_status vm_codec_read_header(const vm_chunk *first, uint32_t *payload_len, size_t *n_chunks)
{
    if (!first || !payload_len || !n_chunks)
        return VM_CODEC_ERR_ARG;
    uint8_t digits[VM_CODEC_DIGITS_PER_CHUNK];
    size_t d = 0;
    vm_codec_status st = strict_digits(first, 1, digits, &d);
    if (st != VM_CODEC_OK)
        return st;
    if (d < VM_CODEC_DIGITS_PER_CHUNK) {
        /* Padded, so this chunk is the whole frame. */
        uint8_t frame[VM_CODEC_DIGITS_PER_CHUNK], payload[VM_CODEC_DIGITS_PER_CHUNK];
        size_t nv = 0, len = 0;
        if (vm_radix_base99_to_bytes(digits, d, frame, sizeof frame, &nv) < 0)
            return VM_CODEC_ERR_ARG;
        st = take_payload(frame, nv, VM_CODEC_STRICT, payload, sizeof payload, &len);
        if (st != VM_CODEC_OK)
            return st;
        *payload_len = (uint32_t)len;
        *n_chunks = 1;
        return VM_CODEC_OK;
    }
    smn_u128 f = smn_u128_zero();
    for (size_t i = 0; i < VM_CODEC_DIGITS_PER_CHUNK; i++)
        f = smn_u128_add_wrap(smn_u128_mul_wrap(f, smn_u128_from_u64(99)),
                              smn_u128_from_u64(digits[i]));
    vm_first_chunk_iter it;
    vm_first_chunk_iter_init(&it);
    for (;;) {
        smn_u128 lo, hi;
        vm_first_chunk_iter_range(&it, &lo, &hi);
        if (smn_u128_ge(f, lo) && smn_u128_le(f, hi)) {
            *payload_len = it.len;
            *n_chunks = vm_codec_chunks_for_payload(it.len);
            return VM_CODEC_OK;
        }
        if (it.len == VM_CODEC_MAX_PAYLOAD)
            return VM_CODEC_ERR_BAD_MAGIC;
        vm_first_chunk_iter_next(&it);
    }
}

const char *vm_codec_strerror(vm_codec_status st)
{
    switch (st) {
    case VM_CODEC_OK:
        return "ok";
    case VM_CODEC_ERR_ARG:
        return "invalid argument";
    case VM_CODEC_ERR_NOMEM:
        return "out of memory";
    case VM_CODEC_ERR_BUFFER:
        return "output buffer too small";
    case VM_CODEC_ERR_PAYLOAD_LIMIT:
        return "payload longer than 65536 bytes";
    case VM_CODEC_ERR_NO_CHUNKS:
        return "no chunks";
    case VM_CODEC_ERR_NON_DIGIT:
        return "chunk contains a non-digit character";
    case VM_CODEC_ERR_CHUNK_SYNTAX:
        return "not a chunk: expected 30 digits, a raw amount or an amount like 0.0102...";
    case VM_CODEC_ERR_CHUNK_RANGE:
        return "amount above 2^128-1";
    case VM_CODEC_ERR_LEADING_ZERO:
        return "first chunk starts with a leading zero digit (00)";
    case VM_CODEC_ERR_PAD_MISPLACED:
        return "padding digit 99 outside the end of the last chunk";
    case VM_CODEC_ERR_DIGIT_AFTER_PAD:
        return "digit after padding in the last chunk";
    case VM_CODEC_ERR_EMPTY_CHUNK:
        return "last chunk is padding only";
    case VM_CODEC_ERR_BAD_MAGIC:
        return "frame does not start with NVM1";
    case VM_CODEC_ERR_TOO_SHORT:
        return "frame shorter than its 8-byte header";
    case VM_CODEC_ERR_TOO_FEW_CHUNKS:
        return "too few chunks for the payload length";
    case VM_CODEC_ERR_TOO_MANY_CHUNKS:
        return "too many chunks for the payload length";
    case VM_CODEC_ERR_TRUNCATED:
        return "payload shorter than its declared length";
    case VM_CODEC_ERR_TRAILING_BYTES:
        return "extra bytes after the payload";
    }
    return "unknown codec error";
}
