/* Publishing feed events; see feed.h. */
#include "ipc/feed.h"

#include <inttypes.h>

#include "common/log.h"

void ipc_feed_serve_family(ipc_family *out, const ipc_family *fam)
{
    *out = *fam;
    out->base = &ipc_family_feed;
}

bool ipc_feed_on_message(ipc_feed *f, ipc_conn *c, const ipc_msg *m)
{
    if (ipc_feed_kind_of(m) != IPC_FEED_K_SUBSCRIBE)
        return false;
    if (!m->id)
        return true; /* a subscription needs an answer: ignore a one-way one */
    for (size_t i = 0; i < f->n; i++) {
        if (f->subs[i] == c) {
            ipc_builder b;
            ipc_build_begin(&b, "ok");
            ipc_reply(c, m, &b);
            return true;
        }
    }
    if (f->n == IPC_FEED_MAX_SUBSCRIBERS) {
        ipc_reply_error(c, m, "too many feed subscribers");
        return true;
    }
    f->subs[f->n++] = c;
    ipc_builder b;
    ipc_build_begin(&b, "ok");
    ipc_reply(c, m, &b);
    return true;
}

void ipc_feed_on_state(ipc_feed *f, ipc_conn *c, bool up)
{
    if (up)
        return;
    for (size_t i = 0; i < f->n; i++) {
        if (f->subs[i] == c) {
            f->subs[i] = f->subs[--f->n];
            return;
        }
    }
}

bool ipc_feed_wanted(const ipc_feed *f)
{
    return f->n > 0;
}

void ipc_feed_publish(ipc_feed *f, ipc_builder *b)
{
    if (f->n == 0) {
        ipc_build_free(b);
        return;
    }
    ipc_status st[IPC_FEED_MAX_SUBSCRIBERS];
    ipc_notify_all(f->subs, f->n, b, st);
    bool any = false;
    for (size_t i = 0; i < f->n; i++) {
        if (st[i] == IPC_OK) {
            any = true;
            continue;
        }
        f->dropped++;
        if ((f->dropped & (f->dropped - 1)) == 0)
            smn_warn("feed: an event was dropped for a subscriber (%s); %" PRIu64 " so far",
                     ipc_strerror(st[i]), f->dropped);
    }
    if (any)
        f->published++;
}
