/* Process metrics for Prometheus. Each child keeps a small registry of
 * counters, gauges and histograms (ipc_child_metrics()); its heartbeat
 * answer carries them to the supervisor (field "metrics" of heartbeat_ack,
 * ipc/schema_control.h), which renders every child's set plus its own per
 * process figures as Prometheus text for GET /metrics on the rpc port
 * (docs/operations.md "Metrics").
 *
 * Everything is integers: a histogram's bounds and sum are in a unit the
 * registration names by a power of ten (scale 6: microseconds, rendered
 * as seconds), so no floating point is needed to count or to render.
 *
 * Limits, so that a registry's wire form always fits a heartbeat answer:
 * IPC_METRICS_MAX metrics per process, names of [a-z0-9_] up to
 * IPC_METRIC_NAME_MAX bytes, help up to IPC_METRIC_HELP_MAX, one optional
 * label pair, IPC_METRIC_BUCKETS_MAX buckets. Registering beyond them
 * returns NULL; updating a NULL metric does nothing, so a process never
 * fails for want of a metric. */
#ifndef IPC_METRICS_H
#define IPC_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/builder.h"
#include "ipc/msg.h"

#define IPC_METRICS_MAX 48u
#define IPC_METRIC_NAME_MAX 63u
#define IPC_METRIC_HELP_MAX 120u
#define IPC_METRIC_LABEL_MAX 63u
#define IPC_METRIC_BUCKETS_MAX 16u
#define IPC_METRICS_TEXT_MAX (512u * 1024u) /* a whole node's rendering, at most */

typedef enum {
    IPC_METRIC_COUNTER = 0,
    IPC_METRIC_GAUGE = 1,
    IPC_METRIC_HISTOGRAM = 2
} ipc_metric_type;

typedef struct ipc_metric {
    char name[IPC_METRIC_NAME_MAX + 1];
    char help[IPC_METRIC_HELP_MAX + 1];
    /* one label: label_key="label_value"; both empty: none */
    char label_key[IPC_METRIC_LABEL_MAX + 1];
    char label_value[IPC_METRIC_LABEL_MAX + 1];
    ipc_metric_type type;
    int64_t value; /* counter (never decreases) or gauge */
    /* histogram: upper bounds (ascending, in 10^-scale units), counts per
     * bucket (not cumulative), sum and count of observations */
    uint8_t scale;
    uint8_t nbounds;
    uint64_t bounds[IPC_METRIC_BUCKETS_MAX];
    uint64_t buckets[IPC_METRIC_BUCKETS_MAX + 1]; /* the last: above every bound */
    uint64_t sum, count;
} ipc_metric;

typedef struct ipc_metrics {
    ipc_metric m[IPC_METRICS_MAX];
    size_t n;
} ipc_metrics;

/* Registration. name: [a-z][a-z0-9_]*; the rendered name is
 * smallnano_<process>_<name>. label (may be NULL) is "key=value" with key
 * [a-z_]+ and value of [A-Za-z0-9_.:-]. Registering an existing name+label
 * returns the same metric. NULL: a bad name or label, or the registry full. */
ipc_metric *ipc_metric_counter(ipc_metrics *r, const char *name, const char *label,
                               const char *help);
ipc_metric *ipc_metric_gauge(ipc_metrics *r, const char *name, const char *label, const char *help);
/* A gauge whose value is set in units of 10^-scale (scale <= 9) and rendered
 * as a decimal, so durations can be reported in seconds, the base unit
 * Prometheus requires, from integer microseconds. NULL as for a gauge, or
 * when scale > 9 or the name exists with another scale. */
ipc_metric *ipc_metric_gauge_scaled(ipc_metrics *r, const char *name, const char *label,
                                    const char *help, uint8_t scale);
/* bounds: nbounds ascending upper bounds in units of 10^-scale (scale <= 9). */
ipc_metric *ipc_metric_histogram(ipc_metrics *r, const char *name, const char *help, uint8_t scale,
                                 const uint64_t *bounds, size_t nbounds);

/* Updates; all accept NULL. */
void ipc_metric_add(ipc_metric *m, uint64_t n);
void ipc_metric_set(ipc_metric *m, int64_t v);
void ipc_metric_observe(ipc_metric *m, uint64_t v);

/* The registry as the heartbeat answer's "metrics" array (appended to b). */
void ipc_metrics_put(ipc_builder *b, const char *field, const ipc_metrics *r);
/* Decodes such an array (already checked against the schema) into out,
 * checking every name, label and bound again; entries that fail are
 * skipped. Returns the number kept. */
size_t ipc_metrics_get(const ipc_obj *array, ipc_metrics *out);

/* A growing text buffer for rendering. */
typedef struct {
    char *p;
    size_t len, cap;
    bool failed; /* out of memory or above the limit: the text is incomplete */
} ipc_text;
void ipc_text_printf(ipc_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ipc_text_free(ipc_text *t);

/* Appends r in the Prometheus text format (version 0.0.4), every name
 * prefixed smallnano_<process>_, HELP and TYPE once per name. */
void ipc_metrics_render(ipc_text *t, const char *process, const ipc_metrics *r);

#endif
