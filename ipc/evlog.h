/* libevent's own log (its warnings and errors, e.g. a failing epoll_wait)
 * routed through common/log.h, so it gets the process name, one line per
 * event and the rate limit instead of libevent's unbounded stderr writer. */
#ifndef IPC_EVLOG_H
#define IPC_EVLOG_H

/* Install the callback (process-wide; call once before the loop runs). */
void ipc_evlog_route(void);

#endif
