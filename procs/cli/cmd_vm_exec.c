/* smallnano-cli vm asm|disasm|run: the NanoVM toolchain without a node. */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/amount.h"
#include "common/hex.h"
#include "procs/cli/cli.h"
#include "procs/vm/interp/asm.h"
#include "procs/vm/interp/disasm.h"
#include "procs/vm/interp/interp.h"
#include "procs/vm/interp/memhost.h"

#define SOURCE_MAX (4u << 20)
#define DEFAULT_GAS 1000000u

static void usage(void)
{
    fputs("usage: smallnano-cli vm asm <file|->\n"
          "       smallnano-cli vm disasm <bytecode-hex>\n"
          "       smallnano-cli vm run <bytecode-hex> --method N [--arg V]... [--gas G] [--view]"
          " [--json]\n",
          stderr);
}

static char *read_file(const char *path, size_t *len)
{
    if (strcmp(path, "-") == 0)
        return cli_read_stdin(len);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = cap >= SOURCE_MAX ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                errno = EFBIG;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* Any even-length hex string; NULL (with a message) otherwise. */
static uint8_t *decode_hex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n == 0 || n % 2 != 0) {
        cli_err("bytecode hex must be a non-empty even number of digits\n");
        return NULL;
    }
    uint8_t *b = malloc(n / 2);
    if (!b) {
        cli_err("out of memory\n");
        return NULL;
    }
    if (!smn_hex_decode(hex, b, n / 2)) {
        cli_err("bytecode is not hex\n");
        free(b);
        return NULL;
    }
    *len = n / 2;
    return b;
}

static int cmd_asm(int argc, char **argv)
{
    if (argc < 3) {
        usage();
        return 2;
    }
    size_t len = 0;
    char *src = read_file(argv[2], &len);
    if (!src) {
        cli_err("cannot read %s: %s\n", argv[2], strerror(errno));
        return 2;
    }
    uint8_t *code = NULL;
    size_t clen = 0;
    vm_asm_error err;
    vm_asm_status st = vm_asm(src, len, &code, &clen, &err);
    free(src);
    if (st == VM_ASM_NOMEM) {
        cli_err("out of memory\n");
        return 2;
    }
    if (st != VM_ASM_OK) {
        if (err.line > 0)
            cli_err("%s:%d: %s\n", argv[2], err.line, err.msg);
        else
            cli_err("%s: %s\n", argv[2], err.msg);
        return 2;
    }
    char *hex = malloc(clen * 2 + 1);
    if (!hex) {
        free(code);
        cli_err("out of memory\n");
        return 2;
    }
    smn_hex_encode(code, clen, hex);
    puts(hex);
    free(hex);
    free(code);
    return 0;
}

static int cmd_disasm(int argc, char **argv)
{
    if (argc < 3) {
        usage();
        return 2;
    }
    size_t len = 0;
    uint8_t *code = decode_hex(argv[2], &len);
    if (!code)
        return 2;
    char *text = NULL;
    vm_verify_error err;
    vm_verify_status st = vm_disasm(code, len, &text, &err);
    free(code);
    if (st != VM_VERIFY_OK) {
        char msg[128];
        cli_err("invalid bytecode: %s\n", vm_verify_describe(&err, msg, sizeof msg));
        return 2;
    }
    fputs(text, stdout);
    free(text);
    return 0;
}

static int parse_run_opts(int argc, char **argv, vm_call_request *req)
{
    bool have_method = false;
    req->gas_limit = DEFAULT_GAS;
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            continue;
        } else if (strcmp(a, "--view") == 0) {
            req->view = true;
            continue;
        }
        if (i + 1 >= argc) {
            cli_err("%s needs a value\n", a);
            return 2;
        }
        const char *v = argv[++i];
        vm_u128 n;
        if (!vm_asm_parse_u128(v, &n)) {
            cli_err("%s: '%s' is not a number (decimal or 0x-hex, < 2^128)\n", a, v);
            return 2;
        }
        if (strcmp(a, "--method") == 0) {
            if (smn_amount_gt(n, smn_amount_from_u64(255))) {
                cli_err("--method must be 0..255\n");
                return 2;
            }
            req->method = (uint8_t)smn_amount_lo64(n);
            have_method = true;
        } else if (strcmp(a, "--arg") == 0) {
            if (req->nargs == VM_MAX_ARGS) {
                cli_err("at most %d --arg values (r1..r5)\n", VM_MAX_ARGS);
                return 2;
            }
            req->args[req->nargs++] = n;
        } else if (strcmp(a, "--gas") == 0) {
            if (smn_amount_hi64(n) != 0) {
                cli_err("--gas must fit in 64 bits\n");
                return 2;
            }
            req->gas_limit = smn_amount_lo64(n);
        } else {
            cli_err("unknown option %s\n", a);
            return 2;
        }
    }
    if (!have_method) {
        cli_err("--method N is required\n");
        return 2;
    }
    return 0;
}

