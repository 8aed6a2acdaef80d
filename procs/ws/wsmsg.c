/* Client message decoder and node message builders; see wsmsg.h. Only
 * this file reads a client's bytes as JSON. */
#include "procs/ws/wsmsg.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/address.h"
#include "common/block_json.h"
#include "common/hex.h"

static const char *const action_names[WS_ACTION_COUNT] = {
    [WS_ACTION_SUBSCRIBE] = "subscribe",
    [WS_ACTION_UNSUBSCRIBE] = "unsubscribe",
    [WS_ACTION_UPDATE] = "update",
    [WS_ACTION_PING] = "ping",
};

static const char *const topic_names[WS_TOPIC_COUNT] = {
    [WS_TOPIC_CONFIRMATION] = "confirmation",
    [WS_TOPIC_NEW_UNCONFIRMED_BLOCK] = "new_unconfirmed_block",
    [WS_TOPIC_VOTE] = "vote",
    [WS_TOPIC_STARTED_ELECTION] = "started_election",
    [WS_TOPIC_STOPPED_ELECTION] = "stopped_election",
    [WS_TOPIC_TELEMETRY] = "telemetry",
    [WS_TOPIC_BOOTSTRAP] = "bootstrap",
    [WS_TOPIC_WORK] = "work",
    [WS_TOPIC_VM] = "vm",
};

static const char *const conf_type_names[WS_CONF_COUNT] = {
    [WS_CONF_ALL] = "all",
    [WS_CONF_ACTIVE] = "active",
    [WS_CONF_ACTIVE_QUORUM] = "active_quorum",
    [WS_CONF_ACTIVE_CONFIRMATION_HEIGHT] = "active_confirmation_height",
    [WS_CONF_INACTIVE] = "inactive",
};

const char *ws_action_name(ws_action a)
{
    return (unsigned)a < WS_ACTION_COUNT ? action_names[a] : "?";
}

const char *ws_topic_name(ws_topic t)
{
    return (unsigned)t < WS_TOPIC_COUNT ? topic_names[t] : "?";
}

const char *ws_conf_type_name(ws_conf_type t)
{
    return (unsigned)t < WS_CONF_COUNT ? conf_type_names[t] : "?";
}

static bool lookup(const char *const *names, unsigned n, const char *s, unsigned *out)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0) {
            *out = i;
            return true;
        }
    return false;
}

bool ws_topic_parse(const char *s, ws_topic *out)
{
    unsigned v;
    if (!lookup(topic_names, WS_TOPIC_COUNT, s, &v))
        return false;
    *out = (ws_topic)v;
    return true;
}

/* ------------------------------------------------------------ accounts */

static int cmp32(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

bool ws_accounts_has(const ws_accounts *a, const uint8_t acc[32])
{
    return a->n && bsearch(acc, a->v, a->n, 32, cmp32) != NULL;
}

/* Sort and drop duplicates in place. */
static void normalize(ws_accounts *a)
{
    if (a->n < 2)
        return;
    qsort(a->v, a->n, 32, cmp32);
    size_t k = 1;
    for (size_t i = 1; i < a->n; i++)
        if (memcmp(a->v[i], a->v[k - 1], 32) != 0)
            memcpy(a->v[k++], a->v[i], 32);
    a->n = k;
}

bool ws_accounts_merge(ws_accounts *a, const ws_accounts *add, size_t max)
{
    if (add->n == 0)
        return true;
    if (add->n > max)
        return false;
    ws_accounts m = {.v = malloc((a->n + add->n) * 32), .n = a->n + add->n};
    if (!m.v)
        return false;
    if (a->n)
        memcpy(m.v, a->v, a->n * 32);
    memcpy(m.v[a->n], add->v, add->n * 32);
    normalize(&m);
    if (m.n > max) {
        ws_accounts_free(&m);
        return false;
    }
    ws_accounts_free(a);
    *a = m;
    return true;
}

void ws_accounts_remove(ws_accounts *a, const ws_accounts *del)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++)
        if (!ws_accounts_has(del, a->v[i]))
            memcpy(a->v[k++], a->v[i], 32);
    a->n = k;
}

void ws_accounts_free(ws_accounts *a)
{
    free(a->v);
    a->v = NULL;
    a->n = 0;
}

/* ------------------------------------------------------------- decoder */

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return WS_PARSE_INVALID;                                                                   \
    } while (0)

