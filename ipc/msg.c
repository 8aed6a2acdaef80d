#include "ipc/msg.h"

#include <msgpack.h>
#include <string.h>

#include "ipc/frame.h"
#include "ipc/msgpack_bound.h"

const ipc_kind *ipc_family_find(const ipc_family *fam, const char *name, size_t len)
{
    for (; fam; fam = fam->base)
        for (size_t i = 0; i < fam->nkinds; i++) {
            const char *k = fam->kinds[i].name;
            if (strlen(k) == len && memcmp(k, name, len) == 0)
                return &fam->kinds[i];
        }
    return NULL;
}

bool ipc_names_find(const char *const *names, size_t n, const char *s, size_t len, unsigned *out)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
            *out = (unsigned)i;
            return true;
        }
    return false;
}

static bool key_is(const msgpack_object *k, const char *name)
{
    size_t n = strlen(name);
    return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n &&
           memcmp(k->via.str.ptr, name, n) == 0;
}

static const char *type_name(ipc_type t)
{
    switch (t) {
    case IPC_T_UINT:
        return "uint";
    case IPC_T_INT:
        return "int";
    case IPC_T_BOOL:
        return "bool";
    case IPC_T_STR:
        return "str";
    case IPC_T_BIN:
        return "bin";
    case IPC_T_ARRAY:
        return "array";
    case IPC_T_MAP:
        return "map";
    }
    return "?";
}

static ipc_status check_map(const ipc_field *fields, size_t nfields, const msgpack_object *o,
                            bool top, const char *kind, unsigned depth, ipc_error *err);

static ipc_status check_value(const ipc_field *f, const msgpack_object *o, const char *kind,
                              unsigned depth, ipc_error *err)
{
    const char *fname = f->name ? f->name : "(element)";
    bool ok;
    switch (f->type) {
    case IPC_T_UINT:
        ok = o->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
        break;
    case IPC_T_INT:
        ok = o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ||
             (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX);
        break;
    case IPC_T_BOOL:
        ok = o->type == MSGPACK_OBJECT_BOOLEAN;
        break;
    case IPC_T_STR:
        ok = o->type == MSGPACK_OBJECT_STR;
        break;
    case IPC_T_BIN:
        ok = o->type == MSGPACK_OBJECT_BIN;
        break;
    case IPC_T_ARRAY:
        ok = o->type == MSGPACK_OBJECT_ARRAY;
        break;
    case IPC_T_MAP:
        ok = o->type == MSGPACK_OBJECT_MAP;
        break;
    default:
        ok = false;
    }
    if (!ok)
        return ipc_fail(err, IPC_E_BAD_TYPE, "field '%s' in '%s' is not a %s", fname, kind,
                        type_name(f->type));
    uint64_t n = 0;
    bool sized = true;
    switch (f->type) {
    case IPC_T_UINT:
        n = o->via.u64;
        break;
    case IPC_T_STR:
        n = o->via.str.size;
        break;
    case IPC_T_BIN:
        n = o->via.bin.size;
        break;
    case IPC_T_ARRAY:
        n = o->via.array.size;
        break;
    default:
        sized = false;
    }
    if (sized && (n < f->min || (f->max && n > f->max)))
        return ipc_fail(err, IPC_E_BAD_VALUE, "field '%s' in '%s': %s %llu outside [%llu, %llu]",
                        fname, kind, f->type == IPC_T_UINT ? "value" : "length",
                        (unsigned long long)n, (unsigned long long)f->min,
                        (unsigned long long)(f->max ? f->max : UINT64_MAX));
    if (f->type == IPC_T_ARRAY) {
        if (!f->elem)
            return ipc_fail(err, IPC_E_INVALID, "schema: array '%s' has no element spec", fname);
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            ipc_status st = check_value(f->elem, &o->via.array.ptr[i], kind, depth + 1, err);
            if (st != IPC_OK)
                return st;
        }
    } else if (f->type == IPC_T_MAP) {
        return check_map(f->fields, f->nfields, o, false, kind, depth + 1, err);
    }
    return IPC_OK;
}

