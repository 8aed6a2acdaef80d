/* smallnano-cli wallet create | account-create | list | balance | send |
 * receive | unlock: the node's wallets over its JSON RPC (node_rpc.h). */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"
#include "procs/cli/node_rpc.h"

/* accounts per accounts_balances request (the RPC takes up to 10,000) */
#define BALANCES_CHUNK 1000
/* receivables fetched per round of `wallet receive` (the RPC's default) */
#define RECEIVE_ROUND 1000

static int wallet_usage(void)
{
    fputs("usage: smallnano-cli [--data-dir DIR | --rpc HOST:PORT] [--json] wallet <command>\n"
          "  wallet create                                   new wallet (empty password)\n"
          "  wallet account-create <wallet-id>               next account of its seed\n"
          "  wallet list                                     wallets and their accounts\n"
          "  wallet balance [<wallet-id>]                    balances and receivables\n"
          "  wallet send <wallet-id> <from> <to> <amount> [--raw]   amount in smn, or raw\n"
          "  wallet receive <wallet-id> <account> [<send-hash>]     one, or all receivable\n"
          "  wallet unlock <wallet-id>                       password read from stdin\n",
          stderr);
    return 2;
}

/* One request built from "action" and string fields (NULL-terminated
 * key/value pairs); NULL on out of memory (printed). */
static json_t *request(const char *action, ...)
{
    json_t *r = json_object();
    if (!r || json_object_set_new(r, "action", json_string(action)) != 0) {
        json_decref(r);
        cli_err("%s", "out of memory\n");
        return NULL;
    }
    va_list ap;
    va_start(ap, action);
    for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
        const char *v = va_arg(ap, const char *);
        if (json_object_set_new(r, k, json_string(v)) != 0) {
            va_end(ap);
            json_decref(r);
            cli_err("%s", "out of memory\n");
            return NULL;
        }
    }
    va_end(ap);
    return r;
}

/* Calls the action; 0 with *ans, else the exit status (printed). */
static int call(const cli_node *n, json_t *req, int timeout_ms, json_t **ans)
{
    if (!req)
        return 1;
    int rc = cli_node_call(n, req, timeout_ms, ans);
    json_decref(req);
    return rc;
}

/* ---- reading wallets ---- */

typedef struct {
    uint8_t id[32];
    uint8_t (*accounts)[32];
    size_t n;
} wallet_view;

static void views_free(wallet_view *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].accounts);
    free(v);
}

/* Decodes a list of addresses into a fresh array (NULL when empty). */
static bool decode_accounts(const json_t *list, uint8_t (**out)[32], size_t *n)
{
    size_t m = json_array_size(list);
    *out = NULL;
    *n = 0;
    if (m == 0)
        return true;
    uint8_t(*a)[32] = calloc(m, 32);
    if (!a) {
        cli_err("%s", "out of memory\n");
        return false;
    }
    for (size_t i = 0; i < m; i++) {
        json_t *v = json_array_get(list, i);
        if (!json_is_string(v) ||
            smn_address_decode(json_string_value(v), a[i]) != SMN_ADDRESS_OK) {
            free(a);
            cli_ans_bad("an account in the list is not a valid address");
            return false;
        }
    }
    *out = a;
    *n = m;
    return true;
}

/* Every wallet (wallet_list), or the one given (account_list). 0 or the
 * exit status. */
