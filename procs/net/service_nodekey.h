/* The node's identity key, DATA_DIR/node.key: the Ed25519 key the peer
 * handshake proves and telemetry is signed with (not an account key; it
 * holds no funds). The file is the 32-byte private key, raw, mode 0600,
 * created from fresh randomness on first start. Never logged. */
#ifndef NET_SERVICE_NODEKEY_H
#define NET_SERVICE_NODEKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/keys.h"

#define NET_NODE_KEY_FILE "node.key"

/* Load DATA_DIR/node.key into kp, creating it (atomically: a temporary file,
 * fsync, link) when it does not exist; *created says which. 0, or -errno
 * with err (cap bytes) saying what failed: -EINVAL for a file that is not
 * exactly 32 bytes, -EPERM for one other users may read or write (it is
 * refused, not fixed: someone may have copied the key). */
int net_node_key_load(const char *data_dir, smn_keypair *kp, bool *created, char *err, size_t cap);

#endif
