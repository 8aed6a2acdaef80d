#include "ipc/builder.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/frame.h"
#include "ipc/msg.h"

static int write_cb(void *data, const char *p, size_t n)
{
    ipc_builder *b = data;
    if (b->err != IPC_OK)
        return -1;
    if (n > IPC_FRAME_HDR + IPC_FRAME_MAX - b->len) {
        b->err = IPC_E_TOO_BIG;
        return -1;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap * 2;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *nb;
        if (b->buf == b->small) {
            nb = malloc(cap);
            if (nb)
                memcpy(nb, b->buf, b->len);
        } else {
            nb = realloc(b->buf, cap);
        }
        if (!nb) {
            b->err = IPC_E_NOMEM;
            return -1;
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    return 0;
}

static void raw(ipc_builder *b, const void *p, size_t n)
{
    write_cb(b, p, n);
}

/* Count one item in the current container and write its key if that is a map. */
static bool item(ipc_builder *b, const char *name, msgpack_packer *pk)
{
    msgpack_packer_init(pk, b, write_cb);
    if (b->err != IPC_OK)
        return false;
    if (b->depth == 0) {
        b->err = IPC_E_INVALID;
        return false;
    }
    if (b->stack[b->depth - 1].is_map) {
        if (!name) {
            b->err = IPC_E_INVALID;
            return false;
        }
        size_t n = strlen(name);
        msgpack_pack_str(pk, n);
        msgpack_pack_str_body(pk, name, n);
    }
    b->stack[b->depth - 1].count++;
    return b->err == IPC_OK;
}

static void open_container(ipc_builder *b, bool is_map)
{
    if (b->err != IPC_OK)
        return;
    if (b->depth > IPC_MAX_DEPTH) {
        b->err = IPC_E_TOO_DEEP;
        return;
    }
    b->stack[b->depth].at = b->len;
    b->stack[b->depth].count = 0;
    b->stack[b->depth].is_map = is_map;
    b->depth++;
    /* map32/array32 with the count patched at the end: valid msgpack, and
     * it lets fields be written in one pass without counting first. */
    uint8_t hdr[5] = {is_map ? 0xdf : 0xdd, 0, 0, 0, 0};
    raw(b, hdr, sizeof hdr);
}

static void close_container(ipc_builder *b, bool is_map)
{
    if (b->err != IPC_OK)
        return;
    if (b->depth == 0 || b->stack[b->depth - 1].is_map != is_map) {
        b->err = IPC_E_INVALID;
        return;
    }
    b->depth--;
    uint32_t c = b->stack[b->depth].count;
    uint8_t *h = b->buf + b->stack[b->depth].at + 1;
    ipc_frame_put_len(h, c); /* same big-endian u32 layout */
}

void ipc_build_begin(ipc_builder *b, const char *kind)
{
    b->buf = b->small;
    b->cap = sizeof b->small;
    b->len = 0;
    b->err = IPC_OK;
    b->depth = 0;
    b->kind = kind ? kind : "";
    uint8_t hdr[IPC_FRAME_HDR] = {0};
    raw(b, hdr, sizeof hdr);
    open_container(b, true);
    ipc_put_str(b, "kind", b->kind);
}

void ipc_put_uint(ipc_builder *b, const char *name, uint64_t v)
{
    msgpack_packer pk;
    if (item(b, name, &pk))
        msgpack_pack_uint64(&pk, v);
}

void ipc_put_int(ipc_builder *b, const char *name, int64_t v)
{
    msgpack_packer pk;
    if (item(b, name, &pk))
        msgpack_pack_int64(&pk, v);
}

void ipc_put_bool(ipc_builder *b, const char *name, bool v)
{
    msgpack_packer pk;
    if (item(b, name, &pk)) {
        if (v)
            msgpack_pack_true(&pk);
        else
            msgpack_pack_false(&pk);
    }
}

void ipc_put_strn(ipc_builder *b, const char *name, const char *s, size_t n)
{
    msgpack_packer pk;
    if (n > IPC_FRAME_MAX) {
        b->err = IPC_E_TOO_BIG;
        return;
    }
    if (item(b, name, &pk)) {
        msgpack_pack_str(&pk, n);
        msgpack_pack_str_body(&pk, s, n);
    }
}

void ipc_put_str(ipc_builder *b, const char *name, const char *s)
{
    ipc_put_strn(b, name, s ? s : "", s ? strlen(s) : 0);
}

void ipc_put_bin(ipc_builder *b, const char *name, const void *p, size_t n)
{
    msgpack_packer pk;
    if (n > IPC_FRAME_MAX) {
        b->err = IPC_E_TOO_BIG;
        return;
    }
    if (item(b, name, &pk)) {
        msgpack_pack_bin(&pk, n);
        msgpack_pack_bin_body(&pk, p, n);
    }
}

void ipc_put_array_begin(ipc_builder *b, const char *name)
{
    msgpack_packer pk;
    if (item(b, name, &pk))
        open_container(b, false);
}

void ipc_put_array_end(ipc_builder *b)
{
    close_container(b, false);
}

void ipc_put_map_begin(ipc_builder *b, const char *name)
{
    msgpack_packer pk;
    if (item(b, name, &pk))
        open_container(b, true);
}

void ipc_put_map_end(ipc_builder *b)
{
    close_container(b, true);
}

static ipc_status finish(ipc_builder *b, msgpack_zone *zone, const ipc_family *fam, uint64_t id,
                         uint64_t re, ipc_error *err)
{
    if (b->err == IPC_OK && b->depth != 1)
        b->err = IPC_E_INVALID;
    if (b->err != IPC_OK)
        return ipc_fail(err, b->err, "cannot build '%s': %s", b->kind, ipc_strerror(b->err));
    if (id)
        ipc_put_uint(b, "id", id);
    if (re)
        ipc_put_uint(b, "re", re);
    close_container(b, true);
    if (b->err != IPC_OK)
        return ipc_fail(err, b->err, "cannot build '%s': %s", b->kind, ipc_strerror(b->err));
    ipc_frame_put_len(b->buf, (uint32_t)(b->len - IPC_FRAME_HDR));
    /* Check what we send exactly as the peer will check it, so a schema
     * mistake fails here, naming the field, instead of on the other side. */
    ipc_msg m;
    ipc_status st;
    if (zone) {
        st = ipc_decode_in(zone, fam, b->buf + IPC_FRAME_HDR, b->len - IPC_FRAME_HDR, &m, err);
        msgpack_zone_clear(zone);
    } else {
        st = ipc_decode(fam, b->buf + IPC_FRAME_HDR, b->len - IPC_FRAME_HDR, &m, err);
        if (st == IPC_OK)
            ipc_msg_free(&m);
    }
    if (st != IPC_OK)
        b->err = st;
    return st;
}

ipc_status ipc_build_finish(ipc_builder *b, const ipc_family *fam, uint64_t id, uint64_t re,
                            ipc_error *err)
{
    return finish(b, NULL, fam, id, re, err);
}

ipc_status ipc_build_finish_in(ipc_builder *b, msgpack_zone *zone, const ipc_family *fam,
                               uint64_t id, uint64_t re, ipc_error *err)
{
    return finish(b, zone, fam, id, re, err);
}

void ipc_build_free(ipc_builder *b)
{
    if (b->buf && b->buf != b->small)
        free(b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
}
