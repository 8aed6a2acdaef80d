/* See node_rpc.h. */
#include "procs/cli/node_rpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/network.h"
#include "procs/cli/cli.h"

/* ---- finding the RPC ---- */

/* Reads DIR/run/rpc.addr: 1 found (out filled), 0 absent, -1 unusable
 * (printed). */
static int read_addr_file(const char *dir, cli_rpc_addr *out, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "%s/%s", dir, CLI_NODE_RPC_ADDR_FILE);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        cli_err("cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[512];
    size_t n = fread(line, 1, sizeof line - 1, f);
    bool err = ferror(f) != 0, more = !err && fgetc(f) != EOF;
    fclose(f);
    if (err) {
        cli_err("cannot read %s\n", path);
        return -1;
    }
    line[n] = '\0';
    /* one line: "HOST:PORT", a trailing newline allowed */
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = '\0';
    if (more || strlen(line) != n || strchr(line, '\n') || !cli_rpc_addr_parse(line, out)) {
        cli_err("%s does not hold one HOST:PORT line\n", path);
        return -1;
    }
    return 1;
}

int cli_node_find(const cli_ctx *ctx, int argc, char **argv, cli_node *out)
{
    memset(out, 0, sizeof *out);
    const char *rpc = cli_opt(argc, argv, "--rpc");
    if (!rpc)
        rpc = ctx->rpc;
    if (rpc) {
        if (!cli_rpc_addr_parse(rpc, &out->addr)) {
            cli_err("--rpc wants HOST:PORT (e.g. 127.0.0.1:17076 or [::1]:17076), "
                    "not '%s'\n",
                    rpc);
            return 2;
        }
        cli_rpc_addr_format(&out->addr, out->where, sizeof out->where);
        return 0;
    }
    const char *dir = cli_opt(argc, argv, "--data-dir");
    if (!dir)
        dir = ctx->data_dir;
    char path[4200] = "";
    if (dir) {
        int r = read_addr_file(dir, &out->addr, path, sizeof path);
        if (r < 0)
            return 2;
        if (r > 0) {
            cli_rpc_addr_format(&out->addr, out->where, sizeof out->where);
            snprintf(out->hint, sizeof out->hint, " (address from %s; is the node running?)", path);
            return 0;
        }
    }
    const char *name = cli_opt(argc, argv, "--network");
    if (!name)
        name = ctx->network ? ctx->network : "dev";
    const smn_network *net = smn_network_by_name(name);
    if (!net) {
        cli_err("unknown network '%s' (expected dev, test or live)\n", name);
        return 2;
    }
    snprintf(out->addr.host, sizeof out->addr.host, "127.0.0.1");
    snprintf(out->addr.port, sizeof out->addr.port, "%u", (unsigned)net->rpc_port);
    cli_rpc_addr_format(&out->addr, out->where, sizeof out->where);
    if (dir)
        snprintf(out->hint, sizeof out->hint,
                 " (%s does not exist, so the %s default was tried; is the node running?)", path,
                 net->name);
    else
        snprintf(out->hint, sizeof out->hint,
                 " (the %s default; use --data-dir DIR or --rpc HOST:PORT to choose)", net->name);
    return 0;
}

/* ---- calling ---- */

static void print_node_error(const char *msg)
{
    if (strcmp(msg, "Wallet is locked") == 0)
        cli_err("%s", "Wallet is locked: unlock it with 'smallnano-cli wallet unlock <wallet-id>' "
                      "(password on stdin)\n");
    else if (strcmp(msg, "RPC control is disabled") == 0)
        cli_err("%s", "RPC control is disabled on this node: set enable_control = true under "
                      "[rpc] in its config\n");
    else if (strcmp(msg, "Account not found") == 0)
        cli_err("%s", "Account not found: it has no blocks in the node's ledger yet\n");
    else
        cli_err("%s\n", msg);
}

static int post(const cli_node *n, const json_t *req, int timeout_ms, json_t **answer, int *http)
{
    *answer = NULL;
    char *body = json_dumps(req, JSON_COMPACT);
    if (!body) {
        cli_err("%s", "out of memory\n");
        return 1;
    }
    cli_rpc_response resp;
    char err[256];
    cli_rpc_status st =
        cli_rpc_post(&n->addr, body, strlen(body), timeout_ms, &resp, err, sizeof err);
    free(body);
    switch (st) {
    case CLI_RPC_OK:
        break;
    case CLI_RPC_BAD_ADDRESS:
    case CLI_RPC_CONNECT:
        cli_err("cannot reach the node's RPC at %s: %s%s\n", n->where, err, n->hint);
        return 1;
    case CLI_RPC_TIMEOUT:
        cli_err("the node's RPC at %s did not answer: %s\n", n->where, err);
        return 1;
    case CLI_RPC_NOMEM:
        cli_err("%s", "out of memory\n");
        return 1;
    default:
        cli_err("bad answer from the node's RPC at %s: %s\n", n->where, err);
        return 1;
    }
    json_error_t jerr;
    json_t *j = json_loadb(resp.body, resp.len, JSON_REJECT_DUPLICATES, &jerr);
    int status = resp.status;
    cli_rpc_response_free(&resp);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        cli_err("the node's RPC at %s answered HTTP %d without a JSON object\n", n->where, status);
        return 1;
    }
    *http = status;
    *answer = j;
    return 0;
}

int cli_node_call_raw(const cli_node *n, const json_t *req, int timeout_ms, json_t **answer)
{
    int http;
    return post(n, req, timeout_ms, answer, &http);
}

