/* The NanoVM write actions (docs/vm.md "Writing through the wallet"):
 *   vm_message         builds a message: envelope and chunk amounts (no send);
 *   vm_send (control)  builds it and sends its chunks from a wallet account;
 *   vm_message_status  where a message is: its status in vm.db and the
 *                      events of its send side and receive side.
 *
 * vm_send sends chunk after chunk as the wallet's own `send` action (same
 * signing, work and in-flight rules). The next chunk starts in the callback
 * that reports the previous one accepted by the ledger, before the event
 * loop runs again, so the account is in flight from the first chunk to the
 * last and auto-receive (which waits for in-flight accounts) never builds
 * between two chunks: no fork. Receives do not abandon a message anyway
 * (docs/vm.md "Messages"); this only avoids racing on the frontier. When
 * the first chunk finds the account busy the answer is the `send` error
 * ("Account has a block in flight, retry") plus "next_chunk": 0; a later
 * failure answers the error with the chunks already sent and "next_chunk",
 * and the same request with "from_chunk" resumes there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/log.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/vm_build.h"
#include "procs/rpc/vm_json.h"
#include "procs/vm/programs/dispatch.h"

#define VM_DB_FILENAME "vm.db"
/* vm_message_status's bounds: the destination's blocks (with events) and
 * event rows looked at to find the receive side, and the events answered
 * per side (a bytecode call may emit thousands). */
#define VM_STATUS_SCAN_MAX 4096u
#define VM_STATUS_ROWS_MAX 20000u
#define VM_STATUS_EVENTS_MAX 1024u

/* vm.db for resolving prefixes and "root":"current" (NULL if none yet). */
static vm_query *open_q(rpc_ctx *ctx)
{
    if (!ctx->data_dir)
        return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ctx->data_dir, VM_DB_FILENAME);
    vm_query *q = NULL;
    if (vm_query_open(path, &q) != VM_IDX_OK)
        return NULL;
    if (vm_query_begin(q) != VM_IDX_OK) {
        vm_query_close(q);
        return NULL;
    }
    return q;
}

static bool build(rpc_call *c, const json_t *req, vm_built *b)
{
    json_t *spec = json_object_get(req, "message");
    if (!spec)
        spec = (json_t *)req; /* the fields may also be given at the top level */
    char err[256];
    vm_query *q = open_q(rpc_call_ctx(c));
    int rc = vm_build(spec, q, b, err, sizeof err);
    vm_query_close(q);
    if (rc != 0) {
        rpc_reply_error(c, err);
        return false;
    }
    return true;
}

static json_t *built_json(const vm_built *b)
{
    json_t *o = json_object();
    json_t *arr = json_array();
    smn_amount_t total = smn_amount_zero();
    for (size_t i = 0; i < b->nchunks; i++) {
        json_array_append_new(arr, rpc_json_amount(b->amounts[i]));
        (void)smn_amount_add(total, b->amounts[i], &total);
    }
    json_object_set_new(o, "payload", vm_json_hex(b->payload, b->len));
    json_object_set_new(o, "bytes", json_integer((json_int_t)b->len));
    json_object_set_new(o, "chunks", arr);
    /* What the chunks move to the destination: returned to the sender
     * when the destination is the sender (once it receives them). */
    json_object_set_new(o, "amount_total", rpc_json_amount(total));
    return o;
}

void rpc_action_vm_message(rpc_call *c, const json_t *req)
{
    vm_built b;
    if (!build(c, req, &b))
        return;
    json_t *o = built_json(&b);
    vm_built_free(&b);
    rpc_reply(c, o);
}

typedef struct {
    rpc_call *c; /* the vm_send call, pending until the last chunk */
    rpc_ctx *ctx;
    char client[RPC_WORK_CLIENT_MAX];
    char wallet[2 * WALLET_ID_BYTES + 1];
    char source[SMN_ADDRESS_STRLEN], dest[SMN_ADDRESS_STRLEN];
    vm_built b;
    size_t next, from;
    json_t *blocks;
} send_job;

