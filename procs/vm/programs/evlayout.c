/* Event layouts: one table per type, matching the writers in this
 * directory (token.c, asset_ledger.c, vsmn.c, hosted.c, swap.c, publish.c,
 * dispatch.c, assembly.c, host_db.c). */
#include "procs/vm/programs/evlayout.h"

#include <string.h>

#define F(n, k)                                                                                    \
    {                                                                                              \
        n, k                                                                                       \
    }
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static const vm_evfield ev_etch[] = {F("code", VM_EF_CODE), F("token", VM_EF_HASH),
                                     F("meta", VM_EF_TOKEN_META)};
static const vm_evfield ev_mint[] = {F("code", VM_EF_CODE), F("token", VM_EF_HASH),
                                     F("to", VM_EF_ACCOUNT), F("amount", VM_EF_U128)};
static const vm_evfield ev_transfer[] = {F("code", VM_EF_CODE),   F("method", VM_EF_U8),
                                         F("asset", VM_EF_ASSET), F("from", VM_EF_ACCOUNT),
                                         F("to", VM_EF_ACCOUNT),  F("amount", VM_EF_U128)};
static const vm_evfield ev_vmint[] = {F("code", VM_EF_CODE), F("account", VM_EF_ACCOUNT),
                                      F("amount", VM_EF_U128)};
static const vm_evfield ev_deploy[] = {F("code", VM_EF_CODE), F("host", VM_EF_ACCOUNT),
                                       F("code_kind", VM_EF_U8), F("detail", VM_EF_U32)};
static const vm_evfield ev_call[] = {F("code", VM_EF_CODE),         F("caller", VM_EF_ACCOUNT),
                                     F("method", VM_EF_U8),         F("vm_status", VM_EF_VM_STATUS),
                                     F("gas", VM_EF_U64),           F("return", VM_EF_U128),
                                     F("input_asset", VM_EF_ASSET), F("refunded", VM_EF_U128)};
static const vm_evfield ev_swap_add[] = {F("code", VM_EF_CODE),      F("caller", VM_EF_ACCOUNT),
                                         F("amount_a", VM_EF_U128),  F("amount_b", VM_EF_U128),
                                         F("shares", VM_EF_U128),    F("reserve_a", VM_EF_U128),
                                         F("reserve_b", VM_EF_U128), F("supply", VM_EF_U128)};
static const vm_evfield ev_swap_remove[] = {F("code", VM_EF_CODE),      F("caller", VM_EF_ACCOUNT),
                                            F("shares", VM_EF_U128),    F("amount_a", VM_EF_U128),
                                            F("amount_b", VM_EF_U128),  F("reserve_a", VM_EF_U128),
                                            F("reserve_b", VM_EF_U128), F("supply", VM_EF_U128)};
static const vm_evfield ev_swap[] = {F("code", VM_EF_CODE),      F("caller", VM_EF_ACCOUNT),
                                     F("amount_in", VM_EF_U128), F("amount_out", VM_EF_U128),
                                     F("unused", VM_EF_U128),    F("reserve_a", VM_EF_U128),
                                     F("reserve_b", VM_EF_U128), F("supply", VM_EF_U128)};
static const vm_evfield ev_emit[] = {F("data", VM_EF_REST)};
static const vm_evfield ev_state[] = {F("code", VM_EF_CODE),    F("op", VM_EF_STATE_OP),
                                      F("seq", VM_EF_U32),      F("target_seq", VM_EF_U32),
                                      F("data_len", VM_EF_U32), F("data_hash", VM_EF_HASH)};
static const vm_evfield ev_commit[] = {F("result", VM_EF_COMMIT), F("height", VM_EF_U64),
                                       F("published_root", VM_EF_HASH),
                                       F("computed_root", VM_EF_HASH)};
static const vm_evfield ev_attest[] = {F("attester", VM_EF_ACCOUNT), F("subject", VM_EF_HASH),
                                       F("claim_len", VM_EF_U32), F("claim", VM_EF_REST)};
static const vm_evfield ev_message[] = {F("message", VM_EF_HASH), F("sender", VM_EF_ACCOUNT),
                                        F("destination", VM_EF_ACCOUNT), F("chunks", VM_EF_U32),
                                        F("detail", VM_EF_U32)};

