/* NanoVM message building (vm_build.h). */
#include "procs/rpc/vm_build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/rpc/vm_json.h"
#include "procs/vm/codec/codec.h"
#include "procs/vm/codec/envelope.h"
#include "procs/vm/interp/asm.h"
#include "procs/vm/programs/ids.h"

void vm_built_free(vm_built *b)
{
    free(b->payload);
    free(b->amounts);
    memset(b, 0, sizeof *b);
}

smn_amount_t vm_build_chunk_amount(smn_amount_t chunk_raw)
{
    return !smn_amount_is_zero(chunk_raw) ? chunk_raw : smn_amount_one_smn();
}

static int fail(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *str(const json_t *spec, const char *key)
{
    json_t *v = json_object_get(spec, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An unsigned number field: JSON integer or decimal / 0x string. 1 ok,
 * 0 absent, -1 malformed. */
static int u128_field(const json_t *spec, const char *key, smn_amount_t *out)
{
    json_t *v = json_object_get(spec, key);
    if (!v)
        return 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = smn_amount_from_u64((uint64_t)json_integer_value(v));
        return 1;
    }
    if (json_is_string(v) && vm_json_parse_u128(json_string_value(v), out))
        return 1;
    return -1;
}

static int u32_field(const json_t *spec, const char *key, uint32_t dflt, uint32_t *out, char *err,
                     size_t n)
{
    smn_amount_t v = smn_amount_from_u64(dflt);
    int r = u128_field(spec, key, &v);
    if (r < 0 || smn_amount_gt(v, smn_amount_from_u64(UINT32_MAX)))
        return fail(err, n, "Bad %s (an unsigned 32-bit number)", key);
    *out = (uint32_t)smn_amount_lo64(v);
    return 0;
}

/* program: 64 hex, smn.token/smn.vsmn, or a 16-hex prefix (taken as is). */
static int program_prefix(const json_t *spec, uint8_t prefix[8], char *err, size_t n)
{
    const char *s = str(spec, "program");
    uint8_t id[32];
    if (!s)
        return fail(err, n, "Missing field: program");
    if (vm_json_parse_program(s, id)) {
        memcpy(prefix, id, 8);
        return 0;
    }
    if (strlen(s) == 16 && smn_hex_decode(s, prefix, 8))
        return 0;
    return fail(err, n, "Bad program (64 hex digits, a 16-digit prefix, smn.token or smn.vsmn)");
}

static int hex_field(const json_t *spec, const char *key, uint8_t **out, size_t *len, size_t max,
                     char *err, size_t n)
{
    const char *s = str(spec, key);
    *out = NULL;
    *len = 0;
    if (!s)
        return json_object_get(spec, key) ? fail(err, n, "Bad %s (hex)", key) : 0;
    size_t l = strlen(s);
    if (l % 2 || l / 2 > max)
        return fail(err, n, "Bad %s (hex, at most %zu bytes)", key, max);
    *out = malloc(l / 2 + 1);
    if (!*out)
        return fail(err, n, "Out of memory");
    if (l && !smn_hex_decode(s, *out, l / 2)) {
        free(*out);
        *out = NULL;
        return fail(err, n, "Bad %s (hex)", key);
    }
    *len = l / 2;
    return 0;
}

/* A call argument: a number (smallest width that holds it), or a string
 * "u8:V" .. "u128:V" for an explicit width, or null for an absent one. */
static int call_arg(const json_t *v, uint8_t *width, smn_amount_t *val)
{
    static const struct {
        const char *p;
        uint8_t w;
    } widths[] = {{"u8:", VM_ARG_U8},
                  {"u16:", VM_ARG_U16},
                  {"u32:", VM_ARG_U32},
                  {"u64:", VM_ARG_U64},
                  {"u128:", VM_ARG_U128}};
    if (json_is_null(v)) {
        *width = VM_ARG_ABSENT;
        *val = smn_amount_zero();
        return 0;
    }
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *val = smn_amount_from_u64((uint64_t)json_integer_value(v));
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
            size_t pl = strlen(widths[i].p);
            if (strncmp(s, widths[i].p, pl) == 0) {
                if (!vm_json_parse_u128(s + pl, val))
                    return -1;
                unsigned bits = widths[i].w == VM_ARG_U128 ? 128u : 8u << (widths[i].w - 1);
                if (bits < 128 && !smn_amount_is_zero(smn_amount_shr(*val, bits)))
                    return -1;
                *width = widths[i].w;
                return 0;
            }
        }
        if (!vm_json_parse_u128(s, val))
            return -1;
    } else {
        return -1;
    }
    smn_amount_t x = *val;
    *width = smn_amount_le(x, smn_amount_from_u64(0xff))          ? VM_ARG_U8
             : smn_amount_le(x, smn_amount_from_u64(0xffff))      ? VM_ARG_U16
             : smn_amount_le(x, smn_amount_from_u64(0xffffffffu)) ? VM_ARG_U32
             : smn_amount_hi64(x) == 0                            ? VM_ARG_U64
                                                                  : VM_ARG_U128;
    return 0;
}

