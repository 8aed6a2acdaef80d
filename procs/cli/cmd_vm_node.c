/* smallnano-cli vm verify | vm root | vm events: a node's NanoVM indexer,
 * read from its data dir (vm.db, ledger.db) read-only; the node may run. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "common/address.h"
#include "common/hex.h"
#include "procs/cli/cli.h"
#include "procs/cli/cli_args.h"
#include "procs/rpc/vm_json.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/query.h"
#include "procs/vm/programs/evrow.h"
#include "procs/vm/service/replay_check.h"

#define EVENTS_DEFAULT_LIMIT 100
#define EVENTS_MAX_LIMIT 100000
#define PAGE 256

static void usage(void)
{
    fputs("usage: smallnano-cli --data-dir DIR vm verify [--json]\n"
          "       smallnano-cli --data-dir DIR vm root <program> [--json]\n"
          "       smallnano-cli --data-dir DIR vm events [--program P] [--session S] [--kind K]\n"
          "                     [--account A] [--from CURSOR] [--limit N] [--json]\n"
          "  <program>: a 64-hex program id, or smn.token / smn.vsmn\n",
          stderr);
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_program(const char *s, uint8_t id[32])
{
    if (strcmp(s, "smn.token") == 0 || strcmp(s, "token") == 0) {
        memcpy(id, vm_pid_token, 32);
        return true;
    }
    if (strcmp(s, "smn.vsmn") == 0 || strcmp(s, "vsmn") == 0) {
        memcpy(id, vm_pid_vsmn, 32);
        return true;
    }
    return smn_hex_decode(s, id, 32);
}

static bool parse_account(const char *s, uint8_t pub[32])
{
    return smn_address_decode(s, pub) == SMN_ADDRESS_OK || smn_hex_decode(s, pub, 32);
}

static const char *need_data_dir(const cli_ctx *ctx)
{
    if (!ctx->data_dir)
        cli_err("%s", "--data-dir DIR is required (the node's data directory)\n");
    return ctx->data_dir;
}

static void hex32(const uint8_t v[32], char out[65])
{
    smn_hex_encode(v, 32, out);
}

static int cmd_verify(const cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    if (!cli_args_scan(argc, argv, 2, NULL, NULL, 0, &a)) {
        usage();
        return 2;
    }
    const char *dir = need_data_dir(ctx);
    if (!dir)
        return 2;
    const char *netname = cli_opt(argc, argv, "--network");
    if (!netname)
        netname = ctx->network;
    const smn_network *net = netname ? smn_network_by_name(netname) : NULL;
    if (netname && !net) {
        cli_err("unknown network '%s'\n", netname);
        return 2;
    }
    vm_replay_report r;
    char err[400];
    vm_replay_status st = vm_replay_check_run(dir, net, NULL, &r, err, sizeof err);
    if (st == VM_REPLAY_ERROR) {
        cli_err("vm verify: %s\n", err);
        return 1;
    }
    /* A host that published another root than the one recomputed here:
     * this node is right, the program's operator is not (exit 3). */
    bool fraud = false;
    uint8_t fprog[32], fblock[32];
    uint64_t fheight = 0;
    if (st == VM_REPLAY_MATCH && r.commits_mismatch > 0) {
        char path[600];
        vm_query *q = NULL;
        snprintf(path, sizeof path, "%s/vm.db", dir);
        if (vm_query_open(path, &q) == VM_IDX_OK && vm_query_begin(q) == VM_IDX_OK)
            (void)vm_query_first_fraud(q, fprog, fblock, &fheight, &fraud);
        vm_query_close(q);
    }
    char prog[65] = "-", blk[65] = "-";
    if (fraud) {
        hex32(fprog, prog);
        hex32(fblock, blk);
    }
    if (r.has_program)
        hex32(r.program, prog);
    if (r.has_block)
        hex32(r.block_hash, blk);
    if (ctx->json) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "result",
                              st == VM_REPLAY_MATCH ? "ok" : "mismatch", "seq", (json_int_t)r.seq,
                              "blocks", (json_int_t)r.blocks, "programs", (json_int_t)r.programs,
                              "events", (json_int_t)r.events, "commits", (json_int_t)r.commits,
                              "commits_mismatch", (json_int_t)r.commits_mismatch);
        if (o && fraud) {
            json_object_set_new(o, "result", json_string("fraud"));
            json_object_set_new(o, "what", json_string("a commit published another root"));
            json_object_set_new(o, "program", json_string(prog));
            json_object_set_new(o, "block", json_string(blk));
            json_object_set_new(o, "height", json_integer((json_int_t)fheight));
        }
        if (o && st == VM_REPLAY_MISMATCH) {
            json_object_set_new(o, "what", json_string(r.what));
            json_object_set_new(o, "program", r.has_program ? json_string(prog) : json_null());
            json_object_set_new(o, "block", r.has_block ? json_string(blk) : json_null());
            json_object_set_new(o, "height",
                                r.has_block ? json_integer((json_int_t)r.height) : json_null());
        }
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (s)
            puts(s);
        free(s);
        json_decref(o);
    } else if (fraud) {
        printf("fraud: a commit published another root than the recomputed one: program %s, "
               "block %s, height %" PRIu64 " (%" PRIu64 " such commits; this node's vm.db matches "
               "the ledger)\n",
               prog, blk, fheight, r.commits_mismatch);
    } else if (st == VM_REPLAY_MATCH) {
        printf("ok: %" PRIu64 " programs, %" PRIu64 " blocks verified (cementing seq %" PRIu64
               ", %" PRIu64 " events, %" PRIu64 " commits, %" PRIu64
               " of them publishing another root)\n",
               r.programs, r.blocks, r.seq, r.events, r.commits, r.commits_mismatch);
    } else {
        printf("mismatch: %s: program %s, block %s, height ", r.what, prog, blk);
        if (r.has_block)
            printf("%" PRIu64 "\n", r.height);
        else
            puts("-");
    }
    return fraud ? 3 : st == VM_REPLAY_MATCH ? 0 : 1;
}

