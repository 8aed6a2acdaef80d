/* smallnano-cli block hash | block sign --key <private-hex>   (block JSON on stdin) */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/block_json.h"
#include "common/hex.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"

static int block_usage(void)
{
    fputs("usage: smallnano-cli block hash | block sign --key <private-hex>"
          "   (block JSON on stdin)\n",
          stderr);
    return 2;
}

/* Reads and parses the block on stdin; prints the reason on failure. */
static bool read_block(smn_block *b)
{
    size_t len;
    char *text = cli_read_stdin(&len);
    if (!text) {
        fputs("error: could not read stdin\n", stderr);
        return false;
    }
    json_error_t jerr;
    json_t *j = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!j) {
        fprintf(stderr, "error: stdin is not JSON: %s (line %d)\n", jerr.text, jerr.line);
        return false;
    }
    char err[160];
    int rc = smn_block_from_json(j, b, err, sizeof err);
    json_decref(j);
    if (rc < 0) {
        fprintf(stderr, "error: bad block: %s\n", err);
        return false;
    }
    return true;
}

static int print_json(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!s) {
        fputs("error: out of memory\n", stderr);
        return 1;
    }
    puts(s);
    free(s);
    return 0;
}

int cli_cmd_block(const cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
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
            fputs("error: --key must be 64 hex characters\n", stderr);
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
            fputs("error: the key does not belong to the block's account\n", stderr);
            return 2;
        }
        smn_block_sign(&b, &kp);
        smn_keypair_wipe(&kp);
        return print_json(smn_block_to_json(&b));
    }
    fprintf(stderr, "error: unknown block command '%s'\n", sub);
    return block_usage();
}