int vm_build(const json_t *spec, vm_query *q, vm_built *out, char *err, size_t n)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(spec))
        return fail(err, n, "Bad message (an object)");
    uint8_t *payload = NULL, *buf = NULL, *code = NULL;
    size_t plen = 0;
    vm_envelope e;
    memset(&e, 0, sizeof e);
    int rc = -1;
    const char *kind = str(spec, "kind");
    const char *raw = str(spec, "payload");
    if (raw) {
        if (hex_field(spec, "payload", &payload, &plen, VM_BUILD_MAX_PAYLOAD, err, n) != 0)
            goto out;
    } else if (!kind) {
        fail(err, n, "Missing field: kind (call, deploy, state, commit, attest, burn_mint)");
        goto out;
    } else if (strcmp(kind, "call") != 0 && strcmp(kind, "deploy") != 0 &&
               strcmp(kind, "state") != 0 && strcmp(kind, "commit") != 0 &&
               strcmp(kind, "attest") != 0 && strcmp(kind, "burn_mint") != 0) {
        fail(err, n, "Bad kind (call, deploy, state, commit, attest, burn_mint)");
        goto out;
    } else {
        if (u32_field(spec, "session", 0, &e.session_id, err, n) ||
            u32_field(spec, "seq", 0, &e.seq, err, n))
            goto out;
        if (strcmp(kind, "deploy") != 0 && strcmp(kind, "burn_mint") != 0 &&
            program_prefix(spec, e.program_id, err, n) != 0)
            goto out;
        if (strcmp(kind, "burn_mint") == 0)
            memcpy(e.program_id, vm_pid_vsmn, 8);
        if (strcmp(kind, "call") == 0) {
            e.kind = VM_KIND_CALL;
            smn_amount_t m = smn_amount_zero();
            uint32_t it = 0;
            if (u128_field(spec, "method", &m) != 1 || smn_amount_gt(m, smn_amount_from_u64(255))) {
                fail(err, n, "Bad method (0..255)");
                goto out;
            }
            if (u32_field(spec, "iteration", 0, &it, err, n))
                goto out;
            if (it > 255) {
                fail(err, n, "Bad iteration (0..255)");
                goto out;
            }
            e.body.call.method = (uint8_t)smn_amount_lo64(m);
            e.body.call.iteration = (uint8_t)it;
            json_t *args = json_object_get(spec, "args");
            if (args && (!json_is_array(args) || json_array_size(args) > VM_CALL_MAX_ARGS)) {
                fail(err, n, "Bad args (an array of at most 5 arguments)");
                goto out;
            }
            for (size_t i = 0; args && i < json_array_size(args); i++)
                if (call_arg(json_array_get(args, i), &e.body.call.width[i], &e.body.call.arg[i]) !=
                    0) {
                    fail(err, n,
                         "Bad args[%zu] (an unsigned number, \"uN:V\" for a width, or null)", i);
                    goto out;
                }
        } else if (strcmp(kind, "deploy") == 0) {
            e.kind = VM_KIND_DEPLOY;
            const char *asm_src = str(spec, "asm"), *native = str(spec, "native");
            size_t clen = 0;
            if (asm_src) {
                vm_asm_error ae = {0};
                if (vm_asm(asm_src, strlen(asm_src), &code, &clen, &ae) != VM_ASM_OK) {
                    fail(err, n, "Assembly failed: line %d: %s", ae.line, ae.msg);
                    goto out;
                }
                e.body.deploy.code_kind = VM_CODE_BYTECODE;
            } else if (native) {
                uint8_t a[32], b[32];
                const char *sa = str(spec, "asset_a"), *sb = str(spec, "asset_b");
                if (strcmp(native, "swap") != 0) {
                    fail(err, n, "Bad native (only \"swap\")");
                    goto out;
                }
                if (!sa || !sb ||
                    !(strcmp(sa, "smn") == 0 ? (memset(a, 0, 32), true)
                                             : smn_hex_decode(sa, a, 32)) ||
                    !(strcmp(sb, "smn") == 0 ? (memset(b, 0, 32), true)
                                             : smn_hex_decode(sb, b, 32))) {
                    fail(err, n, "Bad asset_a / asset_b (a token id in hex, or smn for vSMN)");
                    goto out;
                }
                clen = 5 + 64;
                code = malloc(clen);
                if (!code) {
                    fail(err, n, "Out of memory");
                    goto out;
                }
                memcpy(code, "swap", 5);
                memcpy(code + 5, a, 32);
                memcpy(code + 37, b, 32);
                e.body.deploy.code_kind = VM_CODE_NATIVE;
            } else {
                if (hex_field(spec, "code", &code, &clen, VM_BUILD_MAX_PAYLOAD, err, n) != 0)
                    goto out;
                if (!code || !clen) {
                    fail(err, n, "Missing field: asm, code (hex bytecode) or native");
                    goto out;
                }
                e.body.deploy.code_kind = VM_CODE_BYTECODE;
            }
            e.body.deploy.code = code;
            e.body.deploy.code_len = clen;
        } else if (strcmp(kind, "state") == 0) {
            e.kind = VM_KIND_STATE;
            const char *op = str(spec, "op");
            if (!op || strcmp(op, "set") == 0)
                e.body.state.op = VM_STATE_SET;
            else if (strcmp(op, "supersede") == 0)
                e.body.state.op = VM_STATE_SUPERSEDE;
            else if (strcmp(op, "invalidate") == 0)
                e.body.state.op = VM_STATE_INVALIDATE;
            else {
                fail(err, n, "Bad op (set, supersede, invalidate)");
                goto out;
            }
            if (u32_field(spec, "target_seq", 0, &e.body.state.target_seq, err, n))
                goto out;
            if (hex_field(spec, "data", &code, &e.body.state.data_len, VM_BUILD_MAX_PAYLOAD, err,
                          n) != 0)
                goto out;
            e.body.state.data = code;
            if (e.body.state.op == VM_STATE_INVALIDATE && e.body.state.data_len) {
                fail(err, n, "An invalidate carries no data");
                goto out;
            }
        } else if (strcmp(kind, "commit") == 0) {
            e.kind = VM_KIND_COMMIT;
            const char *root = str(spec, "root");
            smn_amount_t h = smn_amount_zero();
            if (u128_field(spec, "height", &h) < 0 || smn_amount_hi64(h) != 0) {
                fail(err, n, "Bad height");
                goto out;
            }
            e.body.commit.height = smn_amount_lo64(h);
            if (root && strcmp(root, "current") == 0) {
                uint8_t id[32];
                bool found = false;
                vm_query_proginfo pi;
                if (!q || vm_query_program_by_prefix(q, e.program_id, id, &found) != VM_IDX_OK ||
                    !found || vm_query_program(q, id, &pi) != VM_IDX_OK) {
                    fail(err, n, "Program not found (for root \"current\")");
                    goto out;
                }
                memcpy(e.body.commit.state_root, pi.root, 32);
            } else if (!root || !smn_hex_decode(root, e.body.commit.state_root, 32)) {
                fail(err, n, "Bad root (64 hex digits, or \"current\")");
                goto out;
            }
        } else if (strcmp(kind, "attest") == 0) {
            e.kind = VM_KIND_ATTEST;
            const char *subj = str(spec, "subject");
            if (!subj || !smn_hex_decode(subj, e.body.attest.subject, 32)) {
                fail(err, n, "Bad subject (64 hex digits)");
                goto out;
            }
            if (hex_field(spec, "claim", &code, &e.body.attest.claim_len, VM_BUILD_MAX_PAYLOAD, err,
                          n) != 0)
                goto out;
            e.body.attest.claim = code;
        } else if (strcmp(kind, "burn_mint") == 0) {
            e.kind = VM_KIND_BURN_MINT;
            const char *r = str(spec, "recipient");
            if (r) {
                if (smn_address_decode(r, e.body.burn_mint.recipient) != SMN_ADDRESS_OK) {
                    fail(err, n, "Bad recipient (an smn_ address)");
                    goto out;
                }
                e.body.burn_mint.has_recipient = true;
            }
        } else {
            fail(err, n, "Bad kind (call, deploy, state, commit, attest, burn_mint)");
            goto out;
        }
        size_t need = 0;
        vm_env_status es = vm_envelope_encode(&e, NULL, 0, &need);
        if (es != VM_ENV_ERR_BUFFER && es != VM_ENV_OK) {
            fail(err, n, "Cannot encode the envelope: %s", vm_env_strerror(es));
            goto out;
        }
        if (need > VM_BUILD_MAX_PAYLOAD) {
            fail(err, n, "Message too large (%zu bytes, at most %u)", need, VM_BUILD_MAX_PAYLOAD);
            goto out;
        }
        payload = malloc(need ? need : 1);
        if (!payload || vm_envelope_encode(&e, payload, need, &plen) != VM_ENV_OK) {
            fail(err, n, "Cannot encode the envelope");
            goto out;
        }
    }
    size_t nch = vm_codec_chunks_for_payload(plen);
    vm_chunk *ch = nch ? calloc(nch, sizeof *ch) : NULL;
    size_t got = 0;
    if (!nch || !ch || vm_codec_encode(payload, plen, ch, nch, &got) != VM_CODEC_OK) {
        free(ch);
        fail(err, n, "Cannot encode the message into chunks");
        goto out;
    }
    out->amounts = malloc(got * sizeof *out->amounts);
    if (!out->amounts) {
        free(ch);
        fail(err, n, "Out of memory");
        goto out;
    }
    for (size_t i = 0; i < got; i++)
        out->amounts[i] = vm_build_chunk_amount(ch[i].raw);
    free(ch);
    out->nchunks = got;
    out->payload = payload;
    out->len = plen;
    payload = NULL;
    rc = 0;
out:
    free(payload);
    free(buf);
    free(code);
    return rc;
}
