#include "ipc/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <seccomp.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "common/network.h"

/* Debian 12's kernel headers stop at Landlock ABI 2; the ABI itself is
 * stable, so the later rights and fields are spelled out here. */
#define LL_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LL_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define LL_NET_BIND_TCP (1ULL << 0)  /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct ll_path_beneath {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port {
    uint64_t allowed_access;
    uint64_t port;
};

#define FS_R (LANDLOCK_ACCESS_FS_READ_FILE)
#define FS_RW (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LL_FS_TRUNCATE)
#define FS_RDIR (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* A directory whose files the role creates, rewrites and renames. */
#define FS_OWNDIR                                                                                  \
    (FS_RW | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |                           \
     LANDLOCK_ACCESS_FS_REMOVE_FILE)

typedef enum { TCP_NONE, TCP_BIND_RPC, TCP_BIND_WS, TCP_ANY } tcp_policy;

typedef struct {
    const char *name; /* relative to DATA_DIR */
    uint64_t access;
} file_rule;

typedef struct {
    const char *role;
    file_rule files[12];
    const char *own_db[2];  /* written by this role: prepared (WAL, -wal/-shm exist) first */
    uint64_t run_dir;       /* rights on DATA_DIR/run beyond connecting to its sockets */
    const char *own_subdir; /* DATA_DIR/<it>, with FS_OWNDIR */
    tcp_policy tcp;
    bool inet; /* may create AF_INET/AF_INET6 sockets */
} role_spec;

/* SQLite WAL readers write their read marks into the -shm, so a reader of
 * a database has rw on its -shm (the wal-index), read on the rest. */
#define READS(db)                                                                                  \
    {db, FS_R}, {db "-wal", FS_R},                                                                 \
    {                                                                                              \
        db "-shm", FS_RW                                                                           \
    }
#define WRITES(db)                                                                                 \
    {db, FS_RW}, {db "-wal", FS_RW},                                                               \
    {                                                                                              \
        db "-shm", FS_RW                                                                           \
    }

static const role_spec roles[] = {
    {.role = "ledger", .files = {WRITES("ledger.db")}, .own_db = {"ledger.db"}, .tcp = TCP_NONE},
    /* node.key is read (created on first start) during init. */
    {.role = "net", .files = {READS("ledger.db")}, .tcp = TCP_ANY, .inet = true},
    /* The representative key file is read during init, never after. */
    {.role = "elections", .files = {READS("ledger.db")}, .tcp = TCP_NONE},
    {.role = "bootstrap",
     .files = {READS("ledger.db")},
     .own_subdir = "bootstrap",
     .tcp = TCP_NONE},
    {.role = "vm",
     .files = {READS("ledger.db"), WRITES("vm.db")},
     .own_db = {"vm.db"},
     /* run/vm-events.sock: bound at init, removed at exit */
     .run_dir = LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_REMOVE_FILE,
     .tcp = TCP_NONE},
    {.role = "rpc",
     .files = {READS("ledger.db"), READS("vm.db"), WRITES("wallets.db")},
     .own_db = {"wallets.db"},
     /* run/rpc.addr (temp file + rename) */
     .run_dir = FS_RW | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE,
     .tcp = TCP_BIND_RPC,
     .inet = true},
    /* The WebSocket feed: reads the cementing log; its own TCP port. */
    {.role = "ws", .files = {READS("ledger.db")}, .tcp = TCP_BIND_WS, .inet = true},
};

static const role_spec *role_of(const char *name)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].role, name) == 0)
            return &roles[i];
    return NULL;
}

/* ---- Landlock ---- */

int ipc_sandbox_landlock_abi(void)
{
    const char *t = getenv("SMN_TEST_NO_LANDLOCK"); /* test hook: a kernel without it */
    if (t && strcmp(t, "1") == 0)
        return 0;
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi < 0 ? 0 : (int)abi;
}

static uint64_t fs_rights(int abi)
{
    uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1 */
    if (abi >= 2)
        r |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        r |= LL_FS_TRUNCATE;
    if (abi >= 5)
        r |= LL_FS_IOCTL_DEV;
    return r;
}

/* Rights a rule on a non-directory may carry. */
#define FS_FILE_RIGHTS                                                                             \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |   \
     LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

