#include "ipc/schema_elections.h"

#include <string.h>

#include "ipc/msg.h"
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
static const ipc_field elect_fields[] = {
    IPC_BIN("block", true, IPC_ELECTIONS_BLOCK_BYTES, IPC_ELECTIONS_BLOCK_BYTES),
};
static const ipc_field elect_r_fields[] = {
    IPC_STR("status", true, 1, 16),
};
static const ipc_kind kinds[] = {
    [IPC_ELECTIONS_K_STATUS] = IPC_KIND_EMPTY("status"),
    [IPC_ELECTIONS_K_STATUS_R] = IPC_KIND("status_r", status_r_fields),
    [IPC_ELECTIONS_K_ELECT] = IPC_KIND("elect", elect_fields),
    [IPC_ELECTIONS_K_ELECT_R] = IPC_KIND("elect_r", elect_r_fields),
};
_Static_assert(IPC_COUNT(kinds) == IPC_ELECTIONS_K_COUNT, "one table row per ipc_elections_kind");

static const char *const elect_names[] = {
    [IPC_ELECT_STARTED] = "started", [IPC_ELECT_FORK] = "fork",
    [IPC_ELECT_ACTIVE] = "active",   [IPC_ELECT_CONFIRMED] = "confirmed",
    [IPC_ELECT_QUEUED] = "queued",   [IPC_ELECT_FORKS_FULL] = "forks_full",
};

const char *ipc_elect_status_name(ipc_elect_status s)
{
    return (size_t)s < sizeof elect_names / sizeof elect_names[0] ? elect_names[s] : "?";
}

bool ipc_elect_status_parse(const char *s, size_t len, ipc_elect_status *out)
{
    for (size_t i = 0; i < sizeof elect_names / sizeof elect_names[0]; i++) {
        if (strlen(elect_names[i]) == len && memcmp(elect_names[i], s, len) == 0) {
            *out = (ipc_elect_status)i;
            return true;
        }
    }
    return false;
}

const ipc_family ipc_family_elections = IPC_FAMILY("elections", kinds, &ipc_family_common);

ipc_elections_kind ipc_elections_kind_of(const ipc_msg *m)
{
    return (ipc_elections_kind)ipc_kind_index(&ipc_family_elections, m);
}

const char *ipc_elections_kind_name(ipc_elections_kind k)
{
    return (unsigned)k < IPC_ELECTIONS_K_COUNT ? kinds[k].name : "unknown";
}
