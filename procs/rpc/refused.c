/* The actions of Nano's RPC reference that smn does not offer, each with
 * the reason a client is told. docs/rpc.md's table gives the same reasons
 * (tests/rpc/test_rpc_refuses.c holds the two together). */
#include <stddef.h>
#include <string.h>

#include "procs/rpc/rpc.h"

typedef struct {
    const char *name;
    const char *reason;
} refused_action;

#define RPC_REASON_DEPRECATED_UNIT "deprecated in Nano; smn has one unit"
#define RPC_REASON_WORK_PEERS "work comes from the node's own work pool (no work peers)"

static const refused_action refused_table[] = {
    /* sorted by name: rpc_action_refused bisects */
    {"confirmation_height_currently_processing",
     "the ledger cements in one transaction per slice; nothing is 'currently processing' "
     "between requests"},
    {"database_txn_tracker", "SQLite; no LMDB transaction tracker"},
    {"epoch_upgrade", "smn has no epochs (account_version is always 0)"},
    {"history", "deprecated in Nano (account_history)"},
    {"krai_from_raw", RPC_REASON_DEPRECATED_UNIT},
    {"krai_to_raw", RPC_REASON_DEPRECATED_UNIT},
    {"mrai_from_raw", RPC_REASON_DEPRECATED_UNIT},
    {"mrai_to_raw", RPC_REASON_DEPRECATED_UNIT},
    {"node_id_delete", "the node key is net's (deleting it is an operator action on DATA_DIR)"},
    {"payment_begin", "deprecated in Nano"},
    {"payment_end", "deprecated in Nano"},
    {"payment_init", "deprecated in Nano"},
    {"payment_wait", "deprecated in Nano"},
    {"rai_from_raw", RPC_REASON_DEPRECATED_UNIT},
    {"rai_to_raw", RPC_REASON_DEPRECATED_UNIT},
    {"work_peer_add", RPC_REASON_WORK_PEERS},
    {"work_peers", RPC_REASON_WORK_PEERS},
    {"work_peers_clear", RPC_REASON_WORK_PEERS},
};

const char *rpc_action_refused(const char *name)
{
    size_t lo = 0, hi = sizeof refused_table / sizeof refused_table[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, refused_table[mid].name);
        if (c == 0)
            return refused_table[mid].reason;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
