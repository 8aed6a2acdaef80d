#include "ipc/status.h"

#include <stdarg.h>
#include <stdio.h>

const char *ipc_strerror(ipc_status st)
{
    switch (st) {
    case IPC_OK:
        return "ok";
    case IPC_E_TOO_BIG:
        return "frame too big";
    case IPC_E_MALFORMED:
        return "malformed message";
    case IPC_E_NO_KIND:
        return "message has no kind";
    case IPC_E_UNKNOWN_KIND:
        return "unknown kind";
    case IPC_E_MISSING_FIELD:
        return "missing field";
    case IPC_E_BAD_TYPE:
        return "field has the wrong type";
    case IPC_E_BAD_VALUE:
        return "field out of range";
    case IPC_E_UNKNOWN_FIELD:
        return "unknown field";
    case IPC_E_DUP_FIELD:
        return "duplicate field";
    case IPC_E_TOO_DEEP:
        return "nesting too deep";
    case IPC_E_QUEUE_FULL:
        return "queue full";
    case IPC_E_CLOSED:
        return "connection closed";
    case IPC_E_TIMEOUT:
        return "timed out";
    case IPC_E_REMOTE:
        return "peer returned an error";
    case IPC_E_INVALID:
        return "invalid argument";
    case IPC_E_NOMEM:
        return "out of memory";
    case IPC_E_IO:
        return "i/o error";
    }
    return "unknown status";
}

ipc_status ipc_fail(ipc_error *err, ipc_status st, const char *fmt, ...)
{
    if (err) {
        err->status = st;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->detail, sizeof err->detail, fmt, ap);
        va_end(ap);
    }
    return st;
}
