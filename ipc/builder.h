/* Building an outgoing message: a kind and its fields, written straight into
 * the frame buffer (length prefix reserved up front, so sending copies once).
 *
 *     ipc_builder b;
 *     ipc_build_begin(&b, "pong");
 *     ipc_put_uint(&b, "seq", 7);
 *     ipc_put_array_begin(&b, "items");
 *       ipc_put_map_begin(&b, NULL); ipc_put_str(&b, "name", "net"); ipc_put_map_end(&b);
 *     ipc_put_array_end(&b);
 *     ipc_reply(conn, req, &b);     // validates against the schema, sends, frees b
 *
 * Inside a map every put needs a name; inside an array names are ignored.
 * Errors (nesting, size, memory) are sticky and reported when the message is
 * finished; the put functions themselves never fail loudly. */
#ifndef IPC_BUILDER_H
#define IPC_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/schema.h"
#include "ipc/status.h"

typedef struct ipc_builder {
    uint8_t *buf; /* the frame: 4-byte length prefix, then the map */
    size_t len, cap;
    ipc_status err;
    unsigned depth;
    struct {
        size_t at; /* offset of the container's header */
        uint32_t count;
        bool is_map;
    } stack[IPC_MAX_DEPTH + 1];
    const char *kind;
    uint8_t small[256];
} ipc_builder;

void ipc_build_begin(ipc_builder *b, const char *kind);
void ipc_put_uint(ipc_builder *b, const char *name, uint64_t v);
void ipc_put_int(ipc_builder *b, const char *name, int64_t v);
void ipc_put_bool(ipc_builder *b, const char *name, bool v);
void ipc_put_str(ipc_builder *b, const char *name, const char *s); /* NUL-terminated */
void ipc_put_strn(ipc_builder *b, const char *name, const char *s, size_t n);
void ipc_put_bin(ipc_builder *b, const char *name, const void *p, size_t n);
void ipc_put_array_begin(ipc_builder *b, const char *name);
void ipc_put_array_end(ipc_builder *b);
void ipc_put_map_begin(ipc_builder *b, const char *name);
void ipc_put_map_end(ipc_builder *b);

/* Close the message, add the envelope's "id" (request) or "re" (reply) when
 * non-zero, write the length prefix and check the result against fam exactly
 * as the receiver will. IPC_OK: the frame is buf[0..len). The endpoint send
 * functions call this; use it directly for tests or hand-made transports. */
ipc_status ipc_build_finish(ipc_builder *b, const ipc_family *fam, uint64_t id, uint64_t re,
                            ipc_error *err);

/* Same, checking with a caller-owned msgpack zone (cleared here afterwards)
 * instead of a fresh one: the endpoints keep one per connection. */
struct msgpack_zone;
ipc_status ipc_build_finish_in(ipc_builder *b, struct msgpack_zone *zone, const ipc_family *fam,
                               uint64_t id, uint64_t re, ipc_error *err);

/* Release the builder's memory; safe to call twice. */
void ipc_build_free(ipc_builder *b);

#endif
