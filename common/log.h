/* One line per event on stderr: "<level> <process>: message". Never log secrets.
 *
 * Repeated messages are rate-limited so a loop that logs cannot fill the
 * disk: a call site (its format string) may write SMN_LOG_BURST lines per
 * second; the rest of that second is counted, not written, and the next line
 * from that call site after the second is over (or any line once that second
 * has passed) is preceded by one
 *   "<level> <process>: ... suppressed K similar messages (last shown: \"...\")".
 * On top of that the whole process writes at most SMN_LOG_MAX_PER_S lines a
 * second. The table of call sites is fixed (SMN_LOG_SLOTS), nothing is
 * allocated per line, and every function may be called from any thread. */
#ifndef SMN_LOG_H
#define SMN_LOG_H

#include <stdint.h>

typedef enum { SMN_LOG_DEBUG, SMN_LOG_INFO, SMN_LOG_WARN, SMN_LOG_ERROR } smn_log_level;

#define SMN_LOG_BURST 20      /* lines per second from one format string */
#define SMN_LOG_MAX_PER_S 500 /* lines per second from the whole process */
#define SMN_LOG_SLOTS 64      /* call sites tracked at once */

/* Set this process's name (e.g. "ledger") and minimum level. Also forgets
 * every rate-limit count. */
void smn_log_init(const char *process, smn_log_level min);
void smn_log(smn_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A message formatted elsewhere (libevent's own log): rate-limited by its
 * text instead of a format string. */
void smn_log_text(smn_log_level lvl, const char *msg);
/* Write the pending "suppressed" lines now (e.g. before exiting). */
void smn_log_flush(void);
/* Test hook: the monotonic clock the rate limit reads, in milliseconds
 * (NULL: CLOCK_MONOTONIC). */
void smn_log_set_clock(uint64_t (*now_ms)(void));

#define smn_debug(...) smn_log(SMN_LOG_DEBUG, __VA_ARGS__)
#define smn_info(...) smn_log(SMN_LOG_INFO, __VA_ARGS__)
#define smn_warn(...) smn_log(SMN_LOG_WARN, __VA_ARGS__)
#define smn_error(...) smn_log(SMN_LOG_ERROR, __VA_ARGS__)

#endif
