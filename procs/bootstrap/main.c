/* smallnano-bootstrap: frontier scan, pulls, resume after restart
 * (procs/bootstrap/service.h). Started by smallnanod; the child runtime
 * (ipc/child.h) gives it its event loop, its listening socket
 * DATA_DIR/run/bootstrap.sock (answers ping and `status`,
 * ipc/schema_bootstrap.h), readiness and heartbeats. */
#include "ipc/child.h"
#include "ipc/ipc.h"
#include "procs/bootstrap/service.h"

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    bootstrap_service **s = ud;
    if (*s)
        bootstrap_service_on_message(*s, c, m);
    else if (m->id)
        ipc_reply_error(c, m, "bootstrap is starting");
}

static int start(ipc_child *ch, void *ud)
{
    return bootstrap_service_start(ch, (bootstrap_service **)ud);
}

static void stop(ipc_child *ch, void *ud)
{
    (void)ch;
    bootstrap_service **s = ud;
    bootstrap_service_stop(*s);
    *s = NULL;
}

int main(int argc, char **argv)
{
    static bootstrap_service *svc;
    ipc_child_opts o = {.name = "bootstrap",
                        .family = &ipc_family_bootstrap,
                        .on_message = on_message,
                        .init = start,
                        .fini = stop,
                        .ud = &svc};
    return ipc_child_main(argc, argv, &o);
}
