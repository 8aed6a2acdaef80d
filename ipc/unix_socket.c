#include "ipc/unix_socket.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int ipc_run_dir(const char *data_dir, char *run_dir, size_t cap)
{
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST)
        return -errno;
    int n = snprintf(run_dir, cap, "%s/run", data_dir);
    if (n < 0 || (size_t)n >= cap)
        return -ENAMETOOLONG;
    if (mkdir(run_dir, 0700) != 0 && errno != EEXIST)
        return -errno;
    struct stat st;
    if (lstat(run_dir, &st) != 0)
        return -errno;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    if (chmod(run_dir, 0700) != 0)
        return -errno;
    return 0;
}

int ipc_socket_path(const char *data_dir, const char *name, char *buf, size_t cap)
{
    struct sockaddr_un sa;
    int n = snprintf(buf, cap, "%s/run/%s.sock", data_dir, name);
    if (n < 0 || (size_t)n >= cap || (size_t)n >= sizeof sa.sun_path)
        return -ENAMETOOLONG;
    return 0;
}

int ipc_unix_listen(const char *path, int backlog)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t n = strlen(path);
    if (n >= sizeof sa.sun_path)
        return -ENAMETOOLONG;
    memcpy(sa.sun_path, path, n + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    /* umask, not chmod, decides the mode at bind time; chmod after closes
     * the window for a umask wider than ours. */
    mode_t old = umask(0177);
    int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (r != 0 || chmod(path, 0600) != 0 || listen(fd, backlog) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}
