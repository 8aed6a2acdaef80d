#include "ipc/schema_admin.h"

#include "ipc/msg.h"
#include "ipc/schema_common.h"

/* pid is absent while no process runs (backoff, failing, stopped);
 * retry_in_ms (backoff, failing) is the time to the next start; last_exit
 * says how the last process ended. */
static const ipc_field proc_fields[] = {
    IPC_STR("name", true, 1, IPC_NAME_MAX),
    IPC_UINT("pid", false),
    IPC_STR("state", true, 1, 16),
    IPC_UINT("restarts", true),
    IPC_UINT("uptime_s", true),
    IPC_UINT("retry_in_ms", false),
    IPC_STR("last_exit", false, 1, 95),
};
static const ipc_field proc_elem = IPC_MAP(NULL, true, proc_fields);
static const ipc_field status_r_fields[] = {
    IPC_ARRAY("processes", true, 0, IPC_ADMIN_MAX_PROCS, &proc_elem),
};
static const ipc_field restart_fields[] = {
    IPC_STR("name", true, 1, IPC_NAME_MAX),
};
static const ipc_kind kinds[] = {
    [IPC_ADMIN_K_NODE_STATUS] = IPC_KIND_EMPTY("node_status"),
    [IPC_ADMIN_K_NODE_STATUS_R] = IPC_KIND("node_status_r", status_r_fields),
    [IPC_ADMIN_K_NODE_RESTART] = IPC_KIND("node_restart", restart_fields),
    [IPC_ADMIN_K_NODE_STOP] = IPC_KIND_EMPTY("node_stop"),
};
_Static_assert(IPC_COUNT(kinds) == IPC_ADMIN_K_COUNT, "one table row per ipc_admin_kind");

const ipc_family ipc_family_admin = IPC_FAMILY("admin", kinds, &ipc_family_common);

static const char *const state_names[] = {
    [IPC_ADMIN_STARTING] = "starting", [IPC_ADMIN_RUNNING] = "running",
    [IPC_ADMIN_BACKOFF] = "backoff",   [IPC_ADMIN_FAILING] = "failing",
    [IPC_ADMIN_STOPPING] = "stopping", [IPC_ADMIN_STOPPED] = "stopped",
};
_Static_assert(IPC_COUNT(state_names) == IPC_ADMIN_STATE_COUNT, "one name per ipc_admin_state");

ipc_admin_kind ipc_admin_kind_of(const ipc_msg *m)
{
    return (ipc_admin_kind)ipc_kind_index(&ipc_family_admin, m);
}

const char *ipc_admin_kind_name(ipc_admin_kind k)
{
    return (unsigned)k < IPC_ADMIN_K_COUNT ? kinds[k].name : "unknown";
}

const char *ipc_admin_state_name(ipc_admin_state st)
{
    return (unsigned)st < IPC_ADMIN_STATE_COUNT ? state_names[st] : "unknown";
}

bool ipc_admin_state_parse(const char *s, size_t len, ipc_admin_state *out)
{
    unsigned v;
    if (!ipc_names_find(state_names, IPC_ADMIN_STATE_COUNT, s, len, &v))
        return false;
    *out = (ipc_admin_state)v;
    return true;
}
