#include "supervisor/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int try_path(char *out, size_t cap, char *tried, size_t tried_cap, const char *fmt,
                    const char *a, const char *b)
{
    char p[PATH_MAX];
    int n = snprintf(p, sizeof p, fmt, a, b, b);
    if (n < 0 || (size_t)n >= sizeof p || (size_t)n >= cap)
        return -1;
    size_t tl = strlen(tried);
    snprintf(tried + tl, tried_cap - tl, "%s%s", tl ? ", " : "", p);
    if (access(p, X_OK) != 0)
        return -1;
    memcpy(out, p, (size_t)n + 1);
    return 0;
}

int sup_find_exe(const char *name, char *out, size_t cap, char *tried, size_t tried_cap)
{
    tried[0] = '\0';
    const char *env = getenv("SMN_LIBEXEC_DIR");
    if (env && *env && try_path(out, cap, tried, tried_cap, "%s/smallnano-%s", env, name) == 0)
        return 0;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        const char *dir = dirname(self);
        if (try_path(out, cap, tried, tried_cap, "%s/smallnano-%s", dir, name) == 0)
            return 0;
        if (try_path(out, cap, tried, tried_cap, "%s/../procs/%s/smallnano-%s", dir, name) == 0)
            return 0;
    }
    return -ENOENT;
}

static bool dropped_var(const char *e)
{
    static const char *const drop[] = {
        "NOTIFY_SOCKET=",      "WATCHDOG_USEC=",  "WATCHDOG_PID=",  "LISTEN_FDS=",
        "LISTEN_PID=",         "LISTEN_FDNAMES=", "SMN_LISTEN_FD=", "SMN_CONTROL_FD=",
        "SMN_SUPERVISOR_PID=", "SMN_PEER_FD="};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (strncmp(e, drop[i], strlen(drop[i])) == 0)
            return true;
    return false;
}

pid_t sup_spawn(const char *path, char *const argv[], int listen_fd, int ctl_fd, int peer_fd)
{
    /* Build the environment before fork: the child only dup2s and execs. */
    size_t n = 0;
    while (environ[n])
        n++;
    char **envp = calloc(n + 5, sizeof *envp);
    char sup_pid[48];
    if (!envp)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!dropped_var(environ[i]))
            envp[k++] = environ[i];
    snprintf(sup_pid, sizeof sup_pid, "SMN_SUPERVISOR_PID=%ld", (long)getpid());
    envp[k++] = "SMN_LISTEN_FD=3";
    envp[k++] = "SMN_CONTROL_FD=4";
    envp[k++] = sup_pid;
    if (peer_fd >= 0)
        envp[k++] = "SMN_PEER_FD=5";
    envp[k] = NULL;

    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        free(envp);
        return -e;
    }
    if (pid == 0) {
        /* Move the fds above 5 first so dup2 onto 3, 4 and 5 cannot
         * clobber any of them; dup2 also clears close-on-exec on the targets. */
        int l = fcntl(listen_fd, F_DUPFD_CLOEXEC, 10);
        int c = fcntl(ctl_fd, F_DUPFD_CLOEXEC, 10);
        int p = peer_fd >= 0 ? fcntl(peer_fd, F_DUPFD_CLOEXEC, 10) : -1;
        if (l < 0 || c < 0 || dup2(l, 3) < 0 || dup2(c, 4) < 0)
            _exit(126);
        if (peer_fd >= 0 && (p < 0 || dup2(p, 5) < 0))
            _exit(126);
        close_range(peer_fd >= 0 ? 6 : 5, ~0u, 0);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        for (int s = 1; s < NSIG; s++)
            if (s != SIGKILL && s != SIGSTOP)
                signal(s, SIG_DFL);
        setpgid(0, 0);
        execve(path, argv, envp);
        static const char msg[] = "error supervisor: exec of a child failed\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        _exit(127);
    }
    free(envp);
    return pid;
}
