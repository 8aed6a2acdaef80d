/* The per-role sandboxes (ipc/sandbox.h): each case forks, applies one
 * role's sandbox in the child the way the child runtime does, then tries
 * one thing and reports 0 (it worked) or the errno that refused it. The
 * databases are real SQLite files in WAL mode. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc/sandbox.h"

static char dir[64];
static char path_buf[256];

static const char *at(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    return path_buf;
}

static void make_db(const char *name)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(at(name), &db), SQLITE_OK);
    int one = 1;
    sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
    assert_int_equal(sqlite3_exec(db,
                                  "PRAGMA journal_mode=WAL; CREATE TABLE t(x);"
                                  "INSERT INTO t VALUES(1);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
}

static void make_file(const char *name)
{
    int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
    close(fd);
}

static int setup(void **st)
{
    (void)st;
    strcpy(dir, "/tmp/smn-sandbox-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    make_db("ledger.db");
    make_db("vm.db");
    make_db("wallets.db");
    make_file("node.key");
    make_file("representative.key");
    char run[128];
    snprintf(run, sizeof run, "%s/run", dir);
    return mkdir(run, 0700);
}

static int teardown(void **st)
{
    (void)st;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* ---- probes: run in the sandboxed child; 0 = allowed, else the errno ---- */

static const char *g_path;
static int g_flags;
static int g_arg;

