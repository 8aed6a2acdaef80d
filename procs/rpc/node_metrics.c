/* rpc's metrics and GET /metrics; see node_metrics.h. */
#include "procs/rpc/node_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVE_TIMEOUT_MS 2000u

void rpc_metrics_collect(ipc_metrics *r, const rpc_http *http, rpc_work_pool *work,
                         rpc_kdf_pool *kdf, const rpc_auto_receive *autorx, const rpc_ctx *ctx)
{
    static const uint64_t bounds[RPC_HTTP_LATENCY_NBOUNDS] = RPC_HTTP_LATENCY_BOUNDS;
    ipc_metric *lat = ipc_metric_histogram(
        r, "request_duration_seconds", "JSON RPC requests (POST) by time from arrival to answer.",
        6, bounds, RPC_HTTP_LATENCY_NBOUNDS);
    ipc_metric *answered = ipc_metric_counter(r, "http_responses_total", NULL,
                                              "HTTP answers: RPC, explorer and metrics.");
    ipc_metric *conns = ipc_metric_gauge(r, "http_connections", NULL, "HTTP connections open now.");
    ipc_metric *evicted = ipc_metric_counter(
        r, "http_connections_closed_total", NULL,
        "HTTP connections closed by the server at the connection cap or the request deadline.");
    if (http) {
        rpc_http_stats st;
        rpc_http_get_stats(http, &st);
        if (lat) {
            memcpy(lat->buckets, st.rpc_buckets, sizeof st.rpc_buckets);
            lat->sum = st.rpc_sum_us;
            lat->count = st.rpc_count;
        }
        ipc_metric_set(answered, (int64_t)st.answered);
        ipc_metric_set(conns, (int64_t)st.connections);
        ipc_metric_set(evicted, (int64_t)st.evicted);
    }
    ipc_metric *wq = ipc_metric_gauge(
        r, "work_jobs", NULL, "Proof-of-work jobs queued or running (work_queue_max bounds it).");
    ipc_metric *kq = ipc_metric_gauge(
        r, "kdf_jobs", NULL, "Argon2id derivations queued or running (kdf_queue_max bounds it).");
    ipc_metric_set(wq, work ? (int64_t)rpc_work_pool_jobs(work) : 0);
    ipc_metric_set(kq, kdf ? (int64_t)rpc_kdf_pool_jobs(kdf) : 0);
    ipc_metric *rx =
        ipc_metric_counter(r, "auto_receives_total", NULL, "Receive blocks made by auto-receive.");
    ipc_metric *rxr = ipc_metric_counter(r, "auto_receive_retries_total", NULL,
                                         "Auto-receive attempts retried after a failure.");
    ipc_metric_set(rx, autorx ? (int64_t)rpc_auto_receive_count(autorx) : 0);
    ipc_metric_set(rxr, autorx ? (int64_t)rpc_auto_receive_retries(autorx) : 0);
    ipc_metric *steps = ipc_metric_counter(
        r, "ledger_read_steps_total", NULL,
        "SQLite VM steps of rpc's ledger reads (rows scanned, returned or not).");
    ipc_metric_set(steps, ctx ? (int64_t)rpc_ctx_ledger_steps(ctx) : 0);
}

typedef struct {
    rpc_http_text_done done;
    void *req;
} serve_req;

static void on_text(void *ud, ipc_status st, const char *text, size_t len)
{
    serve_req *r = ud;
    if (st == IPC_OK) {
        r->done(r->req, 200, text, len);
    } else {
        char msg[160];
        int n = snprintf(msg, sizeof msg, "metrics unavailable: %s\n", ipc_strerror(st));
        r->done(r->req, 503, msg, n > 0 ? (size_t)n : 0);
    }
    free(r);
}

void rpc_metrics_serve(void *ud, rpc_http_text_done done, void *req)
{
    serve_req *r = malloc(sizeof *r);
    if (!r) {
        static const char oom[] = "out of memory\n";
        done(req, 500, oom, sizeof oom - 1);
        return;
    }
    *r = (serve_req){done, req};
    ipc_child_node_metrics(ud, SERVE_TIMEOUT_MS, on_text, r);
}
