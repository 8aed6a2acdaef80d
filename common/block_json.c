/* JSON form of a state block with Nano's field names (jansson). */
#include "common/block_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/work.h"

json_t *smn_block_to_json(const smn_block *b)
{
    char account[SMN_ADDRESS_STRLEN], rep[SMN_ADDRESS_STRLEN], link_acc[SMN_ADDRESS_STRLEN];
    char previous[65], link[65], sig[2 * SMN_SIG_BYTES + 1], work[17];
    char balance[SMN_AMOUNT_RAW_STRLEN];
    smn_address_encode(b->account, account);
    smn_address_encode(b->representative, rep);
    smn_address_encode(b->link, link_acc);
    smn_hex_encode(b->previous, 32, previous);
    smn_hex_encode(b->link, 32, link);
    smn_hex_encode(b->signature, SMN_SIG_BYTES, sig);
    smn_work_format(b->work, work);
    smn_amount_format_raw(b->balance, balance);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "state", "account",
                     account, "previous", previous, "representative", rep, "balance", balance,
                     "link", link, "link_as_account", link_acc, "signature", sig, "work", work);
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The string value of a required field, or NULL with err filled in. */
static const char *get_string(const json_t *j, const char *key, char *err, size_t errlen)
{
    json_t *v = json_object_get(j, key);
    if (!v) {
        fail(err, errlen, "missing field \"%s\"", key);
        return NULL;
    }
    if (!json_is_string(v)) {
        fail(err, errlen, "field \"%s\" must be a string", key);
        return NULL;
    }
    return json_string_value(v);
}

static int get_account(const json_t *j, const char *key, uint8_t out[32], char *err, size_t errlen)
{
    const char *s = get_string(j, key, err, errlen);
    if (!s)
        return -1;
    smn_address_status st = smn_address_decode(s, out);
    if (st != SMN_ADDRESS_OK)
        return fail(err, errlen, "field \"%s\": %s", key, smn_address_strerror(st));
    return 0;
}

static int get_hex(const json_t *j, const char *key, uint8_t *out, size_t len, char *err,
                   size_t errlen)
{
    const char *s = get_string(j, key, err, errlen);
    if (!s)
        return -1;
    if (!smn_hex_decode(s, out, len))
        return fail(err, errlen, "field \"%s\" must be %zu hex characters", key, 2 * len);
    return 0;
}

int smn_block_from_json(const json_t *j, smn_block *b, char *err, size_t errlen)
{
    if (!json_is_object(j))
        return fail(err, errlen, "block must be a JSON object");
    smn_block tmp;
    memset(&tmp, 0, sizeof tmp);
    const char *type = get_string(j, "type", err, errlen);
    if (!type)
        return -1;
    if (strcmp(type, "state") != 0)
        return fail(err, errlen, "field \"type\" must be \"state\"");
    if (get_account(j, "account", tmp.account, err, errlen) < 0 ||
        get_hex(j, "previous", tmp.previous, 32, err, errlen) < 0 ||
        get_account(j, "representative", tmp.representative, err, errlen) < 0)
        return -1;
    const char *balance = get_string(j, "balance", err, errlen);
    if (!balance)
        return -1;
    smn_amount_status ast = smn_amount_parse_raw(balance, &tmp.balance);
    if (ast != SMN_AMOUNT_OK)
        return fail(err, errlen, "field \"balance\" (raw): %s", smn_amount_strerror(ast));
    if (get_hex(j, "link", tmp.link, 32, err, errlen) < 0)
        return -1;
    if (json_object_get(j, "link_as_account")) {
        uint8_t la[32];
        if (get_account(j, "link_as_account", la, err, errlen) < 0)
            return -1;
        if (memcmp(la, tmp.link, 32) != 0)
            return fail(err, errlen, "field \"link_as_account\" does not match \"link\"");
    }
    if (get_hex(j, "signature", tmp.signature, SMN_SIG_BYTES, err, errlen) < 0)
        return -1;
    const char *work = get_string(j, "work", err, errlen);
    if (!work)
        return -1;
    if (!smn_work_parse(work, &tmp.work))
        return fail(err, errlen, "field \"work\" must be 16 hex characters");
    *b = tmp;
    return 0;
}