static int load_wallets(const cli_node *node, const uint8_t *only, wallet_view **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    json_t *ans;
    if (only) {
        char hex[65];
        smn_hex_encode(only, 32, hex);
        int rc =
            call(node, request("account_list", "wallet", hex, NULL), CLI_NODE_TIMEOUT_MS, &ans);
        if (rc)
            return rc;
        const json_t *list;
        wallet_view *v = calloc(1, sizeof *v);
        if (!v) {
            json_decref(ans);
            cli_err("%s", "out of memory\n");
            return 1;
        }
        memcpy(v->id, only, 32);
        bool ok =
            cli_ans_array(ans, "accounts", &list) && decode_accounts(list, &v->accounts, &v->n);
        json_decref(ans);
        if (!ok) {
            views_free(v, 1);
            return 1;
        }
        *out = v;
        *n = 1;
        return 0;
    }
    int rc = call(node, request("wallet_list", NULL), CLI_NODE_TIMEOUT_MS, &ans);
    if (rc)
        return rc;
    const json_t *list;
    if (!cli_ans_array(ans, "wallets", &list)) {
        json_decref(ans);
        return 1;
    }
    size_t m = json_array_size(list);
    wallet_view *v = calloc(m ? m : 1, sizeof *v);
    if (!v) {
        json_decref(ans);
        cli_err("%s", "out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < m; i++) {
        const json_t *w = json_array_get(list, i), *accs;
        if (!json_is_object(w) || !cli_ans_hash(w, "id", v[i].id) ||
            !cli_ans_array(w, "accounts", &accs) ||
            !decode_accounts(accs, &v[i].accounts, &v[i].n)) {
            if (!json_is_object(w))
                cli_ans_bad("a wallet in the list is not an object");
            views_free(v, m);
            json_decref(ans);
            return 1;
        }
    }
    json_decref(ans);
    *out = v;
    *n = m;
    return 0;
}

/* ---- commands ---- */

static int cmd_create(const cli_ctx *ctx, const cli_node *node)
{
    json_t *ans;
    int rc = call(node, request("wallet_create", NULL), CLI_NODE_TIMEOUT_MS, &ans);
    if (rc)
        return rc;
    uint8_t id[32];
    if (!cli_ans_hash(ans, "wallet", id)) {
        json_decref(ans);
        return 1;
    }
    json_decref(ans);
    if (ctx->json)
        return cli_print_json(json_pack("{s:o}", "wallet", cli_json_hex32(id)));
    char hex[65];
    smn_hex_encode(id, 32, hex);
    puts(hex);
    return 0;
}

static int cmd_account_create(const cli_ctx *ctx, const cli_node *node, const char *wallet)
{
    uint8_t id[32], pub[32];
    if (!cli_arg_wallet(wallet, id))
        return 2;
    char hex[65];
    smn_hex_encode(id, 32, hex);
    json_t *ans;
    int rc = call(node, request("account_create", "wallet", hex, NULL), CLI_NODE_TIMEOUT_MS, &ans);
    if (rc)
        return rc;
    bool ok = cli_ans_account(ans, "account", pub);
    json_decref(ans);
    if (!ok)
        return 1;
    if (ctx->json)
        return cli_print_json(json_pack("{s:o}", "account", cli_json_account(pub)));
    char addr[SMN_ADDRESS_STRLEN];
    smn_address_encode(pub, addr);
    puts(addr);
    return 0;
}

static int cmd_list(const cli_ctx *ctx, const cli_node *node)
{
    wallet_view *v;
    size_t n;
    int rc = load_wallets(node, NULL, &v, &n);
    if (rc)
        return rc;
    if (ctx->json) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *accs = json_array();
            for (size_t k = 0; k < v[i].n; k++)
                json_array_append_new(accs, cli_json_account(v[i].accounts[k]));
            json_array_append_new(
                list, json_pack("{s:o,s:o}", "id", cli_json_hex32(v[i].id), "accounts", accs));
        }
        views_free(v, n);
        return cli_print_json(json_pack("{s:o}", "wallets", list));
    }
    if (n == 0)
        puts("no wallets");
    for (size_t i = 0; i < n; i++) {
        char hex[65], addr[SMN_ADDRESS_STRLEN];
        smn_hex_encode(v[i].id, 32, hex);
        printf("wallet %s (%zu account%s)\n", hex, v[i].n, v[i].n == 1 ? "" : "s");
        for (size_t k = 0; k < v[i].n; k++) {
            smn_address_encode(v[i].accounts[k], addr);
            printf("  %s\n", addr);
        }
    }
    views_free(v, n);
    return 0;
}

