/* The voting keys of this node's representatives: the representative key
 * file ([elections] representative_key, default DATA_DIR/representative.key),
 * unlocked with the password in [elections] representative_password_file,
 * else systemd's credential `representative-password`
 * ($CREDENTIALS_DIRECTORY), else the empty password; plus on dev the
 * published genesis key, so a dev node votes out of the box. A file that
 * cannot be opened or unlocked is logged and the node runs without it: it
 * still follows the network, it just does not vote with those keys. */
#ifndef ELECTIONS_REP_KEYS_H
#define ELECTIONS_REP_KEYS_H

#include <stddef.h>

#include "common/keys.h"
#include "common/network.h"
#include "ipc/config.h"
#include "procs/elections/service.h"

/* Fills keys (the caller wipes them); returns the count. */
size_t elections_rep_keys_load(const ipc_config *cfg, const smn_network *net,
                               smn_keypair keys[ELECTIONS_SERVICE_MAX_REPS]);

#endif
