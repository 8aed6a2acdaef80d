/* smallnano-cli key create | expand <private-hex> | from-seed <seed-hex> <index> */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/keys.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"

static int key_usage(void)
{
    fputs("usage: smallnano-cli key create | key expand <private-hex> |"
          " key from-seed <seed-hex> <index> [--json]\n",
          stderr);
    return 2;
}

static int print_keypair(const cli_ctx *ctx, const smn_keypair *kp)
{
    char priv[65], pub[65], account[SMN_ADDRESS_STRLEN];
    smn_hex_encode(kp->priv, 32, priv);
    smn_hex_encode(kp->pub, 32, pub);
    smn_address_encode(kp->pub, account);
    int rc = 0;
    if (ctx->json) {
        json_t *o =
            json_pack("{s:s, s:s, s:s}", "private", priv, "public", pub, "account", account);
        char *s = o ? json_dumps(o, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
        if (s) {
            puts(s);
            free(s);
        } else {
            cli_err("%s", "out of memory\n");
            rc = 1;
        }
        json_decref(o);
    } else {
        printf("private: %s\npublic: %s\naccount: %s\n", priv, pub, account);
    }
    /* The private key was printed on purpose; don't leave copies around. */
    sodium_memzero(priv, sizeof priv);
    return rc;
}

/* Strict decimal u32: digits only, no sign, no overflow. */
static bool parse_index(const char *s, uint32_t *out)
{
    if (!*s || strlen(s) > 10)
        return false;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

int cli_cmd_key(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return key_usage();
    const char *sub = argv[1];
    cli_args a;
    if (!cli_args_scan(argc, argv, 2, NULL, NULL, 2, &a))
        return key_usage();
    smn_keypair kp;
    if (strcmp(sub, "create") == 0) {
        if (a.npos != 0)
            return key_usage();
        smn_key_create(&kp);
    } else if (strcmp(sub, "expand") == 0) {
        if (a.npos != 1)
            return key_usage();
        uint8_t priv[32];
        if (!smn_hex_decode(a.pos[0], priv, 32)) {
            cli_err("%s", "private key must be 64 hex characters\n");
            return 2;
        }
        smn_key_expand(priv, &kp);
        sodium_memzero(priv, sizeof priv);
    } else if (strcmp(sub, "from-seed") == 0) {
        if (a.npos != 2)
            return key_usage();
        uint8_t seed[32];
        uint32_t index;
        if (!smn_hex_decode(a.pos[0], seed, 32)) {
            cli_err("%s", "seed must be 64 hex characters\n");
            return 2;
        }
        if (!parse_index(a.pos[1], &index)) {
            cli_err("%s", "index must be a decimal number from 0 to 4294967295\n");
            return 2;
        }
        smn_key_from_seed(seed, index, &kp);
        sodium_memzero(seed, sizeof seed);
    } else {
        cli_err("unknown key command '%s'\n", sub);
        return key_usage();
    }
    int rc = print_keypair(ctx, &kp);
    smn_keypair_wipe(&kp);
    return rc;
}
