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
 * itself has a wallet block of that account in flight (and the RPC's
 * wallet actions wait for ours: rpc_auto_receive_account_busy), so the two
 * never build on the same frontier. The receive's work comes from the
 * context's work pool (client "auto-receive"), off the event loop.
 *
 * Failures: a receive that loses a race (fork, gap_previous) is rebuilt on
 * the fresh frontier up to RPC_AUTO_RECEIVE_ATTEMPTS times. A transient
 * failure (ledger unavailable or timed out, its storage failing, its queue
 * or the work pool busy, the ledger DB unreadable here) keeps the job
 * queued and retries it with a backoff from RPC_AUTO_RECEIVE_BACKOFF_MIN_MS
 * doubling to RPC_AUTO_RECEIVE_BACKOFF_MAX_MS, without limit. Anything else
 * (already received, unreceivable, bad signature...) is permanent: the job
 * is dropped. */
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
#define RPC_AUTO_RECEIVE_BACKOFF_MIN_MS 100u
#define RPC_AUTO_RECEIVE_BACKOFF_MAX_MS 30000u

/* NULL on OOM. Uses ctx's work pool (set it first; it must outlive this),
 * wallet store and ledger (rpc_ctx_wallets,
 * rpc_ctx_ledger) and its in-flight accounts, so only wallets unlocked there
 * are received for. ctx and link must outlive the returned object; free the
 * link first (its pending requests then finish here). */
rpc_auto_receive *rpc_auto_receive_new(struct event_base *base, const smn_network *net,
                                       rpc_ledger_link *link, rpc_ctx *ctx);
void rpc_auto_receive_free(rpc_auto_receive *a);

/* A block_accepted notification: sends are looked at, the rest ignored. */
void rpc_auto_receive_notify(rpc_auto_receive *a, const ledger_client_accepted *n);
/* Queue every receivable of every usable wallet account (after subscribing). */
void rpc_auto_receive_recover(rpc_auto_receive *a);

/* Blocks received so far, and transient failures retried (for logs and tests). */
uint64_t rpc_auto_receive_count(const rpc_auto_receive *a);
uint64_t rpc_auto_receive_retries(const rpc_auto_receive *a);
/* An rpc_account_busy_fn (user: the auto-receive): a receive of this
 * account is being built or is with the ledger. */
bool rpc_auto_receive_account_busy(void *user, const uint8_t account[32]);

#endif
