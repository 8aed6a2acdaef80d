/* A real JSON RPC server for tests that drive it from outside (the CLI's
 * node commands): the RPC core and its evhttp layer on 127.0.0.1, a real
 * ledger DB in DIR created and written by the ledger library, `process`
 * and the wallet's blocks handed straight to the ledger processor (as
 * test_rpc_fixture.c does; no node process is wired yet), and the wallet
 * store in DIR/wallets.db.
 *
 * usage: rpc_serve --data-dir DIR [--port N] [--no-control] [--demo]
 *                  [--locked-wallet PASSWORD] [--auto-confirm] [--write-addr]
 *   --demo          create the dev demo wallet (genesis key, empty password)
 *                   when DIR has no wallet yet, with the rpc process's own
 *                   code (procs/rpc/demo_wallet.c)
 *   --locked-wallet then create a wallet with this password and one account;
 *                   prints "locked-wallet ID" (it starts locked: only
 *                   password-less wallets are unlocked when rpc opens them)
 *   --auto-confirm  cement every accepted block at once, standing in for a
 *                   one-host devnet's elections
 *   --write-addr    write DIR/run/rpc.addr ("127.0.0.1:PORT") once listening
 * Prints "listening 127.0.0.1:PORT" on stdout when ready; stops on SIGTERM
 * or SIGINT, and when its parent dies. Wallets it or the RPC creates use the
 * lightest Argon2 limits (the demo wallet excepted): test data only. */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hex.h"
#include "common/keys.h"
#include "common/network.h"
#include "procs/ledger/confirm.h"
#include "procs/ledger/processor.h"
#include "ipc/ledgerdb/schema.h"
#include "procs/ledger/store.h"
#include "procs/rpc/demo_wallet.h"
#include "procs/rpc/http_server.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/wallet_store.h"

typedef struct {
    ledger_store *store;
    ledger_processor *proc;
    bool auto_confirm;
} server;

static void submit_to_ledger(void *user, const smn_block *b, rpc_submission *s)
{
    server *sv = user;
    ledger_result r = LEDGER_ERROR;
    if (ledger_processor_process(sv->proc, b, 1, &r) != LEDGER_STATUS_OK)
        r = LEDGER_ERROR;
    if (r == LEDGER_ACCEPTED && sv->auto_confirm) {
        uint8_t h[32];
        smn_block_hash(b, h);
        if (ledger_confirm(sv->store, h, NULL, NULL, NULL) != LEDGER_STATUS_OK)
            fprintf(stderr, "warn rpc_serve: cementing failed: %s\n",
                    ledger_store_errmsg(sv->store));
    }
    rpc_submission_done(s, rpc_process_from_ledger(r));
}

static int make_locked_wallet(const char *dir, const char *password)
{
    wallet_store *ws;
    wallet_status st = wallet_store_open(dir, false, &ws);
    if (st != WALLET_OK) {
        fprintf(stderr, "error rpc_serve: wallet store: %s\n", wallet_strerror(st));
        return -1;
    }
    wallet_create_opts o = {.password = password, .kdf = wallet_kdf_light()};
    uint8_t id[WALLET_ID_BYTES], pub[32];
    st = wallet_create(ws, &o, id);
    if (st == WALLET_OK)
        st = wallet_account_create(ws, id, pub);
    wallet_store_close(ws);
    if (st != WALLET_OK) {
        fprintf(stderr, "error rpc_serve: locked wallet: %s\n", wallet_strerror(st));
        return -1;
    }
    char hex[2 * WALLET_ID_BYTES + 1];
    smn_hex_encode(id, WALLET_ID_BYTES, hex);
    printf("locked-wallet %s\n", hex);
    return 0;
}

static int write_addr(const char *dir, unsigned port)
{
    char run[4096], tmp[4200], path[4200];
    snprintf(run, sizeof run, "%s/run", dir);
    if (mkdir(run, 0700) != 0 && errno != EEXIST)
        return -1;
    snprintf(tmp, sizeof tmp, "%s/rpc.addr.tmp", run);
    snprintf(path, sizeof path, "%s/rpc.addr", run);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "127.0.0.1:%u\n", port);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(arg);
}