/* Balances of accounts[0..n) into bal/rcv, chunked. 0 or the exit status. */
static int fetch_balances(const cli_node *node, uint8_t (*accounts)[32], size_t n,
                          smn_amount_t *bal, smn_amount_t *rcv)
{
    for (size_t at = 0; at < n; at += BALANCES_CHUNK) {
        size_t m = n - at < BALANCES_CHUNK ? n - at : BALANCES_CHUNK;
        json_t *req = request("accounts_balances", NULL), *list = json_array();
        if (!req || !list || json_object_set_new(req, "accounts", list) != 0) {
            json_decref(req);
            cli_err("%s", "out of memory\n");
            return 1;
        }
        for (size_t i = 0; i < m; i++)
            json_array_append_new(list, cli_json_account(accounts[at + i]));
        json_t *ans;
        int rc = call(node, req, CLI_NODE_TIMEOUT_MS, &ans);
        if (rc)
            return rc;
        const json_t *balances;
        if (!cli_ans_object(ans, "balances", &balances)) {
            json_decref(ans);
            return 1;
        }
        for (size_t i = 0; i < m; i++) {
            char addr[SMN_ADDRESS_STRLEN];
            smn_address_encode(accounts[at + i], addr);
            json_t *one = json_object_get(balances, addr);
            if (!json_is_object(one)) {
                json_decref(ans);
                return cli_ans_bad("an account of the wallet is missing from \"balances\"");
            }
            if (!cli_ans_amount(one, "balance", &bal[at + i]) ||
                !cli_ans_amount(one, "receivable", &rcv[at + i])) {
                json_decref(ans);
                return 1;
            }
        }
        json_decref(ans);
    }
    return 0;
}

static int cmd_balance(const cli_ctx *ctx, const cli_node *node, const char *wallet)
{
    uint8_t id[32];
    if (wallet && !cli_arg_wallet(wallet, id))
        return 2;
    wallet_view *v;
    size_t n;
    int rc = load_wallets(node, wallet ? id : NULL, &v, &n);
    if (rc)
        return rc;
    json_t *out = ctx->json ? json_array() : NULL;
    if (!ctx->json && n == 0)
        puts("no wallets");
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t m = v[i].n;
        smn_amount_t *bal = calloc(m ? m : 1, sizeof *bal), *rcv = calloc(m ? m : 1, sizeof *rcv);
        if (!bal || !rcv) {
            cli_err("%s", "out of memory\n");
            rc = 1;
        } else {
            rc = fetch_balances(node, v[i].accounts, m, bal, rcv);
        }
        smn_amount_t tb = smn_amount_zero(), tr = smn_amount_zero();
        for (size_t k = 0; rc == 0 && k < m; k++) {
            /* the supply is 10^37 raw: a sum above 2^128 means a broken answer */
            if (!smn_amount_add(tb, bal[k], &tb) || !smn_amount_add(tr, rcv[k], &tr))
                rc = cli_ans_bad("balances add up to more than 2^128 raw");
        }
        if (rc == 0 && ctx->json) {
            json_t *accs = json_array();
            for (size_t k = 0; k < m; k++)
                json_array_append_new(accs, json_pack("{s:o,s:o,s:o}", "account",
                                                      cli_json_account(v[i].accounts[k]), "balance",
                                                      cli_json_amount(bal[k]), "receivable",
                                                      cli_json_amount(rcv[k])));
            json_array_append_new(out, json_pack("{s:o,s:o,s:o,s:o}", "id", cli_json_hex32(v[i].id),
                                                 "balance", cli_json_amount(tb), "receivable",
                                                 cli_json_amount(tr), "accounts", accs));
        } else if (rc == 0) {
            char hex[65], addr[SMN_ADDRESS_STRLEN], a[CLI_AMOUNT_TEXT_LEN], b[CLI_AMOUNT_TEXT_LEN];
            smn_hex_encode(v[i].id, 32, hex);
            printf("wallet %s\n", hex);
            for (size_t k = 0; k < m; k++) {
                smn_address_encode(v[i].accounts[k], addr);
                printf("  %s  balance: %s  receivable: %s\n", addr, cli_amount_text(bal[k], a),
                       cli_amount_text(rcv[k], b));
            }
            printf("  total  balance: %s  receivable: %s\n", cli_amount_text(tb, a),
                   cli_amount_text(tr, b));
        }
        free(bal);
        free(rcv);
    }
    views_free(v, n);
    if (rc) {
        json_decref(out);
        return rc;
    }
    return ctx->json ? cli_print_json(json_pack("{s:o}", "wallets", out)) : 0;
}

