/* The ledger family, served by smallnano-ledger on DATA_DIR/run/ledger.sock.
 * Hashes and accounts are bin(32), blocks bin(216) (the canonical wire form
 * of common/block.h), amounts bin(16) big-endian.
 *
 * Requests (any child: rpc, net, bootstrap, elections, vm):
 *   process    {block, origin}  -> process_result {hash, result}
 *              origin is one of "rpc", "net", "bootstrap", "wallet"; result
 *              is a ledger_result_str() name ("accepted", "old", "fork",
 *              "gap_previous", "busy", ...). Sent after the block's batch
 *              committed (or, for gap_*, after it was stored as unchecked).
 *   confirm    {hash, block?}   -> confirm_result {cemented, rolled_back?}
 *              cements hash and its dependencies; 0 if already cemented;
 *              "error" reply for an unknown block. `block` (the winner's
 *              wire form) lets the ledger settle a fork: when hash is not
 *              stored but another block on its root is, that block and
 *              everything built on it are rolled back (rolled_back counts
 *              them), the winner is applied and cemented. A cemented block
 *              is never rolled back ("error").
 *   subscribe  {topics?}        -> subscribed {}
 *              from then on that connection receives the notifications
 *              whose kinds `topics` names ("block_accepted", "fork",
 *              "block_cemented", "rolled_back"); without topics, all of
 *              them. An unknown topic is an "error" reply.
 *
 * Notifications (no id) to subscribers:
 *   block_accepted  {hash, block, height, subtype, amount, origin}
 *   fork            {hash, block, root}
 *   block_cemented  {hash, account, height, subtype, amount, prev_balance,
 *                    balance, link, source_account, seq}
 *                   in cementing order; seq is the persisted, global,
 *                   monotonic cementing sequence number.
 *   rolled_back     {hash, account, height}
 *                   a block removed by a fork's resolution, newest first.
 * subtype is one of "send", "receive", "open", "change"; origin is the
 * request's, or "unchecked" for a block released from the unchecked table
 * when its dependency landed.
 * Plus the common family (ping/pong/ok/error). */
#ifndef IPC_SCHEMA_LEDGER_H
#define IPC_SCHEMA_LEDGER_H

#include "ipc/schema.h"
#include "ipc/schema_common.h"

#define IPC_LEDGER_HASH_BYTES 32u
#define IPC_LEDGER_BLOCK_BYTES 216u
#define IPC_LEDGER_AMOUNT_BYTES 16u
#define IPC_LEDGER_NAME_MAX 24u /* result, subtype and origin names */

extern const ipc_family ipc_family_ledger;

#endif
