#include "supervisor/privdrop.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "supervisor/private_files.h"

/* The data directory, its subdirectories and the node's files in them:
 * handed to the user if another owns them (a data dir made by an earlier
 * run as root). Nothing else is touched, and no symlink is followed. */
static int chown_data(const char *data_dir, uid_t uid, gid_t gid, char *err, size_t cap)
{
    static const char *const dirs[] = {"", "/run", "/bootstrap", "/tmp"};
    char path[4400];
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s%s", data_dir, dirs[i]);
        struct stat st;
        if (lstat(path, &st) != 0) {
            if (errno == ENOENT)
                continue;
            snprintf(err, cap, "cannot stat %s: %s", path, strerror(errno));
            return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, cap, "%s is not a directory", path);
            return -1;
        }
        if ((st.st_uid != uid || st.st_gid != gid) && lchown(path, uid, gid) != 0) {
            snprintf(err, cap, "cannot hand %s to uid %lu: %s", path, (unsigned long)uid,
                     strerror(errno));
            return -1;
        }
    }
    static const char *const run_files[] = {"run/smallnanod.lock", "run/rpc.addr"};
    for (size_t i = 0; sup_private_names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", data_dir, sup_private_names[i]);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
            (st.st_uid != uid || st.st_gid != gid) && lchown(path, uid, gid) != 0) {
            snprintf(err, cap, "cannot hand %s to uid %lu: %s", path, (unsigned long)uid,
                     strerror(errno));
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof run_files / sizeof run_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", data_dir, run_files[i]);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid != uid &&
            lchown(path, uid, gid) != 0) {
            snprintf(err, cap, "cannot hand %s to uid %lu: %s", path, (unsigned long)uid,
                     strerror(errno));
            return -1;
        }
    }
    return 0;
}

int sup_drop_privileges(const ipc_config *cfg, char *err, size_t cap)
{
    if (geteuid() != 0)
        return 0;
    const char *name = cfg->sup_user[0] ? cfg->sup_user : "smallnano";
    errno = 0;
    struct passwd *pw = getpwnam(name);
    if (!pw) {
        if (cfg->sup_user[0]) {
            snprintf(err, cap, "[supervisor] user: there is no user '%s'", name);
            return -1;
        }
        if (ipc_config_switch(cfg, cfg->sup_allow_root)) {
            smn_warn("running as root: there is no user 'smallnano' to run as (create it with "
                     "useradd --system smallnano, or set [supervisor] user)");
            return 0;
        }
        snprintf(err, cap,
                 "refusing to run as root: there is no user 'smallnano' to run as. Create it "
                 "(useradd --system --home %s smallnano), set [supervisor] user, or set "
                 "[supervisor] allow_root = true",
                 cfg->data_dir);
        return -1;
    }
    if (pw->pw_uid == 0) {
        smn_warn("[supervisor] user '%s' is root: nothing to drop", name);
        return 0;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, cap, "cannot create the data directory %s: %s", cfg->data_dir,
                 strerror(errno));
        return -1;
    }
    if (chown_data(cfg->data_dir, uid, gid, err, cap) != 0)
        return -1;
    /* No capability can come back, even through a file's capabilities. */
    for (int c = 0; c <= CAP_LAST_CAP; c++)
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) {
            snprintf(err, cap, "cannot drop capability %d: %s", c, strerror(errno));
            return -1;
        }
    if (initgroups(name, gid) != 0 || setresgid(gid, gid, gid) != 0 ||
        setresuid(uid, uid, uid) != 0) {
        snprintf(err, cap, "cannot become user '%s' (uid %lu): %s", name, (unsigned long)uid,
                 strerror(errno));
        return -1;
    }
    if (setuid(0) == 0 || seteuid(0) == 0) {
        snprintf(err, cap, "could regain root after becoming '%s'", name);
        return -1;
    }
    smn_info("running as user %s (uid %lu, gid %lu)", name, (unsigned long)uid, (unsigned long)gid);
    return 0;
}