static int cmd_send(const cli_ctx *ctx, const cli_node *node, const cli_args *a, bool raw)
{
    uint8_t id[32], from[32], to[32];
    smn_amount_t amount;
    if (!cli_arg_wallet(a->pos[0], id) || !cli_arg_account(a->pos[1], "source account", from) ||
        !cli_arg_account(a->pos[2], "destination account", to) ||
        !cli_arg_amount(a->pos[3], raw, &amount))
        return 2;
    char hex[65], src[SMN_ADDRESS_STRLEN], dst[SMN_ADDRESS_STRLEN], amt[SMN_AMOUNT_RAW_STRLEN];
    smn_hex_encode(id, 32, hex);
    smn_address_encode(from, src);
    smn_address_encode(to, dst);
    smn_amount_format_raw(amount, amt);
    json_t *ans;
    int rc =
        call(node,
             request("send", "wallet", hex, "source", src, "destination", dst, "amount", amt, NULL),
             CLI_NODE_BLOCK_TIMEOUT_MS, &ans);
    if (rc)
        return rc;
    uint8_t block[32];
    bool ok = cli_ans_hash(ans, "block", block);
    json_decref(ans);
    if (!ok)
        return 1;
    if (ctx->json)
        return cli_print_json(json_pack("{s:o}", "block", cli_json_hex32(block)));
    char bh[65];
    smn_hex_encode(block, 32, bh);
    puts(bh);
    return 0;
}

typedef struct {
    uint8_t hash[32];
    smn_amount_t amount;
} receivable;

static int by_amount_desc(const void *a, const void *b)
{
    const receivable *x = a, *y = b;
    if (!smn_amount_eq(x->amount, y->amount))
        return smn_amount_gt(x->amount, y->amount) ? -1 : 1;
    return memcmp(x->hash, y->hash, 32);
}

/* The account's receivables, largest first. 0 or the exit status. */
static int fetch_receivables(const cli_node *node, const char *addr, receivable **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    json_t *req = request("receivable", "account", addr, "source", "true", NULL), *ans;
    if (req && json_object_set_new(req, "count", json_integer(RECEIVE_ROUND)) != 0) {
        json_decref(req);
        req = NULL;
    }
    int rc = call(node, req, CLI_NODE_TIMEOUT_MS, &ans);
    if (rc)
        return rc;
    json_t *blocks = json_object_get(ans, "blocks");
    /* Nano answers an empty "blocks" as "" or [] as well as {} */
    if (json_is_array(blocks) && json_array_size(blocks) == 0) {
        json_decref(ans);
        return 0;
    }
    if (json_is_string(blocks) && json_string_length(blocks) == 0) {
        json_decref(ans);
        return 0;
    }
    if (!json_is_object(blocks)) {
        json_decref(ans);
        return cli_ans_bad("\"blocks\" is missing or not an object");
    }
    size_t m = json_object_size(blocks);
    receivable *r = calloc(m ? m : 1, sizeof *r);
    if (!r) {
        json_decref(ans);
        cli_err("%s", "out of memory\n");
        return 1;
    }
    size_t i = 0;
    const char *key;
    json_t *val;
    json_object_foreach(blocks, key, val)
    {
        bool ok = smn_hex_decode(key, r[i].hash, 32) && json_is_object(val);
        if (!ok)
            cli_ans_bad("a receivable entry is not HASH: {\"amount\": ...}");
        if (!ok || !cli_ans_amount(val, "amount", &r[i].amount)) {
            free(r);
            json_decref(ans);
            return 1;
        }
        i++;
    }
    json_decref(ans);
    qsort(r, m, sizeof *r, by_amount_desc);
    *out = r;
    *n = m;
    return 0;
}

