#include "ipc/schema_common.h"

static const ipc_field ping_fields[] = {
    IPC_UINT("seq", true),
    IPC_BIN("echo", false, 0, IPC_ECHO_MAX),
};
static const ipc_field pong_fields[] = {
    IPC_UINT("seq", true),
    IPC_BIN("echo", false, 0, IPC_ECHO_MAX),
    IPC_STR("name", false, 1, IPC_NAME_MAX),
    IPC_UINT("pid", false),
};
static const ipc_field error_fields[] = {
    IPC_STR("message", true, 0, 1024),
    IPC_UINT("code", false),
};
static const ipc_kind kinds[] = {
    IPC_KIND("ping", ping_fields),
    IPC_KIND("pong", pong_fields),
    IPC_KIND_EMPTY("ok"),
    IPC_KIND("error", error_fields),
};

const ipc_family ipc_family_common = IPC_FAMILY("common", kinds, NULL);
