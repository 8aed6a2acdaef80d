/* Placeholder until its issue lands: says so instead of pretending. */
#include <stdio.h>

#include "procs/cli/cli.h"

int cli_cmd_wallet(const cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    fprintf(stderr, "error: '%s' is not built yet\n", argv[0]);
    return 2;
}