static void job_free(send_job *j)
{
    vm_built_free(&j->b);
    json_decref(j->blocks);
    free(j);
}

static void job_finish(send_job *j, const char *error)
{
    json_t *o = built_json(&j->b);
    if (error)
        json_object_set_new(o, "error", json_string(error));
    json_object_set_new(o, "blocks", json_incref(j->blocks));
    json_object_set_new(o, "source", json_string(j->source));
    json_object_set_new(o, "destination", json_string(j->dest));
    json_object_set_new(o, "next_chunk", json_integer((json_int_t)j->next));
    if (!error && json_array_size(j->blocks) && j->from == 0)
        json_object_set_new(o, "message", json_incref(json_array_get(j->blocks, 0)));
    rpc_call *c = j->c;
    job_free(j);
    rpc_reply(c, o);
}

static void send_next(send_job *j);

static void chunk_done(void *arg, int http_status, char *text)
{
    send_job *j = arg;
    (void)http_status;
    json_t *ans = json_loads(text, 0, NULL);
    free(text);
    json_t *blk = ans ? json_object_get(ans, "block") : NULL;
    if (!json_is_string(blk)) {
        json_t *e = ans ? json_object_get(ans, "error") : NULL;
        char msg[200];
        snprintf(msg, sizeof msg, "%s", json_is_string(e) ? json_string_value(e) : "Send failed");
        json_decref(ans);
        job_finish(j, msg);
        return;
    }
    json_array_append(j->blocks, blk);
    json_decref(ans);
    j->next++;
    if (j->next == j->b.nchunks)
        job_finish(j, NULL);
    else
        send_next(j);
}

static void send_next(send_job *j)
{
    char amount[SMN_AMOUNT_RAW_STRLEN];
    json_t *req = json_pack("{s:s, s:s, s:s, s:s, s:s}", "action", "send", "wallet", j->wallet,
                            "source", j->source, "destination", j->dest, "amount",
                            smn_amount_format_raw(j->b.amounts[j->next], amount));
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body || rpc_handle_async_from(j->ctx, j->client, body, strlen(body), chunk_done, j) != 0) {
        free(body);
        job_finish(j, "Out of memory");
        return;
    }
    free(body);
}

/* A message left half sent on this account (a client killed mid-way, a
 * chunk the ledger refused) would swallow the next one's chunks when they
 * go to the same destination: refuse to start a new one on top of it, as
 * far as vm.db has indexed. False after answering. */
static bool check_no_assembly(rpc_call *c, const uint8_t src[32])
{
    vm_query *q = open_q(rpc_call_ctx(c));
    if (!q)
        return true; /* nothing indexed yet */
    sqlite3_stmt *st;
    bool busy = false;
    uint8_t msg[32];
    int64_t total = 0, have = 0;
    if (sqlite3_prepare_v2(
            vm_query_db(q),
            "SELECT msg_id, total, length(chunks) / 30 FROM assembly WHERE account=?", -1, &st,
            NULL) == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, src, 32, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
            busy = true;
            memcpy(msg, sqlite3_column_blob(st, 0), 32);
            total = sqlite3_column_int64(st, 1);
            have = sqlite3_column_int64(st, 2);
        }
        sqlite3_finalize(st);
    }
    vm_query_close(q);
    if (!busy)
        return true;
    json_t *o = json_pack("{s:s, s:o, s:I, s:I}", "error",
                          "A message is being assembled on this account: finish it (vm_send "
                          "with its from_chunk) or abandon it (any change block)",
                          "assembling", vm_json_hex(msg, 32), "sent", (json_int_t)have, "chunks",
                          (json_int_t)total);
    rpc_reply(c, o);
    return false;
}

