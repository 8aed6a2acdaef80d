#include "ipc/schema_feed.h"

#include <assert.h>
#include <string.h>

#include "ipc/schema_common.h"

static const ipc_field started_fields[] = {
    IPC_BIN("hash", true, 32, 32),
    IPC_UINT("time", true),
};
static const ipc_field stopped_fields[] = {
    IPC_BIN("hash", true, 32, 32),    IPC_UINT("time", true),
    IPC_STR("reason", true, 1, 16),   IPC_UINT("duration", false),
    IPC_BIN("tally", false, 16, 16),  IPC_BIN("final_tally", false, 16, 16),
    IPC_UINT("blocks", false),        IPC_UINT("voters", false),
    IPC_UINT("request_count", false),
};
static const ipc_field telemetry_fields[] = {
    IPC_BIN("node_id", true, 32, 32),
    IPC_BIN("signature", true, 64, 64),
    IPC_UINT("block_count", true),
    IPC_UINT("cemented_count", true),
    IPC_UINT("account_count", true),
    IPC_UINT("peer_count", true),
    IPC_UINT_RANGE("protocol_version", true, 0, 255),
    IPC_UINT("uptime", true),
    IPC_BIN("genesis", true, 32, 32),
    IPC_UINT("timestamp", true),
    IPC_STR("endpoint", true, 1, IPC_FEED_ENDPOINT_MAX),
};
static const ipc_field bootstrap_fields[] = {
    IPC_STR("reason", true, 1, 16), IPC_STR("attempt", true, 1, IPC_FEED_ID_MAX),
    IPC_STR("mode", true, 1, 16),   IPC_UINT("total_blocks", false),
    IPC_UINT("duration", false),
};
static const ipc_field work_fields[] = {
    IPC_BOOL("success", true),
    IPC_STR("reason", true, 1, 16),
    IPC_UINT("duration", true),
    IPC_BIN("root", true, 32, 32),
    IPC_UINT("difficulty", true),
    IPC_UINT("work", false),
    IPC_UINT("result_difficulty", false),
};
static const ipc_kind kinds[] = {
    [IPC_FEED_K_SUBSCRIBE] = IPC_KIND_EMPTY("feed_subscribe"),
    [IPC_FEED_K_ELECTION_STARTED] = IPC_KIND("election_started", started_fields),
    [IPC_FEED_K_ELECTION_STOPPED] = IPC_KIND("election_stopped", stopped_fields),
    [IPC_FEED_K_TELEMETRY] = IPC_KIND("telemetry", telemetry_fields),
    [IPC_FEED_K_BOOTSTRAP] = IPC_KIND("bootstrap_event", bootstrap_fields),
    [IPC_FEED_K_WORK] = IPC_KIND("work_event", work_fields),
};
_Static_assert(IPC_COUNT(kinds) == IPC_FEED_K_COUNT, "one table row per ipc_feed_kind");

const ipc_family ipc_family_feed = IPC_FAMILY("feed", kinds, &ipc_family_common);

const char *ipc_feed_kind_name(ipc_feed_kind k)
{
    return (unsigned)k < IPC_FEED_K_COUNT ? kinds[k].name : "unknown";
}

ipc_feed_kind ipc_feed_kind_of(const ipc_msg *m)
{
    return (ipc_feed_kind)ipc_kind_index(&ipc_family_feed, m);
}

static bool parse_in(const char *const *names, size_t n, const char *s, size_t len, int *out)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) {
            *out = (int)i;
            return true;
        }
    }
    return false;
}

static const char *const stop_names[] = {
    [IPC_FEED_STOP_CONFIRMED] = "confirmed",
    [IPC_FEED_STOP_CEMENTED] = "cemented",
    [IPC_FEED_STOP_EXPIRED] = "expired",
    [IPC_FEED_STOP_DROPPED] = "dropped",
};
static_assert(sizeof stop_names / sizeof stop_names[0] == IPC_FEED_STOP_COUNT, "stop names");

const char *ipc_feed_stop_reason_name(ipc_feed_stop_reason r)
{
    return (unsigned)r < IPC_FEED_STOP_COUNT ? stop_names[r] : "unknown";
}

bool ipc_feed_stop_reason_parse(const char *s, size_t len, ipc_feed_stop_reason *out)
{
    int v;
    if (!parse_in(stop_names, IPC_FEED_STOP_COUNT, s, len, &v))
        return false;
    *out = (ipc_feed_stop_reason)v;
    return true;
}

static const char *const boot_names[] = {
    [IPC_FEED_BOOT_STARTED] = "started",
    [IPC_FEED_BOOT_EXITED] = "exited",
};
static_assert(sizeof boot_names / sizeof boot_names[0] == IPC_FEED_BOOT_COUNT, "boot names");

const char *ipc_feed_boot_reason_name(ipc_feed_boot_reason r)
{
    return (unsigned)r < IPC_FEED_BOOT_COUNT ? boot_names[r] : "unknown";
}

bool ipc_feed_boot_reason_parse(const char *s, size_t len, ipc_feed_boot_reason *out)
{
    int v;
    if (!parse_in(boot_names, IPC_FEED_BOOT_COUNT, s, len, &v))
        return false;
    *out = (ipc_feed_boot_reason)v;
    return true;
}

static const char *const work_names[] = {
    [IPC_FEED_WORK_SUCCESS] = "success",
    [IPC_FEED_WORK_CANCELLED] = "cancelled",
    [IPC_FEED_WORK_FAILURE] = "failure",
};
static_assert(sizeof work_names / sizeof work_names[0] == IPC_FEED_WORK_COUNT, "work names");

const char *ipc_feed_work_reason_name(ipc_feed_work_reason r)
{
    return (unsigned)r < IPC_FEED_WORK_COUNT ? work_names[r] : "unknown";
}

bool ipc_feed_work_reason_parse(const char *s, size_t len, ipc_feed_work_reason *out)
{
    int v;
    if (!parse_in(work_names, IPC_FEED_WORK_COUNT, s, len, &v))
        return false;
    *out = (ipc_feed_work_reason)v;
    return true;
}