static ws_parse_status get_accounts(const json_t *arr, const char *name, ws_accounts *out,
                                    char *err, size_t errlen)
{
    if (!json_is_array(arr))
        FAIL("option '%s' must be an array of addresses", name);
    size_t n = json_array_size(arr);
    if (n > WS_ACCOUNTS_MAX)
        FAIL("option '%s': more than %u accounts", name, WS_ACCOUNTS_MAX);
    out->v = n ? malloc(n * 32) : NULL;
    if (n && !out->v)
        FAIL("out of memory");
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s)
            FAIL("option '%s': element %zu is not a string", name, i);
        smn_address_status st = smn_address_decode(s, out->v[out->n]);
        if (st != SMN_ADDRESS_OK)
            FAIL("option '%s': '%.80s' is not an address: %s", name, s, smn_address_strerror(st));
        out->n++;
    }
    normalize(out);
    return WS_PARSE_OK;
}

static ws_parse_status get_bool(const json_t *o, const char *name, bool *out, char *err,
                                size_t errlen)
{
    const json_t *v = json_object_get(o, name);
    if (!v)
        return WS_PARSE_OK;
    /* Nano's clients send both true and "true". */
    if (json_is_boolean(v))
        *out = json_is_true(v);
    else if (json_is_string(v) && strcmp(json_string_value(v), "true") == 0)
        *out = true;
    else if (json_is_string(v) && strcmp(json_string_value(v), "false") == 0)
        *out = false;
    else
        FAIL("option '%s' must be true or false", name);
    return WS_PARSE_OK;
}

/* A cursor or session: a non-negative integer or its decimal string. */
static ws_parse_status get_uint(const json_t *v, const char *name, uint64_t max, uint64_t *out,
                                char *err, size_t errlen)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = strlen(s);
        if (n == 0 || n > 20 || strspn(s, "0123456789") != n)
            FAIL("option '%s' must be a decimal number", name);
        errno = 0;
        char *end;
        unsigned long long x = strtoull(s, &end, 10);
        if (errno)
            FAIL("option '%s' is out of range", name);
        *out = x;
    } else {
        FAIL("option '%s' must be a decimal number", name);
    }
    if (*out > max)
        FAIL("option '%s' is out of range", name);
    return WS_PARSE_OK;
}

static ws_parse_status get_options(const json_t *o, ws_request *r, char *err, size_t errlen)
{
    ws_parse_status st;
    if (!json_is_object(o))
        FAIL("'options' must be an object");
    const json_t *v;
    bool update = r->action == WS_ACTION_UPDATE;
    if ((v = json_object_get(o, update ? "accounts_add" : "accounts"))) {
        r->has_accounts = true;
        if ((st = get_accounts(v, update ? "accounts_add" : "accounts", &r->accounts, err,
                               errlen)) != WS_PARSE_OK)
            return st;
    }
    if (update && (v = json_object_get(o, "accounts_del")) &&
        (st = get_accounts(v, "accounts_del", &r->accounts_del, err, errlen)) != WS_PARSE_OK)
        return st;
    if ((st = get_bool(o, "include_block", &r->include_block, err, errlen)) != WS_PARSE_OK ||
        (st = get_bool(o, "include_election_info", &r->include_election_info, err, errlen)) !=
            WS_PARSE_OK)
        return st;
    if ((v = json_object_get(o, "confirmation_type"))) {
        unsigned t;
        if (!json_is_string(v) || !lookup(conf_type_names, WS_CONF_COUNT, json_string_value(v), &t))
            FAIL("option 'confirmation_type' must be one of all, active, active_quorum, "
                 "active_confirmation_height, inactive");
        r->conf_type = (ws_conf_type)t;
    }
    if ((v = json_object_get(o, "from"))) {
        if ((st = get_uint(v, "from", INT64_MAX, &r->from, err, errlen)) != WS_PARSE_OK)
            return st;
        r->has_from = true;
    }
    if ((v = json_object_get(o, "program"))) {
        const char *s = json_string_value(v);
        if (!s || strlen(s) != 64 || !smn_hex_decode(s, r->program, 32))
            FAIL("option 'program' must be 64 hex digits");
        r->has_program = true;
    }
    if ((v = json_object_get(o, "session"))) {
        uint64_t x;
        if ((st = get_uint(v, "session", UINT32_MAX, &x, err, errlen)) != WS_PARSE_OK)
            return st;
        r->session = (uint32_t)x;
        r->has_session = true;
    }
    if ((v = json_object_get(o, "type"))) {
        const char *s = json_string_value(v);
        if (!s || !*s || strlen(s) > WS_VM_TYPE_MAX)
            FAIL("option 'type' must be an event type of 1 to %d characters", WS_VM_TYPE_MAX);
        strcpy(r->vm_type, s);
        r->has_vm_type = true;
    }
    if ((v = json_object_get(o, "account"))) {
        const char *s = json_string_value(v);
        if (!s || smn_address_decode(s, r->account) != SMN_ADDRESS_OK)
            FAIL("option 'account' must be an address");
        r->has_account = true;
    }
    return WS_PARSE_OK;
}