static ipc_status check_map(const ipc_field *fields, size_t nfields, const msgpack_object *o,
                            bool top, const char *kind, unsigned depth, ipc_error *err)
{
    if (depth > IPC_MAX_DEPTH)
        return ipc_fail(err, IPC_E_TOO_DEEP, "'%s' nests deeper than %d", kind, IPC_MAX_DEPTH);
    if (nfields > IPC_MAX_FIELDS)
        return ipc_fail(err, IPC_E_INVALID, "schema: '%s' declares more than %d fields", kind,
                        IPC_MAX_FIELDS);
    uint64_t seen = 0;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR)
            return ipc_fail(err, IPC_E_MALFORMED, "'%s' has a non-string key", kind);
        if (top && (key_is(k, "kind") || key_is(k, "id") || key_is(k, "re")))
            continue;
        size_t j = 0;
        while (j < nfields && !key_is(k, fields[j].name))
            j++;
        int kl = k->via.str.size > 64 ? 64 : (int)k->via.str.size;
        if (j == nfields)
            return ipc_fail(err, IPC_E_UNKNOWN_FIELD, "unknown field '%.*s' in '%s'", kl,
                            k->via.str.ptr, kind);
        if (seen & (1ull << j))
            return ipc_fail(err, IPC_E_DUP_FIELD, "field '%.*s' appears twice in '%s'", kl,
                            k->via.str.ptr, kind);
        seen |= 1ull << j;
        ipc_status st = check_value(&fields[j], &o->via.map.ptr[i].val, kind, depth, err);
        if (st != IPC_OK)
            return st;
    }
    for (size_t j = 0; j < nfields; j++)
        if (fields[j].required && !(seen & (1ull << j)))
            return ipc_fail(err, IPC_E_MISSING_FIELD, "missing field '%s' in '%s'", fields[j].name,
                            kind);
    return IPC_OK;
}

/* The envelope: exactly one "kind" string, at most one "id" or "re" (not
 * both). id and re are filled in first, so that a caller whose message
 * fails the schema check can still answer the request or fail the pending
 * request it replies to. */
static ipc_status check_envelope(const ipc_family *fam, const msgpack_object *o, ipc_msg *out,
                                 ipc_error *err)
{
    const msgpack_object *kind = NULL, *id = NULL, *re = NULL;
    for (uint32_t i = 0; i < o->via.map.size; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key;
        const msgpack_object *v = &o->via.map.ptr[i].val;
        const msgpack_object **slot = key_is(k, "kind") ? &kind
                                      : key_is(k, "id") ? &id
                                      : key_is(k, "re") ? &re
                                                        : NULL;
        if (!slot)
            continue;
        if (*slot)
            return ipc_fail(err, IPC_E_DUP_FIELD, "envelope key appears twice");
        *slot = v;
    }
    if (id && (id->type != MSGPACK_OBJECT_POSITIVE_INTEGER || id->via.u64 == 0))
        return ipc_fail(err, IPC_E_BAD_TYPE, "envelope \"id\" is not a positive integer");
    if (re && (re->type != MSGPACK_OBJECT_POSITIVE_INTEGER || re->via.u64 == 0))
        return ipc_fail(err, IPC_E_BAD_TYPE, "envelope \"re\" is not a positive integer");
    if (id && re)
        return ipc_fail(err, IPC_E_MALFORMED, "message has both \"id\" and \"re\"");
    out->id = id ? id->via.u64 : 0;
    out->re = re ? re->via.u64 : 0;
    if (!kind || kind->type != MSGPACK_OBJECT_STR)
        return ipc_fail(err, IPC_E_NO_KIND, "message has no \"kind\" string");
    out->kind = ipc_family_find(fam, kind->via.str.ptr, kind->via.str.size);
    if (!out->kind) {
        int kl = kind->via.str.size > 64 ? 64 : (int)kind->via.str.size;
        return ipc_fail(err, IPC_E_UNKNOWN_KIND, "unknown kind '%.*s' in family '%s'", kl,
                        kind->via.str.ptr, fam->name);
    }
    return IPC_OK;
}

ipc_status ipc_decode_in(msgpack_zone *zone, const ipc_family *fam, const uint8_t *payload,
                         size_t len, ipc_msg *out, ipc_error *err)
{
    memset(out, 0, sizeof *out);
    if (!fam || (!payload && len))
        return ipc_fail(err, IPC_E_INVALID, "no family or payload");
    if (len > IPC_FRAME_MAX)
        return ipc_fail(err, IPC_E_TOO_BIG, "message of %zu bytes exceeds %u", len, IPC_FRAME_MAX);
    ipc_status st = ipc_msgpack_bound(payload, len, IPC_MAX_DEPTH, err);
    if (st != IPC_OK)
        return st;
    msgpack_object *obj = msgpack_zone_malloc(zone, sizeof *obj);
    if (!obj)
        return ipc_fail(err, IPC_E_NOMEM, "out of memory decoding");
    size_t off = 0;
    msgpack_unpack_return r = msgpack_unpack((const char *)payload, len, &off, zone, obj);
    if (r != MSGPACK_UNPACK_SUCCESS || off != len)
        return ipc_fail(err, r == MSGPACK_UNPACK_NOMEM_ERROR ? IPC_E_NOMEM : IPC_E_MALFORMED,
                        "msgpack-c rejected the message (%d)", (int)r);
    if (obj->type != MSGPACK_OBJECT_MAP)
        return ipc_fail(err, IPC_E_MALFORMED, "message is not a msgpack map");
    st = check_envelope(fam, obj, out, err);
    if (st == IPC_OK)
        st = check_map(out->kind->fields, out->kind->nfields, obj, true, out->kind->name, 1, err);
    if (st != IPC_OK) {
        uint64_t id = out->id, re = out->re;
        memset(out, 0, sizeof *out);
        out->id = id;
        out->re = re;
        return st;
    }
    out->body = obj;
    return IPC_OK;
}

