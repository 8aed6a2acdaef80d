#include "ipc/schema_ledger.h"

#include <string.h>

#include "ipc/schema_common.h"

#define HASH(n) IPC_BIN(n, true, IPC_LEDGER_HASH_BYTES, IPC_LEDGER_HASH_BYTES)
#define BLOCK(n) IPC_BIN(n, true, IPC_LEDGER_BLOCK_BYTES, IPC_LEDGER_BLOCK_BYTES)
#define AMOUNT(n) IPC_BIN(n, true, IPC_LEDGER_AMOUNT_BYTES, IPC_LEDGER_AMOUNT_BYTES)
#define NAME(n) IPC_STR(n, true, 1, IPC_LEDGER_NAME_MAX)

static const ipc_field process_fields[] = {
    BLOCK("block"),
    NAME("origin"),
};
static const ipc_field process_result_fields[] = {
    HASH("hash"),
    NAME("result"),
};
static const ipc_field confirm_fields[] = {
    HASH("hash"),
    IPC_BIN("block", false, IPC_LEDGER_BLOCK_BYTES, IPC_LEDGER_BLOCK_BYTES),
    IPC_BOOL("backlog", false),
};
static const ipc_field confirm_result_fields[] = {
    IPC_UINT("cemented", true),
    IPC_UINT("rolled_back", false),
};
static const ipc_field rolled_back_fields[] = {
    HASH("hash"),
    HASH("account"),
    IPC_UINT("height", true),
};
static const ipc_field block_accepted_fields[] = {
    HASH("hash"),    BLOCK("block"),   IPC_UINT("height", true),
    NAME("subtype"), AMOUNT("amount"), NAME("origin"),
};
static const ipc_field fork_fields[] = {
    HASH("hash"),
    BLOCK("block"),
    HASH("root"),
};
static const ipc_field block_cemented_fields[] = {
    HASH("hash"),           HASH("account"),        IPC_UINT("height", true), NAME("subtype"),
    AMOUNT("amount"),       AMOUNT("prev_balance"), AMOUNT("balance"),        HASH("link"),
    HASH("source_account"), IPC_UINT("seq", true),
};
static const ipc_field batch_block_elem = BLOCK(NULL);
static const ipc_field process_batch_fields[] = {
    IPC_ARRAY("blocks", true, 1, IPC_LEDGER_MAX_BATCH, &batch_block_elem),
    NAME("origin"),
};
static const ipc_field result_elem = IPC_STR(NULL, true, 1, IPC_LEDGER_NAME_MAX);
static const ipc_field process_batch_result_fields[] = {
    IPC_ARRAY("results", true, 1, IPC_LEDGER_MAX_BATCH, &result_elem),
};
static const ipc_field topic_elem = IPC_STR(NULL, true, 1, IPC_LEDGER_NAME_MAX);
static const ipc_field subscribe_fields[] = {
    IPC_ARRAY("topics", false, 1, 8, &topic_elem),
};
static const ipc_field unchecked_cleared_fields[] = {
    IPC_UINT("removed", true),
};
static const ipc_kind kinds[] = {
    [IPC_LEDGER_K_PROCESS] = IPC_KIND("process", process_fields),
    [IPC_LEDGER_K_PROCESS_RESULT] = IPC_KIND("process_result", process_result_fields),
    [IPC_LEDGER_K_CONFIRM] = IPC_KIND("confirm", confirm_fields),
    [IPC_LEDGER_K_CONFIRM_RESULT] = IPC_KIND("confirm_result", confirm_result_fields),
    [IPC_LEDGER_K_SUBSCRIBE] = IPC_KIND("subscribe", subscribe_fields),
    [IPC_LEDGER_K_SUBSCRIBED] = IPC_KIND_EMPTY("subscribed"),
    [IPC_LEDGER_K_BLOCK_ACCEPTED] = IPC_KIND("block_accepted", block_accepted_fields),
    [IPC_LEDGER_K_FORK] = IPC_KIND("fork", fork_fields),
    [IPC_LEDGER_K_BLOCK_CEMENTED] = IPC_KIND("block_cemented", block_cemented_fields),
    [IPC_LEDGER_K_ROLLED_BACK] = IPC_KIND("rolled_back", rolled_back_fields),
    [IPC_LEDGER_K_PROCESS_BATCH] = IPC_KIND("process_batch", process_batch_fields),
    [IPC_LEDGER_K_PROCESS_BATCH_RESULT] =
        IPC_KIND("process_batch_result", process_batch_result_fields),
    [IPC_LEDGER_K_UNCHECKED_CLEAR] = IPC_KIND_EMPTY("unchecked_clear"),
    [IPC_LEDGER_K_UNCHECKED_CLEARED] = IPC_KIND("unchecked_cleared", unchecked_cleared_fields),
};
_Static_assert(IPC_COUNT(kinds) == IPC_LEDGER_K_COUNT, "one table row per ipc_ledger_kind");

