/* Process metrics: registry, wire form and Prometheus text; see metrics.h. */
#include "ipc/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#define TEXT_LIMIT IPC_METRICS_TEXT_MAX /* a rendering never grows beyond this */

static bool name_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bool label_value_ok(const char *s, size_t n)
{
    if (n == 0 || n > IPC_METRIC_LABEL_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == ':' || c == '-'))
            return false;
    }
    return true;
}

static bool help_ok(const char *s, size_t n)
{
    if (n > IPC_METRIC_HELP_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == '\\' || (unsigned char)s[i] > 0x7e)
            return false; /* one printable line: nothing to escape */
    return true;
}

/* "key=value" into m's label fields; NULL or "" is no label. */
static bool set_label(ipc_metric *m, const char *label)
{
    m->label_key[0] = m->label_value[0] = '\0';
    if (!label || !label[0])
        return true;
    const char *eq = strchr(label, '=');
    if (!eq || (size_t)(eq - label) > IPC_METRIC_LABEL_MAX)
        return false;
    char key[IPC_METRIC_LABEL_MAX + 1];
    memcpy(key, label, (size_t)(eq - label));
    key[eq - label] = '\0';
    if (!name_ok(key, IPC_METRIC_LABEL_MAX) || !label_value_ok(eq + 1, strlen(eq + 1)))
        return false;
    memcpy(m->label_key, key, sizeof key);
    snprintf(m->label_value, sizeof m->label_value, "%s", eq + 1);
    return true;
}

static ipc_metric *add(ipc_metrics *r, const char *name, const char *label, const char *help,
                       ipc_metric_type type)
{
    if (!r || !name_ok(name, IPC_METRIC_NAME_MAX) || !help || !help_ok(help, strlen(help)))
        return NULL;
    ipc_metric probe;
    if (!set_label(&probe, label))
        return NULL;
    for (size_t i = 0; i < r->n; i++) {
        ipc_metric *m = &r->m[i];
        if (strcmp(m->name, name) == 0 && strcmp(m->label_key, probe.label_key) == 0 &&
            strcmp(m->label_value, probe.label_value) == 0)
            return m->type == type ? m : NULL;
    }
    if (r->n >= IPC_METRICS_MAX)
        return NULL;
    ipc_metric *m = &r->m[r->n++];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    snprintf(m->help, sizeof m->help, "%s", help);
    memcpy(m->label_key, probe.label_key, sizeof m->label_key);
    memcpy(m->label_value, probe.label_value, sizeof m->label_value);
    m->type = type;
    return m;
}

ipc_metric *ipc_metric_counter(ipc_metrics *r, const char *name, const char *label,
                               const char *help)
{
    return add(r, name, label, help, IPC_METRIC_COUNTER);
}

ipc_metric *ipc_metric_gauge(ipc_metrics *r, const char *name, const char *label, const char *help)
{
    ipc_metric *m = add(r, name, label, help, IPC_METRIC_GAUGE);
    return m && m->scale == 0 ? m : NULL;
}

ipc_metric *ipc_metric_gauge_scaled(ipc_metrics *r, const char *name, const char *label,
                                    const char *help, uint8_t scale)
{
    if (scale > 9)
        return NULL;
    size_t before = r ? r->n : 0;
    ipc_metric *m = add(r, name, label, help, IPC_METRIC_GAUGE);
    if (!m)
        return NULL;
    if (r->n > before) /* registered just now */
        m->scale = scale;
    return m->scale == scale ? m : NULL;
}

static bool bounds_ok(const uint64_t *bounds, size_t n, unsigned scale)
{
    if (n == 0 || n > IPC_METRIC_BUCKETS_MAX || scale > 9)
        return false;
    for (size_t i = 1; i < n; i++)
        if (bounds[i] <= bounds[i - 1])
            return false;
    return true;
}

ipc_metric *ipc_metric_histogram(ipc_metrics *r, const char *name, const char *help, uint8_t scale,
                                 const uint64_t *bounds, size_t nbounds)
{
    if (!bounds || !bounds_ok(bounds, nbounds, scale))
        return NULL;
    ipc_metric *m = add(r, name, NULL, help, IPC_METRIC_HISTOGRAM);
    if (m && m->nbounds == 0) {
        m->scale = scale;
        m->nbounds = (uint8_t)nbounds;
        memcpy(m->bounds, bounds, nbounds * sizeof bounds[0]);
    }
    return m;
}

void ipc_metric_add(ipc_metric *m, uint64_t n)
{
    if (m)
        m->value += (int64_t)n;
}

