/* libevent's log callback: severity mapped onto smn_log levels, the text
 * rate-limited by its content (smn_log_text). */
#include "ipc/evlog.h"

#include <event2/event.h>
#include <stdio.h>

#include "common/log.h"

static void on_event_log(int severity, const char *msg)
{
    smn_log_level lvl = SMN_LOG_ERROR;
    switch (severity) {
    case EVENT_LOG_DEBUG:
        lvl = SMN_LOG_DEBUG;
        break;
    case EVENT_LOG_MSG:
        lvl = SMN_LOG_INFO;
        break;
    case EVENT_LOG_WARN:
        lvl = SMN_LOG_WARN;
        break;
    default:
        break;
    }
    char line[512];
    snprintf(line, sizeof line, "libevent: %s", msg ? msg : "");
    smn_log_text(lvl, line);
}

void ipc_evlog_route(void)
{
    event_set_log_callback(on_event_log);
}
