/* NanoVM values as JSON (vm_json.h). */
#include "procs/rpc/vm_json.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/vm/interp/host.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/store.h" /* vm_prog_kind */

json_t *vm_json_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (!s)
        return NULL;
    smn_hex_encode(p, n, s);
    json_t *j = json_string(s);
    free(s);
    return j;
}

json_t *vm_json_amount(smn_amount_t v)
{
    char buf[SMN_AMOUNT_RAW_STRLEN];
    return json_string(smn_amount_format_raw(v, buf));
}

json_t *vm_json_account(const uint8_t pub[32])
{
    char buf[SMN_ADDRESS_STRLEN];
    smn_address_encode(pub, buf);
    return json_string(buf);
}

json_t *vm_json_program(const uint8_t id[32])
{
    if (memcmp(id, vm_pid_token, 32) == 0)
        return json_string("smn.token");
    if (memcmp(id, vm_pid_vsmn, 32) == 0)
        return json_string("smn.vsmn");
    return vm_json_hex(id, 32);
}

json_t *vm_json_asset(const uint8_t asset[32])
{
    if (memcmp(asset, vm_asset_smn, 32) == 0)
        return json_string("smn");
    return vm_json_hex(asset, 32);
}

bool vm_json_parse_program(const char *s, uint8_t id[32])
{
    if (!s)
        return false;
    if (strcmp(s, "smn.token") == 0 || strcmp(s, "token") == 0) {
        memcpy(id, vm_pid_token, 32);
        return true;
    }
    if (strcmp(s, "smn.vsmn") == 0 || strcmp(s, "vsmn") == 0) {
        memcpy(id, vm_pid_vsmn, 32);
        return true;
    }
    return smn_hex_decode(s, id, 32);
}

bool vm_json_parse_u128(const char *s, smn_amount_t *out)
{
    if (!s || !*s)
        return false;
    smn_amount_t v = smn_amount_zero();
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        const char *p = s + 2;
        if (!*p || strlen(p) > 32)
            return false;
        for (; *p; p++) {
            int d = isdigit((unsigned char)*p)    ? *p - '0'
                    : isxdigit((unsigned char)*p) ? tolower((unsigned char)*p) - 'a' + 10
                                                  : -1;
            if (d < 0)
                return false;
            v = smn_amount_or(smn_amount_shl(v, 4), smn_amount_from_u64((uint64_t)d));
        }
        *out = v;
        return true;
    }
    /* digits only, false on overflow */
    return smn_amount_parse_raw(s, out) == SMN_AMOUNT_OK;
}

static json_t *u64_str(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRIu64, v);
    return json_string(b);
}

static json_t *name_or_number(const char *name, uint8_t v)
{
    return name ? json_string(name) : json_integer(v);
}

json_t *vm_json_token(const uint8_t id[32], const vm_token_meta *m)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (id) {
        json_object_set_new(o, "token", vm_json_hex(id, 32));
        json_object_set_new(o, "ref", vm_json_hex(id, 16));
    }
    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "symbol", json_string(m->symbol));
    json_object_set_new(o, "decimals", json_integer(m->decimals));
    json_object_set_new(o, "etcher", vm_json_account(m->etcher));
    json_object_set_new(o, "cap", vm_json_amount(smn_amount_from_be(m->cap)));
    json_object_set_new(o, "minted", vm_json_amount(smn_amount_from_be(m->minted)));
    return o;
}

json_t *vm_json_event_fields(const char *type, const uint8_t *d, size_t len)
{
    size_t n = 0;
    const vm_evfield *f = vm_evlayout(type, &n);
    json_t *o = json_object();
    if (!o)
        return NULL;
    size_t at = 0;
    for (size_t i = 0; f && i < n; i++) {
        size_t sz = vm_evfield_size(f[i].kind);
        const uint8_t *p = d + at;
        if (f[i].kind == VM_EF_REST) {
            json_object_set_new(o, f[i].name, vm_json_hex(p, len - at));
            at = len;
            continue;
        }
        if (f[i].kind == VM_EF_TOKEN_META) {
            vm_token_meta m;
            if (at == len) {
                json_object_set_new(o, f[i].name, json_null());
            } else if (vm_token_meta_parse(p, len - at, &m)) {
                json_object_set_new(o, f[i].name, vm_json_token(NULL, &m));
                at = len;
            } else {
                break;
            }
            continue;
        }
        if (at + sz > len)
            break;
        at += sz;
        json_t *v = NULL;
        switch (f[i].kind) {
        case VM_EF_CODE:
            v = name_or_number(vm_evcode_name(p[0]), p[0]);
            break;
        case VM_EF_COMMIT:
            v = name_or_number(vm_evcommit_name(p[0]), p[0]);
            break;
        case VM_EF_STATE_OP:
            v = name_or_number(vm_evstate_op_name(p[0]), p[0]);
            break;
        case VM_EF_VM_STATUS:
            v = p[0] < VM_FAULT__COUNT ? json_string(vm_status_name((vm_status)p[0]))
                                       : json_integer(p[0]);
            break;
        case VM_EF_U8:
            v = json_integer(p[0]);
            break;
        case VM_EF_U32:
            v = json_integer((json_int_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                                          (uint32_t)p[2] << 8 | p[3]));
            break;
        case VM_EF_U64: {
            uint64_t x = 0;
            for (int k = 0; k < 8; k++)
                x = x << 8 | p[k];
            v = u64_str(x);
            break;
        }
        case VM_EF_U128:
            v = vm_json_amount(smn_amount_from_be(p));
            break;
        case VM_EF_ACCOUNT:
            v = vm_json_account(p);
            break;
        case VM_EF_PROGRAM:
            v = vm_json_program(p);
            break;
        case VM_EF_ASSET:
            v = vm_json_asset(p);
            break;
        default:
            v = vm_json_hex(p, sz);
            break;
        }
        json_object_set_new(o, f[i].name, v);
    }
    if (!f || at != len) {
        json_object_clear(o);
        json_object_set_new(o, "undecoded", json_true());
    }
    return o;
}

