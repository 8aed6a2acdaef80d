/* Wallet benchmarks (an executable, never a test): unlock with the default
 * Argon2id limits, account derivation, and building signed blocks with dev
 * work. Usage: bench_wallet [blocks]   (default 200) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "procs/rpc/wallet_blocks.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n <= 0 || smn_crypto_init() != 0)
        return 1;
    char dir[] = "/tmp/smn-bench-wallet-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    wallet_store *ws;
    if (wallet_store_open(dir, false, &ws) != WALLET_OK)
        return 1;
    wallet_create_opts o = {"", wallet_kdf_interactive(), NULL, NULL};
    uint8_t id[32], pub[32];
    double t0 = now_s();
    if (wallet_create(ws, &o, id) != WALLET_OK)
        return 1;
    double t1 = now_s();
    wallet_lock(ws, id);
    double t2 = now_s();
    if (wallet_unlock(ws, id, "") != WALLET_OK)
        return 1;
    double t3 = now_s();
    printf("wallet_create (Argon2id interactive): %.0f ms; wallet_unlock: %.0f ms\n",
           (t1 - t0) * 1e3, (t3 - t2) * 1e3);
    t0 = now_s();
    for (int i = 0; i < n; i++)
        if (wallet_account_create(ws, id, pub) != WALLET_OK)
            return 1;
    t1 = now_s();
    printf("wallet_account_create: %d accounts, %.0f us/account\n", n, (t1 - t0) * 1e6 / n);

    wallet_account_state st;
    memset(&st, 0, sizeof st);
    memset(st.frontier, 0xF1, 32);
    st.balance = smn_amount_shl(smn_amount_from_u64(1), 100);
    memcpy(st.representative, pub, 32);
    wallet_work_opts w = {smn_network_get(SMN_NET_DEV), 1, NULL};
    smn_block b;
    t0 = now_s();
    for (int i = 0; i < n; i++) {
        if (wallet_sign_send(ws, id, pub, &st, pub, smn_amount_from_u64(1), &w, &b) != WALLET_OK)
            return 1;
        smn_block_hash(&b, st.frontier);
        st.balance = b.balance;
    }
    t1 = now_s();
    printf("wallet_sign_send (dev work, 1 thread): %d blocks, %.0f us/block\n", n,
           (t1 - t0) * 1e6 / n);
    wallet_store_close(ws);
    char p[128];
    const char *names[] = {"wallets.db", "wallets.db-wal", "wallets.db-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    return 0;
}