void rpc_action_vm_send(rpc_call *c, const json_t *req)
{
    const char *wallet = rpc_arg_string(c, req, "wallet");
    if (!wallet)
        return;
    uint8_t src[32], dst[32], wid[WALLET_ID_BYTES];
    if (strlen(wallet) != 2 * WALLET_ID_BYTES || !smn_hex_decode(wallet, wid, WALLET_ID_BYTES)) {
        rpc_reply_error(c, "Bad wallet number");
        return;
    }
    if (!rpc_arg_account(c, req, "source", src))
        return;
    /* Default destination: the source itself, so the chunks come back. */
    memcpy(dst, src, 32);
    if (json_object_get(req, "destination") && !rpc_arg_account(c, req, "destination", dst))
        return;
    uint64_t from = 0;
    if (!rpc_arg_u64(c, req, "from_chunk", "Bad from_chunk", &from))
        return;
    send_job *j = calloc(1, sizeof *j);
    if (!j) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    if (!build(c, req, &j->b)) {
        free(j);
        return;
    }
    if (from >= j->b.nchunks) {
        vm_built_free(&j->b);
        free(j);
        rpc_reply_error(c, "Bad from_chunk (beyond the message's chunks)");
        return;
    }
    if (from == 0 && !check_no_assembly(c, src)) {
        vm_built_free(&j->b);
        free(j);
        return;
    }
    j->c = c;
    j->ctx = rpc_call_ctx(c);
    snprintf(j->client, sizeof j->client, "%s", c->client);
    snprintf(j->wallet, sizeof j->wallet, "%s", wallet);
    smn_address_encode(src, j->source);
    smn_address_encode(dst, j->dest);
    j->next = j->from = (size_t)from;
    j->blocks = json_array();
    rpc_call_go_pending(c);
    send_next(j);
}

/* The message a chunk's send belongs to: SQLITE_ROW and *msg_id, or
 * SQLITE_DONE when the send carries no indexed chunk. */
static int chunk_message(sqlite3 *db, const uint8_t send[32], uint8_t msg_id[32])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT msg_id FROM msg_sends WHERE send_hash=?", -1, &st, NULL) !=
        SQLITE_OK)
        return SQLITE_ERROR;
    sqlite3_bind_blob(st, 1, send, 32, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
        memcpy(msg_id, sqlite3_column_blob(st, 0), 32);
    else if (r == SQLITE_ROW)
        r = SQLITE_ERROR;
    sqlite3_finalize(st);
    return r;
}

/* Appends the events of block blk with a cursor above after, at most max,
 * to arr; *last = the last cursor appended, *n = how many. */
static int append_events(sqlite3 *db, const uint8_t blk[32], uint64_t after, size_t max,
                         json_t *arr, uint64_t *last, size_t *n)
{
    vm_evrow rows[128];
    *n = 0;
    *last = after;
    while (*n < max) {
        size_t got = 0, want = max - *n < 128 ? max - *n : 128;
        int rc = vm_evrow_read_block(db, blk, *last, rows, want, &got);
        if (rc != SQLITE_OK)
            return rc;
        for (size_t i = 0; i < got; i++) {
            json_array_append_new(arr, vm_json_event(&rows[i]));
            *last = rows[i].cursor;
        }
        vm_evrows_clear(rows, got);
        *n += got;
        if (got < want)
            break;
    }
    return SQLITE_OK;
}

/* Appends one block's events to arr. A bytecode call may emit thousands:
 * past VM_STATUS_EVENTS_MAX the answer has the first ones and the block's
 * last event (a call's outcome, `call`, is the last), and *more is set. */
