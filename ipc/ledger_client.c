#include "ipc/ledger_client.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define DEFAULT_MAX_PENDING 1024u
#define DEFAULT_TIMEOUT_MS 10000u
#define DEFAULT_RECONNECT_MAX_MS 1000u

struct ledger_client {
    ipc_endpoint *ep;
    ledger_client_opts o;
    size_t pending;
    bool subscribed;
    uint64_t subscriptions;
};

typedef struct {
    ledger_client *lc;
    ledger_client_process_fn process_cb;
    ledger_client_confirm_fn confirm_cb;
    ledger_client_batch_fn batch_cb;
    size_t batch_n;
    void *user;
} request;

/* ---- decoding ---- */

static bool get32(const ipc_msg *m, const char *name, uint8_t out[32])
{
    const uint8_t *p;
    size_t n;
    if (!ipc_get_bin(m->body, name, &p, &n) || n != 32)
        return false;
    memcpy(out, p, 32);
    return true;
}

static bool get_amount(const ipc_msg *m, const char *name, smn_amount_t *out)
{
    const uint8_t *p;
    size_t n;
    if (!ipc_get_bin(m->body, name, &p, &n) || n != IPC_LEDGER_AMOUNT_BYTES)
        return false;
    *out = smn_amount_from_be(p);
    return true;
}

static bool get_block(const ipc_msg *m, smn_block *out)
{
    const uint8_t *p;
    size_t n;
    return ipc_get_bin(m->body, "block", &p, &n) && n == SMN_BLOCK_WIRE_BYTES &&
           smn_block_deserialize(p, n, out) == SMN_BLOCK_OK;
}

static bool get_subtype(const ipc_msg *m, ledger_subtype *out)
{
    const char *p;
    size_t n;
    return ipc_get_str(m->body, "subtype", &p, &n) && ipc_ledger_subtype_parse(p, n, out);
}

bool ledger_client_decode_accepted(const ipc_msg *m, ledger_client_accepted *out)
{
    memset(out, 0, sizeof *out);
    const char *o;
    size_t olen;
    return ipc_ledger_kind_of(m) == IPC_LEDGER_K_BLOCK_ACCEPTED && get32(m, "hash", out->hash) &&
           get_block(m, &out->block) && ipc_get_uint(m->body, "height", &out->height) &&
           out->height > 0 && get_subtype(m, &out->subtype) &&
           get_amount(m, "amount", &out->amount) && ipc_get_str(m->body, "origin", &o, &olen) &&
           ipc_ledger_origin_parse(o, olen, &out->origin);
}

bool ledger_client_decode_fork(const ipc_msg *m, ledger_client_fork *out)
{
    memset(out, 0, sizeof *out);
    return ipc_ledger_kind_of(m) == IPC_LEDGER_K_FORK && get32(m, "hash", out->hash) &&
           get_block(m, &out->block) && get32(m, "root", out->root);
}

bool ledger_client_decode_cemented(const ipc_msg *m, ledger_client_cemented *out)
{
    memset(out, 0, sizeof *out);
    return ipc_ledger_kind_of(m) == IPC_LEDGER_K_BLOCK_CEMENTED && get32(m, "hash", out->hash) &&
           get32(m, "account", out->account) && ipc_get_uint(m->body, "height", &out->height) &&
           out->height > 0 && get_subtype(m, &out->subtype) &&
           get_amount(m, "amount", &out->amount) &&
           get_amount(m, "prev_balance", &out->prev_balance) &&
           get_amount(m, "balance", &out->balance) && get32(m, "link", out->link) &&
           get32(m, "source_account", out->source_account) &&
           ipc_get_uint(m->body, "seq", &out->seq) && out->seq > 0;
}

bool ledger_client_decode_rolled_back(const ipc_msg *m, ledger_client_rolled_back *out)
{
    memset(out, 0, sizeof *out);
    return ipc_ledger_kind_of(m) == IPC_LEDGER_K_ROLLED_BACK && get32(m, "hash", out->hash) &&
           get32(m, "account", out->account) && ipc_get_uint(m->body, "height", &out->height) &&
           out->height > 0;
}

