/* smallnano-net: the peer-to-peer side of the node (procs/net/service.h):
 * listens on the peering port the supervisor bound, dials peers, relays
 * blocks to and from the ledger process and votes to and from the elections
 * process. Started by smallnanod; the child runtime (ipc/child.h) gives it
 * its event loop, DATA_DIR/run/net.sock (the net family, ipc/schema_net.h),
 * readiness and heartbeats. */
#include "ipc/child.h"
#include "ipc/schema_net.h"
#include "procs/net/service.h"

static void on_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    net_service **s = ud;
    if (*s)
        net_service_on_message(*s, c, m);
    else if (m->id)
        ipc_reply_error(c, m, "net is starting");
}

static void on_state(ipc_conn *c, bool up, void *ud)
{
    net_service **s = ud;
    if (*s)
        net_service_on_state(*s, c, up);
}

static int start(ipc_child *ch, void *ud)
{
    return net_service_start(ch, (net_service **)ud);
}

static void stop(ipc_child *ch, void *ud)
{
    (void)ch;
    net_service **s = ud;
    net_service_stop(*s);
    *s = NULL;
}

int main(int argc, char **argv)
{
    static net_service *svc;
    ipc_child_opts o = {.name = "net",
                        .family = &ipc_family_net,
                        .on_message = on_message,
                        .on_state = on_state,
                        .init = start,
                        .fini = stop,
                        .ud = &svc};
    return ipc_child_main(argc, argv, &o);
}
