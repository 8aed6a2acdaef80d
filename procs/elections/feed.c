/* election_started / election_stopped on elections.sock; see feed.h. */
#include "procs/elections/feed.h"

#include <time.h>

#include "common/amount.h"
#include "ipc/feed.h"
#include "ipc/schema_feed.h"

static ipc_feed feed;
static uint32_t tick_ms = 100;

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void elections_feed_set_tick_ms(uint32_t ms_per_tick)
{
    tick_ms = ms_per_tick;
}

void elections_feed_started(void *ctx, const uint8_t hash[32])
{
    (void)ctx;
    if (!ipc_feed_wanted(&feed))
        return;
    ipc_builder b;
    ipc_build_begin(&b, ipc_feed_kind_name(IPC_FEED_K_ELECTION_STARTED));
    ipc_put_bin(&b, "hash", hash, 32);
    ipc_put_uint(&b, "time", wall_ms());
    ipc_feed_publish(&feed, &b);
}

static ipc_feed_stop_reason reason_of(elections_stop_reason r)
{
    switch (r) {
    case ELECTIONS_STOP_CONFIRMED:
        return IPC_FEED_STOP_CONFIRMED;
    case ELECTIONS_STOP_CEMENTED:
        return IPC_FEED_STOP_CEMENTED;
    case ELECTIONS_STOP_DROPPED:
        return IPC_FEED_STOP_DROPPED;
    case ELECTIONS_STOP_EXPIRED:
        break;
    }
    return IPC_FEED_STOP_EXPIRED;
}

void elections_feed_stopped(void *ctx, const elections_stop *st)
{
    (void)ctx;
    if (!ipc_feed_wanted(&feed))
        return;
    ipc_builder b;
    ipc_build_begin(&b, ipc_feed_kind_name(IPC_FEED_K_ELECTION_STOPPED));
    ipc_put_bin(&b, "hash", st->hash, 32);
    ipc_put_uint(&b, "time", wall_ms());
    ipc_put_str(&b, "reason", ipc_feed_stop_reason_name(reason_of(st->reason)));
    if (st->has_info) {
        uint8_t be[16];
        ipc_put_uint(&b, "duration", st->duration_ticks * tick_ms);
        smn_amount_to_be(st->tally, be);
        ipc_put_bin(&b, "tally", be, 16);
        smn_amount_to_be(st->final_tally, be);
        ipc_put_bin(&b, "final_tally", be, 16);
        ipc_put_uint(&b, "blocks", st->blocks);
        ipc_put_uint(&b, "voters", st->voters);
        ipc_put_uint(&b, "request_count", st->requests);
    }
    ipc_feed_publish(&feed, &b);
}

bool elections_feed_message(ipc_conn *c, const ipc_msg *m)
{
    return ipc_feed_on_message(&feed, c, m);
}

void elections_feed_state(ipc_conn *c, bool up, void *ud)
{
    (void)ud;
    ipc_feed_on_state(&feed, c, up);
}
