/* smallnano-ws: the WebSocket feed for apps (docs/websocket.md). Started by
 * smallnanod; the child runtime (ipc/child.h) gives it its event loop, its
 * socket DATA_DIR/run/ws.sock (answers ping), readiness and heartbeats.
 * The work is procs/ws/service.h. */
#include "ipc/child.h"
#include "procs/ws/service.h"

int main(int argc, char **argv)
{
    ws_service *svc = NULL;
    ipc_child_opts o = {.name = "ws", .init = ws_service_init, .fini = ws_service_fini, .ud = &svc};
    return ipc_child_main(argc, argv, &o);
}
