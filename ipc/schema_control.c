#include "ipc/schema_control.h"

#include "ipc/schema_common.h"

static const ipc_field hello_fields[] = {
    IPC_STR("name", true, 1, IPC_NAME_MAX),
    IPC_UINT("pid", true),
    IPC_STR("version", false, 0, 64),
};
static const ipc_field ready_fields[] = {
    IPC_STR("name", true, 1, IPC_NAME_MAX),
};
static const ipc_field heartbeat_fields[] = {
    IPC_UINT("seq", true),
};
static const ipc_field status_r_fields[] = {
    IPC_STR("name", true, 1, IPC_NAME_MAX),
    IPC_UINT("pid", true),
    IPC_UINT("uptime_ms", true),
    IPC_STR("detail", false, 0, IPC_DETAIL_MAX),
};
static const ipc_field shutdown_fields[] = {
    IPC_STR("reason", false, 0, IPC_DETAIL_MAX),
};
static const ipc_kind kinds[] = {
    IPC_KIND("hello", hello_fields),
    IPC_KIND("ready", ready_fields),
    IPC_KIND("heartbeat", heartbeat_fields),
    IPC_KIND("heartbeat_ack", heartbeat_fields),
    IPC_KIND_EMPTY("status"),
    IPC_KIND("status_r", status_r_fields),
    IPC_KIND("shutdown", shutdown_fields),
};

const ipc_family ipc_family_control = IPC_FAMILY("control", kinds, &ipc_family_common);
