/* Text forms of a chunk: raw amounts, smn amounts, the reference's loose
 * "last 30 digits" reading. */
#include <string.h>

#include "procs/vm/codec/codec.h"

/* 10^30: the chunk is the amount modulo one smn. */
static smn_amount_t one_smn(void)
{
    smn_amount_t v = smn_amount_from_u64(1);
    for (int i = 0; i < VM_CODEC_CHUNK_CHARS; i++)
        v = smn_amount_mul_wrap(v, smn_amount_from_u64(10));
    return v;
}

void vm_chunk_from_raw(smn_amount_t raw, vm_chunk *out)
{
    smn_amount_t v = smn_amount_mod(raw, one_smn());
    out->raw = v;
    for (int i = VM_CODEC_CHUNK_CHARS - 1; i >= 0; i--) {
        smn_u128 q;
        uint64_t d;
        smn_u128_divmod_u64(smn_amount_u128(v), 10, &q, &d);
        out->text[i] = (char)('0' + (int)d);
        v = smn_amount_of_u128(q);
    }
    out->text[VM_CODEC_CHUNK_CHARS] = '\0';
}

/* Longest text the strict forms can take: 39 digits, or a 9-digit whole
 * part, '.', 30 decimals; leading zeros beyond that are not worth carrying. */
#define MAX_STRICT_TEXT 64

static vm_codec_status parse_strict(const char *text, size_t len, vm_chunk *out)
{
    if (len == 0 || len > MAX_STRICT_TEXT)
        return VM_CODEC_ERR_CHUNK_SYNTAX;
    char buf[MAX_STRICT_TEXT + 1];
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (memchr(buf, '\0', len))
        return VM_CODEC_ERR_CHUNK_SYNTAX;
    smn_amount_t v = smn_amount_zero();
    smn_amount_status st =
        strchr(buf, '.') ? smn_amount_parse_smn(buf, &v) : smn_amount_parse_raw(buf, &v);
    if (st == SMN_AMOUNT_OVERFLOW)
        return VM_CODEC_ERR_CHUNK_RANGE;
    if (st != SMN_AMOUNT_OK)
        return VM_CODEC_ERR_CHUNK_SYNTAX;
    vm_chunk_from_raw(v, out);
    return VM_CODEC_OK;
}

vm_codec_status vm_chunk_parse(const char *text, size_t len, vm_codec_mode mode, vm_chunk *out)
{
    if ((!text && len) || !out)
        return VM_CODEC_ERR_ARG;
    vm_codec_status st = parse_strict(text, len, out);
    if (st == VM_CODEC_OK || mode != VM_CODEC_LENIENT)
        return st;
    /* converter.js: drop every non-digit, keep the last 30 digits. */
    size_t digits = 0;
    for (size_t i = 0; i < len; i++)
        digits += text[i] >= '0' && text[i] <= '9';
    if (digits < VM_CODEC_CHUNK_CHARS)
        return st;
    size_t skip = digits - VM_CODEC_CHUNK_CHARS, k = 0;
    smn_amount_t raw = smn_amount_zero();
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            continue;
        if (skip) {
            skip--;
            continue;
        }
        out->text[k++] = text[i];
        raw = smn_amount_add_wrap(smn_amount_mul_wrap(raw, smn_amount_from_u64(10)),
                                  smn_amount_from_u64((uint64_t)(text[i] - '0')));
    }
    out->text[VM_CODEC_CHUNK_CHARS] = '\0';
    out->raw = raw;
    return VM_CODEC_OK;
}
