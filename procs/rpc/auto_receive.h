/* Auto-receive ([rpc] auto_receive; on by default only for dev): every send
 * the ledger accepts whose destination is an account of an unlocked wallet
 * is received by a block built, signed and submitted here (origin "wallet").
 *
 * Which wallets: those this process can unlock with the empty password
 * (the dev demo wallet, wallets made by wallet_create); each locked wallet
 * is tried once. The state is durable in the DBs only: after every
 * (re)subscription rpc_auto_receive_recover() queues whatever is receivable
 * for those wallets' accounts, so sends missed while rpc or the ledger was
 * down are received too.
 *
 * One receive per account is in flight at a time, and none while the RPC
 * itself has a wallet block of that account in flight, so the two never
 * build on the same frontier. A receive that loses a race anyway (fork,
 * gap, busy, ledger down) is retried with a fresh frontier a few times. */
#ifndef RPC_AUTO_RECEIVE_H
#define RPC_AUTO_RECEIVE_H

#include "common/network.h"
#include "ipc/msg.h"
#include "procs/rpc/ledger_link.h"
#include "procs/rpc/rpc.h"

struct event_base;
typedef struct rpc_auto_receive rpc_auto_receive;

/* Jobs queued at once; more are dropped (and found again by the next
 * recovery). */
#define RPC_AUTO_RECEIVE_MAX_JOBS 4096u
#define RPC_AUTO_RECEIVE_ATTEMPTS 8u

/* NULL on OOM. Uses ctx's wallet store and ledger (rpc_ctx_wallets,
 * rpc_ctx_ledger) and its in-flight accounts, so only wallets unlocked there
 * are received for. ctx and link must outlive the returned object; free the
 * link first (its pending requests then finish here). */
rpc_auto_receive *rpc_auto_receive_new(struct event_base *base, const smn_network *net,
                                       rpc_ledger_link *link, rpc_ctx *ctx);
void rpc_auto_receive_free(rpc_auto_receive *a);

/* A ledger notification: block_accepted sends are looked at, the rest ignored. */
void rpc_auto_receive_notify(rpc_auto_receive *a, const ipc_msg *m);
/* Queue every receivable of every usable wallet account (after subscribing). */
void rpc_auto_receive_recover(rpc_auto_receive *a);

/* Blocks received so far (for logs and tests). */
uint64_t rpc_auto_receive_count(const rpc_auto_receive *a);

#endif