/* ---- notifications ---- */

static void bad_notification(ledger_client *lc, const ipc_msg *m)
{
    smn_warn("%s: dropping an undecodable '%s' notification", lc->o.name, m->kind->name);
    if (lc->o.on_bad_notification)
        lc->o.on_bad_notification(lc->o.user, m->kind->name);
}

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    ledger_client *lc = ud;
    if (m->id) {
        ipc_reply_error(c, m, "this process serves no ledger requests");
        return;
    }
    switch (ipc_ledger_kind_of(m)) {
    case IPC_LEDGER_K_BLOCK_ACCEPTED:
        if (lc->o.on_block_accepted) {
            ledger_client_accepted n;
            if (ledger_client_decode_accepted(m, &n))
                lc->o.on_block_accepted(lc->o.user, &n);
            else
                bad_notification(lc, m);
        }
        break;
    case IPC_LEDGER_K_FORK:
        if (lc->o.on_fork) {
            ledger_client_fork n;
            if (ledger_client_decode_fork(m, &n))
                lc->o.on_fork(lc->o.user, &n);
            else
                bad_notification(lc, m);
        }
        break;
    case IPC_LEDGER_K_BLOCK_CEMENTED:
        if (lc->o.on_block_cemented) {
            ledger_client_cemented n;
            if (ledger_client_decode_cemented(m, &n))
                lc->o.on_block_cemented(lc->o.user, &n);
            else
                bad_notification(lc, m);
        }
        break;
    case IPC_LEDGER_K_ROLLED_BACK:
        if (lc->o.on_rolled_back) {
            ledger_client_rolled_back n;
            if (ledger_client_decode_rolled_back(m, &n))
                lc->o.on_rolled_back(lc->o.user, &n);
            else
                bad_notification(lc, m);
        }
        break;
    default:
        smn_debug("%s: ignoring '%s'", lc->o.name, m->kind->name);
        break;
    }
}

/* ---- subscription ---- */

static bool wants_notifications(const ledger_client_opts *o)
{
    return o->on_block_accepted || o->on_fork || o->on_block_cemented || o->on_rolled_back;
}

static void on_subscribe_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    ledger_client *lc = ud;
    if (st != IPC_OK || ipc_ledger_kind_of(reply) != IPC_LEDGER_K_SUBSCRIBED) {
        /* Up but not serving it (yet): reconnect, which subscribes again. */
        smn_warn("%s: subscription failed: %s", lc->o.name,
                 st == IPC_OK ? "unexpected reply" : ipc_strerror(st));
        if (c)
            ipc_conn_close(c);
        return;
    }
    lc->subscribed = true;
    lc->subscriptions++;
    smn_debug("%s: subscribed", lc->o.name);
    if (lc->o.on_subscribed)
        lc->o.on_subscribed(lc->o.user);
}

static void subscribe(ledger_client *lc, ipc_conn *c)
{
    ipc_builder b;
    ipc_build_begin(&b, ipc_ledger_kind_name(IPC_LEDGER_K_SUBSCRIBE));
    ipc_put_array_begin(&b, "topics");
    if (lc->o.on_block_accepted)
        ipc_put_str(&b, NULL, ipc_ledger_kind_name(IPC_LEDGER_K_BLOCK_ACCEPTED));
    if (lc->o.on_fork)
        ipc_put_str(&b, NULL, ipc_ledger_kind_name(IPC_LEDGER_K_FORK));
    if (lc->o.on_block_cemented)
        ipc_put_str(&b, NULL, ipc_ledger_kind_name(IPC_LEDGER_K_BLOCK_CEMENTED));
    if (lc->o.on_rolled_back)
        ipc_put_str(&b, NULL, ipc_ledger_kind_name(IPC_LEDGER_K_ROLLED_BACK));
    ipc_put_array_end(&b);
    ipc_status st = ipc_request(c, &b, lc->o.timeout_ms, on_subscribe_reply, lc);
    if (st != IPC_OK) {
        smn_warn("%s: cannot subscribe: %s", lc->o.name, ipc_strerror(st));
        ipc_conn_close(c); /* and again on the next connection */
    }
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    ledger_client *lc = ud;
    lc->subscribed = false;
    if (!up) {
        if (lc->o.on_down)
            lc->o.on_down(lc->o.user);
        return;
    }
    if (wants_notifications(&lc->o))
        subscribe(lc, c);
}

