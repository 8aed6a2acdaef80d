/* Per-role sandboxes: what each child may still do once it has opened what
 * it needs (OpenBSD privsep's model, enforced by Linux).
 *
 * ipc_sandbox_apply(role, cfg) is called by the child runtime once init
 * succeeded, before the child reports ready:
 *   1. no_new_privs (PR_SET_NO_NEW_PRIVS);
 *   2. Landlock (kernel ABI detected at run time; on a kernel without it
 *      the child logs so once and goes on): the filesystem view of the
 *      role's table row (the data files it reads or writes, its run-dir
 *      rights, the system's libraries and /etc read-only), and on ABI >= 4
 *      no TCP bind/connect except the role's own (net: unrestricted; rpc:
 *      bind its port; others: none); on ABI >= 6 no signals to, and no
 *      abstract sockets of, processes outside the sandbox;
 *   3. a seccomp allowlist for the role (libseccomp); any other syscall
 *      fails with EPERM (clone3 with ENOSYS so glibc falls back to clone,
 *      which is allowed only for threads).
 * The table (role -> files, sockets, syscalls) is docs/architecture.md
 * "Sandboxes". */
#ifndef IPC_SANDBOX_H
#define IPC_SANDBOX_H

#include <stddef.h>

#include "ipc/config.h"

/* The Landlock ABI of the running kernel; 0 when it has none (or it is
 * disabled, or the test hook SMN_TEST_NO_LANDLOCK=1 says so). */
int ipc_sandbox_landlock_abi(void);

/* Applies the sandbox of `role` ("ledger", "net", ...). The role's
 * writable databases are made to exist first (WAL mode, so their -wal and
 * -shm exist for the rules to name). 0, or -1 with a one-line reason in
 * err. An unknown role is an error. Irreversible for this process. */
int ipc_sandbox_apply(const char *role, const ipc_config *cfg, char *err, size_t cap);

#endif
