/* The NanoVM read actions (docs/vm.md "RPC and CLI"): programs, program
 * info, storage, boxes, balances, tokens, published states, events and view
 * calls, all read from DATA_DIR/vm.db.
 *
 * vm.db is opened read-only for each call (busy timeout 0), and each call
 * reads one snapshot: the vm process is its only writer and is never held
 * up, and the rpc loop never waits for a lock. A snapshot that cannot be
 * started (SQLite restarting the WAL) is retried a few times at once, then
 * answered "VM database busy, retry". Work per call is bounded: lists by
 * `count` (at most RPC_MAX_COUNT), a view call by its gas (at most
 * VM_VIEW_GAS_MAX). */
#include <inttypes.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/log.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/vm_json.h"
#include "procs/vm/interp/host.h"
#include "procs/vm/programs/ids.h"
#include "procs/vm/programs/store.h" /* vm_prog_kind */
#include "procs/vm/programs/native.h"

#define VM_DB_FILENAME "vm.db"
#define VM_BEGIN_TRIES 5
#define VM_VIEW_GAS_MAX VM_CALL_GAS_CAP
#define VM_EVENTS_PAGE 256u
/* Events scanned per call, matching or not (a filter that matches little
 * must not scan the whole table in one call: "next" resumes). */
#define VM_EVENTS_SCAN_MAX 20000u

static vm_query *vm_open(rpc_call *c)
{
    rpc_ctx *ctx = rpc_call_ctx(c);
    if (!ctx->data_dir) {
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", "VM database unavailable"));
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ctx->data_dir, VM_DB_FILENAME);
    vm_query *q = NULL;
    vm_idx_status st = vm_query_open(path, &q);
    if (st != VM_IDX_OK) {
        rpc_reply_status(c, 503,
                         json_pack("{s:s}", "error",
                                   st == VM_IDX_ERR_SCHEMA
                                       ? "VM database has another schema version"
                                       : "VM database unavailable"));
        return NULL;
    }
    for (int i = 0; i < VM_BEGIN_TRIES; i++)
        if ((st = vm_query_begin(q)) == VM_IDX_OK)
            return q;
    vm_query_close(q);
    rpc_reply_status(c, 503, json_pack("{s:s}", "error", "VM database busy, retry"));
    return NULL;
}

static void vm_fail(rpc_call *c, vm_query *q, vm_idx_status st)
{
    smn_warn("rpc: vm.db read failed in %s: %s", c->action ? c->action : "?", vm_idx_strerror(st));
    vm_query_close(q);
    rpc_reply_status(c, 500, json_pack("{s:s}", "error", "VM database read failed"));
}

/* "program": 64 hex, smn.token / smn.vsmn, or a 16-hex prefix naming
 * exactly one program. */
static bool arg_program(rpc_call *c, vm_query *q, const json_t *req, const char *key,
                        uint8_t id[32])
{
    json_t *v = json_object_get(req, key);
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    if (!v) {
        char msg[64];
        snprintf(msg, sizeof msg, "Missing field: %s", key);
        rpc_reply_error(c, msg);
        return false;
    }
    if (s && vm_json_parse_program(s, id))
        return true;
    uint8_t prefix[8];
    bool found = false;
    if (s && strlen(s) == 16 && smn_hex_decode(s, prefix, 8) &&
        vm_query_program_by_prefix(q, prefix, id, &found) == VM_IDX_OK && found)
        return true;
    rpc_reply_error(c, "Bad program (64 hex digits, a unique 16-digit prefix, smn.token or "
                       "smn.vsmn)");
    return false;
}

static bool known_program(rpc_call *c, vm_query *q, const uint8_t id[32], vm_query_proginfo *p)
{
    vm_idx_status st = vm_query_program(q, id, p);
    if (st == VM_IDX_ERR_NOT_FOUND) {
        rpc_reply_error(c, "Program not found");
        return false;
    }
    if (st != VM_IDX_OK) {
        vm_fail(c, NULL, st);
        return false;
    }
    return true;
}