void ipc_metric_set(ipc_metric *m, int64_t v)
{
    if (m)
        m->value = v;
}

void ipc_metric_observe(ipc_metric *m, uint64_t v)
{
    if (!m || m->type != IPC_METRIC_HISTOGRAM)
        return;
    size_t i = 0;
    while (i < m->nbounds && v > m->bounds[i])
        i++;
    m->buckets[i]++;
    m->sum += v;
    m->count++;
}

/* ------------------------------------------------------------ wire form */

void ipc_metrics_put(ipc_builder *b, const char *field, const ipc_metrics *r)
{
    ipc_put_array_begin(b, field);
    for (size_t i = 0; i < r->n; i++) {
        const ipc_metric *m = &r->m[i];
        ipc_put_map_begin(b, NULL);
        ipc_put_str(b, "name", m->name);
        ipc_put_uint(b, "type", (uint64_t)m->type);
        ipc_put_str(b, "help", m->help);
        if (m->label_key[0]) {
            ipc_put_str(b, "label_key", m->label_key);
            ipc_put_str(b, "label_value", m->label_value);
        }
        if (m->type == IPC_METRIC_HISTOGRAM) {
            ipc_put_uint(b, "scale", m->scale);
            ipc_put_array_begin(b, "bounds");
            for (size_t j = 0; j < m->nbounds; j++)
                ipc_put_uint(b, NULL, m->bounds[j]);
            ipc_put_array_end(b);
            ipc_put_array_begin(b, "buckets");
            for (size_t j = 0; j <= m->nbounds; j++)
                ipc_put_uint(b, NULL, m->buckets[j]);
            ipc_put_array_end(b);
            ipc_put_uint(b, "sum", m->sum);
            ipc_put_uint(b, "count", m->count);
        } else {
            if (m->scale)
                ipc_put_uint(b, "scale", m->scale);
            ipc_put_int(b, "value", m->value);
        }
        ipc_put_map_end(b);
    }
    ipc_put_array_end(b);
}

static bool get_strbuf(const ipc_obj *o, const char *k, char *buf, size_t cap, bool required)
{
    const char *p;
    size_t n;
    if (!ipc_get_str(o, k, &p, &n)) {
        buf[0] = '\0';
        return !required;
    }
    if (n >= cap)
        return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return strlen(buf) == n; /* no NUL inside */
}