json_t *vm_json_event(const vm_evrow *e)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "cursor", json_integer((json_int_t)e->cursor));
    json_object_set_new(o, "type", json_string(e->type));
    json_object_set_new(o, "program", vm_json_program(e->program));
    json_object_set_new(o, "session", json_integer(e->session));
    json_object_set_new(o, "account", vm_json_account(e->account));
    json_object_set_new(o, "height", json_integer((json_int_t)e->height));
    json_object_set_new(o, "index", json_integer(e->index));
    json_object_set_new(o, "block", vm_json_hex(e->block_hash, 32));
    json_object_set_new(o, "topic", u64_str(e->topic));
    json_object_set_new(o, "data", vm_json_hex(e->data, e->data_len));
    json_object_set_new(o, "fields", vm_json_event_fields(e->type, e->data, e->data_len));
    return o;
}

json_t *vm_json_program_info(const vm_query_proginfo *p)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "program", vm_json_program(p->id));
    json_object_set_new(o, "id", vm_json_hex(p->id, 32));
    json_object_set_new(o, "prefix", vm_json_hex(p->id, 8));
    json_object_set_new(o, "kind", json_string(vm_query_kind_name(p->kind)));
    json_object_set_new(o, "host", p->has_host ? vm_json_account(p->host) : json_null());
    if (p->code_len) {
        json_object_set_new(o, "code_hash", vm_json_hex(p->code_hash, 32));
        json_object_set_new(o, "code_len", json_integer((json_int_t)p->code_len));
    }
    json_object_set_new(o, "version", json_integer(p->version));
    if (p->has_deploy) {
        json_object_set_new(o, "deploy_block", vm_json_hex(p->deploy_block, 32));
        json_object_set_new(o, "deploy_height", u64_str(p->deploy_height));
    }
    if (p->kind == VM_PROG_SWAP) {
        json_object_set_new(o, "asset_a", vm_json_asset(p->swap_a));
        json_object_set_new(o, "asset_b", vm_json_asset(p->swap_b));
    }
    json_object_set_new(o, "state_root", vm_json_hex(p->root, 32));
    json_object_set_new(o, "boxes", json_integer(p->boxes));
    json_object_set_new(o, "commits", u64_str(p->commits));
    json_object_set_new(o, "commits_mismatch", u64_str(p->commits_mismatch));
    if (p->has_commit) {
        json_t *c = json_object();
        json_object_set_new(c, "block", vm_json_hex(p->commit_block, 32));
        json_object_set_new(c, "height", u64_str(p->commit_height));
        json_object_set_new(c, "published_height", u64_str(p->commit_published_height));
        json_object_set_new(c, "published_root", vm_json_hex(p->commit_published, 32));
        json_object_set_new(c, "computed_root",
                            p->commit_has_computed ? vm_json_hex(p->commit_computed, 32)
                                                   : json_null());
        json_object_set_new(c, "result", json_string(p->commit_result));
        json_object_set_new(o, "last_commit", c);
    } else {
        json_object_set_new(o, "last_commit", json_null());
    }
    /* Fraud: some commit of the host published another root than the one
     * every honest indexer computes. */
    json_object_set_new(o, "fraud", json_boolean(p->commits_mismatch > 0));
    if (p->has_first_mismatch) {
        json_t *c = json_object();
        json_object_set_new(c, "block", vm_json_hex(p->first_mismatch_block, 32));
        json_object_set_new(c, "height", u64_str(p->first_mismatch_height));
        json_object_set_new(o, "first_mismatch", c);
    }
    return o;
}

static const char *holder_kind_name(uint8_t k)
{
    switch (k) {
    case VM_HOLDER_PROGRAM:
        return "program";
    case VM_HOLDER_BOX:
        return "box";
    case VM_HOLDER_ACCOUNT:
        return "account";
    default:
        return "other";
    }
}

json_t *vm_json_balance(const vm_query_balance *b, const vm_token_meta *meta)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "program", vm_json_program(b->program));
    json_object_set_new(o, "asset", vm_json_asset(b->asset));
    if (meta) {
        json_object_set_new(o, "symbol", json_string(meta->symbol));
        json_object_set_new(o, "decimals", json_integer(meta->decimals));
    }
    json_object_set_new(o, "holder_kind", json_string(holder_kind_name(b->holder_kind)));
    if (b->holder_kind == VM_HOLDER_ACCOUNT)
        json_object_set_new(o, "holder", vm_json_account(b->holder));
    else if (b->holder_kind == VM_HOLDER_BOX)
        json_object_set_new(o, "box", json_integer(b->box));
    else
        json_object_set_new(o, "holder", vm_json_program(b->holder));
    json_object_set_new(o, "amount", vm_json_amount(b->amount));
    return o;
}