/* ---- requests ---- */

static void finish(request *r, ipc_status st, ledger_result res, uint64_t cemented, uint64_t rolled)
{
    r->lc->pending--;
    ledger_client_process_fn pcb = r->process_cb;
    ledger_client_confirm_fn ccb = r->confirm_cb;
    void *user = r->user;
    free(r);
    if (pcb)
        pcb(user, st, res);
    else
        ccb(user, st, cemented, rolled);
}

static void log_refusal(ledger_client *lc, const char *what, const ipc_msg *reply)
{
    char msg[160] = "";
    ipc_get_strz(reply->body, "message", msg, sizeof msg);
    smn_warn("%s refused a %s: %s", lc->o.name, what, msg);
}

static void on_process_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    request *r = ud;
    ledger_result res = LEDGER_RESULT_COUNT;
    if (st == IPC_OK) {
        const char *name = NULL;
        size_t len = 0;
        if (ipc_ledger_kind_of(reply) != IPC_LEDGER_K_PROCESS_RESULT ||
            !ipc_get_str(reply->body, "result", &name, &len)) {
            smn_warn("%s answered process with '%s'", r->lc->o.name, reply->kind->name);
            st = IPC_E_MALFORMED;
        } else if (!ipc_ledger_result_parse(name, len, &res)) {
            smn_warn("%s answered an unknown result '%.*s'", r->lc->o.name, (int)len, name);
            st = IPC_E_MALFORMED;
        }
    } else if (st == IPC_E_REMOTE) {
        log_refusal(r->lc, "block", reply);
    }
    finish(r, st, res, 0, 0);
}

static void on_confirm_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    request *r = ud;
    uint64_t cemented = 0, rolled = 0;
    if (st == IPC_OK) {
        if (ipc_ledger_kind_of(reply) != IPC_LEDGER_K_CONFIRM_RESULT ||
            !ipc_get_uint(reply->body, "cemented", &cemented)) {
            smn_warn("%s answered confirm with '%s'", r->lc->o.name, reply->kind->name);
            st = IPC_E_MALFORMED;
            cemented = 0;
        } else {
            ipc_get_uint(reply->body, "rolled_back", &rolled); /* optional */
        }
    } else if (st == IPC_E_REMOTE) {
        log_refusal(r->lc, "confirm", reply);
    }
    finish(r, st, LEDGER_RESULT_COUNT, cemented, rolled);
}

static void on_batch_reply(ipc_conn *c, ipc_status st, const ipc_msg *reply, void *ud)
{
    (void)c;
    request *r = ud;
    ledger_result *res = NULL;
    const ipc_obj *arr = NULL;
    if (st == IPC_OK) {
        arr = ipc_ledger_kind_of(reply) == IPC_LEDGER_K_PROCESS_BATCH_RESULT
                  ? ipc_get_array(reply->body, "results")
                  : NULL;
        if (!arr || ipc_array_len(arr) != r->batch_n) {
            smn_warn("%s answered process_batch with '%s' (%zu results for %zu blocks)",
                     r->lc->o.name, reply->kind->name, arr ? ipc_array_len(arr) : 0, r->batch_n);
            st = IPC_E_MALFORMED;
        } else if (!(res = malloc(r->batch_n * sizeof *res))) {
            st = IPC_E_NOMEM;
        }
        for (size_t i = 0; res && i < r->batch_n; i++) {
            const char *name = NULL;
            size_t len = 0;
            if (!ipc_obj_str(ipc_array_at(arr, i), &name, &len) ||
                !ipc_ledger_result_parse(name, len, &res[i])) {
                smn_warn("%s answered an unknown result in a process_batch", r->lc->o.name);
                st = IPC_E_MALFORMED;
                free(res);
                res = NULL;
            }
        }
    } else if (st == IPC_E_REMOTE) {
        log_refusal(r->lc, "process_batch", reply);
    }
    r->lc->pending--;
    ledger_client_batch_fn cb = r->batch_cb;
    void *user = r->user;
    size_t n = r->batch_n;
    free(r);
    cb(user, st, res, res ? n : 0);
    free(res);
}

