/* Status values shared by every ipc_ function: errors are values, never exits. */
#ifndef IPC_STATUS_H
#define IPC_STATUS_H

typedef enum {
    IPC_OK = 0,
    IPC_E_TOO_BIG,       /* frame longer than the limit (checked before allocation) */
    IPC_E_MALFORMED,     /* not one well-formed msgpack map, or trailing bytes */
    IPC_E_NO_KIND,       /* the map has no "kind" string */
    IPC_E_UNKNOWN_KIND,  /* kind not in the family */
    IPC_E_MISSING_FIELD, /* a required field is absent */
    IPC_E_BAD_TYPE,      /* a field has the wrong msgpack type */
    IPC_E_BAD_VALUE,     /* a field is out of its declared range or length */
    IPC_E_UNKNOWN_FIELD, /* a field the kind does not declare */
    IPC_E_DUP_FIELD,     /* a field appears twice */
    IPC_E_TOO_DEEP,      /* nesting deeper than IPC_MAX_DEPTH */
    IPC_E_QUEUE_FULL,    /* outgoing queue or pending-request table at its bound */
    IPC_E_CLOSED,        /* no connection, or it closed before the reply */
    IPC_E_TIMEOUT,       /* no reply within the request's timeout */
    IPC_E_REMOTE,        /* the peer answered with an "error" message */
    IPC_E_INVALID,       /* the caller passed something unusable (bad argument) */
    IPC_E_NOMEM,
    IPC_E_IO, /* a system call failed; errno tells which */
} ipc_status;

/* A status plus a human-readable detail such as "missing field 'seq' in 'ping'". */
typedef struct {
    ipc_status status;
    char detail[160];
} ipc_error;

/* Static, never NULL. */
const char *ipc_strerror(ipc_status st);

/* Fill err (if not NULL) and return st. */
ipc_status ipc_fail(ipc_error *err, ipc_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
