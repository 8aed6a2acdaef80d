#include "supervisor/private_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

const char *const sup_private_names[] = {"ledger.db",
                                         "ledger.db-wal",
                                         "ledger.db-shm",
                                         "ledger.db-journal",
                                         "vm.db",
                                         "vm.db-wal",
                                         "vm.db-shm",
                                         "vm.db-journal",
                                         "wallets.db",
                                         "wallets.db-wal",
                                         "wallets.db-shm",
                                         "wallets.db-journal",
                                         "node.key",
                                         "bootstrap/bootstrap.state",
                                         NULL};

static int owner_ok(const char *path, const struct stat *st, uid_t uid, char *err, size_t cap)
{
    if (st->st_uid == uid)
        return 0;
    snprintf(err, cap,
             "%s is owned by uid %lu, not by uid %lu that runs the node: chown it (or run the node "
             "as its owner)",
             path, (unsigned long)st->st_uid, (unsigned long)uid);
    return -1;
}

int sup_private_files(const char *data_dir, uid_t uid, char *err, size_t cap)
{
    int fixed = 0;
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, cap, "cannot create the data directory %s: %s", data_dir, strerror(errno));
        return -1;
    }
    int dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (dfd < 0 || fstat(dfd, &st) != 0) {
        snprintf(err, cap, "cannot open the data directory %s: %s", data_dir, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        return -1;
    }
    if (owner_ok(data_dir, &st, uid, err, cap) != 0) {
        close(dfd);
        return -1;
    }
    if (st.st_mode & 077) {
        if (fchmod(dfd, 0700) != 0) {
            snprintf(err, cap, "cannot make %s private (mode %03o): %s", data_dir,
                     (unsigned)(st.st_mode & 0777), strerror(errno));
            close(dfd);
            return -1;
        }
        smn_warn("data directory %s had mode %03o, set to 700", data_dir,
                 (unsigned)(st.st_mode & 0777));
        fixed++;
    }
    for (size_t i = 0; sup_private_names[i]; i++) {
        const char *name = sup_private_names[i];
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT)
                continue;
            snprintf(err, cap, "cannot stat %s/%s: %s", data_dir, name, strerror(errno));
            close(dfd);
            return -1;
        }
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", data_dir, name);
        if (!S_ISREG(st.st_mode)) {
            snprintf(err, cap, "%s is not a regular file (a symlink or other): refusing to use it",
                     path);
            close(dfd);
            return -1;
        }
        if (owner_ok(path, &st, uid, err, cap) != 0) {
            close(dfd);
            return -1;
        }
        if ((st.st_mode & 0777) == 0600)
            continue;
        if (fchmodat(dfd, name, 0600, 0) != 0) {
            snprintf(err, cap, "cannot make %s private (mode %03o): %s", path,
                     (unsigned)(st.st_mode & 0777), strerror(errno));
            close(dfd);
            return -1;
        }
        smn_warn("%s had mode %03o, set to 600", path, (unsigned)(st.st_mode & 0777));
        fixed++;
    }
    close(dfd);
    return fixed;
}