static ws_parse_status parse_object(const json_t *j, ws_request *r, char *err, size_t errlen)
{
    const json_t *id = json_object_get(j, "id");
    if (id) {
        const char *s = json_string_value(id);
        if (!s || strlen(s) > WS_ID_MAX)
            FAIL("'id' must be a string of at most %d bytes", WS_ID_MAX);
        strcpy(r->id, s);
        r->has_id = true;
    }
    const char *action = json_string_value(json_object_get(j, "action"));
    unsigned a;
    if (!action)
        FAIL("missing 'action' (subscribe, unsubscribe, update or ping)");
    if (!lookup(action_names, WS_ACTION_COUNT, action, &a))
        FAIL("unknown action '%.40s'", action);
    r->action = (ws_action)a;
    ws_parse_status st = get_bool(j, "ack", &r->ack, err, errlen);
    if (st != WS_PARSE_OK)
        return st;
    if (r->action == WS_ACTION_PING)
        return WS_PARSE_OK;
    const char *topic = json_string_value(json_object_get(j, "topic"));
    if (!topic)
        FAIL("missing 'topic'");
    if (!ws_topic_parse(topic, &r->topic))
        FAIL("unknown topic '%.40s'", topic);
    const json_t *o = json_object_get(j, "options");
    if (o && r->action != WS_ACTION_UNSUBSCRIBE)
        return get_options(o, r, err, errlen);
    return WS_PARSE_OK;
}

ws_parse_status ws_request_parse(const char *text, size_t len, ws_request *out, char *err,
                                 size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->include_block = true;
    out->conf_type = WS_CONF_ALL;
    if (errlen)
        err[0] = '\0';
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        snprintf(err, errlen, "not JSON: %s at byte %d", je.text, je.position);
        return WS_PARSE_MALFORMED;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        snprintf(err, errlen, "not a JSON object");
        return WS_PARSE_MALFORMED;
    }
    ws_parse_status st = parse_object(j, out, err, errlen);
    json_decref(j);
    return st;
}

void ws_request_free(ws_request *r)
{
    ws_accounts_free(&r->accounts);
    ws_accounts_free(&r->accounts_del);
}

/* ------------------------------------------------------------ builders */

bool ws_confirmation_matches(const ws_confirmation *c, const ws_accounts *filter)
{
    return ws_accounts_has(filter, c->block.account) ||
           (c->subtype == LEDGER_SUBTYPE_SEND && ws_accounts_has(filter, c->block.link));
}

static int set_time(json_t *o, uint64_t now_ms)
{
    char t[24];
    snprintf(t, sizeof t, "%" PRIu64, now_ms);
    return json_object_set_new(o, "time", json_string(t));
}

static char *dump(json_t *o, size_t *len)
{
    if (!o)
        return NULL;
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (s && len)
        *len = strlen(s);
    return s;
}

static json_t *hex_str(const uint8_t *b, size_t n)
{
    char buf[2 * 64 + 1];
    if (n > 64)
        return NULL;
    smn_hex_encode(b, n, buf);
    return json_string(buf);
}

static json_t *addr_str(const uint8_t pub[32])
{
    char buf[80];
    smn_address_encode(pub, buf);
    return json_string(buf);
}

static json_t *amount_str(smn_amount_t a)
{
    char buf[48];
    return json_string(smn_amount_format_raw(a, buf));
}

static json_t *u64_str(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    return json_string(buf);
}

char *ws_msg_ack(const char *ack, const char *id, uint64_t now_ms, size_t *len)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "ack", json_string(ack));
    set_time(o, now_ms);
    if (id)
        json_object_set_new(o, "id", json_string(id));
    return dump(o, len);
}

char *ws_msg_error(const char *message, const char *id, uint64_t now_ms, size_t *len)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "error", json_string(message));
    set_time(o, now_ms);
    if (id)
        json_object_set_new(o, "id", json_string(id));
    return dump(o, len);
}

static json_t *block_with_subtype(const smn_block *b, ledger_subtype subtype)
{
    json_t *j = smn_block_to_json(b);
    if (j)
        json_object_set_new(j, "subtype", json_string(ipc_ledger_subtype_name(subtype)));
    return j;
}