static ipc_status send_request(ledger_client *lc, ipc_builder *b, ipc_on_reply on_reply,
                               request *proto, uint32_t timeout_ms)
{
    ipc_conn *c = lc ? ipc_endpoint_conn(lc->ep) : NULL;
    if (!c) {
        ipc_build_free(b);
        return IPC_E_CLOSED;
    }
    if (lc->pending >= lc->o.max_pending) {
        ipc_build_free(b);
        return IPC_E_QUEUE_FULL;
    }
    request *r = malloc(sizeof *r);
    if (!r) {
        ipc_build_free(b);
        return IPC_E_NOMEM;
    }
    *r = *proto;
    r->lc = lc;
    ipc_status st = ipc_request(c, b, timeout_ms ? timeout_ms : lc->o.timeout_ms, on_reply, r);
    if (st != IPC_OK) {
        free(r); /* the callback never runs for a request that was not sent */
        return st;
    }
    lc->pending++;
    return IPC_OK;
}

ipc_status ledger_client_process(ledger_client *lc, const smn_block *b, ledger_origin origin,
                                 ledger_client_process_fn cb, void *user)
{
    if (!b || !cb || (unsigned)origin >= LEDGER_ORIGIN_UNCHECKED)
        return IPC_E_INVALID;
    uint8_t wire[SMN_BLOCK_WIRE_BYTES];
    smn_block_serialize(b, wire);
    ipc_builder bld;
    ipc_build_begin(&bld, ipc_ledger_kind_name(IPC_LEDGER_K_PROCESS));
    ipc_put_bin(&bld, "block", wire, sizeof wire);
    ipc_put_str(&bld, "origin", ipc_ledger_origin_name(origin));
    request proto = {.process_cb = cb, .user = user};
    return send_request(lc, &bld, on_process_reply, &proto, 0);
}

ipc_status ledger_client_process_batch(ledger_client *lc, const smn_block *blocks, size_t n,
                                       ledger_origin origin, ledger_client_batch_fn cb, void *user)
{
    if (!blocks || !cb || n == 0 || n > IPC_LEDGER_MAX_BATCH ||
        (unsigned)origin >= LEDGER_ORIGIN_UNCHECKED)
        return IPC_E_INVALID;
    ipc_builder bld;
    ipc_build_begin(&bld, ipc_ledger_kind_name(IPC_LEDGER_K_PROCESS_BATCH));
    ipc_put_array_begin(&bld, "blocks");
    for (size_t i = 0; i < n; i++) {
        uint8_t wire[SMN_BLOCK_WIRE_BYTES];
        smn_block_serialize(&blocks[i], wire);
        ipc_put_bin(&bld, NULL, wire, sizeof wire);
    }
    ipc_put_array_end(&bld);
    ipc_put_str(&bld, "origin", ipc_ledger_origin_name(origin));
    request proto = {.batch_cb = cb, .batch_n = n, .user = user};
    return send_request(lc, &bld, on_batch_reply, &proto, 0);
}

ipc_status ledger_client_confirm(ledger_client *lc, const uint8_t hash[32], const smn_block *block,
                                 ledger_client_confirm_fn cb, void *user)
{
    return ledger_client_confirm_wait(lc, hash, block, 0, cb, user);
}

