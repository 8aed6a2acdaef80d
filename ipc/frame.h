/* Framing: a u32 big-endian payload length, then one msgpack map of that
 * many bytes. The length is checked against the limit before any buffer is
 * sized from it, so a hostile prefix cannot make us allocate. */
#ifndef IPC_FRAME_H
#define IPC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/status.h"

#define IPC_FRAME_HDR 4u
#define IPC_FRAME_MAX (1u << 20) /* 1 MiB payload */

/* Read the header at buf (avail bytes). Returns IPC_OK with *payload_len set
 * when a header is present (the payload may not have arrived yet: compare
 * avail with IPC_FRAME_HDR + *payload_len), otherwise:
 *   IPC_E_INVALID   fewer than IPC_FRAME_HDR bytes available (need more),
 *   IPC_E_TOO_BIG   payload length above max (0 means IPC_FRAME_MAX),
 *   IPC_E_MALFORMED payload length 0 (a frame always carries a map). */
ipc_status ipc_frame_header(const uint8_t *buf, size_t avail, uint32_t max, uint32_t *payload_len);

void ipc_frame_put_len(uint8_t hdr[IPC_FRAME_HDR], uint32_t payload_len);

#endif
