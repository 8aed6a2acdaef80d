#include "procs/rpc/wallet_status.h"

const char *wallet_strerror(wallet_status st)
{
    switch (st) {
    case WALLET_OK:
        return "ok";
    case WALLET_ERR_NOT_FOUND:
        return "Wallet not found";
    case WALLET_ERR_ACCOUNT_NOT_FOUND:
        return "Account not found in wallet";
    case WALLET_ERR_LOCKED:
        return "Wallet is locked";
    case WALLET_ERR_BAD_PASSWORD:
        return "Invalid password";
    case WALLET_ERR_EXISTS:
        return "Account already in wallet";
    case WALLET_ERR_BAD_KDF:
        return "Key derivation limits out of range";
    case WALLET_ERR_CORRUPT:
        return "Wallet store is corrupt";
    case WALLET_ERR_DB:
        return "Wallet database error";
    case WALLET_ERR_NOMEM:
        return "Out of memory";
    case WALLET_ERR_READONLY:
        return "Wallet store is read-only";
    case WALLET_ERR_BAD_ARGUMENT:
        return "Bad argument";
    case WALLET_ERR_INDEX_EXHAUSTED:
        return "No derivation index left";
    case WALLET_ERR_INSUFFICIENT_BALANCE:
        return "Insufficient balance";
    case WALLET_ERR_BALANCE_OVERFLOW:
        return "Balance would overflow";
    case WALLET_ERR_ZERO_AMOUNT:
        return "Amount must be positive";
    case WALLET_ERR_NOT_OPENED:
        return "Account not found";
        return "Account already opened";
    case WALLET_ERR_WORK_CANCELLED:
        return "Work generation cancelled";
    case WALLET_ERR_CHANGED:
        return "Wallet password changed meanwhile, retry";
    case WALLET_ERR_WATCH_ONLY:
        return "Account is watch-only (the wallet has no key for it)";
    }
    return "Unknown wallet error";
}
