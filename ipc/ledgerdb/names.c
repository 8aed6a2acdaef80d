/* Stable names for result, status and subtype codes (logs, RPC, tests);
 * the wire names are ipc/schema_ledger.c's tables. */
#include "ipc/ledgerdb/types.h"

/* Wire names: the table in ipc/schema_ledger.c. */
const char *ledger_result_str(ledger_result r)
{
    return ipc_ledger_result_name(r);
}

const char *ledger_strerror(ledger_status s)
{
    switch (s) {
    case LEDGER_STATUS_OK:
        return "ok";
    case LEDGER_STATUS_NOT_FOUND:
        return "not found";
    case LEDGER_STATUS_IO:
        return "database error";
    case LEDGER_STATUS_NOMEM:
        return "out of memory";
    case LEDGER_STATUS_WRONG_NETWORK:
        return "data dir belongs to another network";
    case LEDGER_STATUS_NEWER_SCHEMA:
        return "data dir written by a newer schema";
    case LEDGER_STATUS_WRONG_GENESIS:
        return "data dir has another genesis block";
    case LEDGER_STATUS_CORRUPT:
        return "corrupt row";
    case LEDGER_STATUS_INVALID:
        return "invalid argument";
    case LEDGER_STATUS_CEMENTED:
        return "a cemented block is in the way";
    case LEDGER_STATUS_TOO_LARGE:
        return "too many blocks to roll back";
    case LEDGER_STATUS_REJECTED:
        return "block rejected";
    }
    return "unknown";
}

const char *ledger_subtype_str(ledger_subtype t)
{
    return ipc_ledger_subtype_name(t);
}
