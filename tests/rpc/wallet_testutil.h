/* Temporary data directories for the wallet tests. */
#ifndef TESTS_RPC_WALLET_TESTUTIL_H
#define TESTS_RPC_WALLET_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* mkdtemp under TMPDIR (or /tmp); returns a malloc'd path or NULL. */
static inline char *wt_tempdir(void)
{
    const char *base = getenv("TMPDIR");
    char buf[512];
    snprintf(buf, sizeof buf, "%s/smn-wallet-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf))
        return NULL;
    return strdup(buf);
}

/* Remove the files the wallet store may create, then the directory. */
static inline void wt_rmdir(char *dir)
{
    static const char *names[] = {"wallets.db", "wallets.db-wal", "wallets.db-shm",
                                  "wallets.db-journal"};
    char p[600];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    free(dir);
}

#endif
