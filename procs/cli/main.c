/* smallnano-cli: offline tools and the operator's window into a running node. */
#include <stdio.h>
#include <string.h>

#include "common/keys.h"
#include "procs/cli/cli.h"

static void usage(FILE *f)
{
    fputs("usage: smallnano-cli [--data-dir DIR] [--network NET] [--rpc HOST:PORT] [--json] "
          "<command> ...\n"
          "\n"
          "offline:\n"
          "  key create | key expand <private-hex> | key from-seed <seed-hex> <index>\n"
          "  rep-key create|add|list FILE [--private <hex>] [--password-file F]\n"
          "  address validate <address> | address from-key <public-hex>\n"
          "  amount to-raw <smn> | amount from-raw <raw>\n"
          "  block hash | block sign --key <private-hex>     (block JSON on stdin)\n"
          "  genesis --network <dev|test|live>\n"
          "  work generate --root <hex> --network <net> [--receive]\n"
          "  work validate --root <hex> --work <hex> --network <net> [--receive]\n"
          "  vm encode <payload-hex> [--raw] | vm decode [--lenient]   (chunks on stdin)\n"
          "  vm asm <file> | vm disasm <hex> | vm run <hex> --method N [--arg V]... [--gas G]\n"
          "  vm verify | vm root <program> | vm events [--program P] [--from CURSOR]  (needs "
          "--data-dir)\n"
          "  vm programs | program | storage | boxes | balances | token | state | view ...\n"
          "  vm send | call | deploy | etch | mint | transfer | transfer-call | withdraw | burn |\n"
          "     swap-deploy | swap-add | swap-remove | swap | swap-own | publish-state | commit\n"
          "     (through the RPC; `smallnano-cli vm help` lists their arguments)\n"
          "node (needs --data-dir, or --rpc HOST:PORT for the RPC commands):\n"
          "  wallet create | wallet list | wallet balance [<wallet-id>]\n"
          "  wallet account-create <wallet-id> | wallet unlock <wallet-id>   (password on stdin)\n"
          "  wallet send <wallet-id> <from> <to> <amount-smn> [--raw]\n"
          "  wallet receive <wallet-id> <account> [<send-hash>]\n"
          "  account info <address> | block info <hash>\n"
          "  node status [--json] | node restart <name> | node stop\n"
          "  rpc <action> [key=value...] [--timeout S]   any JSON RPC action; [..]/{..} "
          "values are JSON\n"
          "--version: the version; --json: answers and errors as one JSON line on stdout\n",
          f);
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    for (int j = 1; j < argc; j++)
        if (strcmp(argv[j], "--json") == 0)
            cli_set_json_errors(true);
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            ctx.data_dir = argv[++i];
        } else if (strcmp(argv[i], "--network") == 0 && i + 1 < argc) {
            ctx.network = argv[++i];
        } else if (strcmp(argv[i], "--rpc") == 0 && i + 1 < argc) {
            ctx.rpc = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            ctx.json = true;
        } else if (strcmp(argv[i], "--version") == 0) {
            if (ctx.json || cli_flag(argc, argv, "--json"))
                printf("{\"version\":\"%s\",\"node_vendor\":\"smallnano %s\"}\n", SMN_NODE_VERSION,
                       SMN_NODE_VERSION);
            else
                printf("smallnano-cli %s\n", SMN_NODE_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-') {
            cli_err("unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            break;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    if (smn_crypto_init() != 0) {
        cli_err("%s", "libsodium failed to initialise\n");
        return 1;
    }
    /* A --json anywhere after the command also counts. */
    for (int j = i; j < argc; j++)
        if (strcmp(argv[j], "--json") == 0)
            ctx.json = true;

    const char *cmd = argv[i];
    int sub_argc = argc - i;
    char **sub_argv = argv + i;
    if (strcmp(cmd, "key") == 0)
        return cli_cmd_key(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "rep-key") == 0)
        return cli_cmd_rep_key(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "address") == 0)
        return cli_cmd_address(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "amount") == 0)
        return cli_cmd_amount(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "block") == 0)
        return cli_cmd_block(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "genesis") == 0)
        return cli_cmd_genesis(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "work") == 0)
        return cli_cmd_work(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "vm") == 0) {
        const char *sub = sub_argc > 1 ? sub_argv[1] : "";
        if (strcmp(sub, "encode") == 0 || strcmp(sub, "decode") == 0)
            return cli_cmd_vm_codec(&ctx, sub_argc, sub_argv);
        if (strcmp(sub, "asm") == 0 || strcmp(sub, "disasm") == 0 || strcmp(sub, "run") == 0)
            return cli_cmd_vm_exec(&ctx, sub_argc, sub_argv);
        if (strcmp(sub, "verify") == 0 || strcmp(sub, "events") == 0 || strcmp(sub, "root") == 0)
            return cli_cmd_vm_node(&ctx, sub_argc, sub_argv);
        static const char *const vm_reads[] = {
            "programs", "program", "storage", "boxes", "balances", "token", "state", "view", NULL};
        for (const char *const *r = vm_reads; *r; r++)
            if (strcmp(sub, *r) == 0)
                return cli_cmd_vm_state(&ctx, sub_argc, sub_argv);
        return cli_cmd_vm_send(&ctx, sub_argc, sub_argv); /* or its usage */
    }
    if (strcmp(cmd, "wallet") == 0)
        return cli_cmd_wallet(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "account") == 0)
        return cli_cmd_account(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "node") == 0)
        return cli_cmd_node(&ctx, sub_argc, sub_argv);
    if (strcmp(cmd, "rpc") == 0)
        return cli_cmd_rpc(&ctx, sub_argc, sub_argv);
    cli_err("unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
