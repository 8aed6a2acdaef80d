/* Fuzz target for everything that reads IPC bytes: the frame header, the
 * msgpack bound check and the schema decoder of every family. The input is
 * read as a stream of frames (as a socket delivers it) and also decoded
 * whole as one payload. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ipc/ipc.h"

static const ipc_family *const families[] = {&ipc_family_common, &ipc_family_control,
                                             &ipc_family_admin};

static void decode_all(const uint8_t *p, size_t n)
{
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        ipc_msg m;
        ipc_error err;
        if (ipc_decode(families[f], p, n, &m, &err) == IPC_OK) {
            /* Read back every way a consumer would. */
            uint64_t u;
            const char *s;
            size_t len;
            ipc_get_uint(m.body, "seq", &u);
            ipc_get_str(m.body, "name", &s, &len);
            const ipc_obj *a = ipc_get_array(m.body, "processes");
            for (size_t i = 0; i < ipc_array_len(a); i++)
                ipc_get_uint(ipc_array_at(a, i), "pid", &u);
            ipc_msg_free(&m);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        uint32_t n;
        if (ipc_frame_header(data + off, size - off, 0, &n) != IPC_OK)
            break;
        if (size - off - IPC_FRAME_HDR < n)
            break;
        decode_all(data + off + IPC_FRAME_HDR, n);
        off += IPC_FRAME_HDR + n;
    }
    decode_all(data, size);
    return 0;
}

#define NSEEDS 5
static uint8_t seed_buf[NSEEDS][512];
static const uint8_t *seed_ptrs[NSEEDS];
static size_t seed_lens[NSEEDS];

static void keep(size_t i, ipc_builder *b, const ipc_family *fam, uint64_t id, uint64_t re)
{
    ipc_error err;
    if (ipc_build_finish(b, fam, id, re, &err) == IPC_OK && b->len <= sizeof seed_buf[i]) {
        memcpy(seed_buf[i], b->buf, b->len);
        seed_lens[i] = b->len;
    }
    seed_ptrs[i] = seed_buf[i];
    ipc_build_free(b);
}

/* Whole frames (header included) of real messages, for the mutator. */
size_t smn_fuzz_seeds(const uint8_t *const **seeds, const size_t **lens)
{
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 7);
    ipc_put_bin(&b, "echo", "abc", 3);
    keep(0, &b, &ipc_family_common, 1, 0);
    ipc_build_begin(&b, "status_r");
    ipc_put_str(&b, "name", "ledger");
    ipc_put_uint(&b, "pid", 1234);
    ipc_put_uint(&b, "uptime_ms", 99);
    ipc_put_str(&b, "detail", "ok");
    keep(1, &b, &ipc_family_control, 0, 3);
    ipc_build_begin(&b, "node_status_r");
    ipc_put_array_begin(&b, "processes");
    for (int i = 0; i < 2; i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_str(&b, "name", "net");
        ipc_put_uint(&b, "pid", 5);
        ipc_put_str(&b, "state", "running");
        ipc_put_uint(&b, "restarts", 1);
        ipc_put_uint(&b, "uptime_s", 2);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    keep(2, &b, &ipc_family_admin, 0, 9);
    ipc_build_begin(&b, "error");
    ipc_put_str(&b, "message", "nope");
    ipc_put_uint(&b, "code", 4);
    keep(3, &b, &ipc_family_common, 0, 2);
    ipc_build_begin(&b, "hello");
    ipc_put_str(&b, "name", "vm");
    ipc_put_uint(&b, "pid", 77);
    keep(4, &b, &ipc_family_control, 0, 0);
    *seeds = seed_ptrs;
    *lens = seed_lens;
    return NSEEDS;
}
