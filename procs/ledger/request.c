#include "procs/ledger/request.h"

#include <stdio.h>
#include <string.h>

static bool fail(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    return false;
}

static bool get_bin(const ipc_msg *m, const char *name, size_t want, const uint8_t **p)
{
    size_t len;
    return ipc_get_bin(m->body, name, p, &len) && len == want;
}

static bool get_origin(const ipc_msg *m, ledger_origin *origin, char *err, size_t errlen)
{
    const char *o;
    size_t olen;
    if (!ipc_get_str(m->body, "origin", &o, &olen))
        return fail(err, errlen, "process: missing 'origin'");
    /* Requests name where a block came from; "unchecked" is the ledger's own. */
    if (ipc_ledger_origin_parse(o, olen, origin) && *origin != LEDGER_ORIGIN_UNCHECKED)
        return true;
    return fail(err, errlen, "process: 'origin' must be rpc, net, bootstrap or wallet");
}

bool ledger_req_process(const ipc_msg *m, smn_block *block, ledger_origin *origin, char *err,
                        size_t errlen)
{
    if (ipc_ledger_kind_of(m) != IPC_LEDGER_K_PROCESS)
        return fail(err, errlen, "not a process request");
    const uint8_t *wire;
    if (!get_bin(m, "block", SMN_BLOCK_WIRE_BYTES, &wire) ||
        smn_block_deserialize(wire, SMN_BLOCK_WIRE_BYTES, block) != SMN_BLOCK_OK)
        return fail(err, errlen, "process: 'block' must be 216 bytes");
    return get_origin(m, origin, err, errlen);
}

bool ledger_req_process_batch(const ipc_msg *m, smn_block *blocks, size_t *n, ledger_origin *origin,
                              char *err, size_t errlen)
{
    *n = 0;
    if (ipc_ledger_kind_of(m) != IPC_LEDGER_K_PROCESS_BATCH)
        return fail(err, errlen, "not a process_batch request");
    const ipc_obj *arr = ipc_get_array(m->body, "blocks");
    size_t len = arr ? ipc_array_len(arr) : 0;
    if (len == 0 || len > IPC_LEDGER_MAX_BATCH)
        return fail(err, errlen, "process_batch: 'blocks' must hold 1..1024 blocks");
    for (size_t i = 0; i < len; i++) {
        const uint8_t *wire;
        size_t wlen;
        if (!ipc_obj_bin(ipc_array_at(arr, i), &wire, &wlen) || wlen != SMN_BLOCK_WIRE_BYTES ||
            smn_block_deserialize(wire, wlen, &blocks[i]) != SMN_BLOCK_OK)
            return fail(err, errlen, "process_batch: every block must be 216 bytes");
    }
    *n = len;
    return get_origin(m, origin, err, errlen);
}

bool ledger_req_confirm(const ipc_msg *m, uint8_t hash[32], smn_block *block, bool *has_block,
                        char *err, size_t errlen)
{
    *has_block = false;
    if (ipc_ledger_kind_of(m) != IPC_LEDGER_K_CONFIRM)
        return fail(err, errlen, "not a confirm request");
    const uint8_t *h;
    if (!get_bin(m, "hash", 32, &h))
        return fail(err, errlen, "confirm: 'hash' must be 32 bytes");
    memcpy(hash, h, 32);
    const uint8_t *wire;
    size_t len;
    if (!ipc_get_bin(m->body, "block", &wire, &len))
        return true; /* optional */
    if (len != SMN_BLOCK_WIRE_BYTES ||
        smn_block_deserialize(wire, SMN_BLOCK_WIRE_BYTES, block) != SMN_BLOCK_OK)
        return fail(err, errlen, "confirm: 'block' must be 216 bytes");
    uint8_t bh[32];
    smn_block_hash(block, bh);
    if (memcmp(bh, hash, 32) != 0)
        return fail(err, errlen, "confirm: 'block' does not hash to 'hash'");
    *has_block = true;
    return true;
}

bool ledger_req_confirm_backlog(const ipc_msg *m)
{
    bool backlog = false;
    return ipc_get_bool(m->body, "backlog", &backlog) && backlog;
}
