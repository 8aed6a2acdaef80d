#include "ipc/schema_control.h"

#include "ipc/metrics.h"
#include "ipc/msg.h"
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
/* One metric of ipc/metrics.h's wire form; ipc_metrics_get() checks names,
 * labels and bounds beyond these lengths. */
static const ipc_field metric_uint_elem = IPC_UINT(NULL, true);
static const ipc_field metric_fields[] = {
    IPC_STR("name", true, 1, IPC_METRIC_NAME_MAX),
    IPC_UINT_RANGE("type", true, 0, 2),
    IPC_STR("help", true, 0, IPC_METRIC_HELP_MAX),
    IPC_STR("label_key", false, 1, IPC_METRIC_LABEL_MAX),
    IPC_STR("label_value", false, 1, IPC_METRIC_LABEL_MAX),
    IPC_INT("value", false),
    IPC_UINT_RANGE("scale", false, 0, 9),
    IPC_ARRAY("bounds", false, 1, IPC_METRIC_BUCKETS_MAX, &metric_uint_elem),
    IPC_ARRAY("buckets", false, 2, IPC_METRIC_BUCKETS_MAX + 1, &metric_uint_elem),
    IPC_UINT("sum", false),
    IPC_UINT("count", false),
};
static const ipc_field metric_elem = IPC_MAP(NULL, true, metric_fields);
static const ipc_field heartbeat_ack_fields[] = {
    IPC_UINT("seq", true),
    IPC_ARRAY("metrics", false, 0, IPC_METRICS_MAX, &metric_elem),
};
static const ipc_field metrics_r_fields[] = {
    IPC_STR("text", true, 0, IPC_METRICS_TEXT_MAX),
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
    [IPC_CONTROL_K_HELLO] = IPC_KIND("hello", hello_fields),
    [IPC_CONTROL_K_READY] = IPC_KIND("ready", ready_fields),
    [IPC_CONTROL_K_HEARTBEAT] = IPC_KIND("heartbeat", heartbeat_fields),
    [IPC_CONTROL_K_HEARTBEAT_ACK] = IPC_KIND("heartbeat_ack", heartbeat_ack_fields),
    [IPC_CONTROL_K_METRICS] = IPC_KIND_EMPTY("metrics"),
    [IPC_CONTROL_K_STOP_NODE] = IPC_KIND_EMPTY("stop_node"),
    [IPC_CONTROL_K_METRICS_R] = IPC_KIND("metrics_r", metrics_r_fields),
    [IPC_CONTROL_K_STATUS] = IPC_KIND_EMPTY("status"),
    [IPC_CONTROL_K_STATUS_R] = IPC_KIND("status_r", status_r_fields),
    [IPC_CONTROL_K_SHUTDOWN] = IPC_KIND("shutdown", shutdown_fields),
};
_Static_assert(IPC_COUNT(kinds) == IPC_CONTROL_K_COUNT, "one table row per ipc_control_kind");

const ipc_family ipc_family_control = IPC_FAMILY("control", kinds, &ipc_family_common);

ipc_control_kind ipc_control_kind_of(const ipc_msg *m)
{
    return (ipc_control_kind)ipc_kind_index(&ipc_family_control, m);
}

const char *ipc_control_kind_name(ipc_control_kind k)
{
    return (unsigned)k < IPC_CONTROL_K_COUNT ? kinds[k].name : "unknown";
}