static bool get_uints(const ipc_obj *o, const char *k, uint64_t *out, size_t max, size_t *n)
{
    const ipc_obj *a = ipc_get_array(o, k);
    if (!a)
        return false;
    size_t len = ipc_array_len(a);
    if (len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        const ipc_obj *e = ipc_array_at(a, i);
        if (!e || e->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            return false;
        out[i] = e->via.u64;
    }
    *n = len;
    return true;
}

static bool get_one(const ipc_obj *o, ipc_metric *m)
{
    memset(m, 0, sizeof *m);
    uint64_t type;
    if (!o || o->type != MSGPACK_OBJECT_MAP ||
        !get_strbuf(o, "name", m->name, sizeof m->name, true) ||
        !name_ok(m->name, IPC_METRIC_NAME_MAX) ||
        !get_strbuf(o, "help", m->help, sizeof m->help, true) ||
        !help_ok(m->help, strlen(m->help)) || !ipc_get_uint(o, "type", &type) ||
        type > IPC_METRIC_HISTOGRAM ||
        !get_strbuf(o, "label_key", m->label_key, sizeof m->label_key, false) ||
        !get_strbuf(o, "label_value", m->label_value, sizeof m->label_value, false))
        return false;
    m->type = (ipc_metric_type)type;
    if (m->label_key[0] || m->label_value[0]) {
        if (!name_ok(m->label_key, IPC_METRIC_LABEL_MAX) ||
            !label_value_ok(m->label_value, strlen(m->label_value)))
            return false;
    }
    uint64_t scale;
    if (m->type != IPC_METRIC_HISTOGRAM) {
        if (ipc_get_uint(o, "scale", &scale)) {
            if (m->type != IPC_METRIC_GAUGE || scale > 9)
                return false;
            m->scale = (uint8_t)scale;
        }
        return ipc_get_int(o, "value", &m->value);
    }
    size_t nb = 0, nk = 0;
    if (!ipc_get_uint(o, "scale", &scale) || scale > 9 ||
        !get_uints(o, "bounds", m->bounds, IPC_METRIC_BUCKETS_MAX, &nb) ||
        !bounds_ok(m->bounds, nb, (unsigned)scale) ||
        !get_uints(o, "buckets", m->buckets, IPC_METRIC_BUCKETS_MAX + 1, &nk) || nk != nb + 1 ||
        !ipc_get_uint(o, "sum", &m->sum) || !ipc_get_uint(o, "count", &m->count))
        return false;
    m->scale = (uint8_t)scale;
    m->nbounds = (uint8_t)nb;
    return true;
}

size_t ipc_metrics_get(const ipc_obj *array, ipc_metrics *out)
{
    out->n = 0;
    size_t len = array ? ipc_array_len(array) : 0;
    for (size_t i = 0; i < len && out->n < IPC_METRICS_MAX; i++)
        if (get_one(ipc_array_at(array, i), &out->m[out->n]))
            out->n++;
    return out->n;
}

/* ------------------------------------------------------------ text */

void ipc_text_printf(ipc_text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        size_t room = t->cap - t->len;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if (t->p && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t want = t->len + (size_t)n + 1;
        if (want > TEXT_LIMIT) {
            t->failed = true;
            return;
        }
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < want)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            t->failed = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
}

void ipc_text_free(ipc_text *t)
{
    free(t->p);
    memset(t, 0, sizeof *t);
}

/* v / 10^scale as a decimal, exactly (no floating point). */
static void put_scaled(ipc_text *t, uint64_t v, unsigned scale)
{
    uint64_t div = 1;
    for (unsigned i = 0; i < scale; i++)
        div *= 10;
    if (scale == 0) {
        ipc_text_printf(t, "%llu", (unsigned long long)v);
        return;
    }
    ipc_text_printf(t, "%llu.%0*llu", (unsigned long long)(v / div), (int)scale,
                    (unsigned long long)(v % div));
}

static const char *type_name(ipc_metric_type t)
{
    return t == IPC_METRIC_COUNTER ? "counter" : t == IPC_METRIC_GAUGE ? "gauge" : "histogram";
}

static int by_name(const void *a, const void *b)
{
    const ipc_metric *x = *(const ipc_metric *const *)a, *y = *(const ipc_metric *const *)b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    c = strcmp(x->label_key, y->label_key);
    return c ? c : strcmp(x->label_value, y->label_value);
}

void ipc_metrics_render(ipc_text *t, const char *process, const ipc_metrics *r)
{
    /* Prometheus wants every series of one name together: sort by name. */
    const ipc_metric *order[IPC_METRICS_MAX];
    size_t n = r->n < IPC_METRICS_MAX ? r->n : IPC_METRICS_MAX;
    for (size_t i = 0; i < n; i++)
        order[i] = &r->m[i];
    qsort(order, n, sizeof order[0], by_name);
    const char *last = "";
    for (size_t i = 0; i < n; i++) {
        const ipc_metric *m = order[i];
        if (strcmp(m->name, last) != 0) {
            ipc_text_printf(t, "# HELP smallnano_%s_%s %s\n# TYPE smallnano_%s_%s %s\n", process,
                            m->name, m->help, process, m->name, type_name(m->type));
            last = m->name;
        }
        if (m->type != IPC_METRIC_HISTOGRAM) {
            if (m->label_key[0])
                ipc_text_printf(t, "smallnano_%s_%s{%s=\"%s\"} ", process, m->name, m->label_key,
                                m->label_value);
            else
                ipc_text_printf(t, "smallnano_%s_%s ", process, m->name);
            if (m->scale) {
                uint64_t mag = m->value < 0 ? (uint64_t)0 - (uint64_t)m->value : (uint64_t)m->value;
                ipc_text_printf(t, "%s", m->value < 0 ? "-" : "");
                put_scaled(t, mag, m->scale);
                ipc_text_printf(t, "\n");
            } else {
                ipc_text_printf(t, "%lld\n", (long long)m->value);
            }
            continue;
        }
        uint64_t cum = 0;
        for (size_t j = 0; j < m->nbounds; j++) {
            cum += m->buckets[j];
            ipc_text_printf(t, "smallnano_%s_%s_bucket{le=\"", process, m->name);
            put_scaled(t, m->bounds[j], m->scale);
            ipc_text_printf(t, "\"} %llu\n", (unsigned long long)cum);
        }
        ipc_text_printf(t, "smallnano_%s_%s_bucket{le=\"+Inf\"} %llu\n", process, m->name,
                        (unsigned long long)m->count);
        ipc_text_printf(t, "smallnano_%s_%s_sum ", process, m->name);
        put_scaled(t, m->sum, m->scale);
        ipc_text_printf(t, "\nsmallnano_%s_%s_count %llu\n", process, m->name,
                        (unsigned long long)m->count);
    }
}
