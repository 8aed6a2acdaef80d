#include "supervisor/exec_wrapper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int executable_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

int sup_exec_wrapper_init(sup_exec_wrapper *w, const char *conf, char *why, size_t cap)
{
    memset(w, 0, sizeof *w);
    int n = smn_argv_split(conf, w->words, sizeof w->words, w->argv, SMN_ARGV_SPLIT_MAX);
    if (n < 0) {
        snprintf(why, cap, "[supervisor] exec_wrapper: invalid value '%s': %s", conf,
                 smn_argv_split_strerror(n));
        return -1;
    }
    w->n = (size_t)n;
    if (n == 0)
        return 0;
    const char *prog = w->argv[0];
    if (strchr(prog, '/')) {
        if (strlen(prog) >= sizeof w->path || !executable_file(prog)) {
            snprintf(why, cap, "[supervisor] exec_wrapper: '%s' is not an executable file", prog);
            return -1;
        }
        strcpy(w->path, prog);
        return 0;
    }
    /* Resolved here, not by execvp in the forked child: the child only
     * execs, and a missing program is a start-up error, not a crash loop. */
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        int k = snprintf(w->path, sizeof w->path, "%.*s/%s", (int)len, len ? p : ".", prog);
        if (k > 0 && (size_t)k < sizeof w->path && executable_file(w->path))
            return 0;
        p += len;
        if (*p == ':')
            p++;
    }
    snprintf(why, cap, "[supervisor] exec_wrapper: no executable '%s' in PATH (%s)", prog, path);
    w->path[0] = '\0';
    return -1;
}

const char *sup_exec_wrapper_argv(const sup_exec_wrapper *w, char *const args[], size_t nargs,
                                  char **argv)
{
    size_t a = 0;
    for (size_t i = 0; i < w->n; i++)
        argv[a++] = w->argv[i];
    for (size_t i = 0; i < nargs; i++)
        argv[a++] = args[i];
    argv[a] = NULL;
    return w->n ? w->path : args[0];
}
