#include "ipc/schema_bootstrap.h"

#include <string.h>

#include "ipc/msg.h"
#include "ipc/schema_common.h"

static const char *const phase_names[] = {
    [IPC_BOOTSTRAP_IDLE] = "idle",
    [IPC_BOOTSTRAP_FRONTIERS] = "frontiers",
    [IPC_BOOTSTRAP_PULL] = "pull",
    [IPC_BOOTSTRAP_SUBMIT] = "submit",
};

const char *ipc_bootstrap_phase_name(ipc_bootstrap_phase p)
{
    return (size_t)p < sizeof phase_names / sizeof phase_names[0] ? phase_names[p] : "?";
}

bool ipc_bootstrap_phase_parse(const char *s, size_t len, ipc_bootstrap_phase *out)
{
    for (size_t i = 0; i < sizeof phase_names / sizeof phase_names[0]; i++) {
        if (strlen(phase_names[i]) == len && memcmp(phase_names[i], s, len) == 0) {
            *out = (ipc_bootstrap_phase)i;
            return true;
        }
    }
    return false;
}

static const ipc_field status_r_fields[] = {
    IPC_STR("phase", true, 1, IPC_BOOTSTRAP_PHASE_MAX),
    IPC_UINT("rounds", true),
    IPC_UINT("pulled", true),
    IPC_UINT("accepted", true),
    IPC_UINT("chains", true),
    IPC_BIN("cursor", true, 32, 32),
    IPC_UINT("missing", true),
    IPC_UINT("waiting", true),
};
static const ipc_field started_fields[] = {
    IPC_BOOL("started", true),
};
static const ipc_kind kinds[] = {
    [IPC_BOOTSTRAP_K_STATUS] = IPC_KIND_EMPTY("status"),
    [IPC_BOOTSTRAP_K_START] = IPC_KIND_EMPTY("start"),
    [IPC_BOOTSTRAP_K_STARTED] = IPC_KIND("started", started_fields),
    [IPC_BOOTSTRAP_K_STATUS_R] = IPC_KIND("status_r", status_r_fields),
};
_Static_assert(IPC_COUNT(kinds) == IPC_BOOTSTRAP_K_COUNT, "one table row per ipc_bootstrap_kind");

const ipc_family ipc_family_bootstrap = IPC_FAMILY("bootstrap", kinds, &ipc_family_common);

ipc_bootstrap_kind ipc_bootstrap_kind_of(const ipc_msg *m)
{
    return (ipc_bootstrap_kind)ipc_kind_index(&ipc_family_bootstrap, m);
}

const char *ipc_bootstrap_kind_name(ipc_bootstrap_kind k)
{
    return (unsigned)k < IPC_BOOTSTRAP_K_COUNT ? kinds[k].name : "unknown";
}