static int open_vm(const char *dir, vm_indexer **ix)
{
    char path[600];
    if (snprintf(path, sizeof path, "%s/vm.db", dir) >= (int)sizeof path) {
        cli_err("%s", "data dir path too long\n");
        return 2;
    }
    vm_idx_status st = vm_indexer_open_readonly(path, ix);
    if (st != VM_IDX_OK) {
        cli_err("cannot open %s: %s\n", path,
                st == VM_IDX_ERR_NOT_FOUND ? "no such file (has the node run here?)"
                                           : vm_idx_strerror(st));
        return 1;
    }
    return 0;
}

static int cmd_root(const cli_ctx *ctx, int argc, char **argv)
{
    cli_args a;
    if (!cli_args_scan(argc, argv, 2, NULL, NULL, 1, &a) || a.npos != 1) {
        usage();
        return 2;
    }
    uint8_t id[32];
    if (!parse_program(a.pos[0], id)) {
        cli_err("'%s' is not a program id (64 hex digits, smn.token or smn.vsmn)\n", a.pos[0]);
        return 2;
    }
    const char *dir = need_data_dir(ctx);
    if (!dir)
        return 2;
    vm_indexer *ix;
    int rc = open_vm(dir, &ix);
    if (rc)
        return rc;
    uint8_t root[32];
    vm_idx_status st = vm_indexer_state_root(ix, id, root);
    vm_indexer_close(ix);
    char hid[65], hroot[65];
    hex32(id, hid);
    if (st == VM_IDX_ERR_NOT_FOUND) {
        cli_err("no program %s in this node's vm.db\n", hid);
        return 1;
    }
    if (st != VM_IDX_OK) {
        cli_err("cannot compute the root: %s\n", vm_idx_strerror(st));
        return 1;
    }
    hex32(root, hroot);
    if (ctx->json)
        printf("{\"program\":\"%s\",\"root\":\"%s\"}\n", hid, hroot);
    else
        printf("%s\n", hroot);
    return 0;
}

static void print_event(const vm_evrow *e, json_t *arr)
{
    char block[65], prog[65], acct[SMN_ADDRESS_LEN + 1];
    hex32(e->block_hash, block);
    hex32(e->program, prog);
    smn_address_encode(e->account, acct);
    char *data = malloc(e->data_len * 2 + 1);
    if (!data)
        return;
    smn_hex_encode(e->data, e->data_len, data);
    if (arr) {
        json_t *o =
            json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:I, s:s, s:s, s:s}", "cursor",
                      (json_int_t)e->cursor, "type", e->type, "program", prog, "session",
                      (json_int_t)e->session, "account", acct, "height", (json_int_t)e->height,
                      "index", (json_int_t)e->index, "block", block, "topic", "", "data", data);
        if (o) {
            /* The topic is a u64: as a decimal string, like amounts in the RPC. */
            char topic[24];
            snprintf(topic, sizeof topic, "%" PRIu64, e->topic);
            json_object_set_new(o, "topic", json_string(topic));
            json_object_set_new(o, "fields", vm_json_event_fields(e->type, e->data, e->data_len));
            json_array_append_new(arr, o);
        }
    } else {
        printf("%" PRIu64 " %s program=%s session=%" PRIu32 " account=%s height=%" PRIu64
               " index=%" PRIu32 " block=%s topic=%" PRIu64 " data=%s\n",
               e->cursor, e->type, prog, e->session, acct, e->height, e->index, block, e->topic,
               data);
    }
    free(data);
}

