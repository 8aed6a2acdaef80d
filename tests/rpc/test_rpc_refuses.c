/* Every action of docs/rpc.md's table against the dispatcher: a "yes" action
 * is in the action table and refuses an option it does not implement; a
 * "no" / "not yet" action is refused with the reason the table gives; an
 * action of the table that the docs do not list is one of smn's own. The
 * doc's path is the program's argument, so the doc and the code cannot drift
 * apart unnoticed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/keys.h"
#include "common/network.h"
#include "procs/rpc/rpc.h"

/* How many of Nano's actions docs/rpc.md marks "yes" (its introduction says so too). */
#define RPC_OFFERED 110

static const char *g_doc_path;

typedef struct {
    char name[64];
    char verdict[200]; /* "yes", or the reason after "no: " / "not yet: " */
    bool offered;
} doc_row;

enum { MAX_ROWS = 200 };
static doc_row g_rows[MAX_ROWS];
static size_t g_nrows;

/* Reads the rows "| `name` | verdict |" of the table after the
 * "| action | here |" header. */
static void load_doc(void)
{
    FILE *f = fopen(g_doc_path, "r");
    assert_non_null(f);
    char line[512];
    bool in_table = false;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "| action | here |", 17) == 0) {
            in_table = true;
            continue;
        }
        if (!in_table)
            continue;
        if (strncmp(line, "|---", 4) == 0)
            continue;
        if (strncmp(line, "| `", 3) != 0)
            break; /* the table ends at its first other line */
        const char *name = line + 3;
        const char *tick = strchr(name, '`');
        assert_non_null(tick);
        assert_true(strncmp(tick, "` | ", 4) == 0);
        const char *verdict = tick + 4;
        const char *end = strstr(verdict, " |");
        assert_non_null(end);
        assert_true(g_nrows < MAX_ROWS);
        doc_row *r = &g_rows[g_nrows++];
        assert_true((size_t)(tick - name) < sizeof r->name);
        memcpy(r->name, name, (size_t)(tick - name));
        size_t vl = (size_t)(end - verdict);
        if ((vl == 3 || (vl > 4 && verdict[3] == ' ')) && memcmp(verdict, "yes", 3) == 0) {
            r->offered = true;
            snprintf(r->verdict, sizeof r->verdict, "yes");
        } else {
            const char *reason = NULL;
            if (vl > 4 && memcmp(verdict, "no: ", 4) == 0)
                reason = verdict + 4;
            else if (vl > 9 && memcmp(verdict, "not yet: ", 9) == 0)
                reason = verdict + 9;
            if (!reason)
                fail_msg("docs/rpc.md row %s: verdict is neither yes, no: nor not yet:", r->name);
            size_t rl = (size_t)(end - reason);
            assert_true(rl < sizeof r->verdict);
            memcpy(r->verdict, reason, rl);
        }
    }
    fclose(f);
    assert_true(g_nrows > 100); /* the table was found and read */
}

static const doc_row *doc_find(const char *name)
{
    for (size_t i = 0; i < g_nrows; i++)
        if (strcmp(g_rows[i].name, name) == 0)
            return &g_rows[i];
    return NULL;
}

/* One request, answered at once (an option or action check answers before
 * any action runs); returns the "error" string (caller frees). */
static char *error_of(rpc_ctx *ctx, const char *body)
{
    int status = 0;
    char *out = NULL;
    assert_int_equal(rpc_handle(ctx, body, strlen(body), &status, &out), 0);
    assert_int_equal(status, 200);
    json_error_t e;
    json_t *j = json_loads(out, 0, &e);
    assert_non_null(j);
    json_t *err = json_object_get(j, "error");
    if (!json_is_string(err))
        fail_msg("%s: no error in %s", body, out);
    char *s = strdup(json_string_value(err));
    json_decref(j);
    free(out);
    return s;
}

