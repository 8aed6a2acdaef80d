/* smallnano-cli block hash | block sign --key <private-hex>   (block JSON on stdin)
 *               block info <hash>   (the node's ledger, over its JSON RPC) */
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/block_json.h"
#include "common/hex.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"
#include "procs/cli/node_rpc.h"

static int block_usage(void)
{
    fputs("usage: smallnano-cli block hash | block sign --key <private-hex>"
          "   (block JSON on stdin)\n"
          "       smallnano-cli [--data-dir DIR | --rpc HOST:PORT] [--json] block info <hash>\n",
          stderr);
    return 2;
}

/* Reads and parses the block on stdin; prints the reason on failure. */
static bool read_block(smn_block *b)
{
    size_t len;
    char *text = cli_read_stdin(&len);
    if (!text) {
        cli_err("%s", "could not read stdin\n");
        return false;
    }
    json_error_t jerr;
    json_t *j = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!j) {
        cli_err("stdin is not JSON: %s (line %d)\n", jerr.text, jerr.line);
        return false;
    }
    char err[160];
    int rc = smn_block_from_json(j, b, err, sizeof err);
    json_decref(j);
    if (rc < 0) {
        cli_err("bad block: %s\n", err);
        return false;
    }
    return true;
}

static int print_json(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!s) {
        cli_err("%s", "out of memory\n");
        return 1;
    }
    puts(s);
    free(s);
    return 0;
}

/* ---- block info <hash> ---- */

typedef struct {
    uint8_t account[32], successor[32];
    smn_amount_t amount, balance;
    uint64_t height;
    bool confirmed;
    char subtype[17];
    smn_block block;
} block_view;

/* Decodes block_info's answer and checks it describes the block asked for. */
static bool decode_info(const json_t *ans, const uint8_t want[32], block_view *v)
{
    const char *subtype;
    const json_t *contents;
    if (!cli_ans_account(ans, "block_account", v->account) ||
        !cli_ans_amount(ans, "amount", &v->amount) ||
        !cli_ans_amount(ans, "balance", &v->balance) || !cli_ans_u64(ans, "height", &v->height) ||
        !cli_ans_bool(ans, "confirmed", &v->confirmed) ||
        !cli_ans_hash(ans, "successor", v->successor) || !cli_ans_str(ans, "subtype", &subtype) ||
        !cli_ans_object(ans, "contents", &contents))
        return false;
    size_t n = strlen(subtype);
    if (n == 0 || n >= sizeof v->subtype || strspn(subtype, "abcdefghijklmnopqrstuvwxyz") != n) {
        cli_ans_bad("\"subtype\" is not a word");
        return false;
    }
    memcpy(v->subtype, subtype, n + 1);
    char err[160];
    if (smn_block_from_json(contents, &v->block, err, sizeof err) < 0) {
        char what[200];
        snprintf(what, sizeof what, "\"contents\" is not a block: %s", err);
        cli_ans_bad(what);
        return false;
    }
    uint8_t h[32];
    smn_block_hash(&v->block, h);
    if (memcmp(h, want, 32) != 0) {
        cli_ans_bad("its block has another hash than the one asked for");
        return false;
    }
    if (memcmp(v->block.account, v->account, 32) != 0 ||
        !smn_amount_eq(v->block.balance, v->balance) || v->height == 0 || v->height > INT64_MAX) {
        cli_ans_bad("the block's fields disagree with its account, balance or height");
        return false;
    }
    return true;
}

static void print_hex_line(const char *label, const uint8_t b[32])
{
    char hex[65];
    smn_hex_encode(b, 32, hex);
    printf("%s: %s\n", label, hex);
}

