/* Shared by the RPC tests that need a real ledger: a temp data dir with a
 * ledger DB written through the ledger library, an RPC context reading it,
 * and `process` wired to the ledger processor (no IPC in unit tests). */
#ifndef TESTS_RPC_TEST_RPC_FIXTURE_H
#define TESTS_RPC_TEST_RPC_FIXTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/keys.h"
#include "common/network.h"
#include "procs/ledger/processor.h"
#include "procs/ledger/store.h"
#include "procs/rpc/rpc.h"
#include "procs/rpc/wallet_blocks.h"

typedef struct {
    char dir[256];
    const smn_network *net;
    ledger_store *store;
    ledger_processor *proc;
    rpc_ctx *ctx;
    struct event_base *base; /* runs the work pool's answers */
    rpc_work_pool *pool;
    rpc_kdf_pool *kdf; /* Argon2id for the wallet actions */
    int submits;       /* blocks that reached the ledger through `process` */
    bool control;
} rpcf;

typedef struct {
    smn_keypair kp;
    wallet_account_state st;
} rpcf_acct;

void rpcf_setup(rpcf *f, bool control);
void rpcf_teardown(rpcf *f);
/* A new RPC context on the same data dir, as after a restart of the rpc
 * process (the wallet store is reopened, unlocked wallets lock again). */
void rpcf_restart_rpc(rpcf *f);
/* Runs the request (printf-style body), running the loop until it is
 * answered (work comes from the pool), and parses the answer. */
json_t *rpcf_call(rpcf *f, int *status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Asserts the answer is {"error": msg} with HTTP status 200. */
void rpcf_expect_error(rpcf *f, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *rpcf_str(const json_t *j, const char *key);

void rpcf_genesis(rpcf_acct *a);
void rpcf_acct_new(rpcf_acct *a, uint32_t index);
/* Build, process (asserting acceptance) and advance the model. */
void rpcf_send(rpcf *f, rpcf_acct *from, const uint8_t to[32], smn_amount_t amount,
               uint8_t hash[32]);
void rpcf_receive(rpcf *f, rpcf_acct *to, const uint8_t send_hash[32], smn_amount_t amount,
                  uint8_t hash[32]);
void rpcf_change(rpcf *f, rpcf_acct *a, const uint8_t rep[32], uint8_t hash[32]);
void rpcf_confirm(rpcf *f, const uint8_t hash[32]);
void rpcf_hex(const uint8_t *b, char out[65]);
void rpcf_addr(const uint8_t pub[32], char out[65]);

#endif
