/* smallnano-cli vm programs | program | storage | boxes | balances | token |
 * state | view: the NanoVM read path through the node's RPC (the actions of
 * procs/rpc/actions_vm.c), so the CLI shows exactly what an app sees.
 * --json prints the node's answer; otherwise one "key: value" line per
 * field, list entries one per line. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"
#include "procs/cli/node_rpc.h"

static int usage(void)
{
    fputs("usage: smallnano-cli vm programs [--count N] [--after P]\n"
          "       smallnano-cli vm program <P>\n"
          "       smallnano-cli vm storage <P> [--after KEYHEX] [--count N]\n"
          "       smallnano-cli vm boxes <P> [--from N] [--count N]\n"
          "       smallnano-cli vm balances (--account A | <P> [--box N])\n"
          "       smallnano-cli vm token <TOKEN-ID|REF>\n"
          "       smallnano-cli vm state <P> [--session S] [--seq N]\n"
          "       smallnano-cli vm view <P> --method N [--arg V]... [--gas G] [--caller A]\n"
          "  <P>: 64 hex digits, a unique 16-digit prefix, smn.token or smn.vsmn\n"
          "  options: [--rpc HOST:PORT] [--data-dir DIR] [--json]\n",
          stderr);
    return 2;
}

static void print_value(const json_t *v, int indent);

static void print_inline(const json_t *v)
{
    if (json_is_string(v)) {
        fputs(json_string_value(v), stdout);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        bool first = true;
        json_object_foreach((json_t *)v, k, x)
        {
            printf("%s%s=", first ? "" : " ", k);
            if (json_is_object(x) || json_is_array(x)) {
                char *s = json_dumps(x, JSON_COMPACT);
                fputs(s ? s : "?", stdout);
                free(s);
            } else {
                print_inline(x);
            }
            first = false;
        }
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        fputs(s ? s : "?", stdout);
        free(s);
    }
}

static void print_value(const json_t *v, int indent)
{
    const char *k;
    json_t *x;
    json_object_foreach((json_t *)v, k, x)
    {
        printf("%*s%s:", indent, "", k);
        if (json_is_array(x)) {
            putchar('\n');
            size_t i;
            json_t *e;
            json_array_foreach(x, i, e)
            {
                printf("%*s", indent + 2, "");
                print_inline(e);
                putchar('\n');
            }
        } else if (json_is_object(x)) {
            putchar('\n');
            print_value(x, indent + 2);
        } else {
            putchar(' ');
            print_inline(x);
            putchar('\n');
        }
    }
}

static int call(const cli_ctx *ctx, int argc, char **argv, json_t *req)
{
    if (!req) {
        cli_err("out of memory");
        return 1;
    }
    cli_node node;
    int rc = cli_node_find(ctx, argc, argv, &node);
    if (rc) {
        json_decref(req);
        return rc;
    }
    json_t *ans = NULL;
    rc = cli_node_call(&node, req, CLI_NODE_TIMEOUT_MS, &ans);
    json_decref(req);
    if (rc)
        return rc;
    if (ctx->json)
        return cli_print_json(ans);
    print_value(ans, 0);
    json_decref(ans);
    return 0;
}

/* Copies --name VALUE into req[key] as a string. */
static void opt_str(int argc, char **argv, const char *name, json_t *req, const char *key)
{
    const char *v = cli_opt(argc, argv, name);
    if (v)
        json_object_set_new(req, key, json_string(v));
}

int cli_cmd_vm_state(const cli_ctx *ctx, int argc, char **argv)
{
    static const char *const valued[] = {
        "--rpc",     "--data-dir", "--count",  "--after", "--from", "--account", "--box",
        "--session", "--seq",      "--method", "--arg",   "--gas",  "--caller",  NULL};
    const char *sub = argc > 1 ? argv[1] : "";
    cli_args a;
    if (!cli_args_scan(argc, argv, 2, valued, NULL, 1, &a))
        return usage();
    json_t *req = json_object();
    if (!req)
        return call(ctx, argc, argv, NULL);
    bool need_program = true;
    const char *action = NULL;
    if (strcmp(sub, "programs") == 0) {
        action = "vm_programs";
        need_program = false;
        opt_str(argc, argv, "--count", req, "count");
        opt_str(argc, argv, "--after", req, "after");
    } else if (strcmp(sub, "program") == 0) {
        action = "vm_program_info";
    } else if (strcmp(sub, "storage") == 0) {
        action = "vm_storage";
        opt_str(argc, argv, "--count", req, "count");
        opt_str(argc, argv, "--after", req, "after");
    } else if (strcmp(sub, "boxes") == 0) {
        action = "vm_boxes";
        opt_str(argc, argv, "--count", req, "count");
        opt_str(argc, argv, "--from", req, "from");
    } else if (strcmp(sub, "balances") == 0) {
        action = "vm_balances";
        need_program = !cli_opt(argc, argv, "--account");
        opt_str(argc, argv, "--account", req, "account");
        opt_str(argc, argv, "--box", req, "box");
    } else if (strcmp(sub, "token") == 0) {
        action = "vm_token";
        need_program = false;
        if (a.npos != 1) {
            json_decref(req);
            return usage();
        }
        json_object_set_new(req, "token", json_string(a.pos[0]));
    } else if (strcmp(sub, "state") == 0) {
        action = "vm_state";
        opt_str(argc, argv, "--session", req, "session");
        opt_str(argc, argv, "--seq", req, "seq");
    } else if (strcmp(sub, "view") == 0) {
        action = "vm_view";
        if (!cli_opt(argc, argv, "--method")) {
            cli_err("vm view needs --method N");
            json_decref(req);
            return 2;
        }
        opt_str(argc, argv, "--method", req, "method");
        opt_str(argc, argv, "--gas", req, "gas");
        opt_str(argc, argv, "--caller", req, "caller");
        json_t *args = json_array();
        for (int i = 2; i + 1 < argc; i++)
            if (strcmp(argv[i], "--arg") == 0)
                json_array_append_new(args, json_string(argv[++i]));
        json_object_set_new(req, "args", args);
    } else {
        json_decref(req);
        return usage();
    }
    if (need_program) {
        if (a.npos != 1) {
            cli_err("vm %s needs a program\n", sub);
            json_decref(req);
            return usage();
        }
        json_object_set_new(req, "program", json_string(a.pos[0]));
    } else if (strcmp(sub, "token") != 0 && a.npos != 0) {
        cli_err("unexpected argument '%s'\n", a.pos[0]);
        json_decref(req);
        return usage();
    }
    json_object_set_new(req, "action", json_string(action));
    return call(ctx, argc, argv, req);
}
