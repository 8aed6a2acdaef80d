#include "procs/rpc/demo_wallet.h"

#include <stdlib.h>
#include <string.h>

#include "procs/rpc/wallet_store.h"

wallet_status rpc_demo_wallet_ensure(const char *dir, const smn_network *net, bool *created)
{
    *created = false;
    if (net->id != SMN_NET_DEV)
        return WALLET_OK;
    wallet_store *ws = NULL;
    wallet_status st = wallet_store_open(dir, false, &ws);
    if (st != WALLET_OK)
        return st;
    uint8_t(*ids)[WALLET_ID_BYTES] = NULL;
    size_t n = 0;
    st = wallet_list(ws, &ids, &n);
    free(ids);
    if (st != WALLET_OK || n > 0) {
        wallet_store_close(ws);
        return st;
    }
    wallet_create_opts o = {
        .password = "",
        .kdf = wallet_kdf_interactive(),
        .representative = net->genesis.account,
    };
    uint8_t id[WALLET_ID_BYTES], pub[32];
    st = wallet_create(ws, &o, id);
    if (st == WALLET_OK) {
        st = wallet_adhoc_insert(ws, id, smn_network_dev_genesis_key(), pub);
        if (st == WALLET_OK && memcmp(pub, net->genesis.account, 32) != 0)
            st = WALLET_ERR_CORRUPT; /* the published key must open the genesis account */
        if (st != WALLET_OK)
            wallet_destroy(ws, id);
        else
            *created = true;
    }
    wallet_store_close(ws);
    return st;
}
