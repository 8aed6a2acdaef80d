/* smallnano-cli rep-key create|add|list FILE [--private HEX] [--password-file F]
 *
 * The representative key file the elections process votes with
 * (common/keyfile.h; default DATA_DIR/representative.key). create writes a
 * new file with one key, add appends one (at most 16), list prints the
 * accounts. Without --private a fresh random key is made. The password is
 * the first line of --password-file, or empty. Private keys are never
 * printed. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/keyfile.h"
#include "common/keys.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"

static int rep_key_usage(void)
{
    fputs("usage: smallnano-cli rep-key create|add FILE [--private <hex>] [--password-file F]\n"
          "       smallnano-cli rep-key list FILE [--password-file F] [--json]\n",
          stderr);
    return 2;
}

static void print_accounts(const cli_ctx *ctx, const smn_keypair *keys, size_t n)
{
    char account[SMN_ADDRESS_STRLEN];
    if (ctx->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            smn_address_encode(keys[i].pub, account);
            json_array_append_new(arr, json_string(account));
        }
        json_t *o = json_pack("{s:o}", "accounts", arr);
        char *s = o ? json_dumps(o, JSON_INDENT(4)) : NULL;
        if (s)
            puts(s);
        free(s);
        json_decref(o);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        smn_address_encode(keys[i].pub, account);
        puts(account);
    }
}

int cli_cmd_rep_key(const cli_ctx *ctx, int argc, char **argv)
{
    static const char *const valued[] = {"--private", "--password-file", NULL};
    if (argc < 3)
        return rep_key_usage();
    const char *sub = argv[1];
    cli_args a = {0};
    if (!cli_args_scan(argc, argv, 2, valued, NULL, 1, &a) || a.npos != 1)
        return rep_key_usage();
    const char *path = a.pos[0];
    const char *pwfile = cli_opt(argc, argv, "--password-file");
    const char *priv_hex = cli_opt(argc, argv, "--private");
    bool create = strcmp(sub, "create") == 0, add = strcmp(sub, "add") == 0;
    if (!create && !add && strcmp(sub, "list") != 0)
        return rep_key_usage();
    if (priv_hex && !create && !add)
        return rep_key_usage();
    char pw[1024] = "";
    if (pwfile) {
        int r = smn_keyfile_read_password(pwfile, pw, sizeof pw);
        if (r != 0) {
            cli_err("cannot read the password file %s: %s\n", pwfile, strerror(-r));
            return 2;
        }
    }
    smn_keypair keys[SMN_KEYFILE_MAX_KEYS];
    size_t n = 0;
    int rc = 0;
    smn_keyfile_status st = SMN_KEYFILE_OK;
    if (!create) {
        st = smn_keyfile_read(path, pw, keys, &n);
        if (st != SMN_KEYFILE_OK) {
            cli_err("%s: %s\n", path, smn_keyfile_strerror(st));
            rc = st == SMN_KEYFILE_WRONG_PASSWORD ? 1 : 2;
            goto out;
        }
    }
    if (create || add) {
        if (n == SMN_KEYFILE_MAX_KEYS) {
            cli_err("%s already holds %u keys\n", path, SMN_KEYFILE_MAX_KEYS);
            rc = 2;
            goto out;
        }
        smn_keypair kp;
        if (priv_hex) {
            uint8_t priv[32];
            if (strlen(priv_hex) != 64 || !smn_hex_decode(priv_hex, priv, 32)) {
                cli_err("%s", "--private needs 64 hex digits\n");
                rc = 2;
                goto out;
            }
            smn_key_expand(priv, &kp);
            sodium_memzero(priv, sizeof priv);
        } else {
            smn_key_create(&kp);
        }
        for (size_t i = 0; i < n; i++)
            if (memcmp(keys[i].pub, kp.pub, 32) == 0) {
                cli_err("%s", "that key is in the file already\n");
                rc = 2;
                sodium_memzero(&kp, sizeof kp);
                goto out;
            }
        keys[n++] = kp;
        sodium_memzero(&kp, sizeof kp);
        st = smn_keyfile_write(path, keys, n, pw, smn_keyfile_kdf_interactive());
        if (st != SMN_KEYFILE_OK) {
            cli_err("%s: %s\n", path, smn_keyfile_strerror(st));
            rc = 2;
            goto out;
        }
        print_accounts(ctx, &keys[n - 1], 1);
    } else {
        print_accounts(ctx, keys, n);
    }
out:
    sodium_memzero(keys, sizeof keys);
    sodium_memzero(pw, sizeof pw);
    return rc;
}
