#include "procs/net/service_nodekey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

static int read_key(const char *path, smn_keypair *kp, char *err, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int e = errno;
        snprintf(err, cap, "cannot open %s: %s", path, strerror(e));
        return -e;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        snprintf(err, cap, "cannot stat %s: %s", path, strerror(e));
        return -e;
    }
    if (!S_ISREG(st.st_mode) || st.st_size != SMN_KEY_BYTES) {
        close(fd);
        snprintf(err, cap, "%s is not a %d-byte node key file", path, SMN_KEY_BYTES);
        return -EINVAL;
    }
    if (st.st_mode & 077) {
        close(fd);
        snprintf(err, cap, "%s is readable or writable by other users (mode %03o); chmod 600 it",
                 path, (unsigned)(st.st_mode & 0777));
        return -EPERM;
    }
    uint8_t priv[SMN_KEY_BYTES];
    ssize_t n = read(fd, priv, sizeof priv);
    int e = errno;
    close(fd);
    if (n != (ssize_t)sizeof priv) {
        sodium_memzero(priv, sizeof priv);
        snprintf(err, cap, "cannot read %s: %s", path, n < 0 ? strerror(e) : "short read");
        return n < 0 ? -e : -EIO;
    }
    smn_key_expand(priv, kp);
    sodium_memzero(priv, sizeof priv);
    return 0;
}

/* Write a fresh key to a temporary name and link it into place, so a crash
 * never leaves a half-written key and two racing starts agree on one key. */
static int create_key(const char *path, char *err, size_t cap)
{
    char tmp[600];
    int n = snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        snprintf(err, cap, "path too long: %s", path);
        return -ENAMETOOLONG;
    }
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int e = errno;
        snprintf(err, cap, "cannot create %s: %s", tmp, strerror(e));
        return -e;
    }
    smn_keypair kp;
    smn_key_create(&kp);
    ssize_t w = write(fd, kp.priv, sizeof kp.priv);
    int e = w < 0 ? errno : EIO;
    smn_keypair_wipe(&kp);
    if (w == (ssize_t)sizeof kp.priv)
        e = fsync(fd) == 0 ? 0 : errno;
    if (e != 0) {
        close(fd);
        unlink(tmp);
        snprintf(err, cap, "cannot write %s: %s", tmp, strerror(e));
        return -e;
    }
    close(fd);
    int r = link(tmp, path) == 0 ? 0 : -errno;
    unlink(tmp);
    if (r != 0 && r != -EEXIST) {
        snprintf(err, cap, "cannot create %s: %s", path, strerror(-r));
        return r;
    }
    return 0; /* -EEXIST: another start won the race; its key is read next */
}

int net_node_key_load(const char *data_dir, smn_keypair *kp, bool *created, char *err, size_t cap)
{
    char path[512];
    int n = snprintf(path, sizeof path, "%s/%s", data_dir, NET_NODE_KEY_FILE);
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(err, cap, "data directory path too long");
        return -ENAMETOOLONG;
    }
    *created = false;
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) {
            int e = errno;
            snprintf(err, cap, "cannot stat %s: %s", path, strerror(e));
            return -e;
        }
        int r = create_key(path, err, cap);
        if (r != 0)
            return r;
        *created = true;
    }
    return read_key(path, kp, err, cap);
}
