/* rpc_call_slices: one slice per loop iteration through a zero-delay timer
 * (a timer, not event_active: an event activated from its own callback
 * would run again before the loop polls its sockets). */
#include "procs/rpc/slices.h"

#include <event2/event.h>
#include <stdlib.h>

#include "procs/rpc/rpc.h"

struct rpc_slices {
    rpc_call *call;
    rpc_slice_fn step;
    void (*drop)(void *);
    void *state;
    struct event *ev;
};

static void finish(rpc_slices *s)
{
    if (s->ev)
        event_free(s->ev);
    s->drop(s->state);
    free(s);
}

static void schedule(rpc_slices *s)
{
    static const struct timeval now = {0, 0};
    evtimer_add(s->ev, &now);
}

static void on_slice(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rpc_slices *s = arg;
    rpc_call *c = s->call;
    c->slices = NULL; /* answering unlinks the call: it must not find us */
    if (s->step(c, s->state)) {
        finish(s);
        return;
    }
    c->slices = s;
    schedule(s);
}

void rpc_call_slices(rpc_call *c, rpc_slice_fn step, void (*drop)(void *), void *state)
{
    if (step(c, state)) {
        drop(state);
        return;
    }
    struct event_base *base = rpc_call_ctx(c)->base;
    rpc_slices *s = base ? calloc(1, sizeof *s) : NULL;
    if (s)
        s->ev = evtimer_new(base, on_slice, s);
    if (!s || !s->ev) {
        free(s);
        while (!step(c, state))
            ;
        drop(state);
        return;
    }
    s->call = c;
    s->step = step;
    s->drop = drop;
    s->state = state;
    c->slices = s;
    rpc_call_go_pending(c);
    schedule(s);
}

void rpc_slices_abandon(rpc_call *c)
{
    rpc_slices *s = c->slices;
    if (!s)
        return;
    c->slices = NULL;
    finish(s);
}
