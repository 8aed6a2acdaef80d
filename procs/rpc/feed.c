/* work_event on rpc.sock; see feed.h. */
#include "procs/rpc/feed.h"

#include <errno.h>

#include "common/work.h"
#include "ipc/feed.h"
#include "ipc/schema_feed.h"

static ipc_feed feed;

void rpc_feed_work(void *ud, const rpc_work_outcome *o)
{
    (void)ud;
    if (!ipc_feed_wanted(&feed))
        return;
    ipc_feed_work_reason r = o->status == 0            ? IPC_FEED_WORK_SUCCESS
                             : o->status == -ECANCELED ? IPC_FEED_WORK_CANCELLED
                                                       : IPC_FEED_WORK_FAILURE;
    ipc_builder b;
    ipc_build_begin(&b, ipc_feed_kind_name(IPC_FEED_K_WORK));
    ipc_put_bool(&b, "success", r == IPC_FEED_WORK_SUCCESS);
    ipc_put_str(&b, "reason", ipc_feed_work_reason_name(r));
    ipc_put_uint(&b, "duration", o->duration_ms);
    ipc_put_bin(&b, "root", o->root, 32);
    ipc_put_uint(&b, "difficulty", o->difficulty);
    if (r == IPC_FEED_WORK_SUCCESS) {
        ipc_put_uint(&b, "work", o->nonce);
        ipc_put_uint(&b, "result_difficulty", smn_work_value(o->root, o->nonce));
    }
    ipc_feed_publish(&feed, &b);
}

void rpc_feed_message(ipc_conn *c, const ipc_msg *m, void *ud)
{
    (void)ud;
    if (!ipc_feed_on_message(&feed, c, m) && m->id)
        ipc_reply_error(c, m, "rpc serves only ping and feed_subscribe here");
}

void rpc_feed_state(ipc_conn *c, bool up, void *ud)
{
    (void)ud;
    ipc_feed_on_state(&feed, c, up);
}
