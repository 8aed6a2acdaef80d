/* smallnano-cli address validate <address> | from-key <public-hex> */
#include <stdio.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"

static int address_usage(void)
{
    fputs("usage: smallnano-cli address validate <address> | address from-key <public-hex>\n",
          stderr);
    return 2;
}

int cli_cmd_address(const cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    cli_args a;
    if (argc < 2 || !cli_args_scan(argc, argv, 2, NULL, NULL, 1, &a) || a.npos != 1)
        return address_usage();
    const char *sub = argv[1];
    if (strcmp(sub, "validate") == 0) {
        uint8_t pub[32];
        smn_address_status st = smn_address_decode(a.pos[0], pub);
        if (st != SMN_ADDRESS_OK) {
            /* An invalid address is an answer, not a usage error: exit 1. */
            printf("invalid: %s\n", smn_address_strerror(st));
            return 1;
        }
        puts("valid");
        return 0;
    }
    if (strcmp(sub, "from-key") == 0) {
        uint8_t pub[32];
        if (!smn_hex_decode(a.pos[0], pub, 32)) {
            cli_err("%s", "public key must be 64 hex characters\n");
            return 2;
        }
        char addr[SMN_ADDRESS_STRLEN];
        smn_address_encode(pub, addr);
        puts(addr);
        return 0;
    }
    cli_err("unknown address command '%s'\n", sub);
    return address_usage();
}
