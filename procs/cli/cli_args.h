/* Strict argument scanning for the offline command families (key, address,
 * amount, block, genesis, work). Header-only so the lead's cli_util.c and
 * meson.build need not change. */
#ifndef SMN_CLI_ARGS_H
#define SMN_CLI_ARGS_H

#include <stdio.h>
#include <string.h>

#include "common/network.h"
#include "procs/cli/cli.h"

#define CLI_ARGS_MAX_POS 4

typedef struct {
    const char *pos[CLI_ARGS_MAX_POS]; /* positionals after the sub-command */
    int npos;
} cli_args;

static inline bool cli_args_in(const char *s, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* Scan argv[first..] (2 after a sub-command such as "key create"): options in `valued` take a
 * value, names in `flags` stand alone, "--json" and "--network X" are always accepted (the global
 * options may come after the command), everything else is positional. Prints the problem and
 * returns false on an unknown option, a missing value or more than max_pos positionals. */
static inline bool cli_args_scan(int argc, char **argv, int first, const char *const *valued,
                                 const char *const *flags, int max_pos, cli_args *out)
{
    size_t n = 0, max = max_pos < 0 ? 0 : (size_t)max_pos;
    if (max > CLI_ARGS_MAX_POS)
        max = CLI_ARGS_MAX_POS;
    out->npos = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--network") == 0 || cli_args_in(a, valued)) {
            if (i + 1 >= argc) {
                fprintf(stderr, "error: %s needs a value\n", a);
                return false;
            }
            i++;
        } else if (strcmp(a, "--json") == 0 || cli_args_in(a, flags)) {
            continue;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "error: unknown option %s\n", a);
            return false;
        } else {
            if (n >= max) {
                fprintf(stderr, "error: unexpected argument '%s'\n", a);
                return false;
            }
            out->pos[n++] = a;
            out->npos = (int)n;
        }
    }
    return true;
}

/* The network from "--network" after the command, else the global one.
 * Prints an error and returns NULL when absent or unknown. */
static inline const smn_network *cli_args_network(const cli_ctx *ctx, int argc, char **argv)
{
    const char *name = cli_opt(argc, argv, "--network");
    if (!name)
        name = ctx->network;
    if (!name) {
        fputs("error: --network <dev|test|live> is required\n", stderr);
        return NULL;
    }
    const smn_network *net = smn_network_by_name(name);
    if (!net)
        fprintf(stderr, "error: unknown network '%s' (expected dev, test or live)\n", name);
    return net;
}

#endif
