/* smallnano-ledger: block processing and validation, the only writer of
 * DATA_DIR/ledger.db. Started by smallnanod; the child runtime (ipc/child.h)
 * gives it its event loop, its listening socket DATA_DIR/run/ledger.sock,
 * readiness and heartbeats. The work is procs/ledger/service.h. */
#include <stdio.h>

#include "common/log.h"
#include "common/network.h"
#include "ipc/child.h"
#include "ipc/schema_ledger.h"
#include "procs/ledger/schema.h"
#include "procs/ledger/service.h"

typedef struct {
    ipc_child *ch;
    ledger_service *svc;
} app;

static void on_detail(void *user, const char *detail)
{
    app *a = user;
    ipc_child_set_detail(a->ch, detail);
}

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    app *a = ud;
    ledger_service_on_message(c, m, a->svc);
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    app *a = ud;
    ledger_service_on_state(c, up, a->svc);
}

static int start(ipc_child *ch, void *ud)
{
    app *a = ud;
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
    smn_info("ledger open: %s (network %s)", path, net->name);
    return 0;
}

static void stop(ipc_child *ch, void *ud)
{
    (void)ch;
    app *a = ud;
    ledger_service_close(a->svc);
    a->svc = NULL;
}

int main(int argc, char **argv)
{
    app a = {0};
    ipc_child_opts o = {.name = "ledger",
                        .family = &ipc_family_ledger,
                        .on_message = on_message,
                        .on_state = on_state,
                        .init = start,
                        .fini = stop,
                        .ud = &a};
    return ipc_child_main(argc, argv, &o);
}
