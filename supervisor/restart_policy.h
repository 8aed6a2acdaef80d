/* Restart backoff and the "failing" verdict for one child, as pure
 * functions of timestamps (monotonic milliseconds) so they can be tested
 * without processes.
 *
 * The policy is per child: a crash never stops the node. A crash after a run
 * shorter than window_ms (max_restart_window_s) extends the child's streak;
 * a run that lasted window_ms or more starts a new streak. The delay before
 * the next start is base_ms doubled for every earlier crash in the streak,
 * capped at max_ms. A streak longer than max_restarts makes the child
 * "failing": it is still restarted (at the capped pace), and reported. */
#ifndef SUP_RESTART_POLICY_H
#define SUP_RESTART_POLICY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint32_t max_restarts; /* a streak longer than this is "failing" */
    uint32_t window_ms;    /* a run this long ends a streak */
    uint32_t base_ms;      /* first backoff */
    uint32_t max_ms;       /* backoff cap */
} sup_policy;

typedef struct {
    uint32_t streak;   /* crashes in a row, each after a short run */
    uint64_t first_ms; /* when the streak's first crash happened */
} sup_history;

/* Record a crash at now_ms that ended a run of uptime_ms (0 if the process
 * could not even be started). Returns the streak, this crash included. */
uint32_t sup_history_record(sup_history *h, const sup_policy *p, uint64_t now_ms,
                            uint64_t uptime_ms);
/* The streak passed max_restarts. */
bool sup_history_failing(const sup_history *h, const sup_policy *p);
/* Forget the streak (an operator's restart, or a stable run). */
void sup_history_reset(sup_history *h);

/* Delay before the next start: base doubled for every crash of the streak
 * but the last, capped at max (base with no streak; 0 if base is 0). */
uint32_t sup_backoff_ms(const sup_history *h, const sup_policy *p);

#endif