/* Adds a path rule; a missing path is skipped (returns 1), other errors -1. */
static int add_path(int rs, const char *path, uint64_t access, uint64_t handled, bool is_file,
                    char *err, size_t cap)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, cap, "sandbox: cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct ll_path_beneath pb = {.allowed_access = access & handled, .parent_fd = fd};
    if (is_file)
        pb.allowed_access &= FS_FILE_RIGHTS;
    long r =
        pb.allowed_access ? syscall(SYS_landlock_add_rule, rs, LL_RULE_PATH_BENEATH, &pb, 0) : 0;
    int e = errno;
    close(fd);
    if (r != 0) {
        snprintf(err, cap, "sandbox: landlock rule for %s: %s", path, strerror(e));
        return -1;
    }
    return 0;
}

/* landlock_restrict_self() restricts the calling thread only, and init may
 * have started threads (the ledger's signature checkers, rpc's work and
 * Argon2id pools). Each of them runs this handler, sent by tgkill, so
 * every thread of the process ends up in the same domain (glibc's setxid
 * broadcast does the same for setuid). */
static int g_sync_ruleset = -1;
static atomic_int g_sync_done, g_sync_failed;

static void on_sync(int sig)
{
    (void)sig;
    int e = errno;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_landlock_restrict_self, g_sync_ruleset, 0) != 0)
        atomic_fetch_add(&g_sync_failed, 1);
    atomic_fetch_add(&g_sync_done, 1);
    errno = e;
}

static int restrict_other_threads(int rs, char *err, size_t cap)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) {
        snprintf(err, cap, "sandbox: cannot list this process's threads: %s", strerror(errno));
        return -1;
    }
    int sig = SIGRTMIN;
    struct sigaction sa = {.sa_handler = on_sync, .sa_flags = SA_RESTART}, old;
    sigemptyset(&sa.sa_mask);
    g_sync_ruleset = rs;
    atomic_store(&g_sync_done, 0);
    atomic_store(&g_sync_failed, 0);
    if (sigaction(sig, &sa, &old) != 0) {
        closedir(d);
        snprintf(err, cap, "sandbox: sigaction: %s", strerror(errno));
        return -1;
    }
    pid_t self = (pid_t)syscall(SYS_gettid);
    int sent = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        pid_t tid = (pid_t)atoi(e->d_name);
        if (tid <= 0 || tid == self)
            continue;
        if (syscall(SYS_tgkill, getpid(), tid, sig) == 0)
            sent++;
    }
    closedir(d);
    /* Every thread answers within a few ms; 2 s is a broken process. */
    for (int i = 0; i < 2000 && atomic_load(&g_sync_done) < sent; i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    int done = atomic_load(&g_sync_done), failed = atomic_load(&g_sync_failed);
    sigaction(sig, &old, NULL);
    if (done < sent || failed) {
        snprintf(err, cap, "sandbox: %d of %d other threads did not enter the sandbox",
                 sent - done + failed, sent);
        return -1;
    }
    return 0;
}

