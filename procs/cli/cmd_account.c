/* smallnano-cli account info <address>: an account's state in the node's
 * ledger over its JSON RPC (account_info). */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"
#include "procs/cli/node_rpc.h"

static int account_usage(void)
{
    fputs("usage: smallnano-cli [--data-dir DIR | --rpc HOST:PORT] [--json] account info "
          "<address>\n",
          stderr);
    return 2;
}

typedef struct {
    uint8_t frontier[32], open_block[32], rep[32], cemented_frontier[32];
    bool has_open;
    smn_amount_t balance, receivable, weight;
    uint64_t block_count, confirmation_height;
} account_view;

static bool decode(const json_t *ans, account_view *v)
{
    memset(v, 0, sizeof *v);
    /* open_block is absent once pruning removed the open block */
    v->has_open = json_object_get(ans, "open_block") != NULL;
    if (!cli_ans_hash(ans, "frontier", v->frontier) ||
        (v->has_open && !cli_ans_hash(ans, "open_block", v->open_block)) ||
        !cli_ans_account(ans, "representative", v->rep) ||
        !cli_ans_amount(ans, "balance", &v->balance) ||
        !cli_ans_amount(ans, "receivable", &v->receivable) ||
        !cli_ans_amount(ans, "weight", &v->weight) ||
        !cli_ans_u64(ans, "block_count", &v->block_count) ||
        !cli_ans_u64(ans, "confirmation_height", &v->confirmation_height) ||
        !cli_ans_hash(ans, "confirmation_height_frontier", v->cemented_frontier))
        return false;
    if (v->block_count == 0 || v->confirmation_height > v->block_count ||
        v->block_count > INT64_MAX) {
        cli_ans_bad("block count and confirmation height do not fit together");
        return false;
    }
    return true;
}

static int print_info(const cli_ctx *ctx, const uint8_t acc[32], const account_view *v)
{
    if (ctx->json) {
        json_t *o = json_object();
        json_object_set_new(o, "account", cli_json_account(acc));
        json_object_set_new(o, "frontier", cli_json_hex32(v->frontier));
        if (v->has_open)
            json_object_set_new(o, "open_block", cli_json_hex32(v->open_block));
        json_object_set_new(o, "balance", cli_json_amount(v->balance));
        json_object_set_new(o, "receivable", cli_json_amount(v->receivable));
        json_object_set_new(o, "representative", cli_json_account(v->rep));
        json_object_set_new(o, "weight", cli_json_amount(v->weight));
        json_object_set_new(o, "block_count", json_integer((json_int_t)v->block_count));
        json_object_set_new(o, "confirmation_height",
                            json_integer((json_int_t)v->confirmation_height));
        json_object_set_new(o, "confirmation_height_frontier",
                            cli_json_hex32(v->cemented_frontier));
        return cli_print_json(o);
    }
    char addr[SMN_ADDRESS_STRLEN], hex[65], amt[CLI_AMOUNT_TEXT_LEN];
    smn_address_encode(acc, addr);
    printf("account: %s\n", addr);
    smn_hex_encode(v->frontier, 32, hex);
    printf("frontier: %s\n", hex);
    if (v->has_open) {
        smn_hex_encode(v->open_block, 32, hex);
        printf("open block: %s\n", hex);
    } else {
        puts("open block: pruned");
    }
    printf("balance: %s\n", cli_amount_text(v->balance, amt));
    printf("receivable: %s\n", cli_amount_text(v->receivable, amt));
    smn_address_encode(v->rep, addr);
    printf("representative: %s\n", addr);
    printf("weight: %s\n", cli_amount_text(v->weight, amt));
    printf("block count: %" PRIu64 "\n", v->block_count);
    printf("confirmation height: %" PRIu64 "\n", v->confirmation_height);
    printf("confirmed: %s\n", v->confirmation_height == v->block_count ? "all blocks"
                              : v->confirmation_height == 0            ? "none"
                                                                       : "not the newest blocks");
    return 0;
}

int cli_cmd_account(const cli_ctx *ctx, int argc, char **argv)
{
    static const char *const valued[] = {"--rpc", "--data-dir", NULL};
    cli_args a;
    if (argc < 2 || strcmp(argv[1], "info") != 0) {
        if (argc >= 2)
            cli_err("unknown account command '%s'\n", argv[1]);
        else
            cli_err("%s", "account needs a command\n");
        return account_usage();
    }
    if (!cli_args_scan(argc, argv, 2, valued, NULL, 1, &a))
        return account_usage();
    if (a.npos != 1) {
        cli_err("%s", "account info needs an address\n");
        return account_usage();
    }
    uint8_t acc[32];
    if (!cli_arg_account(a.pos[0], "address", acc))
        return 2;
    cli_node node;
    int rc = cli_node_find(ctx, argc, argv, &node);
    if (rc)
        return rc;
    char addr[SMN_ADDRESS_STRLEN];
    smn_address_encode(acc, addr);
    json_t *req = json_pack("{s:s,s:s,s:s,s:s,s:s}", "action", "account_info", "account", addr,
                            "representative", "true", "weight", "true", "receivable", "true");
    if (!req) {
        cli_err("%s", "out of memory\n");
        return 1;
    }
    json_t *ans;
    rc = cli_node_call(&node, req, CLI_NODE_TIMEOUT_MS, &ans);
    json_decref(req);
    if (rc)
        return rc;
    account_view v;
    bool ok = decode(ans, &v);
    json_decref(ans);
    if (!ok)
        return 1;
    return print_info(ctx, acc, &v);
}
