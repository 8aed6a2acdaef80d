/* One line per event on stderr: "<level> <process>: message". Never log secrets. */
#ifndef SMN_LOG_H
#define SMN_LOG_H

typedef enum { SMN_LOG_DEBUG, SMN_LOG_INFO, SMN_LOG_WARN, SMN_LOG_ERROR } smn_log_level;

/* Set this process's name (e.g. "ledger") and minimum level. */
void smn_log_init(const char *process, smn_log_level min);
void smn_log(smn_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define smn_debug(...) smn_log(SMN_LOG_DEBUG, __VA_ARGS__)
#define smn_info(...) smn_log(SMN_LOG_INFO, __VA_ARGS__)
#define smn_warn(...) smn_log(SMN_LOG_WARN, __VA_ARGS__)
#define smn_error(...) smn_log(SMN_LOG_ERROR, __VA_ARGS__)

#endif