ipc_status ipc_decode(const ipc_family *fam, const uint8_t *payload, size_t len, ipc_msg *out,
                      ipc_error *err)
{
    msgpack_zone *z = msgpack_zone_new(len < 1024 ? 2048 : 2 * len);
    if (!z) {
        memset(out, 0, sizeof *out);
        return ipc_fail(err, IPC_E_NOMEM, "out of memory decoding");
    }
    ipc_status st = ipc_decode_in(z, fam, payload, len, out, err);
    if (st != IPC_OK) {
        msgpack_zone_free(z);
        return st;
    }
    out->zone_ = z;
    return IPC_OK;
}

void ipc_msg_free(ipc_msg *m)
{
    if (m && m->zone_)
        msgpack_zone_free(m->zone_);
    if (m)
        memset(m, 0, sizeof *m);
}

size_t ipc_kind_index(const ipc_family *fam, const ipc_msg *m)
{
    if (m && m->kind)
        for (size_t i = 0; i < fam->nkinds; i++)
            if (m->kind == &fam->kinds[i])
                return i;
    return fam->nkinds;
}

static const msgpack_object *lookup(const ipc_obj *map, const char *name)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (key_is(&map->via.map.ptr[i].key, name))
            return &map->via.map.ptr[i].val;
    return NULL;
}

bool ipc_obj_uint(const ipc_obj *o, uint64_t *out)
{
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return false;
    *out = o->via.u64;
    return true;
}

bool ipc_obj_str(const ipc_obj *o, const char **p, size_t *len)
{
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return false;
    *p = o->via.str.ptr;
    *len = o->via.str.size;
    return true;
}

bool ipc_obj_bin(const ipc_obj *o, const uint8_t **p, size_t *len)
{
    if (!o || o->type != MSGPACK_OBJECT_BIN)
        return false;
    *p = (const uint8_t *)o->via.bin.ptr;
    *len = o->via.bin.size;
    return true;
}

bool ipc_get_uint(const ipc_obj *map, const char *name, uint64_t *out)
{
    return ipc_obj_uint(lookup(map, name), out);
}

bool ipc_get_int(const ipc_obj *map, const char *name, int64_t *out)
{
    const msgpack_object *o = lookup(map, name);
    if (o && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return true;
    }
    if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX) {
        *out = (int64_t)o->via.u64;
        return true;
    }
    return false;
}

bool ipc_get_bool(const ipc_obj *map, const char *name, bool *out)
{
    const msgpack_object *o = lookup(map, name);
    if (!o || o->type != MSGPACK_OBJECT_BOOLEAN)
        return false;
    *out = o->via.boolean;
    return true;
}

bool ipc_get_str(const ipc_obj *map, const char *name, const char **p, size_t *len)
{
    return ipc_obj_str(lookup(map, name), p, len);
}

bool ipc_get_bin(const ipc_obj *map, const char *name, const uint8_t **p, size_t *len)
{
    return ipc_obj_bin(lookup(map, name), p, len);
}

bool ipc_get_strz(const ipc_obj *map, const char *name, char *buf, size_t cap)
{
    const char *p;
    size_t n;
    if (!ipc_get_str(map, name, &p, &n) || n >= cap)
        return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return true;
}

const ipc_obj *ipc_get_map(const ipc_obj *map, const char *name)
{
    const msgpack_object *o = lookup(map, name);
    return o && o->type == MSGPACK_OBJECT_MAP ? o : NULL;
}

const ipc_obj *ipc_get_array(const ipc_obj *map, const char *name)
{
    const msgpack_object *o = lookup(map, name);
    return o && o->type == MSGPACK_OBJECT_ARRAY ? o : NULL;
}

size_t ipc_array_len(const ipc_obj *arr)
{
    return arr && arr->type == MSGPACK_OBJECT_ARRAY ? arr->via.array.size : 0;
}

const ipc_obj *ipc_array_at(const ipc_obj *arr, size_t i)
{
    if (!arr || arr->type != MSGPACK_OBJECT_ARRAY || i >= arr->via.array.size)
        return NULL;
    return &arr->via.array.ptr[i];
}
