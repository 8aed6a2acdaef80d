/* Actions that walk the ledger's accounts or receivables in key order:
 * delegators, delegators_count, unopened and ledger. Each request looks at
 * a bounded number of rows (RPC_WALK_SCAN_MAX, RPC_LEDGER_SCAN_MAX) so no
 * request holds the loop long, whatever the ledger's size; when it stopped
 * before the end the answer carries `next`, the `start` (`account` for
 * unopened and ledger) of the following page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/slices.h"

/* Rows one delegators / delegators_count / unopened request looks at. */
#define RPC_WALK_SCAN_MAX 100000u
/* Accounts one `ledger` request looks at (each costs a few lookups). */
#define RPC_LEDGER_SCAN_MAX 20000u
/* Nano's default count of delegators. */
#define RPC_DELEGATORS_DEFAULT_COUNT 1024u

/* Optional account field `key` into out; *given false when absent. */
static bool opt_account(rpc_call *c, const json_t *req, const char *key, uint8_t out[32],
                        bool *given)
{
    *given = json_object_get(req, key) != NULL;
    return !*given || rpc_arg_account(c, req, key, out);
}

/* Optional amount field (threshold): zero when absent. */
static bool opt_amount(rpc_call *c, const json_t *req, const char *key, smn_amount_t *out)
{
    *out = smn_amount_zero();
    return !json_object_get(req, key) || rpc_arg_amount(c, req, key, out);
}

static void set_next(json_t *o, bool more, const uint8_t next[32])
{
    if (more)
        json_object_set_new(o, "next", rpc_json_account(next));
}

static json_t *amount_map(const ledger_ro_account_amount *e, size_t n)
{
    json_t *map = json_object();
    char addr[SMN_ADDRESS_STRLEN];
    for (size_t i = 0; i < n; i++) {
        smn_address_encode(e[i].account, addr);
        json_object_set_new(map, addr, rpc_json_amount(e[i].amount));
    }
    return map;
}

/* delegators {account, threshold?, count? (1024), start?}:
 * {"delegators": {account: balance}} in account order from start. */
void rpc_action_delegators(rpc_call *c, const json_t *req)
{
    uint8_t rep[32], start[32];
    bool has_start;
    smn_amount_t threshold;
    uint64_t count;
    if (!rpc_arg_account(c, req, "account", rep) || !opt_amount(c, req, "threshold", &threshold) ||
        !rpc_arg_count(c, req, "count", RPC_DELEGATORS_DEFAULT_COUNT, RPC_MAX_COUNT, &count) ||
        !opt_account(c, req, "start", start, &has_start))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_ro_account_amount *e = malloc(sizeof *e * count);
    if (!e) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    size_t n = 0;
    uint8_t next[32];
    bool more = false;
    ledger_status st = ledger_ro_delegators(l, rep, has_start ? start : NULL, threshold,
                                            RPC_WALK_SCAN_MAX, e, count, &n, next, &more);
    if (st != LEDGER_STATUS_OK) {
        free(e);
        rpc_reply_ledger_error(c, st);
        return;
    }
    json_t *o = json_pack("{s:o}", "delegators", amount_map(e, n));
    free(e);
    set_next(o, more, next);
    rpc_reply(c, o);
}

/* delegators_count {account, start?}: {"count"}; past RPC_WALK_SCAN_MAX
 * accounts the count so far and `next` (add up the pages). */
void rpc_action_delegators_count(rpc_call *c, const json_t *req)
{
    uint8_t rep[32], start[32];
    bool has_start;
    if (!rpc_arg_account(c, req, "account", rep) ||
        !opt_account(c, req, "start", start, &has_start))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    size_t n = 0;
    uint8_t next[32];
    bool more = false;
    ledger_status st = ledger_ro_delegators(l, rep, has_start ? start : NULL, smn_amount_zero(),
                                            RPC_WALK_SCAN_MAX, NULL, 0, &n, next, &more);
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return;
    }
    json_t *o = json_pack("{s:o}", "count", rpc_json_u64(n));
    set_next(o, more, next);
    rpc_reply(c, o);
}