/* Receives one send; prints its line (or appends to `done`). */
static int receive_one(const cli_ctx *ctx, const cli_node *node, const char *wallet,
                       const char *addr, const receivable *r, json_t *done)
{
    char sh[65];
    smn_hex_encode(r->hash, 32, sh);
    json_t *ans;
    int rc = call(node, request("receive", "wallet", wallet, "account", addr, "block", sh, NULL),
                  CLI_NODE_BLOCK_TIMEOUT_MS, &ans);
    if (rc)
        return rc;
    uint8_t block[32];
    bool ok = cli_ans_hash(ans, "block", block);
    json_decref(ans);
    if (!ok)
        return 1;
    if (ctx->json) {
        json_array_append_new(done,
                              json_pack("{s:o,s:o,s:o}", "block", cli_json_hex32(block), "send",
                                        json_string(sh), "amount", cli_json_amount(r->amount)));
    } else {
        char bh[65], a[CLI_AMOUNT_TEXT_LEN];
        smn_hex_encode(block, 32, bh);
        printf("%s  received %s from send %s\n", bh, cli_amount_text(r->amount, a), sh);
        fflush(stdout);
    }
    return 0;
}

static int cmd_receive(const cli_ctx *ctx, const cli_node *node, const cli_args *a)
{
    uint8_t id[32], acc[32], send[32];
    if (!cli_arg_wallet(a->pos[0], id) || !cli_arg_account(a->pos[1], "account", acc) ||
        (a->npos > 2 && !cli_arg_hash(a->pos[2], "send hash", send)))
        return 2;
    /* The wallet must hold the account even when nothing is receivable. */
    wallet_view *v;
    size_t nv;
    int rc = load_wallets(node, id, &v, &nv);
    if (rc)
        return rc;
    bool held = false;
    for (size_t k = 0; k < v[0].n && !held; k++)
        held = memcmp(v[0].accounts[k], acc, 32) == 0;
    views_free(v, nv);
    if (!held) {
        cli_err("%s", "Account not found in wallet\n");
        return 1;
    }
    char hex[65], addr[SMN_ADDRESS_STRLEN];
    smn_hex_encode(id, 32, hex);
    smn_address_encode(acc, addr);
    json_t *done = json_array();
    if (!done) {
        cli_err("%s", "out of memory\n");
        return 1;
    }
    size_t total = 0;
    for (;;) {
        receivable *r;
        size_t n;
        rc = fetch_receivables(node, addr, &r, &n);
        if (rc)
            break;
        if (a->npos > 2) {
            size_t k = 0;
            while (k < n && memcmp(r[k].hash, send, 32) != 0)
                k++;
            if (k < n) {
                rc = receive_one(ctx, node, hex, addr, &r[k], done);
            } else {
                /* not receivable here: the node says why (unknown block,
                 * already received, another account's) */
                receivable one = {.amount = 0};
                memcpy(one.hash, send, 32);
                rc = receive_one(ctx, node, hex, addr, &one, done);
            }
            free(r);
            total = rc == 0;
            break;
        }
        for (size_t k = 0; k < n && rc == 0; k++) {
            rc = receive_one(ctx, node, hex, addr, &r[k], done);
            total += rc == 0;
        }
        free(r);
        /* a full round may have left more behind */
        if (rc || n < RECEIVE_ROUND)
            break;
    }
    if (rc) {
        json_decref(done);
        return rc;
    }
    if (ctx->json)
        return cli_print_json(json_pack("{s:o}", "blocks", done));
    json_decref(done);
    if (total == 0)
        printf("nothing to receive for %s\n", addr);
    return 0;
}

