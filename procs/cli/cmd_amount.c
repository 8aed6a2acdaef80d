/* smallnano-cli amount to-raw <smn> | from-raw <raw> */
#include <stdio.h>
#include <string.h>

#include "common/amount.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"

static int amount_usage(void)
{
    fputs("usage: smallnano-cli amount to-raw <smn> | amount from-raw <raw>\n", stderr);
    return 2;
}

int cli_cmd_amount(const cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    cli_args a;
    if (argc < 2 || !cli_args_scan(argc, argv, 2, NULL, NULL, 1, &a) || a.npos != 1)
        return amount_usage();
    const char *sub = argv[1];
    smn_amount_t v;
    smn_amount_status st;
    char buf[SMN_AMOUNT_SMN_STRLEN];
    if (strcmp(sub, "to-raw") == 0) {
        st = smn_amount_parse_smn(a.pos[0], &v);
        if (st == SMN_AMOUNT_OK)
            puts(smn_amount_format_raw(v, buf));
    } else if (strcmp(sub, "from-raw") == 0) {
        st = smn_amount_parse_raw(a.pos[0], &v);
        if (st == SMN_AMOUNT_OK)
            puts(smn_amount_format_smn(v, buf));
    } else {
        cli_err("unknown amount command '%s'\n", sub);
        return amount_usage();
    }
    if (st != SMN_AMOUNT_OK) {
        cli_err("'%s': %s\n", a.pos[0], smn_amount_strerror(st));
        return 2;
    }
    return 0;
}
