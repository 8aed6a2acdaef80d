/* Decoded messages. ipc_decode() is the single entry point for bytes from a
 * socket: it bounds the msgpack structure before msgpack-c allocates from it,
 * checks the envelope ("kind", "id", "re") and every field against the
 * family's schema, and never crashes on any input (fuzz: tests/ipc/fuzz_frame.c).
 *
 * Strings and byte strings in a decoded message point into the input buffer:
 * the buffer must outlive the message. Inside endpoint callbacks both live
 * until the callback returns. */
#ifndef IPC_MSG_H
#define IPC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/schema.h"
#include "ipc/status.h"

/* A map, array or scalar inside a decoded message (a msgpack_object). */
typedef struct msgpack_object ipc_obj;
struct msgpack_zone;

typedef struct ipc_msg {
    const ipc_kind *kind;       /* kind->name is the message's kind */
    uint64_t id;                /* request id; 0 for notifications and replies */
    uint64_t re;                /* id of the request this replies to; 0 otherwise */
    const ipc_obj *body;        /* the top-level map: read fields with ipc_get_*() */
    struct msgpack_zone *zone_; /* private */
} ipc_msg;

/* Decode payload (a frame without its length prefix) against fam.
 * IPC_OK: *out holds the message; release it with ipc_msg_free().
 * Otherwise *out needs no release and err (may be NULL) says why; if the
 * envelope itself was sound, out->id / out->re are still set so the caller
 * can answer the request or fail the request being replied to. */
ipc_status ipc_decode(const ipc_family *fam, const uint8_t *payload, size_t len, ipc_msg *out,
                      ipc_error *err);
void ipc_msg_free(ipc_msg *m);

/* Same as ipc_decode() but allocates from zone (cleared by the caller), so a
 * connection can reuse one zone for every frame. out->zone_ stays NULL. */
ipc_status ipc_decode_in(struct msgpack_zone *zone, const ipc_family *fam, const uint8_t *payload,
                         size_t len, ipc_msg *out, ipc_error *err);

/* The index of m's kind in fam's own table (its bases not included), or
 * fam->nkinds when m is NULL or of another table. Compares the kind
 * pointer, no strings: each family wraps it as ipc_<family>_kind_of() with
 * the enum defined next to its schema (a kind is never matched by name). */
size_t ipc_kind_index(const ipc_family *fam, const ipc_msg *m);

/* Field accessors on a map (m->body, a nested map or an array element).
 * Each returns false when the field is absent or has another type; after
 * a successful decode the type always matches the schema. Strings are not
 * NUL-terminated: use the length, or ipc_get_strz() to copy. */
bool ipc_get_uint(const ipc_obj *map, const char *name, uint64_t *out);
bool ipc_get_int(const ipc_obj *map, const char *name, int64_t *out);
bool ipc_get_bool(const ipc_obj *map, const char *name, bool *out);
bool ipc_get_str(const ipc_obj *map, const char *name, const char **p, size_t *len);
bool ipc_get_bin(const ipc_obj *map, const char *name, const uint8_t **p, size_t *len);
/* Copies the string NUL-terminated; false if absent or it does not fit in cap. */
bool ipc_get_strz(const ipc_obj *map, const char *name, char *buf, size_t cap);
/* The nested map or array called name; NULL if absent. */
const ipc_obj *ipc_get_map(const ipc_obj *map, const char *name);
const ipc_obj *ipc_get_array(const ipc_obj *map, const char *name);

size_t ipc_array_len(const ipc_obj *arr);
/* NULL when i is out of range. */
const ipc_obj *ipc_array_at(const ipc_obj *arr, size_t i);
/* Scalar array elements. */
bool ipc_obj_uint(const ipc_obj *o, uint64_t *out);
bool ipc_obj_str(const ipc_obj *o, const char **p, size_t *len);
bool ipc_obj_bin(const ipc_obj *o, const uint8_t **p, size_t *len);

#endif
