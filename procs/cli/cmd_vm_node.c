/* Placeholder until its issue lands: says so instead of pretending. */
#include <stdio.h>

#include "procs/cli/cli.h"

int cli_cmd_vm_node(const cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    (void)argc;
    fprintf(stderr, "error: 'vm %s' is not built yet\n", argc > 1 ? argv[1] : "");
    return 2;
}
