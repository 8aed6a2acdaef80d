/* The ledger process around its service: reads the configuration, opens
 * DATA_DIR/ledger.db through ledger_service_open, shows the service's
 * summary as the child's status detail, and passes ledger.sock's messages
 * on. A data dir that cannot be opened for a reason a restart does not
 * cure exits with IPC_CHILD_EXIT_UNSAFE. See process.h; the work is
 * service.c. */
#include "procs/ledger/process.h"

#include <stdio.h>

#include "common/log.h"
#include "common/network.h"
#include "ipc/ledgerdb/schema.h"

static void on_detail(void *user, const char *detail)
{
    ledger_process *a = user;
    ipc_child_set_detail(a->ch, detail);
}

/* The ledger's metrics, brought up to date before each heartbeat answer. */
static void collect(ipc_metrics *r, void *ud)
{
    ledger_process *a = ud;
    if (!a->svc)
        return;
    ledger_service_stats st;
    ledger_service_get_stats(a->svc, &st);
    ipc_metric_set(ipc_metric_gauge(r, "blocks", NULL, "Blocks in the ledger."),
                   (int64_t)st.counts.blocks);
    ipc_metric_set(ipc_metric_gauge(r, "cemented_blocks", NULL, "Cemented (confirmed) blocks."),
                   (int64_t)st.counts.cemented);
    ipc_metric_set(ipc_metric_gauge(r, "unchecked_blocks", NULL,
                                    "Blocks waiting for a dependency (unchecked)."),
                   (int64_t)st.counts.unchecked);
    ipc_metric_set(ipc_metric_gauge(r, "pruned_blocks", NULL, "Blocks pruned away."),
                   (int64_t)st.counts.pruned);
    ipc_metric_set(ipc_metric_gauge(r, "queue_blocks", NULL, "Blocks waiting to be processed."),
                   (int64_t)st.queued);
    ipc_metric_set(ipc_metric_gauge(r, "subscribers", NULL, "Notification subscribers."),
                   (int64_t)st.subscribers);
    ipc_metric_set(ipc_metric_counter(r, "batches_total", NULL, "Processing batches."),
                   (int64_t)st.batches);
    ipc_metric_set(ipc_metric_counter(r, "processed_blocks_total", NULL,
                                      "Blocks taken through a processing batch."),
                   (int64_t)st.batched);
    ipc_metric_set(ipc_metric_counter(r, "forks_settled_total", NULL,
                                      "Forks settled by rolling back the loser."),
                   (int64_t)st.settled);
    ipc_metric_set(ipc_metric_counter(r, "transactions_total", NULL,
                                      "Processing transactions committed (groups of batches)."),
                   (int64_t)st.transactions);
    ipc_metric_set(
        ipc_metric_gauge_scaled(r, "step_max_seconds", NULL,
                                "The longest processing step (one batch, with its commit "
                                "if any) since start, seconds.",
                                6),
        (int64_t)st.step_us_max);
    ipc_metric_set(ipc_metric_gauge_scaled(r, "step_cpu_max_seconds", NULL,
                                           "The most CPU of the loop thread one processing step "
                                           "used since start, seconds.",
                                           6),
                   (int64_t)st.step_cpu_us_max);
}

void ledger_process_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    ledger_process *a = ud;
    ledger_service_on_message(c, m, a->svc);
}

void ledger_process_state(ipc_conn *c, bool up, void *ud)
{
    ledger_process *a = ud;
    ledger_service_on_state(c, up, a->svc);
}

int ledger_process_init(ipc_child *ch, void *ud)
{
    ledger_process *a = ud;
    a->ch = ch;
    const ipc_config *cfg = ipc_child_config(ch);
    const smn_network *net = smn_network_by_name(cfg->network);
    if (!net) {
        smn_error("unknown network '%s'", cfg->network);
        return -1;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/%s", cfg->data_dir, LEDGER_DB_FILENAME);
    ledger_service_config sc = {.prune_keep = cfg->max_blocks_per_account,
                                .cement_slice = cfg->ledger_cement_slice,
                                .group_max = cfg->ledger_group_max,
                                .cache_mib = (int)cfg->ledger_cache_mib,
                                .unchecked_max = cfg->ledger_max_unchecked,
                                .on_detail = on_detail,
                                .user = a};
    char err[320];
    ledger_status st =
        ledger_service_open(ipc_child_base(ch), path, net, &sc, &a->svc, err, sizeof err);
    if (st != LEDGER_STATUS_OK) {
        /* Not retryable by restarting (another network's or a newer data
         * dir): this exit status makes the supervisor stop the node. */
        smn_error("cannot open %s: %s", path, err);
        return IPC_CHILD_EXIT_UNSAFE;
    }
    ipc_child_on_collect(ch, collect, a);
    smn_info("ledger open: %s (network %s)", path, net->name);
    return 0;
}

void ledger_process_fini(ipc_child *ch, void *ud)
{
    (void)ch;
    ledger_process *a = ud;
    ledger_service_close(a->svc);
    a->svc = NULL;
}
