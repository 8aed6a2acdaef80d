/* A libuv loop driven from libevent; see uvpump.h. */
#include "procs/ws/uvpump.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/log.h"

#define RERUNS_MAX 8 /* uv_run rounds per wake-up before yielding to libevent */

struct ws_uvpump {
    uv_loop_t loop;
    struct event_base *base;
    struct event *fd_ev, *timer_ev, *kick_ev;
    bool loop_ok;
};

/* Watcher changes queued but not yet given to epoll (libuv applies them at
 * the start of its next poll). The queue is a public field of uv_loop_t
 * whose type changed in libuv 1.45. */
static bool changes_pending(const uv_loop_t *l)
{
#if UV_VERSION_HEX >= 0x012d00
    return l->watcher_queue.next != &l->watcher_queue;
#else
    return l->watcher_queue[0] != (void *)&l->watcher_queue;
#endif
}

static void pump(ws_uvpump *p)
{
    int i = 0;
    do
        uv_run(&p->loop, UV_RUN_NOWAIT);
    while (changes_pending(&p->loop) && ++i < RERUNS_MAX);
    if (changes_pending(&p->loop)) {
        event_active(p->kick_ev, EV_TIMEOUT, 0);
        return;
    }
    /* No handles (no server yet): nothing to wait for. */
    int t = uv_loop_alive(&p->loop) ? uv_backend_timeout(&p->loop) : -1;
    if (t < 0) {
        evtimer_del(p->timer_ev);
        return;
    }
    struct timeval tv = {t / 1000, (t % 1000) * 1000};
    evtimer_add(p->timer_ev, &tv);
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pump(arg);
}

ws_uvpump *ws_uvpump_new(struct event_base *base)
{
    ws_uvpump *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->base = base;
    if (uv_loop_init(&p->loop) != 0) {
        free(p);
        return NULL;
    }
    p->loop_ok = true;
    p->timer_ev = evtimer_new(base, on_event, p);
    p->kick_ev = event_new(base, -1, 0, on_event, p);
    if (!p->timer_ev || !p->kick_ev) {
        ws_uvpump_free(p);
        return NULL;
    }
    return p;
}

uv_loop_t *ws_uvpump_loop(ws_uvpump *p)
{
    return &p->loop;
}

int ws_uvpump_start(ws_uvpump *p)
{
    p->fd_ev = event_new(p->base, uv_backend_fd(&p->loop), EV_READ | EV_PERSIST, on_event, p);
    if (!p->fd_ev || event_add(p->fd_ev, NULL) != 0)
        return -1;
    pump(p);
    return 0;
}

void ws_uvpump_kick(ws_uvpump *p)
{
    if (p && p->kick_ev)
        event_active(p->kick_ev, EV_TIMEOUT, 0);
}

void ws_uvpump_drain(ws_uvpump *p)
{
    /* Close callbacks need loop rounds; a handle still open after them is
     * a bug in its owner, logged (at close) rather than waited for. */
    for (int i = 0; i < 1000 && uv_run(&p->loop, UV_RUN_NOWAIT) != 0; i++)
        ;
}

void ws_uvpump_free(ws_uvpump *p)
{
    if (!p)
        return;
    if (p->fd_ev)
        event_free(p->fd_ev);
    if (p->timer_ev)
        event_free(p->timer_ev);
    if (p->kick_ev)
        event_free(p->kick_ev);
    if (p->loop_ok) {
        ws_uvpump_drain(p);
        if (uv_loop_close(&p->loop) != 0)
            smn_warn("the uv loop still has open handles at exit");
    }
    free(p);
}