static void reply_done(rpc_call *c, vm_query *q, json_t *o)
{
    uint64_t seq = 0;
    if (vm_query_seq(q, &seq) == VM_IDX_OK)
        json_object_set_new(o, "seq", rpc_json_u64(seq));
    vm_query_close(q);
    rpc_reply(c, o);
}

void rpc_action_vm_programs(rpc_call *c, const json_t *req)
{
    uint64_t count;
    if (!rpc_arg_count(c, req, "count", 100, RPC_MAX_COUNT, &count))
        return;
    vm_query *q = vm_open(c);
    if (!q)
        return;
    uint8_t after[32], *afterp = NULL;
    if (json_object_get(req, "after")) {
        if (!arg_program(c, q, req, "after", after)) {
            vm_query_close(q);
            return;
        }
        afterp = after;
    }
    uint8_t(*ids)[32] = malloc(count * 32);
    size_t n = 0;
    vm_idx_status st = ids ? vm_query_programs(q, afterp, ids, count, &n) : VM_IDX_ERR_NOMEM;
    if (st != VM_IDX_OK) {
        free(ids);
        vm_fail(c, q, st);
        return;
    }
    /* Kind, host and the fraud flag only: a state root costs O(the
     * program's state), so it is vm_program_info's, one program a call. */
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        int kind = 0;
        bool has_host = false, fraud = false;
        uint8_t host[32];
        if ((st = vm_query_program_brief(q, ids[i], &kind, &has_host, host)) != VM_IDX_OK ||
            (st = vm_query_program_fraud(q, ids[i], &fraud)) != VM_IDX_OK)
            break;
        json_t *o = json_object();
        json_object_set_new(o, "program", vm_json_program(ids[i]));
        json_object_set_new(o, "kind", json_string(vm_query_kind_name(kind)));
        json_object_set_new(o, "host", has_host ? vm_json_account(host) : json_null());
        json_object_set_new(o, "fraud", json_boolean(fraud));
        json_array_append_new(arr, o);
    }
    if (st != VM_IDX_OK) {
        free(ids);
        json_decref(arr);
        vm_fail(c, q, st);
        return;
    }
    json_t *o = json_pack("{s:o}", "programs", arr);
    /* "next": pass as "after" for the next page; "" when this was the last. */
    json_object_set_new(o, "next", n == count ? vm_json_hex(ids[n - 1], 32) : json_string(""));
    free(ids);
    reply_done(c, q, o);
}

void rpc_action_vm_program_info(rpc_call *c, const json_t *req)
{
    vm_query *q = vm_open(c);
    if (!q)
        return;
    uint8_t id[32];
    vm_query_proginfo p;
    if (!arg_program(c, q, req, "program", id) || !known_program(c, q, id, &p)) {
        vm_query_close(q);
        return;
    }
    reply_done(c, q, vm_json_program_info(&p));
}

typedef struct {
    json_t *arr;
    uint8_t last[VM_STORAGE_KEY_MAX + 32];
    size_t last_len;
    size_t n;
} kv_page;

static bool on_kv(void *user, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
    kv_page *pg = user;
    json_t *o = json_object();
    json_object_set_new(o, "key", vm_json_hex(k, kl));
    json_object_set_new(o, "value", vm_json_hex(v, vl));
    json_array_append_new(pg->arr, o);
    if (kl <= sizeof pg->last) {
        memcpy(pg->last, k, kl);
        pg->last_len = kl;
    }
    pg->n++;
    return true;
}

void rpc_action_vm_storage(rpc_call *c, const json_t *req)
{
    uint64_t count;
    if (!rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &count))
        return;
    uint8_t after[VM_STORAGE_KEY_MAX + 32];
    size_t after_len = 0;
    bool has_after = false;
    json_t *a = json_object_get(req, "after");
    if (a) {
        const char *s = json_is_string(a) ? json_string_value(a) : "";
        size_t l = strlen(s);
        if (l % 2 || l / 2 > sizeof after || (l && !smn_hex_decode(s, after, l / 2))) {
            rpc_reply_error(c, "Bad after (a storage key in hex)");
            return;
        }
        after_len = l / 2;
        has_after = true;
    }
    vm_query *q = vm_open(c);
    if (!q)
        return;
    uint8_t id[32];
    vm_query_proginfo p;
    if (!arg_program(c, q, req, "program", id) || !known_program(c, q, id, &p)) {
        vm_query_close(q);
        return;
    }
    kv_page pg = {.arr = json_array()};
    vm_idx_status st =
        vm_query_storage(q, id, has_after ? after : NULL, after_len, count, on_kv, &pg);
    if (st != VM_IDX_OK) {
        json_decref(pg.arr);
        vm_fail(c, q, st);
        return;
    }
    json_t *o = json_pack("{s:o, s:o}", "program", vm_json_program(id), "storage", pg.arr);
    json_object_set_new(o, "next",
                        pg.n == count ? vm_json_hex(pg.last, pg.last_len) : json_string(""));
    reply_done(c, q, o);
}

