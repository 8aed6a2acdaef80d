/* smallnano-cli genesis --network <dev|test|live> [--json] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/address.h"
#include "common/block_json.h"
#include "common/hex.h"
#include "common/network.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"

int cli_cmd_genesis(const cli_ctx *ctx, int argc, char **argv)
{
    /* "genesis" has no sub-command: options start at argv[1]. */
    cli_args a;
    if (!cli_args_scan(argc, argv, 1, NULL, NULL, 0, &a)) {
        fputs("usage: smallnano-cli genesis --network <dev|test|live> [--json]\n", stderr);
        return 2;
    }
    const smn_network *net = cli_args_network(ctx, argc, argv);
    if (!net)
        return 2;
    const smn_block *g = &net->genesis;
    uint8_t h[SMN_HASH_BYTES];
    char hash[65], account[SMN_ADDRESS_STRLEN], priv[65];
    smn_block_hash(g, h);
    smn_hex_encode(h, sizeof h, hash);
    smn_address_encode(g->account, account);
    const bool dev = net->id == SMN_NET_DEV;
    if (dev)
        smn_hex_encode(smn_network_dev_genesis_key(), 32, priv);
    json_t *block = smn_block_to_json(g);
    if (!block) {
        cli_err("%s", "out of memory\n");
        return 1;
    }
    int rc = 0;
    if (ctx->json) {
        json_t *o = json_pack("{s:o, s:s, s:s}", "block", block, "hash", hash, "account", account);
        if (o && dev)
            json_object_set_new(o, "private", json_string(priv));
        char *s = o ? json_dumps(o, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
        if (s)
            puts(s);
        else
            rc = 1;
        free(s);
        json_decref(o);
    } else {
        char *s = json_dumps(block, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
        json_decref(block);
        if (!s) {
            cli_err("%s", "out of memory\n");
            return 1;
        }
        printf("%s\nhash: %s\naccount: %s\n", s, hash, account);
        if (dev)
            printf("private: %s\n", priv);
        free(s);
    }
    return rc;
}