/* unopened (control) {account? (start), count?, threshold?}: accounts that
 * can receive but have no block yet, {"accounts": {account: receivable sum}}. */
void rpc_action_unopened(rpc_call *c, const json_t *req)
{
    uint8_t start[32];
    bool has_start;
    smn_amount_t threshold;
    uint64_t count;
    if (!opt_account(c, req, "account", start, &has_start) ||
        !rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &count) ||
        !opt_amount(c, req, "threshold", &threshold))
        return;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return;
    ledger_ro_account_amount *e = malloc(sizeof *e * count);
    if (!e) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    size_t n = 0;
    uint8_t next[32];
    bool more = false;
    ledger_status st = ledger_ro_unopened(l, has_start ? start : NULL, threshold, RPC_WALK_SCAN_MAX,
                                          e, count, &n, next, &more);
    if (st != LEDGER_STATUS_OK) {
        free(e);
        rpc_reply_ledger_error(c, st);
        return;
    }
    json_t *o = json_pack("{s:o}", "accounts", amount_map(e, n));
    free(e);
    set_next(o, more, next);
    rpc_reply(c, o);
}

typedef struct {
    bool rep, weight, receivable, pending;
    uint64_t since;
    smn_amount_t threshold;
} ledger_opts;

/* One account's entry of `ledger`, or NULL with *skip (filtered out) or
 * *st (a failed read). */
static json_t *ledger_entry(ledger_ro *l, const uint8_t acc[32], const ledger_opts *o, bool *skip,
                            ledger_status *st)
{
    ledger_account_info info;
    *skip = false;
    if ((*st = ledger_ro_account_info(l, acc, &info)) != LEDGER_STATUS_OK)
        return NULL;
    if (smn_amount_lt(info.balance, o->threshold)) {
        *skip = true;
        return NULL;
    }
    ledger_block_record front;
    if ((*st = ledger_ro_block(l, info.frontier, &front)) != LEDGER_STATUS_OK)
        return NULL; /* NOT_FOUND too: a frontier is never pruned */
    if (front.local_timestamp < o->since) {
        *skip = true;
        return NULL;
    }
    ledger_block_record open;
    size_t nopen = 0;
    if ((*st = ledger_ro_history(l, acc, 2, &open, 1, &nopen)) != LEDGER_STATUS_OK)
        return NULL;
    json_t *e = json_object();
    json_object_set_new(e, "frontier", rpc_json_hash(info.frontier));
    if (nopen == 1 && open.height == 1) /* absent once pruning removed it */
        json_object_set_new(e, "open_block", rpc_json_hash(open.hash));
    json_object_set_new(e, "representative_block", rpc_json_hash(info.frontier));
    json_object_set_new(e, "balance", rpc_json_amount(info.balance));
    json_object_set_new(e, "modified_timestamp", rpc_json_u64(front.local_timestamp));
    json_object_set_new(e, "block_count", rpc_json_u64(info.height));
    if (o->rep)
        json_object_set_new(e, "representative", rpc_json_account(info.representative));
    if (o->weight) {
        smn_amount_t w;
        if ((*st = ledger_ro_weight(l, acc, &w)) != LEDGER_STATUS_OK) {
            json_decref(e);
            return NULL;
        }
        json_object_set_new(e, "weight", rpc_json_amount(w));
    }
    if (o->receivable || o->pending) {
        smn_amount_t bal, recv;
        if ((*st = ledger_ro_balance(l, acc, &bal, &recv)) != LEDGER_STATUS_OK) {
            json_decref(e);
            return NULL;
        }
        if (o->receivable)
            json_object_set_new(e, "receivable", rpc_json_amount(recv));
        if (o->pending)
            json_object_set_new(e, "pending", rpc_json_amount(recv));
    }
    return e;
}

