/* The vm topic over the vm event socket; see vmfeed.h. */
#include "procs/ws/vmfeed.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "ipc/builder.h"
#include "ipc/endpoint.h"
#include "ipc/msg.h"
#include "ipc/schema_vmevents.h"
#include "ipc/unix_socket.h"

#define SUBSCRIBE_TIMEOUT_MS 5000

struct ws_vmfeed {
    ipc_child *ch;
    ws_server *srv;
    ws_uvpump *pump;
    ws_vmfeed_overflow_fn overflow;
    void *user;
    char path[512];
};

typedef struct ws_vm_sub {
    ws_vmfeed *f;
    ws_client *c;
    ipc_endpoint *ep;
    uint64_t scan; /* the last event passed on (queued) */
    bool has_program, has_session, has_type, has_account;
    uint8_t program[32], account[32];
    uint32_t session;
    char type[WS_VM_TYPE_MAX + 1];
    bool live_pending; /* take the scan position from the first reply's head */
} ws_vm_sub;

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

ws_vmfeed *ws_vmfeed_new(ipc_child *ch, ws_server *srv, ws_uvpump *pump,
                         ws_vmfeed_overflow_fn overflow, void *user)
{
    ws_vmfeed *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->ch = ch;
    f->srv = srv;
    f->pump = pump;
    f->overflow = overflow;
    f->user = user;
    char run[400];
    if (ipc_run_dir(ipc_child_config(ch)->data_dir, run, sizeof run) != 0) {
        free(f);
        return NULL;
    }
    snprintf(f->path, sizeof f->path, "%s/vm-events.sock", run);
    return f;
}

void ws_vmfeed_free(ws_vmfeed *f)
{
    free(f);
}

static void on_subscribed(ipc_conn *conn, ipc_status st, const ipc_msg *reply, void *ud)
{
    ws_vm_sub *v = ud;
    if (st == IPC_OK) {
        uint64_t head = 0;
        if (v->live_pending && ipc_get_uint(reply->body, "head", &head) && head > v->scan)
            v->scan = head;
        v->live_pending = false;
        return;
    }
    char msg[160] = "";
    if (st == IPC_E_REMOTE && reply)
        ipc_get_strz(reply->body, "message", msg, sizeof msg);
    smn_warn("vm-events subscribe failed: %s %s", ipc_strerror(st), msg);
    if (conn)
        ipc_conn_close(conn); /* reconnects and tries again */
}

static void send_subscribe(ws_vm_sub *v, ipc_conn *conn)
{
    ipc_builder b;
    ipc_build_begin(&b, ipc_vmev_kind_name(IPC_VMEV_K_SUBSCRIBE));
    ipc_put_uint(&b, "from", v->scan);
    if (v->has_program)
        ipc_put_bin(&b, "program", v->program, 32);
    if (v->has_session)
        ipc_put_uint(&b, "session", v->session);
    if (v->has_type)
        ipc_put_str(&b, "type", v->type);
    if (v->has_account)
        ipc_put_bin(&b, "account", v->account, 32);
    ipc_status st = ipc_request(conn, &b, SUBSCRIBE_TIMEOUT_MS, on_subscribed, v);
    if (st != IPC_OK) {
        smn_warn("cannot subscribe to vm-events: %s", ipc_strerror(st));
        ipc_conn_close(conn);
    }
}

static void on_state(ipc_conn *conn, bool up, void *ud)
{
    if (up)
        send_subscribe(ud, conn);
}