static int probe_open(void)
{
    int fd = open(g_path, g_flags | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

/* 0 when a read-only SQLite connection reads the row, 1 otherwise. */
static int probe_sqlite_read(void)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    int n = -1;
    if (sqlite3_open_v2(g_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n >= 1 ? 0 : 1; /* 2 once the ledger case wrote its row */
}

/* 0 when a read-write SQLite connection commits an insert, 1 otherwise. */
static int probe_sqlite_write(void)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(g_path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 1000);
        rc = sqlite3_exec(db, "INSERT INTO t VALUES(2)", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) /* expected in some cases: says which refusal it was */
        fprintf(stderr, "write to %s: %s\n", g_path, sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : 1;
}

static int probe_exec(void)
{
    char *const argv[] = {"/bin/true", NULL};
    execve("/bin/true", argv, NULL);
    return errno;
}

static int probe_fork(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    if (p > 0) {
        waitpid(p, NULL, 0);
        return 0;
    }
    return errno;
}

static int probe_socket(void)
{
    int fd = socket(g_arg, SOCK_STREAM, 0);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

/* Bind a TCP socket on 127.0.0.1:g_arg. */
static int probe_bind(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 1000 + errno;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_arg)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    int e = errno;
    close(fd);
    return r == 0 ? 0 : e;
}

static int probe_kill_parent(void)
{
    return kill(getppid(), 0) == 0 ? 0 : errno;
}

/* 0 when /proc/self/status shows NoNewPrivs 1 and Seccomp 2. */
static int probe_status(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 1;
    char line[256];
    int nnp = 0, sec = 0;
    while (fgets(line, sizeof line, f)) {
        if (strcmp(line, "NoNewPrivs:\t1\n") == 0)
            nnp = 1;
        if (strcmp(line, "Seccomp:\t2\n") == 0)
            sec = 1;
    }
    fclose(f);
    return nnp && sec ? 0 : 2;
}

/* A thread started before the sandbox (as the ledger's and rpc's pools
 * are, during init) waits for go, then tries g_path with g_flags and
 * checks its own status line. */
static int g_pre_thread;
static int go_pipe[2];
static pthread_t pre_thread;
static int pre_thread_result;

static void *pre_thread_main(void *arg)
{
    (void)arg;
    char c;
    if (read(go_pipe[0], &c, 1) != 1)
        return NULL;
    int fd = open(g_path, g_flags | O_CLOEXEC, 0600);
    pre_thread_result = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    char p[64];
    snprintf(p, sizeof p, "/proc/self/task/%ld/status", (long)syscall(SYS_gettid));
    FILE *f = fopen(p, "r");
    char line[256];
    int nnp = 0, sec = 0;
    while (f && fgets(line, sizeof line, f)) {
        nnp |= strcmp(line, "NoNewPrivs:\t1\n") == 0;
        sec |= strcmp(line, "Seccomp:\t2\n") == 0;
    }
    if (f)
        fclose(f);
    if (!nnp || !sec)
        pre_thread_result = 200;
    return NULL;
}

static int probe_pre_thread(void)
{
    if (write(go_pipe[1], "g", 1) != 1)
        return 201;
    pthread_join(pre_thread, NULL);
    return pre_thread_result;
}

/* Forks, applies role's sandbox in the child, runs probe there. Returns
 * the probe's answer (0 allowed, errno refused); 100 if the sandbox could
 * not be applied. */
static int in_sandbox(const char *role, int (*probe)(void))
{
    fflush(NULL);
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0) {
        ipc_config c;
        ipc_config_defaults(&c);
        snprintf(c.data_dir, sizeof c.data_dir, "%s", dir);
        c.rpc_port = 17555;
        if (g_pre_thread &&
            (pipe(go_pipe) != 0 || pthread_create(&pre_thread, NULL, pre_thread_main, NULL) != 0))
            _exit(101);
        char err[300];
        if (ipc_sandbox_apply(role, &c, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            _exit(100);
        }
        _exit(probe()); /* _exit: no atexit work (or leak check) in a fork */
    }
    int ws = 0;
    assert_int_equal(waitpid(p, &ws, 0), p);
    assert_true(WIFEXITED(ws));
    return WEXITSTATUS(ws);
}

static int try_open(const char *role, const char *name, int flags)
{
    g_path = at(name);
    g_flags = flags;
    return in_sandbox(role, probe_open);
}

static int try_sqlite(const char *role, const char *name, int (*probe)(void))
{
    g_path = at(name);
    return in_sandbox(role, probe);
}

static const char *const all_roles[] = {"ledger", "net", "elections", "bootstrap", "vm", "rpc"};

static void test_kernel_has_landlock(void **st)
{
    (void)st;
    /* The filesystem cases below need it; this machine's kernel has it
     * (a kernel without it is logged once by every child, not tested). */
    assert_true(ipc_sandbox_landlock_abi() >= 4);
}

static void test_status_every_role(void **st)
{
    (void)st;
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(in_sandbox(all_roles[i], probe_status), 0);
}

static void test_unknown_role(void **st)
{
    (void)st;
    ipc_config c;
    ipc_config_defaults(&c);
    snprintf(c.data_dir, sizeof c.data_dir, "%s", dir);
    char err[300];
    /* Checked before anything is applied, so this process stays as it was. */
    assert_int_equal(ipc_sandbox_apply("wallet", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "'wallet'"));
}

static void test_net(void **st)
{
    (void)st;
    assert_int_equal(try_open("net", "ledger.db", O_RDWR), EACCES);
    assert_int_equal(try_sqlite("net", "ledger.db", probe_sqlite_write), 1);
    assert_int_equal(try_sqlite("net", "ledger.db", probe_sqlite_read), 0); /* telemetry, pulls */
    assert_int_equal(try_open("net", "wallets.db", O_RDONLY), EACCES);
    assert_int_equal(try_open("net", "vm.db", O_RDONLY), EACCES);
    assert_int_equal(try_open("net", "representative.key", O_RDONLY), EACCES);
    assert_int_equal(try_open("net", "node.key", O_RDONLY), EACCES); /* read at init only */
    assert_int_equal(try_open("net", "new-file", O_WRONLY | O_CREAT), EACCES);
}

static void test_rpc(void **st)
{
    (void)st;
    assert_int_equal(try_open("rpc", "ledger.db", O_RDWR), EACCES);
    assert_int_equal(try_sqlite("rpc", "ledger.db", probe_sqlite_write), 1);
    assert_int_equal(try_sqlite("rpc", "ledger.db", probe_sqlite_read), 0);
    assert_int_equal(try_open("rpc", "vm.db", O_RDWR), EACCES);
    assert_int_equal(try_sqlite("rpc", "vm.db", probe_sqlite_read), 0);
    assert_int_equal(try_sqlite("rpc", "wallets.db", probe_sqlite_write), 0);
    assert_int_equal(try_open("rpc", "node.key", O_RDONLY), EACCES);
    assert_int_equal(try_open("rpc", "representative.key", O_RDONLY), EACCES);
    /* Its own port only (Landlock ABI >= 4). */
    g_arg = 17556;
    assert_int_equal(in_sandbox("rpc", probe_bind), EACCES);
}

static void test_elections(void **st)
{
    (void)st;
    assert_int_equal(try_open("elections", "wallets.db", O_RDONLY), EACCES);
    assert_int_equal(try_open("elections", "representative.key", O_RDONLY), EACCES);
    assert_int_equal(try_open("elections", "node.key", O_RDONLY), EACCES);
    assert_int_equal(try_open("elections", "ledger.db", O_RDWR), EACCES);
    assert_int_equal(try_sqlite("elections", "ledger.db", probe_sqlite_read), 0);
    g_arg = AF_INET; /* no TCP/IP at all */
    assert_int_equal(in_sandbox("elections", probe_socket), EPERM);
}

static void test_bootstrap(void **st)
{
    (void)st;
    assert_int_equal(try_open("bootstrap", "ledger.db", O_RDWR), EACCES);
    assert_int_equal(try_sqlite("bootstrap", "ledger.db", probe_sqlite_read), 0);
    assert_int_equal(try_open("bootstrap", "wallets.db", O_RDONLY), EACCES);
    assert_int_equal(try_open("bootstrap", "stray", O_WRONLY | O_CREAT), EACCES);
    assert_int_equal(try_open("bootstrap", "bootstrap/bootstrap.state.tmp", O_WRONLY | O_CREAT), 0);
}

static void test_ledger(void **st)
{
    (void)st;
    assert_int_equal(try_sqlite("ledger", "ledger.db", probe_sqlite_write), 0);
    assert_int_equal(try_open("ledger", "vm.db", O_RDONLY), EACCES);
    assert_int_equal(try_open("ledger", "wallets.db", O_RDONLY), EACCES);
    assert_int_equal(try_open("ledger", "node.key", O_RDONLY), EACCES);
    g_arg = AF_INET;
    assert_int_equal(in_sandbox("ledger", probe_socket), EPERM);
}

static void test_vm(void **st)
{
    (void)st;
    assert_int_equal(try_sqlite("vm", "vm.db", probe_sqlite_write), 0);
    assert_int_equal(try_open("vm", "ledger.db", O_RDWR), EACCES);
    assert_int_equal(try_sqlite("vm", "ledger.db", probe_sqlite_write), 1);
    assert_int_equal(try_sqlite("vm", "ledger.db", probe_sqlite_read), 0);
    assert_int_equal(try_open("vm", "wallets.db", O_RDONLY), EACCES);
}

static void test_threads_started_before(void **st)
{
    (void)st;
    g_pre_thread = 1;
    g_path = at("ledger.db");
    g_flags = O_RDONLY;
    assert_int_equal(in_sandbox("net", probe_pre_thread), 0);
    g_flags = O_RDWR;
    assert_int_equal(in_sandbox("net", probe_pre_thread), EACCES);
    g_path = at("wallets.db");
    g_flags = O_RDONLY;
    assert_int_equal(in_sandbox("ledger", probe_pre_thread), EACCES);
    g_pre_thread = 0;
}

/* A kernel without Landlock: the child says so and keeps no_new_privs and
 * seccomp; the filesystem is then open to it. */
static void test_without_landlock(void **st)
{
    (void)st;
    setenv("SMN_TEST_NO_LANDLOCK", "1", 1);
    assert_int_equal(ipc_sandbox_landlock_abi(), 0);
    assert_int_equal(in_sandbox("net", probe_status), 0);
    assert_int_equal(try_open("net", "wallets.db", O_RDONLY), 0);
    assert_int_equal(in_sandbox("net", probe_exec), EPERM);
    unsetenv("SMN_TEST_NO_LANDLOCK");
    assert_true(ipc_sandbox_landlock_abi() >= 4);
}

static void test_no_new_process_no_signals(void **st)
{
    (void)st;
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(in_sandbox(all_roles[i], probe_exec), EPERM);
        assert_int_equal(in_sandbox(all_roles[i], probe_fork), EPERM);
        assert_int_equal(in_sandbox(all_roles[i], probe_kill_parent), EPERM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_has_landlock),
        cmocka_unit_test(test_status_every_role),
        cmocka_unit_test(test_unknown_role),
        cmocka_unit_test(test_net),
        cmocka_unit_test(test_rpc),
        cmocka_unit_test(test_elections),
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_ledger),
        cmocka_unit_test(test_vm),
        cmocka_unit_test(test_threads_started_before),
        cmocka_unit_test(test_without_landlock),
        cmocka_unit_test(test_no_new_process_no_signals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
