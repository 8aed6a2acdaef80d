/* [supervisor] exec_wrapper: the command line every child is exec'd
 * through (qemu-arm -L SYSROOT for a cross-built tree under user-mode
 * emulation, valgrind, strace). */
#ifndef SUP_EXEC_WRAPPER_H
#define SUP_EXEC_WRAPPER_H

#include <limits.h>
#include <stddef.h>

#include "common/argv_split.h"

typedef struct {
    char words[1024];
    char *argv[SMN_ARGV_SPLIT_MAX + 1];
    size_t n;            /* 0: no wrapper, children are exec'd directly */
    char path[PATH_MAX]; /* argv[0] resolved: as given if it holds a '/', else from PATH */
} sup_exec_wrapper;

/* Splits conf (smn_argv_split rules) into w and resolves its program: a
 * word with a '/' is used as it is, any other is looked up in $PATH; the
 * program must be an executable file. 0, or -1 with why (cap bytes) set
 * to one line that names the key. A blank conf gives n = 0. */
int sup_exec_wrapper_init(sup_exec_wrapper *w, const char *conf, char *why, size_t cap);

/* Fills argv (room for w->n + nargs + 1) with the wrapper's words, then
 * args[0..nargs-1], then NULL; returns the path to exec: w->path, or
 * args[0] when there is no wrapper. */
const char *sup_exec_wrapper_argv(const sup_exec_wrapper *w, char *const args[], size_t nargs,
                                  char **argv);

#endif