typedef struct {
    vm_query *q;
    json_t *arr;
    json_t *box; /* boxes: the current box's object */
    int64_t box_no;
    size_t n;
    vm_idx_status st;
} bal_list;

static bool on_balance(void *user, const vm_query_balance *b)
{
    bal_list *l = user;
    vm_token_meta m, *mp = NULL;
    if (memcmp(b->program, vm_pid_token, 32) == 0 || memcmp(b->asset, vm_asset_smn, 32) != 0) {
        vm_idx_status st = vm_query_token(l->q, b->asset, &m);
        if (st == VM_IDX_OK)
            mp = &m;
        else if (st != VM_IDX_ERR_NOT_FOUND) {
            l->st = st;
            return false;
        }
    }
    json_array_append_new(l->arr, vm_json_balance(b, mp));
    l->n++;
    return l->n < RPC_MAX_COUNT;
}

static bool on_box(void *user, const vm_query_balance *b)
{
    bal_list *l = user;
    if (!l->box || l->box_no != (int64_t)b->box) {
        l->box = json_object();
        json_object_set_new(l->box, "box", json_integer(b->box));
        json_object_set_new(l->box, "balances", json_array());
        json_array_append_new(l->arr, l->box);
        l->box_no = b->box;
        l->n++;
    }
    if (!smn_amount_is_zero(b->amount)) {
        json_t *e = json_object();
        json_object_set_new(e, "asset", vm_json_asset(b->asset));
        json_object_set_new(e, "amount", vm_json_amount(b->amount));
        json_array_append_new(json_object_get(l->box, "balances"), e);
    }
    return true;
}

void rpc_action_vm_boxes(rpc_call *c, const json_t *req)
{
    uint64_t count, from = 0;
    if (!rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &count) ||
        !rpc_arg_u64(c, req, "from", "Bad from (a box number)", &from))
        return;
    if (from > UINT32_MAX) {
        rpc_reply_error(c, "Bad from (a box number)");
        return;
    }
    vm_query *q = vm_open(c);
    if (!q)
        return;
    uint8_t id[32];
    vm_query_proginfo p;
    if (!arg_program(c, q, req, "program", id) || !known_program(c, q, id, &p)) {
        vm_query_close(q);
        return;
    }
    bal_list l = {.q = q, .arr = json_array(), .box_no = -1};
    vm_idx_status st = vm_query_boxes(q, id, (uint32_t)from, (uint32_t)count, on_box, &l);
    if (st != VM_IDX_OK) {
        json_decref(l.arr);
        vm_fail(c, q, st);
        return;
    }
    json_t *o = json_pack("{s:o, s:i, s:o}", "program", vm_json_program(id), "count", (int)p.boxes,
                          "boxes", l.arr);
    reply_done(c, q, o);
}

/* vm_balances: {account} (its token and vSMN balances), {program} (every
 * balance inside the program's state) or {program, box}. */
