/* Declarative message schemas. A family (one per schema_<family>.c file) is
 * a table of kinds; a kind is a table of fields; a field has a name, a type,
 * whether it is required, and bounds. Decoding (ipc/msg.h) checks every
 * incoming map against these tables, and so does encoding before a frame
 * leaves the process.
 *
 * Adding a family: write ipc/schema_<family>.{c,h} with
 *     static const ipc_field ping_fields[] = { IPC_UINT("seq", true), ... };
 *     static const ipc_kind kinds[] = { IPC_KIND("ping", ping_fields), ... };
 *     const ipc_family ipc_family_x = IPC_FAMILY("x", kinds, &ipc_family_common);
 * and list the .c file in ipc/meson.build. Kind names must be unique across a
 * family and its bases. The top-level keys "kind", "id" and "re" are the
 * envelope and cannot be field names. */
#ifndef IPC_SCHEMA_H
#define IPC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    IPC_T_UINT,  /* msgpack non-negative integer; min/max bound the value */
    IPC_T_INT,   /* any msgpack integer that fits int64 */
    IPC_T_BOOL,  /* msgpack true/false */
    IPC_T_STR,   /* msgpack str; min/max bound the byte length */
    IPC_T_BIN,   /* msgpack bin; min/max bound the byte length */
    IPC_T_ARRAY, /* msgpack array of `elem`; min/max bound the count */
    IPC_T_MAP,   /* msgpack map checked against `fields` (a nested record) */
} ipc_type;

typedef struct ipc_field {
    const char *name; /* ignored for an array's element spec */
    ipc_type type;
    bool required;
    uint64_t min, max;              /* max 0 = no upper bound (the frame limit still applies) */
    const struct ipc_field *elem;   /* IPC_T_ARRAY */
    const struct ipc_field *fields; /* IPC_T_MAP */
    size_t nfields;                 /* IPC_T_MAP; at most IPC_MAX_FIELDS */
} ipc_field;

typedef struct {
    const char *name;
    const ipc_field *fields;
    size_t nfields; /* at most IPC_MAX_FIELDS */
} ipc_kind;

typedef struct ipc_family {
    const char *name;
    const ipc_kind *kinds;
    size_t nkinds;
    const struct ipc_family *base; /* kinds also accepted (e.g. common's ping/error); may be NULL */
} ipc_family;

#define IPC_MAX_FIELDS 64
#define IPC_MAX_DEPTH 8

#define IPC_COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define IPC_UINT(n, req)                                                                           \
    {                                                                                              \
        .name = (n), .type = IPC_T_UINT, .required = (req)                                         \
    }
#define IPC_UINT_RANGE(n, req, lo, hi)                                                             \
    {                                                                                              \
        .name = (n), .type = IPC_T_UINT, .required = (req), .min = (lo), .max = (hi)               \
    }
#define IPC_INT(n, req)                                                                            \
    {                                                                                              \
        .name = (n), .type = IPC_T_INT, .required = (req)                                          \
    }
#define IPC_BOOL(n, req)                                                                           \
    {                                                                                              \
        .name = (n), .type = IPC_T_BOOL, .required = (req)                                         \
    }
#define IPC_STR(n, req, lo, hi)                                                                    \
    {                                                                                              \
        .name = (n), .type = IPC_T_STR, .required = (req), .min = (lo), .max = (hi)                \
    }
#define IPC_BIN(n, req, lo, hi)                                                                    \
    {                                                                                              \
        .name = (n), .type = IPC_T_BIN, .required = (req), .min = (lo), .max = (hi)                \
    }
#define IPC_ARRAY(n, req, lo, hi, elemp)                                                           \
    {                                                                                              \
        .name = (n), .type = IPC_T_ARRAY, .required = (req), .min = (lo), .max = (hi),             \
        .elem = (elemp)                                                                            \
    }
#define IPC_MAP(n, req, arr)                                                                       \
    {                                                                                              \
        .name = (n), .type = IPC_T_MAP, .required = (req), .fields = (arr),                        \
        .nfields = IPC_COUNT(arr)                                                                  \
    }
#define IPC_KIND(n, arr)                                                                           \
    {                                                                                              \
        (n), (arr), IPC_COUNT(arr)                                                                 \
    }
#define IPC_KIND_EMPTY(n)                                                                          \
    {                                                                                              \
        (n), NULL, 0                                                                               \
    }
#define IPC_FAMILY(n, kinds, basep)                                                                \
    {                                                                                              \
        (n), (kinds), IPC_COUNT(kinds), (basep)                                                    \
    }

/* A value that travels as a name (a status, a state, a reason): its enum is
 * defined next to its schema with one table names[value]. Finds the name
 * (len bytes, not NUL-terminated) in names[0..n): true and *out its index. */
bool ipc_names_find(const char *const *names, size_t n, const char *s, size_t len, unsigned *out);

/* The kind called name in fam or its bases; NULL if none. */
const ipc_kind *ipc_family_find(const ipc_family *fam, const char *name, size_t len);

#endif