static int landlock_apply(const role_spec *rs_spec, const ipc_config *cfg, int abi, char *err,
                          size_t cap)
{
    uint64_t handled = fs_rights(abi);
    struct ll_ruleset_attr attr = {.handled_access_fs = handled};
    size_t attr_size = sizeof attr.handled_access_fs;
    if (abi >= 4 && rs_spec->tcp != TCP_ANY) {
        attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        attr_size = offsetof(struct ll_ruleset_attr, scoped);
    }
    if (abi >= 6) {
        attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
        attr_size = sizeof attr;
    }
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (rs < 0) {
        snprintf(err, cap, "sandbox: landlock_create_ruleset: %s", strerror(errno));
        return -1;
    }
    int r = 0;
    /* The system, read-only: libraries (NSS, dlopen), /etc (resolver,
     * hosts), /proc and /sys (sysconf, the sanitizers' /proc/self/maps),
     * /dev/null and /dev/urandom. */
    static const char *const sys_ro[] = {"/usr",  "/lib", "/lib64",    "/lib32",      "/etc",
                                         "/proc", "/sys", "/dev/null", "/dev/urandom"};
    for (size_t i = 0; r >= 0 && i < sizeof sys_ro / sizeof sys_ro[0]; i++)
        r = add_path(rs, sys_ro[i], FS_RDIR, handled, strncmp(sys_ro[i], "/dev/", 5) == 0, err,
                     cap);
    /* The executable itself (the sanitizers read it to symbolize). */
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (r >= 0 && n > 0) {
        exe[n] = '\0';
        r = add_path(rs, exe, FS_R, handled, true, err, cap);
    }
    char path[4400];
    /* SQLite's temporary files (large sorts, statement journals), which it
     * unlinks as soon as it opened them: DATA_DIR/tmp, see prepare_tmp(). */
    snprintf(path, sizeof path, "%s/tmp", cfg->data_dir);
    if (r >= 0)
        r = add_path(rs, path, FS_OWNDIR, handled, false, err, cap);
    for (size_t i = 0; r >= 0 && i < sizeof rs_spec->files / sizeof rs_spec->files[0]; i++) {
        const file_rule *f = &rs_spec->files[i];
        if (!f->name)
            break;
        snprintf(path, sizeof path, "%s/%s", cfg->data_dir, f->name);
        r = add_path(rs, path, f->access, handled, true, err, cap);
        if (r == 1) {
            smn_warn("sandbox: %s does not exist yet: this process cannot open it", path);
            r = 0;
        }
    }
    if (r >= 0 && rs_spec->run_dir) {
        snprintf(path, sizeof path, "%s/run", cfg->data_dir);
        r = add_path(rs, path, rs_spec->run_dir, handled, false, err, cap);
    }
    if (r >= 0 && rs_spec->own_subdir) {
        snprintf(path, sizeof path, "%s/%s", cfg->data_dir, rs_spec->own_subdir);
        r = add_path(rs, path, FS_OWNDIR, handled, false, err, cap);
    }
    if (r >= 0 && attr.handled_access_net &&
        (rs_spec->tcp == TCP_BIND_RPC || rs_spec->tcp == TCP_BIND_WS)) {
        const smn_network *net = smn_network_by_name(cfg->network);
        uint64_t port = rs_spec->tcp == TCP_BIND_RPC
                            ? (cfg->rpc_port ? cfg->rpc_port : (net ? net->rpc_port : 0))
                            : (cfg->ws_port ? cfg->ws_port : (net ? net->ws_port : 0));
        struct ll_net_port np = {.allowed_access = LL_NET_BIND_TCP, .port = port};
        if (port && syscall(SYS_landlock_add_rule, rs, LL_RULE_NET_PORT, &np, 0) != 0) {
            snprintf(err, cap, "sandbox: landlock rule for TCP port %llu: %s",
                     (unsigned long long)port, strerror(errno));
            r = -1;
        }
    }
    if (r >= 0 && syscall(SYS_landlock_restrict_self, rs, 0) != 0) {
        snprintf(err, cap, "sandbox: landlock_restrict_self: %s", strerror(errno));
        r = -1;
    }
    if (r >= 0)
        r = restrict_other_threads(rs, err, cap);
    close(rs);
    return r < 0 ? -1 : 0;
}

/* ---- the role's own databases ---- */

/* Makes DATA_DIR/<db> exist in WAL mode with its -wal and -shm, and keeps
 * those two across closes (SQLITE_FCNTL_PERSIST_WAL), so the Landlock
 * rules can name them and they keep their inodes for the node's life. */
static int prepare_db(const char *data_dir, const char *db, char *err, size_t cap)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", data_dir, db);
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(h, 5000);
        int one = 1;
        sqlite3_file_control(h, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
        rc = sqlite3_exec(h, "PRAGMA journal_mode=WAL; SELECT count(*) FROM sqlite_master;", NULL,
                          NULL, NULL);
    }
    if (rc != SQLITE_OK)
        snprintf(err, cap, "sandbox: cannot prepare %s: %s", path,
                 h ? sqlite3_errmsg(h) : "out of memory");
    sqlite3_close(h);
    return rc == SQLITE_OK ? 0 : -1;
}

/* SQLite puts its temporary files in DATA_DIR/tmp from now on: /tmp may
 * hold the data directory itself (tests), so it cannot be granted. */
