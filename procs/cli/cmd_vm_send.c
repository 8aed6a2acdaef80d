/* smallnano-cli vm send | call | deploy | etch | mint | transfer |
 * transfer-call | withdraw | burn | swap-deploy | swap-add | swap-remove |
 * swap | swap-own | publish-state | commit: build a NanoVM message, send its
 * chunks from a wallet account through the node's RPC (vm_send), wait for
 * it to be confirmed and indexed, and print the events it produced
 * (vm_message_status). docs/vm.md "Writing through the wallet". */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"
#include "procs/cli/node_rpc.h"

#define SEND_TIMEOUT_MS 300000 /* a large deploy: many chunks, each with its work */
#define BUSY_RETRY_MS 50
#define BUSY_RETRY_MAX 400

static int usage(void)
{
    fputs("usage: smallnano-cli vm <command> ... [--wallet W] [--source A] [--to D] [--no-wait]\n"
          "                     [--timeout S] [--rpc HOST:PORT] [--data-dir DIR] [--json]\n"
          "  vm send --payload HEX | --message JSON      any message (JSON as RPC vm_message)\n"
          "  vm call P METHOD [ARG...]                   ARG: number, 0x hex, uN:V, or -\n"
          "  vm deploy FILE.asm | --code HEX             bytecode program (hosted by the source)\n"
          "  vm etch NAME SYMBOL DECIMALS CAP            a token (etcher = the source)\n"
          "  vm mint TOKEN AMOUNT\n"
          "  vm transfer TOKEN|vsmn AMOUNT --to D\n"
          "  vm transfer-call TOKEN|vsmn AMOUNT P METHOD [ARG...] --to HOST\n"
          "  vm withdraw TOKEN|vsmn AMOUNT P --to D      the source hosts P\n"
          "  vm burn AMOUNT                              raw smn to the burn account: vSMN\n"
          "  vm swap-deploy ASSET_A ASSET_B              TOKEN or smn (vSMN)\n"
          "  vm swap-add P AMOUNT_A AMOUNT_B MIN_SHARES\n"
          "  vm swap-remove P SHARES MIN_A MIN_B\n"
          "  vm swap P TOKEN|vsmn AMOUNT MIN_OUT         sell attached tokens\n"
          "  vm swap-own P B_TO_A AMOUNT MIN_OUT         sell from the pool balance\n"
          "  vm publish-state P [--session S] --seq N [--op set|supersede|invalidate]\n"
          "                     [--target N] [--data HEX]\n"
          "  vm commit P [--root HEX|current] [--height H] [--session S]\n"
          "  Reads: vm programs | program | storage | boxes | balances | token | state | view\n"
          "  (smallnano-cli vm program prints their arguments).\n"
          "  Defaults: the first wallet and its first account; --to: the source itself\n"
          "  (free: the chunks come back), or the program's host for calls.\n",
          stderr);
    return 2;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One RPC call; the answer (with or without "error") or NULL after printing. */
static json_t *raw_call(const cli_node *n, json_t *req, int timeout_ms)
{
    char *body = json_dumps(req, JSON_COMPACT);
    if (!body) {
        cli_err("out of memory");
        return NULL;
    }
    cli_rpc_response resp;
    char err[256];
    cli_rpc_status st =
        cli_rpc_post(&n->addr, body, strlen(body), timeout_ms, &resp, err, sizeof err);
    free(body);
    if (st != CLI_RPC_OK) {
        cli_err("the node's RPC at %s: %s%s\n", n->where, err,
                st == CLI_RPC_CONNECT ? n->hint : "");
        return NULL;
    }
    json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
    cli_rpc_response_free(&resp);
    if (!json_is_object(j)) {
        json_decref(j);
        cli_err("the node's RPC did not answer with a JSON object");
        return NULL;
    }
    return j;
}

static const char *str(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Token argument -> its 16-byte reference as "0x..." (a 64-hex id or a
 * 32-hex reference); "vsmn" -> NULL with *vsmn set. */
static bool token_ref(const char *s, char out[40], bool *vsmn)
{
    *vsmn = strcmp(s, "vsmn") == 0 || strcmp(s, "smn.vsmn") == 0;
    if (*vsmn)
        return true;
    size_t l = strlen(s);
    uint8_t b[32];
    if ((l != 64 && l != 32) || !smn_hex_decode(s, b, l / 2)) {
        cli_err("'%s' is not a token (64 hex digits, its 32-digit reference, or "
                "vsmn)\n",
                s);
        return false;
    }
    snprintf(out, 40, "0x%.32s", s);
    return true;
}

/* ASCII text as the integer of its bytes ("0x..."), 1..16 characters. */
static bool text_arg(const char *s, char out[40])
{
    size_t l = strlen(s);
    if (l < 1 || l > 16) {
        cli_err("'%s': names and symbols are 1..16 characters\n", s);
        return false;
    }
    strcpy(out, "0x");
    smn_hex_encode((const uint8_t *)s, l, out + 2);
    return true;
}

static json_t *arg_value(const char *s)
{
    if (strcmp(s, "-") == 0)
        return json_null();
    return json_string(s);
}

/* The destination for a call: the program's host (vm_program_info). */
static bool host_of(const cli_node *n, const char *prog, char host[80])
{
    json_t *req = json_pack("{s:s, s:s}", "action", "vm_program_info", "program", prog);
    json_t *ans = NULL;
    int rc = cli_node_call(n, req, CLI_NODE_TIMEOUT_MS, &ans);
    json_decref(req);
    if (rc)
        return false;
    const char *h = str(ans, "host");
    if (!h) {
        cli_err("%s is a global program: give --to (the recipient)\n", prog);
        json_decref(ans);
        return false;
    }
    snprintf(host, 80, "%s", h);
    json_decref(ans);
    return true;
}

static char *read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        cli_err("cannot open %s\n", path);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (n + 1 == cap) {
            char *nb = cap > (1u << 22) ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (f != stdin)
        fclose(f);
    if (!buf) {
        cli_err("%s is too large\n", path);
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

/* The all-zero key: a send to it mints vSMN, and nothing ever receives it. */
#define BURN_ACCOUNT "smn_1111111111111111111111111111111111111111111111111111hifc8npp"

/* Builds the message spec for a command; NULL after printing (*rc set). */
static json_t *spec_for(const char *cmd, const char *const *P, int NP, int argc, char **argv,
                        const cli_node *n, char dest[80], bool *plain_burn, int *rc)
{
    *rc = 2;
    json_t *m = json_object();
    json_t *args = json_array();
    char t[40], u[40];
    bool vsmn;
    const char *s;
#define NEED(k)                                                                                    \
    do {                                                                                           \
        if (NP < (k)) {                                                                            \
            cli_err("vm %s needs %d arguments\n", cmd, (k));                                       \
            goto bad;                                                                              \
        }                                                                                          \
    } while (0)
    if (strcmp(cmd, "send") == 0) {
        if ((s = cli_opt(argc, argv, "--payload"))) {
            json_object_set_new(m, "payload", json_string(s));
        } else if ((s = cli_opt(argc, argv, "--message"))) {
            json_decref(m);
            m = json_loads(s, 0, NULL);
            if (!json_is_object(m)) {
                cli_err("--message is not a JSON object");
                goto bad;
            }
        } else {
            cli_err("vm send needs --payload HEX or --message JSON");
            goto bad;
        }
    } else if (strcmp(cmd, "call") == 0) {
        NEED(2);
        json_object_set_new(m, "kind", json_string("call"));
        json_object_set_new(m, "program", json_string(P[0]));
        json_object_set_new(m, "method", json_string(P[1]));
        for (int i = 2; i < NP; i++)
            json_array_append_new(args, arg_value(P[i]));
        if (!dest[0] && !host_of(n, P[0], dest)) {
            *rc = 1;
            goto bad;
        }
    } else if (strcmp(cmd, "deploy") == 0) {
        json_object_set_new(m, "kind", json_string("deploy"));
        if ((s = cli_opt(argc, argv, "--code"))) {
            json_object_set_new(m, "code", json_string(s));
        } else {
            NEED(1);
            char *src = read_file(P[0]);
            if (!src) {
                *rc = 1;
                goto bad;
            }
            json_object_set_new(m, "asm", json_string(src));
            free(src);
        }
    } else if (strcmp(cmd, "etch") == 0) {
        NEED(4);
        if (!text_arg(P[0], t) || !text_arg(P[1], u))
            goto bad;
        json_object_set_new(m, "kind", json_string("call"));
        json_object_set_new(m, "program", json_string("smn.token"));
        json_object_set_new(m, "method", json_integer(0));
        json_array_append_new(args, json_string(t));
        json_array_append_new(args, json_string(u));
        json_array_append_new(args, json_string(P[2]));
        json_array_append_new(args, json_string(P[3]));
    } else if (strcmp(cmd, "mint") == 0) {
        NEED(2);
        if (!token_ref(P[0], t, &vsmn))
            goto bad;
        if (vsmn) {
            cli_err("vSMN is minted by burning smn: vm burn AMOUNT");
            goto bad;
        }
        json_object_set_new(m, "kind", json_string("call"));
        json_object_set_new(m, "program", json_string("smn.token"));
        json_object_set_new(m, "method", json_integer(1));
        json_array_append_new(args, json_string(t));
        json_array_append_new(args, json_string(P[1]));
    } else if (strcmp(cmd, "transfer") == 0 || strcmp(cmd, "transfer-call") == 0 ||
               strcmp(cmd, "withdraw") == 0 || strcmp(cmd, "swap") == 0) {
        bool tc = strcmp(cmd, "transfer-call") == 0, wd = strcmp(cmd, "withdraw") == 0,
             sw = strcmp(cmd, "swap") == 0;
        /* swap P TOKEN AMOUNT MIN_OUT = transfer-call TOKEN AMOUNT P 3 MIN_OUT */
        int o = sw ? 1 : 0;
        NEED(sw ? 4 : tc ? 4 : wd ? 3 : 2);
        if (!token_ref(P[o], t, &vsmn))
            goto bad;
        json_object_set_new(m, "kind", json_string("call"));
        json_object_set_new(m, "program", json_string(vsmn ? "smn.vsmn" : "smn.token"));
        json_object_set_new(m, "method", json_integer(tc || sw ? 3 : wd ? 4 : 2));
        if (!vsmn)
            json_array_append_new(args, json_string(t));
        json_array_append_new(args, json_string(P[o + 1]));
        if (tc || wd || sw) {
            const char *prog = sw ? P[0] : P[2];
            char pfx[24];
            if (strlen(prog) != 64 && strlen(prog) != 16) {
                cli_err("'%s' is not a program (64 hex digits or its 16-digit "
                        "prefix)\n",
                        prog);
                goto bad;
            }
            snprintf(pfx, sizeof pfx, "u64:0x%.16s", prog);
            json_array_append_new(args, json_string(pfx));
            if (tc || sw) {
                /* the callee's method travels as a u8, the rest as given */
                char mm[48];
                snprintf(mm, sizeof mm, "u8:%s", sw ? "3" : P[3]);
                json_array_append_new(args, json_string(mm));
                if (sw)
                    json_array_append_new(args, json_string(P[3])); /* min_out */
                for (int i = 4; tc && i < NP; i++)
                    json_array_append_new(args, arg_value(P[i]));
                if (!dest[0] && !host_of(n, prog, dest)) {
                    *rc = 1;
                    goto bad;
                }
            }
        }
        if (!dest[0]) {
            cli_err("vm %s needs --to (the recipient)\n", cmd);
            goto bad;
        }
    } else if (strcmp(cmd, "burn") == 0) {
        NEED(1);
        *plain_burn = true;
        json_object_set_new(m, "amount", json_string(P[0]));
    } else if (strcmp(cmd, "swap-deploy") == 0) {
        NEED(2);
        json_object_set_new(m, "kind", json_string("deploy"));
        json_object_set_new(m, "native", json_string("swap"));
        json_object_set_new(m, "asset_a", json_string(P[0]));
        json_object_set_new(m, "asset_b", json_string(P[1]));
    } else if (strcmp(cmd, "swap-add") == 0 || strcmp(cmd, "swap-remove") == 0 ||
               strcmp(cmd, "swap-own") == 0) {
        NEED(4);
        json_object_set_new(m, "kind", json_string("call"));
        json_object_set_new(m, "program", json_string(P[0]));
        json_object_set_new(m, "method",
                            json_integer(strcmp(cmd, "swap-add") == 0      ? 1
                                         : strcmp(cmd, "swap-remove") == 0 ? 2
                                                                           : 4));
        for (int i = 1; i < 4; i++)
            json_array_append_new(args, json_string(P[i]));
        if (!dest[0] && !host_of(n, P[0], dest)) {
            *rc = 1;
            goto bad;
        }
    } else if (strcmp(cmd, "publish-state") == 0 || strcmp(cmd, "commit") == 0) {
        NEED(1);
        bool st = strcmp(cmd, "publish-state") == 0;
        json_object_set_new(m, "kind", json_string(st ? "state" : "commit"));
        json_object_set_new(m, "program", json_string(P[0]));
        static const char *const opts[][2] = {{"--session", "session"}, {"--seq", "seq"},
                                              {"--op", "op"},           {"--target", "target_seq"},
                                              {"--data", "data"},       {"--height", "height"}};
        for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
            if ((s = cli_opt(argc, argv, opts[i][0])))
                json_object_set_new(m, opts[i][1], json_string(s));
        if (!st)
            json_object_set_new(m, "root",
                                json_string((s = cli_opt(argc, argv, "--root")) ? s : "current"));
    } else {
        json_decref(m);
        json_decref(args);
        *rc = usage();
        return NULL;
    }
#undef NEED
    if (json_array_size(args))
        json_object_set_new(m, "args", args);
    else
        json_decref(args);
    return m;
bad:
    json_decref(m);
    json_decref(args);
    return NULL;
}

/* The first wallet and its first account, for --wallet/--source defaults. */
static bool default_wallet(const cli_node *n, char wallet[80], char source[80])
{
    json_t *req = json_pack("{s:s}", "action", "wallet_list");
    json_t *ans = NULL;
    int rc = cli_node_call(n, req, CLI_NODE_TIMEOUT_MS, &ans);
    json_decref(req);
    if (rc)
        return false;
    json_t *w = json_array_get(json_object_get(ans, "wallets"), 0);
    const char *id = str(w, "id");
    json_t *acc = json_array_get(json_object_get(w, "accounts"), 0);
    bool ok = id && json_is_string(acc);
    if (ok) {
        if (!wallet[0])
            snprintf(wallet, 80, "%s", id);
        if (!source[0])
            snprintf(source, 80, "%s", json_string_value(acc));
    } else {
        cli_err("no wallet with an account on this node: give --wallet and --source");
    }
    json_decref(ans);
    return ok;
}

static bool confirmed(const cli_node *n, const char *hash)
{
    json_t *req = json_pack("{s:s, s:s}", "action", "block_info", "hash", hash);
    json_t *ans = raw_call(n, req, CLI_NODE_TIMEOUT_MS);
    json_decref(req);
    bool ok = ans && str(ans, "confirmed") && strcmp(str(ans, "confirmed"), "true") == 0;
    json_decref(ans);
    return ok;
}

static void print_events(const json_t *arr, const char *side)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        char *f = json_dumps(json_object_get(e, "fields"), JSON_COMPACT);
        printf("  %s event %s: %s\n", side, str(e, "type") ? str(e, "type") : "?", f ? f : "");
        free(f);
    }
}

int cli_cmd_vm_send(const cli_ctx *ctx, int argc, char **argv)
{
    static const char *const valued[] = {
        "--rpc",     "--data-dir", "--wallet", "--source",  "--to",  "--timeout",
        "--payload", "--message",  "--code",   "--session", "--seq", "--op",
        "--target",  "--data",     "--height", "--root",    NULL};
    static const char *const flags[] = {"--no-wait", NULL};
    const char *cmd = argc > 1 ? argv[1] : "";
    static const char *const known[] = {
        "send",          "call",     "deploy",        "etch",        "mint",     "transfer",
        "transfer-call", "withdraw", "burn",          "swap-deploy", "swap-add", "swap-remove",
        "swap",          "swap-own", "publish-state", "commit",      NULL};
    if (!cli_args_in(cmd, known)) {
        if (strcmp(cmd, "help") != 0)
            cli_err("unknown vm command '%s'\n", cmd);
        return usage();
    }
    /* Positionals: call arguments can be more than cli_args holds. */
    int npos = 0;
    const char *pos[16];
    for (int i = 2; i < argc; i++) {
        if (cli_args_in(argv[i], valued) || strcmp(argv[i], "--network") == 0) {
            if (i + 1 >= argc) {
                cli_err("%s needs a value\n", argv[i]);
                return 2;
            }
            i++;
        } else if (strcmp(argv[i], "--json") == 0 || cli_args_in(argv[i], flags)) {
            continue;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            cli_err("unknown option %s\n", argv[i]);
            return usage();
        } else if (npos == 16) {
            cli_err("unexpected argument '%s'\n", argv[i]);
            return usage();
        } else {
            pos[npos++] = argv[i];
        }
    }
    cli_node node;
    int rc = cli_node_find(ctx, argc, argv, &node);
    if (rc)
        return rc;
    char wallet[80] = "", source[80] = "", dest[80] = "";
    const char *s;
    if ((s = cli_opt(argc, argv, "--wallet")))
        snprintf(wallet, sizeof wallet, "%s", s);
    if ((s = cli_opt(argc, argv, "--source")))
        snprintf(source, sizeof source, "%s", s);
    if ((s = cli_opt(argc, argv, "--to")))
        snprintf(dest, sizeof dest, "%s", s);
    long timeout_s = 60;
    if ((s = cli_opt(argc, argv, "--timeout")) && (timeout_s = strtol(s, NULL, 10)) <= 0) {
        cli_err("--timeout must be a number of seconds");
        return 2;
    }
    if ((!wallet[0] || !source[0]) && !default_wallet(&node, wallet, source))
        return 1;
    bool burn = false;
    json_t *spec = spec_for(cmd, pos, npos, argc, argv, &node, dest, &burn, &rc);
    if (!spec)
        return rc;
    if (burn) {
        json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:O}", "action", "send", "wallet", wallet,
                                "source", source, "destination", BURN_ACCOUNT, "amount",
                                json_object_get(spec, "amount"));
        json_decref(spec);
        json_t *ans = NULL;
        rc = cli_node_call(&node, req, CLI_NODE_BLOCK_TIMEOUT_MS, &ans);
        json_decref(req);
        if (rc)
            return rc;
        if (ctx->json)
            return cli_print_json(ans);
        printf("burn sent: block %s\n", str(ans, "block") ? str(ans, "block") : "?");
        json_decref(ans);
        return 0;
    }
    if (!dest[0])
        snprintf(dest, sizeof dest, "%s", source);
    json_t *blocks = json_array();
    json_t *sent = NULL;
    long from = 0;
    for (int attempt = 0;; attempt++) {
        json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:O, s:I}", "action", "vm_send", "wallet",
                                wallet, "source", source, "destination", dest, "message", spec,
                                "from_chunk", (json_int_t)from);
        json_t *ans = raw_call(&node, req, SEND_TIMEOUT_MS);
        json_decref(req);
        if (!ans) {
            json_decref(spec);
            json_decref(blocks);
            return 1;
        }
        json_t *bl = json_object_get(ans, "blocks");
        size_t i;
        json_t *b;
        json_array_foreach(bl, i, b) json_array_append(blocks, b);
        const char *err = str(ans, "error");
        json_t *next = json_object_get(ans, "next_chunk");
        if (!err) {
            sent = ans;
            break;
        }
        bool busy = strstr(err, "in flight") != NULL && json_is_integer(next);
        if (!busy || attempt >= BUSY_RETRY_MAX) {
            cli_err("%s (%zu chunks sent)\n", err, json_array_size(blocks));
            json_decref(ans);
            json_decref(spec);
            json_decref(blocks);
            return 1;
        }
        from = (long)json_integer_value(next);
        json_decref(ans);
        sleep_ms(BUSY_RETRY_MS);
    }
    json_decref(spec);
    const char *first = json_string_value(json_array_get(blocks, 0));
    const char *last = json_string_value(json_array_get(blocks, json_array_size(blocks) - 1));
    json_t *status = NULL;
    bool wait = true;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--no-wait") == 0)
            wait = false;
    if (wait && first && last) {
        time_t deadline = time(NULL) + timeout_s;
        while (time(NULL) < deadline && !confirmed(&node, last))
            sleep_ms(20);
        /* Indexed: status known; complete with every chunk received (the
         * receive side ran), or another final status. */
        bool receive_done = false;
        while (time(NULL) < deadline) {
            json_t *req = json_pack("{s:s, s:s}", "action", "vm_message_status", "message", first);
            json_decref(status);
            status = raw_call(&node, req, CLI_NODE_TIMEOUT_MS);
            json_decref(req);
            const char *st = status ? str(status, "status") : NULL;
            if (st && strcmp(st, "unknown") != 0 && strcmp(st, "assembling") != 0) {
                json_t *rcv = json_object_get(status, "received"),
                       *tot = json_object_get(status, "chunks");
                /* received == chunks: the receive side ran in the same
                 * vm.db transaction as its events (it may have none). */
                /* A message to the burn account has no receive side. */
                receive_done = strcmp(st, "complete") != 0 || strcmp(dest, BURN_ACCOUNT) == 0 ||
                               (json_is_integer(rcv) && json_is_integer(tot) &&
                                json_integer_value(rcv) == json_integer_value(tot));
                if (receive_done)
                    break;
            }
            sleep_ms(50);
        }
        if (!receive_done && status)
            json_object_set_new(status, "receive_pending", json_true());
    }
    json_t *out = json_object();
    json_object_set_new(out, "message", first ? json_string(first) : json_null());
    json_object_set_new(out, "blocks", blocks);
    json_object_set_new(out, "destination", json_string(dest));
    json_object_set_new(out, "amount_total", json_incref(json_object_get(sent, "amount_total")));
    json_object_set_new(out, "status", status ? status : json_null());
    json_decref(sent);
    if (ctx->json)
        return cli_print_json(out);
    printf("message %s: %zu chunk%s to %s\n", first ? first : "-", json_array_size(blocks),
           json_array_size(blocks) == 1 ? "" : "s", dest);
    if (status) {
        printf("  status: %s\n", str(status, "status") ? str(status, "status") : "?");
        print_events(json_object_get(status, "send_events"), "send");
        print_events(json_object_get(status, "receive_events"), "receive");
        if (json_object_get(status, "receive_pending"))
            puts("  receive side: pending (the destination has not received every chunk)");
    }
    json_decref(out);
    return 0;
}
