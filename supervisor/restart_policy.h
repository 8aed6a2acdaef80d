/* Restart intensity and backoff for one child, as pure functions of
 * timestamps (monotonic milliseconds) so they can be tested without
 * processes. Erlang/OTP's rule: more than MaxR restarts within MaxT seconds
 * means restarting does not help; the node gives up and lets systemd decide. */
#ifndef SUP_RESTART_POLICY_H
#define SUP_RESTART_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t max_restarts; /* MaxR */
    uint32_t window_ms;    /* MaxT */
    uint32_t base_ms;      /* first backoff */
    uint32_t max_ms;       /* backoff cap */
} sup_policy;

typedef struct {
    uint64_t *times; /* ring of the last cap crash times */
    size_t cap, n, head;
} sup_history;

/* 0 or -ENOMEM. Keeps max_restarts + 1 timestamps. */
int sup_history_init(sup_history *h, const sup_policy *p);
void sup_history_free(sup_history *h);

/* Crashes recorded within (now - window, now]. */
uint32_t sup_history_recent(const sup_history *h, const sup_policy *p, uint64_t now_ms);

/* Record a crash at now_ms. Returns true when this crash makes more than
 * max_restarts within the window, i.e. the node should give up; *recent
 * gets the number of crashes in the window and *span_ms the time from the
 * oldest of them to now. */
bool sup_history_record(sup_history *h, const sup_policy *p, uint64_t now_ms, uint32_t *recent,
                        uint64_t *span_ms);

/* Delay before the next restart: base doubled for every earlier crash still
 * in the window, capped at max (0 if base is 0). */
uint32_t sup_backoff_ms(const sup_history *h, const sup_policy *p, uint64_t now_ms);

#endif
