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
    IPC_KIND("subscribe", subscribe_fields),   IPC_KIND("subscribed", subscribed_fields),
    IPC_KIND("event", event_fields),           IPC_KIND("caught_up", caught_up_fields),
    IPC_KIND("disconnect", disconnect_fields),
};

const ipc_family ipc_family_vmevents = IPC_FAMILY("vmevents", kinds, &ipc_family_common);

_Static_assert(sizeof kinds / sizeof kinds[0] == IPC_VMEV_K_COUNT, "ipc_vmev_kind matches kinds[]");

ipc_vmev_kind ipc_vmev_kind_of(const ipc_msg *m)
{
    if (!m || !m->kind)
        return IPC_VMEV_K_OTHER;
    for (size_t i = 0; i < IPC_VMEV_K_COUNT; i++)
        if (m->kind == &kinds[i])
            return (ipc_vmev_kind)i;
    return IPC_VMEV_K_OTHER;
}

const char *ipc_vmev_kind_name(ipc_vmev_kind k)
{
    return (unsigned)k < IPC_VMEV_K_COUNT ? kinds[k].name : "?";
}
