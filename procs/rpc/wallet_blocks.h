/* Block builders: from an account's ledger state (passed in: the wallet
 * never reads the ledger) build a state block, sign it and attach work that
 * meets the network's threshold (send/change: work_send; receive/open:
 * work_receive). On any error *out is left untouched.
 *
 *   send:    balance = st.balance - amount, link = destination key
 *   receive: balance = st.balance + amount, link = source (send) block hash;
 *            an account with no blocks (zero frontier) gets an open block
 *            (previous zero, balance = amount, representative = open_rep)
 *   change:  balance unchanged, link zero, new representative
 * The representative of send/receive stays st.representative. */
#ifndef WALLET_BLOCKS_H
#define WALLET_BLOCKS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/block.h"
#include "common/keys.h"
#include "common/network.h"
#include "procs/rpc/wallet_status.h"
#include "procs/rpc/wallet_store.h"

typedef struct {
    uint8_t frontier[32]; /* head block hash; all zero when the account has no blocks */
    smn_amount_t balance;
    uint8_t representative[32];
} wallet_account_state;

typedef struct {
    const smn_network *net; /* thresholds */
    unsigned threads;       /* work threads; 0 = one per core */
    atomic_bool *cancel;    /* may be NULL; set to abandon work generation */
    bool no_work;           /* leave work 0: the caller attaches it (the rpc work pool) */
} wallet_work_opts;

wallet_status wallet_build_send(const smn_keypair *kp, const wallet_account_state *st,
                                const uint8_t destination[32], smn_amount_t amount,
                                const wallet_work_opts *w, smn_block *out);
wallet_status wallet_build_receive(const smn_keypair *kp, const wallet_account_state *st,
                                   const uint8_t source_hash[32], smn_amount_t amount,
                                   const uint8_t open_rep[32], const wallet_work_opts *w,
                                   smn_block *out);
wallet_status wallet_build_change(const smn_keypair *kp, const wallet_account_state *st,
                                  const uint8_t representative[32], const wallet_work_opts *w,
                                  smn_block *out);

/* The same from a wallet account: the key is fetched (wallet unlocked),
 * used and wiped. Receive opens with the wallet's representative, or the
 * account itself when the wallet has none set. */
wallet_status wallet_sign_send(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                               const uint8_t account[32], const wallet_account_state *st,
                               const uint8_t destination[32], smn_amount_t amount,
                               const wallet_work_opts *w, smn_block *out);
wallet_status wallet_sign_receive(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                  const uint8_t account[32], const wallet_account_state *st,
                                  const uint8_t source_hash[32], smn_amount_t amount,
                                  const wallet_work_opts *w, smn_block *out);
wallet_status wallet_sign_change(wallet_store *ws, const uint8_t id[WALLET_ID_BYTES],
                                 const uint8_t account[32], const wallet_account_state *st,
                                 const uint8_t representative[32], const wallet_work_opts *w,
                                 smn_block *out);

#endif
