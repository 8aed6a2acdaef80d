/* Envelope wire format (docs/vm.md "Envelope"): one reader and one writer,
 * both bounds-checked at every field. */
#include "procs/vm/codec/envelope.h"

#include <sodium.h>
#include <string.h>

_Static_assert(VM_ENVELOPE_NONCE_BYTES == crypto_secretbox_NONCEBYTES, "nonce size");
_Static_assert(VM_ENVELOPE_KEY_BYTES == crypto_secretbox_KEYBYTES, "key size");
_Static_assert(VM_ENVELOPE_MAC_BYTES == crypto_secretbox_MACBYTES, "mac size");

#define KIND_MASK 0x0fu
#define FLAG_MASK 0xf0u

/* Byte width of each vm_arg_width. */
static const uint8_t ARG_BYTES[] = {0, 1, 2, 4, 8, 16};

/* ---- reading ---- */

typedef struct {
    const uint8_t *p;
    size_t len, pos;
} reader;

static vm_env_status rd_bytes(reader *r, void *dst, size_t n)
{
    if (r->len - r->pos < n)
        return VM_ENV_ERR_TRUNCATED;
    if (n)
        memcpy(dst, r->p + r->pos, n);
    r->pos += n;
    return VM_ENV_OK;
}

static vm_env_status rd_u8(reader *r, uint8_t *v)
{
    return rd_bytes(r, v, 1);
}

/* Unsigned LEB128 in its shortest form, at most max. */
static vm_env_status rd_varint(reader *r, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0, i = 0;; shift += 7, i++) {
        uint8_t b;
        if (rd_u8(r, &b) != VM_ENV_OK)
            return VM_ENV_ERR_TRUNCATED;
        uint64_t bits = b & 0x7fu;
        if (shift >= 64 || (bits << shift) >> shift != bits)
            return VM_ENV_ERR_VARINT_OVERFLOW;
        v |= bits << shift;
        if (!(b & 0x80u)) {
            if (b == 0 && i > 0)
                return VM_ENV_ERR_VARINT_LONG;
            break;
        }
    }
    if (v > max)
        return VM_ENV_ERR_VARINT_OVERFLOW;
    *out = v;
    return VM_ENV_OK;
}

static vm_env_status rd_varint32(reader *r, uint32_t *out)
{
    uint64_t v = 0;
    vm_env_status st = rd_varint(r, UINT32_MAX, &v);
    if (st == VM_ENV_OK)
        *out = (uint32_t)v;
    return st;
}

static size_t rd_left(const reader *r)
{
    return r->len - r->pos;
}

#define TRY(expr)                                                                                  \
    do {                                                                                           \
        vm_env_status st_ = (expr);                                                                \
        if (st_ != VM_ENV_OK)                                                                      \
            return st_;                                                                            \
    } while (0)

static vm_env_status parse_call(reader *r, vm_call_body *c)
{
    uint8_t spec[2];
    TRY(rd_u8(r, &c->method));
    TRY(rd_u8(r, &c->iteration));
    TRY(rd_bytes(r, spec, 2));
    unsigned s = (unsigned)spec[0] << 8 | spec[1];
    if (s & 0x8000u)
        return VM_ENV_ERR_ARG_SPEC;
    for (int i = 0; i < VM_CALL_MAX_ARGS; i++) {
        unsigned w = (s >> (3 * i)) & 7u;
        if (w > VM_ARG_U128)
            return VM_ENV_ERR_ARG_WIDTH;
        c->width[i] = (uint8_t)w;
        c->arg[i] = smn_amount_zero();
    }
    for (int i = 0; i < VM_CALL_MAX_ARGS; i++) {
        uint8_t be[16];
        size_t n = ARG_BYTES[c->width[i]];
        TRY(rd_bytes(r, be, n));
        for (size_t k = 0; k < n; k++)
            c->arg[i] = smn_amount_or(smn_amount_shl(c->arg[i], 8), smn_amount_from_u64(be[k]));
    }
    return rd_left(r) ? VM_ENV_ERR_TRAILING : VM_ENV_OK;
}

