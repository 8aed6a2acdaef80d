#include "ipc/msgpack_bound.h"

#define BOUND_STACK 32

static uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

ipc_status ipc_msgpack_bound(const uint8_t *p, size_t len, unsigned max_depth, ipc_error *err)
{
    if (max_depth >= BOUND_STACK)
        max_depth = BOUND_STACK - 1;
    /* left[d]: items still to read at depth d (a map of n pairs counts 2n). */
    uint64_t left[BOUND_STACK];
    unsigned depth = 0;
    left[0] = 1;
    size_t pos = 0;
    for (;;) {
        while (left[depth] == 0) {
            if (depth == 0)
                goto done;
            depth--;
        }
        left[depth]--;
        if (pos >= len)
            return ipc_fail(err, IPC_E_MALFORMED, "truncated msgpack at byte %zu", pos);
        uint8_t b = p[pos++];
        uint64_t skip = 0;  /* payload bytes after the header */
        uint64_t items = 0; /* child items if a container */
        unsigned lenbytes = 0;
        int container = 0; /* 1 array, 2 map */
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            /* fixint, nil, bool: nothing follows */
        } else if (b >= 0x80 && b <= 0x8f) {
            container = 2;
            items = b & 0x0f;
        } else if (b >= 0x90 && b <= 0x9f) {
            container = 1;
            items = b & 0x0f;
        } else if (b >= 0xa0 && b <= 0xbf) {
            skip = b & 0x1f;
        } else {
            switch (b) {
            case 0xc4:
            case 0xd9:
                lenbytes = 1;
                break;
            case 0xc5:
            case 0xda:
                lenbytes = 2;
                break;
            case 0xc6:
            case 0xdb:
                lenbytes = 4;
                break;
            case 0xc7:
                lenbytes = 1;
                skip = 1;
                break; /* ext: + type byte */
            case 0xc8:
                lenbytes = 2;
                skip = 1;
                break;
            case 0xc9:
                lenbytes = 4;
                skip = 1;
                break;
            case 0xca:
                skip = 4;
                break;
            case 0xcb:
                skip = 8;
                break;
            case 0xcc:
            case 0xd0:
                skip = 1;
                break;
            case 0xcd:
            case 0xd1:
                skip = 2;
                break;
            case 0xce:
            case 0xd2:
                skip = 4;
                break;
            case 0xcf:
            case 0xd3:
                skip = 8;
                break;
            case 0xd4:
                skip = 2;
                break;
            case 0xd5:
                skip = 3;
                break;
            case 0xd6:
                skip = 5;
                break;
            case 0xd7:
                skip = 9;
                break;
            case 0xd8:
                skip = 17;
                break;
            case 0xdc:
                container = 1;
                lenbytes = 2;
                break;
            case 0xdd:
                container = 1;
                lenbytes = 4;
                break;
            case 0xde:
                container = 2;
                lenbytes = 2;
                break;
            case 0xdf:
                container = 2;
                lenbytes = 4;
                break;
            default: /* 0xc1 is never used */
                return ipc_fail(err, IPC_E_MALFORMED, "invalid msgpack byte 0x%02x at %zu", b,
                                pos - 1);
            }
        }
        if (lenbytes) {
            if (len - pos < lenbytes)
                return ipc_fail(err, IPC_E_MALFORMED, "truncated msgpack length at byte %zu", pos);
            uint64_t n = be(p + pos, lenbytes);
            pos += lenbytes;
            if (container)
                items = n;
            else
                skip += n;
        }
        if (skip > len - pos)
            return ipc_fail(err, IPC_E_MALFORMED, "msgpack value overruns the frame at byte %zu",
                            pos);
        pos += (size_t)skip;
        if (container) {
            if (container == 2)
                items *= 2; /* fits: items < 2^32 */
            /* Every item takes at least one byte. */
            if (items > len - pos)
                return ipc_fail(err, IPC_E_MALFORMED,
                                "msgpack container claims %llu items with %zu bytes left",
                                (unsigned long long)items, len - pos);
            if (items) {
                if (depth + 1 > max_depth)
                    return ipc_fail(err, IPC_E_TOO_DEEP, "msgpack nesting deeper than %u",
                                    max_depth);
                left[++depth] = items;
            }
        }
    }
done:
    if (pos != len)
        return ipc_fail(err, IPC_E_MALFORMED, "%zu trailing bytes after the message", len - pos);
    return IPC_OK;
}