static int cmd_events(const cli_ctx *ctx, int argc, char **argv)
{
    static const char *const valued[] = {"--program", "--session", "--kind", "--account",
                                         "--from",    "--limit",   NULL};
    cli_args a;
    if (!cli_args_scan(argc, argv, 2, valued, NULL, 0, &a)) {
        usage();
        return 2;
    }
    vm_evfilter f = {0};
    uint64_t from = 0, limit = EVENTS_DEFAULT_LIMIT, v;
    const char *s;
    if ((s = cli_opt(argc, argv, "--program")) && !(f.has_program = parse_program(s, f.program))) {
        cli_err("--program '%s' is not a program id\n", s);
        return 2;
    }
    if ((s = cli_opt(argc, argv, "--account")) && !(f.has_account = parse_account(s, f.account))) {
        cli_err("--account '%s' is not an smn_ address or 64 hex digits\n", s);
        return 2;
    }
    if ((s = cli_opt(argc, argv, "--session"))) {
        if (!parse_u64(s, UINT32_MAX, &v)) {
            cli_err("--session '%s' is not a number up to 4294967295\n", s);
            return 2;
        }
        f.has_session = true;
        f.session = (uint32_t)v;
    }
    if ((s = cli_opt(argc, argv, "--kind"))) {
        if (!*s || strlen(s) > VM_EVROW_TYPE_MAX || !vm_evlayout_known_family(s)) {
            cli_err("--kind '%s' is not an event type (token.mint) or family (token)\n", s);
            return 2;
        }
        f.has_kind = true;
        strcpy(f.kind, s);
    }
    if ((s = cli_opt(argc, argv, "--from")) && !parse_u64(s, INT64_MAX, &from)) {
        cli_err("--from '%s' is not a cursor\n", s);
        return 2;
    }
    if ((s = cli_opt(argc, argv, "--limit")) &&
        (!parse_u64(s, EVENTS_MAX_LIMIT, &limit) || limit == 0)) {
        cli_err("--limit must be 1..%d\n", EVENTS_MAX_LIMIT);
        return 2;
    }
    const char *dir = need_data_dir(ctx);
    if (!dir)
        return 2;
    char path[600];
    if (snprintf(path, sizeof path, "%s/vm.db", dir) >= (int)sizeof path) {
        cli_err("%s", "data dir path too long\n");
        return 2;
    }
    sqlite3 *db = NULL;
    if (access(path, R_OK) != 0 ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        cli_err("cannot open %s: %s\n", path, db ? sqlite3_errmsg(db) : strerror(errno));
        sqlite3_close(db);
        return 1;
    }
    sqlite3_busy_timeout(db, 5000);
    vm_evrow *page = calloc(PAGE, sizeof *page);
    json_t *arr = ctx->json ? json_array() : NULL;
    int rc = 0;
    uint64_t shown = 0, at = from;
    /* One read transaction: the pages see one snapshot. */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    while (page && shown < limit) {
        size_t n = 0;
        int r = vm_evrow_read(db, at, 0, page, PAGE, &n);
        if (r != SQLITE_OK) {
            cli_err("reading events: %s\n", sqlite3_errstr(r));
            rc = 1;
            break;
        }
        for (size_t i = 0; i < n && shown < limit; i++) {
            at = page[i].cursor;
            if (vm_evfilter_match(&f, &page[i])) {
                print_event(&page[i], arr);
                shown++;
            }
        }
        vm_evrows_clear(page, n);
        if (n < PAGE)
            break;
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (!page) {
        cli_err("%s", "out of memory\n");
        rc = 1;
    }
    if (arr && rc == 0) {
        /* next: resume with --from next (every event up to it was scanned). */
        json_t *o = json_pack("{s:o, s:I}", "events", arr, "next", (json_int_t)at);
        arr = NULL;
        char *out = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (out)
            puts(out);
        free(out);
        json_decref(o);
    }
    json_decref(arr);
    free(page);
    sqlite3_close(db);
    return rc;
}

int cli_cmd_vm_node(const cli_ctx *ctx, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    if (strcmp(sub, "verify") == 0)
        return cmd_verify(ctx, argc, argv);
    if (strcmp(sub, "root") == 0)
        return cmd_root(ctx, argc, argv);
    if (strcmp(sub, "events") == 0)
        return cmd_events(ctx, argc, argv);
    usage();
    return 2;
}
