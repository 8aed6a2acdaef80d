/* The dev demo wallet: on the dev network, a data directory whose wallet
 * store holds no wallet gets one wallet with the empty password that holds
 * the published dev genesis private key (common/network.h) as an ad-hoc
 * key, so a new node has the genesis funds at hand. Its representative (for
 * the accounts it opens) is the genesis account, so the voting weight stays
 * with the key the node votes with. Being the first wallet created, it is
 * listed first. */
#ifndef RPC_DEMO_WALLET_H
#define RPC_DEMO_WALLET_H

#include <stdbool.h>

#include "common/network.h"
#include "procs/rpc/wallet_status.h"

/* Creates the demo wallet in DIR/wallets.db if net is dev and the store has
 * no wallet; *created says whether it did. Any other network: WALLET_OK and
 * nothing happens. On failure nothing is left behind. */
wallet_status rpc_demo_wallet_ensure(const char *dir, const smn_network *net, bool *created);

#endif