static int cmd_unlock(const cli_ctx *ctx, const cli_node *node, const char *wallet)
{
    uint8_t id[32];
    if (!cli_arg_wallet(wallet, id))
        return 2;
    size_t len;
    char *pw = cli_read_stdin(&len);
    if (!pw) {
        cli_err("%s", "could not read the password from stdin\n");
        return 2;
    }
    /* the first line is the password */
    size_t n = strcspn(pw, "\r\n");
    pw[n] = '\0';
    if (strlen(pw) != n) {
        sodium_memzero(pw, len);
        free(pw);
        cli_err("%s", "the password must not contain a NUL byte\n");
        return 2;
    }
    char hex[65];
    smn_hex_encode(id, 32, hex);
    json_t *req = request("password_enter", "wallet", hex, "password", pw, NULL), *ans;
    sodium_memzero(pw, len);
    free(pw);
    /* the request's copy of the password lives until json_decref */
    int rc = call(node, req, CLI_NODE_TIMEOUT_MS, &ans);
    if (rc)
        return rc;
    const char *valid;
    bool ok = cli_ans_str(ans, "valid", &valid);
    bool unlocked = ok && strcmp(valid, "1") == 0;
    if (ok && !unlocked && strcmp(valid, "0") != 0)
        ok = cli_ans_bad("\"valid\" is neither \"1\" nor \"0\"") == 0;
    json_decref(ans);
    if (!ok)
        return 1;
    if (!unlocked) {
        cli_err("wrong password for wallet %s\n", hex);
        return 1;
    }
    if (ctx->json)
        return cli_print_json(json_pack("{s:o,s:b}", "wallet", json_string(hex), "unlocked", 1));
    printf("wallet %s unlocked\n", hex);
    return 0;
}

int cli_cmd_wallet(const cli_ctx *ctx, int argc, char **argv)
{
    static const char *const valued[] = {"--rpc", "--data-dir", NULL};
    static const char *const raw_flag[] = {"--raw", NULL};
    if (argc < 2) {
        cli_err("%s", "wallet needs a command\n");
        return wallet_usage();
    }
    const char *sub = argv[1];
    static const struct {
        const char *name;
        int min, max;
        bool raw;
    } shapes[] = {
        {"create", 0, 0, false}, {"account-create", 1, 1, false},
        {"list", 0, 0, false},   {"balance", 0, 1, false},
        {"send", 4, 4, true},    {"receive", 2, 3, false},
        {"unlock", 1, 1, false},
    };
    size_t s = 0, ns = sizeof shapes / sizeof shapes[0];
    while (s < ns && strcmp(shapes[s].name, sub) != 0)
        s++;
    if (s == ns) {
        cli_err("unknown wallet command '%s'\n", sub);
        return wallet_usage();
    }
    cli_args a;
    if (!cli_args_scan(argc, argv, 2, valued, shapes[s].raw ? raw_flag : NULL, shapes[s].max, &a))
        return wallet_usage();
    if (a.npos < shapes[s].min) {
        cli_err("wallet %s needs %d argument%s\n", sub, shapes[s].min,
                shapes[s].min == 1 ? "" : "s");
        return wallet_usage();
    }
    cli_node node;
    int rc = cli_node_find(ctx, argc, argv, &node);
    if (rc)
        return rc;
    if (strcmp(sub, "create") == 0)
        return cmd_create(ctx, &node);
    if (strcmp(sub, "account-create") == 0)
        return cmd_account_create(ctx, &node, a.pos[0]);
    if (strcmp(sub, "list") == 0)
        return cmd_list(ctx, &node);
    if (strcmp(sub, "balance") == 0)
        return cmd_balance(ctx, &node, a.npos ? a.pos[0] : NULL);
    if (strcmp(sub, "send") == 0)
        return cmd_send(ctx, &node, &a, cli_flag(argc, argv, "--raw"));
    if (strcmp(sub, "receive") == 0)
        return cmd_receive(ctx, &node, &a);
    return cmd_unlock(ctx, &node, a.pos[0]);
}
