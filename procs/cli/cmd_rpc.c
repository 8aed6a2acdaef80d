/* smallnano-cli rpc ACTION [key=value...]: any JSON RPC action passed
 * through. A value that starts with '[' or '{' is JSON (lists such as
 * accounts=["smn_..."]); any other is a string, as Nano's RPC takes its
 * numbers and flags. The answer is printed as the node sent it, one line
 * of JSON; a node "error" answer is printed the same way (stdout) and the
 * exit status is 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procs/cli/cli.h"
#include "procs/cli/node_rpc.h"

/* The options this command (and the global ones) take, not fields. */
static bool is_option(const char *a)
{
    return strcmp(a, "--json") == 0 || strcmp(a, "--rpc") == 0 || strcmp(a, "--data-dir") == 0 ||
           strcmp(a, "--network") == 0 || strcmp(a, "--timeout") == 0;
}

int cli_cmd_rpc(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') {
        cli_err("usage: smallnano-cli rpc ACTION [key=value...] [--timeout SECONDS]");
        return 2;
    }
    json_t *req = json_pack("{s:s}", "action", argv[1]);
    if (!req) {
        cli_err("out of memory");
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        if (is_option(argv[i])) {
            if (strcmp(argv[i], "--json") != 0)
                i++; /* its value */
            continue;
        }
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            cli_err("argument '%s' is not key=value", argv[i]);
            json_decref(req);
            return 2;
        }
        char key[128];
        size_t kl = (size_t)(eq - argv[i]);
        if (kl >= sizeof key || strcmp(argv[1], "") == 0) {
            cli_err("key too long in '%s'", argv[i]);
            json_decref(req);
            return 2;
        }
        memcpy(key, argv[i], kl);
        key[kl] = '\0';
        if (strcmp(key, "action") == 0 || json_object_get(req, key)) {
            cli_err("field '%s' given twice (the action is the first argument)", key);
            json_decref(req);
            return 2;
        }
        const char *val = eq + 1;
        json_t *v;
        if (val[0] == '[' || val[0] == '{') {
            json_error_t jerr;
            v = json_loads(val, JSON_REJECT_DUPLICATES, &jerr);
            if (!v) {
                cli_err("%s: not JSON: %s", key, jerr.text);
                json_decref(req);
                return 2;
            }
        } else {
            v = json_string(val);
        }
        json_object_set_new(req, key, v);
    }
    const char *t = cli_opt(argc, argv, "--timeout");
    int timeout_ms = CLI_NODE_BLOCK_TIMEOUT_MS;
    if (t) {
        char *end;
        long s = strtol(t, &end, 10);
        if (*end || s < 1 || s > 3600) {
            cli_err("--timeout %s: seconds, 1 to 3600", t);
            json_decref(req);
            return 2;
        }
        timeout_ms = (int)s * 1000;
    }
    cli_node node;
    int rc = cli_node_find(ctx, argc, argv, &node);
    if (rc != 0) {
        json_decref(req);
        return rc;
    }
    json_t *answer = NULL;
    rc = cli_node_call_raw(&node, req, timeout_ms, &answer);
    json_decref(req);
    if (!answer)
        return rc; /* said why */
    bool failed = json_object_get(answer, "error") != NULL;
    if (failed)
        fprintf(stderr, "error: %s\n",
                json_string_value(json_object_get(answer, "error"))
                    ? json_string_value(json_object_get(answer, "error"))
                    : "(malformed)");
    int prc = cli_print_json(answer);
    return failed ? 1 : prc;
}
