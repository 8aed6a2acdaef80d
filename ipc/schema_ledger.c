#include "ipc/schema_ledger.h"

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
static const ipc_field topic_elem = IPC_STR(NULL, true, 1, IPC_LEDGER_NAME_MAX);
static const ipc_field subscribe_fields[] = {
    IPC_ARRAY("topics", false, 1, 8, &topic_elem),
};
static const ipc_kind kinds[] = {
    IPC_KIND("process", process_fields),
    IPC_KIND("process_result", process_result_fields),
    IPC_KIND("confirm", confirm_fields),
    IPC_KIND("confirm_result", confirm_result_fields),
    IPC_KIND("subscribe", subscribe_fields),
    IPC_KIND_EMPTY("subscribed"),
    IPC_KIND("block_accepted", block_accepted_fields),
    IPC_KIND("fork", fork_fields),
    IPC_KIND("block_cemented", block_cemented_fields),
    IPC_KIND("rolled_back", rolled_back_fields),
};

const ipc_family ipc_family_ledger = IPC_FAMILY("ledger", kinds, &ipc_family_common);