static void print_text(const vm_call_outcome *o, const memhost *mh)
{
    char num[SMN_AMOUNT_RAW_STRLEN];
    if (o->status == VM_OK)
        printf("status: ok\n");
    else
        printf("status: %s at %u\n", vm_status_name(o->status), (unsigned)o->fault_offset);
    printf("result: %s\n", smn_amount_format_raw(o->ret, num));
    printf("gas_used: %llu\n", (unsigned long long)o->gas_used);
    for (size_t i = 0; i < memhost_event_count(mh); i++) {
        const memhost_event *e = memhost_event_at(mh, i);
        char *hex = malloc(e->len * 2 + 1);
        if (!hex)
            return;
        smn_hex_encode(e->data, e->len, hex);
        printf("event: topic %llu data %s\n", (unsigned long long)e->topic, hex);
        free(hex);
    }
}

static int print_json(const vm_call_outcome *o, const memhost *mh)
{
    char num[SMN_AMOUNT_RAW_STRLEN];
    json_t *root = json_object();
    json_t *events = json_array();
    if (!root || !events) {
        json_decref(root);
        json_decref(events);
        return -1;
    }
    json_object_set_new(root, "status", json_string(vm_status_name(o->status)));
    if (o->status != VM_OK)
        json_object_set_new(root, "fault_offset", json_integer(o->fault_offset));
    json_object_set_new(root, "result", json_string(smn_amount_format_raw(o->ret, num)));
    json_object_set_new(root, "gas_used", json_integer((json_int_t)o->gas_used));
    for (size_t i = 0; i < memhost_event_count(mh); i++) {
        const memhost_event *e = memhost_event_at(mh, i);
        char *hex = malloc(e->len * 2 + 1);
        if (!hex)
            break;
        smn_hex_encode(e->data, e->len, hex);
        /* Topics are u64: a string keeps them exact in every JSON reader. */
        snprintf(num, sizeof num, "%llu", (unsigned long long)e->topic);
        json_array_append_new(events, json_pack("{s:s, s:s}", "topic", num, "data", hex));
        free(hex);
    }
    json_object_set_new(root, "events", events);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!s)
        return -1;
    puts(s);
    free(s);
    return 0;
}

static int cmd_run(const cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 3) {
        usage();
        return 2;
    }
    vm_call_request req;
    memset(&req, 0, sizeof req);
    int rc = parse_run_opts(argc, argv, &req);
    if (rc)
        return rc;
    size_t len = 0;
    uint8_t *code = decode_hex(argv[2], &len);
    if (!code)
        return 2;
    memhost *mh = memhost_new();
    if (!mh) {
        free(code);
        cli_err("out of memory\n");
        return 2;
    }
    /* An empty state; the program's id is the Blake2b-256 of its code. */
    uint8_t id[VM_ID_LEN];
    crypto_generichash(id, sizeof id, code, len, NULL, 0);
    vm_verify_error err;
    vm_verify_status vs = memhost_add_program(mh, id, code, len, &err);
    free(code);
    if (vs != VM_VERIFY_OK) {
        char msg[128];
        cli_err("invalid bytecode: %s\n", vm_verify_describe(&err, msg, sizeof msg));
        memhost_free(mh);
        return 2;
    }
    vm_env env;
    memset(&env, 0, sizeof env);
    memhost_set_env(mh, &env);
    vm_call_outcome out;
    memhost_call(mh, id, &req, &out);
    if (out.status == VM_FAULT_HOST) {
        cli_err("the in-memory host failed (out of memory)\n");
        memhost_free(mh);
        return 2;
    }
    if (ctx->json) {
        if (print_json(&out, mh) != 0) {
            cli_err("out of memory\n");
            memhost_free(mh);
            return 2;
        }
    } else {
        print_text(&out, mh);
    }
    memhost_free(mh);
    return out.status == VM_OK ? 0 : 1;
}

int cli_cmd_vm_exec(const cli_ctx *ctx, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    if (strcmp(sub, "asm") == 0)
        return cmd_asm(argc, argv);
    if (strcmp(sub, "disasm") == 0)
        return cmd_disasm(argc, argv);
    if (strcmp(sub, "run") == 0)
        return cmd_run(ctx, argc, argv);
    cli_err("unknown vm command '%s'\n", sub);
    usage();
    return 2;
}