static int prepare_tmp(const char *data_dir, char *err, size_t cap)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/tmp", data_dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        snprintf(err, cap, "sandbox: cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    char *dup = sqlite3_mprintf("%s", path);
    if (!dup) {
        snprintf(err, cap, "sandbox: out of memory");
        return -1;
    }
    sqlite3_free(sqlite3_temp_directory);
    sqlite3_temp_directory = dup;
    return 0;
}

/* ---- seccomp ---- */

/* Every role: the event loop, IPC over Unix sockets, SQLite, threads,
 * time, memory, signals, exit. */
static const int sys_base[] = {
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(pread64),
    SCMP_SYS(pwrite64),
    SCMP_SYS(close),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(stat),
    SCMP_SYS(lstat),
    SCMP_SYS(statx),
    SCMP_SYS(lseek),
    SCMP_SYS(openat),
    SCMP_SYS(open),
    SCMP_SYS(access),
    SCMP_SYS(faccessat),
    SCMP_SYS(faccessat2),
    SCMP_SYS(fcntl),
    SCMP_SYS(ioctl),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    SCMP_SYS(ftruncate),
    SCMP_SYS(fallocate),
    SCMP_SYS(unlink),
    SCMP_SYS(unlinkat),
    SCMP_SYS(rename),
    SCMP_SYS(renameat),
    SCMP_SYS(renameat2),
    SCMP_SYS(mkdir),
    SCMP_SYS(mkdirat),
    SCMP_SYS(getdents64),
    SCMP_SYS(readlink),
    SCMP_SYS(readlinkat),
    SCMP_SYS(getcwd),
    SCMP_SYS(fchown),
    SCMP_SYS(fchmod),
    SCMP_SYS(umask),
    SCMP_SYS(statfs),
    SCMP_SYS(fstatfs),
    SCMP_SYS(dup),
    SCMP_SYS(dup2),
    SCMP_SYS(dup3),
    SCMP_SYS(pipe),
    SCMP_SYS(pipe2),
    SCMP_SYS(eventfd2),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mprotect),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    SCMP_SYS(brk),
    SCMP_SYS(mincore),
    SCMP_SYS(epoll_create1),
    SCMP_SYS(epoll_ctl),
    SCMP_SYS(epoll_wait),
    SCMP_SYS(epoll_pwait),
    SCMP_SYS(epoll_pwait2),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(select),
    SCMP_SYS(pselect6),
    SCMP_SYS(timerfd_create),
    SCMP_SYS(timerfd_settime),
    SCMP_SYS(timerfd_gettime),
    SCMP_SYS(accept),
    SCMP_SYS(accept4),
    SCMP_SYS(connect),
    SCMP_SYS(recvfrom),
    SCMP_SYS(recvmsg),
    SCMP_SYS(recvmmsg),
    SCMP_SYS(sendto),
    SCMP_SYS(sendmsg),
    SCMP_SYS(sendmmsg),
    SCMP_SYS(getsockopt),
    SCMP_SYS(setsockopt),
    SCMP_SYS(getsockname),
    SCMP_SYS(getpeername),
    SCMP_SYS(shutdown),
    SCMP_SYS(socketpair),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigtimedwait),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(getppid),
    SCMP_SYS(getuid),
    SCMP_SYS(geteuid),
    SCMP_SYS(getgid),
    SCMP_SYS(getegid),
    SCMP_SYS(getpgrp),
    SCMP_SYS(getrlimit),
    SCMP_SYS(prlimit64),
    SCMP_SYS(getrusage),
    SCMP_SYS(sysinfo),
    SCMP_SYS(uname),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_getres),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(time),
    SCMP_SYS(getrandom),
    SCMP_SYS(futex),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(get_robust_list),
    SCMP_SYS(rseq),
    SCMP_SYS(set_tid_address),
    SCMP_SYS(sched_yield),
    SCMP_SYS(sched_getaffinity),
    SCMP_SYS(membarrier),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(prctl),
    SCMP_SYS(arch_prctl),
    SCMP_SYS(getcpu),
};

/* Sockets the role may create (domain is argument 0). */
static int allow_socket(scmp_filter_ctx f, int domain)
{
    return seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, domain));
}