void rpc_action_vm_balances(rpc_call *c, const json_t *req)
{
    bool by_account = json_object_get(req, "account") != NULL;
    uint8_t acct[32];
    if (by_account && !rpc_arg_account(c, req, "account", acct))
        return;
    uint64_t box = 0;
    bool has_box = json_object_get(req, "box") != NULL;
    if (!rpc_arg_u64(c, req, "box", "Bad box (a box number)", &box))
        return;
    if (has_box && box > UINT32_MAX) {
        rpc_reply_error(c, "Bad box (a box number)");
        return;
    }
    if (by_account == (json_object_get(req, "program") != NULL)) {
        rpc_reply_error(c, "Give exactly one of account or program");
        return;
    }
    vm_query *q = vm_open(c);
    if (!q)
        return;
    bal_list l = {.q = q, .arr = json_array(), .box_no = -1};
    json_t *o = json_object();
    vm_idx_status st;
    if (by_account) {
        json_object_set_new(o, "account", vm_json_account(acct));
        st = vm_query_account_balances(q, acct, on_balance, &l);
    } else {
        uint8_t id[32];
        vm_query_proginfo p;
        if (!arg_program(c, q, req, "program", id) || !known_program(c, q, id, &p)) {
            json_decref(l.arr);
            json_decref(o);
            vm_query_close(q);
            return;
        }
        json_object_set_new(o, "program", vm_json_program(id));
        if (has_box) {
            json_object_set_new(o, "box", json_integer((json_int_t)box));
            if (box >= p.boxes) {
                json_decref(l.arr);
                json_decref(o);
                vm_query_close(q);
                rpc_reply_error(c, "Box not found");
                return;
            }
            st = vm_query_boxes(q, id, (uint32_t)box, 1, on_box, &l);
            json_t *b = json_array_get(l.arr, 0);
            json_t *bals = b ? json_incref(json_object_get(b, "balances")) : json_array();
            json_decref(l.arr);
            l.arr = bals;
        } else {
            st = vm_query_program_balances(q, id, RPC_MAX_COUNT, on_balance, &l);
        }
    }
    if (st == VM_IDX_OK)
        st = l.st;
    if (st != VM_IDX_OK) {
        json_decref(l.arr);
        json_decref(o);
        vm_fail(c, q, st);
        return;
    }
    json_object_set_new(o, "balances", l.arr);
    reply_done(c, q, o);
}

void rpc_action_vm_token(rpc_call *c, const json_t *req)
{
    const char *s = rpc_arg_string(c, req, "token");
    if (!s)
        return;
    uint8_t id[32];
    bool full = smn_hex_decode(s, id, 32);
    vm_query *q = vm_open(c);
    if (!q)
        return;
    if (!full) {
        uint8_t r16[16];
        if (strlen(s) != 32 || !smn_hex_decode(s, r16, 16)) {
            vm_query_close(q);
            rpc_reply_error(c, "Bad token (64 hex digits, or its 32-digit reference)");
            return;
        }
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(vm_query_db(q),
                               "SELECT key FROM storage WHERE program=? AND length(key)=32 AND"
                               " substr(key,1,16)=? LIMIT 1",
                               -1, &st, NULL) != SQLITE_OK) {
            vm_fail(c, q, VM_IDX_ERR_DB);
            return;
        }
        sqlite3_bind_blob(st, 1, vm_pid_token, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, r16, 16, SQLITE_STATIC);
        bool found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32;
        if (found)
            memcpy(id, sqlite3_column_blob(st, 0), 32);
        sqlite3_finalize(st);
        if (!found) {
            vm_query_close(q);
            rpc_reply_error(c, "Token not found");
            return;
        }
    }
    vm_token_meta m;
    vm_idx_status st = vm_query_token(q, id, &m);
    if (st == VM_IDX_ERR_NOT_FOUND) {
        vm_query_close(q);
        rpc_reply_error(c, "Token not found");
        return;
    }
    if (st != VM_IDX_OK) {
        vm_fail(c, q, st);
        return;
    }
    reply_done(c, q, vm_json_token(id, &m));
}

/* vm_state: a published state version's blob, {program, session, seq}
 * (seq omitted or 0: the current one, the highest valid version). */
