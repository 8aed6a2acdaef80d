#include "ipc/schema_vmevents.h"

#include "ipc/msg.h"

#define ID(n, req) IPC_BIN(n, req, IPC_VMEV_ID_BYTES, IPC_VMEV_ID_BYTES)

static const ipc_field subscribe_fields[] = {
    IPC_UINT_RANGE("from", false, 0, INT64_MAX),
    ID("program", false),
    IPC_UINT_RANGE("session", false, 0, UINT32_MAX),
    IPC_STR("type", false, 1, IPC_VMEV_KIND_MAX),
    ID("account", false),
    IPC_UINT_RANGE("buffer", false, IPC_VMEV_BUFFER_MIN, IPC_VMEV_BUFFER_MAX),
};
static const ipc_field subscribed_fields[] = {
    IPC_UINT("head", true),
};
static const ipc_field event_fields[] = {
    IPC_UINT("cursor", true),
    ID("block_hash", true),
    IPC_UINT("height", true),
    ID("account", true),
    IPC_UINT("index", true),
    ID("program", true),
    IPC_UINT_RANGE("session", true, 0, UINT32_MAX),
    IPC_STR("type", true, 1, IPC_VMEV_KIND_MAX),
    IPC_UINT("topic", true),
    IPC_BIN("data", true, 0, IPC_VMEV_DATA_MAX),
};
static const ipc_field caught_up_fields[] = {
    IPC_UINT("cursor", true),
};
static const ipc_field disconnect_fields[] = {
    IPC_STR("reason", true, 1, IPC_VMEV_REASON_MAX),
    IPC_UINT("cursor", true),
};
static const ipc_kind kinds[] = {
    [IPC_VMEV_K_SUBSCRIBE] = IPC_KIND("subscribe", subscribe_fields),
    [IPC_VMEV_K_SUBSCRIBED] = IPC_KIND("subscribed", subscribed_fields),
    [IPC_VMEV_K_EVENT] = IPC_KIND("event", event_fields),
    [IPC_VMEV_K_CAUGHT_UP] = IPC_KIND("caught_up", caught_up_fields),
    [IPC_VMEV_K_DISCONNECT] = IPC_KIND("disconnect", disconnect_fields),
};

const ipc_family ipc_family_vmevents = IPC_FAMILY("vmevents", kinds, &ipc_family_common);

_Static_assert(sizeof kinds / sizeof kinds[0] == IPC_VMEV_K_COUNT, "ipc_vmev_kind matches kinds[]");

ipc_vmev_kind ipc_vmev_kind_of(const ipc_msg *m)
{
    return (ipc_vmev_kind)ipc_kind_index(&ipc_family_vmevents, m);
}

const char *ipc_vmev_kind_name(ipc_vmev_kind k)
{
    return (unsigned)k < IPC_VMEV_K_COUNT ? kinds[k].name : "unknown";
}

static const char *const reason_names[] = {
    [IPC_VMEV_SLOW_CONSUMER] = "slow_consumer",
    [IPC_VMEV_SHUTDOWN] = "shutdown",
    [IPC_VMEV_PROTOCOL] = "protocol",
    [IPC_VMEV_TOO_MANY_CLIENTS] = "too_many_clients",
    [IPC_VMEV_SUBSCRIBE_TIMEOUT] = "subscribe_timeout",
    [IPC_VMEV_TIMEOUT] = "timeout",
    [IPC_VMEV_SERVER_ERROR] = "server_error",
};
_Static_assert(IPC_COUNT(reason_names) == IPC_VMEV_REASON_COUNT, "one name per ipc_vmev_reason");

const char *ipc_vmev_reason_name(ipc_vmev_reason r)
{
    return (unsigned)r < IPC_VMEV_REASON_COUNT ? reason_names[r] : "unknown";
}

bool ipc_vmev_reason_parse(const char *s, size_t len, ipc_vmev_reason *out)
{
    unsigned v;
    if (!ipc_names_find(reason_names, IPC_VMEV_REASON_COUNT, s, len, &v))
        return false;
    *out = (ipc_vmev_reason)v;
    return true;
}
