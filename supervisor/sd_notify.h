/* The systemd notification protocol, by hand: one datagram per message to
 * the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for the
 * abstract namespace). No libsystemd needed. */
#ifndef SUP_SD_NOTIFY_H
#define SUP_SD_NOTIFY_H

#include <stdint.h>

/* Send state (e.g. "READY=1\nSTATUS=running"). 1 if sent, 0 if
 * $NOTIFY_SOCKET is unset (not under systemd), -errno on failure. */
int sup_sd_notify(const char *state);

/* The watchdog interval in microseconds from $WATCHDOG_USEC when it is meant
 * for this process ($WATCHDOG_PID absent or equal to our pid), else 0. */
uint64_t sup_sd_watchdog_usec(void);

#endif