static int block_events(sqlite3 *db, const uint8_t blk[32], json_t *arr, bool *more)
{
    uint64_t last = 0;
    size_t n = 0;
    *more = false;
    int rc = append_events(db, blk, 0, VM_STATUS_EVENTS_MAX - 1, arr, &last, &n);
    if (rc != SQLITE_OK || n < VM_STATUS_EVENTS_MAX - 1)
        return rc;
    json_t *rest = json_array();
    if (!rest)
        return SQLITE_NOMEM;
    uint64_t cut = last;
    rc = append_events(db, blk, cut, 2, rest, &last, &n);
    if (rc == SQLITE_OK && n == 2) {
        /* more than one left: skip to the block's last event */
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(db, "SELECT max(cursor) FROM events WHERE block_hash=?", -1, &st,
                                NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_blob(st, 1, blk, 32, SQLITE_STATIC);
            rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : SQLITE_CORRUPT;
            sqlite3_int64 max = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
            json_array_clear(rest);
            if (rc == SQLITE_OK)
                rc = append_events(db, blk, (uint64_t)(max - 1), 1, rest, &last, &n);
            *more = true;
        }
    }
    if (rc == SQLITE_OK)
        json_array_extend(arr, rest);
    json_decref(rest);
    return rc;
}

/* The destination's block that completed message id: only that receive
 * acts, so it is the one block with events whose link is a chunk send of
 * the message. Searched from the newest of dest's blocks with events
 * (events_chain), at most VM_STATUS_SCAN_MAX of them and
 * VM_STATUS_ROWS_MAX event rows. */
static int find_receive(sqlite3 *db, ledger_ro *l, const uint8_t dest[32], const uint8_t id[32],
                        uint8_t out[32], bool *found)
{
    sqlite3_stmt *ev = NULL, *ms = NULL;
    *found = false;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT block_hash FROM events WHERE account=?"
                                " ORDER BY height DESC, idx DESC LIMIT ?",
                                -1, &ev, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT 1 FROM msg_sends WHERE send_hash=? AND msg_id=?", -1,
                                &ms, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(ev);
        return rc;
    }
    sqlite3_bind_blob(ev, 1, dest, 32, SQLITE_STATIC);
    sqlite3_bind_int64(ev, 2, VM_STATUS_ROWS_MAX);
    uint8_t prev[32] = {0};
    unsigned blocks = 0;
    while (!*found && blocks < VM_STATUS_SCAN_MAX && (rc = sqlite3_step(ev)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(ev, 0) != 32) {
            rc = SQLITE_CORRUPT;
            break;
        }
        const uint8_t *blk = sqlite3_column_blob(ev, 0);
        if (blocks > 0 && memcmp(blk, prev, 32) == 0)
            continue; /* the same block's next event */
        memcpy(prev, blk, 32);
        blocks++;
        ledger_block_record rec;
        if (ledger_ro_block(l, prev, &rec) != LEDGER_STATUS_OK)
            continue;
        sqlite3_bind_blob(ms, 1, rec.block.link, 32, SQLITE_TRANSIENT);
        sqlite3_bind_blob(ms, 2, id, 32, SQLITE_STATIC);
        if (sqlite3_step(ms) == SQLITE_ROW) {
            *found = true;
            memcpy(out, prev, 32);
        }
        sqlite3_reset(ms);
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_finalize(ev);
    sqlite3_finalize(ms);
    return rc;
}

/* vm_message_status {message: hash of its first send, or of any chunk's
 * send (the answer then names the message and echoes "chunk_send")} */