void rpc_action_vm_state(rpc_call *c, const json_t *req)
{
    uint64_t session = 0, seq = 0;
    if (!rpc_arg_u64(c, req, "session", "Bad session", &session) ||
        !rpc_arg_u64(c, req, "seq", "Bad seq", &seq))
        return;
    if (session > UINT32_MAX || seq > UINT32_MAX) {
        rpc_reply_error(c, session > UINT32_MAX ? "Bad session" : "Bad seq");
        return;
    }
    vm_query *q = vm_open(c);
    if (!q)
        return;
    uint8_t id[32];
    if (!arg_program(c, q, req, "program", id)) {
        vm_query_close(q);
        return;
    }
    vm_query_state s;
    vm_idx_status st = vm_query_pstate(q, id, (uint32_t)session, (uint32_t)seq, &s);
    if (st == VM_IDX_ERR_NOT_FOUND) {
        vm_query_close(q);
        rpc_reply_error(c, "State not found");
        return;
    }
    if (st != VM_IDX_OK) {
        vm_fail(c, q, st);
        return;
    }
    uint8_t h[32];
    crypto_generichash(h, 32, s.len ? s.data : NULL, s.len, NULL, 0);
    json_t *o = json_object();
    json_object_set_new(o, "program", vm_json_program(id));
    json_object_set_new(o, "session", json_integer(s.session));
    json_object_set_new(o, "seq", json_integer(s.seq));
    json_object_set_new(o, "valid", json_boolean(s.valid));
    json_object_set_new(o, "block", vm_json_hex(s.block, 32));
    json_object_set_new(o, "data", vm_json_hex(s.data, s.len));
    json_object_set_new(o, "data_hash", vm_json_hex(h, 32));
    free(s.data);
    vm_query_close(q);
    rpc_reply(c, o);
}

/* vm_events: the event socket's filter (program, session, type, account)
 * over the stored events after cursor `from`; "next" resumes (every event
 * up to it was scanned). */
void rpc_action_vm_events(rpc_call *c, const json_t *req)
{
    uint64_t count, from = 0, session = 0;
    if (!rpc_arg_count(c, req, "count", 100, RPC_MAX_COUNT, &count) ||
        !rpc_arg_u64(c, req, "from", "Bad from (a cursor)", &from) ||
        !rpc_arg_u64(c, req, "session", "Bad session", &session))
        return;
    vm_evfilter f = {0};
    if (json_object_get(req, "session")) {
        if (session > UINT32_MAX) {
            rpc_reply_error(c, "Bad session");
            return;
        }
        f.has_session = true;
        f.session = (uint32_t)session;
    }
    json_t *t = json_object_get(req, "type");
    if (t) {
        const char *ts = json_is_string(t) ? json_string_value(t) : "";
        bool known = false;
        size_t tl = strlen(ts);
        for (const char *const *k = vm_evlayout_types(); *k && !known; k++)
            known = strcmp(*k, ts) == 0 || (strncmp(*k, ts, tl) == 0 && tl > 0 && (*k)[tl] == '.');
        if (!known) {
            rpc_reply_error(c, "Bad type (an event type such as token.mint, or a family such "
                               "as token)");
            return;
        }
        f.has_kind = true;
        snprintf(f.kind, sizeof f.kind, "%s", ts);
    }
    if (json_object_get(req, "account")) {
        if (!rpc_arg_account(c, req, "account", f.account))
            return;
        f.has_account = true;
    }
    vm_query *q = vm_open(c);
    if (!q)
        return;
    if (json_object_get(req, "program")) {
        if (!arg_program(c, q, req, "program", f.program)) {
            vm_query_close(q);
            return;
        }
        f.has_program = true;
    }
    uint64_t head = 0;
    if (vm_evrow_head(vm_query_db(q), &head) != SQLITE_OK) {
        vm_fail(c, q, VM_IDX_ERR_DB);
        return;
    }
    if (from > head) {
        vm_query_close(q);
        rpc_reply_error(c, "Bad from: beyond the newest event");
        return;
    }
    vm_evrow *page = calloc(VM_EVENTS_PAGE, sizeof *page);
    json_t *arr = json_array();
    uint64_t at = from, scanned = 0;
    size_t shown = 0;
    int rc = page ? SQLITE_OK : SQLITE_NOMEM;
    while (page && shown < count && scanned < VM_EVENTS_SCAN_MAX) {
        size_t n = 0;
        rc = vm_evrow_read(vm_query_db(q), at, 0, page, VM_EVENTS_PAGE, &n);
        if (rc != SQLITE_OK)
            break;
        for (size_t i = 0; i < n && shown < count; i++) {
            at = page[i].cursor;
            scanned++;
            if (vm_evfilter_match(&f, &page[i])) {
                json_array_append_new(arr, vm_json_event(&page[i]));
                shown++;
            }
        }
        vm_evrows_clear(page, n);
        if (n < VM_EVENTS_PAGE)
            break;
    }
    free(page);
    if (rc != SQLITE_OK) {
        json_decref(arr);
        vm_fail(c, q, VM_IDX_ERR_DB);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "events", arr);
    json_object_set_new(o, "next", json_integer((json_int_t)at));
    json_object_set_new(o, "head", json_integer((json_int_t)head));
    reply_done(c, q, o);
}

