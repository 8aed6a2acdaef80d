/* bootstrap_event on bootstrap.sock; see feed.h. */
#include "procs/bootstrap/feed.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "ipc/feed.h"
#include "ipc/schema_feed.h"

static ipc_feed feed;
static struct {
    bool active;
    char id[IPC_FEED_ID_MAX + 1];
    uint64_t attempts;
    uint64_t started_ms, idle_since_ms, pulled_at_start;
} attempt;

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void publish(ipc_feed_boot_reason reason, uint64_t total, uint64_t duration_s)
{
    if (!ipc_feed_wanted(&feed))
        return;
    ipc_builder b;
    ipc_build_begin(&b, ipc_feed_kind_name(IPC_FEED_K_BOOTSTRAP));
    ipc_put_str(&b, "reason", ipc_feed_boot_reason_name(reason));
    ipc_put_str(&b, "attempt", attempt.id);
    ipc_put_str(&b, "mode", "ascending");
    if (reason == IPC_FEED_BOOT_EXITED) {
        ipc_put_uint(&b, "total_blocks", total);
        ipc_put_uint(&b, "duration", duration_s);
    }
    ipc_feed_publish(&feed, &b);
}

void bootstrap_feed_tick(bool busy, uint64_t pulled, uint64_t now_ms)
{
    if (busy) {
        attempt.idle_since_ms = 0;
        if (attempt.active)
            return;
        attempt.active = true;
        attempt.attempts++;
        /* unique across restarts: the wall clock at start and a counter */
        snprintf(attempt.id, sizeof attempt.id, "%" PRIx64 "-%" PRIu64, wall_ms(),
                 attempt.attempts);
        attempt.started_ms = now_ms;
        attempt.pulled_at_start = pulled;
        publish(IPC_FEED_BOOT_STARTED, 0, 0);
        return;
    }
    if (!attempt.active)
        return;
    if (!attempt.idle_since_ms) {
        attempt.idle_since_ms = now_ms;
        return;
    }
    if (now_ms - attempt.idle_since_ms < BOOTSTRAP_FEED_IDLE_MS)
        return;
    attempt.active = false;
    /* the attempt ended when it went idle, not after the grace period */
    publish(IPC_FEED_BOOT_EXITED, pulled - attempt.pulled_at_start,
            (attempt.idle_since_ms - attempt.started_ms) / 1000u);
    attempt.idle_since_ms = 0;
}

bool bootstrap_feed_message(ipc_conn *c, const ipc_msg *m)
{
    return ipc_feed_on_message(&feed, c, m);
}

void bootstrap_feed_state(ipc_conn *c, bool up, void *ud)
{
    (void)ud;
    ipc_feed_on_state(&feed, c, up);
}
