/* Stable names for result, status and subtype codes (logs, RPC, tests). */
#include "procs/ledger/types.h"

const char *ledger_result_str(ledger_result r)
{
    switch (r) {
    case LEDGER_ACCEPTED:
        return "accepted";
    case LEDGER_BAD_SIGNATURE:
        return "bad_signature";
    case LEDGER_INSUFFICIENT_WORK:
        return "insufficient_work";
    case LEDGER_OLD:
        return "old";
    case LEDGER_FORK:
        return "fork";
    case LEDGER_GAP_PREVIOUS:
        return "gap_previous";
    case LEDGER_GAP_SOURCE:
        return "gap_source";
    case LEDGER_ALREADY_RECEIVED:
        return "already_received";
    case LEDGER_WRONG_DESTINATION:
        return "wrong_destination";
    case LEDGER_BALANCE_MISMATCH:
        return "balance_mismatch";
    case LEDGER_BAD_CHANGE_LINK:
        return "bad_change_link";
    case LEDGER_BAD_OPEN:
        return "bad_open";
    case LEDGER_PREVIOUS_ACCOUNT:
        return "previous_account";
    case LEDGER_PRUNED:
        return "pruned";
    case LEDGER_BUSY:
        return "busy";
    case LEDGER_QUEUED:
        return "queued";
    case LEDGER_ERROR:
        return "error";
    case LEDGER_RESULT_COUNT:
        break;
    }
    return "unknown";
}

const char *ledger_status_str(ledger_status s)
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
    switch (t) {
    case LEDGER_SUBTYPE_SEND:
        return "send";
    case LEDGER_SUBTYPE_RECEIVE:
        return "receive";
    case LEDGER_SUBTYPE_OPEN:
        return "open";
    case LEDGER_SUBTYPE_CHANGE:
        return "change";
    }
    return "unknown";
}
