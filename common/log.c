/* One line per event on stderr: "<level> <process>: message". */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char log_process[32] = "smallnano";
static smn_log_level log_min = SMN_LOG_INFO;

void smn_log_init(const char *process, smn_log_level min)
{
    if (process) {
        strncpy(log_process, process, sizeof log_process - 1);
        log_process[sizeof log_process - 1] = '\0';
    }
    log_min = min;
}

static const char *level_name(smn_log_level lvl)
{
    switch (lvl) {
    case SMN_LOG_DEBUG:
        return "debug";
    case SMN_LOG_INFO:
        return "info";
    case SMN_LOG_WARN:
        return "warn";
    case SMN_LOG_ERROR:
        return "error";
    }
    return "?";
}

void smn_log(smn_log_level lvl, const char *fmt, ...)
{
    if (lvl < log_min)
        return;
    /* Format the whole line first so one write(2) carries it: concurrent
     * processes sharing stderr then never interleave mid-line. */
    char line[1024];
    int n = snprintf(line, sizeof line, "%s %s: ", level_name(lvl), log_process);
    if (n < 0)
        return;
    size_t off = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + off, sizeof line - off, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    off += (size_t)m < sizeof line - off ? (size_t)m : sizeof line - off - 1;
    /* Keep it one line: a newline inside the message would forge a new entry. */
    for (size_t i = 0; i < off; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    if (off > sizeof line - 2)
        off = sizeof line - 2;
    line[off++] = '\n';
    fwrite(line, 1, off, stderr);
}