/* `ledger`'s walk between slices: one page of accounts per slice, so a
 * 10,000-account answer (tens of thousands of reads) never holds the loop. */
enum { LEDGER_PAGE = 256 };
typedef struct {
    ledger_opts o;
    uint64_t count;
    uint8_t cur[32], next[32];
    size_t found, looked;
    bool more;
    json_t *map;
    uint8_t (*accs)[32], (*fronts)[32];
} ledger_walk;

static void ledger_walk_free(void *p)
{
    ledger_walk *w = p;
    json_decref(w->map);
    free(w->accs);
    free(w->fronts);
    free(w);
}

/* One page of the walk; true once it has answered. */
static bool ledger_walk_step(rpc_call *c, void *p)
{
    ledger_walk *w = p;
    ledger_ro *l = rpc_ledger(c);
    if (!l)
        return true;
    size_t n = 0;
    ledger_status st = ledger_ro_frontiers(l, w->cur, w->accs, w->fronts, LEDGER_PAGE, &n);
    char addr[SMN_ADDRESS_STRLEN];
    for (size_t i = 0; st == LEDGER_STATUS_OK && i < n; i++) {
        if (w->found == w->count || w->looked == RPC_LEDGER_SCAN_MAX) {
            memcpy(w->next, w->accs[i], 32); /* the next page starts here */
            w->more = true;
            break;
        }
        w->looked++;
        bool skip;
        json_t *e = ledger_entry(l, w->accs[i], &w->o, &skip, &st);
        if (st != LEDGER_STATUS_OK || skip)
            continue;
        smn_address_encode(w->accs[i], addr);
        json_object_set_new(w->map, addr, e);
        w->found++;
    }
    if (st != LEDGER_STATUS_OK) {
        rpc_reply_ledger_error(c, st);
        return true;
    }
    bool last = w->more || n < LEDGER_PAGE;
    if (!last) {
        /* continue after the page's last account */
        memcpy(w->cur, w->accs[n - 1], 32);
        int k = 31;
        while (k >= 0 && ++w->cur[k] == 0)
            k--;
        last = k < 0; /* the last possible key */
    }
    if (!last)
        return false;
    json_t *out = json_pack("{s:O}", "accounts", w->map);
    set_next(out, w->more, w->next);
    rpc_reply(c, out);
    return true;
}

/* ledger (control) {account? (start), count?, representative?, weight?,
 * receivable?, pending?, modified_since?, threshold?}: the accounts in key
 * order with their records, read a page per loop iteration. */
void rpc_action_ledger(rpc_call *c, const json_t *req)
{
    uint8_t start[32];
    bool has_start;
    ledger_walk *w = calloc(1, sizeof *w);
    if (!w) {
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    ledger_opts *o = &w->o;
    if (!opt_account(c, req, "account", start, &has_start) ||
        !rpc_arg_count(c, req, "count", RPC_DEFAULT_COUNT, RPC_MAX_COUNT, &w->count) ||
        !rpc_arg_bool(c, req, "representative", false, &o->rep) ||
        !rpc_arg_bool(c, req, "weight", false, &o->weight) ||
        !rpc_arg_bool(c, req, "receivable", false, &o->receivable) ||
        !rpc_arg_bool(c, req, "pending", false, &o->pending) ||
        !rpc_arg_u64(c, req, "modified_since", "Invalid modified_since", &o->since) ||
        !opt_amount(c, req, "threshold", &o->threshold)) {
        free(w);
        return;
    }
    if (has_start)
        memcpy(w->cur, start, 32);
    w->map = json_object();
    w->accs = malloc(sizeof *w->accs * LEDGER_PAGE);
    w->fronts = malloc(sizeof *w->fronts * LEDGER_PAGE);
    if (!w->map || !w->accs || !w->fronts) {
        ledger_walk_free(w);
        rpc_reply_status(c, 500, json_pack("{s:s}", "error", "Out of memory"));
        return;
    }
    rpc_call_slices(c, ledger_walk_step, ledger_walk_free, w);
}