static ipc_status send_confirm(ledger_client *lc, const uint8_t hash[32], const smn_block *block,
                               bool backlog, uint32_t timeout_ms, ledger_client_confirm_fn cb,
                               void *user)
{
    if (!hash || !cb)
        return IPC_E_INVALID;
    ipc_builder bld;
    ipc_build_begin(&bld, ipc_ledger_kind_name(IPC_LEDGER_K_CONFIRM));
    ipc_put_bin(&bld, "hash", hash, 32);
    if (block) {
        uint8_t wire[SMN_BLOCK_WIRE_BYTES];
        smn_block_serialize(block, wire);
        ipc_put_bin(&bld, "block", wire, sizeof wire);
    }
    if (backlog) /* absent means fresh: what older senders meant */
        ipc_put_bool(&bld, "backlog", true);
    request proto = {.confirm_cb = cb, .user = user};
    return send_request(lc, &bld, on_confirm_reply, &proto, timeout_ms);
}

ipc_status ledger_client_confirm_wait(ledger_client *lc, const uint8_t hash[32],
                                      const smn_block *block, uint32_t timeout_ms,
                                      ledger_client_confirm_fn cb, void *user)
{
    return send_confirm(lc, hash, block, false, timeout_ms, cb, user);
}

ipc_status ledger_client_confirm_backlog(ledger_client *lc, const uint8_t hash[32],
                                         const smn_block *block, uint32_t timeout_ms,
                                         ledger_client_confirm_fn cb, void *user)
{
    return send_confirm(lc, hash, block, true, timeout_ms, cb, user);
}

/* ---- life cycle ---- */

static ledger_client *create(const ledger_client_opts *o, ipc_endpoint_opts *eo)
{
    ledger_client *lc = calloc(1, sizeof *lc);
    if (!lc)
        return NULL;
    lc->o = *o;
    if (!lc->o.name)
        lc->o.name = "ledger";
    if (!lc->o.max_pending)
        lc->o.max_pending = DEFAULT_MAX_PENDING;
    if (!lc->o.timeout_ms)
        lc->o.timeout_ms = DEFAULT_TIMEOUT_MS;
    if (!lc->o.reconnect_max_ms)
        lc->o.reconnect_max_ms = DEFAULT_RECONNECT_MAX_MS;
    *eo = (ipc_endpoint_opts){
        .family = &ipc_family_ledger,
        .on_message = on_message,
        .on_state = on_state,
        .ud = lc,
        .name = lc->o.name,
        /* the subscribe request rides on top of the bound */
        .max_pending = lc->o.max_pending + 1,
        .reconnect_min_ms = lc->o.reconnect_min_ms,
        .reconnect_max_ms = lc->o.reconnect_max_ms,
    };
    return lc;
}

ledger_client *ledger_client_new(ipc_child *ch, const ledger_client_opts *o)
{
    ipc_endpoint_opts eo;
    ledger_client *lc = o ? create(o, &eo) : NULL;
    if (lc)
        lc->ep = ipc_child_connect(ch, "ledger", &eo);
    if (!lc || !lc->ep) {
        smn_error("cannot create the ledger endpoint");
        free(lc);
        return NULL;
    }
    return lc;
}

ledger_client *ledger_client_connect(struct event_base *base, const char *path,
                                     const ledger_client_opts *o)
{
    ipc_endpoint_opts eo;
    ledger_client *lc = o ? create(o, &eo) : NULL;
    if (lc)
        lc->ep = ipc_connect(base, path, &eo);
    if (!lc || !lc->ep) {
        smn_error("cannot create a ledger endpoint for %s", path ? path : "(null)");
        free(lc);
        return NULL;
    }
    return lc;
}

void ledger_client_free(ledger_client *lc)
{
    if (!lc)
        return;
    lc->o.on_down = NULL; /* the owner is going away too */
    lc->o.on_subscribed = NULL;
    ipc_endpoint_free(lc->ep); /* pending requests' callbacks run here */
    free(lc);
}

bool ledger_client_connected(const ledger_client *lc)
{
    return lc && ipc_endpoint_conn(lc->ep) != NULL;
}

bool ledger_client_subscribed(const ledger_client *lc)
{
    return lc && lc->subscribed;
}

size_t ledger_client_pending(const ledger_client *lc)
{
    return lc ? lc->pending : 0;
}

uint64_t ledger_client_subscriptions(const ledger_client *lc)
{
    return lc ? lc->subscriptions : 0;
}
