#include "ipc/schema_admin.h"

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
    IPC_KIND_EMPTY("node_status"),
    IPC_KIND("node_status_r", status_r_fields),
    IPC_KIND("node_restart", restart_fields),
    IPC_KIND_EMPTY("node_stop"),
};

const ipc_family ipc_family_admin = IPC_FAMILY("admin", kinds, &ipc_family_common);
