/* Finding and starting child executables. */
#ifndef SUP_SPAWN_H
#define SUP_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/* Path of smallnano-<name>: the first executable among
 *   $SMN_LIBEXEC_DIR/smallnano-<name>
 *   <dir of /proc/self/exe>/smallnano-<name>         (installed: all in bindir)
 *   <dir of /proc/self/exe>/../procs/<name>/smallnano-<name>   (build tree)
 * 0, or -ENOENT with tried (cap bytes) listing where it looked. */
int sup_find_exe(const char *name, char *out, size_t cap, char *tried, size_t tried_cap);

/* fork + exec path with argv, passing listen_fd as fd 3 and ctl_fd as fd 4
 * (announced in SMN_LISTEN_FD / SMN_CONTROL_FD, with SMN_SUPERVISOR_PID),
 * and peer_fd, unless it is -1, as fd 5 (IPC_PEER_FD, announced in
 * SMN_PEER_FD: the net process's peering TCP socket), every other
 * descriptor above 2 closed, the systemd variables removed from
 * the environment, default signal dispositions and mask, and its own process
 * group (so a terminal's Ctrl-C reaches only the supervisor, which then
 * stops the children in order). Returns the pid or -errno. */
pid_t sup_spawn(const char *path, char *const argv[], int listen_fd, int ctl_fd, int peer_fd);

#endif