static int seccomp_apply(const role_spec *r, char *err, size_t cap)
{
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!f) {
        snprintf(err, cap, "sandbox: seccomp_init failed");
        return -1;
    }
    /* Every thread gets the filter (and no_new_privs), not only this one. */
    int rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_TSYNC, 1);
    /* libseccomp probes the kernel here: EOPNOTSUPP means the platform
     * loads no filter (qemu-user refuses seccomp), not a bad rule. */
    bool platform = rc == -EOPNOTSUPP;
    for (size_t i = 0; rc == 0 && i < sizeof sys_base / sizeof sys_base[0]; i++)
        if (sys_base[i] >= 0) /* __NR_SCMP_ERROR for a syscall this arch lacks */
            rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, sys_base[i], 0);
    /* Threads (clone with CLONE_THREAD), never a new process; clone3 says
     * ENOSYS so glibc falls back to clone, whose flags a filter can read. */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc == 0)
        rc = allow_socket(f, AF_UNIX);
    if (rc == 0 && r->inet)
        rc = allow_socket(f, AF_INET);
    if (rc == 0 && r->inet)
        rc = allow_socket(f, AF_INET6);
    /* Listening: net and rpc (a port that was taken is retried), vm (its
     * event socket). */
    bool binds = r->inet || (r->run_dir & LANDLOCK_ACCESS_FS_MAKE_SOCK);
    if (rc == 0 && binds)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(bind), 0);
    if (rc == 0 && binds)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(listen), 0);
    /* Signals only to itself (raise, abort). */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
#if defined(__SANITIZE_ADDRESS__)
    /* LeakSanitizer's report at exit stops the world: a tracer made with
     * clone(CLONE_VM) (not a thread, and never a fork) attaches to every thread with ptrace and
     * reads /proc/PID/task (getdents). Allowed in the sanitizer build only. */
    static const int sys_asan[] = {SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(waitid),
                                   SCMP_SYS(getdents)};
    for (size_t i = 0; rc == 0 && i < sizeof sys_asan / sizeof sys_asan[0]; i++)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, sys_asan[i], 0);
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD | CLONE_VM, CLONE_VM));
#endif
    if (rc == 0)
        rc = seccomp_load(f);
    if (rc != 0)
        snprintf(err, cap, "sandbox: seccomp: %s", strerror(-rc));
    seccomp_release(f);
    return rc == 0 ? 0 : platform ? -2 : -1; /* -2: no seccomp on this platform */
}

/* ---- apply ---- */

int ipc_sandbox_apply(const char *role, const ipc_config *cfg, char *err, size_t cap)
{
    const role_spec *r = role_of(role);
    if (!r) {
        snprintf(err, cap, "sandbox: no sandbox for a process named '%s'", role);
        return -1;
    }
    for (size_t i = 0; i < 2 && r->own_db[i]; i++)
        if (prepare_db(cfg->data_dir, r->own_db[i], err, cap) != 0)
            return -1;
    if (prepare_tmp(cfg->data_dir, err, cap) != 0)
        return -1;
    if (r->own_subdir) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", cfg->data_dir, r->own_subdir);
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            snprintf(err, cap, "sandbox: cannot create %s: %s", path, strerror(errno));
            return -1;
        }
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(err, cap, "sandbox: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return -1;
    }
    int abi = ipc_sandbox_landlock_abi();
    if (abi <= 0)
        smn_warn("sandbox: this kernel has no Landlock (or it is disabled): the filesystem is "
                 "not restricted for %s, only its syscalls",
                 role);
    else if (landlock_apply(r, cfg, abi, err, cap) != 0)
        return -1;
    int sc = seccomp_apply(r, err, cap);
    /* A platform that loads no filter, under an exec wrapper: the
     * operator chose to run the child inside another program (qemu-user
     * refuses seccomp, which would filter its own host syscalls), so go on
     * with the rest of the sandbox, saying so. Never without a wrapper. */
    if (sc == -2 && cfg->sup_exec_wrapper[0]) {
        smn_warn("%s under [supervisor] exec_wrapper: the syscalls of %s are not restricted", err,
                 role);
        sc = 0;
    }
    if (sc != 0)
        return -1;
    smn_debug("sandbox applied (landlock ABI %d)", abi);
    return 0;
}