static vm_env_status parse_body(reader *r, vm_envelope *e)
{
    switch (e->kind) {
    case VM_KIND_DEPLOY: {
        vm_deploy_body *d = &e->body.deploy;
        TRY(rd_u8(r, &d->code_kind));
        if (d->code_kind != VM_CODE_NATIVE && d->code_kind != VM_CODE_BYTECODE)
            return VM_ENV_ERR_CODE_KIND;
        if (!rd_left(r))
            return VM_ENV_ERR_EMPTY_CODE;
        d->code = r->p + r->pos;
        d->code_len = rd_left(r);
        r->pos = r->len;
        return VM_ENV_OK;
    }
    case VM_KIND_CALL:
        return parse_call(r, &e->body.call);
    case VM_KIND_STATE: {
        vm_state_body *s = &e->body.state;
        s->target_seq = 0;
        s->data = NULL;
        s->data_len = 0;
        TRY(rd_u8(r, &s->op));
        if (s->op > VM_STATE_INVALIDATE)
            return VM_ENV_ERR_STATE_OP;
        if (s->op != VM_STATE_SET)
            TRY(rd_varint32(r, &s->target_seq));
        if (s->op == VM_STATE_INVALIDATE)
            return rd_left(r) ? VM_ENV_ERR_TRAILING : VM_ENV_OK;
        s->data = r->p + r->pos;
        s->data_len = rd_left(r);
        r->pos = r->len;
        return VM_ENV_OK;
    }
    case VM_KIND_ATTEST: {
        vm_attest_body *a = &e->body.attest;
        TRY(rd_bytes(r, a->subject, sizeof a->subject));
        a->claim = r->p + r->pos;
        a->claim_len = rd_left(r);
        r->pos = r->len;
        return VM_ENV_OK;
    }
    case VM_KIND_COMMIT: {
        vm_commit_body *c = &e->body.commit;
        TRY(rd_bytes(r, c->state_root, sizeof c->state_root));
        TRY(rd_varint(r, UINT64_MAX, &c->height));
        return rd_left(r) ? VM_ENV_ERR_TRAILING : VM_ENV_OK;
    }
    case VM_KIND_BURN_MINT: {
        vm_burn_mint_body *b = &e->body.burn_mint;
        memset(b->recipient, 0, sizeof b->recipient);
        b->has_recipient = rd_left(r) != 0;
        if (!b->has_recipient)
            return VM_ENV_OK;
        if (rd_left(r) < sizeof b->recipient)
            return VM_ENV_ERR_BURN_TARGET;
        TRY(rd_bytes(r, b->recipient, sizeof b->recipient));
        return rd_left(r) ? VM_ENV_ERR_TRAILING : VM_ENV_OK;
    }
    }
    return VM_ENV_ERR_UNKNOWN_KIND;
}

static bool zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

vm_env_status vm_envelope_decode(const uint8_t *in, size_t len, vm_envelope *out)
{
    if ((!in && len) || !out)
        return VM_ENV_ERR_ARG;
    vm_envelope e;
    memset(&e, 0, sizeof e);
    reader r = {in, len, 0};
    uint8_t kf;
    TRY(rd_u8(&r, &kf));
    e.kind = kf & KIND_MASK;
    e.flags = kf & FLAG_MASK;
    if (e.kind < VM_KIND_DEPLOY || e.kind > VM_KIND_BURN_MINT)
        return VM_ENV_ERR_UNKNOWN_KIND;
    if (e.flags & ~VM_ENVELOPE_FLAG_ENCRYPTED)
        return VM_ENV_ERR_RESERVED_FLAGS;
    TRY(rd_bytes(&r, e.program_id, sizeof e.program_id));
    TRY(rd_varint32(&r, &e.session_id));
    TRY(rd_varint32(&r, &e.seq));
    if (e.kind == VM_KIND_DEPLOY && !zero(e.program_id, sizeof e.program_id))
        return VM_ENV_ERR_DEPLOY_ID;
    if (e.flags & VM_ENVELOPE_FLAG_ENCRYPTED) {
        TRY(rd_bytes(&r, e.nonce, sizeof e.nonce));
        if (rd_left(&r) < VM_ENVELOPE_MAC_BYTES)
            return VM_ENV_ERR_TRUNCATED;
        e.opaque = true;
        e.cipher = in + r.pos;
        e.cipher_len = rd_left(&r);
        *out = e;
        return VM_ENV_OK;
    }
    TRY(parse_body(&r, &e));
    *out = e;
    return VM_ENV_OK;
}

/* ---- writing ---- */

typedef struct {
    uint8_t *p;
    size_t cap, pos; /* pos keeps counting past cap so the caller learns the size */
} writer;

static void wr_bytes(writer *w, const void *src, size_t n)
{
    if (w->pos <= w->cap && w->cap - w->pos >= n && n)
        memcpy(w->p + w->pos, src, n);
    w->pos += n;
}

static void wr_u8(writer *w, uint8_t v)
{
    wr_bytes(w, &v, 1);
}

static void wr_varint(writer *w, uint64_t v)
{
    do {
        uint8_t b = v & 0x7fu;
        v >>= 7;
        wr_u8(w, v ? (uint8_t)(b | 0x80u) : b);
    } while (v);
}

static bool arg_fits(uint8_t width, smn_amount_t v)
{
    if (width == VM_ARG_U128)
        return true;
    return smn_amount_is_zero(smn_amount_shr(v, 8 * ARG_BYTES[width]));
}

