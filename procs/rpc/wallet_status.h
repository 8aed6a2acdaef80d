/* Status values shared by the wallet library (wallet_store, wallet_blocks). */
#ifndef WALLET_STATUS_H
#define WALLET_STATUS_H

typedef enum {
    WALLET_OK = 0,
    WALLET_ERR_NOT_FOUND,         /* no such wallet (or no wallets.db when read-only) */
    WALLET_ERR_ACCOUNT_NOT_FOUND, /* the account is not in this wallet */
    WALLET_ERR_LOCKED,            /* the wallet must be unlocked first */
    WALLET_ERR_BAD_PASSWORD,
    WALLET_ERR_EXISTS,   /* the account is already in this wallet */
    WALLET_ERR_BAD_KDF,  /* key-derivation limits out of range */
    WALLET_ERR_CORRUPT,  /* a stored row has the wrong shape */
    WALLET_ERR_DB,       /* SQLite failed */
    WALLET_ERR_NOMEM,    /* allocation failed (Argon2 included) */
    WALLET_ERR_READONLY, /* store opened read-only */
    WALLET_ERR_BAD_ARGUMENT,
    WALLET_ERR_INDEX_EXHAUSTED,      /* all 2^32 derivation indexes used */
    WALLET_ERR_INSUFFICIENT_BALANCE, /* send above the account balance */
    WALLET_ERR_BALANCE_OVERFLOW,     /* receive would exceed 2^128-1 raw */
    WALLET_ERR_ZERO_AMOUNT,          /* send or receive of nothing */
    WALLET_ERR_NOT_OPENED,           /* send/change from an account with no blocks */
    WALLET_ERR_WORK_CANCELLED,
    WALLET_ERR_CHANGED,    /* the password changed while a key was derived */
    WALLET_ERR_WATCH_ONLY, /* the wallet holds the account without its key */
} wallet_status;

/* A short human sentence for each status, e.g. for RPC {"error": ...}. */
const char *wallet_strerror(wallet_status st);

#endif
