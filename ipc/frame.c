#include "ipc/frame.h"

ipc_status ipc_frame_header(const uint8_t *buf, size_t avail, uint32_t max, uint32_t *payload_len)
{
    if (avail < IPC_FRAME_HDR)
        return IPC_E_INVALID;
    uint32_t n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
    if (max == 0 || max > IPC_FRAME_MAX)
        max = IPC_FRAME_MAX;
    if (n > max)
        return IPC_E_TOO_BIG;
    if (n == 0)
        return IPC_E_MALFORMED;
    *payload_len = n;
    return IPC_OK;
}

void ipc_frame_put_len(uint8_t hdr[IPC_FRAME_HDR], uint32_t n)
{
    hdr[0] = (uint8_t)(n >> 24);
    hdr[1] = (uint8_t)(n >> 16);
    hdr[2] = (uint8_t)(n >> 8);
    hdr[3] = (uint8_t)n;
}