static vm_env_status check_body(const vm_envelope *e)
{
    switch (e->kind) {
    case VM_KIND_DEPLOY:
        if (!zero(e->program_id, sizeof e->program_id))
            return VM_ENV_ERR_DEPLOY_ID;
        if (e->body.deploy.code_kind > VM_CODE_BYTECODE)
            return VM_ENV_ERR_CODE_KIND;
        if (!e->body.deploy.code || !e->body.deploy.code_len)
            return VM_ENV_ERR_EMPTY_CODE;
        return VM_ENV_OK;
    case VM_KIND_CALL:
        for (int i = 0; i < VM_CALL_MAX_ARGS; i++) {
            uint8_t w = e->body.call.width[i];
            if (w > VM_ARG_U128)
                return VM_ENV_ERR_ARG_WIDTH;
            if (!arg_fits(w, e->body.call.arg[i]) ||
                (w == VM_ARG_ABSENT && !smn_amount_is_zero(e->body.call.arg[i])))
                return VM_ENV_ERR_ARG;
        }
        return VM_ENV_OK;
    case VM_KIND_STATE:
        if (e->body.state.op > VM_STATE_INVALIDATE)
            return VM_ENV_ERR_STATE_OP;
        if (e->body.state.data_len && !e->body.state.data)
            return VM_ENV_ERR_ARG;
        if (e->body.state.op == VM_STATE_INVALIDATE && e->body.state.data_len)
            return VM_ENV_ERR_ARG;
        return VM_ENV_OK;
    case VM_KIND_ATTEST:
        return e->body.attest.claim_len && !e->body.attest.claim ? VM_ENV_ERR_ARG : VM_ENV_OK;
    case VM_KIND_COMMIT:
    case VM_KIND_BURN_MINT:
        return VM_ENV_OK;
    }
    return VM_ENV_ERR_UNKNOWN_KIND;
}

static void write_body(writer *w, const vm_envelope *e)
{
    switch (e->kind) {
    case VM_KIND_DEPLOY:
        wr_u8(w, e->body.deploy.code_kind);
        wr_bytes(w, e->body.deploy.code, e->body.deploy.code_len);
        break;
    case VM_KIND_CALL: {
        const vm_call_body *c = &e->body.call;
        unsigned s = 0;
        for (int i = 0; i < VM_CALL_MAX_ARGS; i++)
            s |= (unsigned)c->width[i] << (3 * i);
        wr_u8(w, c->method);
        wr_u8(w, c->iteration);
        wr_u8(w, (uint8_t)(s >> 8));
        wr_u8(w, (uint8_t)s);
        for (int i = 0; i < VM_CALL_MAX_ARGS; i++)
            for (int k = ARG_BYTES[c->width[i]] - 1; k >= 0; k--)
                wr_u8(w, (uint8_t)smn_amount_lo64(smn_amount_shr(c->arg[i], 8 * (unsigned)k)));
        break;
    }
    case VM_KIND_STATE:
        wr_u8(w, e->body.state.op);
        if (e->body.state.op != VM_STATE_SET)
            wr_varint(w, e->body.state.target_seq);
        if (e->body.state.op != VM_STATE_INVALIDATE)
            wr_bytes(w, e->body.state.data, e->body.state.data_len);
        break;
    case VM_KIND_ATTEST:
        wr_bytes(w, e->body.attest.subject, sizeof e->body.attest.subject);
        wr_bytes(w, e->body.attest.claim, e->body.attest.claim_len);
        break;
    case VM_KIND_COMMIT:
        wr_bytes(w, e->body.commit.state_root, sizeof e->body.commit.state_root);
        wr_varint(w, e->body.commit.height);
        break;
    case VM_KIND_BURN_MINT:
        if (e->body.burn_mint.has_recipient)
            wr_bytes(w, e->body.burn_mint.recipient, sizeof e->body.burn_mint.recipient);
        break;
    }
}

static void write_header(writer *w, const vm_envelope *e, uint8_t flags)
{
    wr_u8(w, (uint8_t)(e->kind | flags));
    wr_bytes(w, e->program_id, sizeof e->program_id);
    wr_varint(w, e->session_id);
    wr_varint(w, e->seq);
}

vm_env_status vm_envelope_encode(const vm_envelope *env, uint8_t *out, size_t cap, size_t *out_len)
{
    if (!env || !out_len || (!out && cap))
        return VM_ENV_ERR_ARG;
    if (env->flags != 0 || env->opaque)
        return VM_ENV_ERR_ARG;
    TRY(check_body(env));
    writer w = {out, cap, 0};
    write_header(&w, env, 0);
    write_body(&w, env);
    *out_len = w.pos;
    return w.pos <= cap ? VM_ENV_OK : VM_ENV_ERR_BUFFER;
}

