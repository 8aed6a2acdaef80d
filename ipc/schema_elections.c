#include "ipc/schema_elections.h"

#include "ipc/schema_common.h"

#define AMOUNT(n) IPC_BIN(n, true, IPC_ELECTIONS_AMOUNT_BYTES, IPC_ELECTIONS_AMOUNT_BYTES)

static const ipc_field online_fields[] = {
    IPC_BIN("rep", true, 32, 32),
    AMOUNT("weight"),
};
static const ipc_field online_elem = IPC_MAP(NULL, true, online_fields);
static const ipc_field status_r_fields[] = {
    IPC_UINT("reps", true),
    IPC_UINT("online_reps", true),
    IPC_ARRAY("online", true, 0, IPC_ELECTIONS_MAX_ONLINE, &online_elem),
    AMOUNT("online_weight"),
    AMOUNT("trended_weight"),
    AMOUNT("online_minimum"),
    AMOUNT("quorum_delta"),
    IPC_UINT_RANGE("quorum_percent", true, 0, 100),
    IPC_UINT("active", true),
    IPC_UINT("max_active", true),
    IPC_UINT("backlog", true),
    IPC_UINT("confirmed", true),
};
static const ipc_kind kinds[] = {
    IPC_KIND_EMPTY("status"),
    IPC_KIND("status_r", status_r_fields),
};

const ipc_family ipc_family_elections = IPC_FAMILY("elections", kinds, &ipc_family_common);
