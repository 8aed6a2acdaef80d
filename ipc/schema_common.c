#include "ipc/schema_common.h"

#include "ipc/msg.h"

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
    [IPC_COMMON_K_PING] = IPC_KIND("ping", ping_fields),
    [IPC_COMMON_K_PONG] = IPC_KIND("pong", pong_fields),
    [IPC_COMMON_K_OK] = IPC_KIND_EMPTY("ok"),
    [IPC_COMMON_K_ERROR] = IPC_KIND("error", error_fields),
};
_Static_assert(IPC_COUNT(kinds) == IPC_COMMON_K_COUNT, "one table row per ipc_common_kind");

const ipc_family ipc_family_common = IPC_FAMILY("common", kinds, NULL);

ipc_common_kind ipc_common_kind_of(const ipc_msg *m)
{
    return (ipc_common_kind)ipc_kind_index(&ipc_family_common, m);
}

const char *ipc_common_kind_name(ipc_common_kind k)
{
    return (unsigned)k < IPC_COMMON_K_COUNT ? kinds[k].name : "unknown";
}