const ipc_family ipc_family_ledger = IPC_FAMILY("ledger", kinds, &ipc_family_common);

/* ---- the name <-> value tables (the one definition of every wire name) ---- */

static const char *const result_names[LEDGER_RESULT_COUNT] = {
    [LEDGER_ACCEPTED] = "accepted",
    [LEDGER_BAD_SIGNATURE] = "bad_signature",
    [LEDGER_INSUFFICIENT_WORK] = "insufficient_work",
    [LEDGER_OLD] = "old",
    [LEDGER_FORK] = "fork",
    [LEDGER_GAP_PREVIOUS] = "gap_previous",
    [LEDGER_GAP_SOURCE] = "gap_source",
    [LEDGER_ALREADY_RECEIVED] = "already_received",
    [LEDGER_WRONG_DESTINATION] = "wrong_destination",
    [LEDGER_BALANCE_MISMATCH] = "balance_mismatch",
    [LEDGER_BAD_CHANGE_LINK] = "bad_change_link",
    [LEDGER_BAD_OPEN] = "bad_open",
    [LEDGER_PREVIOUS_ACCOUNT] = "previous_account",
    [LEDGER_PRUNED] = "pruned",
    [LEDGER_BUSY] = "busy",
    [LEDGER_QUEUED] = "queued",
    [LEDGER_ERROR] = "error",
};

static const char *const subtype_names[LEDGER_SUBTYPE_COUNT] = {
    [LEDGER_SUBTYPE_SEND] = "send",
    [LEDGER_SUBTYPE_RECEIVE] = "receive",
    [LEDGER_SUBTYPE_OPEN] = "open",
    [LEDGER_SUBTYPE_CHANGE] = "change",
};

static const char *const origin_names[LEDGER_ORIGIN_COUNT] = {
    [LEDGER_ORIGIN_RPC] = "rpc",
    [LEDGER_ORIGIN_NET] = "net",
    [LEDGER_ORIGIN_BOOTSTRAP] = "bootstrap",
    [LEDGER_ORIGIN_WALLET] = "wallet",
    [LEDGER_ORIGIN_UNCHECKED] = "unchecked",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
    return v < n && names[v] ? names[v] : "unknown";
}

static bool parse(const char *const *names, size_t n, const char *s, size_t len, unsigned *out)
{
    if (!s)
        return false;
    for (size_t i = 0; i < n; i++)
        if (names[i] && strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
            *out = (unsigned)i;
            return true;
        }
    return false;
}

const char *ipc_ledger_kind_name(ipc_ledger_kind k)
{
    return (unsigned)k < IPC_LEDGER_K_COUNT ? kinds[k].name : "unknown";
}

const char *ipc_ledger_result_name(ledger_result r)
{
    return name_of(result_names, LEDGER_RESULT_COUNT, (unsigned)r);
}

const char *ipc_ledger_subtype_name(ledger_subtype t)
{
    return name_of(subtype_names, LEDGER_SUBTYPE_COUNT, (unsigned)t);
}

const char *ipc_ledger_origin_name(ledger_origin o)
{
    return name_of(origin_names, LEDGER_ORIGIN_COUNT, (unsigned)o);
}

bool ipc_ledger_kind_parse(const char *s, size_t len, ipc_ledger_kind *out)
{
    const char *names[IPC_LEDGER_K_COUNT];
    for (size_t i = 0; i < IPC_LEDGER_K_COUNT; i++)
        names[i] = kinds[i].name;
    unsigned v;
    if (!parse(names, IPC_LEDGER_K_COUNT, s, len, &v))
        return false;
    *out = (ipc_ledger_kind)v;
    return true;
}

bool ipc_ledger_result_parse(const char *s, size_t len, ledger_result *out)
{
    unsigned v;
    if (!parse(result_names, LEDGER_RESULT_COUNT, s, len, &v))
        return false;
    *out = (ledger_result)v;
    return true;
}

bool ipc_ledger_subtype_parse(const char *s, size_t len, ledger_subtype *out)
{
    unsigned v;
    if (!parse(subtype_names, LEDGER_SUBTYPE_COUNT, s, len, &v))
        return false;
    *out = (ledger_subtype)v;
    return true;
}

bool ipc_ledger_origin_parse(const char *s, size_t len, ledger_origin *out)
{
    unsigned v;
    if (!parse(origin_names, LEDGER_ORIGIN_COUNT, s, len, &v))
        return false;
    *out = (ledger_origin)v;
    return true;
}

ipc_ledger_kind ipc_ledger_kind_of(const ipc_msg *m)
{
    return (ipc_ledger_kind)ipc_kind_index(&ipc_family_ledger, m);
}