static rpc_ctx *control_ctx(void)
{
    rpc_config cfg = {.net = smn_network_get(SMN_NET_DEV), .enable_control = true};
    rpc_ctx *ctx = rpc_ctx_new(&cfg);
    assert_non_null(ctx);
    return ctx;
}

/* Formats into buf and fails the test if the text does not fit: a doc row
 * longer than the buffer must not be compared truncated. */
static void fmt_checked(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fmt_checked(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size)
        fail_msg("formatted text does not fit %zu bytes: %s", size, fmt);
}

static void test_offered_refuse_unknown_option(void **state)
{
    (void)state;
    rpc_ctx *ctx = control_ctx();
    size_t offered = 0;
    for (size_t i = 0; i < g_nrows; i++) {
        const doc_row *r = &g_rows[i];
        if (!r->offered)
            continue;
        offered++;
        if (!rpc_action_find(r->name))
            fail_msg("docs/rpc.md says %s is offered but the action table lacks it", r->name);
        char body[160], want[200];
        fmt_checked(body, sizeof body, "{\"action\":\"%s\",\"smn_no_such_option\":\"1\"}", r->name);
        fmt_checked(want, sizeof want,
                    "Unsupported field: smn_no_such_option (not an option of %s)", r->name);
        char *got = error_of(ctx, body);
        if (strcmp(got, want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", r->name, got, want);
        free(got);
    }
    /* The count docs/rpc.md's introduction gives. */
    assert_int_equal(offered, RPC_OFFERED);
    rpc_ctx_free(ctx);
}

static void test_not_offered_refused_with_reason(void **state)
{
    (void)state;
    rpc_ctx *ctx = control_ctx();
    size_t refused = 0;
    for (size_t i = 0; i < g_nrows; i++) {
        const doc_row *r = &g_rows[i];
        if (r->offered)
            continue;
        refused++;
        assert_null(rpc_action_find(r->name));
        const char *reason = rpc_action_refused(r->name);
        if (!reason || strcmp(reason, r->verdict) != 0)
            fail_msg("%s: procs/rpc/refused.c says \"%s\", docs/rpc.md \"%s\"", r->name,
                     reason ? reason : "(nothing)", r->verdict);
        char body[160], want[320];
        fmt_checked(body, sizeof body, "{\"action\":\"%s\"}", r->name);
        fmt_checked(want, sizeof want, "%s is not offered by smn: %s", r->name, r->verdict);
        char *got = error_of(ctx, body);
        if (strcmp(got, want) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", r->name, got, want);
        free(got);
    }
    assert_int_equal(refused + RPC_OFFERED, g_nrows);
    /* A name in neither list is simply unknown. */
    char *got = error_of(ctx, "{\"action\":\"smn_no_such_action\"}");
    assert_string_equal(got, "Unknown command");
    free(got);
    assert_null(rpc_action_refused("smn_no_such_action"));
    rpc_ctx_free(ctx);
}

/* An action the docs table does not list is smn's own. */
static void test_table_beyond_docs_is_smn_own(void **state)
{
    (void)state;
    size_t n = 0;
    const rpc_action *t = rpc_actions(&n);
    for (size_t i = 0; i < n; i++) {
        if (doc_find(t[i].name))
            continue;
        bool own = strncmp(t[i].name, "vm_", 3) == 0 || strcmp(t[i].name, "raw_to_smn") == 0 ||
                   strcmp(t[i].name, "smn_to_raw") == 0 || strcmp(t[i].name, "wallet_list") == 0;
        if (!own)
            fail_msg("%s is in the action table but not in docs/rpc.md's table", t[i].name);
        assert_null(rpc_action_refused(t[i].name));
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s docs/rpc.md\n", argv[0]);
        return 2;
    }
    if (smn_crypto_init() != 0)
        return 1;
    g_doc_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offered_refuse_unknown_option),
        cmocka_unit_test(test_not_offered_refused_with_reason),
        cmocka_unit_test(test_table_beyond_docs_is_smn_own),
    };
    load_doc();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