static json_t *envelope(const char *topic, uint64_t now_ms)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "topic", json_string(topic));
    set_time(o, now_ms);
    return o;
}

static json_t *election_info(const ws_election *e)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "duration", u64_str(e->duration_ms));
    json_object_set_new(j, "time", u64_str(e->time_ms));
    json_object_set_new(j, "tally", amount_str(e->tally));
    json_object_set_new(j, "final", amount_str(e->final_tally));
    json_object_set_new(j, "blocks", u64_str(e->blocks));
    json_object_set_new(j, "voters", u64_str(e->voters));
    json_object_set_new(j, "request_count", u64_str(e->request_count));
    return j;
}

char *ws_msg_confirmation(const ws_confirmation *c, bool include_block, bool include_election_info,
                          uint64_t now_ms, size_t *len)
{
    json_t *o = envelope("confirmation", now_ms);
    json_t *m = json_object();
    if (!o || !m) {
        json_decref(o);
        json_decref(m);
        return NULL;
    }
    json_object_set_new(o, "cursor", u64_str(c->seq));
    json_object_set_new(m, "account", addr_str(c->block.account));
    json_object_set_new(m, "amount", amount_str(c->amount));
    json_object_set_new(m, "hash", hex_str(c->hash, 32));
    json_object_set_new(m, "confirmation_type", json_string("active_quorum"));
    if (include_election_info && c->has_election && c->election.has_info)
        json_object_set_new(m, "election_info", election_info(&c->election));
    if (include_block)
        json_object_set_new(m, "block", block_with_subtype(&c->block, c->subtype));
    json_object_set_new(o, "message", m);
    return dump(o, len);
}

char *ws_msg_new_block(const smn_block *b, ledger_subtype subtype, uint64_t now_ms, size_t *len)
{
    json_t *o = envelope("new_unconfirmed_block", now_ms);
    if (!o)
        return NULL;
    json_object_set_new(o, "message", block_with_subtype(b, subtype));
    return dump(o, len);
}

char *ws_msg_vote(const uint8_t rep[32], const uint8_t sig[64], uint64_t timestamp,
                  const uint8_t (*hashes)[32], size_t n, uint64_t now_ms, size_t *len)
{
    json_t *o = envelope("vote", now_ms);
    json_t *m = json_object();
    json_t *blocks = json_array();
    if (!o || !m || !blocks) {
        json_decref(o);
        json_decref(m);
        json_decref(blocks);
        return NULL;
    }
    json_object_set_new(m, "account", addr_str(rep));
    json_object_set_new(m, "signature", hex_str(sig, 64));
    json_object_set_new(m, "sequence", u64_str(timestamp));
    json_object_set_new(m, "timestamp", u64_str(timestamp));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(blocks, hex_str(hashes[i], 32));
    json_object_set_new(m, "blocks", blocks);
    json_object_set_new(m, "type", json_string("vote"));
    json_object_set_new(o, "message", m);
    return dump(o, len);
}

char *ws_msg_vm(const ws_vm_event *e, uint64_t now_ms, size_t *len)
{
    json_t *o = envelope("vm", now_ms);
    json_t *m = json_object();
    char *data = malloc(2 * e->data_len + 1);
    if (!o || !m || !data) {
        json_decref(o);
        json_decref(m);
        free(data);
        return NULL;
    }
    smn_hex_encode(e->data, e->data_len, data);
    json_object_set_new(o, "cursor", u64_str(e->cursor));
    json_object_set_new(m, "block_hash", hex_str(e->block_hash, 32));
    json_object_set_new(m, "height", u64_str(e->height));
    json_object_set_new(m, "account", addr_str(e->account));
    json_object_set_new(m, "index", json_integer(e->index));
    json_object_set_new(m, "program", hex_str(e->program, 32));
    json_object_set_new(m, "session", json_integer(e->session));
    json_object_set_new(m, "type", json_string(e->type));
    json_object_set_new(m, "topic", u64_str(e->topic));
    json_object_set_new(m, "data", json_stringn(data, 2 * e->data_len));
    free(data);
    json_object_set_new(o, "message", m);
    return dump(o, len);
}

/* {"topic":…,"time":…,"message":m}; takes m. */
static char *wrap(const char *topic, json_t *m, uint64_t now_ms, size_t *len)
{
    json_t *o = envelope(topic, now_ms);
    if (!o || !m) {
        json_decref(o);
        json_decref(m);
        return NULL;
    }
    json_object_set_new(o, "message", m);
    return dump(o, len);
}