static int print_info(const cli_ctx *ctx, const uint8_t hash[32], const block_view *v)
{
    static const uint8_t zero[32];
    if (ctx->json) {
        json_t *contents = smn_block_to_json(&v->block);
        json_t *o = json_object();
        if (!contents || !o) {
            json_decref(contents);
            json_decref(o);
            return cli_print_json(NULL);
        }
        json_object_set_new(o, "hash", cli_json_hex32(hash));
        json_object_set_new(o, "account", cli_json_account(v->account));
        json_object_set_new(o, "subtype", json_string(v->subtype));
        json_object_set_new(o, "amount", cli_json_amount(v->amount));
        json_object_set_new(o, "balance", cli_json_amount(v->balance));
        json_object_set_new(o, "height", json_integer((json_int_t)v->height));
        json_object_set_new(o, "confirmed", json_boolean(v->confirmed));
        json_object_set_new(o, "successor", cli_json_hex32(v->successor));
        json_object_set_new(o, "contents", contents);
        return cli_print_json(o);
    }
    char addr[SMN_ADDRESS_STRLEN], amt[CLI_AMOUNT_TEXT_LEN];
    print_hex_line("hash", hash);
    smn_address_encode(v->account, addr);
    printf("account: %s\n", addr);
    printf("subtype: %s\n", v->subtype);
    printf("amount: %s\n", cli_amount_text(v->amount, amt));
    printf("balance: %s\n", cli_amount_text(v->balance, amt));
    printf("height: %" PRIu64 "\n", v->height);
    printf("confirmed: %s\n", v->confirmed ? "true" : "false");
    print_hex_line("previous", v->block.previous);
    smn_address_encode(v->block.representative, addr);
    printf("representative: %s\n", addr);
    if (strcmp(v->subtype, "send") == 0) {
        char hex[65];
        smn_hex_encode(v->block.link, 32, hex);
        smn_address_encode(v->block.link, addr);
        printf("link: %s (to %s)\n", hex, addr);
    } else {
        print_hex_line("link", v->block.link);
    }
    if (memcmp(v->successor, zero, 32) == 0)
        puts("successor: none (the account's newest block)");
    else
        print_hex_line("successor", v->successor);
    char sig[2 * sizeof v->block.signature + 1];
    smn_hex_encode(v->block.signature, sizeof v->block.signature, sig);
    printf("signature: %s\n", sig);
    printf("work: %016" PRIX64 "\n", v->block.work);
    return 0;
}

static int block_info(const cli_ctx *ctx, int argc, char **argv)
{
    static const char *const valued[] = {"--rpc", "--data-dir", NULL};
    cli_args a;
    if (!cli_args_scan(argc, argv, 2, valued, NULL, 1, &a))
        return block_usage();
    if (a.npos != 1) {
        cli_err("%s", "block info needs a block hash\n");
        return block_usage();
    }
    uint8_t hash[32];
    if (!cli_arg_hash(a.pos[0], "block hash", hash))
        return 2;
    cli_node node;
    int rc = cli_node_find(ctx, argc, argv, &node);
    if (rc)
        return rc;
    char hex[65];
    smn_hex_encode(hash, 32, hex);
    json_t *req =
        json_pack("{s:s,s:s,s:s}", "action", "block_info", "hash", hex, "json_block", "true");
    if (!req) {
        cli_err("%s", "out of memory\n");
        return 1;
    }
    json_t *ans;
    rc = cli_node_call(&node, req, CLI_NODE_TIMEOUT_MS, &ans);
    json_decref(req);
    if (rc)
        return rc;
    block_view v;
    bool ok = decode_info(ans, hash, &v);
    json_decref(ans);
    if (!ok)
        return 1;
    return print_info(ctx, hash, &v);
}

int cli_cmd_block(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "info") == 0)
        return block_info(ctx, argc, argv);
    static const char *const valued[] = {"--key", NULL};
    cli_args a;
    if (argc < 2 || !cli_args_scan(argc, argv, 2, valued, NULL, 0, &a))
        return block_usage();
    const char *sub = argv[1];
    if (strcmp(sub, "hash") == 0) {
        if (cli_opt(argc, argv, "--key"))
            return block_usage();
        smn_block b;
        if (!read_block(&b))
            return 2;
        uint8_t h[SMN_HASH_BYTES];
        char hex[2 * SMN_HASH_BYTES + 1];
        smn_block_hash(&b, h);
        smn_hex_encode(h, sizeof h, hex);
        puts(hex);
        return 0;
    }
    if (strcmp(sub, "sign") == 0) {
        const char *key = cli_opt(argc, argv, "--key");
        if (!key)
            return block_usage();
        uint8_t priv[32];
        if (!smn_hex_decode(key, priv, sizeof priv)) {
            cli_err("%s", "--key must be 64 hex characters\n");
            return 2;
        }
        smn_keypair kp;
        smn_key_expand(priv, &kp);
        sodium_memzero(priv, sizeof priv);
        smn_block b;
        if (!read_block(&b)) {
            smn_keypair_wipe(&kp);
            return 2;
        }
        if (memcmp(kp.pub, b.account, 32) != 0) {
            smn_keypair_wipe(&kp);
            cli_err("%s", "the key does not belong to the block's account\n");
            return 2;
        }
        smn_block_sign(&b, &kp);
        smn_keypair_wipe(&kp);
        return print_json(smn_block_to_json(&b));
    }
    cli_err("unknown block command '%s'\n", sub);
    return block_usage();
}