static const struct {
    const char *type;
    const vm_evfield *f;
    size_t n;
} layouts[] = {
    {"token.etch", ev_etch, LEN(ev_etch)},
    {"token.mint", ev_mint, LEN(ev_mint)},
    {"token.send", ev_transfer, LEN(ev_transfer)},
    {"token.receive", ev_transfer, LEN(ev_transfer)},
    {"vsmn.mint", ev_vmint, LEN(ev_vmint)},
    {"vsmn.send", ev_transfer, LEN(ev_transfer)},
    {"vsmn.receive", ev_transfer, LEN(ev_transfer)},
    {"vsmn.burn_message", ev_message, LEN(ev_message)},
    {"deploy", ev_deploy, LEN(ev_deploy)},
    {"call", ev_call, LEN(ev_call)},
    {"swap.add", ev_swap_add, LEN(ev_swap_add)},
    {"swap.remove", ev_swap_remove, LEN(ev_swap_remove)},
    {"swap.swap_a_b", ev_swap, LEN(ev_swap)},
    {"swap.swap_b_a", ev_swap, LEN(ev_swap)},
    {"emit", ev_emit, LEN(ev_emit)},
    {"state", ev_state, LEN(ev_state)},
    {"commit", ev_commit, LEN(ev_commit)},
    {"attest", ev_attest, LEN(ev_attest)},
    {"message.invalid", ev_message, LEN(ev_message)},
    {"message.opaque", ev_message, LEN(ev_message)},
    {"message.abandoned", ev_message, LEN(ev_message)},
};

const vm_evfield *vm_evlayout(const char *type, size_t *n)
{
    for (size_t i = 0; i < LEN(layouts); i++)
        if (strcmp(type, layouts[i].type) == 0) {
            *n = layouts[i].n;
            return layouts[i].f;
        }
    *n = 0;
    return NULL;
}

const char *const *vm_evlayout_types(void)
{
    static const char *names[LEN(layouts) + 1];
    for (size_t i = 0; i < LEN(layouts); i++)
        names[i] = layouts[i].type;
    names[LEN(layouts)] = NULL;
    return names;
}

bool vm_evlayout_known_family(const char *t)
{
    size_t tl = strlen(t);
    for (size_t i = 0; tl && i < LEN(layouts); i++) {
        const char *k = layouts[i].type;
        if (strcmp(k, t) == 0 || (strncmp(k, t, tl) == 0 && k[tl] == '.'))
            return true;
    }
    return false;
}

bool vm_evlayout_fits(const char *type, const uint8_t *data, size_t len)
{
    size_t n = 0, at = 0;
    const vm_evfield *f = vm_evlayout(type, &n);
    if (!f)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kind == VM_EF_REST)
            return true;
        if (f[i].kind == VM_EF_TOKEN_META) {
            vm_token_meta m;
            return at == len || vm_token_meta_parse(data + at, len - at, &m);
        }
        size_t sz = vm_evfield_size(f[i].kind);
        if (at + sz > len)
            return false;
        at += sz;
    }
    return at == len;
}

size_t vm_evfield_size(uint8_t kind)
{
    switch (kind) {
    case VM_EF_CODE:
    case VM_EF_U8:
    case VM_EF_COMMIT:
    case VM_EF_STATE_OP:
    case VM_EF_VM_STATUS:
        return 1;
    case VM_EF_U32:
        return 4;
    case VM_EF_U64:
        return 8;
    case VM_EF_U128:
        return 16;
    case VM_EF_HASH:
    case VM_EF_ACCOUNT:
    case VM_EF_PROGRAM:
    case VM_EF_ASSET:
        return 32;
    default:
        return 0;
    }
}

const char *vm_evcode_name(uint8_t code)
{
    static const char *const names[] = {"ok",         "bad_args", NULL,        "insufficient",
                                        "not_etcher", "cap",      "duplicate", "no_method",
                                        "no_program", "overflow", "slippage",  "no_input",
                                        "fault",      "bad_code", "empty_pool"};
    return code < LEN(names) ? names[code] : NULL;
}

const char *vm_evcommit_name(uint8_t code)
{
    static const char *const names[] = {"match", "mismatch", "unsequenced", "no_program"};
    return code < LEN(names) ? names[code] : NULL;
}

const char *vm_evstate_op_name(uint8_t op)
{
    static const char *const names[] = {"set", "supersede", "invalidate"};
    return op < LEN(names) ? names[op] : NULL;
}

bool vm_token_meta_parse(const uint8_t *p, size_t len, vm_token_meta *out)
{
    memset(out, 0, sizeof *out);
    if (len < 32 + 1 + 16 + 16 + 1)
        return false;
    memcpy(out->etcher, p, 32);
    out->decimals = p[32];
    memcpy(out->cap, p + 33, 16);
    memcpy(out->minted, p + 49, 16);
    size_t i = 65, nl = p[i++];
    if (nl > 16 || i + nl + 1 > len)
        return false;
    memcpy(out->name, p + i, nl);
    i += nl;
    size_t sl = p[i++];
    if (sl > 16 || i + sl != len)
        return false;
    memcpy(out->symbol, p + i, sl);
    return true;
}