char *ws_msg_started_election(const uint8_t hash[32], uint64_t now_ms, size_t *len)
{
    json_t *m = json_object();
    if (m)
        json_object_set_new(m, "hash", hex_str(hash, 32));
    return wrap("started_election", m, now_ms, len);
}

char *ws_msg_stopped_election(const ws_election *e, uint64_t now_ms, size_t *len)
{
    json_t *m = json_object();
    if (m) {
        json_object_set_new(m, "hash", hex_str(e->hash, 32));
        json_object_set_new(m, "reason", json_string(e->reason));
        if (e->has_info)
            json_object_set_new(m, "election_info", election_info(e));
    }
    return wrap("stopped_election", m, now_ms, len);
}

char *ws_msg_telemetry(const ws_telemetry *t, uint64_t now_ms, size_t *len)
{
    json_t *m = json_object();
    if (m) {
        json_object_set_new(m, "block_count", u64_str(t->block_count));
        json_object_set_new(m, "cemented_count", u64_str(t->cemented_count));
        json_object_set_new(m, "account_count", u64_str(t->account_count));
        json_object_set_new(m, "peer_count", u64_str(t->peer_count));
        json_object_set_new(m, "protocol_version", u64_str(t->protocol_version));
        json_object_set_new(m, "uptime", u64_str(t->uptime));
        json_object_set_new(m, "genesis_block", hex_str(t->genesis, 32));
        json_object_set_new(m, "timestamp", u64_str(t->timestamp));
        json_object_set_new(m, "node_id", hex_str(t->node_id, 32));
        json_object_set_new(m, "signature", hex_str(t->signature, 64));
        json_object_set_new(m, "address", json_string(t->address));
        json_object_set_new(m, "port", u64_str(t->port));
    }
    return wrap("telemetry", m, now_ms, len);
}

char *ws_msg_bootstrap(const ws_bootstrap *b, uint64_t now_ms, size_t *len)
{
    json_t *m = json_object();
    if (m) {
        json_object_set_new(m, "reason", json_string(b->reason));
        json_object_set_new(m, "id", json_string(b->id));
        json_object_set_new(m, "mode", json_string(b->mode));
        if (b->exited) {
            json_object_set_new(m, "total_blocks", u64_str(b->total_blocks));
            json_object_set_new(m, "duration", u64_str(b->duration_s));
        }
    }
    return wrap("bootstrap", m, now_ms, len);
}

/* Nano's multiplier: how much harder than base, (2^64 - base) / (2^64 - d). */
static json_t *multiplier(uint64_t d, uint64_t base)
{
    double num = 18446744073709551616.0 - (double)base;
    double den = 18446744073709551616.0 - (double)d;
    char buf[32];
    snprintf(buf, sizeof buf, "%.10g", den > 0 ? num / den : 0.0);
    return json_string(buf);
}

static json_t *work_hex(uint64_t v)
{
    char buf[17];
    snprintf(buf, sizeof buf, "%016" PRIx64, v);
    return json_string(buf);
}

char *ws_msg_work(const ws_work *w, uint64_t now_ms, size_t *len)
{
    json_t *m = json_object();
    json_t *req = json_object();
    json_t *bad = json_array();
    json_t *res = w->success ? json_object() : NULL;
    if (!m || !req || !bad || (w->success && !res)) {
        json_decref(m);
        json_decref(req);
        json_decref(bad);
        json_decref(res);
        return NULL;
    }
    json_object_set_new(m, "success", json_string(w->success ? "true" : "false"));
    json_object_set_new(m, "reason", json_string(w->success ? "" : w->reason));
    json_object_set_new(m, "duration", u64_str(w->duration_ms));
    json_object_set_new(req, "version", json_string("work_1"));
    json_object_set_new(req, "hash", hex_str(w->root, 32));
    json_object_set_new(req, "difficulty", work_hex(w->difficulty));
    json_object_set_new(req, "multiplier", multiplier(w->difficulty, w->base));
    json_object_set_new(m, "request", req);
    if (res) {
        json_object_set_new(res, "source", json_string("local"));
        json_object_set_new(res, "work", work_hex(w->work));
        json_object_set_new(res, "difficulty", work_hex(w->result_difficulty));
        json_object_set_new(res, "multiplier", multiplier(w->result_difficulty, w->base));
        json_object_set_new(m, "result", res);
    }
    json_object_set_new(m, "bad_peers", bad);
    return wrap("work", m, now_ms, len);
}