static int usage(void)
{
    fputs("usage: rpc_serve --data-dir DIR [--port N] [--no-control] [--demo] "
          "[--locked-wallet PASSWORD] [--auto-confirm] [--write-addr]\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *locked = NULL;
    long port = 0;
    bool control = true, demo = false, write = false;
    server sv = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            char *end;
            port = strtol(argv[++i], &end, 10);
            if (*end || port < 0 || port > 65535)
                return usage();
        } else if (strcmp(argv[i], "--no-control") == 0) {
            control = false;
        } else if (strcmp(argv[i], "--locked-wallet") == 0 && i + 1 < argc) {
            locked = argv[++i];
        } else if (strcmp(argv[i], "--demo") == 0) {
            demo = true;
        } else if (strcmp(argv[i], "--auto-confirm") == 0) {
            sv.auto_confirm = true;
        } else if (strcmp(argv[i], "--write-addr") == 0) {
            write = true;
        } else {
            return usage();
        }
    }
    if (!dir)
        return usage();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (smn_crypto_init() != 0)
        return 1;
    const smn_network *net = smn_network_get(SMN_NET_DEV);
    char path[4200], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, LEDGER_DB_FILENAME);
    if (ledger_store_open(path, net, NULL, &sv.store, err, sizeof err) != LEDGER_STATUS_OK) {
        fprintf(stderr, "error rpc_serve: ledger: %s\n", err);
        return 1;
    }
    int rc = 1;
    rpc_ctx *ctx = NULL;
    struct event_base *base = NULL;
    rpc_http *http = NULL;
    rpc_work_pool *pool = NULL;
    rpc_kdf_pool *kdf = NULL;
    struct event *sigterm = NULL, *sigint = NULL;
    ledger_processor_config pcfg = {.verify_threads = 1};
    if (ledger_processor_create(sv.store, &pcfg, &sv.proc) != LEDGER_STATUS_OK) {
        fprintf(stderr, "error rpc_serve: ledger processor: %s\n", ledger_store_errmsg(sv.store));
        goto out;
    }
    if (demo) {
        bool created;
        wallet_status ws = rpc_demo_wallet_ensure(dir, net, &created);
        if (ws != WALLET_OK) {
            fprintf(stderr, "error rpc_serve: demo wallet: %s\n", wallet_strerror(ws));
            goto out;
        }
    }
    if (locked && make_locked_wallet(dir, locked) != 0)
        goto out;
    rpc_config cfg = {
        .net = net, .data_dir = dir, .enable_control = control, .wallet_kdf = wallet_kdf_light()};
    ctx = rpc_ctx_new(&cfg);
    base = event_base_new();
    if (!ctx || !base)
        goto out;
    rpc_work_pool_opts wo = {.threads = 1};
    pool = rpc_work_pool_new(base, &wo);
    if (!pool)
        goto out;
    rpc_ctx_set_work_pool(ctx, pool);
    kdf = rpc_kdf_pool_new(base, NULL);
    if (!kdf)
        goto out;
    rpc_ctx_set_kdf_pool(ctx, kdf);
    rpc_ctx_set_submit(ctx, submit_to_ledger, &sv);
    http = rpc_http_new(base, ctx, "127.0.0.1", (uint16_t)port, -1);
    if (!http)
        goto out;
    sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    sigint = evsignal_new(base, SIGINT, on_signal, base);
    if (!sigterm || !sigint || event_add(sigterm, NULL) != 0 || event_add(sigint, NULL) != 0)
        goto out;
    unsigned p = rpc_http_port(http);
    if (write && write_addr(dir, p) != 0) {
        fprintf(stderr, "error rpc_serve: cannot write %s/run/rpc.addr: %s\n", dir,
                strerror(errno));
        goto out;
    }
    printf("listening 127.0.0.1:%u\n", p);
    fflush(stdout);
    event_base_dispatch(base);
    rc = 0;
out:
    if (sigterm)
        event_free(sigterm);
    if (sigint)
        event_free(sigint);
    rpc_http_free(http);
    rpc_ctx_free(ctx);
    rpc_work_pool_free(pool);
    rpc_kdf_pool_free(kdf);
    if (base)
        event_base_free(base);
    ledger_processor_destroy(sv.proc);
    ledger_store_close(sv.store);
    return rc;
}