/* vm_view: a view method of a bytecode program on the live state, with
 * args (up to 5 unsigned integers, decimal or 0x hex strings or JSON
 * numbers), optional caller (an account) and gas (default and at most
 * VM_VIEW_GAS_MAX). */
void rpc_action_vm_view(rpc_call *c, const json_t *req)
{
    uint64_t method = 0, gas = VM_VIEW_GAS_MAX;
    if (!json_object_get(req, "method")) {
        rpc_reply_error(c, "Missing field: method");
        return;
    }
    if (!rpc_arg_u64(c, req, "method", "Bad method", &method) ||
        !rpc_arg_u64(c, req, "gas", "Bad gas", &gas))
        return;
    if (method > 255 || gas == 0 || gas > VM_VIEW_GAS_MAX) {
        rpc_reply_error(c, method > 255 ? "Bad method" : "Bad gas (1..1000000)");
        return;
    }
    smn_amount_t args[VM_MAX_ARGS] = {0};
    uint8_t nargs = 0;
    json_t *ja = json_object_get(req, "args");
    if (ja) {
        if (!json_is_array(ja) || json_array_size(ja) > VM_MAX_ARGS) {
            rpc_reply_error(c, "Bad args (an array of at most 5 unsigned integers)");
            return;
        }
        for (size_t i = 0; i < json_array_size(ja); i++) {
            json_t *v = json_array_get(ja, i);
            bool ok = false;
            if (json_is_integer(v) && json_integer_value(v) >= 0) {
                args[i] = smn_amount_from_u64((uint64_t)json_integer_value(v));
                ok = true;
            } else if (json_is_string(v)) {
                ok = vm_json_parse_u128(json_string_value(v), &args[i]);
            }
            if (!ok) {
                rpc_reply_error(c, "Bad args (an array of at most 5 unsigned integers)");
                return;
            }
        }
        nargs = (uint8_t)json_array_size(ja);
    }
    uint8_t caller[32] = {0};
    if (json_object_get(req, "caller") && !rpc_arg_account(c, req, "caller", caller))
        return;
    vm_query *q = vm_open(c);
    if (!q)
        return;
    uint8_t id[32];
    vm_query_proginfo p;
    if (!arg_program(c, q, req, "program", id) || !known_program(c, q, id, &p)) {
        vm_query_close(q);
        return;
    }
    if (p.kind != VM_PROG_BYTECODE) {
        vm_query_close(q);
        rpc_reply_error(c, "Not a bytecode program (native programs have no view methods)");
        return;
    }
    vm_query_view_result r = {0};
    vm_idx_status st = vm_query_view(q, id, caller, (uint8_t)method, args, nargs, gas, &r);
    if (st != VM_IDX_OK) {
        vm_fail(c, q, st);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "program", vm_json_program(id));
    json_object_set_new(o, "method", json_integer((json_int_t)method));
    json_object_set_new(o, "status", json_string(vm_status_name((vm_status)r.status)));
    json_object_set_new(o, "return", vm_json_amount(r.status == VM_OK ? r.ret : smn_amount_zero()));
    json_object_set_new(o, "gas_used", rpc_json_u64(r.gas_used));
    json_object_set_new(o, "gas_limit", rpc_json_u64(gas));
    if (r.status != VM_OK)
        json_object_set_new(o, "fault_offset", json_integer(r.fault_offset));
    reply_done(c, q, o);
}