static void on_event(ws_vm_sub *v, const ipc_msg *m)
{
    if (v->c->closing)
        return; /* its queue is gone; the close is on its way */
    ws_vm_event e = {0};
    const uint8_t *p;
    size_t n;
    const char *type;
    size_t type_len;
    char typez[WS_VM_TYPE_MAX + 1];
    if (!ipc_get_uint(m->body, "cursor", &e.cursor) || e.cursor <= v->scan)
        return; /* already passed on (a resubscription overlaps) */
    if (!ipc_get_bin(m->body, "block_hash", &p, &n) || n != 32)
        return;
    memcpy(e.block_hash, p, 32);
    if (!ipc_get_bin(m->body, "account", &p, &n) || n != 32)
        return;
    memcpy(e.account, p, 32);
    if (!ipc_get_bin(m->body, "program", &p, &n) || n != 32)
        return;
    memcpy(e.program, p, 32);
    uint64_t index = 0, session = 0;
    if (!ipc_get_uint(m->body, "height", &e.height) || !ipc_get_uint(m->body, "index", &index) ||
        !ipc_get_uint(m->body, "session", &session) || !ipc_get_uint(m->body, "topic", &e.topic) ||
        !ipc_get_str(m->body, "type", &type, &type_len) || type_len > WS_VM_TYPE_MAX ||
        !ipc_get_bin(m->body, "data", &e.data, &e.data_len))
        return;
    memcpy(typez, type, type_len);
    typez[type_len] = '\0';
    e.type = typez;
    e.index = (uint32_t)index;
    e.session = (uint32_t)session;
    size_t len = 0;
    char *text = ws_msg_vm(&e, wall_ms(), &len);
    ws_buf *b = text ? ws_buf_new(text, len) : NULL;
    free(text);
    if (!b)
        return;
    ws_client *c = v->c;
    bool ok = ws_outq_push(&c->q, b, WS_STREAM_VM, e.cursor);
    ws_buf_unref(b);
    if (!ok) {
        v->f->overflow(v->f->user, c);
        return;
    }
    v->scan = e.cursor;
    ws_server_want_write(v->f->srv, c);
}

static void on_message(ipc_conn *conn, const ipc_msg *m, void *ud)
{
    (void)conn;
    ws_vm_sub *v = ud;
    switch (ipc_vmev_kind_of(m)) {
    case IPC_VMEV_K_EVENT:
        on_event(v, m);
        break;
    case IPC_VMEV_K_DISCONNECT: {
        char reason[IPC_VMEV_REASON_MAX + 1] = "";
        ipc_get_strz(m->body, "reason", reason, sizeof reason);
        smn_info("client %" PRIu64 ": vm-events disconnected it (%s); resubscribing", v->c->id,
                 reason);
        break; /* the server closes; the endpoint reconnects from v->scan */
    }
    default:
        break; /* caught_up, pong */
    }
}

int ws_vmfeed_subscribe(ws_vmfeed *f, ws_client *c, const ws_request *r, char *err, size_t errlen)
{
    ws_vm_sub *old = c->vm;
    ws_vm_sub *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    v->f = f;
    v->c = c;
    /* A resubscription without "from" keeps the client's place. */
    v->scan = r->has_from ? r->from : old ? ws_vmfeed_resume(c) : 0;
    v->has_program = r->has_program;
    memcpy(v->program, r->program, 32);
    v->has_session = r->has_session;
    v->session = r->session;
    v->has_type = r->has_vm_type;
    memcpy(v->type, r->vm_type, sizeof v->type);
    v->has_account = r->has_account;
    memcpy(v->account, r->account, 32);
    /* Without "from" the topic starts live, as Nano's do: at the head the
     * vm names in its first reply (what it sends before that is dropped). */
    v->live_pending = !r->has_from && !old;
    ipc_endpoint_opts eo = {.family = &ipc_family_vmevents,
                            .on_message = on_message,
                            .on_state = on_state,
                            .ud = v,
                            .name = "vm-events",
                            .reconnect_min_ms = 50,
                            .reconnect_max_ms = 1000};
    v->ep = ipc_connect(ipc_child_base(f->ch), f->path, &eo);
    if (!v->ep) {
        free(v);
        snprintf(err, errlen, "cannot connect to the vm event socket");
        return -1;
    }
    ws_vmfeed_unsubscribe(f, c);
    c->vm = v;
    return 0;
}

void ws_vmfeed_unsubscribe(ws_vmfeed *f, ws_client *c)
{
    (void)f;
    ws_vm_sub *v = c->vm;
    if (!v)
        return;
    ipc_endpoint_free(v->ep);
    free(v);
    c->vm = NULL;
}

uint64_t ws_vmfeed_resume(const ws_client *c)
{
    if (!c->vm)
        return 0;
    uint64_t first;
    if (ws_outq_first(&c->q, WS_STREAM_VM, &first))
        return first - 1;
    return c->vm->scan;
}