void rpc_action_vm_message_status(rpc_call *c, const json_t *req)
{
    uint8_t id[32];
    if (!rpc_arg_hash(c, req, "message", id))
        return;
    rpc_ctx *ctx = rpc_call_ctx(c);
    vm_query *q = open_q(ctx);
    if (!q) {
        rpc_reply_status(c, 503, json_pack("{s:s}", "error", "VM database unavailable"));
        return;
    }
    sqlite3 *db = vm_query_db(q);
    sqlite3_stmt *st = NULL;
    json_t *o = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT sender, dest, total, have, received, status, last_send,"
                           " envelope, send_ok FROM messages WHERE msg_id=?",
                           -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
    int r = sqlite3_step(st);
    uint8_t asked[32];
    memcpy(asked, id, 32);
    if (r == SQLITE_DONE) {
        int cr = chunk_message(db, asked, id);
        if (cr == SQLITE_ROW) {
            /* a later chunk's send: answer for the message it belongs to */
            sqlite3_reset(st);
            sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
            r = sqlite3_step(st);
        } else if (cr != SQLITE_DONE) {
            r = cr;
        }
    }
    if (r == SQLITE_DONE) {
        sqlite3_finalize(st);
        vm_query_close(q);
        /* Not indexed (yet): not confirmed, or the vm has not applied it. */
        rpc_reply(c, json_pack("{s:s, s:s}", "message", "", "status", "unknown"));
        return;
    }
    if (r != SQLITE_ROW || sqlite3_column_bytes(st, 0) != 32 || sqlite3_column_bytes(st, 1) != 32)
        goto dberr;
    uint8_t sender[32], dest[32], last[32] = {0};
    memcpy(sender, sqlite3_column_blob(st, 0), 32);
    memcpy(dest, sqlite3_column_blob(st, 1), 32);
    int64_t total = sqlite3_column_int64(st, 2), have = sqlite3_column_int64(st, 3),
            received = sqlite3_column_int64(st, 4);
    char status[24];
    const unsigned char *stx = sqlite3_column_text(st, 5);
    snprintf(status, sizeof status, "%s", stx ? (const char *)stx : "");
    bool has_last = sqlite3_column_bytes(st, 6) == 32;
    if (has_last)
        memcpy(last, sqlite3_column_blob(st, 6), 32);
    /* only then is there a receive to look for (an etch, a mint, a state
     * or a failed transfer acts at the send alone) */
    bool receive_side = strcmp(status, "complete") == 0 &&
                        vm_dispatch_has_receive_side(sqlite3_column_blob(st, 7),
                                                     (size_t)sqlite3_column_bytes(st, 7),
                                                     sqlite3_column_int(st, 8) != 0);
    o = json_object();
    json_object_set_new(o, "message", vm_json_hex(id, 32));
    if (memcmp(asked, id, 32) != 0)
        json_object_set_new(o, "chunk_send", vm_json_hex(asked, 32));
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "sender", vm_json_account(sender));
    json_object_set_new(o, "destination", vm_json_account(dest));
    json_object_set_new(o, "chunks", json_integer(total));
    json_object_set_new(o, "sent", json_integer(have));
    json_object_set_new(o, "received", json_integer(received));
    sqlite3_finalize(st);
    st = NULL;
    /* Send side: the events of the block that completed (or ended) it. */
    json_t *send_ev = json_array(), *recv_ev = json_array();
    json_object_set_new(o, "send_events", send_ev);
    json_object_set_new(o, "receive_events", recv_ev);
    bool more = false;
    if (has_last) {
        if (block_events(db, last, send_ev, &more) != SQLITE_OK)
            goto dberr;
        if (more)
            json_object_set_new(o, "send_events_more", json_true());
    }
    /* Receive side: the destination's receive that completed it. */
    ledger_ro *l = rpc_ctx_ledger(ctx);
    if (l && received == total && receive_side) {
        uint8_t blk[32];
        bool found = false;
        if (find_receive(db, l, dest, id, blk, &found) != SQLITE_OK)
            goto dberr;
        if (found) {
            json_object_set_new(o, "receive_block", vm_json_hex(blk, 32));
            if (block_events(db, blk, recv_ev, &more) != SQLITE_OK)
                goto dberr;
            if (more)
                json_object_set_new(o, "receive_events_more", json_true());
        }
    }
    vm_query_close(q);
    rpc_reply(c, o);
    return;
dberr:
    sqlite3_finalize(st);
    json_decref(o);
    vm_query_close(q);
    rpc_reply_status(c, 500, json_pack("{s:s}", "error", "VM database read failed"));
}
