/* A fixed-size binary field of a decoded IPC message, shared by the
 * decoders of the vm process (ledger notifications, subscribe requests). */
#ifndef VM_SERVICE_MSGFIELD_H
#define VM_SERVICE_MSGFIELD_H

#include <stdbool.h>
#include <string.h>

#include "ipc/msg.h"

/* Copies field name into out when it is a bin of exactly 32 bytes. */
static inline bool vm_msg_get32(const ipc_msg *m, const char *name, uint8_t out[32])
{
    const uint8_t *p;
    size_t n;
    if (!ipc_get_bin(m->body, name, &p, &n) || n != 32)
        return false;
    memcpy(out, p, 32);
    return true;
}

#endif
