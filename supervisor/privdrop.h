/* Started as root, the supervisor becomes an unprivileged user before it
 * opens anything, so neither it nor any child keeps a privilege:
 *   [supervisor] user        the user to run as ("": smallnano)
 *   [supervisor] allow_root  with no such user: run as root anyway
 *                            (auto: on dev only), else refuse to start.
 * Started as another user (systemd's User=, a shell), nothing changes. */
#ifndef SUP_PRIVDROP_H
#define SUP_PRIVDROP_H

#include <stddef.h>

#include "ipc/config.h"

/* As root: hands the data directory (and the node's files in it) to the
 * user, empties the capability bounding set, sets the groups, gid and
 * uid, and checks root cannot be regained. 0 (also when not root, or root
 * is allowed), or -1 with a one-line reason in err. */
int sup_drop_privileges(const ipc_config *cfg, char *err, size_t cap);

#endif