vm_env_status vm_envelope_encode_encrypted(const vm_envelope *env,
                                           const uint8_t key[VM_ENVELOPE_KEY_BYTES],
                                           const uint8_t nonce[VM_ENVELOPE_NONCE_BYTES],
                                           uint8_t *out, size_t cap, size_t *out_len)
{
    if (!env || !key || !nonce || !out_len || (!out && cap))
        return VM_ENV_ERR_ARG;
    if ((env->flags & ~VM_ENVELOPE_FLAG_ENCRYPTED) || env->opaque)
        return VM_ENV_ERR_ARG;
    TRY(check_body(env));
    writer w = {out, cap, 0};
    write_header(&w, env, VM_ENVELOPE_FLAG_ENCRYPTED);
    wr_bytes(&w, nonce, VM_ENVELOPE_NONCE_BYTES);
    size_t box = w.pos;
    /* Plain body after the MAC's room, then sealed in place (libsodium
     * allows the overlap). */
    w.pos += VM_ENVELOPE_MAC_BYTES;
    size_t body = w.pos;
    write_body(&w, env);
    *out_len = w.pos;
    if (w.pos > cap)
        return VM_ENV_ERR_BUFFER;
    if (crypto_secretbox_easy(out + box, out + body, w.pos - body, nonce, key) != 0)
        return VM_ENV_ERR_ARG;
    return VM_ENV_OK;
}

vm_env_status vm_envelope_decrypt(const vm_envelope *env, const uint8_t key[VM_ENVELOPE_KEY_BYTES],
                                  uint8_t *plain, size_t plain_cap, vm_envelope *out)
{
    if (!env || !key || !out || (!plain && plain_cap))
        return VM_ENV_ERR_ARG;
    if (!(env->flags & VM_ENVELOPE_FLAG_ENCRYPTED) || !env->opaque || !env->cipher)
        return VM_ENV_ERR_NOT_ENCRYPTED;
    if (env->cipher_len < VM_ENVELOPE_MAC_BYTES)
        return VM_ENV_ERR_TRUNCATED;
    size_t n = env->cipher_len - VM_ENVELOPE_MAC_BYTES;
    if (plain_cap < n)
        return VM_ENV_ERR_BUFFER;
    if (crypto_secretbox_open_easy(plain, env->cipher, env->cipher_len, env->nonce, key) != 0)
        return VM_ENV_ERR_DECRYPT;
    vm_envelope e = *env;
    e.opaque = false;
    reader r = {plain, n, 0};
    TRY(parse_body(&r, &e));
    *out = e;
    return VM_ENV_OK;
}

const char *vm_env_strerror(vm_env_status st)
{
    switch (st) {
    case VM_ENV_OK:
        return "ok";
    case VM_ENV_ERR_ARG:
        return "invalid argument";
    case VM_ENV_ERR_TRUNCATED:
        return "envelope truncated";
    case VM_ENV_ERR_TRAILING:
        return "trailing bytes after the envelope body";
    case VM_ENV_ERR_UNKNOWN_KIND:
        return "unknown message kind";
    case VM_ENV_ERR_RESERVED_FLAGS:
        return "reserved flag bit set";
    case VM_ENV_ERR_VARINT_LONG:
        return "varint not in shortest form";
    case VM_ENV_ERR_VARINT_OVERFLOW:
        return "varint too large for its field";
    case VM_ENV_ERR_DEPLOY_ID:
        return "deploy must carry a zero program id";
    case VM_ENV_ERR_CODE_KIND:
        return "unknown code kind (expected native or bytecode)";
    case VM_ENV_ERR_EMPTY_CODE:
        return "deploy without code";
    case VM_ENV_ERR_ARG_WIDTH:
        return "call argument wider than u128";
    case VM_ENV_ERR_ARG_SPEC:
        return "call argument spec has its reserved bit set";
    case VM_ENV_ERR_STATE_OP:
        return "unknown state operation";
    case VM_ENV_ERR_BURN_TARGET:
        return "burn-mint recipient must be 32 bytes";
    case VM_ENV_ERR_BUFFER:
        return "output buffer too small";
    case VM_ENV_ERR_NOT_ENCRYPTED:
        return "envelope is not encrypted";
    case VM_ENV_ERR_DECRYPT:
        return "cannot decrypt: wrong key or corrupted data";
    }
    return "unknown envelope error";
}

const char *vm_kind_name(vm_kind kind)
{
    switch (kind) {
    case VM_KIND_DEPLOY:
        return "deploy";
    case VM_KIND_CALL:
        return "call";
    case VM_KIND_STATE:
        return "state";
    case VM_KIND_ATTEST:
        return "attest";
    case VM_KIND_COMMIT:
        return "commit";
    case VM_KIND_BURN_MINT:
        return "burn-mint";
    }
    return "unknown";
}