int cli_node_call(const cli_node *n, const json_t *req, int timeout_ms, json_t **answer)
{
    int status;
    json_t *j = NULL;
    int rc = post(n, req, timeout_ms, &j, &status);
    *answer = NULL;
    if (rc != 0)
        return rc;
    json_t *e = json_object_get(j, "error");
    if (e) {
        if (json_is_string(e))
            print_node_error(json_string_value(e));
        else
            cli_err("the node's RPC answered HTTP %d with a malformed error\n", status);
        json_decref(j);
        return 1;
    }
    if (status != 200) {
        cli_err("the node's RPC answered HTTP %d\n", status);
        json_decref(j);
        return 1;
    }
    *answer = j;
    return 0;
}

/* ---- answer fields ---- */

int cli_ans_bad(const char *what)
{
    cli_err("unexpected answer from the node: %s\n", what);
    return 1;
}

static bool bad_field(const char *key, const char *expected)
{
    char what[160];
    snprintf(what, sizeof what, "\"%s\" is missing or not %s", key, expected);
    cli_ans_bad(what);
    return false;
}

bool cli_ans_str(const json_t *o, const char *key, const char **out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return bad_field(key, "a string");
    *out = json_string_value(v);
    return true;
}

bool cli_ans_hash(const json_t *o, const char *key, uint8_t out[32])
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || !smn_hex_decode(json_string_value(v), out, 32))
        return bad_field(key, "a 64-digit hex hash");
    return true;
}

bool cli_ans_account(const json_t *o, const char *key, uint8_t out[32])
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || smn_address_decode(json_string_value(v), out) != SMN_ADDRESS_OK)
        return bad_field(key, "a valid address");
    return true;
}

bool cli_ans_amount(const json_t *o, const char *key, smn_amount_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || smn_amount_parse_raw(json_string_value(v), out) != SMN_AMOUNT_OK)
        return bad_field(key, "a raw amount");
    return true;
}

bool cli_ans_u64(const json_t *o, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(o, key);
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t n = strlen(s);
    uint64_t x = 0;
    bool ok = n > 0 && n <= 20;
    for (size_t i = 0; ok && i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            ok = false;
        else
            x = x * 10 + (uint64_t)(s[i] - '0');
    }
    if (!ok)
        return bad_field(key, "a decimal number");
    *out = x;
    return true;
}

bool cli_ans_bool(const json_t *o, const char *key, bool *out)
{
    json_t *v = json_object_get(o, key);
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    if (strcmp(s, "true") == 0)
        *out = true;
    else if (strcmp(s, "false") == 0)
        *out = false;
    else
        return bad_field(key, "\"true\" or \"false\"");
    return true;
}

bool cli_ans_array(const json_t *o, const char *key, const json_t **out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_array(v))
        return bad_field(key, "a list");
    *out = v;
    return true;
}

bool cli_ans_object(const json_t *o, const char *key, const json_t **out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_object(v))
        return bad_field(key, "an object");
    *out = v;
    return true;
}

/* ---- command-line arguments ---- */

bool cli_arg_account(const char *s, const char *what, uint8_t out[32])
{
    smn_address_status st = smn_address_decode(s, out);
    if (st != SMN_ADDRESS_OK) {
        cli_err("bad %s '%s': %s\n", what, s, smn_address_strerror(st));
        return false;
    }
    return true;
}

bool cli_arg_hash(const char *s, const char *what, uint8_t out[32])
{
    if (!smn_hex_decode(s, out, 32)) {
        cli_err("bad %s '%s': expected 64 hex digits\n", what, s);
        return false;
    }
    return true;
}

bool cli_arg_wallet(const char *s, uint8_t out[32])
{
    if (!smn_hex_decode(s, out, 32)) {
        cli_err("bad wallet id '%s': expected 64 hex digits\n", s);
        return false;
    }
    return true;
}

bool cli_arg_amount(const char *s, bool raw, smn_amount_t *out)
{
    smn_amount_status st = raw ? smn_amount_parse_raw(s, out) : smn_amount_parse_smn(s, out);
    if (st != SMN_AMOUNT_OK) {
        cli_err("bad amount '%s': %s%s\n", s, smn_amount_strerror(st),
                raw ? " (--raw: a whole number of raw)" : " (in smn, e.g. 1.5; --raw for raw)");
        return false;
    }
    if (smn_amount_is_zero(*out)) {
        cli_err("bad amount '%s': must be above zero\n", s);
        return false;
    }
    return true;
}

/* ---- output ---- */

char *cli_amount_text(smn_amount_t v, char buf[CLI_AMOUNT_TEXT_LEN])
{
    char smn[SMN_AMOUNT_SMN_STRLEN], raw[SMN_AMOUNT_RAW_STRLEN];
    snprintf(buf, CLI_AMOUNT_TEXT_LEN, "%s smn (%s raw)", smn_amount_format_smn(v, smn),
             smn_amount_format_raw(v, raw));
    return buf;
}

int cli_print_json(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (!s) {
        cli_err("%s", "out of memory\n");
        return 1;
    }
    puts(s);
    free(s);
    return 0;
}

json_t *cli_json_amount(smn_amount_t v)
{
    char raw[SMN_AMOUNT_RAW_STRLEN];
    return json_string(smn_amount_format_raw(v, raw));
}

json_t *cli_json_hex32(const uint8_t b[32])
{
    char hex[65];
    smn_hex_encode(b, 32, hex);
    return json_string(hex);
}

json_t *cli_json_account(const uint8_t pub[32])
{
    char addr[SMN_ADDRESS_STRLEN];
    smn_address_encode(pub, addr);
    return json_string(addr);
}
